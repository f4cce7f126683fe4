/* curl_multi.c - the concurrent driver of a split batch call (batch.h) with the built-in libcurl
 * transport: up to max_concurrency chunks in flight on one curl multi handle, each chunk with its
 * own easy handle (a pool kept by the transport, so connections are reused across calls).
 *
 * Each chunk is its own step machine (call.c): its retries, backoff and Retry-After are SLEEP
 * steps that only delay that chunk; a non-idempotent chunk's body is sent through a read
 * callback without a seek function (as curl_easy.c does), so libcurl never resends it; the
 * response limit and the timeouts apply per transfer. The interrupt hook is polled at least
 * every 100 ms; the binding's block_begin/block_end hooks bracket the whole wait (the Python GIL
 * is released for all of it). */
#include "curl_tp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct curl_multi_pool {
    CURLM *multi;
    curl_tp *workers[AK_MAX_CONCURRENCY];
    size_t nworkers;
};

void ak_curl_multi_free(curl_tp *t) {
    curl_multi_pool *p = t->pool;
    if (!p)
        return;
    for (size_t i = 0; i < p->nworkers; i++)
        ak_curl_tp_free(p->workers[i]);
    if (p->multi)
        curl_multi_cleanup(p->multi);
    free(p);
    t->pool = NULL;
}

enum { CH_READY = 1, CH_SENDING, CH_SLEEPING, CH_FINISHED };

typedef struct chunk_slot {
    int state; /* 0 = not started */
    int worker;
    int64_t wake_ms;
    int64_t wait_ms;      /* a SLEEP begun and not yet reported to on_wait (-1: none) */
    const char *wait_why; /* its reason */
    ak_request req;       /* the SEND step's request (its pointers borrowed from the chunk's call) */
} chunk_slot;

/* Makes sure the pool has a multi handle and `n` workers. */
static int ensure_pool(curl_tp *t, size_t n) {
    if (!t->pool && !(t->pool = calloc(1, sizeof *t->pool)))
        return AK_FAIL;
    curl_multi_pool *p = t->pool;
    if (!p->multi && !(p->multi = curl_multi_init()))
        return AK_FAIL;
    while (p->nworkers < n) {
        curl_tp *w = ak_curl_tp_clone(t);
        if (!w)
            return AK_FAIL;
        p->workers[p->nworkers++] = w;
    }
    return AK_OK;
}

/* Steps every READY chunk until it sends, sleeps or finishes. Returns the chunks finished. */
static size_t step_ready(ak_call *call, chunk_slot *slots, size_t started, curl_multi_pool *p, bool *busy) {
    size_t done = 0;
    for (size_t i = 0; i < started; i++) {
        chunk_slot *s = &slots[i];
        while (s->state == CH_READY) {
            ak_call *chunk = ak_call_chunk(call, i);
            ak_step st;
            ak_call_next(chunk, &st);
            if (st.kind == AK_STEP_SLEEP) {
                s->wait_ms = st.sleep_ms;
                s->wait_why = st.reason ? st.reason : "backoff";
                s->wake_ms = ak_mono_ms() + st.sleep_ms;
                s->state = CH_SLEEPING;
            } else if (st.kind == AK_STEP_SEND) {
                int w = 0;
                while (busy[w])
                    w++; /* a free worker exists: at most max_concurrency chunks are active */
                s->req = *st.request;
                s->req.interrupted = NULL; /* polled by the loop, not per transfer */
                ak_curl_prepare(p->workers[w], &s->req);
                curl_easy_setopt(p->workers[w]->easy, CURLOPT_PRIVATE, (char *)s);
                if (curl_multi_add_handle(p->multi, p->workers[w]->easy) != CURLM_OK) {
                    curl_slist_free_all(p->workers[w]->hl);
                    p->workers[w]->hl = NULL;
                    ak_response r = {0};
                    r.error_kind = AK_ERR_TRANSPORT;
                    r.error_message = "could not start the transfer (curl multi)";
                    r.not_sent = 1;
                    ak_call_feed(chunk, &r);
                    continue; /* still READY: its retry policy decides */
                }
                busy[w] = true;
                s->worker = w;
                s->state = CH_SENDING;
            } else {
                s->state = CH_FINISHED;
                done++;
            }
        }
    }
    return done;
}

/* The progress hooks (drive.h), called outside the block: the waits begun and the chunks finished
 * since the last report. Returns AK_FAIL (err set) when a hook asks to stop. */
