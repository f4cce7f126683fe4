/* audkit/pager.h - lazy iteration over paged operations (and chunked ones), as a step machine.
 *
 *   ak_pager_new(&p, client, "custom_audiences.list", params, &err)
 *   loop: ak_pager_next(p, &step)
 *     SEND/SLEEP : as for a call; feed responses with ak_pager_feed
 *     AK_STEP_PAGE : one page is ready: ak_pager_items(p) (a request for the next page is only
 *                    made when ak_pager_next is called again)
 *     AK_STEP_DONE : no more pages
 *     AK_STEP_ERROR: ak_pager_error(p); calling ak_pager_next again retries the same page
 */
#ifndef AUDKIT_PAGER_H
#define AUDKIT_PAGER_H

#include "call.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ak_pager ak_pager;

/** `op` is a pager row ("custom_audiences.list") or a paged op ("custom_audiences.get").
 * `params` borrowed; page number params are managed by the pager (a given page_size is kept).
 * *out owned: ak_pager_free. Borrows the client, which must outlive it. */
AK_API int ak_pager_new(ak_pager **out, ak_client *c, const char *op, const ak_json *params, ak_error *err);
/** Per-call options applied to every page's or chunk's call (`o` borrowed); a deadline bounds each
 * page fetch. Bad values are a VALIDATION error, before any request. */
AK_API int ak_pager_set_options(ak_pager *p, const ak_call_options *o, ak_error *err);
AK_API int ak_pager_next(ak_pager *p, ak_step *step);
AK_API int ak_pager_feed(ak_pager *p, const ak_response *resp);
/** After PAGE: the items of the page (borrowed JSON array, valid until the next ak_pager_next). */
AK_API const ak_json *ak_pager_items(const ak_pager *p);
/** After PAGE: the page's whole decoded result, e.g. with page_info (borrowed, same lifetime). */
AK_API const ak_json *ak_pager_result(const ak_pager *p);
/** After PAGE: hands the page over to the caller: the whole decoded result (owned: cJSON_Delete;
 * NULL when already taken) and, in *items (may be NULL), the page's items array inside it
 * (borrowed from the returned tree; NULL when the page carries none). Nothing is copied: the
 * bindings build lazy models over this tree. ak_pager_items/ak_pager_result then return the
 * empty array / NULL until the next page. */
AK_API ak_json *ak_pager_take_page(ak_pager *p, const ak_json **items);
/** How many items of the page last handed out the caller has consumed; ak_pager_state then
 * points into that page ("next" = that page, "skip" = n) unless all were consumed. */
AK_API void ak_pager_set_consumed(ak_pager *p, int64_t n);
/** After ERROR (borrowed until the next ak_pager_next). */
AK_API const ak_error *ak_pager_error(const ak_pager *p);
/** Chunked operations: every failure the vendor reported so far (a JSON array, borrowed until
 * ak_pager_free), each with "index" relative to the whole input list, not to its chunk. Empty
 * for other pagers. Read it during or after iteration: plain iteration never drops them. */
AK_API const ak_json *ak_pager_failures(const ak_pager *p);
/** Number of page requests completed successfully. */
AK_API int ak_pager_pages_fetched(const ak_pager *p);
/** The op whose rows the items are (e.g. "custom_audiences.get"); its `item` schema is the model. */
AK_API const ak_op *ak_pager_op(const ak_pager *p);
/** Resume token: owned JSON {"op", "params", "next", "fetched", "done"[, "skip"]} (cJSON_Delete);
 * NULL on OOM. "skip" counts the items of page "next" already consumed (see
 * ak_pager_set_consumed): a pager resumed from the token drops them, so Python and Lua resume
 * at the same item. */
AK_API ak_json *ak_pager_state(const ak_pager *p);
/** Creates a pager from a resume token (borrowed). */
AK_API int ak_pager_resume(ak_pager **out, ak_client *c, const ak_json *state, ak_error *err);
AK_API void ak_pager_free(ak_pager *p);

#ifdef __cplusplus
}
#endif
#endif
