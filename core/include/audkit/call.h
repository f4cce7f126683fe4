/* audkit/call.h - the non-blocking step machine that executes one operation row.
 *
 *   ak_call_new() validates and encodes the parameters (no I/O).
 *   loop: ak_call_next(call, &step)
 *     AK_STEP_SEND : send step.request (fully signed: a fresh signature/nonce per attempt),
 *                    then ak_call_feed(call, &response)
 *     AK_STEP_SLEEP: wait step.sleep_ms (retry backoff, Retry-After, rate limits), then loop
 *     AK_STEP_DONE : ak_call_result() holds the decoded result
 *     AK_STEP_ERROR: ak_call_error() holds the error
 * The driver (drive.h) does this with a transport; bindings may drive it themselves.
 */
#ifndef AUDKIT_CALL_H
#define AUDKIT_CALL_H

#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ak_step_kind {
    AK_STEP_SEND = 1,
    AK_STEP_SLEEP,
    AK_STEP_DONE,
    AK_STEP_ERROR,
    AK_STEP_PAGE /* pagers only: a page of items is ready (ak_pager_items) */
} ak_step_kind;

typedef struct ak_step {
    ak_step_kind kind;
    const ak_request *request; /* SEND: borrowed, valid until the next next/feed/free */
    int64_t sleep_ms;          /* SLEEP */
    /* SLEEP: why ("backoff", "retry_after", "rate_limit" or "poll"; static strings). For "poll"
     * (a waiter): poll_value is the waited-for field's last value (borrowed, valid until the next
     * next/feed/free) and poll_target the first value awaited (static). Otherwise NULL. */
    const char *reason;
    const char *poll_value;
    const char *poll_target;
} ak_step;

typedef struct ak_call ak_call;

/** Creates a call of operation `op` ("custom_audiences.add") with `params` (borrowed JSON
 * object, snake_case or wire names; may be NULL). Validation failures (every violation) are
 * reported here, before any request exists. *out is owned: ak_call_free. The call borrows the
 * client, which must outlive it. */
AK_API int ak_call_new(ak_call **out, ak_client *c, const char *op, const ak_json *params, ak_error *err);
/** ak_call_new taking ownership of `params` (always: freed on failure too), which is encoded in
 * place instead of copied: for bindings that build the tree just for the call (a batch of
 * 100,000 keywords is not copied once more). */
AK_API int ak_call_new_owned(ak_call **out, ak_client *c, const char *op, ak_json *params, ak_error *err);
/** Per-call overrides of the client's policy; a negative member keeps the client's value. */
typedef struct ak_call_options {
    long timeout_ms;        /* each attempt's transfer timeout (> 0) */
    int retries;            /* extra attempts (0..20) */
    int64_t max_backoff_ms; /* cap of every retry wait, Retry-After included (0..3600000) */
    int64_t deadline_ms;    /* the whole call, retries and sleeps included; 0 = none; a batch
                               (batch.h): each of its requests */
    int max_concurrency;    /* batch requests sent at once (1..64, batch.h) */
} ak_call_options;

#define AK_CALL_OPTIONS_INIT                                                                                           \
    { -1, -1, -1, -1, -1 }

/** Sets per-call options before the first ak_call_next (`o` borrowed). Bad values are a
 * VALIDATION error naming the option; the call is unchanged then. */
AK_API int ak_call_set_options(ak_call *call, const ak_call_options *o, ak_error *err);
/** Streamed result (AK_OPF_STREAM_RESULT rows, required there): `fn` receives the 2xx body in
 * chunks (`ud` borrowed; both must outlive the call). Once a byte was handed over, a failed
 * attempt is never retried (the sink cannot take the bytes back). Set before the first next. */
AK_API int ak_call_set_body_sink(ak_call *call, ak_body_sink_fn fn, void *ud);
/** Streamed request body (AK_OPF_STREAM_BODY rows, required there): the transport pulls the body
 * from `fn` (`ud` borrowed; both must outlive the call); `len` is its size when known (sent as
 * Content-Length), -1 for chunked transfer. Once a byte was pulled, a failed attempt is never
 * retried (a reader cannot be rewound). Set before the first next. */
AK_API int ak_call_set_body_reader(ak_call *call, ak_body_reader_fn fn, void *ud, int64_t len);
/** Bytes handed to the body sink / pulled from the body reader so far. */
AK_API int64_t ak_call_streamed_bytes(const ak_call *call);
AK_API int ak_call_next(ak_call *call, ak_step *step);
/** Feeds the response to the last SEND (borrowed; copied as needed). */
AK_API int ak_call_feed(ak_call *call, const ak_response *resp);
/** After DONE: the decoded result (borrowed until ak_call_free). */
AK_API const ak_json *ak_call_result(const ak_call *call);
/** After DONE: takes ownership of the result (free with cJSON_Delete). */
AK_API ak_json *ak_call_take_result(ak_call *call);
/** After ERROR: the error (borrowed until ak_call_free). */
AK_API const ak_error *ak_call_error(const ak_call *call);
/** Number of attempts sent so far. */
AK_API int ak_call_attempts(const ak_call *call);
AK_API const ak_op *ak_call_op(const ak_call *call);
AK_API void ak_call_free(ak_call *call);

#ifdef __cplusplus
}
#endif
#endif