static int report_progress(const ak_drive_hooks *h, chunk_slot *slots, size_t started, size_t finished,
                           size_t *reported, size_t n, void **tok, ak_error *err) {
    bool any = finished > *reported && h->on_chunk;
    for (size_t i = 0; i < started && !any; i++)
        any = slots[i].wait_ms >= 0 && h->on_wait;
    if (!any)
        return AK_OK;
    if (h->block_end)
        h->block_end(h->ud, *tok);
    int stop = 0;
    for (size_t i = 0; i < started && !stop; i++)
        if (slots[i].wait_ms >= 0) {
            int64_t ms = slots[i].wait_ms;
            slots[i].wait_ms = -1;
            stop = h->on_wait && h->on_wait(h->ud, ms, slots[i].wait_why, NULL, NULL);
        }
    for (; !stop && *reported < finished; ++*reported)
        stop = h->on_chunk && h->on_chunk(h->ud, *reported + 1, n);
    *tok = h->block_begin ? h->block_begin(h->ud) : NULL;
    if (stop) {
        ak_error_set(err, AK_ERR_TRANSPORT, "abandoned by the progress callback");
        err->retryable = 0;
        return AK_FAIL;
    }
    return AK_OK;
}

int ak_curl_multi_drive(ak_client *c, curl_tp *t, ak_call *call, const ak_drive_hooks *h, ak_error *err) {
    (void)c;
    ak_error_cleanup(err);
    size_t n = ak_call_chunks(call);
    size_t maxc = (size_t)ak_call_max_concurrency(call);
    maxc = maxc < 1 ? 1 : maxc > AK_MAX_CONCURRENCY ? AK_MAX_CONCURRENCY : maxc;
    maxc = maxc > n ? n : maxc;
    chunk_slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots || ensure_pool(t, maxc) != AK_OK) {
        free(slots);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    curl_multi_pool *p = t->pool;
    bool busy[AK_MAX_CONCURRENCY] = {false};
    size_t started = 0, finished = 0, active = 0, reported = 0;
    int rc = AK_OK;
    for (size_t i = 0; i < n; i++)
        slots[i].wait_ms = -1;
    void *tok = h && h->block_begin ? h->block_begin(h->ud) : NULL;
    while (finished < n) {
        size_t done;
        do { /* start chunks as others finish, keeping max_concurrency active */
            while (active < maxc && started < n) {
                slots[started++].state = CH_READY;
                active++;
            }
            done = step_ready(call, slots, started, p, busy);
            finished += done;
            active -= done;
        } while (done && started < n);
        bool stop = h && (h->on_wait || h->on_chunk) &&
                    report_progress(h, slots, started, finished, &reported, n, &tok, err) != AK_OK;
        if (finished == n && !stop)
            break;
        if (stop || (h && h->interrupted && h->interrupted(h->ud))) {
            int in_flight = 0;
            for (size_t i = 0; i < started; i++)
                if (slots[i].state == CH_SENDING) {
                    curl_tp *w = p->workers[slots[i].worker];
                    curl_multi_remove_handle(p->multi, w->easy);
                    curl_slist_free_all(w->hl);
                    w->hl = NULL;
                    busy[slots[i].worker] = false;
                    in_flight = 1;
                }
            if (!stop) {
                ak_error_set(err, AK_ERR_TRANSPORT, "%s: interrupted", ak_call_op(call)->name);
                err->retryable = 0;
            }
            err->maybe_applied = in_flight || finished > 0;
            rc = AK_FAIL;
            break;
        }
        int64_t now = ak_mono_ms(), wait = 100;
        for (size_t i = 0; i < started; i++)
            if (slots[i].state == CH_SLEEPING && slots[i].wake_ms - now < wait)
                wait = slots[i].wake_ms - now;
        int running = 0;
        curl_multi_perform(p->multi, &running);
        if (wait > 0)
            curl_multi_poll(p->multi, NULL, 0, (int)wait, NULL);
        curl_multi_perform(p->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(p->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *easy = msg->easy_handle;
            CURLcode code = msg->data.result;
            char *priv = NULL;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
            chunk_slot *s = (chunk_slot *)(void *)priv;
            curl_multi_remove_handle(p->multi, easy);
            if (!s || s->state != CH_SENDING)
                continue;
            ak_response resp = {0};
            ak_error ferr = AK_ERROR_INIT;
            ak_curl_finish(p->workers[s->worker], (int)code, &resp, &ferr); /* no progress hook: never interrupted */
            ak_call_feed(ak_call_chunk(call, (size_t)(s - slots)), &resp);
            ak_error_cleanup(&ferr);
            busy[s->worker] = false;
            s->state = CH_READY;
        }
        now = ak_mono_ms();
        for (size_t i = 0; i < started; i++)
            if (slots[i].state == CH_SLEEPING && slots[i].wake_ms <= now)
                slots[i].state = CH_READY;
    }
    if (h && h->block_end)
        h->block_end(h->ud, tok);
    free(slots);
    if (rc == AK_OK && h && h->check && h->check(h->ud, err))
        rc = AK_FAIL;
    if (rc != AK_OK)
        return AK_FAIL;
    ak_call_batch_finish(call);
    ak_step st;
    ak_call_next(call, &st);
    if (st.kind == AK_STEP_DONE)
        return AK_OK;
    ak_error_copy(err, ak_call_error(call));
    return AK_FAIL;
}
