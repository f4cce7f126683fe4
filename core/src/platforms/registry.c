/* registry.c - the platform table, introspection and the JSON description of every descriptor. */
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>

#include <string.h>

static const ak_platform *const platforms[] = {
    &ak_platform_tencent_ads,  &ak_platform_sensors_data,    &ak_platform_thinking_data,
    &ak_platform_baidu_search, &ak_platform_volcengine_live, NULL,
};

const ak_platform *ak_platform_next(const ak_platform *prev) {
    if (!prev)
        return platforms[0];
    for (size_t i = 0; platforms[i]; i++)
        if (platforms[i] == prev)
            return platforms[i + 1];
    return NULL;
}

const ak_platform *ak_platform_find(const char *key) {
    for (size_t i = 0; key && platforms[i]; i++)
        if (strcmp(platforms[i]->key, key) == 0)
            return platforms[i];
    return NULL;
}

const char *ak_platform_key(const ak_platform *p) { return p->key; }
const char *ak_platform_display_name(const ak_platform *p) { return p->display_name; }
const char *ak_platform_default_base_url(const ak_platform *p) { return p->default_base_url; }
const char *const *ak_platform_credentials(const ak_platform *p) { return p->credentials; }

int ak_platform_is_secret(const ak_platform *p, const char *param) {
    for (const char *const *s = p->secrets; s && *s; s++)
        if (strcmp(*s, param) == 0)
            return 1;
    return 0;
}

const ak_op *ak_op_next(const ak_platform *p, const ak_op *prev) {
    if (!p || p->nops == 0)
        return NULL;
    if (!prev)
        return &p->ops[0];
    size_t i = (size_t)(prev - p->ops) + 1;
    return i < p->nops ? &p->ops[i] : NULL;
}

const ak_op *ak_op_find(const ak_platform *p, const char *name) {
    for (size_t i = 0; p && name && i < p->nops; i++)
        if (strcmp(p->ops[i].name, name) == 0)
            return &p->ops[i];
    return NULL;
}

const ak_schema *ak_model_next(const ak_platform *p, const ak_schema *prev) {
    if (!p || !p->models)
        return NULL;
    if (!prev)
        return p->models[0];
    for (size_t i = 0; p->models[i]; i++)
        if (p->models[i] == prev)
            return p->models[i + 1];
    return NULL;
}

/* ---- ak_describe ---- */

/* A JSON builder with a sticky out-of-memory flag: ak_describe() returns all or nothing. */
typedef struct jb {
    bool oom;
} jb;

static void jb_put(jb *b, cJSON *o, const char *k, cJSON *v) {
    if (!o || !v || !cJSON_AddItemToObject(o, k, v)) {
        cJSON_Delete(v);
        b->oom = true;
    }
}

static void jb_push(jb *b, cJSON *a, cJSON *v) {
    if (!a || !v || !cJSON_AddItemToArray(a, v)) {
        cJSON_Delete(v);
        b->oom = true;
    }
}

static cJSON *str_list(jb *b, const char *const *l) {
    cJSON *a = cJSON_CreateArray();
    for (; a && l && *l; l++)
        jb_push(b, a, cJSON_CreateString(*l));
    return a;
}

static cJSON *str_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static const char *location_name(ak_location l) {
    switch (l) {
    case AK_LOC_QUERY: return "query";
    case AK_LOC_PATH: return "path";
    case AK_LOC_HEADER: return "header";
    default: return "body";
    }
}

static const char *unit_name(ak_len_unit u) {
    return u == AK_LEN_CHARS ? "chars" : u == AK_LEN_CJK2 ? "cjk2" : "bytes";
}

static const char *rule_kind_name(ak_rule_kind k) {
    static const char *const names[] = {
        "",         "required_when", "forbidden_when", "at_most_one", "at_least_one", "exactly_one",
        "max_when", "less_than",     "less_equal",     "date_window", "date_span",    "count_max"};
    return (size_t)k < AK_COUNT(names) ? names[k] : "unknown";
}

