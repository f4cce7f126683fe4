/* test_volcengine.c - Volcengine live: V4 signature known-answer vectors computed with the vendor's
 * own signer (tests/golden/volcengine_live/vectors.json, from make_vectors.py), the 1 request/s
 * limiter as SLEEP steps on an injected clock, envelope/error mapping on canned responses, request
 * validation, credential checks, and a short loopback run against the sandbox. */
#include "auth/auth.h"
#include "sandbox.h"

#include <time.h>

#define OP "get_account_user_track_data"
#define OK_BODY                                                                                                        \
    "{\"ResponseMetadata\":{\"RequestId\":\"req-ok\",\"Action\":\"GetAccountUserTrackData\",\"Version\":\"2023-08-"    \
    "01\","                                                                                                            \
    "\"Service\":\"livesaas\",\"Region\":\"cn-north-1\"},\"Result\":{\"UserTrackData\":{\"UserTracks\":[]}}}"

static cJSON *load_vectors(void) {
    const char *path = AUDKIT_SOURCE_DIR "/tests/golden/volcengine_live/vectors.json";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    text[n] = '\0';
    fclose(f);
    cJSON *j = J(text);
    free(text);
    return j;
}

static const char *str_at(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* fake sleeps: advance the injected clock instead of waiting */
static void fake_sleep(void *ud, int64_t ms) {
    fake_env *e = ud;
    e->now_ms += ms;
    e->slept_ms += ms;
}

static int drive_json(ak_client *c, fake_env *env, const cJSON *params, cJSON **result, ak_error *err, int *sleeps) {
    ak_call *call = NULL;
    int rc = ak_call_new(&call, c, OP, params, err);
    if (rc != AK_OK)
        return rc;
    int64_t before = env->slept_ms;
    ak_drive_hooks h = {0};
    h.sleep_ms = fake_sleep;
    h.ud = env;
    rc = ak_drive_call(c, call, &h, err);
    if (result)
        *result = rc == AK_OK ? ak_call_take_result(call) : NULL;
    if (sleeps)
        *sleeps = (int)(env->slept_ms - before);
    ak_call_free(call);
    return rc;
}

static int drive(ak_client *c, fake_env *env, const char *params, cJSON **result, ak_error *err, int *sleeps) {
    cJSON *p = J(params);
    int rc = drive_json(c, env, p, result, err, sleeps);
    cJSON_Delete(p);
    return rc;
}

static ak_client *volc_client(const char *config, fake_env *env) {
    return recording_client("volcengine_live", config, env);
}

static const char *header(const ak_request *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ---- known answers: whole calls through the engine ------------------------------------------- */
static void test_vectors_op(void) {
    cJSON *doc = load_vectors();
    int n = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "vectors")) {
        if (strcmp(str_at(v, "kind"), "op") != 0)
            continue;
        n++;
        const cJSON *exp = cJSON_GetObjectItem(v, "expect");
        fake_env env = {(int64_t)cJSON_GetObjectItem(v, "now_ms")->valuedouble, 0, 0};
        cJSON *cfg = cJSON_Duplicate(cJSON_GetObjectItem(v, "credentials"), 1);
        cJSON_AddStringToObject(cfg, "base_url", str_at(v, "base_url"));
        char *cfgtext = cJSON_PrintUnformatted(cfg);
        ak_client *c = volc_client(cfgtext, &env);
        ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
        cJSON *res = NULL;
        ak_error err = AK_ERROR_INIT;
        /* the parsed params as they are: cJSON's printer would round 2^53 - 1 */
        CHECK(drive_json(c, &env, cJSON_GetObjectItem(v, "params"), &res, &err, NULL) == AK_OK);
        const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
        CHECK(r != NULL);
        if (r) {
            fprintf(stderr, "  vector %s\n", str_at(v, "name"));
            CHECK_STR(r->method, "POST");
            CHECK_STR(r->url, str_at(exp, "url"));
            CHECK(r->body_len == strlen(str_at(exp, "body")));
            CHECK_STR(r->body, str_at(exp, "body"));
            const cJSON *hs = cJSON_GetObjectItem(exp, "headers");
            CHECK(r->nheaders == (size_t)cJSON_GetArraySize(hs));
            for (size_t i = 0; i < r->nheaders && i < (size_t)cJSON_GetArraySize(hs); i++) {
                const cJSON *h = cJSON_GetArrayItem(hs, (int)i);
                CHECK_STR(r->headers[i].name, cJSON_GetArrayItem(h, 0)->valuestring);
                CHECK_STR(r->headers[i].value, cJSON_GetArrayItem(h, 1)->valuestring);
            }
            CHECK_STR(header(r, "Authorization"), str_at(exp, "authorization"));
        }
        cJSON_Delete(res);
        free(cfgtext);
        cJSON_Delete(cfg);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
    CHECK(n >= 3);
    cJSON_Delete(doc);
}

/* ---- known answers: the hook on hand-built attempts (query order, Chinese/space/reserved) ----- */
static void test_vectors_signer(void) {
    cJSON *doc = load_vectors();
    int n = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "vectors")) {
        if (strcmp(str_at(v, "kind"), "signer") != 0)
            continue;
        n++;
        fprintf(stderr, "  vector %s\n", str_at(v, "name"));
        const cJSON *exp = cJSON_GetObjectItem(v, "expect");
        fake_env env = {(int64_t)cJSON_GetObjectItem(v, "now_ms")->valuedouble, 0, 0};
        cJSON *cfg = cJSON_Duplicate(cJSON_GetObjectItem(v, "credentials"), 1);
        cJSON_AddStringToObject(cfg, "base_url", str_at(v, "base_url"));
        char *cfgtext = cJSON_PrintUnformatted(cfg);
        ak_client *c = volc_client(cfgtext, &env);

        ak_req_build rb = {0};
        rb.method = str_at(v, "method");
        rb.path = ak_strdup(str_at(v, "path"));
        const cJSON *q;
        cJSON_ArrayForEach(q, cJSON_GetObjectItem(v, "query"))
            ak_rb_add_query(&rb, cJSON_GetArrayItem(q, 0)->valuestring, cJSON_GetArrayItem(q, 1)->valuestring);
        cJSON_ArrayForEach(q, cJSON_GetObjectItem(v, "headers"))
            ak_rb_add_header(&rb, cJSON_GetArrayItem(q, 0)->valuestring, cJSON_GetArrayItem(q, 1)->valuestring);
        const char *body = str_at(v, "body");
        if (*body) {
            rb.body = ak_strdup(body);
            rb.body_len = strlen(body);
        }
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_auth_volcengine_v4(c, &rb, &err) == AK_OK);

        /* the pairs are left in canonical order: the URL the engine builds is the signed query */
        const cJSON *eq = cJSON_GetObjectItem(exp, "query");
        CHECK(rb.nquery == (size_t)cJSON_GetArraySize(eq));
        for (size_t i = 0; i < rb.nquery && i < (size_t)cJSON_GetArraySize(eq); i++) {
            CHECK_STR(rb.query[i].name, cJSON_GetArrayItem(cJSON_GetArrayItem(eq, (int)i), 0)->valuestring);
            CHECK_STR(rb.query[i].value, cJSON_GetArrayItem(cJSON_GetArrayItem(eq, (int)i), 1)->valuestring);
        }
        const cJSON *hs = cJSON_GetObjectItem(exp, "headers");
        CHECK(rb.nheaders == (size_t)cJSON_GetArraySize(hs));
        for (size_t i = 0; i < rb.nheaders && i < (size_t)cJSON_GetArraySize(hs); i++) {
            const cJSON *h = cJSON_GetArrayItem(hs, (int)i);
            CHECK_STR(rb.headers[i].name, cJSON_GetArrayItem(h, 0)->valuestring);
            CHECK_STR(rb.headers[i].value, cJSON_GetArrayItem(h, 1)->valuestring);
        }
        ak_rb_cleanup(&rb);
        ak_error_cleanup(&err);
        free(cfgtext);
        cJSON_Delete(cfg);
        ak_client_free(c);
    }
    CHECK(n >= 2);
    cJSON_Delete(doc);
}

