/* test_wire_safety.c - issue 7 in the core, where the logic lives: the per-vendor failure tables
 * (which failures may be retried for which operations), Retry-After capped by max_backoff,
 * deadlines over retries and sleeps, the response size limit, secrets scrubbed before truncation,
 * CR/LF refused, chunked failures with input indexes, and libcurl never resending a create on a
 * dropped keep-alive connection (a loopback server in a thread). */
#define _GNU_SOURCE /* strcasestr */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct canned {
    int status;
    const char *headers; /* "Name: value" or NULL */
    const char *body;
} canned;

/* Runs a call over canned responses, advancing the fake clock by every SLEEP; returns the last
 * step kind. sends and slept count what happened; `n` bounds the responses (the last repeats). */
static ak_step_kind pump(ak_call *call, fake_env *env, const canned *rs, int n, int *sends, int64_t *slept) {
    *sends = 0;
    *slept = 0;
    for (int guard = 0; guard < 100; guard++) {
        ak_step st;
        ak_call_next(call, &st);
        if (st.kind == AK_STEP_SLEEP) {
            env->now_ms += st.sleep_ms;
            *slept += st.sleep_ms;
            continue;
        }
        if (st.kind != AK_STEP_SEND)
            return st.kind;
        const canned *c = &rs[*sends < n ? *sends : n - 1];
        ak_header h[1];
        char name[64] = "", value[256] = "";
        ak_response r = {0};
        r.status = c->status;
        r.body = c->body;
        r.body_len = strlen(c->body);
        if (c->headers && sscanf(c->headers, "%63[^:]: %255[^\n]", name, value) == 2) {
            h[0].name = name;
            h[0].value = value;
            r.headers = h;
            r.nheaders = 1;
        }
        (*sends)++;
        ak_call_feed(call, &r);
    }
    return AK_STEP_ERROR;
}

static ak_client *client_of(const char *platform, const char *config, fake_env *env) {
    return recording_client(platform, config, env);
}

#define TX_CFG "{\"access_token\":\"TOKEN-SECRET-0001\",\"base_url\":\"http://h:1\"}"
#define TX_ADD "{\"account_id\":1,\"name\":\"n\",\"type\":\"CUSTOMER_FILE\"}"
#define TX_GET "{\"account_id\":1}"

/* One op, one canned failure: how many sends, and the error's kind/retryable. */
static void expect(const char *platform, const char *cfg, const char *op, const char *params, canned c, int sends_want,
                   ak_error_kind kind_want, int retryable_want) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *cl = client_of(platform, cfg, &env);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J(params);
    if (ak_call_new(&call, cl, op, p, &err) != AK_OK) {
        fprintf(stderr, "  %s %s: %s\n", platform, op, err.message);
        CHECK(!"valid params");
        ak_error_cleanup(&err);
        cJSON_Delete(p);
        ak_client_free(cl);
        return;
    }
    int sends;
    int64_t slept;
    CHECK(pump(call, &env, &c, 1, &sends, &slept) == AK_STEP_ERROR);
    const ak_error *e = ak_call_error(call);
    if (sends != sends_want || e->kind != kind_want || e->retryable != retryable_want)
        fprintf(stderr, "  %s %s HTTP %d %s: sends %d (want %d) kind %s (want %s) retryable %d (want %d): %s\n",
                platform, op, c.status, c.body, sends, sends_want, ak_error_kind_name(e->kind),
                ak_error_kind_name(kind_want), e->retryable, retryable_want, e->message);
    CHECK(sends == sends_want && e->kind == kind_want && e->retryable == retryable_want);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_client_free(cl);
}

