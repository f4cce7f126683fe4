/* curl_easy.c - the libcurl transport: one reused easy handle per transport, so connections
 * are pooled and kept alive across calls; gzip; HTTP/2 when offered; proxy; TLS verification. */
#include "curl_tp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Progress callback: polls the driver's interrupt hook at most every 100 ms. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    curl_tp *t = ud;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    int64_t now = ak_mono_ms();
    if (now - t->last_poll_ms < 100)
        return 0;
    t->last_poll_ms = now;
    if (t->req->interrupted(t->req->interrupted_ud)) {
        t->interrupted = true;
        return 1; /* abort the transfer */
    }
    return 0;
}

/* The body arrives decompressed here, so the limit bounds memory whatever the encoding. */
static size_t on_body(char *ptr, size_t size, size_t n, void *ud) {
    curl_tp *t = ud;
    size_t max = t->req->max_response_bytes;
    if (t->req->body_sink) {
        /* streamed result: decided once the status is known (the first body bytes) */
        if (t->streaming < 0) {
            long status = 0;
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
            t->streaming = status >= 200 && status < 300;
        }
        if (t->streaming)
            return t->req->body_sink(t->req->body_sink_ud, ptr, size * n) == 0 ? size * n : 0;
        if (!max)
            max = AK_STREAM_ERROR_BODY_MAX; /* an error body: buffered, bounded */
    }
    if (max && (size * n > max || t->body.len > max - size * n)) {
        t->too_big = true;
        return 0; /* aborts the transfer (CURLE_WRITE_ERROR) */
    }
    return ak_buf_append(&t->body, ptr, size * n) ? size * n : 0;
}

#if LIBCURL_VERSION_NUM >= 0x075000 /* 7.80.0: CURLOPT_PREREQFUNCTION */
#define AK_HAVE_PREREQ 1
/* Called by libcurl right before it sends a request on a connection, for every attempt: the first
 * goes, a second one (libcurl retrying on a fresh connection because a reused one closed after the
 * request was written) is refused, so a non-idempotent request is never sent twice behind the
 * engine's back. The body itself goes with the headers (POSTFIELDS: one packet). */
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port) {
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    curl_tp *t = ud;
    if (t->prereq_calls++ > 0) {
        t->resend_refused = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}
#endif

#ifndef AK_HAVE_PREREQ
/* Upload of a non-idempotent request's body. With no seek callback libcurl cannot rewind it, so
 * it cannot silently resend the request on a fresh connection after a reused one dropped once
 * the body was written (it fails with CURLE_SEND_FAIL_REWIND instead): the engine decides. */
static size_t on_read(char *dst, size_t size, size_t n, void *ud) {
    curl_tp *t = ud;
    size_t left = t->req->body_len - t->body_off, want = size * n;
    size_t k = left < want ? left : want;
    if (k)
        memcpy(dst, t->req->body + t->body_off, k);
    t->body_off += k;
    return k;
}
#endif

/* Streamed upload: pulls the body from the request's reader (no seek function either: a reader
 * cannot be rewound, so libcurl can never resend it by itself). */
static size_t on_stream_read(char *dst, size_t size, size_t n, void *ud) {
    curl_tp *t = ud;
    int64_t k = t->req->body_reader(t->req->body_reader_ud, dst, size * n);
    return k < 0 ? CURL_READFUNC_ABORT : (size_t)k;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *ud) {
    curl_tp *t = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(ptr, "HTTP/", 5) == 0)
        t->hdr_text.len = 0; /* a new response (after 100-continue or a redirect) */
    return ak_buf_append(&t->hdr_text, ptr, len) ? len : 0;
}

