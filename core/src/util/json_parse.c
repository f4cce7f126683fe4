/* json_parse.c - ak_json_parse: response bodies to cJSON trees in one pass.
 *
 * The tree is the one cJSON_ParseWithLength builds (same node types, values, valueint, key order,
 * child->prev pointing at the last child; a UTF-8 BOM skipped, bytes <= 32 as whitespace, text
 * after the value ignored, nesting limited to 1000), with three differences that make it cheaper
 * to build and to free, and one that makes it exact:
 *  - a string (or raw) node and its text are one allocation: valuestring points just past the
 *    node, flagged cJSON_IsReference, so cJSON_Delete frees both with the node (cJSON_Duplicate
 *    copies the text and drops the flag);
 *  - a member whose key is a known wire name or envelope key points at that static string,
 *    flagged cJSON_StringIsConst (lookup.c's static key set), instead of a copy;
 *  - integers of up to 15 digits are read without strtod (exactly: every such value is a double);
 *  - an integer literal of magnitude 2^53 or more becomes a raw node holding its digits.
 * Every node comes from cJSON_malloc, so cJSON_Delete frees any subtree, as for cJSON's trees. */
#include "../internal.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000 /* cJSON's CJSON_NESTING_LIMIT */

typedef struct parser {
    const char *p, *end;
    int depth;
} parser;

static cJSON *parse_value(parser *ps);

static inline void skip_ws(parser *ps) {
    while (ps->p < ps->end && (unsigned char)*ps->p <= 32)
        ps->p++;
}

/* A zeroed node with `extra` bytes after it, from cJSON's allocator. */
static cJSON *new_node(int type, size_t extra) {
    cJSON *n = cJSON_malloc(sizeof(cJSON) + extra);
    if (n) {
        memset(n, 0, sizeof *n);
        n->type = type;
    }
    return n;
}

/* A leaf whose valuestring is a copy of the n bytes at s, in the node's own allocation. */
static cJSON *text_node(int type, const char *s, size_t n) {
    cJSON *v = new_node(type | cJSON_IsReference, n + 1);
    if (v) {
        v->valuestring = (char *)(v + 1);
        memcpy(v->valuestring, s, n);
        v->valuestring[n] = '\0';
    }
    return v;
}

cJSON *ak_json_new_string(const char *s, size_t n) { return text_node(cJSON_String, s, n); }

bool ak_json_add_member(cJSON *obj, const char *key, size_t klen, cJSON *item) {
    ak_static_keys_init();
    const char *k = ak_static_key(key, klen);
    return k ? cJSON_AddItemToObjectCS(obj, k, item) : cJSON_AddItemToObject(obj, key, item);
}

static int hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Unescapes the string body [s, e) (escapes present) into dst, which has room for e - s + 1
 * bytes (no escape decodes to more bytes than it spans). Returns the length written, or -1 for
 * an invalid escape or surrogate (cJSON's rules: a lone low surrogate or a high one not followed
 * by \uDC00-\uDFFF fails). */
static long unescape(char *dst, const char *s, const char *e) {
    char *o = dst;
    while (s < e) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        if (e - s < 2)
            return -1;
        char c = s[1];
        s += 2;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case '"':
        case '\\':
        case '/': *o++ = c; break;
        case 'u': {
            unsigned cp, lo;
            if (e - s < 4 || !hex4(s, &cp))
                return -1;
            s += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (e - s < 6 || s[0] != '\\' || s[1] != 'u' || !hex4(s + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                s += 6;
                cp = 0x10000 + (((cp & 0x3FF) << 10) | (lo & 0x3FF));
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xE0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (cp >> 18));
                *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: return -1;
        }
    }
    *o = '\0';
    return (long)(o - dst);
}

/* Finds the string starting at ps->p (a '"'): its body is [*s, *e), *escaped when it has a
 * backslash; ps->p moves past the closing quote. False when it is not terminated. */
