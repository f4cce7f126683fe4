/* drive.c - the blocking driver: pumps calls and pagers with the client's transport. */
#include "../internal.h"
#include "../transport/curl_tp.h"
#include "batch_int.h"

#include <stdlib.h>
#include <time.h>

/* Sleeps `ms` in slices of at most 100 ms, polling the interrupt hook between slices (and at once
 * when a signal cuts a slice short), so Ctrl-C ends a long backoff within a fraction of a second.
 * Returns 1 when interrupted. */
static int real_sleep(int64_t ms, const ak_drive_hooks *h) {
    int64_t end = ak_mono_ms() + ms;
    for (int64_t left = ms; left > 0; left = end - ak_mono_ms()) {
        int64_t slice = left < 100 ? left : 100;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        (void)nanosleep(&ts, NULL); /* EINTR: poll the hook now */
        if (h && h->interrupted && h->interrupted(h->ud))
            return 1;
    }
    return 0;
}

static int progress_abort(ak_error *err) {
    ak_error_set(err, AK_ERR_TRANSPORT, "abandoned by the progress callback");
    err->retryable = 0;
    return AK_FAIL;
}

/* Tells the on_wait hook about a SLEEP step. AK_FAIL (err set) when it asks to stop. */
static int report_wait(const ak_step *st, const ak_drive_hooks *h, ak_error *err) {
    if (st->kind != AK_STEP_SLEEP || !h || !h->on_wait)
        return AK_OK;
    if (h->on_wait(h->ud, st->sleep_ms, st->reason ? st->reason : "backoff", st->poll_value, st->poll_target))
        return progress_abort(err);
    return AK_OK;
}

/* A split batch driven one chunk after another: reports each newly finished chunk. */
static int report_chunks(ak_call *call, size_t *reported, const ak_drive_hooks *h, ak_error *err) {
    size_t n = ak_call_chunks(call), done = 0;
    if (n < 2 || !h || !h->on_chunk)
        return AK_OK;
    for (size_t i = 0; i < n; i++)
        done += ak_call_finished(ak_call_chunk(call, i)) ? 1 : 0;
    for (; *reported < done; ++*reported)
        if (h->on_chunk(h->ud, *reported + 1, n))
            return progress_abort(err);
    return AK_OK;
}

/* Performs a SEND or SLEEP step; fills resp for SEND. Returns AK_FAIL with err on abort. */
static int do_step(ak_client *c, const ak_step *st, ak_response *resp, const ak_drive_hooks *h, ak_error *err) {
    void *tok = NULL;
    int rc = AK_OK;
    if (report_wait(st, h, err) != AK_OK)
        return AK_FAIL;
    if (st->kind == AK_STEP_SLEEP && h && h->sleep_ms) {
        h->sleep_ms(h->ud, st->sleep_ms);
        return h->check ? (h->check(h->ud, err) ? AK_FAIL : AK_OK) : AK_OK;
    }
    if (h && h->block_begin)
        tok = h->block_begin(h->ud);
    if (st->kind == AK_STEP_SLEEP) {
        if (real_sleep(st->sleep_ms, h)) {
            ak_error_set(err, AK_ERR_TRANSPORT, "interrupted while waiting to retry");
            err->retryable = 0;
            rc = AK_FAIL;
        }
    } else if (!c->has_transport) {
        ak_error_set(err, AK_ERR_TRANSPORT, "client has no transport");
        rc = AK_FAIL;
    } else {
        ak_request req = *st->request;
        if (h && h->interrupted) {
            req.interrupted = h->interrupted;
            req.interrupted_ud = h->ud;
        }
        rc = c->transport.send(c->transport.ud, &req, resp, err);
    }
    if (h && h->block_end)
        h->block_end(h->ud, tok);
    if (rc == AK_OK && h && h->check && h->check(h->ud, err))
        rc = AK_FAIL;
    return rc;
}

int ak_drive_call(ak_client *c, ak_call *call, const ak_drive_hooks *h, ak_error *err) {
    ak_error_cleanup(err);
    /* a split batch with the built-in libcurl transport: its chunks at once (curl_multi.c); any
     * other transport (or an injected clock) runs them one after another below */
    curl_tp *ct = c->has_transport ? ak_curl_of(&c->transport) : NULL;
    if (ct && ak_call_chunks(call) > 1 && ak_call_max_concurrency(call) > 1 && !(h && h->sleep_ms))
        return ak_curl_multi_drive(c, ct, call, h, err);
    size_t reported = 0;
    for (;;) {
        ak_step st;
        ak_response resp = {0};
        ak_call_next(call, &st);
        switch (st.kind) {
        case AK_STEP_DONE: return AK_OK;
        case AK_STEP_ERROR: ak_error_copy(err, ak_call_error(call)); return AK_FAIL;
        case AK_STEP_PAGE: return AK_OK;
        case AK_STEP_SLEEP:
        case AK_STEP_SEND:
            if (do_step(c, &st, &resp, h, err) != AK_OK)
                return AK_FAIL;
            if (st.kind == AK_STEP_SEND) {
                ak_call_feed(call, &resp);
                if (report_chunks(call, &reported, h, err) != AK_OK)
                    return AK_FAIL;
            }
            break;
        }
    }
}

int ak_drive_pager(ak_client *c, ak_pager *p, const ak_drive_hooks *h, int *has_page, ak_error *err) {
    ak_error_cleanup(err);
    *has_page = 0;
    for (;;) {
        ak_step st;
        ak_response resp = {0};
        ak_pager_next(p, &st);
        switch (st.kind) {
        case AK_STEP_DONE: return AK_OK;
        case AK_STEP_PAGE: *has_page = 1; return AK_OK;
        case AK_STEP_ERROR: ak_error_copy(err, ak_pager_error(p)); return AK_FAIL;
        case AK_STEP_SLEEP:
        case AK_STEP_SEND:
            if (do_step(c, &st, &resp, h, err) != AK_OK)
                return AK_FAIL;
            if (st.kind == AK_STEP_SEND)
                ak_pager_feed(p, &resp);
            break;
        }
    }
}

int ak_call_simple(ak_client *c, const char *op, const ak_json *params, ak_json **result, ak_error *err) {
    ak_call *call = NULL;
    *result = NULL;
    if (ak_call_new(&call, c, op, params, err) != AK_OK)
        return AK_FAIL;
    int rc = ak_drive_call(c, call, NULL, err);
    if (rc == AK_OK)
        *result = ak_call_take_result(call);
    ak_call_free(call);
    return rc;
}
