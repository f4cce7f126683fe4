/* call.c - the step machine executing one operation row: validate, sign per attempt, send,
 * map the envelope, retry with backoff, rate-limit. No I/O happens here. */
#include "../internal.h"
#include "batch_int.h"

#include <stddef.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum call_state { CS_READY, CS_WAITING, CS_DONE, CS_ERROR };

struct ak_call {
    ak_client *c;
    const ak_op *op;     /* the op whose requests are sent */
    const ak_op *row;    /* the row asked for (a waiter's row; else == op) */
    cJSON *params;       /* owned, wire names */
    int64_t wait_ms;     /* waiters: the deadline's distance from the first poll */
    int64_t deadline_ms; /* waiters: set at the first step, 0 before */
    ak_call_options opt; /* effective policy: the client's, overridden per call */
    int64_t until_ms;    /* absolute end of the call (deadline or waiter timeout); 0 = none */
    bool started;
    enum call_state state;
    int attempts;
    int64_t pending_sleep;    /* -1 none */
    const char *sleep_reason; /* of pending_sleep (ak_step.reason) */
    char poll_value[32];      /* a waiter's last polled value (ak_step.poll_value) */
    ak_req_build rb;
    char *body; /* owned: the JSON body, printed at the first attempt and lent to every attempt */
    size_t body_len;
    char *url;
    ak_header *hdrs;
    ak_request req;
    cJSON *result;
    ak_error err;
    /* streaming (AK_OPF_STREAM_RESULT / AK_OPF_STREAM_BODY): the caller's sink or reader, wrapped
     * by call_sink / call_reader so the engine knows whether bytes were handed over */
    ak_body_sink_fn sink;
    void *sink_ud;
    ak_body_reader_fn reader;
    void *reader_ud;
    int64_t reader_len;
    int64_t streamed;    /* bytes handed to the sink / pulled from the reader, all attempts */
    bool stream_aborted; /* the sink or the reader asked to stop */
    ak_batch *batch;     /* a batch row's items split over several requests (batch.c), or NULL */
};

/* True when schema s (or a model nested in it, to a few levels) has an array field. */
static bool schema_has_list(const ak_schema *s, int depth) {
    if (!s || depth > 4)
        return false;
    for (size_t i = 0; i < s->nfields; i++) {
        const ak_field *f = &s->fields[i];
        if (f->type == AK_TYPE_ARRAY || f->type == AK_TYPE_ANY ||
            (f->type == AK_TYPE_OBJECT && (!f->schema || schema_has_list(f->schema, depth + 1))))
            return true;
    }
    return false;
}

bool ak_op_result_can_be_large(const ak_op *op) {
    return op->pager || op->chunk || op->batch || op->item || (op->flags & AK_OPF_STREAM_RESULT) || !op->result ||
           schema_has_list(op->result, 0);
}

static void init_policy(ak_call *call, ak_client *c, const ak_op *op, const ak_op *row) {
    call->c = c;
    call->op = op;
    call->row = row;
    call->pending_sleep = -1;
    call->opt.timeout_ms = c->timeout_ms;
    call->opt.retries = c->retries;
    call->opt.max_backoff_ms = c->max_backoff_ms;
    call->opt.deadline_ms = c->deadline_ms;
    call->opt.max_concurrency = c->max_concurrency;
}

/* A zeroed call, except for the texts of its error, which are only made empty: its 1.7 kB of
 * message buffers are written when an error is set, not on every call. */
static ak_call *call_alloc(void) {
    ak_call *call = malloc(sizeof *call);
    if (!call)
        return NULL;
    size_t at = offsetof(ak_call, err), after = at + sizeof call->err;
    memset(call, 0, at);
    memset((char *)call + after, 0, sizeof *call - after);
    ak_error *e = &call->err;
    e->kind = AK_ERR_NONE;
    e->retryable = e->http_status = e->maybe_applied = 0;
    e->vendor_code[0] = e->message[0] = e->request_id[0] = e->field[0] = e->rule[0] = '\0';
    e->nviolations = 0;
    e->violations = NULL;
    return call;
}

ak_call *ak_call_new_encoded(ak_client *c, const ak_op *op, cJSON *params) {
    ak_call *call = call_alloc();
    if (!call) {
        cJSON_Delete(params);
        return NULL;
    }
    init_policy(call, c, op, op);
    call->params = params;
    return call;
}

ak_batch *ak_call_batch(const ak_call *call) { return call ? call->batch : NULL; }

int ak_call_finished(const ak_call *call) { return call->state == CS_DONE || call->state == CS_ERROR; }