static bool scan_string(parser *ps, const char **s, const char **e, bool *escaped) {
    const char *b = ps->p + 1;
    const char *q = memchr(b, '"', (size_t)(ps->end - b));
    if (!q)
        return false;
    const char *bs = memchr(b, '\\', (size_t)(q - b));
    *escaped = bs != NULL;
    if (bs) { /* a quote may be escaped: walk from the first backslash */
        const char *x = bs;
        while (x < ps->end && *x != '"')
            x += *x == '\\' ? 2 : 1;
        if (x >= ps->end)
            return false;
        q = x;
    }
    *s = b;
    *e = q;
    ps->p = q + 1;
    return true;
}

static cJSON *parse_string(parser *ps) {
    const char *s, *e;
    bool escaped;
    if (!scan_string(ps, &s, &e, &escaped))
        return NULL;
    if (!escaped)
        return text_node(cJSON_String, s, (size_t)(e - s));
    cJSON *v = new_node(cJSON_String | cJSON_IsReference, (size_t)(e - s) + 1);
    if (!v)
        return NULL;
    v->valuestring = (char *)(v + 1);
    if (unescape(v->valuestring, s, e) < 0) {
        cJSON_free(v);
        return NULL;
    }
    return v;
}

/* The key at ps->p: a static string (*is_const) for known keys, else an owned copy. */
static char *parse_key(parser *ps, bool *is_const) {
    const char *s, *e;
    bool escaped;
    *is_const = false;
    if (ps->p >= ps->end || *ps->p != '"' || !scan_string(ps, &s, &e, &escaped))
        return NULL;
    size_t n = (size_t)(e - s);
    if (!escaped) {
        const char *k = ak_static_key(s, n);
        if (k) {
            *is_const = true;
            return (char *)k;
        }
    }
    char *k = cJSON_malloc(n + 1);
    if (!k)
        return NULL;
    if (!escaped) {
        memcpy(k, s, n);
        k[n] = '\0';
    } else if (unescape(k, s, e) < 0) {
        cJSON_free(k);
        return NULL;
    }
    return k;
}

/* True when the integer digits [p, p+n) (no sign) are 2^53 or more. */
static bool big_digits(const char *p, size_t n) {
    while (n > 1 && *p == '0') {
        p++;
        n--;
    }
    static const char limit[] = "9007199254740992"; /* 2^53 */
    if (n != sizeof limit - 1)
        return n > sizeof limit - 1;
    return memcmp(p, limit, n) >= 0;
}

static void set_number(cJSON *v, double d) {
    v->valuedouble = d;
    if (d >= INT_MAX) /* cJSON's saturating valueint */
        v->valueint = INT_MAX;
    else if (d <= (double)INT_MIN)
        v->valueint = INT_MIN;
    else
        v->valueint = (int)d;
}

/* A number the way cJSON reads it, with strtod in the C locale's notation. */
static cJSON *parse_float(parser *ps, const char *tok, size_t n) {
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return NULL;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    const struct lconv *lc = localeconv();
    char point = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point[0] : '.';
    if (point != '.')
        for (size_t i = 0; i < n; i++)
            if (buf[i] == '.')
                buf[i] = point;
    char *after = NULL;
    double d = strtod(buf, &after);
    size_t used = (size_t)(after - buf);
    if (buf != small)
        free(buf);
    if (used == 0)
        return NULL;
    cJSON *v = new_node(cJSON_Number, 0);
    if (v) {
        set_number(v, d);
        ps->p = tok + used;
    }
    return v;
}

