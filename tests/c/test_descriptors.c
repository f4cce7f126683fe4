/* test_descriptors.c - invariants every descriptor row must satisfy (walks all platforms). */
#include "harness.h"

#include <ctype.h>

static int is_snake(const char *s) {
    if (!s || !*s || !islower((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Resolves a dotted rule path through a schema. */
static int path_resolves(const ak_schema *s, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *seg = strtok(buf, "."); seg; seg = strtok(NULL, ".")) {
        if (!s)
            return 0;
        const ak_field *f = ak_schema_field(s, seg);
        if (!f)
            return 0;
        s = f->schema;
    }
    return 1;
}

static void check_schema(const ak_schema *s, int depth) {
    CHECK(s->name && *s->name);
    if (depth > 12)
        return;
    for (const ak_field *f = ak_schema_field_next(s, NULL); f; f = ak_schema_field_next(s, f)) {
        CHECK(is_snake(f->name));
        CHECK(f->wire && *f->wire);
        CHECK(ak_schema_field(s, f->name) == f);
        if (f->type == AK_TYPE_ENUM && f->values)
            CHECK(f->values[0] != NULL);
        if (f->type == AK_TYPE_ARRAY) {
            CHECK(f->item_type != AK_TYPE_ARRAY);
            if (f->min_items && f->max_items)
                CHECK(f->min_items <= f->max_items);
        } else {
            CHECK(f->min_items == 0 && f->max_items == 0);
        }
        if (f->schema)
            CHECK(f->type == AK_TYPE_OBJECT || (f->type == AK_TYPE_ARRAY && f->item_type == AK_TYPE_OBJECT));
        if (f->min_len && f->max_len)
            CHECK(f->min_len <= f->max_len);
        if ((f->flags & AK_F_MIN) && (f->flags & AK_F_MAX))
            CHECK(f->min <= f->max);
        for (const char *const *a = f->value_aliases; a && *a; a += 2) {
            CHECK(a[1] != NULL);
            if (a[1] && f->values) { /* an alias maps to an allowed value */
                int found = 0;
                for (const char *const *v = f->values; *v; v++)
                    found |= strcmp(*v, a[1]) == 0;
                CHECK(found);
            }
        }
        if (f->schema)
            check_schema(f->schema, depth + 1);
    }
    for (size_t i = 0; i < s->nrules; i++) {
        const ak_rule *r = &s->rules[i];
        CHECK(r->field || r->fields);
        if (r->field)
            CHECK(path_resolves(s, r->field));
        for (const char *const *p = r->fields; p && *p; p++)
            CHECK(path_resolves(s, *p));
        if (r->cond_field)
            CHECK(path_resolves(s, r->cond_field));
        if (r->cond2_field)
            CHECK(path_resolves(s, r->cond2_field));
    }
}

static void test_every_op(void) {
    int nplat = 0, nops = 0;
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        nplat++;
        CHECK(is_snake(ak_platform_key(p)));
        CHECK(ak_platform_find(ak_platform_key(p)) == p);
        CHECK(ak_platform_credentials(p) && ak_platform_credentials(p)[0]);
        for (const ak_op *op = ak_op_next(p, NULL); op; op = ak_op_next(p, op)) {
            nops++;
            /* "resource.operation", or a bare "operation" exposed on the client itself */
            char name[128];
            snprintf(name, sizeof name, "%s", op->name);
            char *dot = strchr(name, '.');
            if (dot) {
                *dot = '\0';
                CHECK(is_snake(name) && is_snake(dot + 1));
                CHECK(strchr(dot + 1, '.') == NULL);
            } else {
                CHECK(is_snake(name));
            }
            CHECK(ak_op_find(p, op->name) == op);
            if (op->kind == AK_OP_PAGER) {
                /* pager rows name their target; everything else comes from it */
                const ak_op *t = ak_op_find(p, op->target);
                CHECK(t != NULL && t->kind == AK_OP_CALL && t->pager != NULL && t->item != NULL);
                CHECK(op->method == NULL && op->path == NULL && op->request == NULL);
                continue;
            }
            if (op->kind == AK_OP_WAITER) {
                /* waiter rows: their own request (the target's fields plus the timeout), a condition */
                const ak_op *t = ak_op_find(p, op->target);
                CHECK(t != NULL && t->kind == AK_OP_CALL && op->waiter != NULL && op->request != NULL);
                CHECK(op->method == NULL && op->path == NULL);
                if (t && op->waiter && op->request) {
                    CHECK(ak_schema_field(op->request, op->waiter->timeout_param) != NULL);
                    CHECK(op->waiter->until_values && op->waiter->until_values[0]);
                    CHECK(op->waiter->interval_ms > 0 && op->waiter->default_timeout_ms > 0);
                    for (const ak_field *f = ak_schema_field_next(t->request, NULL); f;
                         f = ak_schema_field_next(t->request, f))
                        CHECK(ak_schema_field(op->request, f->name) != NULL); /* every target parameter */
                    check_schema(op->request, 0);
                }
                continue;
            }
            CHECK(strcmp(op->method, "GET") == 0 || strcmp(op->method, "POST") == 0 || strcmp(op->method, "PUT") == 0 ||
                  strcmp(op->method, "PATCH") == 0 || strcmp(op->method, "DELETE") == 0);
            CHECK(op->path && op->path[0] == '/');
            CHECK(op->request != NULL);
            if (op->request)
                check_schema(op->request, 0);
            if (op->result)
                check_schema(op->result, 0);
            if (op->kind == AK_OP_CHUNKED) {
                const ak_op *t = ak_op_find(p, op->target);
                CHECK(t != NULL && t->kind == AK_OP_CALL && op->chunk != NULL);
                CHECK(op->chunk && ak_schema_field(op->request, op->chunk->ids_param) != NULL);
            }
            if (op->pager) {
                CHECK(op->pager->items_path != NULL);
                CHECK(op->pager->max_page_size > 0);
                CHECK(path_resolves(op->request, op->pager->page_param));
                CHECK(path_resolves(op->request, op->pager->size_param));
            }
        }
        for (const ak_schema *s = ak_model_next(p, NULL); s; s = ak_model_next(p, s))
            check_schema(s, 0);
    }
    CHECK(nplat == 5);
    CHECK(nops >= 5);
}

static void test_describe(void) {
    cJSON *d = ak_describe();
    CHECK(d != NULL);
    cJSON *plats = cJSON_GetObjectItem(d, "platforms");
    CHECK(cJSON_GetArraySize(plats) == 5);
    cJSON *tx = cJSON_GetArrayItem(plats, 0);
    CHECK_STR(cJSON_GetObjectItem(tx, "key")->valuestring, "tencent_ads");
    cJSON *schemas = cJSON_GetObjectItem(tx, "schemas");
    CHECK(cJSON_GetObjectItem(schemas, "CustomAudience") != NULL);
    CHECK(cJSON_GetObjectItem(schemas, "AudienceSpec") != NULL);
    /* error kinds come from the one X-macro list */
    cJSON *kinds = cJSON_GetObjectItem(d, "error_kinds");
    CHECK(cJSON_GetArraySize(kinds) == AK_ERR__COUNT);
    CHECK_STR(ak_error_kind_name(AK_ERR_RATE_LIMITED), "rate_limited");
    CHECK_STR(ak_error_kind_name((ak_error_kind)99), "unknown");
    cJSON_Delete(d);
}

int main(void) {
    RUN(test_every_op);
    RUN(test_describe);
    DONE();
}
