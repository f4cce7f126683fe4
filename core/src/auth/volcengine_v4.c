/* auth/volcengine_v4.c - Volcengine OpenAPI V4 HMAC-SHA256 request signing (shared/VENDORS.md,
 * "Volcengine V4 signing"; the official Python SDK's volcengine.auth.SignerV4 is the oracle of the
 * known-answer vectors in tests/golden/volcengine_live/).
 *
 * Runs for every attempt, so each retry carries a fresh X-Date and signature from the client's
 * (injectable) clock. It signs exactly what is sent:
 *   - the query pairs are put in canonical order in place (stable sort on the raw name, as the SDK's
 *     sorted(dict) does) so the URL the engine builds from them IS the canonical query string
 *     (both use the same strict RFC 3986 encoder: only A-Za-z0-9-_.~ bare, space = %20);
 *   - the canonical URI is the full path as sent: base_url's path prefix (the sandbox's
 *     "/volcengine_live") + the operation path, percent-decoded as a server reads it, then
 *     percent-encoded with '/' kept (for a plain path exactly the SDK's quote(path));
 *   - the Host header is added explicitly (without :80/:443, other ports kept: the sandbox runs
 *     on a random port) so transports send the very value that was signed;
 *   - X-Content-Sha256 is the hex SHA-256 of the exact body bytes.
 * Signed headers: Content-Type, Content-Md5, Host and every X-* header, lower-cased and sorted.
 * Secrets (secret_key, session_token) never appear in error messages. */
#include "../internal.h"
#include "../util/crypto.h"
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define VOLC_SERVICE "livesaas"
#define VOLC_DEFAULT_REGION "cn-north-1"
#define VOLC_ALGORITHM "HMAC-SHA256"

/* The authority ("host[:port]") and path prefix of the base URL (borrowed slices). */
static void split_base(const char *base, const char **host, size_t *hlen, const char **prefix) {
    const char *p = strstr(base, "://");
    p = p ? p + 3 : base;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p)); /* drop userinfo if any */
    if (at)
        p = at + 1;
    *host = p;
    *hlen = (size_t)(end - p);
    *prefix = end[0] == '/' ? end : "";
    /* a base URL never carries a query here (ak_client_new keeps it as given; the engine appends
     * the operation path), so the prefix ends where the string does */
}

/* Host as signed: without a default port (":80"/":443"), other ports kept. */
static char *host_value(const char *host, size_t n) {
    const char *colon = NULL;
    for (size_t i = n; i > 0; i--) {
        if (host[i - 1] == ':') {
            colon = host + i - 1;
            break;
        }
        if (host[i - 1] == ']' || !isdigit((unsigned char)host[i - 1]))
            break;
    }
    if (colon) {
        size_t plen = n - (size_t)(colon - host) - 1;
        if ((plen == 2 && memcmp(colon + 1, "80", 2) == 0) || (plen == 3 && memcmp(colon + 1, "443", 3) == 0))
            n = (size_t)(colon - host);
    }
    return ak_strndup(host, n);
}

static const char *header_value(const ak_req_build *rb, const char *name) {
    for (size_t i = 0; i < rb->nheaders; i++)
        if (strcasecmp(rb->headers[i].name, name) == 0)
            return rb->headers[i].value;
    return NULL;
}

static bool is_signed_header(const char *name) {
    return strcasecmp(name, "content-type") == 0 || strcasecmp(name, "content-md5") == 0 ||
           strcasecmp(name, "host") == 0 || strncasecmp(name, "x-", 2) == 0;
}

/* Stable insertion sort of the query pairs by raw name (byte order = code point order in UTF-8,
 * like Python's sorted() in the SDK); pairs with one name keep their order. */
static void sort_query(ak_req_build *rb) {
    for (size_t i = 1; i < rb->nquery; i++) {
        ak_kv x = rb->query[i];
        size_t j = i;
        while (j > 0 && strcmp(rb->query[j - 1].name, x.name) > 0) {
            rb->query[j] = rb->query[j - 1];
            j--;
        }
        rb->query[j] = x;
    }
}

typedef struct signed_hdr {
    char *lname; /* owned, lower-cased */
    const char *value;
} signed_hdr;