static cJSON *describe_field(jb *b, const ak_field *f) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    jb_put(b, o, "name", cJSON_CreateString(f->name));
    jb_put(b, o, "wire", cJSON_CreateString(f->wire));
    jb_put(b, o, "aliases", str_list(b, f->aliases));
    jb_put(b, o, "type", cJSON_CreateString(ak_type_name(f->type)));
    jb_put(b, o, "item_type",
           f->type == AK_TYPE_ARRAY ? cJSON_CreateString(ak_type_name(f->item_type)) : cJSON_CreateNull());
    jb_put(b, o, "schema", str_or_null(f->schema ? f->schema->name : NULL));
    jb_put(b, o, "required", cJSON_CreateBool((f->flags & AK_F_REQUIRED) != 0));
    jb_put(b, o, "output", cJSON_CreateBool((f->flags & AK_F_OUTPUT) != 0));
    if (f->flags & AK_F_INT64_ID) /* an int64 id: a decimal string is accepted too (exact beyond 2^53) */
        jb_put(b, o, "int64_id", cJSON_CreateTrue());
    if (f->flags & AK_F_IGNORED) /* accepted, never sent (无效 on this route) */
        jb_put(b, o, "ignored", cJSON_CreateTrue());
    jb_put(b, o, "location", cJSON_CreateString(location_name(f->location)));
    jb_put(b, o, "values", f->values ? str_list(b, f->values) : cJSON_CreateNull());
    if (f->value_aliases) {
        cJSON *va = cJSON_CreateObject();
        for (const char *const *a = f->value_aliases; va && a[0] && a[1]; a += 2)
            jb_put(b, va, a[0], cJSON_CreateString(a[1]));
        jb_put(b, o, "value_aliases", va);
    }
    if (f->min_len || f->max_len) {
        jb_put(b, o, "length_unit", cJSON_CreateString(unit_name(f->len_unit)));
        jb_put(b, o, "min_length", cJSON_CreateNumber(f->min_len));
        jb_put(b, o, "max_length", cJSON_CreateNumber(f->max_len));
    }
    if (f->flags & AK_F_MIN)
        jb_put(b, o, "minimum", cJSON_CreateNumber(f->min));
    if (f->flags & AK_F_MAX)
        jb_put(b, o, "maximum", cJSON_CreateNumber(f->max));
    if (f->multiple_of)
        jb_put(b, o, "multiple_of", cJSON_CreateNumber((double)f->multiple_of));
    if (f->decimals)
        jb_put(b, o, "decimals", cJSON_CreateNumber(f->decimals));
    if (f->min_items)
        jb_put(b, o, "min_items", cJSON_CreateNumber(f->min_items));
    if (f->max_items)
        jb_put(b, o, "max_items", cJSON_CreateNumber(f->max_items));
    if (f->depth > 1)
        jb_put(b, o, "depth", cJSON_CreateNumber(f->depth));
    static const char *const formats[] = {NULL, "date", "datetime", "identifier", "alnum", "route", "no_upper", "cron"};
    if (f->format != AK_FMT_NONE && (size_t)f->format < AK_COUNT(formats))
        jb_put(b, o, "format", cJSON_CreateString(formats[f->format]));
    jb_put(b, o, "doc", str_or_null(f->doc));
    return o;
}

