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

/** Streamed response bodies (AK_OPF_STREAM_RESULT): receives the decompressed body of a 2xx
 * response chunk by chunk (`data` borrowed for the call only). Returns 0 to go on, non-zero to
 * abandon the transfer (reported as a TRANSPORT failure). */
typedef int (*ak_body_sink_fn)(void *ud, const char *data, size_t len);
/** Streamed request bodies (AK_OPF_STREAM_BODY): fills at most `cap` bytes of `dst` and returns
 * how many (0 = the end of the body), or a negative value to abandon the request (the source
 * failed; a binding keeps its own exception). */
typedef int64_t (*ak_body_reader_fn)(void *ud, char *dst, size_t cap);

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
    /* Streaming (ARCHITECTURE.md, "Streamed bodies"). When body_sink is set, a transport hands a
     * 2xx response's body to it as it arrives and never accumulates it (resp->body stays empty;
     * max_response_bytes does not apply to it); a non-2xx body is buffered as usual (bounded by
     * max_response_bytes, or by AK_STREAM_ERROR_BODY_MAX when that is 0) so the error is mapped.
     * A transport that cannot stream may ignore the sink and return the whole body: the engine
     * then hands it to the sink itself. */
    ak_body_sink_fn body_sink;
    void *body_sink_ud;
    /* When body_reader is set, body/body_len are unused: the transport pulls the body from the
     * reader while sending it, with Content-Length: body_stream_len when that is >= 0, else
     * Transfer-Encoding: chunked. The reader cannot be rewound: a transport must never resend
     * such a request by itself (no seek function). */
    ak_body_reader_fn body_reader;
    void *body_reader_ud;
    int64_t body_stream_len;
    /* 1 when the response can be large (it can hold a list: pages, batches, list results,
     * streams): a transport may ask for a compressed body (libcurl: Accept-Encoding: gzip). A
     * single object (a create's id, a status) is answered as it is: compressing it costs both
     * sides more than it saves. */
    int compress;
} ak_request;

/** The most bytes of a non-2xx body a transport buffers for a streamed call when
 * max_response_bytes is 0 (error bodies are small JSON documents). */
#define AK_STREAM_ERROR_BODY_MAX ((size_t)1 << 20)

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
