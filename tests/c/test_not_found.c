/* test_not_found.c - "the object does not exist" per vendor (issue 7, item 10; docs/RELIABILITY.md,
 * "Not found"). A missing object is `not_found` only where the vendor has a public signal for it,
 * and it is never retried; where a vendor publishes no such signal the answer stays `api` (the
 * sandbox's placeholder codes never classify), and the 404s that vendors document as "no such
 * service or route" are never taken for a missing object. Canned responses through the recording
 * transport, driven by the blocking driver with a fake clock (retries would show as extra sends). */
#include "harness.h"

#include "internal.h"

#define SENSORS_CFG "{\"base_url\":\"http://sd.example:8107/api\",\"token\":\"T\",\"project\":\"p\",\"backoff_ms\":1}"
#define THINKING_CFG "{\"base_url\":\"http://ta.example:8992\",\"token\":\"T\",\"backoff_ms\":1}"
#define TENCENT_CFG "{\"access_token\":\"T\",\"base_url\":\"http://h:1/v1.1\",\"backoff_ms\":1}"
#define BAIDU_CFG                                                                                                      \
    "{\"op_username\":\"op\",\"op_password\":\"OPPW\",\"tg_username\":\"tg\",\"tg_password\":\"TGPW\","                \
    "\"tg_subname\":\"sub\",\"bce_user\":\"bce\",\"access_key\":\"AK\",\"secret_key\":\"SK\","                         \
    "\"base_url\":\"http://h:1/v1/cloud\",\"backoff_ms\":1}"
#define VOLC_CFG "{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"backoff_ms\":1}"

#define VOLC_ERR(code, coden, msg)                                                                                     \
    "{\"ResponseMetadata\":{\"RequestId\":\"rid\",\"Action\":\"GetAccountUserTrackData\",\"Version\":\"2023-08-01\","  \
    "\"Service\":\"livesaas\",\"Region\":\"cn-north-1\",\"Error\":{\"Code\":\"" code "\",\"CodeN\":" #coden            \
    ",\"Message\":\"" msg "\"}}}"

typedef struct nf_case {
    const char *what;
    const char *platform, *config, *op, *params;
    int status;
    const char *body;
    ak_error_kind kind; /* expected */
    const char *vendor_code;
} nf_case;

static void fake_sleep(void *ud, int64_t ms) {
    fake_env *e = ud;
    e->now_ms += ms;
    e->slept_ms += ms;
}

static const nf_case CASES[] = {
    /* Sensors Data: the /v2 routes answer a missing tag with HTTP 404 (error codes unpublished) */
    {"sensors 404 on get", "sensors_data", SENSORS_CFG, "user_tags.get", "{\"id\":9}", 404,
     "{\"error\":\"user tag 9 does not exist\",\"code\":\"SENSORS_TAG_NOT_FOUND\"}", AK_ERR_NOT_FOUND,
     "SENSORS_TAG_NOT_FOUND"},
    {"sensors 404 without a body", "sensors_data", SENSORS_CFG, "user_tags.get", "{\"id\":9}", 404, "",
     AK_ERR_NOT_FOUND, ""},
    /* ThinkingData: no published codes; an HTTP 404 is not_found, its HTTP 200 business codes
     * (the sandbox's placeholder for a missing cluster) stay api */
    {"thinking 404 on an idempotent delete", "thinking_data", THINKING_CFG, "clusters.delete",
     "{\"project_id\":1,\"cluster_id\":9}", 404, "{\"return_code\":-404,\"return_message\":\"not found\"}",
     AK_ERR_NOT_FOUND, "-404"},
    {"thinking placeholder on 200", "thinking_data", THINKING_CFG, "clusters.detail",
     "{\"project_id\":1,\"cluster_id\":9}", 200,
     "{\"return_code\":-1004,\"return_message\":\"cluster id 9 does not exist\",\"data\":null}", AK_ERR_API, "-1004"},
    /* Tencent Ads: no public "audience does not exist" code; the sandbox's 31002 is a placeholder */
    {"tencent placeholder on delete", "tencent_ads", TENCENT_CFG, "custom_audiences.delete",
     "{\"account_id\":1,\"audience_id\":9}", 200,
     "{\"code\":31002,\"message\":\"audience not found\",\"message_cn\":\"人群不存在\"}", AK_ERR_API, "31002"},
    {"tencent placeholder on update", "tencent_ads", TENCENT_CFG, "custom_audiences.update",
     "{\"account_id\":1,\"audience_id\":9,\"name\":\"x\"}", 200,
     "{\"code\":31002,\"message\":\"audience not found\",\"message_cn\":\"人群不存在\"}", AK_ERR_API, "31002"},
    /* Baidu: the sandbox's 9103 (unknown keywordId) is a placeholder; Baidu's published access
     * error 404 means "ApiService not found: wrong host or URI", not a missing keyword */
    {"baidu placeholder on delete", "baidu_search", BAIDU_CFG, "keywords.delete", "{\"keyword_ids\":[9]}", 200,
     "{\"header\":{\"status\":2,\"desc\":\"failure\",\"failures\":[{\"code\":9103,\"message\":\"keyword 9 does not "
     "exist\",\"position\":\"keywordIds[0]\"}]},\"body\":{\"data\":[]}}",
     AK_ERR_API, "9103"},
    {"baidu access error 404 in the envelope", "baidu_search", BAIDU_CFG, "keywords.delete", "{\"keyword_ids\":[9]}",
     404,
     "{\"header\":{\"status\":3,\"desc\":\"failure\",\"failures\":[{\"code\":404,\"message\":\"ApiService not found "
     "may be hostname or uri not right\"}]}}",
     AK_ERR_API, "404"},
    /* Volcengine: 404 ServiceNotFound / InvalidActionOrVersion name a missing service or action;
     * the seed's InvalidParameter.InvalidUserId is "UserId 参数不符合规范", not "no such user" */
    {"volcengine InvalidActionOrVersion", "volcengine_live", VOLC_CFG, "get_account_user_track_data", "{\"user_id\":9}",
     404, VOLC_ERR("InvalidActionOrVersion", 100008, "Could not find operation"), AK_ERR_API, "InvalidActionOrVersion"},
    {"volcengine ServiceNotFound", "volcengine_live", VOLC_CFG, "get_account_user_track_data", "{\"user_id\":9}", 404,
     VOLC_ERR("ServiceNotFound", 100007, "service not found"), AK_ERR_API, "ServiceNotFound"},
    {"volcengine InvalidUserId", "volcengine_live", VOLC_CFG, "get_account_user_track_data", "{\"user_id\":9}", 400,
     VOLC_ERR("InvalidParameter.InvalidUserId", 100004, "The specified parameter UserId is invalid."), AK_ERR_API,
     "InvalidParameter.InvalidUserId"},
};

