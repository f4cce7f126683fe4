/* test_descriptors.c - invariants every descriptor row must satisfy (walks all platforms), and the
 * core's own self-check (ak_platform_check) catching deliberately broken rows by op and field. */
#include "harness.h"
#include "platforms/fields.h"

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

/* ---- the self-check: every real platform is clean; broken rows are named ---- */

static void test_self_check_clean(void) {
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        ak_error err = AK_ERROR_INIT;
        int rc = ak_platform_check(p, &err);
        for (size_t i = 0; i < err.nviolations; i++)
            fprintf(stderr, "  %s: %s\n", err.violations[i].field, err.violations[i].rule);
        CHECK(rc == AK_OK);
        ak_error_cleanup(&err);
    }
}

static const ak_field id_in_path[] = {F_INT("id", AK_F_REQUIRED, .location = AK_LOC_PATH)};
static const ak_schema by_id = AK_SCHEMA("ById", id_in_path, NULL);
static const ak_field ids_field[] = {
    F_ARR("ids", AK_F_REQUIRED, AK_TYPE_INTEGER),
    F_ENUM("id_type", 0, AK_LIST("5", "11"), .value_aliases = AK_LIST("keyword", "11", "adgroup", "7")),
};
static const ak_schema by_ids = AK_SCHEMA("ByIds", ids_field, NULL);
static const ak_field other_list[] = {F_ARR("keyword_ids", AK_F_REQUIRED, AK_TYPE_INTEGER)};
static const ak_schema other = AK_SCHEMA("Other", other_list, NULL);
static const ak_chunk_desc chunk = {.ids_param = "ids", .max_per_chunk = 10, .items_path = "data"};

/* Checks one fake platform holding `ops` and expects a violation at `where` mentioning `what`. */
static void expect_broken(const char *label, const ak_op *ops, size_t nops, const char *where, const char *what) {
    ak_platform p = {.key = "fake", .display_name = "Fake", .credentials = AK_LIST("token"), .ops = ops, .nops = nops};
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_platform_check(&p, &err) == AK_FAIL);
    int found = 0;
    for (size_t i = 0; i < err.nviolations; i++)
        found |= strcmp(err.violations[i].field, where) == 0 && strstr(err.violations[i].rule, what) != NULL;
    if (!found) {
        fprintf(stderr, "  [%s] expected %s: ...%s...; got:\n", label, where, what);
        for (size_t i = 0; i < err.nviolations; i++)
            fprintf(stderr, "    %s: %s\n", err.violations[i].field, err.violations[i].rule);
    }
    CHECK(found);
    ak_error_cleanup(&err);
}

static void test_broken_rows(void) {
    /* a path template naming {tag_id} where the field is `id`: DELETE .../v2/user_tags/ was sent */
    const ak_op wrong_placeholder[] = {
        {.name = "tags.delete", .method = "DELETE", .path = "/v2/user_tags/{tag_id}", .request = &by_id}};
    expect_broken("wrong placeholder", wrong_placeholder, 1, "fake.tags.delete.tag_id", "names no request field");
    expect_broken("path field not in the route", wrong_placeholder, 1, "fake.tags.delete.id",
                  "no route of the op has {id}");
    /* a chunked row whose ids parameter its target cannot carry */
    const ak_op chunk_mismatch[] = {
        {.name = "kw.get_page", .method = "POST", .path = "/get", .request = &other},
        {.name = "kw.get", .kind = AK_OP_CHUNKED, .target = "kw.get_page", .request = &by_ids, .chunk = &chunk},
    };
    expect_broken("chunked vs target", chunk_mismatch, 2, "fake.kw.get.ids", "has no parameter 'ids'");
    /* an alias that maps to a value the field does not allow */
    const ak_op bad_alias[] = {{.name = "kw.get_word", .method = "POST", .path = "/w", .request = &by_ids}};
    expect_broken("unknown alias", bad_alias, 1, "fake.kw.get_word.id_type", "'adgroup' maps to '7'");
    /* a pager naming a target that is not a paged call */
    const ak_op bad_pager[] = {{.name = "kw.list", .kind = AK_OP_PAGER, .target = "kw.nothing"}};
    expect_broken("pager target", bad_pager, 1, "fake.kw.list", "is not a paged call");
    /* a route variant chosen by a field the request does not have */
    static const ak_op_variant variants[] = {{"cluster_name", "/by-name/{id}", NULL, NULL}, {NULL, NULL, NULL, NULL}};
    const ak_op bad_variant[] = {
        {.name = "c.detail", .method = "GET", .path = "/c/{id}", .request = &by_id, .variants = variants}};
    expect_broken("incomplete variant", bad_variant, 1, "fake.c.detail.cluster_name", "not a request field");
}

int main(void) {
    RUN(test_every_op);
    RUN(test_describe);
    RUN(test_self_check_clean);
    RUN(test_broken_rows);
    DONE();
}
