/* json.c - cJSON helpers: exact integers (raw digit nodes), dotted paths, printing, query values
 * (the parser is json_parse.c). */
#include "../internal.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True for decimal integer text "-?[0-9]+" (any magnitude). */
static bool is_digit_text(const char *s) {
    const char *p = s ? s + (*s == '-') : NULL;
    if (!p || !*p)
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* Exact value of a decimal integer literal ("-?[0-9]+"); false for anything else or beyond int64. */
static bool digits_int64(const char *s, int64_t *out) {
    if (!is_digit_text(s))
        return false;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (int64_t)x;
    return true;
}

bool ak_json_int64(const cJSON *v, bool allow_string, int64_t *out) {
    if (cJSON_IsNumber(v)) {
        /* Never read valueint (32-bit, saturating); valuedouble with range checks: ak_json_parse
         * keeps integers beyond 2^53 - 1 as raw digits, so a larger double may be rounded. */
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > AK_MAX_SAFE_INT)
            return false;
        *out = (int64_t)d;
        return true;
    }
    if (cJSON_IsRaw(v))
        return digits_int64(v->valuestring, out);
    if (allow_string && cJSON_IsString(v) && v->valuestring[0]) {
        const char *s = v->valuestring;
        char *end = NULL;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (errno || *end || end == s || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
            return false;
        *out = (int64_t)x;
        return true;
    }
    return false;
}

bool ak_json_is_digits(const cJSON *v) { return cJSON_IsRaw(v) && is_digit_text(v->valuestring); }

cJSON *ak_json_create_int64(int64_t i) {
    if ((double)i <= AK_MAX_SAFE_INT && (double)i >= -AK_MAX_SAFE_INT)
        return cJSON_CreateNumber((double)i);
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)i);
    return cJSON_CreateRaw(text);
}

int ak_cmp_int64_double(int64_t i, double d) {
    if (d >= 9223372036854775808.0) /* 2^63: beyond every int64 */
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    double fl = floor(d); /* in [-2^63, 2^63): converts exactly */
    int64_t f = (int64_t)fl;
    if (i < f)
        return -1;
    if (i > f)
        return 1;
    return d == fl ? 0 : -1;
}

int ak_path_next(const char **p, char *seg, size_t cap) {
    if (!**p)
        return 0;
    const char *dot = strchr(*p, '.');
    size_t n = dot ? (size_t)(dot - *p) : strlen(*p);
    if (n >= cap)
        return -1;
    memcpy(seg, *p, n);
    seg[n] = '\0';
    *p = dot ? dot + 1 : *p + n;
    return 1;
}

cJSON *ak_json_path(const cJSON *obj, const char *path) {
    char seg[128];
    int r;
    const cJSON *cur = obj;
    while (cur && (r = ak_path_next(&path, seg, sizeof seg)) != 0)
        cur = r > 0 && cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, seg) : NULL;
    return (cJSON *)cur;
}

/* ---- printing ---- */

/* The compact printer: the bytes cJSON_PrintUnformatted writes (the same string escapes and
 * number formats), except that integral numbers print exactly ("%.0f": cJSON compares with an
 * epsilon and prints integers near 2^53 as 9.00719925474099e+15). One pass into one buffer, no
 * copy of the tree. */
static bool print_string(ak_buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    /* room for the text without escapes and the quotes; more when an escape comes */
    if (!ak_buf_reserve(b, n + 2))
        return false;
    char *out = b->p + b->len;
    *out++ = '"';
    for (const unsigned char *end = p + n; p < end; p++) {
        unsigned char ch = *p;
        if (ch >= 32 && ch != '"' && ch != '\\') {
            *out++ = (char)ch;
            continue;
        }
        b->len = (size_t)(out - b->p);
        if (!ak_buf_reserve(b, 6 + (size_t)(end - p) + 1))
            return false;
        out = b->p + b->len;
        *out++ = '\\';
        switch (ch) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[ch >> 4];
            *out++ = hex[ch & 15];
        }
    }
    *out++ = '"';
    b->len = (size_t)(out - b->p);
    b->p[b->len] = '\0';
    return true;
}

