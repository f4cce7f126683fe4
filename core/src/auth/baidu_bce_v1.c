/* auth/baidu_bce_v1.c - Baidu search ads authentication, both flavours (shared/VENDORS.md):
 *
 *  - every request body becomes {"header": {credentials in wire names}, "body": {parameters}};
 *  - cloud flavour (sem.baidubce.com, the seed's): header opUsername, opPassword, tgUsername,
 *    tgPassword, tgSubname, bceUser, plus a BCE v1 Authorization header computed afresh for every
 *    attempt from the client clock. Signed: content-type, host, x-bce-content-sha256 (hex SHA-256
 *    of the exact body bytes, so a body changed after signing no longer verifies) and x-bce-date;
 *  - direct flavour (api.baidu.com, the official SDK's): header userName, accessToken and the
 *    optional target; no signature.
 * The flavour follows from which credentials are given; mixing them is a validation error. */
#include "baidu_bce_v1.h"

#include "../util/crypto.h"
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const cloud_names[] = {"op_username", "op_password", "tg_username", "tg_password", "tg_subname",
                                          "bce_user",    "access_key",  "secret_key",  NULL};
/* wire names in the request header, parallel to the first six cloud names */
static const char *const cloud_wire[] = {"opUsername", "opPassword", "tgUsername", "tgPassword",
                                         "tgSubname",  "bceUser",    NULL};
static const char *const direct_names[] = {"user_name", "access_token", "target", NULL};
static const char *const direct_wire[] = {"userName", "accessToken", "target", NULL};
static const char *const direct_required[] = {"user_name", "access_token", NULL};

/* Headers the cloud flavour signs, sorted (x-bce-* ones are signed by BCE v1 in any case). */
static const char *const signed_headers[] = {"content-type", "host", "x-bce-content-sha256", "x-bce-date", NULL};

static bool has(const ak_client *c, const char *name) { return ak_client_credential(c, name) != NULL; }

static int count_given(const ak_client *c, const char *const *names) {
    int n = 0;
    for (; *names; names++)
        n += has(c, *names);
    return n;
}

ak_baidu_flavour ak_baidu_flavour_of(const ak_client *c) {
    if (count_given(c, cloud_names))
        return AK_BAIDU_CLOUD;
    if (count_given(c, direct_names))
        return AK_BAIDU_DIRECT;
    return AK_BAIDU_NONE;
}

/* Appends "a, b, c" of the given credential names. */
static void given_names(ak_buf *b, const ak_client *c, const char *const *names) {
    bool first = true;
    for (; *names; names++)
        if (has(c, *names)) {
            ak_buf_printf(b, "%s%s", first ? "" : ", ", *names);
            first = false;
        }
}

static void require(const ak_client *c, const char *const *names, const char *flavour, ak_error *err) {
    for (; *names; names++) {
        const char *v = ak_client_credential(c, *names);
        if (v && *v)
            continue;
        char upper[64], rule[256];
        size_t i = 0;
        for (; (*names)[i] && i < sizeof upper - 1; i++)
            upper[i] = (char)((*names)[i] >= 'a' && (*names)[i] <= 'z' ? (*names)[i] - 32 : (*names)[i]);
        upper[i] = '\0';
        snprintf(rule, sizeof rule, "is required for the %s flavour (pass %s= or set AUDKIT_BAIDU_SEARCH_%s)", flavour,
                 *names, upper);
        ak_error_add_violation(err, *names, rule);
    }
}

int ak_auth_baidu_check(const ak_client *c, ak_error *err) {
    size_t before = err->nviolations;
    int ncloud = count_given(c, cloud_names), ndirect = count_given(c, direct_names);
    if (ncloud && ndirect) {
        ak_buf b = {0};
        ak_buf_puts(&b, "mixes the cloud flavour (");
        given_names(&b, c, cloud_names);
        ak_buf_puts(&b, ") with the direct flavour (");
        given_names(&b, c, direct_names);
        ak_buf_puts(&b, "): give one flavour's credentials");
        ak_error_add_violation(err, "credentials", b.p ? b.p : "mixes the cloud and direct flavours");
        ak_buf_free(&b);
    } else if (ncloud) {
        require(c, cloud_names, "cloud", err);
    } else if (ndirect) {
        require(c, direct_required, "direct", err);
    } else {
        ak_error_add_violation(err, "credentials",
                               "are required: the cloud flavour needs op_username, op_password, tg_username, "
                               "tg_password, tg_subname, bce_user, access_key, secret_key; the direct flavour "
                               "needs user_name and access_token (target optional)");
    }
    return err->nviolations > before ? AK_FAIL : AK_OK;
}

/* API.md: with direct credentials and no base_url the client uses the direct flavour's default. */
const char *ak_baidu_default_base_url(const ak_client *c) {
    return ak_baidu_flavour_of(c) == AK_BAIDU_DIRECT ? AK_BAIDU_DIRECT_BASE_URL : NULL;
}

