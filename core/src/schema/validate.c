/* validate.c - every documented rule, every violation reported at once with a field path. */
#include "../internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vstate {
    const ak_validate_ctx *ctx;
    ak_error *err;
} vstate;

/* A field's path, rendered only when a violation names it: a chain of keys (dotted) and array
 * indexes up to the root (the caller's prefix). */
typedef ak_spath vpath;

#define VPATH_CAP 544 /* a path (< 512) and "[index]" */

static void violation(vstate *v, const vpath *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void violation(vstate *v, const vpath *at, const char *fmt, ...) {
    char rule[256], path[VPATH_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    ak_spath_text(path, sizeof path, at);
    ak_error_add_violation(v->err, path, rule);
}

/* Length of a UTF-8 string in the unit the field counts. */
static size_t str_length(const char *s, ak_len_unit unit) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unit == AK_LEN_BYTES)
            n++;
        else if ((*p & 0xC0) != 0x80)
            n += (unit == AK_LEN_CJK2 && *p >= 0x80) ? 2 : 1;
    }
    return n;
}

static const char *unit_name(ak_len_unit u) {
    return u == AK_LEN_BYTES ? "UTF-8 bytes" : u == AK_LEN_CHARS ? "characters" : "characters (CJK count 2)";
}

/* Days since 1970-01-01 of a yyyy-MM-dd date, or false if not a real date. */
bool ak_parse_date(const char *s, int64_t *days);
bool ak_parse_date(const char *s, int64_t *days) {
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return false;
    /* days from civil (Howard Hinnant) */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return true;
}