static bool print_number(ak_buf *b, double d) {
    char text[32];
    int n;
    if (d * 0 != 0) /* NaN or infinity: cJSON writes null */
        return ak_buf_append(b, "null", 4);
    if (d == floor(d) && fabs(d) <= AK_MAX_SAFE_INT) { /* the common case: digits by hand */
        uint64_t u = (uint64_t)fabs(d);
        char *e = text + sizeof text, *q = e;
        do
            *--q = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (signbit(d))
            *--q = '-'; /* -0 too, as "%.0f" and cJSON write it */
        return ak_buf_append(b, q, (size_t)(e - q));
    }
    if (d == floor(d) && fabs(d) < 1e19) {
        n = snprintf(text, sizeof text, "%.0f", d); /* every integral double < 1e19 exactly */
    } else {
        /* cJSON: 15 significant digits when they read back the same (within its epsilon), else 17 */
        double back = 0;
        n = snprintf(text, sizeof text, "%1.15g", d);
        if (n > 0 && (sscanf(text, "%lg", &back) != 1 || !(fabs(back - d) <= fmax(fabs(back), fabs(d)) * DBL_EPSILON)))
            n = snprintf(text, sizeof text, "%1.17g", d);
    }
    if (n <= 0 || (size_t)n >= sizeof text)
        return false;
    /* cJSON writes '.' whatever the locale's decimal point */
    const char *dp = localeconv()->decimal_point;
    if (dp && *dp && *dp != '.' && !dp[1])
        for (int i = 0; i < n; i++)
            if (text[i] == *dp)
                text[i] = '.';
    return ak_buf_append(b, text, (size_t)n);
}

static bool print_value(ak_buf *b, const cJSON *v, int depth) {
    if (!v || depth > 10000)
        return false;
    switch (v->type & 0xFF) {
    case cJSON_NULL: return ak_buf_append(b, "null", 4);
    case cJSON_False: return ak_buf_append(b, "false", 5);
    case cJSON_True: return ak_buf_append(b, "true", 4);
    case cJSON_Number: return print_number(b, v->valuedouble);
    case cJSON_Raw: return v->valuestring && ak_buf_puts(b, v->valuestring);
    case cJSON_String: return print_string(b, v->valuestring);
    case cJSON_Array:
    case cJSON_Object: {
        bool obj = (v->type & 0xFF) == cJSON_Object;
        if (!ak_buf_append(b, obj ? "{" : "[", 1))
            return false;
        for (const cJSON *it = v->child; it; it = it->next) {
            if (it != v->child && !ak_buf_append(b, ",", 1))
                return false;
            if (obj && (!print_string(b, it->string) || !ak_buf_append(b, ":", 1)))
                return false;
            if (!print_value(b, it, depth + 1))
                return false;
        }
        return ak_buf_append(b, obj ? "}" : "]", 1);
    }
    default: return false; /* cJSON_Invalid: cJSON refuses to print it too */
    }
}

char *ak_json_print(const cJSON *v) {
    ak_buf b = {0};
    if (!ak_buf_reserve(&b, 240) || !print_value(&b, v, 0)) {
        ak_buf_free(&b);
        return NULL;
    }
    return ak_buf_take(&b);
}

char *ak_json_query_value(const cJSON *v) {
    char tmp[64];
    if (cJSON_IsString(v))
        return ak_strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return ak_strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsRaw(v))
        return ak_strdup(v->valuestring ? v->valuestring : "");
    if (cJSON_IsNumber(v)) {
        int64_t i;
        if (ak_json_int64(v, false, &i))
            snprintf(tmp, sizeof tmp, "%lld", (long long)i);
        else
            snprintf(tmp, sizeof tmp, "%.17g", v->valuedouble);
        return ak_strdup(tmp);
    }
    if (cJSON_IsNull(v))
        return ak_strdup("");
    return ak_json_print(v);
}
