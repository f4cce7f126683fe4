/* decode.c - lenient response normalisation: aliases, ids as strings, unknown fields kept. */
#include "../internal.h"

#include <string.h>

static void decode_value(const ak_field *f, ak_type t, cJSON *v, int level);

static void rename_key(cJSON *m, const char *wire) {
    size_t n = strlen(wire) + 1;
    char *k = cJSON_malloc(n);
    if (!k)
        return; /* keep the alias; nothing is lost */
    memcpy(k, wire, n);
    if (!(m->type & cJSON_StringIsConst))
        cJSON_free(m->string);
    m->string = k;
    m->type &= ~cJSON_StringIsConst;
}

static void decode_object(const ak_schema *s, cJSON *obj) {
    for (cJSON *m = obj->child; m; m = m->next) {
        const ak_field *f = ak_schema_lookup(s, m->string);
        if (!f)
            continue; /* unknown fields are kept as they are */
        if (strcmp(m->string, f->wire) != 0 && !cJSON_GetObjectItemCaseSensitive(obj, f->wire))
            rename_key(m, f->wire);
        decode_value(f, f->type, m, 0);
    }
}

static void decode_value(const ak_field *f, ak_type t, cJSON *v, int level) {
    if (t == AK_TYPE_ARRAY) {
        if (!cJSON_IsArray(v))
            return;
        int depth = f->depth > 1 ? f->depth : 1;
        for (cJSON *it = v->child; it; it = it->next)
            decode_value(f, level + 1 < depth ? AK_TYPE_ARRAY : f->item_type, it, level + 1);
        return;
    }
    if (t == AK_TYPE_OBJECT && f->schema && cJSON_IsObject(v)) {
        decode_object(f->schema, v);
        return;
    }
    if (t == AK_TYPE_INTEGER && cJSON_IsString(v)) {
        /* ids arrive as strings or numbers; numbers beyond 2^53 stay strings (never rounded) */
        int64_t i;
        if (ak_json_int64(v, true, &i) && (double)i <= AK_MAX_SAFE_INT && (double)i >= -AK_MAX_SAFE_INT) {
            cJSON_free(v->valuestring);
            v->valuestring = NULL;
            v->type = (v->type & ~0xFF) | cJSON_Number;
            v->valuedouble = (double)i;
            v->valueint = (i > 2147483647 || i < -2147483647) ? (i > 0 ? 2147483647 : -2147483647) : (int)i;
        }
    }
}

int ak_schema_decode(const ak_schema *s, ak_json *value, ak_error *err) {
    (void)err;
    if (!s || !value)
        return AK_OK;
    if (cJSON_IsObject(value))
        decode_object(s, value);
    return AK_OK;
}