static void test_failure_tables(void) {
    /* Tencent: rate limits are rejections (retried for a create), 30000-30099 only for reads */
    expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){200, NULL, "{\"code\":11016}"}, 4,
           AK_ERR_RATE_LIMITED, 1);
    expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){200, NULL, "{\"code\":11018}"}, 1,
           AK_ERR_RATE_LIMITED, 0);
    expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){200, NULL, "{\"code\":30001}"}, 1,
           AK_ERR_API, 0);
    expect("tencent_ads", TX_CFG, "custom_audiences.get", TX_GET, (canned){200, NULL, "{\"code\":30001}"}, 4,
           AK_ERR_API, 1);
    expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){200, NULL, "{\"code\":11000}"}, 1,
           AK_ERR_AUTH, 0);
    for (int s = 500; s <= 504; s += 2) {
        expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){s, NULL, "<html>oops</html>"}, 1,
               AK_ERR_HTTP, 0);
        expect("tencent_ads", TX_CFG, "custom_audiences.get", TX_GET, (canned){s, NULL, "<html>oops</html>"}, 4,
               AK_ERR_HTTP, 1);
    }
    expect("tencent_ads", TX_CFG, "custom_audiences.add", TX_ADD, (canned){429, NULL, ""}, 4, AK_ERR_RATE_LIMITED, 1);

    /* ThinkingData add: 5xx never repeated; a 429 is */
    const char *td = "{\"token\":\"TD-TOKEN-SECRET\",\"base_url\":\"http://h:1\"}";
    const char *td_add =
        "{\"project_id\":1,\"cluster_name\":\"c\",\"display_name\":\"d\",\"cluster_catalog\":\"catalog_cluster\","
        "\"cluster_type\":\"cluster_by_static_condition\",\"qp\":{\"relation\":\"and\"}}";
    for (int s = 502; s <= 504; s++)
        expect("thinking_data", td, "clusters.add", td_add, (canned){s, NULL, "bad gateway"}, 1, AK_ERR_HTTP, 0);
    expect("thinking_data", td, "clusters.add", td_add, (canned){429, NULL, "slow down"}, 4, AK_ERR_RATE_LIMITED, 1);

    /* Baidu add: 421 (QPS) is retried, 502/800 transient codes are not, 801 never (lockout note) */
    const char *bd = "{\"user_name\":\"u\",\"access_token\":\"BD-TOKEN-SECRET\",\"base_url\":\"http://h:1\"}";
    const char *bd_add = "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"k\"}]}";
    expect("baidu_search", bd, "keywords.add", bd_add,
           (canned){200, NULL, "{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}"}, 4,
           AK_ERR_RATE_LIMITED, 1);
    expect("baidu_search", bd, "keywords.add", bd_add,
           (canned){200, NULL, "{\"header\":{\"status\":3,\"failures\":[{\"code\":800,\"message\":\"sys\"}]}}"}, 1,
           AK_ERR_API, 0);
    expect("baidu_search", bd, "keywords.add", bd_add, (canned){503, NULL, "busy"}, 1, AK_ERR_HTTP, 0);
    expect("baidu_search", bd, "keywords.add", bd_add,
           (canned){200, NULL, "{\"header\":{\"status\":2,\"failures\":[{\"code\":801,\"message\":\"locked\"}]}}"}, 1,
           AK_ERR_AUTH, 0);

    /* Volcengine: FlowLimitExceeded* retried; InternalError retried for this read-only call */
    const char *vl = "{\"access_key\":\"AK\",\"secret_key\":\"VL-SECRET-KEY\",\"base_url\":\"http://h:1\"}";
    const char *vl_p = "{\"activity_id\":1,\"user_id\":1}";
    expect("volcengine_live", vl, "get_account_user_track_data", vl_p,
           (canned){429, NULL,
                    "{\"ResponseMetadata\":{\"RequestId\":\"r\",\"Error\":{\"Code\":\"FlowLimitExceeded.Api\","
                    "\"Message\":\"slow\"}}}"},
           4, AK_ERR_RATE_LIMITED, 1);
    expect("volcengine_live", vl, "get_account_user_track_data", vl_p,
           (canned){401, NULL,
                    "{\"ResponseMetadata\":{\"RequestId\":\"r\",\"Error\":{\"Code\":\"SignatureDoesNotMatch\","
                    "\"Message\":\"sig\"}}}"},
           1, AK_ERR_AUTH, 0);
}

