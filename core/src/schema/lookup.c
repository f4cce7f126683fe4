/* lookup.c - schema field lookup and introspection.
 *
 * Field lookup by snake_case name, wire name or alias is on every member of every decoded item, so
 * it goes through a hash index instead of comparing every name: one open-addressing table per
 * schema (FNV-1a of the key, the key's field index), for every schema reachable from the platform
 * registry. The descriptors are static const data, so the index lives here, in static storage
 * (no allocation: nothing to fail, nothing to free), built once by pthread_once at the first
 * lookup. A schema the index does not hold (one built by a test, or beyond the static capacity)
 * is searched linearly; both give the same answer: the first field, in declaration order, whose
 * wire name, name or alias equals the key. */
#include "../internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* capacities: the registry holds ~270 schemas and ~2,300 keys today (test_schema checks that every
 * registry schema is indexed, so growth past these fails a test rather than slowing down) */
#define IDX_SCHEMAS 2048u /* power of two: schema pointer -> its table */
#define IDX_SLOTS 16384u  /* slots of all per-schema tables together */

typedef struct idx_slot {
    const char *key; /* NULL: empty */
    uint32_t hash;
    uint32_t field; /* index into the schema's fields */
} idx_slot;

typedef struct idx_schema {
    const ak_schema *s; /* NULL: empty */
    uint32_t off, mask; /* its slots: idx_slots[off .. off + mask] */
    bool unique;        /* no key names two fields: a field's own wire name always finds that field */
} idx_schema;

static idx_schema idx_schemas[IDX_SCHEMAS];
static idx_slot idx_slots[IDX_SLOTS];

/* Every key of every indexed schema, and the vendors' envelope keys, once each: the response
 * parser (json_parse.c) points a parsed member's key at one of these static strings instead of
 * allocating a copy (cJSON_StringIsConst). */
#define KEYSET_SLOTS 2048u /* power of two; load factor <= 1/2 is checked by test_json_parse */
typedef struct keyset_slot {
    const char *key; /* NULL: empty */
    uint32_t hash, len;
} keyset_slot;
static keyset_slot keyset[KEYSET_SLOTS];
static uint32_t keyset_count;
static const char *const envelope_keys[] = {
    "code",         "message",    "msg",     "data",     "list",    "page_info", "request_id", "header",
    "body",         "status",     "desc",    "failures", "errors",  "error",     "Result",     "ResponseMetadata",
    "RequestId",    "Action",     "Version", "Service",  "Region",  "Error",     "Code",       "Message",
    "CodeN",        "result",     "success", "failed",   "succ",    "total",     "page",       "page_size",
    "total_number", "total_page", "index",   "position", "content", NULL};
static uint32_t idx_used, idx_count;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

/* FNV-1a: of a NUL-terminated key (the index), and of n bytes (the parser's keys) */
#define FNV_BASIS 2166136261u
#define FNV_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

static uint32_t key_hash(const char *k) {
    uint32_t h = FNV_BASIS;
    for (; *k; k++)
        h = FNV_STEP(h, *k);
    return h;
}

static uint32_t key_hash_n(const char *k, size_t n) {
    uint32_t h = FNV_BASIS;
    for (size_t i = 0; i < n; i++)
        h = FNV_STEP(h, k[i]);
    return h;
}

static void keyset_add(const char *k) {
    uint32_t h = key_hash(k);
    size_t n = strlen(k);
    if (n >= UINT32_MAX || keyset_count + 1 > KEYSET_SLOTS / 2)
        return; /* full: the parser copies such keys, as it does unknown ones */
    for (uint32_t i = h & (KEYSET_SLOTS - 1);; i = (i + 1) & (KEYSET_SLOTS - 1)) {
        if (!keyset[i].key) {
            keyset[i] = (keyset_slot){k, h, (uint32_t)n};
            keyset_count++;
            return;
        }
        if (keyset[i].hash == h && keyset[i].len == n && memcmp(keyset[i].key, k, n) == 0)
            return;
    }
}

static uint32_t ptr_hash(const ak_schema *s) {
    uint64_t x = (uint64_t)(uintptr_t)s;
    x ^= x >> 29;
    x *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32);
}

static const idx_schema *idx_find(const ak_schema *s) {
    for (uint32_t i = ptr_hash(s) & (IDX_SCHEMAS - 1);; i = (i + 1) & (IDX_SCHEMAS - 1)) {
        if (idx_schemas[i].s == s)
            return &idx_schemas[i];
        if (!idx_schemas[i].s)
            return NULL;
    }
}

/* Inserts `key` of field `fi` unless an earlier field (or this one) already owns it; false when
 * it names another field too. */