/* Splits "Name: value\r\n" lines in hdr_text into t->headers (in place). */
static void parse_headers(curl_tp *t) {
    free(t->headers);
    t->headers = NULL;
    t->nheaders = 0;
    if (!t->hdr_text.p)
        return;
    size_t cap = 0;
    for (char *p = t->hdr_text.p; *p; p++)
        cap += *p == '\n';
    t->headers = calloc(cap + 1, sizeof *t->headers);
    if (!t->headers)
        return;
    char *line = t->hdr_text.p;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        char *colon = strchr(line, ':');
        if (colon && strncmp(line, "HTTP/", 5) != 0) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            t->headers[t->nheaders].name = line;
            t->headers[t->nheaders].value = v;
            t->nheaders++;
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* The options every transfer of the handle shares, set once when the handle is made (a
 * curl_easy_reset per call, and libcurl re-reading them, cost about 4k instructions a call). */
static void set_fixed_options(curl_tp *t) {
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, t);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, t->verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, t->verify ? 2L : 0L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_USERAGENT, t->user_agent ? t->user_agent : "audkit/" AK_VERSION_STRING);
    if (t->proxy)
        curl_easy_setopt(e, CURLOPT_PROXY, t->proxy);
    if (t->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
}

/* Sets the handle up for `req` (borrowed until ak_curl_finish); the header list is t->hl. Every
 * option a previous request may have set differently is set again here. */
void ak_curl_prepare(curl_tp *t, const ak_request *req) {
    struct curl_slist *hl = NULL;
    t->body.len = 0;
    t->hdr_text.len = 0;
    if (t->body.p)
        t->body.p[0] = '\0';
    if (t->hdr_text.p)
        t->hdr_text.p[0] = '\0';
    t->errbuf[0] = '\0';

    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 30000L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L);
    t->req = req;
    t->interrupted = false;
    t->too_big = false;
    t->body_off = 0;
    t->prereq_calls = 0;
    t->resend_refused = false;
    t->streaming = -1;
    t->last_poll_ms = ak_mono_ms();
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, req->interrupted ? 0L : 1L);
    /* gzip (what the vendors compress with) for responses that can be large; "" would offer every
     * encoding libcurl has, formatted into the header on every transfer */
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, req->compress ? "gzip" : NULL);
#ifdef AK_HAVE_PREREQ
    bool refuse_resend = false;
#endif
    bool large = false; /* a body libcurl would announce with "Expect: 100-continue" */
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        if (req->body_reader) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
            curl_easy_setopt(e, CURLOPT_READFUNCTION, on_stream_read);
            curl_easy_setopt(e, CURLOPT_READDATA, t);
            large = true;
        } else if (req->idempotent || req->body_len == 0) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        } else {
#ifdef AK_HAVE_PREREQ
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
            refuse_resend = true;
#else /* no pre-request hook: a body libcurl cannot rewind (two packets, never resent) */
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
            curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(e, CURLOPT_READDATA, t);
#endif
        }
        large = large || req->body_len >= AK_EXPECT_THRESHOLD;
        /* a streamed body of unknown size goes chunked (-1 makes libcurl add the header) */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body_reader ? req->body_stream_len : (int64_t)req->body_len));
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(req->method, "POST") != 0 ? req->method : NULL);
    }
#ifdef AK_HAVE_PREREQ
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, refuse_resend ? on_prereq : NULL);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, refuse_resend ? t : NULL);
#endif
    for (size_t i = 0; i < req->nheaders; i++) {
        char line[8192];
        snprintf(line, sizeof line, "%s: %s", req->headers[i].name, req->headers[i].value);
        struct curl_slist *n = curl_slist_append(hl, line);
        if (!n)
            break;
        hl = n;
    }
    if (large) { /* no "Expect: 100-continue" round trip: the vendors answer the request itself */
        struct curl_slist *n = curl_slist_append(hl, "Expect:");
        if (n)
            hl = n;
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    t->hl = hl;
}