static cJSON *describe_schema(jb *b, const ak_schema *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON *fields = cJSON_CreateArray();
    cJSON *rules = cJSON_CreateArray();
    if (!o || !fields || !rules) {
        cJSON_Delete(o);
        cJSON_Delete(fields);
        cJSON_Delete(rules);
        return NULL;
    }
    jb_put(b, o, "doc", str_or_null(s->doc));
    for (size_t i = 0; i < s->nfields; i++)
        jb_push(b, fields, describe_field(b, &s->fields[i]));
    jb_put(b, o, "fields", fields);
    for (size_t i = 0; i < s->nrules; i++) {
        const ak_rule *r = &s->rules[i];
        cJSON *ro = cJSON_CreateObject();
        if (!ro)
            continue;
        jb_put(b, ro, "kind", cJSON_CreateString(rule_kind_name(r->kind)));
        jb_put(b, ro, "field", str_or_null(r->field));
        jb_put(b, ro, "fields", r->fields ? str_list(b, r->fields) : cJSON_CreateNull());
        jb_put(b, ro, "when", str_or_null(r->cond_field));
        jb_put(b, ro, "when_values", r->cond_values ? str_list(b, r->cond_values) : cJSON_CreateNull());
        jb_put(b, ro, "when_negated", cJSON_CreateBool(r->cond_negate));
        jb_put(b, ro, "and_when", str_or_null(r->cond2_field));
        jb_put(b, ro, "and_when_values", r->cond2_values ? str_list(b, r->cond2_values) : cJSON_CreateNull());
        jb_put(b, ro, "and_when_negated", cJSON_CreateBool(r->cond2_negate));
        jb_put(b, ro, "bound", cJSON_CreateNumber(r->bound));
        jb_put(b, ro, "bound2", cJSON_CreateNumber(r->bound2));
        jb_put(b, ro, "text", str_or_null(r->text));
        jb_push(b, rules, ro);
    }
    jb_put(b, o, "rules", rules);
    return o;
}

/* Adds `s` and every schema reachable from its fields, once each. */
static void add_schema_rec(jb *b, cJSON *schemas, const ak_schema *s) {
    if (!s || cJSON_GetObjectItemCaseSensitive(schemas, s->name))
        return;
    jb_put(b, schemas, s->name, describe_schema(b, s));
    for (size_t i = 0; i < s->nfields; i++)
        add_schema_rec(b, schemas, s->fields[i].schema);
}

static const char *page_style_name(ak_page_style s) {
    switch (s) {
    case AK_PAGE_NUMBER: return "number";
    case AK_PAGE_START_COUNT: return "start_count";
    case AK_PAGE_ZERO_PAGE: return "zero_page";
    case AK_PAGE_PAGER_HEADER: return "pager_header";
    default: return "none";
    }
}

/* Pager rows name only their target; method, path, schemas and paging come from it. */
static const ak_op *effective(const ak_platform *p, const ak_op *op) {
    const ak_op *t = op->kind == AK_OP_PAGER || op->kind == AK_OP_WAITER ? ak_op_find(p, op->target) : NULL;
    return t ? t : op;
}