static int cmp_hdr(const void *a, const void *b) {
    const signed_hdr *x = a, *y = b;
    return strcmp(x->lname, y->lname);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32]) {
    ak_hmac_sha256(key, klen, msg, strlen(msg), out);
}

int ak_auth_volcengine_v4(ak_client *c, ak_req_build *rb, ak_error *err) {
    const char *ak = ak_client_credential(c, "access_key");
    const char *sk = ak_client_credential(c, "secret_key");
    const char *token = ak_client_credential(c, "session_token");
    const char *region = ak_client_credential(c, "region");
    if (!region || !*region)
        region = VOLC_DEFAULT_REGION;
    if (!ak || !sk) { /* ak_client_new checked them; a defensive message without values */
        ak_error_set(err, AK_ERR_AUTH, "volcengine_live: access_key and secret_key are required");
        return AK_FAIL;
    }

    /* X-Date from the client's clock (UTC) */
    char xdate[32], day[9];
    int64_t ms = ak_client_now_ms(c);
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) || strftime(xdate, sizeof xdate, "%Y%m%dT%H%M%SZ", &tm) != 16) {
        ak_error_set(err, AK_ERR_AUTH, "volcengine_live: the clock gives no valid UTC time");
        return AK_FAIL;
    }
    memcpy(day, xdate, 8);
    day[8] = '\0';

    char body_hash[65];
    ak_sha256_hex(rb->body ? rb->body : "", rb->body ? rb->body_len : 0, body_hash);

    const char *host;
    size_t hlen;
    const char *prefix;
    split_base(c->base_url, &host, &hlen, &prefix);

    ak_buf creq = {0}, sts = {0}, auth = {0}, scope = {0}, shl = {0};
    char *hv = NULL;
    signed_hdr *sh = NULL;
    size_t nsh = 0;
    int rc = AK_FAIL;

    /* the headers the SDK adds, in its order: Host (when absent), X-Date, X-Security-Token,
     * X-Content-Sha256; then Authorization */
    if (!header_value(rb, "host")) {
        if (!(hv = host_value(host, hlen)) || !ak_rb_add_header(rb, "Host", hv))
            goto nomem;
    }
    if (!ak_rb_add_header(rb, "X-Date", xdate))
        goto nomem;
    if (token && *token && !ak_rb_add_header(rb, "X-Security-Token", token))
        goto nomem;
    if (!ak_rb_add_header(rb, "X-Content-Sha256", body_hash))
        goto nomem;
    sort_query(rb);

    /* canonical request */
    ak_buf_puts(&creq, rb->method);
    ak_buf_puts(&creq, "\n");
    {
        /* the path as the server reads it (decoded), re-encoded with '/' kept; a base URL given
         * already percent-encoded ("/a%20b") signs as "/a%20b", not "/a%2520b" */
        ak_buf fp = {0};
        ak_buf_puts(&fp, prefix);
        ak_buf_puts(&fp, rb->path ? rb->path : "");
        char *full = ak_buf_take(&fp);
        if (!full)
            goto nomem;
        ak_buf_canonical_path(&creq, full);
        free(full);
    }
    ak_buf_puts(&creq, "\n");
    for (size_t i = 0; i < rb->nquery; i++) {
        if (i)
            ak_buf_puts(&creq, "&");
        ak_buf_urlencode(&creq, rb->query[i].name, strlen(rb->query[i].name));
        ak_buf_puts(&creq, "=");
        ak_buf_urlencode(&creq, rb->query[i].value, strlen(rb->query[i].value));
    }
    ak_buf_puts(&creq, "\n");

    sh = calloc(rb->nheaders ? rb->nheaders : 1, sizeof *sh);
    if (!sh)
        goto nomem;
    for (size_t i = 0; i < rb->nheaders; i++) {
        if (!is_signed_header(rb->headers[i].name))
            continue;
        char *l = ak_strdup(rb->headers[i].name);
        if (!l)
            goto nomem;
        for (char *q = l; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        sh[nsh].lname = l;
        sh[nsh].value = rb->headers[i].value;
        nsh++;                        /* owned by sh from here (freed on every path) */
        if (strcmp(l, "host") == 0) { /* signed without a default port, whatever was given */
            free(hv);
            if (!(hv = host_value(rb->headers[i].value, strlen(rb->headers[i].value))))
                goto nomem;
            sh[nsh - 1].value = hv;
        }
    }
    /* qsort is not stable, but the SDK's dict cannot hold two headers of one name either; ties
     * only arise from a caller-added duplicate, whose order the engine keeps on the wire */
    qsort(sh, nsh, sizeof *sh, cmp_hdr);
    for (size_t i = 0; i < nsh; i++) {
        ak_buf_printf(&creq, "%s:%s\n", sh[i].lname, sh[i].value);
        ak_buf_puts(&shl, i ? ";" : "");
        ak_buf_puts(&shl, sh[i].lname);
    }
    ak_buf_puts(&creq, "\n");
    ak_buf_puts(&creq, shl.p ? shl.p : "");
    ak_buf_puts(&creq, "\n");
    ak_buf_puts(&creq, body_hash);
    if (creq.oom || shl.oom)
        goto nomem;

    /* string to sign and the kDate..kSigning chain */
    char creq_hash[65];
    ak_sha256_hex(creq.p, creq.len, creq_hash);
    ak_buf_printf(&scope, "%s/%s/%s/request", day, region, VOLC_SERVICE);
    ak_buf_printf(&sts, "%s\n%s\n%s\n%s", VOLC_ALGORITHM, xdate, scope.p ? scope.p : "", creq_hash);
    if (scope.oom || sts.oom)
        goto nomem;
    unsigned char k[32], sig[32];
    ak_hmac_sha256(sk, strlen(sk), day, strlen(day), k);
    hmac(k, sizeof k, region, k);
    hmac(k, sizeof k, VOLC_SERVICE, k);
    hmac(k, sizeof k, "request", k);
    ak_hmac_sha256(k, sizeof k, sts.p, sts.len, sig);
    char sighex[65];
    ak_hex(sig, sizeof sig, sighex);
    ak_buf_printf(&auth, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", VOLC_ALGORITHM, ak, scope.p,
                  shl.p ? shl.p : "", sighex);
    if (auth.oom || !ak_rb_add_header(rb, "Authorization", auth.p))
        goto nomem;
    rc = AK_OK;
    goto out;

nomem:
    ak_error_nomem(err);
out:
    for (size_t i = 0; i < nsh; i++)
        free(sh[i].lname);
    free(sh);
    free(hv);
    ak_buf_free(&creq);
    ak_buf_free(&sts);
    ak_buf_free(&auth);
    ak_buf_free(&scope);
    ak_buf_free(&shl);
    return rc;
}