/* Fills resp from a finished transfer (rc its result): AK_OK, or AK_FAIL when interrupted. */
int ak_curl_finish(curl_tp *t, int code, ak_response *resp, ak_error *err) {
    CURLcode rc = (CURLcode)code;
    CURL *e = t->easy;
    const ak_request *req = t->req;
    curl_slist_free_all(t->hl);
    t->hl = NULL;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    if (rc == CURLE_ABORTED_BY_CALLBACK && t->interrupted) {
        ak_error_set(err, AK_ERR_TRANSPORT, "%s: interrupted", req->op ? req->op : "request");
        err->retryable = 0;
        err->maybe_applied = 1; /* abandoned in flight: the server may have acted on it */
        return AK_FAIL;
    }
    if (rc != CURLE_OK) {
        const char *what = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
        bool connect =
            rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY;
        if (rc == CURLE_ABORTED_BY_CALLBACK && t->resend_refused)
            snprintf(t->message, sizeof t->message,
                     "the connection closed after the request was sent, before any response; not resent "
                     "(the server may have processed it)");
        else if (rc == CURLE_ABORTED_BY_CALLBACK || (rc == CURLE_WRITE_ERROR && t->streaming == 1))
            snprintf(t->message, sizeof t->message, "the streamed body was abandoned by the caller");
        else if (t->too_big)
            snprintf(t->message, sizeof t->message, "response body exceeds max_response_bytes (%zu bytes)",
                     req->max_response_bytes);
        else if (rc == CURLE_SEND_FAIL_REWIND)
            snprintf(t->message, sizeof t->message,
                     "the connection closed after the request was sent, before any response; not resent "
                     "(the server may have processed it)");
        else
            snprintf(t->message, sizeof t->message, "%s%s", connect ? "connect: " : "", what);
        resp->error_kind = rc == CURLE_OPERATION_TIMEDOUT ? AK_ERR_TIMEOUT : AK_ERR_TRANSPORT;
        resp->error_message = t->message;
        resp->not_sent = connect;
        return AK_OK;
    }
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    parse_headers(t);
    resp->status = (int)status;
    resp->headers = t->headers;
    resp->nheaders = t->nheaders;
    resp->body = t->body.p ? t->body.p : "";
    resp->body_len = t->body.len;
    return AK_OK;
}

static int curl_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err) {
    curl_tp *t = ud;
    ak_curl_prepare(t, req);
    memset(resp, 0, sizeof *resp);
    return ak_curl_finish(t, (int)curl_easy_perform(t->easy), resp, err);
}

curl_tp *ak_curl_of(const ak_transport *tp) { return tp && tp->send == curl_send ? tp->ud : NULL; }

void ak_curl_tp_free(curl_tp *t) {
    if (!t)
        return;
    ak_curl_multi_free(t);
    if (t->easy)
        curl_easy_cleanup(t->easy);
    free(t->proxy);
    free(t->ca_file);
    free(t->user_agent);
    ak_buf_free(&t->body);
    ak_buf_free(&t->hdr_text);
    free(t->headers);
    free(t);
}

static void curl_destroy(void *ud) { ak_curl_tp_free(ud); }

curl_tp *ak_curl_tp_clone(const curl_tp *src) {
    curl_tp *t = calloc(1, sizeof *t);
    if (!t || !(t->easy = curl_easy_init())) {
        free(t);
        return NULL;
    }
    t->verify = src->verify;
    if ((src->proxy && !(t->proxy = ak_strdup(src->proxy))) ||
        (src->ca_file && !(t->ca_file = ak_strdup(src->ca_file))) ||
        (src->user_agent && !(t->user_agent = ak_strdup(src->user_agent)))) {
        ak_curl_tp_free(t);
        return NULL;
    }
    set_fixed_options(t);
    return t;
}

int ak_transport_curl_new(ak_transport *out, const ak_curl_options *opts, ak_error *err) {
    memset(out, 0, sizeof *out);
    if (ak_global_init() != AK_OK) {
        ak_error_set(err, AK_ERR_TRANSPORT, "libcurl global initialisation failed");
        return AK_FAIL;
    }
    curl_tp *t = calloc(1, sizeof *t);
    if (!t || !(t->easy = curl_easy_init())) {
        free(t);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    t->verify = opts ? opts->verify : 1;
    if (opts && ((opts->proxy && !(t->proxy = ak_strdup(opts->proxy))) ||
                 (opts->ca_file && !(t->ca_file = ak_strdup(opts->ca_file))) ||
                 (opts->user_agent && !(t->user_agent = ak_strdup(opts->user_agent))))) {
        curl_destroy(t);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    set_fixed_options(t);
    out->send = curl_send;
    out->destroy = curl_destroy;
    out->ud = t;
    return AK_OK;
}

void ak_transport_destroy(ak_transport *t) {
    if (t && t->destroy)
        t->destroy(t->ud);
    if (t)
        memset(t, 0, sizeof *t);
}