static cJSON *describe_op(jb *b, const ak_platform *plat, const ak_op *row) {
    const ak_op *op = effective(plat, row);
    static const char *const kinds[] = {"call", "pager", "chunked", "waiter"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    jb_put(b, o, "name", cJSON_CreateString(row->name));
    jb_put(b, o, "kind", cJSON_CreateString(kinds[row->kind]));
    jb_put(b, o, "method", cJSON_CreateString(op->method));
    jb_put(b, o, "path", cJSON_CreateString(op->path));
    const ak_schema *req = row->request ? row->request : op->request; /* a waiter has its own */
    jb_put(b, o, "request", str_or_null(req ? req->name : NULL));
    jb_put(b, o, "result", str_or_null(op->result ? op->result->name : NULL));
    jb_put(b, o, "item", str_or_null(op->item ? op->item->name : NULL));
    jb_put(b, o, "target", str_or_null(row->target));
    if (op->pager) {
        const ak_pager_desc *pd = op->pager;
        cJSON *p = cJSON_CreateObject();
        jb_put(b, p, "style", cJSON_CreateString(page_style_name(pd->style)));
        jb_put(b, p, "page_param", cJSON_CreateString(pd->page_param));
        jb_put(b, p, "size_param", cJSON_CreateString(pd->size_param));
        jb_put(b, p, "first_page", cJSON_CreateNumber(pd->first_page));
        jb_put(b, p, "max_page_size", cJSON_CreateNumber(pd->max_page_size));
        jb_put(b, p, "items_path", str_or_null(pd->items_path));
        jb_put(b, p, "total_pages_path", str_or_null(pd->total_pages_path));
        jb_put(b, p, "total_items_path", str_or_null(pd->total_items_path));
        jb_put(b, o, "pager", p);
    } else {
        jb_put(b, o, "pager", cJSON_CreateNull());
    }
    if (row->chunk) {
        const ak_chunk_desc *cd = row->chunk;
        cJSON *ch = cJSON_CreateObject();
        jb_put(b, ch, "ids_param", cJSON_CreateString(cd->ids_param));
        jb_put(b, ch, "max_per_chunk", cJSON_CreateNumber(cd->max_per_chunk));
        jb_put(b, ch, "selector", str_or_null(cd->selector));
        cJSON *lim = cJSON_CreateObject();
        for (size_t i = 0; cd->selector_values && cd->selector_values[i]; i++)
            jb_put(b, lim, cd->selector_values[i], cJSON_CreateNumber(cd->selector_limits[i]));
        jb_put(b, ch, "limits", lim);
        jb_put(b, ch, "items_path", str_or_null(cd->items_path));
        jb_put(b, o, "chunk", ch);
    } else {
        jb_put(b, o, "chunk", cJSON_CreateNull());
    }
    if (row->waiter) {
        const ak_waiter_desc *w = row->waiter;
        cJSON *wo = cJSON_CreateObject();
        jb_put(b, wo, "until_path", cJSON_CreateString(w->until_path));
        jb_put(b, wo, "until_values", str_list(b, w->until_values));
        jb_put(b, wo, "interval_ms", cJSON_CreateNumber(w->interval_ms));
        jb_put(b, wo, "default_timeout_ms", cJSON_CreateNumber(w->default_timeout_ms));
        jb_put(b, wo, "timeout_param", cJSON_CreateString(w->timeout_param));
        jb_put(b, o, "waiter", wo);
    } else {
        jb_put(b, o, "waiter", cJSON_CreateNull());
    }
    jb_put(b, o, "mutating", cJSON_CreateBool((op->flags & AK_OPF_MUTATING) != 0));
    jb_put(b, o, "idempotent", cJSON_CreateBool((op->flags & AK_OPF_IDEMPOTENT) != 0));
    jb_put(b, o, "stream_result", cJSON_CreateBool((op->flags & AK_OPF_STREAM_RESULT) != 0));
    jb_put(b, o, "stream_body", cJSON_CreateBool((op->flags & AK_OPF_STREAM_BODY) != 0));
    jb_put(b, o, "rate_per_sec", cJSON_CreateNumber(op->rate_per_sec));
    jb_put(b, o, "content_type", str_or_null(op->content_type));
    cJSON *fixed = cJSON_CreateObject(); /* fixed query pairs (Volcengine Action/Version) */
    for (const char *const *q = op->query; fixed && q && q[0] && q[1]; q += 2)
        jb_put(b, fixed, q[0], cJSON_CreateString(q[1]));
    jb_put(b, o, "fixed_query", fixed);
    cJSON *vars = cJSON_CreateArray(); /* alternative routes chosen by a present field */
    for (const ak_op_variant *v = op->variants; vars && v && v->when; v++) {
        cJSON *vo = cJSON_CreateObject();
        jb_put(b, vo, "when", cJSON_CreateString(v->when));
        jb_put(b, vo, "path", str_or_null(v->path));
        jb_put(b, vo, "query", v->query ? str_list(b, v->query) : cJSON_CreateNull());
        jb_push(b, vars, vo);
    }
    jb_put(b, o, "variants", vars);
    jb_put(b, o, "doc", str_or_null(row->doc));
    return o;
}

static const char *retry_class_name(ak_retry_class r) {
    return r == AK_RETRY_ALWAYS ? "always" : r == AK_RETRY_IF_IDEMPOTENT ? "if_idempotent" : "never";
}

/* One vendor's failure table (error_rules.c), in match order. */
static cJSON *describe_error_rules(jb *b, const ak_error_rule *rules) {
    cJSON *a = cJSON_CreateArray();
    for (const ak_error_rule *r = rules; a && r && !ak_error_rule_is_end(r); r++) {
        cJSON *o = cJSON_CreateObject();
        cJSON *status = cJSON_CreateArray();
        if (r->status_hi) {
            jb_push(b, status, cJSON_CreateNumber(r->status_lo));
            jb_push(b, status, cJSON_CreateNumber(r->status_hi));
        }
        jb_put(b, o, "http_status", r->status_hi ? status : (cJSON_Delete(status), cJSON_CreateNull()));
        cJSON *codes = cJSON_CreateArray();
        if (!r->code && r->code_hi) {
            jb_push(b, codes, cJSON_CreateNumber((double)r->code_lo));
            jb_push(b, codes, cJSON_CreateNumber((double)r->code_hi));
        }
        jb_put(b, o, "code", str_or_null(r->code));
        jb_put(b, o, "code_range", !r->code && r->code_hi ? codes : (cJSON_Delete(codes), cJSON_CreateNull()));
        jb_put(b, o, "kind",
               r->kind == AK_ERR__COUNT ? cJSON_CreateNull() : cJSON_CreateString(ak_error_kind_name(r->kind)));
        jb_put(b, o, "retry", cJSON_CreateString(retry_class_name(r->retry)));
        jb_put(b, o, "note", str_or_null(r->note));
        jb_push(b, a, o);
    }
    if (!a)
        b->oom = true;
    return a;
}

ak_json *ak_describe(void) {
#ifndef NDEBUG
    /* debug builds refuse to describe a wrong row: the message names the op and the field */
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        ak_error cerr = AK_ERROR_INIT;
        if (ak_platform_check(p, &cerr) != AK_OK) {
            for (size_t i = 0; i < cerr.nviolations; i++)
                fprintf(stderr, "audkit: bad descriptor %s: %s\n", cerr.violations[i].field, cerr.violations[i].rule);
            abort();
        }
        ak_error_cleanup(&cerr);
    }
#endif
    jb bld = {false}, *b = &bld;
    cJSON *root = cJSON_CreateObject();
    cJSON *kinds = cJSON_CreateArray();
    cJSON *plats = cJSON_CreateArray();
    jb_put(b, root, "version", cJSON_CreateString(AK_VERSION_STRING));
    jb_put(b, root, "error_kinds", kinds);
    jb_put(b, root, "platforms", plats);
    jb_put(b, root, "common_error_rules", describe_error_rules(b, ak_error_rules_common));
    for (int k = 0; k < AK_ERR__COUNT && !b->oom; k++) {
        cJSON *o = cJSON_CreateObject();
        jb_put(b, o, "name", cJSON_CreateString(ak_error_kind_name((ak_error_kind)k)));
        jb_put(b, o, "retryable", cJSON_CreateBool(ak_error_kind_retryable((ak_error_kind)k)));
        jb_push(b, kinds, o);
    }
    for (const ak_platform *p = ak_platform_next(NULL); p && !b->oom; p = ak_platform_next(p)) {
        cJSON *po = cJSON_CreateObject();
        cJSON *ops = cJSON_CreateArray();
        cJSON *schemas = cJSON_CreateObject();
        jb_put(b, po, "ops", ops);
        jb_put(b, po, "schemas", schemas);
        jb_push(b, plats, po);
        if (b->oom)
            break;
        jb_put(b, po, "key", cJSON_CreateString(p->key));
        jb_put(b, po, "display_name", cJSON_CreateString(p->display_name));
        jb_put(b, po, "default_base_url", str_or_null(p->default_base_url));
        jb_put(b, po, "credentials", str_list(b, p->credentials));
        jb_put(b, po, "secrets", str_list(b, p->secrets));
        jb_put(b, po, "error_rules", describe_error_rules(b, p->error_rules));
        for (const ak_op *op = ak_op_next(p, NULL); op; op = ak_op_next(p, op)) {
            jb_push(b, ops, describe_op(b, p, op));
            add_schema_rec(b, schemas, op->request);
            add_schema_rec(b, schemas, op->result);
            add_schema_rec(b, schemas, op->item);
        }
        for (const ak_schema *s = ak_model_next(p, NULL); s; s = ak_model_next(p, s))
            add_schema_rec(b, schemas, s);
    }
    if (b->oom) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