static bool idx_insert(idx_slot *tab, uint32_t mask, const char *key, uint32_t fi) {
    uint32_t h = key_hash(key);
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        if (!tab[i].key) {
            tab[i].key = key;
            tab[i].hash = h;
            tab[i].field = fi;
            return true;
        }
        if (tab[i].hash == h && strcmp(tab[i].key, key) == 0)
            return tab[i].field == fi; /* the first owner keeps it, as the linear search finds it */
    }
}

static size_t key_count(const ak_schema *s) {
    size_t nkeys = 0;
    for (size_t i = 0; i < s->nfields; i++) {
        nkeys += 2;
        for (const char *const *a = s->fields[i].aliases; a && *a; a++)
            nkeys++;
    }
    return nkeys;
}

/* Slots for `nkeys` keys: a power of two, load factor <= 1/2. */
static uint32_t table_size(size_t nkeys) {
    uint32_t size = 4;
    while (size < 2 * nkeys && size < (UINT32_MAX >> 1))
        size *= 2;
    return size;
}

/* Fills the zeroed table `tab` of `size` slots with every key of `s`; true when unique. */
static bool fill_table(const ak_schema *s, idx_slot *tab, uint32_t size) {
    bool unique = true;
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        unique &= idx_insert(tab, size - 1, f->wire, (uint32_t)i);
        unique &= idx_insert(tab, size - 1, f->name, (uint32_t)i);
        for (const char *const *a = f->aliases; a && *a; a++)
            unique &= idx_insert(tab, size - 1, *a, (uint32_t)i);
    }
    return unique;
}

static void idx_add(const ak_schema *s) {
    if (!s || idx_find(s))
        return;
    uint32_t size = table_size(key_count(s));
    if (s->nfields >= UINT32_MAX || size > IDX_SLOTS - idx_used || idx_count + 1 > IDX_SCHEMAS / 2)
        return; /* full: this schema is searched linearly */
    bool unique = fill_table(s, &idx_slots[idx_used], size);
    for (size_t i = 0; i < s->nfields; i++) {
        keyset_add(s->fields[i].wire);
        for (const char *const *a = s->fields[i].aliases; a && *a; a++)
            keyset_add(*a);
    }
    uint32_t j = ptr_hash(s) & (IDX_SCHEMAS - 1);
    while (idx_schemas[j].s)
        j = (j + 1) & (IDX_SCHEMAS - 1);
    idx_schemas[j] = (idx_schema){s, idx_used, size - 1, unique};
    idx_used += size;
    idx_count++;
    /* nested models */
    for (size_t i = 0; i < s->nfields; i++)
        idx_add(s->fields[i].schema);
}

static void idx_build(void) {
    for (const char *const *k = envelope_keys; *k; k++)
        keyset_add(*k);
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        for (const ak_op *op = ak_op_next(p, NULL); op; op = ak_op_next(p, op)) {
            idx_add(op->request);
            idx_add(op->result);
            idx_add(op->item);
        }
        for (const ak_schema *m = ak_model_next(p, NULL); m; m = ak_model_next(p, m))
            idx_add(m);
    }
}

static const idx_schema *idx_get(const ak_schema *s) {
    pthread_once(&idx_once, idx_build);
    return idx_find(s);
}

void ak_static_keys_init(void) { pthread_once(&idx_once, idx_build); }

const char *ak_static_key(const char *k, size_t n) {
    uint32_t h = key_hash_n(k, n);
    for (uint32_t i = h & (KEYSET_SLOTS - 1); keyset[i].key; i = (i + 1) & (KEYSET_SLOTS - 1))
        if (keyset[i].hash == h && keyset[i].len == n && memcmp(keyset[i].key, k, n) == 0)
            return keyset[i].key;
    return NULL;
}

size_t ak_static_key_count(void) {
    ak_static_keys_init();
    return keyset_count;
}

static const ak_field *linear_lookup(const ak_schema *s, const char *key) {
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        if (strcmp(f->wire, key) == 0 || strcmp(f->name, key) == 0)
            return f;
        if (f->aliases)
            for (const char *const *a = f->aliases; *a; a++)
                if (strcmp(*a, key) == 0)
                    return f;
    }
    return NULL;
}

/* The field owning `key`; *slot_key receives the key string stored (the field's own wire name
 * when `key` is its wire name). */
static const ak_field *idx_lookup(const idx_schema *x, const ak_schema *s, const char *key, const char **slot_key) {
    uint32_t h = key_hash(key);
    const idx_slot *tab = &idx_slots[x->off];
    for (uint32_t i = h & x->mask;; i = (i + 1) & x->mask) {
        if (!tab[i].key)
            return NULL;
        if (tab[i].key == key || (tab[i].hash == h && strcmp(tab[i].key, key) == 0)) {
            *slot_key = tab[i].key;
            return &s->fields[tab[i].field];
        }
    }
}

