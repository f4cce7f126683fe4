/* registry.c - the platform table, introspection and the JSON description of every descriptor. */
#include "fields.h"

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

static cJSON *str_list(const char *const *l) {
    cJSON *a = cJSON_CreateArray();
    for (; a && l && *l; l++)
        cJSON_AddItemToArray(a, cJSON_CreateString(*l));
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

static cJSON *describe_field(const ak_field *f) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddStringToObject(o, "wire", f->wire);
    cJSON_AddItemToObject(o, "aliases", str_list(f->aliases));
    cJSON_AddStringToObject(o, "type", ak_type_name(f->type));
    cJSON_AddItemToObject(
        o, "item_type", f->type == AK_TYPE_ARRAY ? cJSON_CreateString(ak_type_name(f->item_type)) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "schema", str_or_null(f->schema ? f->schema->name : NULL));
    cJSON_AddBoolToObject(o, "required", (f->flags & AK_F_REQUIRED) != 0);
    cJSON_AddBoolToObject(o, "output", (f->flags & AK_F_OUTPUT) != 0);
    cJSON_AddStringToObject(o, "location", location_name(f->location));
    cJSON_AddItemToObject(o, "values", f->values ? str_list(f->values) : cJSON_CreateNull());
    if (f->value_aliases) {
        cJSON *va = cJSON_CreateObject();
        for (const char *const *a = f->value_aliases; va && a[0] && a[1]; a += 2)
            cJSON_AddStringToObject(va, a[0], a[1]);
        cJSON_AddItemToObject(o, "value_aliases", va);
    }
    if (f->min_len || f->max_len) {
        cJSON_AddStringToObject(o, "length_unit", unit_name(f->len_unit));
        cJSON_AddNumberToObject(o, "min_length", f->min_len);
        cJSON_AddNumberToObject(o, "max_length", f->max_len);
    }
    if (f->flags & AK_F_MIN)
        cJSON_AddNumberToObject(o, "minimum", f->min);
    if (f->flags & AK_F_MAX)
        cJSON_AddNumberToObject(o, "maximum", f->max);
    if (f->multiple_of)
        cJSON_AddNumberToObject(o, "multiple_of", (double)f->multiple_of);
    if (f->decimals)
        cJSON_AddNumberToObject(o, "decimals", f->decimals);
    if (f->min_items)
        cJSON_AddNumberToObject(o, "min_items", f->min_items);
    if (f->max_items)
        cJSON_AddNumberToObject(o, "max_items", f->max_items);
    if (f->depth > 1)
        cJSON_AddNumberToObject(o, "depth", f->depth);
    cJSON_AddItemToObject(o, "doc", str_or_null(f->doc));
    return o;
}

static cJSON *describe_schema(const ak_schema *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON *fields = cJSON_CreateArray();
    cJSON *rules = cJSON_CreateArray();
    if (!o || !fields || !rules) {
        cJSON_Delete(o);
        cJSON_Delete(fields);
        cJSON_Delete(rules);
        return NULL;
    }
    cJSON_AddItemToObject(o, "doc", str_or_null(s->doc));
    for (size_t i = 0; i < s->nfields; i++)
        cJSON_AddItemToArray(fields, describe_field(&s->fields[i]));
    cJSON_AddItemToObject(o, "fields", fields);
    for (size_t i = 0; i < s->nrules; i++) {
        const ak_rule *r = &s->rules[i];
        cJSON *ro = cJSON_CreateObject();
        if (!ro)
            continue;
        cJSON_AddStringToObject(ro, "kind", rule_kind_name(r->kind));
        cJSON_AddItemToObject(ro, "field", str_or_null(r->field));
        cJSON_AddItemToObject(ro, "fields", r->fields ? str_list(r->fields) : cJSON_CreateNull());
        cJSON_AddItemToObject(ro, "when", str_or_null(r->cond_field));
        cJSON_AddItemToObject(ro, "when_values", r->cond_values ? str_list(r->cond_values) : cJSON_CreateNull());
        cJSON_AddBoolToObject(ro, "when_negated", r->cond_negate);
        cJSON_AddItemToObject(ro, "and_when", str_or_null(r->cond2_field));
        cJSON_AddItemToObject(ro, "and_when_values", r->cond2_values ? str_list(r->cond2_values) : cJSON_CreateNull());
        cJSON_AddBoolToObject(ro, "and_when_negated", r->cond2_negate);
        cJSON_AddNumberToObject(ro, "bound", r->bound);
        cJSON_AddNumberToObject(ro, "bound2", r->bound2);
        cJSON_AddItemToObject(ro, "text", str_or_null(r->text));
        cJSON_AddItemToArray(rules, ro);
    }
    cJSON_AddItemToObject(o, "rules", rules);
    return o;
}

/* Adds `s` and every schema reachable from its fields, once each. */
static void add_schema_rec(cJSON *schemas, const ak_schema *s) {
    if (!s || cJSON_GetObjectItemCaseSensitive(schemas, s->name))
        return;
    cJSON_AddItemToObject(schemas, s->name, describe_schema(s));
    for (size_t i = 0; i < s->nfields; i++)
        add_schema_rec(schemas, s->fields[i].schema);
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
    const ak_op *t = op->kind == AK_OP_PAGER ? ak_op_find(p, op->target) : NULL;
    return t ? t : op;
}