/* ---- 1 request/s: ten calls in a row need >= 9 s of SLEEP steps, and no real waiting ---------- */
static void test_rate_limit_sleeps(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = volc_client("{\"access_key\":\"AK\",\"secret_key\":\"SK\"}", &env);
    for (int i = 0; i < 10; i++)
        ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t total = 0;
    ak_error err = AK_ERROR_INIT;
    for (int i = 0; i < 10; i++) {
        int slept = 0;
        cJSON *res = NULL;
        CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, &slept) == AK_OK);
        CHECK(i == 0 ? slept == 0 : slept >= 1000);
        total += slept;
        cJSON_Delete(res);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double real_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(total >= 9000);
    CHECK(real_s < 1.0); /* the sleeps were the fake clock's */
    CHECK(ak_recording_count(ak_client_transport(c)) == 10);
    /* every request is signed at its own send time: X-Date seconds advance by >= 1 s */
    char prev[32] = "";
    for (size_t i = 0; i < 10; i++) {
        const char *xd = header(ak_recording_get(ak_client_transport(c), i), "X-Date");
        CHECK(xd && strlen(xd) == 16);
        if (xd && i)
            CHECK(strcmp(xd, prev) > 0);
        snprintf(prev, sizeof prev, "%s", xd ? xd : "");
    }
    CHECK_STR(header(ak_recording_get(ak_client_transport(c), 0), "X-Date"), "20231114T221320Z");
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- retries: a fresh X-Date and signature per attempt ---------------------------------------- */
static void test_fresh_signature_per_attempt(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = volc_client("{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"backoff_ms\":10}", &env);
    ak_recording_push(ak_client_transport(c), 500, NULL,
                      "{\"ResponseMetadata\":{\"RequestId\":\"r1\",\"Error\":{\"Code\":\"InternalError\",\"CodeN\":1,"
                      "\"Message\":\"Data search inner error, please try again.\"}}}");
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    int slept = 0;
    CHECK(drive(c, &env, "{\"user_id\":5}", &res, &err, &slept) == AK_OK);
    CHECK(ak_recording_count(ak_client_transport(c)) == 2);
    const ak_request *a = ak_recording_get(ak_client_transport(c), 0), *b = ak_recording_get(ak_client_transport(c), 1);
    CHECK(slept >= 1000); /* the retry also waits for the 1/s slot */
    CHECK(strcmp(header(a, "X-Date"), header(b, "X-Date")) != 0);
    CHECK(strcmp(header(a, "Authorization"), header(b, "Authorization")) != 0);
    CHECK_STR(header(a, "X-Content-Sha256"), header(b, "X-Content-Sha256"));
    CHECK_STR(a->url, b->url);
    /* exactly one of each signing header per attempt (the attempt is rebuilt, not appended to) */
    CHECK(b->nheaders == 5);
    cJSON_Delete(res);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- envelope and error mapping on canned responses ------------------------------------------ */
typedef struct err_case {
    int status;
    const char *body;
    ak_error_kind kind;
    const char *vendor_code;
    int retryable;
    int sends; /* with retries = 2 */
    const char *message;
} err_case;

#define META(code, coden, msg)                                                                                         \
    "{\"ResponseMetadata\":{\"RequestId\":\"rid-" code "\",\"Action\":\"GetAccountUserTrackData\",\"Version\":"        \
    "\"2023-08-01\",\"Service\":\"livesaas\",\"Region\":\"cn-north-1\",\"Error\":{\"Code\":\"" code                    \
    "\",\"CodeN\":" #coden ",\"Message\":\"" msg "\"}}}"

static void test_error_mapping(void) {
    static const err_case cases[] = {
        {401, META("SignatureDoesNotMatch", 100010, "The request signature we calculated does not match"), AK_ERR_AUTH,
         "SignatureDoesNotMatch", 0, 1, "The request signature we calculated does not match"},
        {401, META("InvalidAccessKey", 100009, "The accesskey [AK] included in the request is invalid."), AK_ERR_AUTH,
         "InvalidAccessKey", 0, 1, NULL},
        {400, META("InvalidTimestamp", 100006, "The signature of the request is expired."), AK_ERR_AUTH,
         "InvalidTimestamp", 0, 1, NULL},
        {400, META("MissingParameter", 100002, "The request is missing Action parameter."), AK_ERR_API,
         "MissingParameter", 0, 1, NULL},
        {400, META("InvalidParameter.InvalidAccountId", 100004, "The specified parameter AccountId is invalid."),
         AK_ERR_API, "InvalidParameter.InvalidAccountId", 0, 1, "The specified parameter AccountId is invalid."},
        {400, META("InvalidParameter.InvalidUserId", 100004, "The specified parameter UserId is invalid."), AK_ERR_API,
         "InvalidParameter.InvalidUserId", 0, 1, "The specified parameter UserId is invalid."},
        {500, META("InternalError", 100023, "Data search inner error, please try again."), AK_ERR_API, "InternalError",
         1, 3, NULL},
        {429, META("FlowLimitExceeded", 100018, "flow limit"), AK_ERR_RATE_LIMITED, "FlowLimitExceeded", 1, 3, NULL},
        {503, META("ServiceUnavailable", 100019, "busy"), AK_ERR_API, "ServiceUnavailable", 1, 3, NULL},
        {403, META("AccessDenied", 100013, "User is not authorized"), AK_ERR_AUTH, "AccessDenied", 0, 1, NULL},
        {502, "<html>bad gateway</html>", AK_ERR_HTTP, "", 1, 3, NULL},
        {504, "{\"message\":\"gateway timeout\"}", AK_ERR_HTTP, "", 1, 3, NULL},
        {200, "not json", AK_ERR_DECODE, "", 0, 1, NULL},
        {200, "{\"Result\":{}}", AK_ERR_DECODE, "", 0, 1, NULL},
        {200, "{\"ResponseMetadata\":{\"RequestId\":\"x\"},\"Result\":[1]}", AK_ERR_DECODE, "", 0, 1, NULL},
        /* an Error on HTTP 200 is still an error */
        {200, META("InvalidParameter.InvalidUserId", 100004, "bad user"), AK_ERR_API, "InvalidParameter.InvalidUserId",
         0, 1, "bad user"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const err_case *k = &cases[i];
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = volc_client("{\"access_key\":\"AKID\",\"secret_key\":\"TOPSECRET\",\"session_token\":"
                                   "\"STSTOKENVALUE\",\"retries\":2,\"backoff_ms\":1}",
                                   &env);
        for (int s = 0; s < 3; s++)
            ak_recording_push(ak_client_transport(c), k->status, NULL, k->body);
        ak_error err = AK_ERROR_INIT;
        cJSON *res = NULL;
        int rc = drive(c, &env, "{\"user_id\":7}", &res, &err, NULL);
        CHECK(rc == AK_FAIL);
        if (err.kind != k->kind || err.retryable != k->retryable)
            fprintf(stderr, "  case %zu: kind %s retryable %d\n", i, ak_error_kind_name(err.kind), err.retryable);
        CHECK(err.kind == k->kind);
        CHECK(err.retryable == k->retryable);
        CHECK_STR(err.vendor_code, k->vendor_code);
        CHECK(err.http_status == k->status);
        CHECK((int)ak_recording_count(ak_client_transport(c)) == k->sends);
        if (k->vendor_code[0]) {
            char rid[96];
            snprintf(rid, sizeof rid, "rid-%s", k->vendor_code);
            CHECK_STR(err.request_id, strstr(k->body, "\"RequestId\":\"x\"") ? "x" : rid);
        }
        if (k->message)
            CHECK_STR(err.message, k->message);
        CHECK(strstr(err.message, "TOPSECRET") == NULL && strstr(err.message, "STSTOKENVALUE") == NULL);
        cJSON_Delete(res);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
}

/* ---- success decoding: lenient, unknown fields kept, ids as strings ---------------------------- */
static void test_decode(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = volc_client("{\"access_key\":\"AK\",\"secret_key\":\"SK\"}", &env);
    ak_recording_push(
        ak_client_transport(c), 200, NULL,
        "{\"ResponseMetadata\":{\"RequestId\":\"20230604110420\",\"Action\":\"GetAccountUserTrackData\","
        "\"Version\":\"2023-08-01\",\"Service\":\"livesaas\",\"Region\":\"cn-north-1\",\"SystemTime\":1697446406},"
        "\"Result\":{\"UserTrackData\":{\"UserTracks\":[{\"ActivityId\":\"1781234122348\",\"ActivityName\":\"直播间 "
        "A\","
        "\"JoinTime\":1681800648,\"WatchDurationLive\":600,\"WatchDurationReplay\":300,\"CommentCount\":868,"
        "\"PayAmount\":\"2\",\"LotteryAwards\":[\"实物抽奖\"],\"NewField\":true}],\"PayData\":{\"TotalAmount\":\"2\","
        "\"PayCount\":1},\"InteractData\":{\"ReservationCount\":1,\"ThumbUpNumber\":\"12\",\"CouponPickupCount\":1},"
        "\"UserTrackSum\":{\"WatchCount\":6,\"WatchDuration\":170843}},\"FilterUserTrack\":null,\"Extra\":{\"a\":1}}}");
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"ResponseMetadata\":{\"RequestId\":\"r\"},\"Result\":null}");
    ak_recording_push(ak_client_transport(c), 200, NULL, "{\"ResponseMetadata\":{\"RequestId\":\"r\"}}");
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, NULL) == AK_OK);
    const cJSON *utd = cJSON_GetObjectItem(res, "UserTrackData");
    const cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(utd, "UserTracks"), 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(t0, "ActivityId")) &&
          cJSON_GetObjectItem(t0, "ActivityId")->valuedouble == 1781234122348.0);
    CHECK_STR(str_at(t0, "ActivityName"), "直播间 A");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(t0, "NewField"))); /* unknown field kept */
    CHECK(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(utd, "PayData"), "TotalAmount")));
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(utd, "InteractData"), "ThumbUpNumber")->valuedouble == 12);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(res, "FilterUserTrack")));
    CHECK(cJSON_GetObjectItem(res, "Extra") != NULL);
    cJSON_Delete(res);
    /* a success without the documented Result (null or absent) is a decode error, not {} */
    CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, NULL) == AK_FAIL && err.kind == AK_ERR_DECODE);
    CHECK(res == NULL);
    CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, NULL) == AK_FAIL && err.kind == AK_ERR_DECODE);
    CHECK(res == NULL);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- validation: every violation, before any request ------------------------------------------ */