/* `*owned` non-NULL: params is that tree, encoded in place; call_new sets *owned to NULL once it
 * has taken it (the caller frees what is left). */
static int call_new(ak_call **out, ak_client *c, const char *opname, const ak_json *params, cJSON **owned,
                    ak_error *err) {
    *out = NULL;
    ak_error_cleanup(err);
    const ak_op *op = ak_op_find(c->platform, opname ? opname : "");
    if (!op) {
        ak_error_set(err, AK_ERR_VALIDATION, "unknown operation '%s' for %s", opname ? opname : "", c->platform->key);
        ak_strlcpy(err->field, "op", sizeof err->field);
        ak_strlcpy(err->rule, "must be an operation of the platform", sizeof err->rule);
        return AK_FAIL;
    }
    const ak_op *row = op;
    if (op->kind == AK_OP_WAITER) /* a waiter polls its target; the row's schema adds the timeout */
        op = op->waiter ? ak_op_find(c->platform, row->target) : NULL;
    if (!op || op->kind != AK_OP_CALL) {
        ak_error_set(err, AK_ERR_VALIDATION, "'%s' is a %s: use a pager", row->name,
                     row->kind == AK_OP_PAGER ? "pager" : "chunked operation");
        return AK_FAIL;
    }
    if (params && !cJSON_IsObject(params)) {
        ak_error_add_violation(err, "params", "must be an object");
        return AK_FAIL;
    }
    cJSON *enc = NULL; /* encoded once: the tree validated is the tree sent */
    if (owned && *owned && c->validate) {
        ak_validate_ctx ctx = {ak_client_today_gmt8(c)};
        cJSON *tree = *owned;
        *owned = NULL; /* the encoder's now: handed back in enc, or freed */
        if (ak_schema_validate_encode_owned(row->request, tree, NULL, &ctx, err, &enc) != AK_OK)
            return AK_FAIL;
    } else if (owned && *owned) {
        if (ak_schema_encode_inplace(row->request, *owned) != AK_OK) {
            ak_error_nomem(err);
            return AK_FAIL; /* the caller frees *owned */
        }
        enc = *owned;
        *owned = NULL;
    } else if (c->validate) {
        ak_validate_ctx ctx = {ak_client_today_gmt8(c)};
        if (ak_schema_validate_encode(row->request, params, NULL, &ctx, err, &enc) != AK_OK)
            return AK_FAIL;
    } else if (!(enc = ak_schema_encode(row->request, params))) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    ak_call *call = call_alloc();
    if (!call) {
        cJSON_Delete(enc);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    call->params = enc;
    init_policy(call, c, op, row);
    /* a batch row with more items than one request takes: one call per chunk (batch.c) */
    if (row->batch && ak_batch_split(&call->batch, c, row, call->params, err) != AK_OK) {
        ak_call_free(call);
        return AK_FAIL;
    }
    if (row->waiter) {
        /* the timeout is the engine's, not a parameter of the polled request */
        const ak_waiter_desc *w = row->waiter;
        const ak_field *tf = ak_schema_lookup(row->request, w->timeout_param);
        cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(call->params, tf ? tf->wire : w->timeout_param);
        call->wait_ms =
            cJSON_IsNumber(t) && t->valuedouble > 0 ? (int64_t)(t->valuedouble * 1000) : w->default_timeout_ms;
        cJSON_Delete(t);
    }
    *out = call;
    return AK_OK;
}

int ak_call_new(ak_call **out, ak_client *c, const char *opname, const ak_json *params, ak_error *err) {
    return call_new(out, c, opname, params, NULL, err);
}

int ak_call_new_owned(ak_call **out, ak_client *c, const char *opname, ak_json *params, ak_error *err) {
    /* every early failure frees the tree; once handed to the encoder it is the encoder's */
    cJSON *owned = params ? params : cJSON_CreateObject();
    if (!owned) {
        *out = NULL;
        ak_error_nomem(err);
        return AK_FAIL;
    }
    int rc = call_new(out, c, opname, owned, &owned, err);
    cJSON_Delete(owned); /* not taken (an early failure) */
    return rc;
}

int ak_call_options_check(const ak_call_options *o, ak_error *err) {
    ak_error_cleanup(err);
    if (o->timeout_ms == 0 || o->timeout_ms > 86400000L)
        ak_error_add_violation(err, "timeout", "must be a positive number of seconds, at most 86400");
    if (o->retries > 20)
        ak_error_add_violation(err, "retries", "must be an integer between 0 and 20");
    if (o->max_backoff_ms > 3600000L)
        ak_error_add_violation(err, "max_backoff", "must be between 0 and 3600 seconds");
    if (o->deadline_ms > 86400000L)
        ak_error_add_violation(err, "deadline", "must be at most 86400 seconds (0 or None: no deadline)");
    if (o->max_concurrency == 0 || o->max_concurrency < -1 || o->max_concurrency > AK_MAX_CONCURRENCY)
        ak_error_add_violation(err, "max_concurrency", "must be an integer between 1 and 64");
    return err->kind == AK_ERR_NONE ? AK_OK : AK_FAIL;
}

int ak_call_set_options(ak_call *call, const ak_call_options *o, ak_error *err) {
    ak_error_cleanup(err);
    if (!o)
        return AK_OK;
    if (ak_call_options_check(o, err) != AK_OK)
        return AK_FAIL;
    if (o->timeout_ms > 0)
        call->opt.timeout_ms = o->timeout_ms;
    if (o->retries >= 0)
        call->opt.retries = o->retries;
    if (o->max_backoff_ms >= 0)
        call->opt.max_backoff_ms = o->max_backoff_ms;
    if (o->deadline_ms >= 0)
        call->opt.deadline_ms = o->deadline_ms;
    if (o->max_concurrency > 0)
        call->opt.max_concurrency = o->max_concurrency;
    return call->batch ? ak_batch_set_options(call->batch, o, err) : AK_OK;
}

static void free_attempt(ak_call *call) {
    ak_rb_cleanup(&call->rb);
    free(call->url);
    free(call->hdrs);
    call->url = NULL;
    call->hdrs = NULL;
}

void ak_call_free(ak_call *call) {
    if (!call)
        return;
    free_attempt(call);
    ak_batch_free(call->batch);
    free(call->body);
    cJSON_Delete(call->params);
    cJSON_Delete(call->result);
    ak_error_cleanup(&call->err);
    free(call);
}

/* ---- streaming: the wrappers the transport calls (see transport.h) ---- */
static int call_sink(void *ud, const char *data, size_t len) {
    ak_call *call = ud;
    if (call->sink(call->sink_ud, data, len) != 0) {
        call->stream_aborted = true;
        return 1;
    }
    call->streamed += (int64_t)len;
    return 0;
}

static int64_t call_reader(void *ud, char *dst, size_t cap) {
    ak_call *call = ud;
    int64_t k = call->reader(call->reader_ud, dst, cap);
    if (k < 0 || (size_t)k > cap) {
        call->stream_aborted = true;
        return -1;
    }
    call->streamed += k;
    return k;
}

int ak_call_set_body_sink(ak_call *call, ak_body_sink_fn fn, void *ud) {
    if (!call || call->started)
        return AK_FAIL;
    call->sink = fn;
    call->sink_ud = ud;
    return AK_OK;
}

int ak_call_set_body_reader(ak_call *call, ak_body_reader_fn fn, void *ud, int64_t len) {
    if (!call || call->started)
        return AK_FAIL;
    call->reader = fn;
    call->reader_ud = ud;
    call->reader_len = len < 0 ? -1 : len;
    return AK_OK;
}

int64_t ak_call_streamed_bytes(const ak_call *call) { return call ? call->streamed : 0; }

/* A field the route sends in the query and in the JSON body (ak_op_variant.both). */
static bool in_both(const ak_call *call, const ak_op_variant *route, const char *wire) {
    const ak_field *f = ak_schema_lookup(call->op->request, wire);
    for (const char *const *q = route ? route->both : NULL; f && q && *q; q++)
        if (strcmp(*q, f->name) == 0)
            return true;
    return false;
}

static ak_location location_of(const ak_call *call, const ak_op_variant *route, const char *wire) {
    const ak_field *f = ak_schema_lookup(call->op->request, wire);
    ak_location loc = f ? f->location : AK_LOC_BODY;
    if (route && route->query && loc != AK_LOC_PATH) {
        /* this route decides which fields travel in the query (ThinkingData update by name) */
        loc = AK_LOC_BODY;
        for (const char *const *q = route->query; *q; q++)
            if (f && strcmp(*q, f->name) == 0)
                loc = AK_LOC_QUERY;
    }
    if (loc == AK_LOC_BODY && strcmp(call->op->method, "GET") == 0)
        loc = AK_LOC_QUERY; /* a GET has no body: parameters travel in the query */
    if (loc == AK_LOC_BODY && (call->op->flags & AK_OPF_STREAM_BODY))
        loc = AK_LOC_QUERY; /* the body is the streamed upload: parameters travel in the query */
    return loc;
}

/* Adds to `obj` a node referring to member `m` (its value and key borrowed, nothing copied; m
 * outlives obj). cJSON_AddItemReferenceToObject copies the key and leaks the node when that fails. */
static bool add_reference(cJSON *obj, const cJSON *m) {
    cJSON *r = cJSON_CreateNull();
    if (!r)
        return false;
    *r = *m;
    r->next = r->prev = NULL;
    r->string = NULL;
    r->type |= cJSON_IsReference;
    return cJSON_AddItemToObjectCS(obj, m->string, r); /* no allocation: cannot fail here */
}

/* Builds path, query and body from the parameters; the platform then authorizes the attempt. */
static int build_attempt(ak_call *call) {
    ak_req_build *rb = &call->rb;
    ak_error *err = &call->err;
    ak_buf path = {0}, url = {0};
    cJSON *body = NULL;
    rb->method = call->op->method;

    /* the route: a variant chosen by a present field, else the op's path */
    const char *route = call->op->path;
    const ak_op_variant *variant = NULL;
    for (const ak_op_variant *v = call->op->variants; v && v->when; v++) {
        const ak_field *f = ak_schema_lookup(call->op->request, v->when);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(call->params, f ? f->wire : v->when);
        if (x && !cJSON_IsNull(x)) {
            route = v->path;
            variant = v;
            break;
        }
    }
    for (const char *const *q = call->op->query; q && q[0] && q[1]; q += 2)
        if (!ak_rb_add_query(rb, q[0], q[1]))
            goto nomem;
    /* path template substitution */
    for (const char *p = route; *p;) {
        const char *open = strchr(p, '{');
        if (!open) {
            ak_buf_puts(&path, p);
            break;
        }
        ak_buf_append(&path, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (!close)
            break;
        char name[64];
        size_t n = (size_t)(close - open - 1) < sizeof name - 1 ? (size_t)(close - open - 1) : sizeof name - 1;
        memcpy(name, open + 1, n);
        name[n] = '\0';
        const ak_field *f = ak_schema_lookup(call->op->request, name);
        char *v = ak_json_query_value(cJSON_GetObjectItemCaseSensitive(call->params, f ? f->wire : name));
        if (v)
            ak_buf_urlencode(&path, v, strlen(v));
        free(v);
        p = close + 1;
    }
    rb->path = ak_buf_take(&path);
    if (!rb->path)
        goto nomem;

    bool has_body = strcmp(call->op->method, "GET") != 0 && strcmp(call->op->method, "DELETE") != 0 &&
                    !(call->op->flags & AK_OPF_STREAM_BODY);
    /* the body is printed once per call: the parameters do not change between attempts (the
     * signature and nonce of each attempt travel in the query or headers). When every parameter
     * goes in the body (the common case) the parameters themselves are printed; else a body of
     * references to the members that go there. */
    bool all_body = has_body && !call->body;
    for (const cJSON *m = call->params->child; all_body && m; m = m->next)
        all_body = location_of(call, variant, m->string) == AK_LOC_BODY;
    if (all_body) {
        if (!(call->body = ak_json_print(call->params)))
            goto nomem;
        call->body_len = strlen(call->body);
    } else if (has_body && !call->body && !(body = cJSON_CreateObject())) {
        goto nomem;
    }
    for (const cJSON *m = all_body ? NULL : call->params->child; m; m = m->next) {
        ak_location loc = location_of(call, variant, m->string);
        if (loc == AK_LOC_PATH)
            continue;
        if (loc == AK_LOC_QUERY && has_body && in_both(call, variant, m->string)) {
            /* travels in both (ThinkingData update by name): the query here, the body below */
            char *qv = ak_json_query_value(m);
            bool ok = qv && ak_rb_add_query(rb, m->string, qv);
            free(qv);
            if (!ok)
                goto nomem;
            loc = AK_LOC_BODY;
        }
        if (loc == AK_LOC_BODY && has_body) {
            /* a reference: printed from the parameters, never copied */
            if (body && !add_reference(body, m))
                goto nomem;
            continue;
        }
        char *v = ak_json_query_value(m);
        bool ok = v && (loc == AK_LOC_HEADER ? ak_rb_add_header(rb, m->string, v) : ak_rb_add_query(rb, m->string, v));
        free(v);
        if (!ok)
            goto nomem;
    }
    if (has_body) {
        if (!call->body) {
            if (!(call->body = ak_json_print(body)))
                goto nomem;
            call->body_len = strlen(call->body);
            cJSON_Delete(body);
            body = NULL;
        }
        rb->body = call->body;
        rb->body_len = call->body_len;
        rb->body_borrowed = true;
        if (!ak_rb_add_header(rb, "Content-Type", call->op->content_type ? call->op->content_type : "application/json"))
            goto nomem;
    }
    if ((call->op->flags & AK_OPF_STREAM_BODY) &&
        !ak_rb_add_header(rb, "Content-Type", call->op->content_type ? call->op->content_type : "text/csv"))
        goto nomem;
    if (call->c->platform->authorize && call->c->platform->authorize(call->c, rb, err) != AK_OK)
        return AK_FAIL;
    for (size_t i = 0; i < rb->nheaders; i++)
        if (strpbrk(rb->headers[i].name, "\r\n") || strpbrk(rb->headers[i].value, "\r\n")) {
            ak_error_add_violation(err, rb->headers[i].name, "must not contain CR or LF characters (header injection)");
            return AK_FAIL;
        }

    ak_buf_puts(&url, call->c->base_url);
    ak_buf_puts(&url, rb->path);
    for (size_t i = 0; i < rb->nquery; i++) {
        ak_buf_puts(&url, i ? "&" : "?");
        ak_buf_urlencode(&url, rb->query[i].name, strlen(rb->query[i].name));
        ak_buf_puts(&url, "=");
        ak_buf_urlencode(&url, rb->query[i].value, strlen(rb->query[i].value));
    }
    call->url = ak_buf_take(&url);
    call->hdrs = calloc(rb->nheaders + 1, sizeof *call->hdrs);
    if (!call->url || !call->hdrs)
        goto nomem;
    for (size_t i = 0; i < rb->nheaders; i++) {
        call->hdrs[i].name = rb->headers[i].name;
        call->hdrs[i].value = rb->headers[i].value;
    }
    call->req.method = rb->method;
    call->req.url = call->url;
    call->req.headers = call->hdrs;
    call->req.nheaders = rb->nheaders;
    call->req.body = rb->body;
    call->req.body_len = rb->body_len;
    call->req.timeout_ms = call->opt.timeout_ms;
    call->req.connect_timeout_ms = call->c->connect_timeout_ms;
    if (call->until_ms) { /* no attempt outlives the call's deadline */
        int64_t left = call->until_ms - ak_client_now_ms(call->c);
        left = left < 1 ? 1 : left;
        if (left < call->req.timeout_ms)
            call->req.timeout_ms = (long)left;
        if (left < call->req.connect_timeout_ms)
            call->req.connect_timeout_ms = (long)left;
    }
    call->req.attempt = call->attempts;
    call->req.op = call->op->name;
    call->req.max_response_bytes = call->c->max_response_bytes;
    call->req.idempotent = (call->op->flags & AK_OPF_IDEMPOTENT) != 0;
    call->req.compress = ak_op_result_can_be_large(call->op);
    call->req.body_stream_len = -1;
    if (call->op->flags & AK_OPF_STREAM_RESULT) {
        call->req.body_sink = call_sink;
        call->req.body_sink_ud = call;
    }
    if (call->op->flags & AK_OPF_STREAM_BODY) {
        call->req.body = NULL;
        call->req.body_len = 0;
        call->req.idempotent = 0; /* a reader cannot be rewound */
        call->req.body_reader = call_reader;
        call->req.body_reader_ud = call;
        call->req.body_stream_len = call->reader_len;
    }
    return AK_OK;
nomem:
    cJSON_Delete(body);
    ak_buf_free(&path);
    ak_buf_free(&url);
    ak_error_nomem(err);
    return AK_FAIL;
}

/* True (and the call failed with a timeout) when waiting `sleep_ms` more, or sending again, would
 * pass the call's deadline or its waiter's timeout. The last failure, if any, is kept in the text. */
static bool past_deadline(ak_call *call, int64_t sleep_ms) {
    if (!call->until_ms)
        return false;
    int64_t now = ak_client_now_ms(call->c);
    if (now + sleep_ms < call->until_ms)
        return false;
    char last[sizeof call->err.message];
    ak_strlcpy(last, call->err.kind != AK_ERR_NONE ? call->err.message : "", sizeof last);
    int applied = call->err.kind != AK_ERR_NONE ? call->err.maybe_applied : 0;
    bool waiter = call->row->waiter && call->until_ms == call->deadline_ms;
    if (waiter) {
        const ak_waiter_desc *w = call->row->waiter;
        ak_error_set(&call->err, AK_ERR_TIMEOUT, "%s: %s did not reach %s within %.1f s%s%s", call->row->name,
                     w->until_path, w->until_values[0], (double)call->wait_ms / 1000.0, *last ? "; last error: " : "",
                     last);
    } else {
        ak_error_set(&call->err, AK_ERR_TIMEOUT, "%s: deadline of %.1f s exceeded after %d attempt%s%s%s",
                     call->op->name, (double)call->opt.deadline_ms / 1000.0, call->attempts,
                     call->attempts == 1 ? "" : "s", *last ? "; last error: " : "", last);
    }
    call->err.retryable = 0;
    call->err.maybe_applied = applied;
    call->state = CS_ERROR;
    return true;
}

int ak_call_next(ak_call *call, ak_step *step) {
    memset(step, 0, sizeof *step);
    switch (call->state) {
    case CS_DONE: step->kind = AK_STEP_DONE; return AK_OK;
    case CS_ERROR: step->kind = AK_STEP_ERROR; return AK_OK;
    case CS_WAITING:
        ak_error_set(&call->err, AK_ERR_TRANSPORT, "ak_call_next called before ak_call_feed");
        call->state = CS_ERROR;
        step->kind = AK_STEP_ERROR;
        return AK_OK;
    case CS_READY: break;
    }
    if (call->batch) { /* the chunks one after another (a concurrent driver uses ak_call_chunk) */
        ak_batch_next(call->batch, step);
        if (step->kind == AK_STEP_DONE) {
            ak_call_batch_finish(call);
            step->kind = call->state == CS_DONE ? AK_STEP_DONE : AK_STEP_ERROR;
        }
        return AK_OK;
    }
    ak_client *c = call->c;
    if (!call->started) {
        call->started = true;
        int64_t now = ak_client_now_ms(c);
        if (call->row->waiter)
            call->deadline_ms = now + call->wait_ms;
        if (call->opt.deadline_ms > 0)
            call->until_ms = now + call->opt.deadline_ms;
        if (call->row->waiter && (!call->until_ms || call->deadline_ms < call->until_ms))
            call->until_ms = call->deadline_ms; /* a waiter's timeout covers its inner retries */
        const char *missing = (call->op->flags & AK_OPF_STREAM_RESULT) && !call->sink   ? "dest"
                              : (call->op->flags & AK_OPF_STREAM_BODY) && !call->reader ? "source"
                                                                                        : NULL;
        if (missing) {
            ak_error_set(&call->err, AK_ERR_VALIDATION, "%s: %s is required (a streamed %s)", call->op->name, missing,
                         *missing == 'd' ? "result needs a body sink" : "upload needs a body reader");
            ak_error_add_violation(&call->err, missing, "is required");
            call->state = CS_ERROR;
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
    }
    if (call->pending_sleep >= 0) {
        if (past_deadline(call, call->pending_sleep)) {
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
        step->kind = AK_STEP_SLEEP;
        step->sleep_ms = call->pending_sleep;
        step->reason = call->sleep_reason;
        if (call->sleep_reason && !strcmp(call->sleep_reason, "poll")) {
            step->poll_value = call->poll_value;
            step->poll_target = call->row->waiter->until_values[0];
        }
        call->pending_sleep = -1;
        return AK_OK;
    }
    if (past_deadline(call, 0)) {
        step->kind = AK_STEP_ERROR;
        return AK_OK;
    }
    if (call->op->rate_per_sec > 0) {
        /* one limit per account, shared by every client of the process (rate.c); a small margin
         * keeps arrivals strictly more than 1/rate apart despite network jitter */
        int64_t wait = ak_rate_reserve(c, ak_client_now_ms(c), 1000 / call->op->rate_per_sec + 25);
        if (wait > 0) {
            if (past_deadline(call, wait)) {
                step->kind = AK_STEP_ERROR;
                return AK_OK;
            }
            step->kind = AK_STEP_SLEEP;
            step->sleep_ms = wait;
            step->reason = "rate_limit";
            return AK_OK;
        }
    }
    free_attempt(call);
    call->attempts++;
    if (build_attempt(call) != AK_OK) {
        call->state = CS_ERROR;
        step->kind = AK_STEP_ERROR;
        return AK_OK;
    }
    call->state = CS_WAITING;
    step->kind = AK_STEP_SEND;
    step->request = &call->req;
    return AK_OK;
}

static bool waiter_satisfied(const ak_waiter_desc *w, const cJSON *result) {
    const cJSON *v = ak_json_path(result, w->until_path);
    char *text = v ? ak_json_query_value(v) : NULL;
    bool ok = false;
    for (const char *const *u = w->until_values; text && *u && !ok; u++)
        ok = strcmp(*u, text) == 0;
    free(text);
    return ok;
}

/* Whether a failed attempt may have taken effect (ak_error.maybe_applied). */
static int maybe_applied(const ak_error *err, const ak_response *resp, ak_retry_class retry) {
    if (retry == AK_RETRY_ALWAYS)
        return 0; /* never sent, or rejected unprocessed */
    switch (err->kind) {
    case AK_ERR_TRANSPORT:
    case AK_ERR_TIMEOUT: return !resp->not_sent;
    case AK_ERR_DECODE: return 1; /* a 2xx we could not read: assume it was applied */
    case AK_ERR_HTTP:
    case AK_ERR_API: return retry == AK_RETRY_IF_IDEMPOTENT || err->http_status >= 500 || err->http_status == 408;
    default: return 0; /* validation, auth, rate limit, not found: refused */
    }
}

int ak_call_feed(ak_call *call, const ak_response *resp) {
    if (call->batch && call->state == CS_READY)
        return ak_batch_feed(call->batch, resp);
    if (call->state != CS_WAITING)
        return AK_FAIL;
    ak_error *err = &call->err;
    ak_error_cleanup(err);
    cJSON *result = NULL;
    bool idempotent = (call->op->flags & AK_OPF_IDEMPOTENT) != 0;
    ak_retry_class retry = AK_RETRY_NEVER;
    size_t limit = call->c->max_response_bytes;
    if (resp->error_kind != AK_ERR_NONE) {
        ak_error_set(err, resp->error_kind == AK_ERR_TIMEOUT ? AK_ERR_TIMEOUT : AK_ERR_TRANSPORT, "%s: %s",
                     call->op->name,
                     resp->error_message && *resp->error_message ? resp->error_message : "transport failure");
        /* a request that never reached the server is safe to send again, whatever the operation */
        bool not_sent = resp->not_sent || (resp->error_message && strncmp(resp->error_message, "connect:", 8) == 0);
        retry = not_sent ? AK_RETRY_ALWAYS : AK_RETRY_IF_IDEMPOTENT;
    } else if ((call->op->flags & AK_OPF_STREAM_RESULT) && resp->status >= 200 && resp->status < 300) {
        /* a streamed result: a transport that could not stream returned the body whole */
        if (resp->body_len && call_sink(call, resp->body, resp->body_len) != 0)
            ak_error_set(err, AK_ERR_TRANSPORT, "%s: abandoned by the body sink", call->op->name);
        else if (!(result = cJSON_CreateObject()) || !cJSON_AddNumberToObject(result, "bytes", (double)call->streamed))
            ak_error_nomem(err);
    } else if (limit && resp->body_len > limit) {
        ak_error_set(err, AK_ERR_TRANSPORT, "%s: response body of %zu bytes exceeds max_response_bytes (%zu)",
                     call->op->name, resp->body_len, limit);
    } else if (call->c->platform->map_response(call->c, call->op, resp, &result, err) == AK_OK) {
        char ipath[32];
        int idx = 0;
        if (!result && call->op->result) {
            /* a documented result that is missing (success envelope without data) */
            ak_error_set(err, AK_ERR_DECODE, "%s: the response has no data (expected %s)", call->op->name,
                         call->op->result->name);
            ak_strlcpy(err->field, "data", sizeof err->field);
        } else if (!result && !(result = cJSON_CreateObject())) {
            ak_error_nomem(err);
        } else if (cJSON_IsArray(result) && call->op->item) {
            /* a bare array result (Sensors lists): each element is one item */
            for (cJSON *it = result->child; it && err->kind == AK_ERR_NONE; it = it->next, idx++) {
                snprintf(ipath, sizeof ipath, "data[%d]", idx);
                ak_schema_decode_at(call->op->item, it, ipath, err);
            }
        } else if (call->op->result) {
            ak_schema_decode_at(call->op->result, result, "data", err);
        }
        if (err->kind != AK_ERR_NONE) {
            cJSON_Delete(result);
            result = NULL;
        }
    } else {
        if (err->http_status == 0)
            err->http_status = resp->status;
        retry = ak_error_classify(call->c->platform, err);
    }
    if (err->kind != AK_ERR_NONE && call->stream_aborted) {
        ak_error_set(err, AK_ERR_TRANSPORT, "%s: abandoned by the body %s", call->op->name,
                     (call->op->flags & AK_OPF_STREAM_BODY) ? "source" : "sink");
        retry = AK_RETRY_NEVER;
    } else if (err->kind != AK_ERR_NONE && call->streamed > 0 && retry != AK_RETRY_NEVER) {
        /* bytes already handed over (or pulled from a reader that cannot rewind): never resent */
        size_t ml = strlen(err->message);
        snprintf(err->message + ml, sizeof err->message - ml, " (after %lld streamed bytes; not retried)",
                 (long long)call->streamed);
        retry = AK_RETRY_NEVER;
    }
    if (err->kind != AK_ERR_NONE) {
        if (err->http_status == 0)
            err->http_status = resp->status;
        err->retryable = retry == AK_RETRY_ALWAYS || (retry == AK_RETRY_IF_IDEMPOTENT && idempotent);
        err->maybe_applied = maybe_applied(err, resp, retry);
        /* vendors echo requests in their messages: no credential leaves the engine in an error */
        ak_client_scrub(call->c, err->message);
        ak_client_scrub(call->c, err->vendor_code);
        ak_client_scrub(call->c, err->request_id);
    }
    if (err->kind == AK_ERR_NONE && call->row->waiter && !waiter_satisfied(call->row->waiter, result)) {
        /* not there yet: poll again after the interval, unless that passes the deadline */
        const ak_waiter_desc *w = call->row->waiter;
        char *last = ak_json_query_value(ak_json_path(result, w->until_path));
        cJSON_Delete(result);
        if (ak_client_now_ms(call->c) + w->interval_ms > call->deadline_ms) {
            ak_error_set(err, AK_ERR_TIMEOUT, "%s: %s did not reach %s within %.1f s (last: %s)", call->row->name,
                         w->until_path, w->until_values[0], (double)call->wait_ms / 1000.0, last ? last : "none");
            free(last);
            call->state = CS_ERROR;
            return AK_OK;
        }
        snprintf(call->poll_value, sizeof call->poll_value, "%s", last ? last : "");
        free(last);
        call->pending_sleep = w->interval_ms;
        call->sleep_reason = "poll";
        call->attempts = 0; /* each poll has its own retries */
        call->state = CS_READY;
        return AK_OK;
    }
    if (err->kind == AK_ERR_NONE) {
        cJSON_Delete(call->result);
        call->result = result;
        call->state = CS_DONE;
        return AK_OK;
    }
    cJSON_Delete(result);
    if (err->retryable && call->attempts <= call->opt.retries) {
        /* Retry-After is honoured up to max_backoff (and the deadline, checked before sleeping) */
        int64_t after = ak_retry_after_ms(resp);
        int64_t wait = after >= 0 ? after : ak_retry_backoff_ms(call->c, call->attempts + 1, call->opt.max_backoff_ms);
        call->pending_sleep = wait > call->opt.max_backoff_ms ? call->opt.max_backoff_ms : wait;
        call->sleep_reason = after >= 0 ? "retry_after" : "backoff";
        call->state = CS_READY;
    } else {
        call->state = CS_ERROR;
    }
    return AK_OK;
}

const ak_json *ak_call_result(const ak_call *call) { return call->state == CS_DONE ? call->result : NULL; }

ak_json *ak_call_take_result(ak_call *call) {
    if (call->state != CS_DONE)
        return NULL;
    cJSON *r = call->result;
    call->result = NULL;
    return r;
}

const ak_error *ak_call_error(const ak_call *call) { return &call->err; }
int ak_call_attempts(const ak_call *call) { return call->batch ? ak_batch_attempts(call->batch) : call->attempts; }

size_t ak_call_chunks(const ak_call *call) { return call && call->batch ? ak_batch_count(call->batch) : 0; }

ak_call *ak_call_chunk(ak_call *call, size_t i) { return call && call->batch ? ak_batch_chunk(call->batch, i) : NULL; }

size_t ak_call_chunk_offset(const ak_call *call, size_t i) {
    return call && call->batch ? ak_batch_offset(call->batch, i) : 0;
}

int ak_call_max_concurrency(const ak_call *call) { return call->opt.max_concurrency; }

int ak_call_batch_finish(ak_call *call) {
    if (!call->batch || call->state != CS_READY || !ak_batch_finished(call->batch))
        return AK_FAIL;
    cJSON *result = NULL;
    ak_error_cleanup(&call->err);
    if (ak_batch_merge(call->batch, call->c, &result, &call->err) == AK_OK) {
        cJSON_Delete(call->result);
        call->result = result;
        call->state = CS_DONE;
    } else {
        call->state = CS_ERROR;
    }
    return AK_OK;
}
const ak_op *ak_call_op(const ak_call *call) { return call->row; }
