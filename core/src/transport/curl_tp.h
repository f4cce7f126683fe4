/* curl_tp.h - the libcurl transport's private state, shared by curl_easy.c (one blocking transfer)
 * and curl_multi.c (a batch's chunks at once). Not installed. */
#ifndef AUDKIT_CURL_TP_H
#define AUDKIT_CURL_TP_H

#include "../internal.h"

#include <curl/curl.h>

typedef struct curl_multi_pool curl_multi_pool;

/* Bodies from this size (and streamed ones) go with "Expect:" so that libcurl never waits for a
 * 100-continue (it asks from 1 MiB, and from 1 KiB in old versions); smaller ones go without the
 * header, which costs libcurl a header scan per transfer. */
#define AK_EXPECT_THRESHOLD 1024

typedef struct curl_tp {
    CURL *easy;
    char *proxy, *ca_file, *user_agent;
    int verify;
    ak_buf body;
    ak_buf hdr_text;    /* raw header lines of the final response */
    ak_header *headers; /* parsed, pointing into hdr_text */
    size_t nheaders;
    char errbuf[CURL_ERROR_SIZE];
    char message[CURL_ERROR_SIZE + 64];
    const ak_request *req; /* the request being sent (for the interrupt poll) */
    int64_t last_poll_ms;
    bool interrupted;
    bool too_big;          /* the body passed req->max_response_bytes */
    size_t body_off;       /* read position in req->body (non-idempotent uploads, old libcurl) */
    int prereq_calls;      /* requests libcurl was about to make for this transfer */
    bool resend_refused;   /* a second one (libcurl's own retry of a non-idempotent request) was refused */
    int streaming;         /* streamed result: -1 undecided, 1 the 2xx body goes to req->body_sink, 0 buffered */
    struct curl_slist *hl; /* the request's header list, between prepare and finish */
    curl_multi_pool *pool; /* curl_multi.c: the multi handle and its workers (owned), or NULL */
} curl_tp;

/* curl_easy.c */
void ak_curl_prepare(curl_tp *t, const ak_request *req);
int ak_curl_finish(curl_tp *t, int curl_code, ak_response *resp, ak_error *err);
/* The state of the built-in libcurl transport (borrowed), NULL for any other transport. */
curl_tp *ak_curl_of(const ak_transport *tp);
/* A new transfer state with the same proxy/TLS/user-agent settings (owned; NULL on OOM). */
curl_tp *ak_curl_tp_clone(const curl_tp *src);
void ak_curl_tp_free(curl_tp *t);

/* curl_multi.c */
void ak_curl_multi_free(curl_tp *t);
/* Runs a split batch call's chunks, up to its max_concurrency at once, then merges them
 * (ak_call_batch_finish). Returns like ak_drive_call. */
int ak_curl_multi_drive(ak_client *c, curl_tp *t, ak_call *call, const ak_drive_hooks *h, ak_error *err);

#endif
