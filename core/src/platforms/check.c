/* check.c - descriptors that check themselves. A wrong row (a path placeholder naming no path
 * field, a chunked row disagreeing with its target, an alias mapping to no allowed value, an
 * incomplete route variant, a rule path that resolves nowhere) is reported with the op and the
 * field, by tests/c/test_descriptors.c and, in debug builds, by ak_describe() itself. */
#include "../internal.h"

#include <stdio.h>
#include <string.h>

typedef struct chk {
    const ak_platform *p;
    const ak_op *op;
    ak_error *err;
} chk;

static void bad(chk *k, const char *field, const char *fmt, const char *a, const char *b) {
    char where[256], rule[256];
    snprintf(where, sizeof where, "%s.%s%s%s", k->p->key, k->op ? k->op->name : "(platform)", field ? "." : "",
             field ? field : "");
    snprintf(rule, sizeof rule, fmt, a ? a : "", b ? b : "");
    ak_error_add_violation(k->err, where, rule);
}

/* The field a dotted path of snake_case names reaches, or NULL. */
static const ak_field *field_at(const ak_schema *s, const char *path) {
    char seg[128];
    const ak_field *f = NULL;
    int r;
    while ((r = ak_path_next(&path, seg, sizeof seg)) != 0) {
        if (r < 0 || !s || !(f = ak_schema_lookup(s, seg)))
            return NULL;
        s = f->schema;
    }
    return f;
}

/* Every {placeholder} of `path` names a request field located in the path. */
static void check_template(chk *k, const char *path, const ak_schema *req) {
    for (const char *p = path ? strchr(path, '{') : NULL; p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        char name[128];
        size_t n = close ? (size_t)(close - p - 1) : 0;
        if (!close || n == 0 || n >= sizeof name) {
            bad(k, NULL, "path template '%s' has an unterminated or empty placeholder%s", path, NULL);
            return;
        }
        memcpy(name, p + 1, n);
        name[n] = '\0';
        const ak_field *f = req ? ak_schema_lookup(req, name) : NULL;
        if (!f)
            bad(k, name, "the path placeholder {%s} names no request field%s", name, NULL);
        else if (f->location != AK_LOC_PATH)
            bad(k, name, "the path placeholder {%s} names a field that is not located in the path%s", name, NULL);
    }
}

static bool template_has(const char *path, const char *name) {
    char ph[140];
    snprintf(ph, sizeof ph, "{%s}", name);
    return path && strstr(path, ph) != NULL;
}

/* Path fields appear in the route (every variant's route when the op has variants). */
static void check_locations(chk *k, const ak_op *op) {
    for (size_t i = 0; op->request && i < op->request->nfields; i++) {
        const ak_field *f = &op->request->fields[i];
        if (f->location != AK_LOC_PATH)
            continue;
        bool anywhere = template_has(op->path, f->name);
        for (const ak_op_variant *v = op->variants; v && v->when; v++)
            anywhere = anywhere || template_has(v->path, f->name);
        if (!anywhere)
            bad(k, f->name, "is located in the path but no route of the op has {%s}%s", f->name, NULL);
    }
}

static void check_variants(chk *k, const ak_op *op) {
    for (const ak_op_variant *v = op->variants; v && v->when; v++) {
        if (!op->request || !ak_schema_lookup(op->request, v->when))
            bad(k, v->when, "the route variant is chosen by '%s', which is not a request field%s", v->when, NULL);
        if (!v->path || !*v->path)
            bad(k, v->when, "the route variant for '%s' has no path%s", v->when, NULL);
        else
            check_template(k, v->path, op->request);
        for (const char *const *q = v->query; q && *q; q++)
            if (!op->request || !ak_schema_lookup(op->request, *q))
                bad(k, *q, "the route variant sends '%s' in the query but it is not a request field%s", *q, NULL);
    }
}

/* Aliases map to allowed values; rule paths resolve; nested schemas too. */
static void check_schema(chk *k, const ak_schema *s, int depth) {
    if (!s || depth > 12)
        return;
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        for (const char *const *a = f->value_aliases; a && a[0]; a += 2) {
            if (!a[1]) {
                bad(k, f->name, "the alias '%s' maps to nothing%s", a[0], NULL);
                break;
            }
            bool found = !f->values;
            for (const char *const *v = f->values; v && *v && !found; v++)
                found = strcmp(*v, a[1]) == 0;
            if (!found)
                bad(k, f->name, "the alias '%s' maps to '%s', which is not an allowed value", a[0], a[1]);
        }
        if (f->schema && f->schema != s)
            check_schema(k, f->schema, depth + 1);
    }
    for (size_t i = 0; i < s->nrules; i++) {
        const ak_rule *r = &s->rules[i];
        if (r->field && !field_at(s, r->field))
            bad(k, r->field, "a rule of %s names '%s', which resolves to no field", s->name, r->field);
        for (const char *const *p = r->fields; p && *p; p++)
            if (!field_at(s, *p))
                bad(k, *p, "a rule of %s names '%s', which resolves to no field", s->name, *p);
        if (r->cond_field && !field_at(s, r->cond_field))
            bad(k, r->cond_field, "a rule of %s depends on '%s', which resolves to no field", s->name, r->cond_field);
    }
}