static void test_validation(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = volc_client("{\"access_key\":\"AK\",\"secret_key\":\"SK\"}", &env);
    ak_error err = AK_ERROR_INIT;
    /* neither user_id nor external_id */
    CHECK(drive(c, &env, "{\"activity_id\":1}", NULL, &err, NULL) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "user_id");
    CHECK(strstr(err.rule, "at least one of user_id, external_id") != NULL);
    /* masked example numbers are not JSON integers; every violation is listed with its path */
    CHECK(drive(c, &env,
                "{\"user_id\":\"12****239\",\"activity_id\":0,\"external_id\":5,\"select_tags\":[{\"index\":\"x\","
                "\"value\":[1],\"name\":[]}],\"watch_type\":false}",
                NULL, &err, NULL) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK(has_violation(&err, "user_id", NULL));
    CHECK(has_violation(&err, "activity_id", NULL));
    CHECK(has_violation(&err, "external_id", NULL));
    CHECK(has_violation(&err, "watch_type", NULL));
    CHECK(has_violation(&err, "select_tags[0].index", NULL));
    CHECK(has_violation(&err, "select_tags[0].value[0]", NULL));
    CHECK(has_violation(&err, "select_tags[0].name", NULL));
    CHECK(err.nviolations >= 7);
    /* wire names are accepted too; only external_id is enough */
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
    CHECK(ak_recording_count(ak_client_transport(c)) == 0);
    cJSON *res = NULL;
    CHECK(drive(c, &env, "{\"ExternalId\":\"open-id\",\"WatchType\":\"app\"}", &res, &err, NULL) == AK_OK);
    CHECK_STR(ak_recording_get(ak_client_transport(c), 0)->body, "{\"ExternalId\":\"open-id\",\"WatchType\":\"app\"}");
    cJSON_Delete(res);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- credentials: required, region checked, secrets never shown ------------------------------- */
static void test_credentials(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = J("{\"region\":\"\"}");
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_FAIL);
    CHECK(has_violation(&err, "access_key", NULL) && has_violation(&err, "secret_key", NULL) &&
          has_violation(&err, "region", NULL));
    cJSON_Delete(cfg);
    cfg = J("{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"region\":\"cn/north\"}");
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "region");
    cJSON_Delete(cfg);
    cfg = J("{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"session_token\":\"a\\r\\nX-Evil: 1\"}");
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "session_token");
    CHECK(strstr(err.message, "Evil") == NULL);
    cJSON_Delete(cfg);
    cfg = J("{\"access_key\":\"AKVISIBLE\",\"secret_key\":\"TOPSECRET\",\"session_token\":\"STSTOKENVALUE\"}");
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_OK);
    char *d = ak_client_describe(c);
    CHECK(d && strstr(d, "TOPSECRET") == NULL && strstr(d, "STSTOKENVALUE") == NULL);
    free(d);
    ak_client_free(c);
    cJSON_Delete(cfg);
    /* region defaults to cn-north-1 in the credential scope; an empty session_token means none */
    fake_env env = {1700000000000LL, 0, 0};
    c = volc_client("{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"session_token\":\"\"}", &env);
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
    cJSON *res = NULL;
    CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, NULL) == AK_OK);
    const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
    CHECK(strstr(header(r, "Authorization"), "Credential=AK/20231114/cn-north-1/livesaas/request,") != NULL);
    CHECK(header(r, "X-Security-Token") == NULL);
    cJSON_Delete(res);
    ak_client_free(c);
    ak_error_cleanup(&err);
}

