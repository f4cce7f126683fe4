/* recording.c - a transport that records every request byte for byte and answers from a queue
 * of canned responses. For tests of signing, encoding and the step machines. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct rec_req {
    ak_request req; /* pointers into the owned copies below */
    char *method, *url, *body, *op;
    ak_header *headers; /* names/values owned */
} rec_req;

typedef struct rec_resp {
    int status;
    char *body;
    char *hdr_text;
    ak_header *headers;
    size_t nheaders;
} rec_resp;

typedef struct rec_tp {
    rec_req *reqs;
    size_t nreqs;
    rec_resp *resps;
    size_t nresps, next;
} rec_tp;

static void free_req(rec_req *r) {
    for (size_t i = 0; i < r->req.nheaders; i++) {
        free((char *)r->headers[i].name);
        free((char *)r->headers[i].value);
    }
    free(r->headers);
    free(r->method);
    free(r->url);
    free(r->body);
    free(r->op);
}

static int rec_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err) {
    rec_tp *t = ud;
    memset(resp, 0, sizeof *resp);
    rec_req *arr = realloc(t->reqs, (t->nreqs + 1) * sizeof *arr);
    if (!arr) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    t->reqs = arr;
    rec_req *r = &t->reqs[t->nreqs];
    memset(r, 0, sizeof *r);
    r->method = ak_strdup(req->method);
    r->url = ak_strdup(req->url);
    size_t body_len = req->body_len;
    if (req->body_reader) {
        /* a streamed upload: pulled to the end, as a transport sends it, and recorded whole */
        ak_buf b = {0};
        char chunk[4096];
        int64_t k;
        while ((k = req->body_reader(req->body_reader_ud, chunk, sizeof chunk)) > 0)
            if (!ak_buf_append(&b, chunk, (size_t)k))
                break;
        body_len = b.len;
        r->body = k == 0 ? ak_strndup(b.p ? b.p : "", b.len) : NULL;
        ak_buf_free(&b);
        if (k < 0) {
            free_req(r);
            resp->error_kind = AK_ERR_TRANSPORT;
            resp->error_message = "the streamed body was abandoned by the caller";
            return AK_OK;
        }
    } else {
        r->body = ak_strndup(req->body ? req->body : "", req->body_len);
    }
    r->op = ak_strdup(req->op ? req->op : "");
    r->headers = calloc(req->nheaders + 1, sizeof *r->headers);
    if (!r->method || !r->url || !r->body || !r->op || !r->headers) {
        free_req(r);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    for (size_t i = 0; i < req->nheaders; i++) {
        r->headers[i].name = ak_strdup(req->headers[i].name);
        r->headers[i].value = ak_strdup(req->headers[i].value);
        r->req.nheaders = i + 1;
    }
    r->req = *req;
    r->req.method = r->method;
    r->req.url = r->url;
    r->req.body = r->body;
    r->req.body_len = body_len;
    r->req.body_reader = NULL;
    r->req.body_reader_ud = NULL;
    r->req.body_sink = NULL;
    r->req.body_sink_ud = NULL;
    r->req.op = r->op;
    r->req.headers = r->headers;
    t->nreqs++;
    if (t->next >= t->nresps) {
        resp->error_kind = AK_ERR_TRANSPORT;
        resp->error_message = "connect: recording transport has no canned response left";
        return AK_OK;
    }
    rec_resp *c = &t->resps[t->next++];
    if (c->status == 0) {
        resp->error_kind = AK_ERR_TRANSPORT;
        resp->error_message = "canned transport failure";
        return AK_OK;
    }
    resp->status = c->status;
    resp->body = c->body;
    resp->body_len = strlen(c->body);
    resp->headers = c->headers;
    resp->nheaders = c->nheaders;
    return AK_OK;
}

static void rec_destroy(void *ud) {
    rec_tp *t = ud;
    for (size_t i = 0; i < t->nreqs; i++)
        free_req(&t->reqs[i]);
    for (size_t i = 0; i < t->nresps; i++) {
        free(t->resps[i].body);
        free(t->resps[i].hdr_text);
        free(t->resps[i].headers);
    }
    free(t->reqs);
    free(t->resps);
    free(t);
}

int ak_transport_recording_new(ak_transport *out, ak_error *err) {
    memset(out, 0, sizeof *out);
    rec_tp *t = calloc(1, sizeof *t);
    if (!t) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    out->send = rec_send;
    out->destroy = rec_destroy;
    out->ud = t;
    return AK_OK;
}

int ak_recording_push(ak_transport *tp, int status, const char *headers, const char *body) {
    rec_tp *t = tp->ud;
    rec_resp *arr = realloc(t->resps, (t->nresps + 1) * sizeof *arr);
    if (!arr)
        return AK_FAIL;
    t->resps = arr;
    rec_resp *r = &t->resps[t->nresps];
    memset(r, 0, sizeof *r);
    r->status = status;
    r->body = ak_strdup(body ? body : "");
    r->hdr_text = ak_strdup(headers ? headers : "");
    if (!r->body || !r->hdr_text) {
        free(r->body);
        free(r->hdr_text);
        return AK_FAIL;
    }
    size_t lines = 1;
    for (const char *p = r->hdr_text; *p; p++)
        lines += *p == '\n';
    r->headers = calloc(lines, sizeof *r->headers);
    if (!r->headers) {
        free(r->body);
        free(r->hdr_text);
        return AK_FAIL;
    }
    for (char *line = r->hdr_text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            r->headers[r->nheaders].name = line;
            r->headers[r->nheaders].value = v;
            r->nheaders++;
        }
        line = nl ? nl + 1 : NULL;
    }
    t->nresps++;
    return AK_OK;
}

size_t ak_recording_count(const ak_transport *tp) { return ((const rec_tp *)tp->ud)->nreqs; }

const ak_request *ak_recording_get(const ak_transport *tp, size_t i) {
    const rec_tp *t = tp->ud;
    return i < t->nreqs ? &t->reqs[i].req : NULL;
}
