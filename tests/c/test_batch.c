/* test_batch.c - batch rows (batch.h; Baidu keywords.add/update/delete): any number of items split
 * into requests of 10000 with input indexes kept across chunks (recording transport: the
 * sequential path), every item validated before anything is sent, max_concurrency validated, and
 * the concurrent curl multi path against a loopback server (requests overlap; a connection
 * dropped after one chunk's body was sent reports that chunk's items as "unknown" while the other
 * chunks succeed, and nothing is sent twice). */
#define _GNU_SOURCE /* strcasestr */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CFG_FMT                                                                                                        \
    "{\"op_username\":\"op\",\"op_password\":\"OP-SECRET-PW\",\"tg_username\":\"tg\",\"tg_password\":\"TG-PW\","       \
    "\"tg_subname\":\"sub\",\"bce_user\":\"bce\",\"access_key\":\"AK\",\"secret_key\":\"SK-SECRET\","                  \
    "\"base_url\":\"%s\",\"backoff_ms\":1,\"retries\":%d}"

static ak_client *client_for(const char *base, int retries, int recording) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, CFG_FMT, base, retries);
    if (recording)
        return recording_client("baidu_search", cfg, NULL);
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cj = J(cfg);
    if (ak_client_new(&c, "baidu_search", cj, &err) != AK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(2);
    }
    cJSON_Delete(cj);
    return c;
}

/* {"keyword_types": [{"adgroup_id": 1, "keyword": "k<i>"} x n]}; item `special` gets `kw`. */
static cJSON *add_params(int n, int special, const char *kw) {
    cJSON *p = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(p, "keyword_types");
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        char k[32];
        snprintf(k, sizeof k, "k%d", i);
        cJSON_AddNumberToObject(it, "adgroup_id", 1);
        cJSON_AddStringToObject(it, "keyword", i == special ? kw : k);
        cJSON_AddItemToArray(arr, it);
    }
    return p;
}

static int body_items(const ak_request *r) {
    cJSON *doc = cJSON_ParseWithLength(r->body, r->body_len);
    cJSON *b = cJSON_GetObjectItemCaseSensitive(doc, "body");
    b = b ? b : doc;
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "keywordTypes"));
    if (!n)
        n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "keywordIds"));
    cJSON_Delete(doc);
    return n;
}

static int64_t num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* 25001 keywords: 3 requests (10000, 10000, 5001); a partial failure in chunk 0, a transport failure
 * in chunk 1 (its 10000 items "unknown"), success in chunk 2; indexes relative to the input. */
/* the progress hooks (drive.h): chunks reported as they finish, "done/total" */
static char chunk_log[256];
static int on_chunk_log(void *ud, size_t done, size_t total) {
    (void)ud;
    size_t n = strlen(chunk_log);
    snprintf(chunk_log + n, sizeof chunk_log - n, "%zu/%zu ", done, total);
    return 0;
}