const ak_field *ak_schema_lookup(const ak_schema *s, const char *key) {
    if (!s || !key)
        return NULL;
    const idx_schema *x = idx_get(s);
    const char *slot_key;
    return x ? idx_lookup(x, s, key, &slot_key) : linear_lookup(s, key);
}

const ak_field *ak_schema_lookup_from(const ak_schema *s, const char *key, ak_lookup_cursor *cur) {
    if (!s || !key)
        return NULL;
    if (!cur->started) {
        cur->started = true;
        cur->index = idx_get(s);
    }
    const idx_schema *x = cur->index;
    if (!x) {
        const ak_field *f = linear_lookup(s, key);
        cur->by_wire = f && strcmp(f->wire, key) == 0;
        return f;
    }
    /* members usually come in declaration order: try the field after the last one found */
    if (x->unique && cur->next < s->nfields &&
        (s->fields[cur->next].wire == key || strcmp(s->fields[cur->next].wire, key) == 0)) {
        cur->by_wire = true;
        return &s->fields[cur->next++];
    }
    const char *slot_key = NULL;
    const ak_field *f = idx_lookup(x, s, key, &slot_key);
    /* the first key stored for a field is its wire name: that pointer means the wire name */
    cur->by_wire = f && slot_key == f->wire;
    if (f)
        cur->next = (size_t)(f - s->fields) + 1;
    return f;
}

bool ak_schema_indexed(const ak_schema *s) { return s && idx_get(s) != NULL; }

int ak_schema_index_probe(const ak_schema *s, const char *const *keys, const ak_field **out, bool *unique) {
    uint32_t size = table_size(key_count(s));
    idx_slot *tab = calloc(size, sizeof *tab);
    if (!tab)
        return AK_FAIL;
    *unique = fill_table(s, tab, size);
    /* the lookup code itself, on this table */
    idx_schema x = {s, 0, size - 1, *unique};
    for (size_t i = 0; keys[i]; i++) {
        uint32_t h = key_hash(keys[i]);
        out[i] = NULL;
        for (uint32_t k = h & x.mask; tab[k].key; k = (k + 1) & x.mask)
            if (tab[k].hash == h && strcmp(tab[k].key, keys[i]) == 0) {
                out[i] = &s->fields[tab[k].field];
                break;
            }
    }
    free(tab);
    return AK_OK;
}

uint32_t ak_schema_key_hash(const char *key) { return key_hash(key); }

const ak_field *ak_schema_lookup_linear(const ak_schema *s, const char *key) {
    return s && key ? linear_lookup(s, key) : NULL;
}

const ak_field *ak_schema_field(const ak_schema *s, const char *name) { return ak_schema_lookup(s, name); }

cJSON *ak_schema_member(const ak_schema *s, const cJSON *obj, const char *name, const ak_field **f) {
    const ak_field *fl = ak_schema_lookup(s, name);
    if (f)
        *f = fl;
    if (!cJSON_IsObject(obj))
        return NULL;
    cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!m && fl)
        m = cJSON_GetObjectItemCaseSensitive(obj, fl->wire);
    return m;
}

const ak_field *ak_schema_field_next(const ak_schema *s, const ak_field *prev) {
    if (!s || s->nfields == 0)
        return NULL;
    if (!prev)
        return &s->fields[0];
    size_t i = (size_t)(prev - s->fields) + 1;
    return i < s->nfields ? &s->fields[i] : NULL;
}

const char *ak_type_name(ak_type t) {
    switch (t) {
    case AK_TYPE_ANY: return "any";
    case AK_TYPE_STRING: return "string";
    case AK_TYPE_INTEGER: return "integer";
    case AK_TYPE_NUMBER: return "number";
    case AK_TYPE_BOOLEAN: return "boolean";
    case AK_TYPE_ENUM: return "enum";
    case AK_TYPE_OBJECT: return "object";
    case AK_TYPE_ARRAY: return "array";
    }
    return "unknown";
}

const ak_schema *ak_schema_find(const char *platform, const char *model) {
    const ak_platform *p = ak_platform_find(platform);
    if (!p || !model)
        return NULL;
    for (const ak_schema *s = ak_model_next(p, NULL); s; s = ak_model_next(p, s))
        if (strcmp(s->name, model) == 0)
            return s;
    return NULL;
}

void ak_spath_text(char *out, size_t cap, const ak_spath *p) {
    if (!p->up) {
        snprintf(out, cap, "%s", p->key ? p->key : "");
        return;
    }
    ak_spath_text(out, cap, p->up);
    size_t n = strlen(out);
    if (n + 1 >= cap)
        return;
    if (p->key)
        snprintf(out + n, cap - n, "%s%s", *out ? "." : "", p->key);
    else
        snprintf(out + n, cap - n, "[%d]", p->index);
}
