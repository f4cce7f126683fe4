/* lookup.c - schema field lookup and introspection. */
#include "../internal.h"

#include <string.h>

const ak_field *ak_schema_lookup(const ak_schema *s, const char *key) {
    if (!s || !key)
        return NULL;
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