static void test_sequential_chunks_and_indexes(void) {
    ak_client *c = client_for("http://h:1/v1/cloud", 0, 1);
    ak_transport *t = ak_client_transport(c);
    ak_recording_push(t, 200, NULL,
                      "{\"header\":{\"desc\":\"partial\",\"failures\":[{\"code\":901,\"message\":\"bad price\","
                      "\"position\":\"keywordTypes[3].price\"}],\"oprs\":10000,\"succ\":9999,\"oprtime\":5,"
                      "\"quota\":10000,\"rquota\":90000,\"status\":1},\"body\":{\"data\":[{\"keywordId\":1}]}}");
    ak_recording_push(t, 0, NULL, NULL); /* transport failure: may have been applied */
    ak_recording_push(t, 200, NULL,
                      "{\"header\":{\"desc\":\"success\",\"failures\":[],\"oprs\":1,\"succ\":1,\"oprtime\":6,"
                      "\"quota\":1,\"rquota\":89999,\"status\":0},\"body\":{\"data\":[{\"keywordId\":9}]}}");
    cJSON *p = add_params(25001, -1, NULL);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    CHECK(ak_call_chunks(call) == 3);
    CHECK(ak_call_chunk_offset(call, 2) == 20000);
    CHECK(ak_call_max_concurrency(call) == AK_DEFAULT_CONCURRENCY);
    ak_drive_hooks hooks = {0};
    hooks.on_chunk = on_chunk_log;
    chunk_log[0] = 0;
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    CHECK_STR(chunk_log, "1/3 2/3 3/3 "); /* the failed chunk counts as finished */
    CHECK(ak_recording_count(t) == 3);
    for (size_t i = 0; i < ak_recording_count(t) && i < 3; i++)
        CHECK(body_items(ak_recording_get(t, i)) == (i < 2 ? 10000 : 5001));
    const cJSON *r = ak_call_result(call);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(r, "items");
    const cJSON *fails = cJSON_GetObjectItemCaseSensitive(r, "failures");
    CHECK(cJSON_GetArraySize(items) == 2);
    CHECK(num(cJSON_GetArrayItem(items, 1), "keywordId") == 9);
    CHECK(cJSON_GetArraySize(fails) == 10001);
    CHECK(num(cJSON_GetArrayItem(fails, 0), "index") == 3);
    CHECK(num(cJSON_GetArrayItem(fails, 0), "code") == 901);
    const cJSON *f1 = cJSON_GetArrayItem(fails, 1), *fl = cJSON_GetArrayItem(fails, 10000);
    CHECK(num(f1, "index") == 10000 && num(fl, "index") == 19999);
    CHECK_STR(str(f1, "state"), "unknown");
    CHECK_STR(str(fl, "kind"), "transport");
    CHECK(num(r, "status") == 1 && num(r, "succ") == 10000 && num(r, "oprs") == 10001);
    CHECK(num(r, "quota") == 10001 && num(r, "rquota") == 89999 && num(r, "oprtime") == 6);
    CHECK(num(r, "requests") == 3 && num(r, "failed_requests") == 1);
    CHECK(ak_call_attempts(call) == 3);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* Every chunk refused: the call fails as a single request would (not applied), nothing dropped. */
static void test_all_chunks_fail(void) {
    ak_client *c = client_for("http://h:1/v1/cloud", 0, 1);
    ak_transport *t = ak_client_transport(c);
    for (int i = 0; i < 2; i++)
        ak_recording_push(t, 200, NULL,
                          "{\"header\":{\"desc\":\"failure\",\"failures\":[{\"code\":8,\"message\":\"refused\"}],"
                          "\"status\":2},\"body\":{}}");
    cJSON *p = J("{\"keyword_ids\":[]}"), *ids = cJSON_GetObjectItemCaseSensitive(p, "keyword_ids");
    for (int i = 1; i <= 10001; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(i));
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "keywords.delete", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && !err.maybe_applied);
    CHECK(strstr(err.message, "all 2 requests of the batch failed") != NULL);
    CHECK(ak_recording_count(t) == 2);
    cJSON_Delete(p);
    cJSON_Delete(res);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* Every item is validated (its input index in the path) before anything is sent; one request's
 * limit is no limit on the whole; max_concurrency is 1..64. */
static void test_validation(void) {
    ak_client *c = client_for("http://h:1/v1/cloud", 0, 1);
    cJSON *p = add_params(25001, 20005, "");
    cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(p, "keyword_types"), 7), "price", 1000);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 2);
    CHECK(has_violation(&err, "keyword_types[7].price", NULL));
    CHECK(has_violation(&err, "keyword_types[20005].keyword", NULL));
    CHECK(ak_recording_count(ak_client_transport(c)) == 0);
    cJSON_Delete(p);
    p = J("{\"keyword_types\":[]}");
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_FAIL);
    CHECK(has_violation(&err, "keyword_types", NULL));
    cJSON_Delete(p);

    p = add_params(10001, -1, NULL);
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    ak_call_options o = AK_CALL_OPTIONS_INIT;
    int bad[] = {0, 65, -2};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.max_concurrency = bad[i];
        CHECK(ak_call_set_options(call, &o, &err) == AK_FAIL);
        CHECK(err.kind == AK_ERR_VALIDATION && strcmp(err.field, "max_concurrency") == 0);
    }
    o.max_concurrency = 7;
    CHECK(ak_call_set_options(call, &o, &err) == AK_OK && ak_call_max_concurrency(call) == 7);
    ak_call_free(call);
    cJSON_Delete(p);

    ak_client *c2 = NULL;
    cJSON *cfg = J("{\"op_username\":\"o\",\"op_password\":\"p\",\"tg_username\":\"t\",\"tg_password\":\"p\","
                   "\"max_concurrency\":0}");
    CHECK(ak_client_new(&c2, "baidu_search", cfg, &err) == AK_FAIL);
    CHECK(has_violation(&err, "max_concurrency", NULL));
    cJSON_Delete(cfg);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- a loopback server: one thread per connection; each request is held HOLD_MS, then answered
 * with a success envelope; a request whose body holds the keyword "drop" is read fully and its
 * connection closed without an answer. ---- */
