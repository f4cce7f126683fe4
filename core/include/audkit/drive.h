/* audkit/drive.h - the blocking driver: pumps a call or pager with the client's transport. */
#ifndef AUDKIT_DRIVE_H
#define AUDKIT_DRIVE_H

#include "pager.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Hooks around blocking work, so bindings can release their interpreter lock (the Python GIL)
 * during network waits and sleeps and check for signals afterwards. All members optional. */
typedef struct ak_drive_hooks {
    void *(*block_begin)(void *ud);           /* before a send or a sleep; returns a token */
    void (*block_end)(void *ud, void *token); /* after it */
    int (*check)(void *ud, ak_error *err);    /* after each block: non-zero aborts with err */
    void (*sleep_ms)(void *ud, int64_t ms);   /* NULL: nanosleep (tests inject a fake clock) */
    void *ud;
    /* Polled during a transfer and during a SLEEP step (between block_begin and block_end, at
     * most every 100 ms): non-zero abandons the transfer or the wait and the drive fails with
     * "interrupted" (Ctrl-C in a notebook, within ~0.1 s even in a long backoff). */
    int (*interrupted)(void *ud);
    /* Progress (optional; appended, so older initialisers stay valid). Both are called outside
     * block_begin/block_end (a binding holds its lock) and a non-zero return abandons the drive
     * (it fails with "abandoned by the progress callback"; a binding keeps its own exception).
     * on_wait: before every SLEEP step (ms; reason "backoff", "retry_after", "rate_limit" or
     * "poll"; for "poll" value/target are the waiter's last polled value and the value awaited,
     * else NULL; all borrowed for the call's duration). With the built-in transport a split
     * batch reports each chunk's waits as they begin (the chunks run concurrently).
     * on_chunk: a split batch (batch.h) finished one more of its `total` chunks (done of total). */
    int (*on_wait)(void *ud, int64_t ms, const char *reason, const char *value, const char *target);
    int (*on_chunk)(void *ud, size_t done, size_t total);
} ak_drive_hooks;

/** Runs `call` to DONE or ERROR. On ERROR, err receives a copy of the call's error. */
AK_API int ak_drive_call(ak_client *c, ak_call *call, const ak_drive_hooks *hooks, ak_error *err);
/** Runs `p` to its next PAGE (returns AK_OK, *has_page = 1), DONE (AK_OK, *has_page = 0)
 * or ERROR (AK_FAIL, err filled). */
AK_API int ak_drive_pager(ak_client *c, ak_pager *p, const ak_drive_hooks *hooks, int *has_page, ak_error *err);

/** One-shot: validate, send, decode. *result owned (cJSON_Delete), may be NULL for ops with
 * no result data (then an empty object is returned). */
AK_API int ak_call_simple(ak_client *c, const char *op, const ak_json *params, ak_json **result, ak_error *err);

#ifdef __cplusplus
}
#endif
#endif
