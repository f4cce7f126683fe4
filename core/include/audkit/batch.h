/* audkit/batch.h - batch operations: any number of items, sent in requests of the vendor's limit.
 *
 * A row with a batch descriptor (ak_op.batch; Baidu keywords.add/update/delete) accepts any number
 * of items. ak_call_new validates every item (violations name the input index) and, when there
 * are more than the per-request limit, splits them into chunks: one inner call per chunk, each
 * with the row's own retries (a non-idempotent chunk whose outcome is unknown is never resent, so
 * no item is ever sent twice). The outer call is still a step machine:
 *
 *   - driven with ak_call_next/ak_call_feed (any transport: the recording transport, a binding's
 *     callable, Lua cosockets), the chunks run one after another;
 *   - ak_drive_call with the built-in libcurl transport runs up to max_concurrency chunks at once
 *     (curl multi; each chunk's SLEEP steps only delay that chunk);
 *   - a custom driver may run the chunks itself: ak_call_chunk(call, i) for each chunk, drive
 *     each to DONE or ERROR, then ak_call_batch_finish(call).
 *
 * The merged result: `items` (successes in input order), `failures` (indexes relative to the
 * whole input), status 0 or 1 (1 when anything failed), oprs/succ/quota summed, rquota the
 * smallest reported (the last). A chunk that failed as a whole (API status 2/3, an HTTP error, a
 * transport error or timeout) adds one failure per item: {"index", "state", "kind", "code",
 * "message"} with state "not_applied" (ak_error.maybe_applied == 0: provably no effect) or
 * "unknown" (it may have been applied). When every chunk failed the call fails with the first
 * chunk's error (maybe_applied set when any chunk may have been applied).
 */
#ifndef AUDKIT_BATCH_H
#define AUDKIT_BATCH_H

#include "call.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The most chunks sent at once (max_concurrency is 1..AK_MAX_CONCURRENCY). */
#define AK_MAX_CONCURRENCY 64
/** The default max_concurrency of a client. */
#define AK_DEFAULT_CONCURRENCY 4

/** Number of chunks: 0 for an ordinary call (one request), >= 2 for a split batch. */
AK_API size_t ak_call_chunks(const ak_call *call);
/** The i-th chunk's call (borrowed, owned by `call`), NULL when out of range. Drive it with
 * ak_call_next/ak_call_feed; do not free it. */
AK_API ak_call *ak_call_chunk(ak_call *call, size_t i);
/** Input index of the i-th chunk's first item. */
AK_API size_t ak_call_chunk_offset(const ak_call *call, size_t i);
/** The effective max_concurrency of the call (client option, or ak_call_options). */
AK_API int ak_call_max_concurrency(const ak_call *call);
/** After every chunk reached DONE or ERROR: merges them; the call is then DONE (ak_call_result)
 * or ERROR (ak_call_error). AK_FAIL when a chunk is unfinished (the call is unchanged). */
AK_API int ak_call_batch_finish(ak_call *call);

#ifdef __cplusplus
}
#endif
#endif
