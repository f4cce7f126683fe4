/* batch_int.h - the batch engine's private interface between call.c and batch.c (batch.h). */
#ifndef AUDKIT_BATCH_INT_H
#define AUDKIT_BATCH_INT_H

#include "../internal.h"

typedef struct ak_batch ak_batch;

/* call.c: a call of `op` from already validated and encoded wire parameters (`params` owned by
 * the new call, also on failure). NULL on OOM. */
ak_call *ak_call_new_encoded(ak_client *c, const ak_op *op, cJSON *params);
/* call.c: 1 once the call reached DONE or ERROR. */
int ak_call_finished(const ak_call *call);
/* call.c: the batch of a split call, or NULL. */
ak_batch *ak_call_batch(const ak_call *call);

/* Splits the batch row's items in `params` (encoded, borrowed; the item array is moved out) into
 * chunks of the descriptor's limit. *out stays NULL when the items fit in one request. AK_FAIL
 * with err on OOM. */
int ak_batch_split(ak_batch **out, ak_client *c, const ak_op *op, cJSON *params, ak_error *err);
void ak_batch_free(ak_batch *b);
/* Options for every chunk's call. */
int ak_batch_set_options(ak_batch *b, const ak_call_options *o, ak_error *err);
/* Sequential driving: the current chunk's SEND/SLEEP, or DONE once every chunk finished. */
void ak_batch_next(ak_batch *b, ak_step *step);
int ak_batch_feed(ak_batch *b, const ak_response *resp);
int ak_batch_attempts(const ak_batch *b);
size_t ak_batch_count(const ak_batch *b);
ak_call *ak_batch_chunk(ak_batch *b, size_t i);
size_t ak_batch_offset(const ak_batch *b, size_t i);
/* Merges the finished chunks: AK_OK with *result (owned), or AK_FAIL with err (every chunk failed,
 * or OOM, or a chunk is unfinished: then *result NULL and err kind NONE... see batch.c). */
int ak_batch_merge(ak_batch *b, ak_client *c, cJSON **result, ak_error *err);
/* 1 when every chunk reached DONE or ERROR. */
int ak_batch_finished(const ak_batch *b);

#endif
