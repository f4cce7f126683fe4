/* json.c - cJSON helpers: exact integers, dotted paths, query values. */
#include "../internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ak_json_int64(const cJSON *v, bool allow_string, int64_t *out) {
    if (cJSON_IsNumber(v)) {
        /* Never read valueint (32-bit, saturating); valuedouble with range checks. */
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > AK_MAX_SAFE_INT)
            return false;
        *out = (int64_t)d;
        return true;
    }
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

/* Replaces integral numbers beyond 2^31 with raw text in a copy: cJSON's own printer compares
 * with an epsilon and prints integers near 2^53 as 9.00719925474099e+15. */
static bool exact_numbers(cJSON *v) {
    for (cJSON *it = v->child; it; it = it->next) {
        if (cJSON_IsNumber(it)) {
            double d = it->valuedouble;
            /* every integral double prints exactly with %.0f (2^53 included) */
            if (isfinite(d) && fabs(d) > 2147483647.0 && fabs(d) < 1e19 && d == floor(d)) {
                char text[32];
                snprintf(text, sizeof text, "%.0f", d);
                cJSON *raw = cJSON_CreateRaw(text);
                if (raw && it->string) { /* ReplaceItemViaPointer does not carry the key over */
                    size_t n = strlen(it->string) + 1;
                    if ((raw->string = cJSON_malloc(n)) != NULL)
                        memcpy(raw->string, it->string, n);
                }
                if (!raw || (it->string && !raw->string) || !cJSON_ReplaceItemViaPointer(v, it, raw)) {
                    cJSON_Delete(raw);
                    return false;
                }
                it = raw;
            }
        } else if ((cJSON_IsArray(it) || cJSON_IsObject(it)) && !exact_numbers(it)) {
            return false;
        }
    }
    return true;
}

char *ak_json_print(const cJSON *v) {
    cJSON *copy = cJSON_Duplicate(v, true);
    char *out = NULL;
    if (copy && (!(cJSON_IsArray(copy) || cJSON_IsObject(copy)) || exact_numbers(copy)))
        out = cJSON_PrintUnformatted(copy);
    if (copy && cJSON_IsNumber(copy)) {
        double d = copy->valuedouble;
        char text[32];
        if (isfinite(d) && fabs(d) < 1e19 && d == floor(d)) {
            snprintf(text, sizeof text, "%.0f", d);
            free(out);
            out = ak_strdup(text);
        }
    }
    cJSON_Delete(copy);
    return out;
}

char *ak_json_query_value(const cJSON *v) {
    char tmp[64];
    if (cJSON_IsString(v))
        return ak_strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return ak_strdup(cJSON_IsTrue(v) ? "true" : "false");
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
