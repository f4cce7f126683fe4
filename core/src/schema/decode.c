/* decode.c - response checking and normalisation: documented fields must have their documented
 * type (else AK_ERR_DECODE naming the path); aliases renamed; ids as strings converted to exact
 * integers; unknown fields kept as they are. */
#include "../internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PATH_CAP 512

/* A value's path, built only when an error names it: a chain of keys and indexes up to the
 * caller's prefix (no text is formatted for values that decode fine). */
typedef ak_spath dpath;

static int decode_value(const ak_field *f, ak_type t, cJSON *v, int level, const dpath *path, ak_error *err);

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

/* What a value is, in the words of a decode error. */
static const char *json_kind(const cJSON *v) {
    int64_t i;
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsRaw(v))
        return ak_json_int64(v, false, &i) ? "integer" : ak_json_is_digits(v) ? "integer beyond int64" : "raw";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        return isfinite(d) && d == floor(d) && fabs(d) <= AK_MAX_SAFE_INT ? "integer" : "number";
    }
    return "invalid value";
}

static const char *expected_kind(ak_type t) {
    switch (t) {
    case AK_TYPE_STRING: return "a string";
    case AK_TYPE_ENUM: return "a string";
    case AK_TYPE_INTEGER: return "an integer";
    case AK_TYPE_NUMBER: return "a number";
    case AK_TYPE_BOOLEAN: return "a boolean";
    case AK_TYPE_OBJECT: return "an object";
    case AK_TYPE_ARRAY: return "an array";
    case AK_TYPE_ANY: break;
    }
    return "a value";
}

static int fail(ak_error *err, const dpath *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ak_error *err, const dpath *at, const char *fmt, ...) {
    char rule[256], path[PATH_CAP];
    ak_spath_text(path, sizeof path, at);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    if (err) {
        ak_error_set(err, AK_ERR_DECODE, "%s: %s", *path ? path : "data", rule);
        ak_strlcpy(err->field, *path ? path : "data", sizeof err->field);
        ak_strlcpy(err->rule, rule, sizeof err->rule);
    }
    return AK_FAIL;
}

static int wrong_type(ak_error *err, const dpath *path, ak_type t, const cJSON *v) {
    return fail(err, path, "expected %s, got %s", expected_kind(t), json_kind(v));
}

static int decode_object(const ak_schema *s, cJSON *obj, const dpath *path, ak_error *err) {
    ak_lookup_cursor cur = {0};
    for (cJSON *m = obj->child; m; m = m->next) {
        const ak_field *f = m->string ? ak_schema_lookup_from(s, m->string, &cur) : NULL;
        if (!f)
            continue; /* unknown fields are kept as they are */
        dpath mpath = {path, f->wire, 0};
        if (!cur.by_wire && !cJSON_GetObjectItemCaseSensitive(obj, f->wire))
            rename_key(m, f->wire);
        if (decode_value(f, f->type, m, 0, &mpath, err) != AK_OK)
            return AK_FAIL;
    }
    return AK_OK;
}

/* "-?[0-9]+" */
static bool is_digits(const char *s) {
    const char *p = s + (*s == '-');
    return *p && strspn(p, "0123456789") == strlen(p);
}

/* Turns number node or string node `v` into the exact integer i (a number or raw digits),
 * keeping its key and place. */