static bool check_format(const char *s, ak_format fmt) {
    int64_t days;
    switch (fmt) {
    case AK_FMT_NONE: return true;
    case AK_FMT_DATE: return ak_parse_date(s, &days);
    case AK_FMT_DATETIME: {
        char date[11];
        int hh, mm, ss;
        char tail;
        if (strlen(s) != 19 || s[10] != ' ')
            return false;
        memcpy(date, s, 10);
        date[10] = '\0';
        return ak_parse_date(date, &days) && sscanf(s + 11, "%2d:%2d:%2d%c", &hh, &mm, &ss, &tail) == 3 && hh < 24 &&
               mm < 60 && ss < 60;
    }
    case AK_FMT_IDENTIFIER:
    case AK_FMT_ALNUM:
        if (!*s)
            return false;
        for (const char *p = s; *p; p++) {
            char c = *p;
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      (fmt == AK_FMT_IDENTIFIER && c == '_');
            if (!ok)
                return false;
        }
        return true;
    case AK_FMT_ROUTE: {
        /* "from~to" with region codes; 0 means "any" but not both ("0~0" is invalid) */
        const char *t = strchr(s, '~');
        if (!t || t == s || !t[1] || strchr(t + 1, '~'))
            return false;
        for (const char *p = s; *p; p++)
            if (p != t && (*p < '0' || *p > '9'))
                return false;
        long a = strtol(s, NULL, 10), b = strtol(t + 1, NULL, 10);
        return !(a == 0 && b == 0);
    }
    case AK_FMT_NO_UPPER:
        for (const char *p = s; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                return false;
        return true;
    case AK_FMT_CRON: {
        /* Quartz: seconds minutes hours day-of-month month day-of-week [year] */
        int fields = 0;
        for (const char *p = s; *p;) {
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            fields++;
            for (; *p && *p != ' '; p++)
                if (!strchr("0123456789,-*/?LW#ABCDEFGHIJKLMNOPQRSTUVWXYZ", *p))
                    return false;
        }
        return fields == 6 || fields == 7;
    }
    }
    return true;
}

static const char *format_rule(ak_format fmt) {
    switch (fmt) {
    case AK_FMT_DATE: return "must be a date yyyy-MM-dd";
    case AK_FMT_DATETIME: return "must be a time yyyy-MM-dd HH:mm:ss";
    case AK_FMT_IDENTIFIER: return "may contain only letters, digits and underscores";
    case AK_FMT_ALNUM: return "may contain only letters and digits";
    case AK_FMT_ROUTE: return "must be a route \"from~to\" of region codes, not \"0~0\"";
    case AK_FMT_NO_UPPER: return "must not contain capital letters";
    case AK_FMT_CRON: return "must be a Quartz cron expression of 6 or 7 fields, e.g. \"0 0 0 * * ? *\"";
    default: return "has an invalid format";
    }
}

static bool in_values(const char *const *values, const char *text) {
    for (const char *const *p = values; *p; p++)
        if (strcmp(*p, text) == 0)
            return true;
    return false;
}

static void values_text(char *out, size_t cap, const char *const *values) {
    size_t off = 0;
    out[0] = '\0';
    int n = 0;
    for (const char *const *p = values; *p && off + 8 < cap; p++, n++) {
        if (n == 12) {
            snprintf(out + off, cap - off, ", ...");
            return;
        }
        int w = snprintf(out + off, cap - off, "%s%s", n ? ", " : "", *p);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

/* A bound as text: integral bounds exactly (never 9.00719925474099e+15), 2^63 as int64's maximum. */
static void fmt_num(char *out, size_t cap, double d) {
    if (d >= 9223372036854775807.0)
        snprintf(out, cap, "9223372036854775807");
    else if (isfinite(d) && d == floor(d) && fabs(d) < 1e19)
        snprintf(out, cap, "%.0f", d);
    else
        snprintf(out, cap, "%.15g", d);
}

static int decimals_of(double d) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", d);
    if (strchr(buf, 'e'))
        return 99;
    const char *dot = strchr(buf, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

static void validate_object(vstate *v, const ak_schema *s, const cJSON *obj, const vpath *path);

static void check_number_rules(vstate *v, const ak_field *f, double d, const vpath *path) {
    char a[40], b[40];
    if ((f->flags & AK_F_MIN) && (f->flags & AK_F_MAX) && (d < f->min || d > f->max)) {
        fmt_num(a, sizeof a, f->min);
        fmt_num(b, sizeof b, f->max);
        violation(v, path, "must be between %s and %s", a, b);
    } else if ((f->flags & AK_F_MIN) && d < f->min) {
        fmt_num(a, sizeof a, f->min);
        violation(v, path, "must be at least %s", a);
    } else if ((f->flags & AK_F_MAX) && d > f->max) {
        fmt_num(a, sizeof a, f->max);
        violation(v, path, "must be at most %s", a);
    }
    if (f->multiple_of && fmod(d, (double)f->multiple_of) != 0)
        violation(v, path, "must be a multiple of %lld", (long long)f->multiple_of);
    if (f->decimals > 0 && decimals_of(d) > f->decimals)
        violation(v, path, "must have at most %d decimal places", f->decimals);
}

/* The same rules for an integer, compared exactly (no conversion of the value to double). */
static void check_int_rules(vstate *v, const ak_field *f, int64_t i, const vpath *path) {
    char a[40], b[40];
    bool lo = (f->flags & AK_F_MIN) && ak_cmp_int64_double(i, f->min) < 0;
    bool hi = (f->flags & AK_F_MAX) && ak_cmp_int64_double(i, f->max) > 0;
    if ((f->flags & AK_F_MIN) && (f->flags & AK_F_MAX) && (lo || hi)) {
        fmt_num(a, sizeof a, f->min);
        fmt_num(b, sizeof b, f->max);
        violation(v, path, "must be between %s and %s", a, b);
    } else if (lo) {
        fmt_num(a, sizeof a, f->min);
        violation(v, path, "must be at least %s", a);
    } else if (hi) {
        fmt_num(a, sizeof a, f->max);
        violation(v, path, "must be at most %s", a);
    }
    if (f->multiple_of && i % f->multiple_of != 0)
        violation(v, path, "must be a multiple of %lld", (long long)f->multiple_of);
}

static void check_scalar(vstate *v, const ak_field *f, ak_type t, const cJSON *val, const vpath *path) {
    char vt[512];
    if (cJSON_IsNull(val)) {
        if (!(f->flags & AK_F_NULLABLE))
            violation(v, path, "must not be null");
        return;
    }
    switch (t) {
    case AK_TYPE_ANY: return;
    case AK_TYPE_ENUM:
    case AK_TYPE_STRING: {
        if (!cJSON_IsString(val)) {
            violation(v, path, t == AK_TYPE_ENUM ? "must be one of the enum values (a string)" : "must be a string");
            return;
        }
        const char *s = val->valuestring;
        if (f->values && !in_values(f->values, s)) {
            values_text(vt, sizeof vt, f->values);
            violation(v, path, "must be one of: %s", vt);
        }
        if (f->min_len > 0 || f->max_len > 0) {
            size_t n = str_length(s, f->len_unit);
            if (f->min_len > 0 && f->min_len == f->max_len && n != (size_t)f->max_len)
                violation(v, path, "length must be exactly %d %s", f->max_len, unit_name(f->len_unit));
            else if (f->min_len > 0 && n < (size_t)f->min_len)
                violation(v, path, "length must be at least %d %s", f->min_len, unit_name(f->len_unit));
            else if (f->max_len > 0 && n > (size_t)f->max_len)
                violation(v, path, "length must be at most %d %s (got %zu)", f->max_len, unit_name(f->len_unit), n);
        }
        if (f->format != AK_FMT_NONE && *s && !check_format(s, f->format))
            violation(v, path, "%s", format_rule(f->format));
        return;
    }
    case AK_TYPE_INTEGER: {
        int64_t i;
        if (cJSON_IsString(val) && !(f->flags & AK_F_INT64_ID)) {
            violation(v, path, "must be an integer (only id fields accept a decimal string)");
            return;
        }
        if (!ak_json_int64(val, true, &i)) {
            if (cJSON_IsNumber(val) && isfinite(val->valuedouble) && val->valuedouble == floor(val->valuedouble) &&
                fabs(val->valuedouble) > AK_MAX_SAFE_INT)
                violation(v, path, "integer beyond 2^53 cannot be sent exactly (pass it as a decimal string)");
            else if (ak_json_is_digits(val))
                violation(v, path, "integer beyond the int64 range");
            else
                violation(v, path, "must be an integer");
            return;
        }
        if (f->values) {
            snprintf(vt, sizeof vt, "%lld", (long long)i);
            if (!in_values(f->values, vt)) {
                values_text(vt, sizeof vt, f->values);
                violation(v, path, "must be one of: %s", vt);
            }
        }
        check_int_rules(v, f, i, path);
        return;
    }
    case AK_TYPE_NUMBER: {
        int64_t i;
        if (ak_json_int64(val, false, &i)) { /* integers (raw digits too) compare exactly */
            check_int_rules(v, f, i, path);
            return;
        }
        if (!cJSON_IsNumber(val)) {
            violation(v, path, "must be a number");
            return;
        }
        check_number_rules(v, f, val->valuedouble, path);
        return;
    }
    case AK_TYPE_BOOLEAN:
        if (!cJSON_IsBool(val))
            violation(v, path, "must be a boolean");
        return;
    case AK_TYPE_OBJECT:
        if (!cJSON_IsObject(val)) {
            violation(v, path, "must be an object");
            return;
        }
        if (f->schema)
            validate_object(v, f->schema, val, path);
        return;
    case AK_TYPE_ARRAY: /* nested arrays are handled by check_array */ return;
    }
}

static void check_array(vstate *v, const ak_field *f, const cJSON *val, const vpath *path, int level) {
    int depth = f->depth > 1 ? f->depth : 1;
    if (cJSON_IsNull(val)) {
        if (!(f->flags & AK_F_NULLABLE))
            violation(v, path, "must not be null");
        return;
    }
    if (!cJSON_IsArray(val)) {
        violation(v, path, "must be an array");
        return;
    }
    int n = cJSON_GetArraySize(val);
    if (level == 0) {
        if (f->min_items > 0 && f->min_items == f->max_items && n != f->max_items)
            violation(v, path, "must have exactly %d item%s", f->max_items, f->max_items == 1 ? "" : "s");
        else if (f->min_items > 0 && n < f->min_items)
            violation(v, path, "must have at least %d item%s", f->min_items, f->min_items == 1 ? "" : "s");
        else if (f->max_items > 0 && n > f->max_items)
            violation(v, path, "must have at most %d items (got %d)", f->max_items, n);
    }
    vpath ipath = {path, NULL, 0};
    for (const cJSON *it = val->child; it; it = it->next, ipath.index++) {
        if (level + 1 < depth)
            check_array(v, f, it, &ipath, level + 1);
        else
            check_scalar(v, f, f->item_type, it, &ipath);
        if ((f->flags & AK_F_UNIQUE) && level + 1 >= depth) {
            for (const cJSON *p = val->child; p != it; p = p->next)
                if (cJSON_Compare(p, it, true)) {
                    violation(v, &ipath, "duplicates an earlier item");
                    break;
                }
        }
    }
}

static void check_field(vstate *v, const ak_field *f, const cJSON *val, const vpath *path) {
    if (f->type == AK_TYPE_ARRAY)
        check_array(v, f, val, path, 0);
    else
        check_scalar(v, f, f->type, val, path);
}

/* ---- cross-field rules ---- */

/* Resolves a dotted path of field names through the schema (members by name or wire name). */
static const cJSON *rule_get(const ak_schema *s, const cJSON *obj, const char *path, const ak_field **field) {
    char seg[128];
    int r;
    const cJSON *cur = obj;
    const ak_field *f = NULL;
    if (!strchr(path, '.')) { /* a field of this object (most rules): no segment to copy */
        cur = ak_schema_member(s, obj, path, &f);
        if (field)
            *field = f;
        return cur;
    }
    while (cur && (r = ak_path_next(&path, seg, sizeof seg)) != 0) {
        cur = r > 0 ? ak_schema_member(s, cur, seg, &f) : NULL;
        s = f ? f->schema : NULL;
    }
    if (field)
        *field = f;
    return cur;
}

static bool present(const cJSON *v) { return v && !cJSON_IsNull(v); }

static bool one_cond(const ak_schema *s, const cJSON *obj, const char *field, const char *const *values, int negate) {
    if (!field)
        return true;
    const cJSON *cv = rule_get(s, obj, field, NULL);
    bool m;
    if (!values) {
        m = present(cv);
    } else if (!present(cv)) {
        m = false;
    } else if (cJSON_IsString(cv)) {
        m = in_values(values, cv->valuestring); /* the query text of a string is the string */
    } else {
        char *text = ak_json_query_value(cv);
        m = text && in_values(values, text);
        free(text);
    }
    return negate ? !m : m;
}

static bool cond_matches(const ak_schema *s, const cJSON *obj, const ak_rule *r) {
    return one_cond(s, obj, r->cond_field, r->cond_values, r->cond_negate) &&
           one_cond(s, obj, r->cond2_field, r->cond2_values, r->cond2_negate);
}

static bool num_or_date(const cJSON *v, double *out) {
    int64_t days, i;
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (ak_json_int64(v, false, &i)) { /* raw digits */
        *out = (double)i;
        return true;
    }
    if (cJSON_IsString(v) && ak_parse_date(v->valuestring, &days)) {
        *out = (double)days;
        return true;
    }
    return false;
}

static int count_leaves(const cJSON *v) {
    if (!cJSON_IsArray(v))
        return present(v) ? 1 : 0;
    int n = 0;
    for (const cJSON *it = v->child; it; it = it->next)
        n += cJSON_IsArray(it) ? count_leaves(it) : 1;
    return n;
}

static void names_text(char *out, size_t cap, const char *const *fields) {
    size_t off = 0;
    out[0] = '\0';
    for (const char *const *p = fields; *p && off + 2 < cap; p++) {
        int w = snprintf(out + off, cap - off, "%s%s", p == fields ? "" : ", ", *p);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

static void check_rule(vstate *v, const ak_schema *s, const cJSON *obj, const ak_rule *r, const vpath *path) {
    char names[256];
    if (!cond_matches(s, obj, r))
        return;
    const cJSON *val = r->field ? rule_get(s, obj, r->field, NULL) : NULL;
    const vpath fp = {path, r->field ? r->field : "", 0}, *fpath = &fp;
    /* a group rule names its first field */
    const vpath gp = {path, r->fields && r->fields[0] ? r->fields[0] : "", 0}, *gpath = &gp;
    switch (r->kind) {
    case AK_RULE_REQUIRED_WHEN:
        if (!present(val))
            violation(v, fpath, "%s", r->text ? r->text : "is required");
        return;
    case AK_RULE_FORBIDDEN_WHEN:
        if (present(val))
            violation(v, fpath, "%s", r->text ? r->text : "must not be given");
        return;
    case AK_RULE_AT_MOST_ONE:
    case AK_RULE_AT_LEAST_ONE:
    case AK_RULE_EXACTLY_ONE: {
        int n = 0;
        for (const char *const *p = r->fields; *p; p++)
            n += present(rule_get(s, obj, *p, NULL));
        bool bad = (r->kind == AK_RULE_AT_MOST_ONE && n > 1) || (r->kind == AK_RULE_AT_LEAST_ONE && n < 1) ||
                   (r->kind == AK_RULE_EXACTLY_ONE && n != 1);
        if (bad) {
            names_text(names, sizeof names, r->fields);
            const char *what = r->kind == AK_RULE_AT_MOST_ONE    ? "at most one of"
                               : r->kind == AK_RULE_AT_LEAST_ONE ? "at least one of"
                                                                 : "exactly one of";
            if (r->text)
                violation(v, gpath, "%s", r->text);
            else
                violation(v, gpath, "%s %s must be given", what, names);
        }
        return;
    }
    case AK_RULE_MAX_WHEN: {
        double d;
        if (present(val) && num_or_date(val, &d) && d > r->bound) {
            char b[40];
            fmt_num(b, sizeof b, r->bound);
            if (r->text)
                violation(v, fpath, "%s", r->text);
            else
                violation(v, fpath, "must be at most %s here", b);
        }
        return;
    }
    case AK_RULE_LESS_THAN:
    case AK_RULE_LESS_EQUAL: {
        const cJSON *other = rule_get(s, obj, r->fields[0], NULL);
        double a, b;
        if (present(val) && present(other) && num_or_date(val, &a) && num_or_date(other, &b)) {
            bool bad = r->kind == AK_RULE_LESS_THAN ? !(a < b) : !(a <= b);
            if (bad)
                violation(v, fpath, "%s", r->text ? r->text : "is out of order");
        }
        return;
    }
    case AK_RULE_DATE_WINDOW: {
        int64_t d;
        if (!present(val) || !cJSON_IsString(val) || !ak_parse_date(val->valuestring, &d))
            return;
        int64_t today = v->ctx ? v->ctx->today_gmt8 : 0;
        if (d < today - (int64_t)r->bound || d > today + (int64_t)r->bound2)
            violation(v, fpath, "%s", r->text ? r->text : "is outside the allowed date window");
        return;
    }
    case AK_RULE_DATE_SPAN: {
        const cJSON *other = rule_get(s, obj, r->fields[0], NULL);
        int64_t a, b;
        if (cJSON_IsString(val) && cJSON_IsString(other) && ak_parse_date(val->valuestring, &a) &&
            ak_parse_date(other->valuestring, &b) && b - a > (int64_t)r->bound)
            violation(v, fpath, "%s", r->text ? r->text : "date span is too long");
        return;
    }
    case AK_RULE_COUNT_MAX: {
        int n = 0;
        for (const char *const *p = r->fields; *p; p++)
            n += count_leaves(rule_get(s, obj, *p, NULL));
        if (n > (int)r->bound) {
            violation(v, gpath, "%s", r->text ? r->text : "too many items");
        }
        return;
    }
    }
}

#define BY_FIELD_MAX 64 /* schemas up to this many fields find their members in one pass */

static void validate_object(vstate *v, const ak_schema *s, const cJSON *obj, const vpath *path) {
    /* each field's member (the first one under its wire name, as cJSON_GetObjectItem finds it),
     * noted while the members are looked up once; no scan of the object per field */
    const cJSON *by_field[BY_FIELD_MAX];
    bool indexed = s->nfields <= BY_FIELD_MAX;
    if (indexed)
        memset(by_field, 0, s->nfields * sizeof by_field[0]);
    /* unknown and doubly given members: strict on what we send */
    ak_lookup_cursor cur = {0};
    for (const cJSON *m = obj->child; m; m = m->next) {
        const ak_field *f = m->string ? ak_schema_lookup_from(s, m->string, &cur) : NULL;
        if (indexed && f && f >= s->fields && f < s->fields + s->nfields && !by_field[f - s->fields] &&
            strcmp(m->string, f->wire) == 0)
            by_field[f - s->fields] = m;
        if (!f) {
            const vpath mp = {path, m->string ? m->string : "(null)", 0};
            if (s->nfields)
                violation(v, &mp, "is not a documented field");
        } else if (strcmp(m->string, f->wire) != 0) {
            const vpath fp = {path, f->name, 0};
            violation(v, &fp, "is given twice (as %s and %s)", m->string, f->wire);
        } else if (f->flags & AK_F_OUTPUT) {
            const vpath fp = {path, f->name, 0};
            violation(v, &fp, "is a response field and cannot be sent");
        }
    }
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        const cJSON *val = indexed ? by_field[i] : cJSON_GetObjectItemCaseSensitive(obj, f->wire);
        const vpath fp = {path, f->name, 0};
        if (!val) {
            if (f->flags & AK_F_REQUIRED)
                violation(v, &fp, "is required");
            continue;
        }
        check_field(v, f, val, &fp);
    }
    for (size_t i = 0; i < s->nrules; i++)
        check_rule(v, s, obj, &s->rules[i], path);
}

/* Checks the encoded tree `enc` (owned): handed to *out when valid, freed otherwise. */
static int validate_encoded(const ak_schema *s, cJSON *enc, const char *prefix, const ak_validate_ctx *ctx,
                            ak_error *err, ak_json **out) {
    vstate v = {ctx, err};
    if (s) {
        const vpath root = {NULL, prefix ? prefix : "", 0};
        const vpath params = {NULL, prefix && *prefix ? prefix : "params", 0};
        if (!cJSON_IsObject(enc))
            violation(&v, &params, "must be an object");
        else
            validate_object(&v, s, enc, &root);
    }
    if (err && err->kind != AK_ERR_NONE) { /* out of memory is a failure too */
        cJSON_Delete(enc);
        return AK_FAIL;
    }
    *out = enc;
    return AK_OK;
}

int ak_schema_validate_encode(const ak_schema *s, const ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                              ak_error *err, ak_json **out) {
    *out = NULL;
    if (err)
        ak_error_cleanup(err);
    /* encoded once: the rules are checked on the tree that is sent, which the caller keeps */
    cJSON *enc = ak_schema_encode(s, value);
    if (!enc) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    return validate_encoded(s, enc, prefix, ctx, err, out);
}

int ak_schema_validate_encode_owned(const ak_schema *s, ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                                    ak_error *err, ak_json **out) {
    *out = NULL;
    if (err)
        ak_error_cleanup(err);
    cJSON *enc = value ? value : cJSON_CreateObject();
    if (!enc || ak_schema_encode_inplace(s, enc) != AK_OK) {
        cJSON_Delete(enc);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    return validate_encoded(s, enc, prefix, ctx, err, out);
}

int ak_schema_validate(const ak_schema *s, const ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                       ak_error *err) {
    if (!s) {
        if (err)
            ak_error_cleanup(err);
        return AK_OK;
    }
    cJSON *enc = NULL;
    int rc = ak_schema_validate_encode(s, value, prefix, ctx, err, &enc);
    cJSON_Delete(enc);
    return rc;
}
