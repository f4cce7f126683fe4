/* audkit/transport.h - plain-data HTTP requests/responses and pluggable transports. */
#ifndef AUDKIT_TRANSPORT_H
#define AUDKIT_TRANSPORT_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ak_header {
    const char *name;
    const char *value;
} ak_header;

/** A fully signed request. All pointers are borrowed from the call/pager that produced it and
 * valid until the next ak_call_next/ak_call_feed/ak_call_free on it. */
typedef struct ak_request {
    const char *method;
    const char *url;
    const ak_header *headers;
    size_t nheaders;
    const char *body; /* may be NULL when body_len == 0 */
    size_t body_len;
    long timeout_ms;
    long connect_timeout_ms;
    int attempt;    /* 1 for the first attempt */
    const char *op; /* operation name, for logs */
    /* Set by the driver (ak_drive_hooks.interrupted): a transport polls it while waiting and, when
     * it returns non-zero, abandons the transfer and returns AK_FAIL with an "interrupted" error. */
    int (*interrupted)(void *ud);
    void *interrupted_ud;
    /* The most response body bytes to accept (after decompression); 0 = no limit. A transport
     * that would exceed it abandons the transfer and reports a TRANSPORT failure. */
    size_t max_response_bytes;
    /* 1 when sending the same bytes twice is safe (AK_OPF_IDEMPOTENT). A transport must never
     * resend a non-idempotent request by itself (e.g. on a dropped keep-alive connection once
     * the body was written): it reports the failure and the engine decides. */
    int idempotent;
} ak_request;

/** A response, or a transport failure (status 0, error kind TRANSPORT or TIMEOUT).
 * Pointers are borrowed from whoever filled it, valid until that party's next send/free. */
typedef struct ak_response {
    int status;
    const ak_header *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
    ak_error_kind error_kind; /* AK_ERR_NONE when a response arrived */
    const char *error_message;
    /* Transport failures only: 1 when the request provably never reached the server (connect or
     * DNS failure, refused before any byte was written), so retrying is safe for every operation.
     * 0 (the default) means it may have been received and processed. */
    int not_sent;
} ak_response;

/**
 * A transport: sends one request and fills `resp` (its buffers stay owned by the transport and
 * valid until the next send or destroy). Returns AK_OK when `resp` is filled (a transport
 * failure is reported in resp->error_kind, not as AK_FAIL); AK_FAIL only for a fatal, non
 * transport error (err filled; e.g. an exception in a binding's transport).
 */
typedef struct ak_transport {
    int (*send)(void *ud, const ak_request *req, ak_response *resp, ak_error *err);
    void (*destroy)(void *ud);
    void *ud;
} ak_transport;

typedef struct ak_curl_options {
    int version;         /* 1 */
    const char *proxy;   /* borrowed during ak_transport_curl_new only; NULL = none/env */
    int verify;          /* TLS peer+host verification, default 1 */
    const char *ca_file; /* NULL = system bundle */
    const char *user_agent;
} ak_curl_options;

#define AK_CURL_OPTIONS_INIT                                                                                           \
    { 1, NULL, 1, NULL, NULL }

/** libcurl transport: one reused easy handle per transport (connection pool, keep-alive,
 * gzip, HTTP/2 when offered). `out` is owned: release with ak_transport_destroy. */
AK_API int ak_transport_curl_new(ak_transport *out, const ak_curl_options *opts, ak_error *err);

/** Recording transport for byte-exact tests: records every request, answers from a queue of
 * canned responses (status 0 => transport error). Owned: release with ak_transport_destroy. */
AK_API int ak_transport_recording_new(ak_transport *out, ak_error *err);
/** Queue a canned response (copied). `headers` is "Name: value\n"-separated text or NULL. */
AK_API int ak_recording_push(ak_transport *t, int status, const char *headers, const char *body);
/** Number of recorded requests, and the i-th (borrowed, valid until destroy). */
AK_API size_t ak_recording_count(const ak_transport *t);
AK_API const ak_request *ak_recording_get(const ak_transport *t, size_t i);

AK_API void ak_transport_destroy(ak_transport *t);

#ifdef __cplusplus
}
#endif
#endif