static int set_integer(cJSON *v, int64_t i, ak_error *err) {
    if (cJSON_IsNumber(v)) /* ak_json_int64 read it exactly: nothing to change */
        return AK_OK;
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)i);
    if (cJSON_IsRaw(v) && strcmp(v->valuestring, text) == 0)
        return AK_OK;
    if (!(v->type & cJSON_IsReference))
        cJSON_free(v->valuestring);
    v->valuestring = NULL;
    v->type &= ~(0xFF | cJSON_IsReference); /* a text of its own from here on (or none) */
    if ((double)i <= AK_MAX_SAFE_INT && (double)i >= -AK_MAX_SAFE_INT) {
        v->type |= cJSON_Number;
        v->valuedouble = (double)i;
        v->valueint = (i > 2147483647 || i < -2147483647) ? (i > 0 ? 2147483647 : -2147483647) : (int)i;
        return AK_OK;
    }
    size_t n = strlen(text) + 1;
    v->type |= cJSON_Raw;
    v->valuedouble = 0;
    v->valueint = 0;
    if (!(v->valuestring = cJSON_malloc(n))) {
        v->type = (v->type & ~0xFF) | cJSON_NULL;
        ak_error_nomem(err);
        return AK_FAIL;
    }
    memcpy(v->valuestring, text, n);
    return AK_OK;
}

/* cJSON's type tests, inline (they are library calls) */
#define TYPE_OF(v) ((v)->type & 0xFF)

static int decode_value(const ak_field *f, ak_type t, cJSON *v, int level, const dpath *path, ak_error *err) {
    if (TYPE_OF(v) == cJSON_NULL) {
        if ((f->flags & AK_F_NULLABLE) || t == AK_TYPE_ANY)
            return AK_OK;
        return wrong_type(err, path, t, v);
    }
    switch (t) {
    case AK_TYPE_ANY: return AK_OK;
    case AK_TYPE_STRING:
    case AK_TYPE_ENUM: return TYPE_OF(v) == cJSON_String ? AK_OK : wrong_type(err, path, t, v);
    case AK_TYPE_BOOLEAN:
        return TYPE_OF(v) == cJSON_True || TYPE_OF(v) == cJSON_False ? AK_OK : wrong_type(err, path, t, v);
    case AK_TYPE_NUMBER:
        /* a raw node holds an integer beyond 2^53: a number too, kept exact */
        return cJSON_IsNumber(v) || ak_json_is_digits(v) ? AK_OK : wrong_type(err, path, t, v);
    case AK_TYPE_INTEGER: {
        /* ids arrive as numbers or as decimal strings: both become exact integers */
        int64_t i;
        if (TYPE_OF(v) == cJSON_Number) { /* the common case, inline: an exact integer as it is */
            double d = v->valuedouble;
            if (d == floor(d) && fabs(d) <= AK_MAX_SAFE_INT)
                return AK_OK;
        }
        if (ak_json_int64(v, true, &i))
            return set_integer(v, i, err);
        if (ak_json_is_digits(v) || (cJSON_IsString(v) && is_digits(v->valuestring)))
            return fail(err, path, "integer beyond the int64 range");
        return wrong_type(err, path, t, v);
    }
    case AK_TYPE_OBJECT:
        if (!cJSON_IsObject(v))
            return wrong_type(err, path, t, v);
        return f->schema ? decode_object(f->schema, v, path, err) : AK_OK;
    case AK_TYPE_ARRAY: {
        if (!cJSON_IsArray(v))
            return wrong_type(err, path, t, v);
        int depth = f->depth > 1 ? f->depth : 1;
        dpath ipath = {path, NULL, 0};
        ak_type it_type = level + 1 < depth ? AK_TYPE_ARRAY : f->item_type;
        for (cJSON *it = v->child; it; it = it->next, ipath.index++)
            if (decode_value(f, it_type, it, level + 1, &ipath, err) != AK_OK)
                return AK_FAIL;
        return AK_OK;
    }
    }
    return AK_OK;
}

int ak_schema_decode_at(const ak_schema *s, ak_json *value, const char *prefix, ak_error *err) {
    if (!s || !value)
        return AK_OK;
    dpath root = {NULL, prefix ? prefix : "", 0};
    if (!cJSON_IsObject(value))
        return fail(err, &root, "expected an object (%s), got %s", s->name, json_kind(value));
    return decode_object(s, value, &root, err);
}

int ak_schema_decode(const ak_schema *s, ak_json *value, ak_error *err) {
    return ak_schema_decode_at(s, value, NULL, err);
}