/* A transport failure: never repeated for a create unless it provably never left. */
static void test_transport_failures(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_of("tencent_ads", TX_CFG, &env);
    cJSON *p = J(TX_ADD);
    ak_error err = AK_ERROR_INIT;
    for (int not_sent = 0; not_sent <= 1; not_sent++) {
        ak_call *call = NULL;
        CHECK(ak_call_new(&call, c, "custom_audiences.add", p, &err) == AK_OK);
        int sends = 0;
        for (int guard = 0; guard < 20; guard++) {
            ak_step st;
            ak_call_next(call, &st);
            if (st.kind == AK_STEP_SLEEP)
                continue;
            if (st.kind != AK_STEP_SEND)
                break;
            sends++;
            ak_response r = {0};
            r.error_kind = AK_ERR_TRANSPORT;
            r.error_message = "Connection reset";
            r.not_sent = not_sent;
            ak_call_feed(call, &r);
        }
        CHECK(sends == (not_sent ? 4 : 1));
        ak_call_free(call);
    }
    cJSON_Delete(p);
    ak_client_free(c);
}

static void test_retry_after_capped_and_deadline(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_of("tencent_ads",
                             "{\"access_token\":\"TOKEN-SECRET-0001\",\"base_url\":\"http://h:1\","
                             "\"max_backoff_ms\":1000}",
                             &env);
    cJSON *p = J(TX_GET);
    ak_error err = AK_ERROR_INIT;
    canned busy = {503, "Retry-After: 3600", "down"};
    ak_call *call = NULL;
    int sends;
    int64_t slept;
    /* Retry-After: 3600 waits max_backoff (1 s) per retry, not an hour */
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(pump(call, &env, &busy, 1, &sends, &slept) == AK_STEP_ERROR);
    CHECK(sends == 4 && slept == 3000);
    ak_call_free(call);

    /* a deadline of 2.5 s ends the call before a sleep would pass it: a TIMEOUT naming it */
    ak_call_options o = AK_CALL_OPTIONS_INIT;
    o.deadline_ms = 2500;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(ak_call_set_options(call, &o, &err) == AK_OK);
    CHECK(pump(call, &env, &busy, 1, &sends, &slept) == AK_STEP_ERROR);
    const ak_error *e = ak_call_error(call);
    CHECK(e->kind == AK_ERR_TIMEOUT && !e->retryable);
    CHECK(strstr(e->message, "deadline of 2.5 s") != NULL && strstr(e->message, "last error") != NULL);
    CHECK(sends == 3 && slept == 2000);
    ak_call_free(call);

    /* each attempt's transfer timeout shrinks to what is left of the deadline */
    o.deadline_ms = 700;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(ak_call_set_options(call, &o, &err) == AK_OK);
    ak_step st;
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SEND && st.request->timeout_ms <= 700);
    ak_call_free(call);

    /* per-call options: bad values are validation errors naming the option */
    ak_call_options bad = AK_CALL_OPTIONS_INIT;
    bad.retries = 99;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(ak_call_set_options(call, &bad, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "retries");
    ak_error_cleanup(&err);
    /* retries = 0 for this call only */
    ak_call_options none = AK_CALL_OPTIONS_INIT;
    none.retries = 0;
    CHECK(ak_call_set_options(call, &none, &err) == AK_OK);
    CHECK(pump(call, &env, &busy, 1, &sends, &slept) == AK_STEP_ERROR);
    CHECK(sends == 1);
    ak_call_free(call);

    /* a client-wide deadline applies to every call */
    ak_client *c2 = client_of("tencent_ads",
                              "{\"access_token\":\"TOKEN-SECRET-0001\",\"base_url\":\"http://h:1\","
                              "\"deadline_ms\":1500,\"max_backoff_ms\":1000}",
                              &env);
    CHECK(ak_call_new(&call, c2, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(pump(call, &env, &busy, 1, &sends, &slept) == AK_STEP_ERROR);
    CHECK(ak_call_error(call)->kind == AK_ERR_TIMEOUT && slept <= 1500);
    ak_call_free(call);
    ak_client_free(c2);
    cJSON_Delete(p);
    ak_client_free(c);
}

static void test_response_size_limit(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_of("tencent_ads",
                             "{\"access_token\":\"TOKEN-SECRET-0001\",\"base_url\":\"http://h:1\","
                             "\"max_response_bytes\":64}",
                             &env);
    cJSON *p = J(TX_GET);
    ak_error err = AK_ERROR_INIT;
    char big[200];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "{\"code\":0}", 10);
    canned r = {200, NULL, big};
    ak_call *call = NULL;
    int sends;
    int64_t slept;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    ak_step st;
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SEND && st.request->max_response_bytes == 64);
    ak_call_free(call);
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    CHECK(pump(call, &env, &r, 1, &sends, &slept) == AK_STEP_ERROR);
    const ak_error *e = ak_call_error(call);
    CHECK(e->kind == AK_ERR_TRANSPORT && strstr(e->message, "max_response_bytes (64)") != NULL);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_client_free(c);
}

