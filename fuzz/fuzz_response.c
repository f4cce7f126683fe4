/* fuzz_response.c - arbitrary responses through the engine's response path, for every platform.
 *
 * Input: byte 0 picks an operation row (fuzz_common.h), byte 1 the response headers (Retry-After
 * variants, content type, request id); the rest is one or more segments separated by
 * "\n--8<--\n", one per attempt (the last one repeats): a segment's first byte picks the HTTP
 * status (or a transport error / timeout), the remaining bytes are the body, exactly (a heap copy
 * of that length without a terminating NUL, so an over-read is caught).
 *
 * The call or pager is created on a client with a recording transport and driven by hand:
 * ak_call_next / ak_pager_next, each SEND fed with the next segment, each SLEEP advancing the fake
 * clock; at most 64 steps. Results are printed, errors checked for well-formed fields. */
#include "fuzz_common.h"

static const int fz_statuses[] = {200, 200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429,
                                  500, 502, 503, 504, 301, 302, 100, 418, 599, 999, -1,  0};
#define FZ_NSTATUS (sizeof fz_statuses / sizeof fz_statuses[0])
static const char *const fz_retry_after[] = {
    NULL, "0", "1", "3600", "-5", "99999999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "1.5"};
static const char SEP[] = "\n--8<--\n";

typedef struct segment {
    const uint8_t *p;
    size_t n;
} segment;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static void make_response(const segment *s, uint8_t flags, ak_response *r, ak_header *h, char **body) {
    memset(r, 0, sizeof *r);
    size_t nh = 0;
    h[nh++] = (ak_header){"Content-Type", (flags & 8) ? "text/html" : "application/json"};
    if (flags & 16)
        h[nh++] = (ak_header){"X-Request-Id", "fuzz-request-id"};
    if (flags & 7)
        h[nh++] = (ak_header){"Retry-After", fz_retry_after[flags & 7]};
    r->headers = h;
    r->nheaders = nh;
    uint8_t sel = s->n ? s->p[0] : 0;
    size_t blen = s->n ? s->n - 1 : 0;
    *body = malloc(blen ? blen : 1);
    if (blen)
        memcpy(*body, s->p + 1, blen);
    r->body = *body;
    r->body_len = blen;
    if (sel == 0xff) {
        r->error_kind = AK_ERR_TRANSPORT;
        r->error_message = "fuzz: connection reset";
    } else if (sel == 0xfe) {
        r->error_kind = AK_ERR_TIMEOUT;
        r->error_message = "fuzz: timed out";
    } else {
        r->status = fz_statuses[sel % FZ_NSTATUS];
        r->error_kind = AK_ERR_NONE;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    const fz_op_def *def = &fz_op_defs[fz_ok_index[data[0] % fz_nok]];
    uint8_t flags = data[1];
    segment segs[16];
    size_t nseg = 0;
    const uint8_t *p = data + 2, *end = data + size;
    while (nseg < 16) {
        const uint8_t *q = NULL;
        for (const uint8_t *s = p; s + sizeof SEP - 1 <= end; s++)
            if (memcmp(s, SEP, sizeof SEP - 1) == 0) {
                q = s;
                break;
            }
        if (!q || nseg == 15) {
            segs[nseg++] = (segment){p, (size_t)(end - p)};
            break;
        }
        segs[nseg++] = (segment){p, (size_t)(q - p)};
        p = q + sizeof SEP - 1;
    }

    ak_client *c = fz_new_client(def->client);
    const ak_op *op = ak_op_find(ak_client_platform(c), def->op);
    cJSON *params = cJSON_Parse(def->params);
    ak_error err = AK_ERROR_INIT;
    int is_pager = op->kind == AK_OP_PAGER || op->kind == AK_OP_CHUNKED;
    ak_call *call = NULL;
    ak_pager *pager = NULL;
    int rc = is_pager ? ak_pager_new(&pager, c, def->op, params, &err) : ak_call_new(&call, c, def->op, params, &err);
    cJSON_Delete(params);
    if (rc != AK_OK) {
        ak_error_cleanup(&err);
        ak_client_free(c);
        return 0; /* out of memory: not this target's business */
    }
    size_t attempt = 0;
    for (int steps = 0; steps < 64; steps++) {
        ak_step st;
        memset(&st, 0, sizeof st);
        rc = is_pager ? ak_pager_next(pager, &st) : ak_call_next(call, &st);
        (void)rc;
        if (st.kind == AK_STEP_SEND) {
            if (!st.request || !st.request->url || !st.request->method)
                abort();
            ak_response resp;
            ak_header h[4];
            char *body = NULL;
            make_response(&segs[attempt < nseg ? attempt : nseg - 1], flags, &resp, h, &body);
            attempt++;
            if (is_pager)
                ak_pager_feed(pager, &resp);
            else
                ak_call_feed(call, &resp);
            free(body);
        } else if (st.kind == AK_STEP_SLEEP) {
            if (st.sleep_ms < 0)
                abort();
            fz_the_env.now_ms += st.sleep_ms > 86400000 ? 86400000 : st.sleep_ms;
        } else if (st.kind == AK_STEP_PAGE) {
            fz_touch(ak_pager_items(pager));
            fz_touch(ak_pager_result(pager));
            cJSON *state = ak_pager_state(pager);
            fz_touch(state);
            cJSON_Delete(state);
        } else if (st.kind == AK_STEP_DONE) {
            if (is_pager)
                fz_touch(ak_pager_result(pager));
            else
                fz_touch(ak_call_result(call));
            break;
        } else if (st.kind == AK_STEP_ERROR) {
            fz_check_error(is_pager ? ak_pager_error(pager) : ak_call_error(call), def->client);
            break;
        } else {
            abort(); /* an unknown step kind */
        }
    }
    ak_call_free(call);
    ak_pager_free(pager);
    ak_error_cleanup(&err);
    ak_client_free(c);
    return 0;
}
