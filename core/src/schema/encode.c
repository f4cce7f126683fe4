/* encode.c - request trees: snake_case -> wire names, lenient coercions the schema allows. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

static cJSON *encode_value(const ak_field *f, const cJSON *v, int level);

const char *ak_field_alias_value(const ak_field *f, const cJSON *v) {
    const char *text = cJSON_IsString(v) ? v->valuestring
                       : cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false")
                                         : NULL;
    for (const char *const *a = f->value_aliases; text && a && a[0] && a[1]; a += 2)
        if (strcmp(a[0], text) == 0)
            return a[1];
    return NULL;
}

static cJSON *encode_scalar(const ak_field *f, ak_type t, const cJSON *v) {
    const char *alias = t != AK_TYPE_OBJECT ? ak_field_alias_value(f, v) : NULL;
    if (alias) {
        char *end = NULL;
        long long i = strtoll(alias, &end, 10);
        if (t == AK_TYPE_INTEGER && *alias && end && !*end)
            return cJSON_CreateNumber((double)i);
        return cJSON_CreateString(alias);
    }
    if (t == AK_TYPE_OBJECT && f->schema && cJSON_IsObject(v))
        return ak_schema_encode(f->schema, v);
    if (t == AK_TYPE_INTEGER && cJSON_IsString(v) && (f->flags & AK_F_INT64_ID)) {
        /* int64 ids may be given as decimal strings (the documents' examples do; LuaJIT and
         * JavaScript-minded callers must): send exact JSON integers (raw digits beyond 2^53) */
        int64_t i;
        if (ak_json_int64(v, true, &i))
            return ak_json_create_int64(i);
    }
    return cJSON_Duplicate(v, true);
}

static cJSON *encode_array(const ak_field *f, const cJSON *v, int level) {
    /* Lua cannot tell {} from []: an empty object where an array is documented is an array */
    if (cJSON_IsObject(v) && !v->child)
        return cJSON_CreateArray();
    if (!cJSON_IsArray(v))
        return cJSON_Duplicate(v, true);
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return NULL;
    for (const cJSON *it = v->child; it; it = it->next) {
        cJSON *e = (level + 1 < (f->depth > 1 ? f->depth : 1)) ? encode_value(f, it, level + 1)
                                                               : encode_scalar(f, f->item_type, it);
        if (!e) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, e);
    }
    return out;
}

static cJSON *encode_value(const ak_field *f, const cJSON *v, int level) {
    if (f->type == AK_TYPE_ARRAY)
        return encode_array(f, v, level);
    return encode_scalar(f, f->type, v);
}

ak_json *ak_schema_encode(const ak_schema *s, const ak_json *value) {
    if (!value)
        return cJSON_CreateObject();
    if (!s || !cJSON_IsObject(value))
        return cJSON_Duplicate(value, true);
    cJSON *out = cJSON_CreateObject();
    if (!out)
        return NULL;
    ak_lookup_cursor cur = {0};
    for (const cJSON *m = value->child; m; m = m->next) {
        const ak_field *f = m->string ? ak_schema_lookup_from(s, m->string, &cur) : NULL;
        const char *key = m->string;
        cJSON *e;
        if (f && (f->flags & AK_F_IGNORED))
            continue; /* the vendor ignores it on this route: accepted, not sent */
        if (f) {
            /* keep the original key when the wire name is already taken (given twice):
             * validation reports it */
            if (strcmp(key, f->wire) != 0 && !cJSON_GetObjectItemCaseSensitive(out, f->wire) &&
                !cJSON_GetObjectItemCaseSensitive(value, f->wire))
                key = f->wire;
            e = encode_value(f, m, 0);
        } else {
            e = cJSON_Duplicate(m, true);
        }
        if (!e || !cJSON_AddItemToObject(out, key, e)) {
            cJSON_Delete(e);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}