static void test_secrets_scrubbed_before_truncation(void) {
    const char *secret = "TOKEN-SECRET-0001";
    for (int pad = 990; pad <= 1030; pad += 4) {
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = client_of("tencent_ads", TX_CFG, &env);
        /* the vendor echoes the request: the secret straddles the 1 KiB message buffer's end */
        char body[2048];
        char filler[1100];
        memset(filler, 'x', (size_t)pad);
        filler[pad] = '\0';
        snprintf(body, sizeof body, "{\"code\":40000,\"message\":\"%s%s and %%2F%s\"}", filler, secret, secret);
        canned r = {200, NULL, body};
        cJSON *p = J(TX_ADD);
        ak_error err = AK_ERROR_INIT;
        ak_call *call = NULL;
        int sends;
        int64_t slept;
        CHECK(ak_call_new(&call, c, "custom_audiences.add", p, &err) == AK_OK);
        CHECK(pump(call, &env, &r, 1, &sends, &slept) == AK_STEP_ERROR);
        const char *m = ak_call_error(call)->message;
        CHECK(strstr(m, "TOKEN-SEC") == NULL); /* not even a prefix */
        size_t n = strlen(m);
        for (size_t k = 4; k <= strlen(secret) && k <= n; k++)
            CHECK(strncmp(m + n - k, secret, k) != 0);
        ak_call_free(call);
        cJSON_Delete(p);
        ak_client_free(c);
    }
    /* URL-encoded and JSON-escaped forms of a secret with special characters */
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_of("tencent_ads", "{\"access_token\":\"a/b+c \\\"d\\\"\",\"base_url\":\"http://h:1\"}", &env);
    canned r = {200, NULL, "{\"code\":40000,\"message\":\"q=a%2Fb%2Bc%20%22d%22 raw a/b+c \\\"d\\\"\"}"};
    cJSON *p = J(TX_ADD);
    ak_error err = AK_ERROR_INIT;
    ak_call *call = NULL;
    int sends;
    int64_t slept;
    CHECK(ak_call_new(&call, c, "custom_audiences.add", p, &err) == AK_OK);
    CHECK(pump(call, &env, &r, 1, &sends, &slept) == AK_STEP_ERROR);
    CHECK_STR(ak_call_error(call)->message, "q=*** raw ***");
    ak_call_free(call);
    cJSON_Delete(p);
    ak_client_free(c);
}