#define HOLD_MS 300
typedef struct lb_server {
    int fd, port;
    pthread_t th, conns[64];
    int nconns;
    pthread_mutex_t mu;
    int requests, inflight, max_inflight, drops;
    int64_t first_ms, last_ms; /* arrival of the first and the last request */
} lb_server;

typedef struct lb_conn {
    lb_server *s;
    int fd;
} lb_conn;

static int64_t now_ms(void);

/* Reads one request; returns its body (owned) or NULL when the peer closed. */
static char *lb_read(int fd) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) {
            free(buf);
            return NULL;
        }
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(buf, "content-length:");
        size_t want = (size_t)(end - buf) + 4 + (cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0);
        while (len < want) {
            if (len + 1 >= cap)
                buf = realloc(buf, cap *= 2);
            n = recv(fd, buf + len, cap - 1 - len, 0);
            if (n <= 0) {
                free(buf);
                return NULL;
            }
            len += (size_t)n;
            buf[len] = '\0';
        }
        return buf;
    }
}

static void *lb_conn_run(void *ud) {
    lb_conn *cn = ud;
    lb_server *s = cn->s;
    char *req;
    while ((req = lb_read(cn->fd))) {
        bool drop = strstr(req, "\"keyword\":\"drop\"") != NULL;
        free(req);
        pthread_mutex_lock(&s->mu);
        if (!s->requests++)
            s->first_ms = now_ms();
        s->last_ms = now_ms();
        s->drops += drop;
        if (++s->inflight > s->max_inflight)
            s->max_inflight = s->inflight;
        pthread_mutex_unlock(&s->mu);
        struct timespec ts = {0, HOLD_MS * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&s->mu);
        s->inflight--;
        pthread_mutex_unlock(&s->mu);
        if (drop)
            break;
        const char *body = "{\"header\":{\"desc\":\"success\",\"failures\":[],\"oprs\":10,\"succ\":10,\"quota\":10,"
                           "\"rquota\":100,\"status\":0},\"body\":{\"data\":[{\"keywordId\":1}]}}";
        char head[512];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        if (send(cn->fd, head, (size_t)n, MSG_NOSIGNAL) != n)
            break;
    }
    close(cn->fd);
    free(cn);
    return NULL;
}

static void *lb_run(void *ud) {
    lb_server *s = ud;
    for (;;) {
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        lb_conn *cn = malloc(sizeof *cn);
        cn->s = s;
        cn->fd = fd;
        if (s->nconns < 64)
            pthread_create(&s->conns[s->nconns++], NULL, lb_conn_run, cn);
        else {
            close(fd);
            free(cn);
        }
    }
}

static void lb_start(lb_server *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    CHECK(bind(s->fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(s->fd, 64) == 0);
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, lb_run, s);
}