/* Each case end to end: the kind, the vendor code and status kept, and exactly one send. */
static void test_cases(void) {
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const nf_case *k = &CASES[i];
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = recording_client(k->platform, k->config, &env);
        ak_transport *t = ak_client_transport(c);
        for (int n = 0; n < 4; n++) /* enough answers for every retry the engine might make */
            ak_recording_push(t, k->status, NULL, k->body);
        ak_error err = AK_ERROR_INIT;
        cJSON *params = J(k->params);
        ak_call *call = NULL;
        if (ak_call_new(&call, c, k->op, params, &err) != AK_OK) {
            fprintf(stderr, "  %s: call_new: %s\n", k->what, err.message);
            CHECK(0);
        } else {
            ak_drive_hooks hooks = {0};
            hooks.sleep_ms = fake_sleep;
            hooks.ud = &env;
            CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
            if (err.kind != k->kind || ak_recording_count(t) != 1)
                fprintf(stderr, "  %s: kind %s, %zu sends, message %s\n", k->what, ak_error_kind_name(err.kind),
                        ak_recording_count(t), err.message);
            CHECK(err.kind == k->kind);
            CHECK(err.http_status == k->status);
            CHECK_STR(err.vendor_code, k->vendor_code);
            CHECK(!err.retryable);
            CHECK(ak_recording_count(t) == 1);
        }
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
}

/* The tables themselves: the only not_found rows are the HTTP 404 rows of Sensors Data and
 * ThinkingData (docs/RELIABILITY.md lists exactly these), all never retried, and the common rows
 * shared by every vendor have none. */
static void test_tables(void) {
    int found = 0;
    for (const ak_platform *p = ak_platform_next(NULL); p; p = ak_platform_next(p)) {
        for (const ak_error_rule *r = p->error_rules; r && (r->code || r->code_hi || r->status_hi); r++) {
            if (r->kind != AK_ERR_NOT_FOUND)
                continue;
            found++;
            CHECK(r->retry == AK_RETRY_NEVER);
            CHECK(!r->code && !r->code_hi && r->status_lo == 404 && r->status_hi == 404);
            CHECK(strcmp(p->key, "sensors_data") == 0 || strcmp(p->key, "thinking_data") == 0);
        }
    }
    CHECK(found == 2);
    for (const ak_error_rule *r = ak_error_rules_common; r->code || r->code_hi || r->status_hi; r++)
        CHECK(r->kind != AK_ERR_NOT_FOUND);
}

/* The documented "no such route" 404s are decided by the vendors' own rows (kept as the mapper
 * reported them, never retried), so no shared HTTP 404 rule can ever turn them into not_found. */
static void test_route_404s_pinned(void) {
    struct {
        const char *platform, *code;
    } pins[] = {
        {"baidu_search", "404"},
        {"volcengine_live", "InvalidActionOrVersion"},
        {"volcengine_live", "ServiceNotFound"},
    };
    for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
        const ak_platform *p = ak_platform_find(pins[i].platform);
        ak_error err = AK_ERROR_INIT;
        err.kind = AK_ERR_API;
        err.http_status = 404;
        snprintf(err.vendor_code, sizeof err.vendor_code, "%s", pins[i].code);
        const ak_error_rule *r = ak_error_rule_find(p, &err);
        CHECK(r != NULL && r->code != NULL && strcmp(r->code, pins[i].code) == 0);
        if (r) {
            CHECK(r->kind != AK_ERR_NOT_FOUND);
            CHECK(r->retry == AK_RETRY_NEVER);
        }
        CHECK(ak_error_classify(p, &err) == AK_RETRY_NEVER);
        CHECK(err.kind == AK_ERR_API);
        ak_error_cleanup(&err);
    }
}

int main(void) {
    RUN(test_cases);
    RUN(test_tables);
    RUN(test_route_404s_pinned);
    DONE();
}