static void test_crlf_refused(void) {
    const char *cases[][2] = {
        {"tencent_ads", "{\"access_token\":\"tok\\r\\nX-Evil: 1\"}"},
        {"tencent_ads", "{\"access_token\":\"tok\",\"user_agent\":\"ua\\nX-Evil: 1\"}"},
        {"sensors_data", "{\"api_key\":\"k\\r\\nX: 1\",\"project\":\"p\",\"base_url\":\"http://h:1\"}"},
        {"sensors_data", "{\"api_key\":\"k\",\"project\":\"p\\nX: 1\",\"base_url\":\"http://h:1\"}"},
        {"baidu_search", "{\"user_name\":\"u\\r\\nX: 1\",\"access_token\":\"t\"}"},
        {"tencent_ads", "{\"access_token\":\"tok\",\"base_url\":\"http://h:1/\\r\\nX: 1\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ak_client *c = NULL;
        ak_error err = AK_ERROR_INIT;
        cJSON *cfg = J(cases[i][1]);
        CHECK(ak_client_new(&c, cases[i][0], cfg, &err) == AK_FAIL);
        CHECK(err.kind == AK_ERR_VALIDATION && strstr(err.message, "CR or LF") != NULL);
        ak_client_free(c);
        ak_error_cleanup(&err);
        cJSON_Delete(cfg);
    }
}

static void test_base_url_password_masked(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = J("{\"access_token\":\"tok-secret-1\",\"base_url\":\"https://user:pa55word@proxy.example/v1.1\"}");
    CHECK(ak_client_new(&c, "tencent_ads", cfg, &err) == AK_OK);
    char *d = ak_client_describe(c);
    CHECK(d && strstr(d, "pa55word") == NULL && strstr(d, "tok-secret-1") == NULL);
    CHECK(d && strstr(d, "https://user:***@proxy.example/v1.1") != NULL);
    free(d);
    ak_client_free(c);
    cJSON_Delete(cfg);
}

/* Chunked keywords.get: each chunk's reported failures, input-relative, kept by the pager. */
static void test_chunked_failures(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_of("baidu_search", "{\"user_name\":\"u\",\"access_token\":\"BD-TOKEN-SECRET\"}", &env);
    /* 10001 keyword ids: chunks of 10000 and 1; the second chunk fails its only id */
    cJSON *ids = cJSON_CreateArray();
    for (int i = 0; i < 10001; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(i + 1));
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "ids", ids);
    cJSON_AddStringToObject(p, "id_type", "keyword");
    ak_transport *t = ak_client_transport(c);
    ak_recording_push(t, 200, NULL,
                      "{\"header\":{\"status\":1,\"failures\":[{\"code\":8001,\"message\":\"gone\",\"position\":3}]},"
                      "\"body\":{\"data\":[]}}");
    ak_recording_push(t, 200, NULL,
                      "{\"header\":{\"status\":1,\"failures\":[{\"code\":8001,\"message\":\"gone\",\"position\":0}]},"
                      "\"body\":{\"data\":[]}}");
    ak_pager *pg = NULL;
    ak_error err = AK_ERROR_INIT;
    if (ak_pager_new(&pg, c, "keywords.get", p, &err) != AK_OK)
        fprintf(stderr, "  pager: %s\n", err.message);
    CHECK(pg != NULL);
    if (!pg) {
        cJSON_Delete(p);
        ak_client_free(c);
        return;
    }
    int has = 1, pages = 0;
    while (has && pages < 5 && ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK)
        pages += has;
    CHECK(err.kind == AK_ERR_NONE && pages >= 1); /* an empty last chunk ends the iteration */
    const cJSON *f = ak_pager_failures(pg);
    char *text = cJSON_PrintUnformatted(f);
    if (cJSON_GetArraySize(f) != 2)
        fprintf(stderr, "  pages %d, err %s, failures %s\n", pages, err.message, text ? text : "?");
    free(text);
    CHECK(cJSON_GetArraySize(f) == 2);
    int64_t i0 = -1, i1 = -1;
    const cJSON *x0 = cJSON_GetObjectItem(cJSON_GetArrayItem(f, 0), "index");
    const cJSON *x1 = cJSON_GetObjectItem(cJSON_GetArrayItem(f, 1), "index");
    i0 = cJSON_IsNumber(x0) ? (int64_t)x0->valuedouble : -1;
    i1 = cJSON_IsNumber(x1) ? (int64_t)x1->valuedouble : -1;
    CHECK(i0 == 3 && i1 == 10000);
    ak_error_cleanup(&err);
    ak_pager_free(pg);
    cJSON_Delete(p);
    ak_client_free(c);
}