/* A credential that travels in a header must not be able to inject another header line. */
static bool has_ctl(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

int ak_auth_volcengine_check(const ak_client *c, ak_error *err) {
    int rc = AK_OK;
    static const char *const required[] = {"access_key", "secret_key"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = ak_client_credential(c, required[i]);
        char rule[160];
        snprintf(rule, sizeof rule, "is required (pass %s= or set AUDKIT_VOLCENGINE_LIVE_%s)", required[i],
                 i == 0 ? "ACCESS_KEY" : "SECRET_KEY");
        if (!v || !*v) {
            ak_error_add_violation(err, required[i], rule);
            rc = AK_FAIL;
        }
    }
    const char *ak = ak_client_credential(c, "access_key");
    if (ak && *ak && (has_ctl(ak) || strpbrk(ak, " /,"))) {
        ak_error_add_violation(err, "access_key", "must not contain spaces, '/', ',' or control characters");
        rc = AK_FAIL;
    }
    /* an empty session_token means "no STS token", as in the SDK (credentials.session_token == '') */
    const char *token = ak_client_credential(c, "session_token");
    if (token && has_ctl(token)) {
        ak_error_add_violation(err, "session_token", "must not contain control characters");
        rc = AK_FAIL;
    }
    /* region is optional (default cn-north-1); when given it must be a non-empty region name: it is
     * part of the credential scope "YYYYMMDD/region/livesaas/request" */
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->credentials, "region");
    if (r) {
        const char *v = cJSON_IsString(r) ? r->valuestring : NULL;
        bool ok = v && *v;
        for (const char *q = v; ok && *q; q++)
            ok = isalnum((unsigned char)*q) || *q == '-' || *q == '_';
        if (!ok) {
            ak_error_add_violation(err, "region",
                                   "must be a non-empty region name like cn-north-1 "
                                   "(letters, digits, '-' and '_')");
            rc = AK_FAIL;
        }
    }
    return rc;
}
