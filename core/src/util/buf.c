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

static bool ak_buf_reserve(ak_buf *b, size_t extra) {
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

bool ak_buf_urlencode(ak_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    if (!ak_buf_reserve(b, n * 3))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '_' || ch == '.' || ch == '~') {
            b->p[b->len++] = (char)ch;
        } else {
            b->p[b->len++] = '%';
            b->p[b->len++] = hex[ch >> 4];
            b->p[b->len++] = hex[ch & 15];
        }
    }
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