/* ---- a loopback server that answers request #1 with keep-alive and reads request #2 fully, then
 * closes without answering: libcurl must not send #2 again on a fresh connection ---- */
typedef struct ka_server {
    int fd, port, requests;
    pthread_t th;
} ka_server;

static int read_request(int c) {
    char buf[65536];
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(c, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            const char *cl = strcasestr(buf, "content-length:");
            size_t want = (size_t)(end - buf) + 4 + (cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0);
            while (len < want) {
                n = recv(c, buf + len, sizeof buf - 1 - len, 0);
                if (n <= 0)
                    return -1;
                len += (size_t)n;
            }
            return 0;
        }
    }
}

static void *ka_run(void *ud) {
    ka_server *s = ud;
    for (int conns = 0; conns < 4; conns++) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        struct timeval tv = {5, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        while (read_request(c) == 0) {
            s->requests++;
            if (s->requests == 2)
                break; /* read fully, then close without a response */
            const char *body = "{\"code\":0,\"data\":{\"audience_id\":5}}";
            char head[256];
            int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
            if (send(c, head, (size_t)n, 0) != n)
                break;
        }
        close(c);
    }
    return NULL;
}

static void test_keepalive_drop_not_resent(void) {
    ka_server s = {0};
    s.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    CHECK(bind(s.fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(s.fd, 8) == 0);
    getsockname(s.fd, (struct sockaddr *)&a, &al);
    s.port = ntohs(a.sin_port);
    pthread_create(&s.th, NULL, ka_run, &s);
    char cfg[256];
    snprintf(cfg, sizeof cfg, "{\"access_token\":\"TOKEN-SECRET-0001\",\"base_url\":\"http://127.0.0.1:%d\"}", s.port);
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cj = J(cfg), *p = J(TX_ADD), *res = NULL;
    CHECK(ak_client_new(&c, "tencent_ads", cj, &err) == AK_OK);
    CHECK(ak_call_simple(c, "custom_audiences.add", p, &res, &err) == AK_OK);
    cJSON_Delete(res);
    res = NULL;
    CHECK(ak_call_simple(c, "custom_audiences.add", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_TRANSPORT && !err.retryable);
    CHECK(strstr(err.message, "not resent") != NULL);
    CHECK(s.requests == 2); /* the add reached the server once */
    cJSON_Delete(res);
    ak_client_free(c);
    shutdown(s.fd, SHUT_RDWR);
    close(s.fd);
    pthread_join(s.th, NULL);
    cJSON_Delete(cj);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
}

/* maybe_applied: what each failure says about the request's effect (batch items' fate). */
static void test_maybe_applied(void) {
    struct {
        canned c;
        int applied;
    } cases[] = {
        {{503, NULL, "busy"}, 1},                                 /* the server may have acted */
        {{200, NULL, "{\"code\":30001}"}, 1},                     /* transient system error */
        {{200, NULL, "{\"code\":11016}"}, 0},                     /* rate limited: rejected */
        {{200, NULL, "{\"code\":31001,\"message\":\"dup\"}"}, 0}, /* business refusal */
        {{200, NULL, "{\"code\":11000}"}, 0},                     /* auth */
        {{200, NULL, "<html>"}, 1},                               /* an unreadable 2xx */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = client_of("tencent_ads", TX_CFG, &env);
        ak_client_set_retries(c, 0);
        cJSON *p = J(TX_ADD);
        ak_error err = AK_ERROR_INIT;
        ak_call *call = NULL;
        int sends;
        int64_t slept;
        CHECK(ak_call_new(&call, c, "custom_audiences.add", p, &err) == AK_OK);
        CHECK(pump(call, &env, &cases[i].c, 1, &sends, &slept) == AK_STEP_ERROR);
        if (ak_call_error(call)->maybe_applied != cases[i].applied)
            fprintf(stderr, "  case %zu: maybe_applied %d\n", i, ak_call_error(call)->maybe_applied);
        CHECK(ak_call_error(call)->maybe_applied == cases[i].applied);
        ak_call_free(call);
        cJSON_Delete(p);
        ak_client_free(c);
    }
    /* transport failures: provably not sent vs possibly received */
    for (int not_sent = 0; not_sent <= 1; not_sent++) {
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = client_of("tencent_ads", TX_CFG, &env);
        ak_client_set_retries(c, 0);
        cJSON *p = J(TX_ADD);
        ak_error err = AK_ERROR_INIT;
        ak_call *call = NULL;
        ak_step st;
        CHECK(ak_call_new(&call, c, "custom_audiences.add", p, &err) == AK_OK);
        ak_call_next(call, &st);
        ak_response r = {0};
        r.error_kind = AK_ERR_TRANSPORT;
        r.error_message = "reset";
        r.not_sent = not_sent;
        ak_call_feed(call, &r);
        ak_call_next(call, &st);
        CHECK(st.kind == AK_STEP_ERROR && ak_call_error(call)->maybe_applied == !not_sent);
        ak_call_free(call);
        cJSON_Delete(p);
        ak_client_free(c);
    }
}

/* Volcengine's 1 request/s belongs to the access key: a second client with the same key waits for
 * the slot the first one took; a client with another key does not. */
static void test_rate_limit_shared_per_account(void) {
    fake_env env = {1800000000000LL, 0, 0};
    const char *same = "{\"access_key\":\"AK-SHARED\",\"secret_key\":\"VL-SECRET-KEY\",\"base_url\":\"http://h:1\"}";
    const char *other = "{\"access_key\":\"AK-OTHER\",\"secret_key\":\"VL-SECRET-KEY\",\"base_url\":\"http://h:1\"}";
    ak_client *a = client_of("volcengine_live", same, &env);
    ak_client *b = client_of("volcengine_live", same, &env);
    ak_client *o = client_of("volcengine_live", other, &env);
    cJSON *p = J("{\"activity_id\":1,\"user_id\":1}");
    ak_error err = AK_ERROR_INIT;
    ak_call *ca = NULL, *cb = NULL, *co = NULL;
    ak_step st;
    CHECK(ak_call_new(&ca, a, "get_account_user_track_data", p, &err) == AK_OK);
    CHECK(ak_call_new(&cb, b, "get_account_user_track_data", p, &err) == AK_OK);
    CHECK(ak_call_new(&co, o, "get_account_user_track_data", p, &err) == AK_OK);
    ak_call_next(ca, &st);
    CHECK(st.kind == AK_STEP_SEND);
    ak_call_next(cb, &st); /* another client, same account: waits for the next slot */
    CHECK(st.kind == AK_STEP_SLEEP && st.sleep_ms >= 1000 && st.sleep_ms <= 1100);
    ak_call_next(co, &st); /* another account: its own slot */
    CHECK(st.kind == AK_STEP_SEND);
    ak_call_free(ca);
    ak_call_free(cb);
    ak_call_free(co);
    cJSON_Delete(p);
    ak_client_free(a);
    ak_client_free(b);
    ak_client_free(o);
}

int main(void) {
    RUN(test_rate_limit_shared_per_account);
    RUN(test_maybe_applied);
    RUN(test_failure_tables);
    RUN(test_transport_failures);
    RUN(test_retry_after_capped_and_deadline);
    RUN(test_response_size_limit);
    RUN(test_secrets_scrubbed_before_truncation);
    RUN(test_crlf_refused);
    RUN(test_base_url_password_masked);
    RUN(test_chunked_failures);
    RUN(test_keepalive_drop_not_resent);
    DONE();
}
