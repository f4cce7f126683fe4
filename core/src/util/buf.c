/* buf.c - growable byte buffer and string helpers. */
#include "../internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ak_buf_free(ak_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

bool ak_buf_reserve(ak_buf *b, size_t extra) {
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

bool ak_buf_append(ak_buf *b, const char *s, size_t n) {
    if (!ak_buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

bool ak_buf_puts(ak_buf *b, const char *s) { return ak_buf_append(b, s, strlen(s)); }

bool ak_buf_printf(ak_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !ak_buf_reserve(b, (size_t)n)) {
        va_end(ap2);
        return false;
    }
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return true;
}

/* 1 for the bytes RFC 3986 leaves bare: A-Z a-z 0-9 - _ . ~ */
static const unsigned char unreserved[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

bool ak_buf_urlencode(ak_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    if (!ak_buf_reserve(b, n * 3))
        return false;
    char *out = b->p + b->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (unreserved[ch]) {
            *out++ = (char)ch;
        } else {
            *out++ = '%';
            *out++ = hex[ch >> 4];
            *out++ = hex[ch & 15];
        }
    }
    b->len = (size_t)(out - b->p);
    b->p[b->len] = '\0';
    return true;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

bool ak_buf_canonical_path(ak_buf *b, const char *path) {
    if (!*path)
        return ak_buf_puts(b, "/");
    for (const char *p = path; *p; p++) {
        char ch = *p;
        if (ch == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            ch = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        }
        if (!(ch == '/' ? ak_buf_puts(b, "/") : ak_buf_urlencode(b, &ch, 1)))
            return false;
    }
    return true;
}

char *ak_buf_take(ak_buf *b) {
    if (b->oom) {
        ak_buf_free(b);
        return NULL;
    }
    if (!b->p && !ak_buf_append(b, "", 0))
        return NULL;
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

char *ak_strndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ak_strdup(const char *s) { return s ? ak_strndup(s, strlen(s)) : NULL; }

void ak_strlcpy(char *dst, const char *src, size_t cap) {
    if (!cap)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        /* do not cut a UTF-8 sequence in half */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}
