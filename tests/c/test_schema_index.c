/* test_schema_index.c - the hash index of schema fields (core/src/schema/lookup.c): every field of
 * every schema of every platform is found by name, wire name and each alias, exactly as the
 * linear search finds it; unknown names are not found; keys that share a slot or a whole hash
 * value, and names shared by two fields, resolve as the linear search resolves them. */
#include "harness.h"
#include "internal.h"

#include <stdint.h>

static int nschemas, nkeys, nonunique;

static void check_key(const ak_schema *s, const char *key, const ak_field *owner) {
    const ak_field *f = ak_schema_lookup(s, key);
    nkeys++;
    CHECK(f != NULL);
    CHECK(f == ak_schema_lookup_linear(s, key));
    CHECK(ak_schema_field(s, key) == f);
    /* the first field in declaration order owning the key (the owner unless an earlier field
     * has the same name) */
    CHECK(f && f <= owner);
    if (f != owner)
        nonunique++;
    if (!f || f != ak_schema_lookup_linear(s, key))
        fprintf(stderr, "  %s: %s\n", s->name, key);
}

static void check_schema(const ak_schema *s, int depth) {
    if (!s || depth > 32)
        return;
    nschemas++;
    CHECK(ak_schema_indexed(s));
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        check_key(s, f->name, f);
        check_key(s, f->wire, f);
        for (const char *const *a = f->aliases; a && *a; a++)
            check_key(s, *a, f);
        /* near misses are not found (unless they happen to be another key) */
        char buf[256];
        snprintf(buf, sizeof buf, "%s_", f->wire);
        CHECK(ak_schema_lookup(s, buf) == ak_schema_lookup_linear(s, buf));
        snprintf(buf, sizeof buf, "%.*s", (int)(strlen(f->name) ? strlen(f->name) - 1 : 0), f->name);
        CHECK(ak_schema_lookup(s, buf) == ak_schema_lookup_linear(s, buf));
        /* in-order walks with a cursor agree with the plain lookup */
        check_schema(f->schema, depth + 1);
    }
    ak_lookup_cursor cur = {0};
    for (size_t i = 0; i < s->nfields; i++)
        CHECK(ak_schema_lookup_from(s, s->fields[i].wire, &cur) == ak_schema_lookup(s, s->fields[i].wire));
    ak_lookup_cursor back = {0};
    for (size_t i = s->nfields; i-- > 0;)
        CHECK(ak_schema_lookup_from(s, s->fields[i].name, &back) == ak_schema_lookup(s, s->fields[i].name));
    CHECK(ak_schema_lookup(s, "") == ak_schema_lookup_linear(s, ""));
    CHECK(ak_schema_lookup(s, "no_such_field_at_all") == NULL);
    CHECK(ak_schema_lookup(s, "NAME") == ak_schema_lookup_linear(s, "NAME"));
}

static void test_every_field_of_every_platform(void) {
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        for (const ak_op *op = ak_op_next(p, NULL); op; op = ak_op_next(p, op)) {
            check_schema(op->request, 0);
            check_schema(op->result, 0);
            check_schema(op->item, 0);
        }
        for (const ak_schema *m = ak_model_next(p, NULL); m; m = ak_model_next(p, m))
            check_schema(m, 0);
    }
    fprintf(stderr, "  %d schemas, %d keys checked (%d owned by an earlier field)\n", nschemas, nkeys, nonunique);
    CHECK(nschemas > 100);
    CHECK(ak_schema_lookup(NULL, "name") == NULL);
    const ak_schema *ca = ak_schema_find("tencent_ads", "CustomAudience");
    CHECK(ca && ak_schema_lookup(ca, NULL) == NULL);
    /* an alias finds its field: outer_audience_id is external_audience_id */
    const ak_field *f = ak_schema_lookup(ca, "outer_audience_id");
    CHECK(f && strcmp(f->name, "external_audience_id") == 0);
}

/* A schema built here is not in the registry: it is searched linearly, with the same answers. */
static const ak_field local_fields[] = {
    {.name = "alpha", .wire = "Alpha", .type = AK_TYPE_STRING},
    {.name = "beta", .wire = "alpha", .type = AK_TYPE_STRING}, /* its wire name is alpha's name */
    {.name = "gamma", .wire = "gamma", .type = AK_TYPE_STRING, .aliases = (const char *const[]){"Alpha", "g", NULL}},
};
static const ak_schema local = {"Local", local_fields, 3, NULL, 0, ""};

static void test_unregistered_schema_and_shared_names(void) {
    CHECK(!ak_schema_indexed(&local));
    CHECK(ak_schema_lookup(&local, "alpha") == &local_fields[0]); /* alpha's name comes first */
    CHECK(ak_schema_lookup(&local, "Alpha") == &local_fields[0]);
    CHECK(ak_schema_lookup(&local, "beta") == &local_fields[1]);
    CHECK(ak_schema_lookup(&local, "g") == &local_fields[2]);
    CHECK(ak_schema_lookup(&local, "delta") == NULL);
    /* the index of the same schema gives the same answers and knows its keys are not unique */
    const char *keys[] = {"alpha", "Alpha", "beta", "gamma", "g", "delta", "", NULL};
    const ak_field *out[8];
    bool unique = true;
    CHECK(ak_schema_index_probe(&local, keys, out, &unique) == AK_OK);
    CHECK(!unique);
    for (int i = 0; keys[i]; i++)
        CHECK(out[i] == ak_schema_lookup_linear(&local, keys[i]));
    /* with shared names the cursor never trusts a wire name alone: beta's wire "alpha" finds alpha */
    ak_lookup_cursor cur = {0};
    CHECK(ak_schema_lookup_from(&local, "Alpha", &cur) == &local_fields[0]);
    CHECK(ak_schema_lookup_from(&local, "alpha", &cur) == &local_fields[0]);
}

/* Keys whose whole 32-bit hash is equal, and many keys in one small table (shared slots). */
static void test_hash_collisions(void) {
    /* FNV-1a: found once by a birthday search over "k0".."k1048575" */
    const char *a = "k32728", *b = "k261234";
    CHECK(ak_schema_key_hash(a) == ak_schema_key_hash(b));
    ak_field fields[2] = {{.name = a, .wire = a, .type = AK_TYPE_STRING},
                          {.name = b, .wire = b, .type = AK_TYPE_STRING}};
    ak_schema s = {"Collide", fields, 2, NULL, 0, ""};
    const char *keys[] = {a, b, "k", NULL};
    const ak_field *out[4];
    bool unique = false;
    CHECK(ak_schema_index_probe(&s, keys, out, &unique) == AK_OK);
    CHECK(unique);
    CHECK(out[0] == &fields[0]);
    CHECK(out[1] == &fields[1]);
    CHECK(out[2] == NULL);

    /* 200 keys in one table: long probe chains, every key still found */
    static char names[200][8];
    static ak_field many[200];
    const char *mk[202];
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        many[i] = (ak_field){.name = names[i], .wire = names[i], .type = AK_TYPE_INTEGER};
        mk[i] = names[i];
    }
    mk[200] = "f200";
    mk[201] = NULL;
    ak_schema ms = {"Many", many, 200, NULL, 0, ""};
    const ak_field *mo[201];
    CHECK(ak_schema_index_probe(&ms, mk, mo, &unique) == AK_OK);
    for (int i = 0; i < 200; i++)
        CHECK(mo[i] == &many[i]);
    CHECK(mo[200] == NULL);
}

int main(void) {
    RUN(test_every_field_of_every_platform);
    RUN(test_unregistered_schema_and_shared_names);
    RUN(test_hash_collisions);
    DONE();
}