/* ---- a base URL given percent-encoded signs as the server decodes it ------------------------- */
static void test_encoded_base_path(void) {
    char auth[2][512];
    const char *cfg[2] = {"{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"base_url\":\"http://h:81/a%20b%2Fc\"}",
                          "{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"base_url\":\"http://h:81/a b/c\"}"};
    for (int i = 0; i < 2; i++) {
        fake_env env = {1700000000000LL, 0, 0};
        ak_rate_reset(); /* the same account and clock twice: the 1/s slot must not shift the time */
        ak_client *c = volc_client(cfg[i], &env);
        ak_recording_push(ak_client_transport(c), 200, NULL, OK_BODY);
        ak_error err = AK_ERROR_INIT;
        cJSON *res = NULL;
        CHECK(drive(c, &env, "{\"user_id\":1}", &res, &err, NULL) == AK_OK);
        snprintf(auth[i], sizeof auth[i], "%s", header(ak_recording_get(ak_client_transport(c), 0), "Authorization"));
        CHECK_STR(header(ak_recording_get(ak_client_transport(c), 0), "Host"), "h:81");
        cJSON_Delete(res);
        ak_client_free(c);
    }
    CHECK_STR(auth[0], auth[1]);
}

/* ---- the descriptor: a bare op name on the client, fixed query, 1/s -------------------------- */
static void test_descriptor(void) {
    const ak_platform *p = ak_platform_find("volcengine_live");
    const ak_op *op = ak_op_find(p, OP);
    CHECK(op && op->rate_per_sec == 1 && strcmp(op->method, "POST") == 0 && strcmp(op->path, "/") == 0);
    CHECK(op && op->query && strcmp(op->query[0], "Action") == 0 &&
          strcmp(op->query[1], "GetAccountUserTrackData") == 0);
    CHECK(ak_platform_is_secret(p, "secret_key") && ak_platform_is_secret(p, "session_token"));
    CHECK(!ak_platform_is_secret(p, "access_key"));
    CHECK(ak_schema_find("volcengine_live", "InteractData") != NULL);
    CHECK(ak_schema_find("volcengine_live", "FilterUserTrack") != NULL);
    const ak_schema *ia = ak_schema_find("volcengine_live", "InteractData");
    int n = 0;
    for (const ak_field *f = ak_schema_field_next(ia, NULL); f; f = ak_schema_field_next(ia, f))
        n++;
    CHECK(n == 12);
    const ak_field *f = ak_schema_field(ia, "coupon_pickup_count");
    CHECK(f && strcmp(f->wire, "CouponPickupCount") == 0);
}