static cJSON *parse_number(parser *ps) {
    const char *tok = ps->p, *q = tok, *end = ps->end;
    bool neg = q < end && *q == '-';
    q += neg;
    const char *d0 = q;
    uint64_t u = 0;
    while (q < end && *q >= '0' && *q <= '9') {
        if (q - d0 < 19)
            u = u * 10 + (uint64_t)(*q - '0');
        q++;
    }
    size_t ndig = (size_t)(q - d0);
    bool integral = !(q < end && (*q == '.' || *q == 'e' || *q == 'E'));
    if (!integral || ndig == 0) { /* fractions, exponents and oddities: strtod decides */
        while (q < end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-'))
            q++;
        return parse_float(ps, tok, (size_t)(q - tok));
    }
    if (ndig >= 16 && big_digits(d0, ndig)) { /* beyond a double's exact integers: keep the digits */
        cJSON *raw = text_node(cJSON_Raw, tok, (size_t)(q - tok));
        if (raw)
            ps->p = q;
        return raw;
    }
    if (ndig > 19) /* leading zeros: u holds only the first 19 digits */
        return parse_float(ps, tok, (size_t)(q - tok));
    cJSON *v = new_node(cJSON_Number, 0);
    if (v) { /* below 2^53 (or 15 digits): exact */
        double d = (double)u;
        set_number(v, neg ? -d : d);
        ps->p = q;
    }
    return v;
}

static bool literal(parser *ps, const char *word, size_t n) {
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

/* Links `item` after `*tail` under `parent`. */
static void append(cJSON *parent, cJSON **tail, cJSON *item) {
    if (*tail) {
        (*tail)->next = item;
        item->prev = *tail;
    } else {
        parent->child = item;
    }
    *tail = item;
}

/* After an element of an array or object closed by `close`: 1 when another follows (past its
 * ','), 0 at the end (past `close`), -1 for anything else. */
static int next_element(parser *ps, char close) {
    skip_ws(ps);
    if (ps->p >= ps->end)
        return -1;
    char c = *ps->p++;
    return c == ',' ? 1 : c == close ? 0 : -1;
}

/* True when the container just opened at ps->p is empty (moves past its `close`). */
static bool opened_empty(parser *ps, char close) {
    ps->p++; /* '[' or '{' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    return false;
}

static cJSON *parse_array(parser *ps) {
    cJSON *a = new_node(cJSON_Array, 0), *tail = NULL;
    if (!a || opened_empty(ps, ']'))
        return a;
    int more;
    do {
        skip_ws(ps);
        cJSON *v = parse_value(ps);
        if (!v) {
            cJSON_Delete(a);
            return NULL;
        }
        append(a, &tail, v);
    } while ((more = next_element(ps, ']')) > 0);
    if (more < 0) {
        cJSON_Delete(a);
        return NULL;
    }
    a->child->prev = tail; /* cJSON keeps the last item there */
    return a;
}

static cJSON *parse_object(parser *ps) {
    cJSON *o = new_node(cJSON_Object, 0), *tail = NULL;
    if (!o || opened_empty(ps, '}'))
        return o;
    int more;
    do {
        skip_ws(ps);
        bool is_const;
        char *key = parse_key(ps, &is_const);
        if (!key) {
            cJSON_Delete(o);
            return NULL;
        }
        skip_ws(ps);
        cJSON *v = NULL;
        if (ps->p < ps->end && *ps->p == ':') {
            ps->p++;
            skip_ws(ps);
            v = parse_value(ps);
        }
        if (!v) {
            if (!is_const)
                cJSON_free(key);
            cJSON_Delete(o);
            return NULL;
        }
        v->string = key;
        if (is_const)
            v->type |= cJSON_StringIsConst;
        append(o, &tail, v);
    } while ((more = next_element(ps, '}')) > 0);
    if (more < 0) {
        cJSON_Delete(o);
        return NULL;
    }
    o->child->prev = tail;
    return o;
}

static cJSON *parse_value(parser *ps) {
    if (ps->p >= ps->end)
        return NULL;
    cJSON *v;
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > MAX_DEPTH)
            return NULL;
        v = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
        ps->depth--;
        return v;
    case '"': return parse_string(ps);
    case 'n': return literal(ps, "null", 4) ? new_node(cJSON_NULL, 0) : NULL;
    case 'f': return literal(ps, "false", 5) ? new_node(cJSON_False, 0) : NULL;
    case 't':
        if (!literal(ps, "true", 4))
            return NULL;
        v = new_node(cJSON_True, 0);
        if (v)
            v->valueint = 1;
        return v;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
        return NULL;
    }
}

cJSON *ak_json_parse(const char *text, size_t len) {
    if (!text || !len)
        return NULL;
    ak_static_keys_init();
    parser ps = {text, text + len, 0};
    if (len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* cJSON skips one only before 2+ bytes */
        ps.p += 3;
    skip_ws(&ps);
    return parse_value(&ps);
}
