/* request.c - assembling one attempt's request (path, query, headers, body). */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

static bool kv_push(ak_kv **arr, size_t *n, size_t *cap, const char *name, const char *value) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        ak_kv *p = realloc(*arr, nc * sizeof *p);
        if (!p)
            return false;
        *arr = p;
        *cap = nc;
    }
    char *k = ak_strdup(name), *v = ak_strdup(value ? value : "");
    if (!k || !v) {
        free(k);
        free(v);
        return false;
    }
    (*arr)[*n].name = k;
    (*arr)[*n].value = v;
    (*n)++;
    return true;
}

bool ak_rb_add_query(ak_req_build *rb, const char *name, const char *value) {
    return kv_push(&rb->query, &rb->nquery, &rb->capquery, name, value);
}

bool ak_rb_add_header(ak_req_build *rb, const char *name, const char *value) {
    return kv_push(&rb->headers, &rb->nheaders, &rb->capheaders, name, value);
}

void ak_rb_cleanup(ak_req_build *rb) {
    for (size_t i = 0; i < rb->nquery; i++) {
        free(rb->query[i].name);
        free(rb->query[i].value);
    }
    for (size_t i = 0; i < rb->nheaders; i++) {
        free(rb->headers[i].name);
        free(rb->headers[i].value);
    }
    free(rb->query);
    free(rb->headers);
    free(rb->path);
    if (!rb->body_borrowed)
        free(rb->body);
    memset(rb, 0, sizeof *rb);
}

cJSON *ak_parse_body(const ak_response *resp, ak_error *err) {
    cJSON *j = resp->body_len ? ak_json_parse(resp->body, resp->body_len) : NULL;
    if (!j) {
        if (resp->status < 200 || resp->status >= 300) {
            ak_error_from_http(resp, err);
        } else {
            ak_error_set(err, AK_ERR_DECODE, "response body is not JSON (%zu bytes, HTTP %d)", resp->body_len,
                         resp->status);
            err->http_status = resp->status;
        }
    }
    return j;
}

void ak_error_from_http(const ak_response *resp, ak_error *err) {
    /* kind and retry come from the engine's table (error_rules.c) by HTTP status */
    ak_error_set(err, AK_ERR_HTTP, "HTTP %d without a vendor envelope", resp->status);
    err->http_status = resp->status;
}