static cJSON *describe_op(const ak_platform *plat, const ak_op *row) {
    const ak_op *op = effective(plat, row);
    static const char *const kinds[] = {"call", "pager", "chunked"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", row->name);
    cJSON_AddStringToObject(o, "kind", kinds[row->kind]);
    cJSON_AddStringToObject(o, "method", op->method);
    cJSON_AddStringToObject(o, "path", op->path);
    cJSON_AddItemToObject(o, "request", str_or_null(op->request ? op->request->name : NULL));
    cJSON_AddItemToObject(o, "result", str_or_null(op->result ? op->result->name : NULL));
    cJSON_AddItemToObject(o, "item", str_or_null(op->item ? op->item->name : NULL));
    cJSON_AddItemToObject(o, "target", str_or_null(row->target));
    if (op->pager) {
        const ak_pager_desc *pd = op->pager;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "style", page_style_name(pd->style));
        cJSON_AddStringToObject(p, "page_param", pd->page_param);
        cJSON_AddStringToObject(p, "size_param", pd->size_param);
        cJSON_AddNumberToObject(p, "first_page", pd->first_page);
        cJSON_AddNumberToObject(p, "max_page_size", pd->max_page_size);
        cJSON_AddItemToObject(p, "items_path", str_or_null(pd->items_path));
        cJSON_AddItemToObject(p, "total_pages_path", str_or_null(pd->total_pages_path));
        cJSON_AddItemToObject(p, "total_items_path", str_or_null(pd->total_items_path));
        cJSON_AddItemToObject(o, "pager", p);
    } else {
        cJSON_AddNullToObject(o, "pager");
    }
    if (row->chunk) {
        const ak_chunk_desc *cd = row->chunk;
        cJSON *ch = cJSON_CreateObject();
        cJSON_AddStringToObject(ch, "ids_param", cd->ids_param);
        cJSON_AddNumberToObject(ch, "max_per_chunk", cd->max_per_chunk);
        cJSON_AddItemToObject(ch, "selector", str_or_null(cd->selector));
        cJSON *lim = cJSON_CreateObject();
        for (size_t i = 0; cd->selector_values && cd->selector_values[i]; i++)
            cJSON_AddNumberToObject(lim, cd->selector_values[i], cd->selector_limits[i]);
        cJSON_AddItemToObject(ch, "limits", lim);
        cJSON_AddItemToObject(ch, "items_path", str_or_null(cd->items_path));
        cJSON_AddItemToObject(o, "chunk", ch);
    } else {
        cJSON_AddNullToObject(o, "chunk");
    }
    cJSON_AddBoolToObject(o, "mutating", (op->flags & AK_OPF_MUTATING) != 0);
    cJSON_AddBoolToObject(o, "idempotent", (op->flags & AK_OPF_IDEMPOTENT) != 0);
    cJSON_AddNumberToObject(o, "rate_per_sec", op->rate_per_sec);
    cJSON_AddItemToObject(o, "doc", str_or_null(row->doc));
    return o;
}

ak_json *ak_describe(void) {
    cJSON *root = cJSON_CreateObject();
    cJSON *kinds = cJSON_CreateArray();
    cJSON *plats = cJSON_CreateArray();
    if (!root || !kinds || !plats) {
        cJSON_Delete(root);
        cJSON_Delete(kinds);
        cJSON_Delete(plats);
        return NULL;
    }
    cJSON_AddStringToObject(root, "version", AK_VERSION_STRING);
    for (int k = 0; k < AK_ERR__COUNT; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ak_error_kind_name((ak_error_kind)k));
        cJSON_AddBoolToObject(o, "retryable", ak_error_kind_retryable((ak_error_kind)k));
        cJSON_AddItemToArray(kinds, o);
    }
    cJSON_AddItemToObject(root, "error_kinds", kinds);
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        cJSON *po = cJSON_CreateObject();
        cJSON *ops = cJSON_CreateArray();
        cJSON *schemas = cJSON_CreateObject();
        if (!po || !ops || !schemas) {
            cJSON_Delete(po);
            cJSON_Delete(ops);
            cJSON_Delete(schemas);
            cJSON_Delete(root);
            return NULL;
        }
        cJSON_AddStringToObject(po, "key", p->key);
        cJSON_AddStringToObject(po, "display_name", p->display_name);
        cJSON_AddItemToObject(po, "default_base_url", str_or_null(p->default_base_url));
        cJSON_AddItemToObject(po, "credentials", str_list(p->credentials));
        cJSON_AddItemToObject(po, "secrets", str_list(p->secrets));
        for (const ak_op *op = ak_op_next(p, NULL); op; op = ak_op_next(p, op)) {
            cJSON_AddItemToArray(ops, describe_op(p, op));
            add_schema_rec(schemas, op->request);
            add_schema_rec(schemas, op->result);
            add_schema_rec(schemas, op->item);
        }
        for (const ak_schema *s = ak_model_next(p, NULL); s; s = ak_model_next(p, s))
            add_schema_rec(schemas, s);
        cJSON_AddItemToObject(po, "ops", ops);
        cJSON_AddItemToObject(po, "schemas", schemas);
        cJSON_AddItemToArray(plats, po);
    }
    cJSON_AddItemToObject(root, "platforms", plats);
    return root;
}