static void lb_stop(lb_server *s) {
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
    for (int i = 0; i < s->nconns; i++)
        pthread_join(s->conns[i], NULL);
    pthread_mutex_destroy(&s->mu);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 4 chunks with max_concurrency 4: the server sees them overlap, and the whole takes about one
 * hold, not four. */
static void test_concurrent_overlap(void) {
    lb_server s;
    lb_start(&s);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/cloud", s.port);
    ak_client *c = client_for(base, 0, 0);
    cJSON *p = add_params(40000, -1, NULL);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    CHECK(ak_call_chunks(call) == 4);
    int64_t t0 = now_ms();
    ak_drive_hooks hooks = {0};
    hooks.on_chunk = on_chunk_log;
    chunk_log[0] = 0;
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    CHECK_STR(chunk_log, "1/4 2/4 3/4 4/4 "); /* curl multi: reported outside the block */
    int64_t end = now_ms(), took = end - s.first_ms;
    fprintf(stderr, "  4 chunks x %d ms held: %lld ms from the first arrival (%lld ms building), %d at once\n", HOLD_MS,
            (long long)took, (long long)(s.first_ms - t0), s.max_inflight);
    CHECK(s.requests == 4);
    CHECK(s.max_inflight == 4);
    /* every request arrived before the first was answered; sequential would take 4 x HOLD_MS (the
     * bodies are built before the first arrival, slow under ASan, so the clock starts there) */
    CHECK(s.last_ms - s.first_ms < HOLD_MS);
    CHECK(took >= HOLD_MS - 20 && took < 3 * HOLD_MS);
    const cJSON *r = ak_call_result(call);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "items")) == 4);
    CHECK(num(r, "succ") == 40 && num(r, "status") == 0 && num(r, "requests") == 4);
    ak_call_free(call);

    /* max_concurrency 2: at most two at once */
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    ak_call_options o = AK_CALL_OPTIONS_INIT;
    o.max_concurrency = 2;
    CHECK(ak_call_set_options(call, &o, &err) == AK_OK);
    s.max_inflight = 0;
    CHECK(ak_drive_call(c, call, NULL, &err) == AK_OK);
    CHECK(s.max_inflight == 2 && s.requests == 8);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
    lb_stop(&s);
}

/* One chunk's connection drops after its body was sent: its items are "unknown" (addWord is not
 * idempotent: never resent), the other chunks' successes come back. */
static void test_concurrent_drop(void) {
    lb_server s;
    lb_start(&s);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/cloud", s.port);
    ak_client *c = client_for(base, 3, 0);
    cJSON *p = add_params(25001, 10000, "drop");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    CHECK(ak_drive_call(c, call, NULL, &err) == AK_OK);
    CHECK(s.requests == 3 && s.drops == 1); /* nothing sent twice */
    const cJSON *r = ak_call_result(call);
    const cJSON *fails = cJSON_GetObjectItemCaseSensitive(r, "failures");
    CHECK(cJSON_GetArraySize(fails) == 10000);
    CHECK(num(cJSON_GetArrayItem(fails, 0), "index") == 10000);
    CHECK(num(cJSON_GetArrayItem(fails, 9999), "index") == 19999);
    CHECK_STR(str(cJSON_GetArrayItem(fails, 0), "state"), "unknown");
    CHECK_STR(str(cJSON_GetArrayItem(fails, 0), "kind"), "transport");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "items")) == 2);
    CHECK(num(r, "status") == 1 && num(r, "failed_requests") == 1 && num(r, "succ") == 20);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
    lb_stop(&s);
}

/* The interrupt hook is polled while the chunks are in flight: the drive stops within ~0.1 s of it
 * turning true (the server holds each request HOLD_MS), reporting "interrupted". */
static int64_t interrupt_at;
static int interrupt_after(void *ud) {
    (void)ud;
    return now_ms() >= interrupt_at;
}

static void test_concurrent_interrupt(void) {
    lb_server s;
    lb_start(&s);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/cloud", s.port);
    ak_client *c = client_for(base, 0, 0);
    cJSON *p = add_params(20001, -1, NULL);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.add", p, &err) == AK_OK);
    ak_drive_hooks hooks = {NULL, NULL, NULL, NULL, NULL, interrupt_after, NULL, NULL};
    interrupt_at = now_ms() + 100;
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
    int64_t late = now_ms() - interrupt_at;
    CHECK(err.kind == AK_ERR_TRANSPORT && strstr(err.message, "interrupted") != NULL);
    CHECK(late < 150 || !fprintf(stderr, "  interrupted %lld ms late\n", (long long)late));
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
    lb_stop(&s);
}

int main(void) {
    RUN(test_sequential_chunks_and_indexes);
    RUN(test_all_chunks_fail);
    RUN(test_validation);
    RUN(test_concurrent_overlap);
    RUN(test_concurrent_drop);
    RUN(test_concurrent_interrupt);
    DONE();
}