static void check_op(chk *k, const ak_op *op) {
    const ak_platform *p = k->p;
    const ak_op *t = op->target ? ak_op_find(p, op->target) : NULL;
    switch (op->kind) {
    case AK_OP_CALL:
        if (!op->method || !op->path)
            bad(k, NULL, "a call row needs a method and a path%s%s", NULL, NULL);
        check_template(k, op->path, op->request);
        check_locations(k, op);
        check_variants(k, op);
        if (op->pager && op->pager->style != AK_PAGE_NONE) {
            if (!field_at(op->request, op->pager->page_param))
                bad(k, op->pager->page_param, "the page parameter '%s' is not a request field%s", op->pager->page_param,
                    NULL);
            if (!field_at(op->request, op->pager->size_param))
                bad(k, op->pager->size_param, "the page size parameter '%s' is not a request field%s",
                    op->pager->size_param, NULL);
        }
        if (op->batch) { /* any number of items, sent in requests of at most max_per_chunk */
            const ak_field *items = field_at(op->request, op->batch->items_param);
            if (!items || items->type != AK_TYPE_ARRAY)
                bad(k, op->batch->items_param, "the batch parameter '%s' is not an array field of the request%s",
                    op->batch->items_param, NULL);
            else if (items->max_items > 0)
                bad(k, op->batch->items_param,
                    "the batch parameter '%s' takes any number of items (the per-request "
                    "limit is the batch descriptor's)%s",
                    op->batch->items_param, NULL);
            if (op->batch->max_per_chunk <= 0)
                bad(k, NULL, "the batch's per-request limit must be positive%s%s", NULL, NULL);
        }
        break;
    case AK_OP_PAGER:
        if (!t || t->kind != AK_OP_CALL || !t->pager || !t->item)
            bad(k, NULL, "the pager's target '%s' is not a paged call with an item schema%s", op->target, NULL);
        if (op->method || op->path || op->request)
            bad(k, NULL, "a pager row inherits method, path and request from its target '%s'%s", op->target, NULL);
        break;
    case AK_OP_CHUNKED: {
        const ak_chunk_desc *cd = op->chunk;
        if (!t || t->kind != AK_OP_CALL)
            bad(k, NULL, "the chunked row's target '%s' is not a call%s", op->target, NULL);
        if (!cd) {
            bad(k, NULL, "a chunked row needs a chunk descriptor%s%s", NULL, NULL);
            break;
        }
        const ak_schema *req = op->request ? op->request : t ? t->request : NULL;
        const ak_field *ids = field_at(req, cd->ids_param);
        if (!ids || ids->type != AK_TYPE_ARRAY)
            bad(k, cd->ids_param, "the chunked parameter '%s' is not an array field of the request%s", cd->ids_param,
                NULL);
        if (t && t->request && !field_at(t->request, cd->ids_param))
            bad(k, cd->ids_param, "the target '%s' has no parameter '%s' to carry a chunk", op->target, cd->ids_param);
        if (cd->max_per_chunk <= 0)
            bad(k, NULL, "the chunk limit must be positive%s%s", NULL, NULL);
        if (cd->selector) {
            const ak_field *sel = field_at(req, cd->selector);
            if (!sel)
                bad(k, cd->selector, "the chunk limit selector '%s' is not a request field%s", cd->selector, NULL);
            for (size_t i = 0; sel && sel->values && cd->selector_values && cd->selector_values[i]; i++) {
                bool found = false;
                for (const char *const *v = sel->values; *v && !found; v++)
                    found = strcmp(*v, cd->selector_values[i]) == 0;
                if (!found)
                    bad(k, cd->selector, "the chunk limit for '%s' names no allowed value of %s",
                        cd->selector_values[i], cd->selector);
            }
        }
        if (!cd->items_path)
            bad(k, NULL, "a chunked row needs the items path its chunks merge%s%s", NULL, NULL);
        break;
    }
    case AK_OP_WAITER:
        if (!t || t->kind != AK_OP_CALL)
            bad(k, NULL, "the waiter's target '%s' is not a call%s", op->target, NULL);
        if (!op->waiter || !op->request) {
            bad(k, NULL, "a waiter row needs a waiter descriptor and a request schema%s%s", NULL, NULL);
            break;
        }
        if (!ak_schema_lookup(op->request, op->waiter->timeout_param))
            bad(k, op->waiter->timeout_param, "the waiter's timeout parameter '%s' is not in its request%s",
                op->waiter->timeout_param, NULL);
        for (size_t i = 0; t && t->request && i < t->request->nfields; i++)
            if (!ak_schema_lookup(op->request, t->request->fields[i].name))
                bad(k, t->request->fields[i].name, "the waiter does not accept its target's parameter '%s'%s",
                    t->request->fields[i].name, NULL);
        break;
    }
    check_schema(k, op->request, 0);
    check_schema(k, op->result, 0);
    check_schema(k, op->item, 0);
}

int ak_platform_check(const ak_platform *p, ak_error *err) {
    ak_error_cleanup(err);
    chk k = {p, NULL, err};
    for (size_t i = 0; i < p->nops; i++) {
        k.op = &p->ops[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->ops[j].name, p->ops[i].name) == 0)
                bad(&k, NULL, "the op name is used twice%s%s", NULL, NULL);
        check_op(&k, &p->ops[i]);
    }
    return err->kind == AK_ERR_NONE ? AK_OK : AK_FAIL;
}