/* ---- BCE v1 ---- */

void ak_bce_v1_time(int64_t t, char out[32]) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        memset(&tm, 0, sizeof tm);
    /* strftime: no truncation warnings for out-of-range fields */
    if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        out[0] = '\0';
}

static bool is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Trimmed view of s (Python bytes.strip()). */
static const char *trim(const char *s, size_t *n) {
    size_t len = strlen(s);
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    *n = len;
    return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorts `lines` and appends them joined by `sep`. */
static void join_sorted(ak_buf *b, char **lines, size_t n, const char *sep) {
    qsort(lines, n, sizeof *lines, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ak_buf_puts(b, sep);
        ak_buf_puts(b, lines[i]);
    }
}

static void free_lines(char **lines, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

static bool in_list(const char *const *list, const char *name, size_t n) {
    for (; list && *list; list++)
        if (strlen(*list) == n && strncmp(*list, name, n) == 0)
            return true;
    return false;
}

int ak_bce_v1_sign(const char *access_key, const char *secret_key, const char *method, const char *path,
                   const ak_kv *query, size_t nquery, const ak_kv *headers, size_t nheaders, int64_t timestamp,
                   int expiration, const char *const *headers_to_sign, char **out, ak_error *err) {
    static const char *const default_signed[] = {"host", "content-md5", "content-length", "content-type", NULL};
    ak_buf prefix = {0}, canon = {0}, result = {0};
    char **lines = calloc((nquery > nheaders ? nquery : nheaders) + 1, sizeof *lines);
    size_t nlines = 0;
    char date[32];
    *out = NULL;
    if (!lines)
        goto nomem;
    ak_bce_v1_time(timestamp, date);
    bool explicit_list = headers_to_sign && headers_to_sign[0];
    const char *const *sign_set = explicit_list ? headers_to_sign : default_signed;
    ak_buf_printf(&prefix, "bce-auth-v1/%s/%s/%d", access_key, date, expiration);

    ak_buf_puts(&canon, method);
    ak_buf_puts(&canon, "\n");
    ak_buf_canonical_path(&canon, path ? path : "");
    ak_buf_puts(&canon, "\n");
    for (size_t i = 0; i < nquery; i++) {
        ak_buf q = {0};
        ak_buf_urlencode(&q, query[i].name, strlen(query[i].name));
        ak_buf_puts(&q, "=");
        ak_buf_urlencode(&q, query[i].value, strlen(query[i].value));
        if (!(lines[nlines++] = ak_buf_take(&q)))
            goto nomem;
    }
    join_sorted(&canon, lines, nlines, "&");
    ak_buf_puts(&canon, "\n");
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    nlines = 0;
    for (size_t i = 0; i < nheaders; i++) {
        size_t kn, vn;
        const char *k = trim(headers[i].name, &kn), *v = trim(headers[i].value, &vn);
        if (!vn)
            continue; /* headers with empty values are not signed */
        char lower[128];
        if (kn >= sizeof lower)
            continue;
        for (size_t j = 0; j < kn; j++)
            lower[j] = (char)(k[j] >= 'A' && k[j] <= 'Z' ? k[j] + 32 : k[j]);
        lower[kn] = '\0';
        if (strncmp(lower, "x-bce-", 6) != 0 && !in_list(sign_set, lower, kn))
            continue;
        ak_buf h = {0};
        ak_buf_urlencode(&h, lower, kn);
        ak_buf_puts(&h, ":");
        ak_buf_urlencode(&h, v, vn);
        if (!(lines[nlines++] = ak_buf_take(&h)))
            goto nomem;
    }
    join_sorted(&canon, lines, nlines, "\n");
    if (prefix.oom || canon.oom || !prefix.p || !canon.p)
        goto nomem;

    unsigned char mac[32];
    char key_hex[65], sig_hex[65];
    if (!ak_hmac_sha256(secret_key, strlen(secret_key), prefix.p, prefix.len, mac))
        goto nomem;
    ak_hex(mac, 32, key_hex);
    if (!ak_hmac_sha256(key_hex, 64, canon.p, canon.len, mac))
        goto nomem;
    ak_hex(mac, 32, sig_hex);
    ak_buf_puts(&result, prefix.p);
    ak_buf_puts(&result, "/");
    for (const char *const *h = explicit_list ? headers_to_sign : NULL; h && *h; h++)
        ak_buf_printf(&result, "%s%s", h == headers_to_sign ? "" : ";", *h);
    ak_buf_puts(&result, "/");
    ak_buf_puts(&result, sig_hex);
    if (result.oom || !(*out = ak_buf_take(&result)))
        goto nomem;
    free_lines(lines, nlines);
    ak_buf_free(&prefix);
    ak_buf_free(&canon);
    return AK_OK;
nomem:
    if (lines)
        free_lines(lines, nlines);
    ak_buf_free(&prefix);
    ak_buf_free(&canon);
    ak_buf_free(&result);
    ak_error_nomem(err);
    return AK_FAIL;
}

/* Host (with port, without userinfo) and path prefix of the base URL. */
static bool split_base(const char *base, char **host, const char **prefix) {
    const char *p = strstr(base, "://");
    p = p ? p + 3 : base;
    const char *slash = strchr(p, '/');
    const char *end = slash ? slash : p + strlen(p);
    for (const char *at = p; at < end; at++)
        if (*at == '@')
            p = at + 1;
    *host = ak_strndup(p, (size_t)(end - p));
    *prefix = slash ? slash : "";
    return *host != NULL;
}

static int sign_request(ak_client *c, ak_req_build *rb, ak_error *err) {
    char *host = NULL, *auth = NULL, date[32], sha[65];
    const char *prefix = "";
    ak_buf path = {0};
    int rc = AK_FAIL;
    if (!split_base(c->base_url ? c->base_url : "", &host, &prefix)) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    ak_bce_v1_time(ak_client_now_ms(c) / 1000, date);
    ak_sha256_hex(rb->body ? rb->body : "", rb->body_len, sha);
    ak_buf_puts(&path, prefix);
    ak_buf_puts(&path, rb->path ? rb->path : "");
    if (path.oom || !ak_rb_add_header(rb, "Host", host) || !ak_rb_add_header(rb, "x-bce-date", date) ||
        !ak_rb_add_header(rb, "x-bce-content-sha256", sha)) {
        ak_error_nomem(err);
        goto out;
    }
    const char *ak = ak_client_credential(c, "access_key"), *sk = ak_client_credential(c, "secret_key");
    if (ak_bce_v1_sign(ak ? ak : "", sk ? sk : "", rb->method, path.p ? path.p : "/", rb->query, rb->nquery,
                       rb->headers, rb->nheaders, ak_client_now_ms(c) / 1000, AK_BCE_V1_EXPIRATION, signed_headers,
                       &auth, err) != AK_OK)
        goto out;
    if (!ak_rb_add_header(rb, "Authorization", auth)) {
        ak_error_nomem(err);
        goto out;
    }
    rc = AK_OK;
out:
    free(host);
    free(auth);
    ak_buf_free(&path);
    return rc;
}

/* Wraps the parameters into {"header": {...}, "body": {...}}. */
static int wrap_body(ak_client *c, ak_baidu_flavour fl, ak_req_build *rb, ak_error *err) {
    /* {"header": {credentials}, "body": <the parameters as the engine printed them>}: the body text
     * is spliced in, never parsed and printed again (a batch request carries 10000 items) */
    cJSON *header = cJSON_CreateObject();
    char *htext = NULL;
    if (!header)
        goto nomem;
    const char *const *names = fl == AK_BAIDU_CLOUD ? cloud_names : direct_names;
    const char *const *wire = fl == AK_BAIDU_CLOUD ? cloud_wire : direct_wire;
    for (size_t i = 0; wire[i]; i++) {
        const char *v = ak_client_credential(c, names[i]);
        if (v && !cJSON_AddStringToObject(header, wire[i], v))
            goto nomem;
    }
    if (!(htext = ak_json_print(header)))
        goto nomem;
    ak_buf b = {0};
    ak_buf_puts(&b, "{\"header\":");
    ak_buf_puts(&b, htext);
    ak_buf_puts(&b, ",\"body\":");
    if (rb->body && rb->body_len)
        ak_buf_append(&b, rb->body, rb->body_len);
    else
        ak_buf_puts(&b, "{}");
    ak_buf_puts(&b, "}");
    size_t len = b.len;
    char *text = ak_buf_take(&b);
    if (!text)
        goto nomem;
    bool had_body = rb->body != NULL;
    if (!rb->body_borrowed) /* the call's body, lent to this attempt: not ours to free */
        free(rb->body);
    rb->body = text;
    rb->body_borrowed = false;
    rb->body_len = len;
    free(htext);
    cJSON_Delete(header);
    if (!had_body && !ak_rb_add_header(rb, "Content-Type", "application/json")) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    return AK_OK;
nomem:
    free(htext);
    cJSON_Delete(header);
    ak_error_nomem(err);
    return AK_FAIL;
}

int ak_auth_baidu(ak_client *c, ak_req_build *rb, ak_error *err) {
    ak_baidu_flavour fl = ak_baidu_flavour_of(c);
    if (fl == AK_BAIDU_NONE) {
        ak_error_add_violation(err, "credentials", "are required");
        return AK_FAIL;
    }
    if (wrap_body(c, fl, rb, err) != AK_OK)
        return AK_FAIL;
    return fl == AK_BAIDU_CLOUD ? sign_request(c, rb, err) : AK_OK;
}
