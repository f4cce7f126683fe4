/* encode.c - request trees: snake_case -> wire names, lenient coercions the schema allows. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

const char *ak_field_alias_value(const ak_field *f, const cJSON *v) {
    const char *text = cJSON_IsString(v) ? v->valuestring
                       : cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false")
                                         : NULL;
    for (const char *const *a = f->value_aliases; text && a && a[0] && a[1]; a += 2)
        if (strcmp(a[0], text) == 0)
            return a[1];
    return NULL;
}

/* The encoder works in place, on a tree the caller owns (ak_call_new_owned hands its parameters
 * over); ak_schema_encode runs it on a copy. */

static bool encode_value_inplace(const ak_field *f, cJSON *parent, cJSON *v, int level);

/* Puts `repl` where `m` is in `parent` (same key, same place) and frees m. */
static bool replace_node(cJSON *parent, cJSON *m, cJSON *repl) {
    if (!repl)
        return false;
    repl->string = m->string; /* the key moves over, with its const flag */
    repl->type |= m->type & cJSON_StringIsConst;
    m->string = NULL;
    m->type &= ~cJSON_StringIsConst;
    return cJSON_ReplaceItemViaPointer(parent, m, repl);
}

/* The key of `m` becomes the static wire name (nothing allocated: descriptors outlive trees). */
static void set_wire_key(cJSON *m, const char *wire) {
    if (!(m->type & cJSON_StringIsConst))
        cJSON_free(m->string);
    m->string = (char *)wire;
    m->type |= cJSON_StringIsConst;
}

static bool encode_object_inplace(const ak_schema *s, cJSON *obj);

static bool encode_scalar_inplace(const ak_field *f, ak_type t, cJSON *parent, cJSON *v) {
    const char *alias = t != AK_TYPE_OBJECT ? ak_field_alias_value(f, v) : NULL;
    if (alias) {
        char *end = NULL;
        long long i = strtoll(alias, &end, 10);
        if (t == AK_TYPE_INTEGER && *alias && end && !*end)
            return replace_node(parent, v, cJSON_CreateNumber((double)i));
        return replace_node(parent, v, cJSON_CreateString(alias));
    }
    if (t == AK_TYPE_OBJECT && f->schema && cJSON_IsObject(v))
        return encode_object_inplace(f->schema, v);
    if (t == AK_TYPE_INTEGER && cJSON_IsString(v) && (f->flags & AK_F_INT64_ID)) {
        int64_t i;
        if (ak_json_int64(v, true, &i))
            return replace_node(parent, v, ak_json_create_int64(i));
    }
    return true;
}

static bool encode_array_inplace(const ak_field *f, cJSON *parent, cJSON *v, int level) {
    if (cJSON_IsObject(v) && !v->child)
        return replace_node(parent, v, cJSON_CreateArray());
    if (!cJSON_IsArray(v))
        return true;
    bool nested = level + 1 < (f->depth > 1 ? f->depth : 1);
    for (cJSON *it = v->child, *next; it; it = next) {
        next = it->next;
        if (!(nested ? encode_value_inplace(f, v, it, level + 1) : encode_scalar_inplace(f, f->item_type, v, it)))
            return false;
    }
    return true;
}

static bool encode_value_inplace(const ak_field *f, cJSON *parent, cJSON *v, int level) {
    if (f->type == AK_TYPE_ARRAY)
        return encode_array_inplace(f, parent, v, level);
    return encode_scalar_inplace(f, f->type, parent, v);
}

static bool encode_object_inplace(const ak_schema *s, cJSON *obj) {
    ak_lookup_cursor cur = {0};
    bool ignored = false;
    for (cJSON *m = obj->child, *next; m; m = next) {
        next = m->next;
        const ak_field *f = m->string ? ak_schema_lookup_from(s, m->string, &cur) : NULL;
        if (!f)
            continue; /* unknown members are kept as given */
        if (f->flags & AK_F_IGNORED) {
            ignored = true; /* removed below: until then it still takes its name, as in a copy */
            continue;
        }
        /* as ak_schema_encode: the original key stays when the wire name is taken (given twice) */
        if (strcmp(m->string, f->wire) != 0 && !cJSON_GetObjectItemCaseSensitive(obj, f->wire))
            set_wire_key(m, f->wire);
        if (!encode_value_inplace(f, obj, m, 0))
            return false;
    }
    for (cJSON *m = ignored ? obj->child : NULL, *next; m; m = next) {
        next = m->next;
        const ak_field *f = m->string ? ak_schema_lookup(s, m->string) : NULL;
        if (f && (f->flags & AK_F_IGNORED))
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, m));
    }
    return true;
}

int ak_schema_encode_inplace(const ak_schema *s, ak_json *value) {
    if (!s || !cJSON_IsObject(value))
        return AK_OK;
    return encode_object_inplace(s, value) ? AK_OK : AK_FAIL;
}

ak_json *ak_schema_encode(const ak_schema *s, const ak_json *value) {
    if (!value)
        return cJSON_CreateObject();
    cJSON *out = cJSON_Duplicate(value, true);
    if (out && ak_schema_encode_inplace(s, out) != AK_OK) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}