/* ---- loopback: the sandbox verifies what libcurl really sent ---------------------------------- */
static void test_loopback(void) {
    sandbox sb;
    if (sandbox_start(&sb) != 0) {
        CHECK(!"sandbox did not start");
        return;
    }
    cJSON *seeded =
        sandbox_control(&sb, "POST", "seed", "{\"vendor\":\"volcengine_live\",\"kind\":\"users\",\"count\":2}");
    const cJSON *ids = cJSON_GetObjectItem(seeded, "ids");
    CHECK(cJSON_GetArraySize(ids) == 2);
    cJSON *cfg = sandbox_config(&sb, "volcengine_live");
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_OK);
    char params[128];
    snprintf(params, sizeof params, "{\"user_id\":%.0f,\"activity_id\":1781000000}",
             cJSON_GetArrayItem(ids, 0)->valuedouble);
    cJSON *p = J(params), *res = NULL;
    CHECK(ak_call_simple(c, OP, p, &res, &err) == AK_OK);
    const cJSON *utd = cJSON_GetObjectItem(res, "UserTrackData");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(utd, "UserTracks")) >= 1);
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(res, "FilterUserTrack")));
    cJSON_Delete(res);
    cJSON_Delete(p);
    /* an unknown user: the seed's 400 InvalidParameter.InvalidUserId (the client waits its 1 s slot) */
    p = J("{\"user_id\":999999999}");
    CHECK(ak_call_simple(c, OP, p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && err.http_status == 400);
    CHECK_STR(err.vendor_code, "InvalidParameter.InvalidUserId");
    CHECK(err.request_id[0] != '\0');
    ak_client_free(c);
    /* a wrong secret: 401 SignatureDoesNotMatch, an auth error */
    cJSON_ReplaceItemInObject(cfg, "secret_key", cJSON_CreateString("not-the-secret"));
    CHECK(ak_client_new(&c, "volcengine_live", cfg, &err) == AK_OK);
    CHECK(ak_call_simple(c, OP, p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH && err.http_status == 401);
    CHECK_STR(err.vendor_code, "SignatureDoesNotMatch");
    CHECK(strstr(err.message, "not-the-secret") == NULL);
    ak_client_free(c);
    cJSON_Delete(p);
    cJSON_Delete(cfg);
    cJSON_Delete(seeded);
    ak_error_cleanup(&err);
    sandbox_stop(&sb);
}

int main(void) {
    RUN(test_descriptor);
    RUN(test_vectors_op);
    RUN(test_vectors_signer);
    RUN(test_rate_limit_sleeps);
    RUN(test_fresh_signature_per_attempt);
    RUN(test_error_mapping);
    RUN(test_decode);
    RUN(test_validation);
    RUN(test_credentials);
    RUN(test_encoded_base_path);
    RUN(test_loopback);
    DONE();
}
