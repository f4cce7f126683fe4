/* test_body_reuse.c - the JSON body is printed once per call and lent to every attempt: the same
 * bytes (the same buffer) go out again on a retry, while the per-attempt authentication (Tencent's
 * nonce in the query, Baidu's body envelope and signature) is made fresh each time. */
#include "harness.h"

static ak_response canned(int status, const char *body) {
    ak_response r = {0};
    r.status = status;
    r.body = body;
    r.body_len = strlen(body);
    return r;
}

static ak_response not_sent(void) {
    ak_response r = {0};
    r.error_kind = AK_ERR_TRANSPORT;
    r.error_message = "connect: refused";
    r.not_sent = 1;
    return r;
}

static void test_tencent_body_lent_to_each_attempt(void) {
    fake_env env = {1700000000000LL, 7, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\",\"backoff_ms\":10}", &env);
    cJSON *params = J("{\"account_id\":\"9007199254740993\",\"name\":\"人群\\n\\\"q\\\"\",\"type\":\"CUSTOMER_FILE\","
                      "\"outer_audience_id\":\"ext_1\",\"description\":\"d\"}");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    cJSON_Delete(params); /* the call keeps its own encoded copy */
    const char *bodies[2] = {NULL, NULL};
    char first[512] = "", urls[2][512];
    int sends = 0;
    ak_step st;
    for (int guard = 0; guard < 20; guard++) {
        ak_call_next(call, &st);
        if (st.kind == AK_STEP_SEND) {
            CHECK(sends < 2);
            if (sends >= 2)
                break;
            bodies[sends] = st.request->body;
            snprintf(urls[sends], sizeof urls[sends], "%s", st.request->url);
            if (!sends)
                snprintf(first, sizeof first, "%.*s", (int)st.request->body_len, st.request->body);
            /* the first attempt never reached the server (safe to send again), the second succeeds */
            ak_response r = sends++ == 0 ? not_sent() : canned(200, "{\"code\":0,\"data\":{\"audience_id\":5}}");
            ak_call_feed(call, &r);
        } else if (st.kind != AK_STEP_SLEEP) {
            break;
        }
    }
    CHECK(st.kind == AK_STEP_DONE && sends == 2);
    CHECK_STR(first, "{\"account_id\":9007199254740993,\"name\":\"人群\\n\\\"q\\\"\",\"type\":\"CUSTOMER_FILE\","
                     "\"external_audience_id\":\"ext_1\",\"description\":\"d\"}");
    CHECK(bodies[0] && bodies[0] == bodies[1]); /* the same buffer: not printed or copied again */
    CHECK(strcmp(urls[0], urls[1]) != 0);       /* a fresh nonce per attempt */
    ak_call_free(call);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* Baidu wraps the lent body in its envelope per attempt (its own buffer, signed): same bytes. */
static void advance(void *ud, int64_t ms) { ((fake_env *)ud)->now_ms += ms + 1000; }

static void test_baidu_envelope_per_attempt(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("baidu_search",
                                    "{\"user_name\":\"u\",\"access_token\":\"tok\",\"backoff_ms\":10,"
                                    "\"base_url\":\"http://h:1/json/sms/service\"}",
                                    &env);
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}");
    ak_recording_push(ak_client_transport(c), 200, NULL, "{\"header\":{\"status\":0},\"body\":{\"data\":[]}}");
    cJSON *p = J("{\"keyword_ids\":[\"12\",13]}");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.delete", p, &err) == AK_OK);
    ak_drive_hooks hooks = {NULL, NULL, NULL, advance, &env, NULL, NULL, NULL};
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    CHECK(ak_recording_count(ak_client_transport(c)) == 2);
    for (size_t i = 0; i < ak_recording_count(ak_client_transport(c)); i++)
        CHECK_STR(ak_recording_get(ak_client_transport(c), i)->body,
                  "{\"header\":{\"userName\":\"u\",\"accessToken\":\"tok\"},\"body\":{\"keywordIds\":[12,13]}}");
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    RUN(test_tencent_body_lent_to_each_attempt);
    RUN(test_baidu_envelope_per_attempt);
    DONE();
}
