/* test_engine.c - Tencent auth bytes, envelope mapping, retry and pager step machines, fed canned
 * responses (no network). */
#include "harness.h"

#define OK_ADD "{\"code\":0,\"message\":\"\",\"message_cn\":\"\",\"data\":{\"audience_id\":\"42\"}}"

static ak_response resp(int status, const char *body) {
    ak_response r = {0};
    r.status = status;
    r.body = body;
    r.body_len = strlen(body);
    return r;
}

static const char *query_value(const char *url, const char *name, char *out, size_t cap) {
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(url, key);
    if (!p)
        return NULL;
    p += strlen(key);
    size_t n = strcspn(p, "&");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void test_tencent_request_bytes(void) {
    fake_env env = {1700000000123LL, 0, 0};
    ak_client *c =
        recording_client("tencent_ads", "{\"access_token\":\"TOKEN-SECRET\",\"base_url\":\"http://h:1/p/\"}", &env);
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_ADD);
    cJSON *params = J("{\"account_id\":1,\"name\":\"种子\",\"type\":\"CUSTOMER_FILE\"}");
    cJSON *result = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "custom_audiences.add", params, &result, &err) == AK_OK);
    CHECK(cJSON_GetObjectItem(result, "audience_id")->valuedouble == 42); /* string id decoded */
    const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
    CHECK_STR(r->method, "POST");
    CHECK_STR(r->url, "http://h:1/p/custom_audiences/add?access_token=TOKEN-SECRET&timestamp=1700000000"
                      "&nonce=000102030405060708090a0b0c0d0e0f");
    CHECK_STR(r->body, "{\"account_id\":1,\"name\":\"种子\",\"type\":\"CUSTOMER_FILE\"}");
    CHECK(r->nheaders == 1);
    CHECK_STR(r->headers[0].name, "Content-Type");
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* GET: parameters in the query, arrays JSON-encoded into one value */
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"code\":0,\"data\":{\"list\":[],\"page_info\":{\"page\":1,\"page_size\":5,"
                      "\"total_number\":0,\"total_page\":0}}}");
    params = J("{\"account_id\":1,\"page_size\":5,\"fields\":[\"audience_id\",\"name\"]}");
    CHECK(ak_call_simple(c, "custom_audiences.get", params, &result, &err) == AK_OK);
    r = ak_recording_get(ak_client_transport(c), 1);
    CHECK_STR(r->method, "GET");
    CHECK_STR(r->url, "http://h:1/p/custom_audiences/get?account_id=1&page_size=5"
                      "&fields=%5B%22audience_id%22%2C%22name%22%5D&access_token=TOKEN-SECRET"
                      "&timestamp=1700000000&nonce=101112131415161718191a1b1c1d1e1f");
    CHECK(r->body_len == 0);
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* integers up to 2^53 - 1 are sent exactly (cJSON's printer would write 9.00719925474099e+15) */
    ak_recording_push(ak_client_transport(c), 200, NULL, "{\"code\":0}");
    params = J("{\"account_id\":9007199254740991,\"audience_id\":4503599627370497,\"name\":\"n\"}");
    CHECK(ak_call_simple(c, "custom_audiences.update", params, &result, &err) == AK_OK);
    r = ak_recording_get(ak_client_transport(c), 2);
    CHECK_STR(r->body, "{\"account_id\":9007199254740991,\"audience_id\":4503599627370497,\"name\":\"n\"}");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_client_free(c);
}

static void test_validation_sends_nothing(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\"}", &env);
    cJSON *params = J("{\"account_id\":1,\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"type\":\"CUSTOMER_FILE\"}");
    cJSON *result = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "custom_audiences.add", params, &result, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "name");
    CHECK(ak_recording_count(ak_client_transport(c)) == 0);
    /* validate=false: the same request goes out */
    ak_client_set_validate(c, 0);
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_ADD);
    CHECK(ak_call_simple(c, "custom_audiences.add", params, &result, &err) == AK_OK);
    CHECK(ak_recording_count(ak_client_transport(c)) == 1);
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* Drives a call by hand; returns the final step kind and counts SEND/SLEEP steps. */
static ak_step_kind pump(ak_call *call, const char *const *bodies, int *sends, int *sleeps, char nonces[][40]) {
    ak_step st;
    *sends = *sleeps = 0;
    for (int guard = 0; guard < 50; guard++) {
        ak_call_next(call, &st);
        if (st.kind == AK_STEP_SEND) {
            if (nonces)
                query_value(st.request->url, "nonce", nonces[*sends], 40);
            ak_response r = resp(200, bodies[*sends]);
            (*sends)++;
            ak_call_feed(call, &r);
        } else if (st.kind == AK_STEP_SLEEP) {
            (*sleeps)++;
            CHECK(st.sleep_ms >= 0);
        } else {
            return st.kind;
        }
    }
    return AK_STEP_ERROR;
}

static void test_retry_rate_limit(void) {
    fake_env env = {1700000000000LL, 7, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\",\"backoff_ms\":10}", &env);
    cJSON *params = J("{\"account_id\":1,\"name\":\"n\",\"type\":\"CUSTOMER_FILE\"}");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    int sends, sleeps;
    char nonces[8][40];

    /* 11017 (per-minute limit) then success: retried after a SLEEP, with a new nonce */
    const char *seq1[] = {"{\"code\":11017,\"message\":\"too many requests per minute\"}", OK_ADD};
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq1, &sends, &sleeps, nonces) == AK_STEP_DONE);
    CHECK(sends == 2 && sleeps == 1);
    CHECK(strcmp(nonces[0], nonces[1]) != 0);
    CHECK(ak_call_attempts(call) == 2);
    ak_call_free(call);

    /* 11018 (daily limit) is a rate-limit error that is not retried */
    const char *seq2[] = {"{\"code\":11018,\"message\":\"daily quota\",\"message_cn\":\"日限额\"}"};
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq2, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(sends == 1);
    const ak_error *e = ak_call_error(call);
    CHECK(e->kind == AK_ERR_RATE_LIMITED && !e->retryable);
    CHECK_STR(e->vendor_code, "11018");
    CHECK_STR(e->message, "daily quota (日限额)");
    ak_call_free(call);

    /* 30001 transient: an idempotent get is retried up to `retries` (3) times, then fails; a create
     * is not retried (the server may have processed it) */
    const char *seq3[] = {"{\"code\":30001}", "{\"code\":30001}", "{\"code\":30001}", "{\"code\":30001}"};
    cJSON *gp3 = J("{\"account_id\":1}");
    CHECK(ak_call_new(&call, c, "custom_audiences.get", gp3, &err) == AK_OK);
    CHECK(pump(call, seq3, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(sends == 4 && sleeps == 3);
    CHECK(ak_call_error(call)->kind == AK_ERR_API && ak_call_error(call)->retryable);
    ak_call_free(call);
    cJSON_Delete(gp3);
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq3, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(sends == 1 && sleeps == 0);
    CHECK(ak_call_error(call)->kind == AK_ERR_API && !ak_call_error(call)->retryable);
    ak_call_free(call);

    /* token errors are auth errors, business errors are not retried */
    const char *seq4[] = {"{\"code\":11002,\"message\":\"invalid access_token\"}"};
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq4, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(ak_call_error(call)->kind == AK_ERR_AUTH && sends == 1);
    ak_call_free(call);
    const char *seq5[] = {"{\"code\":31001,\"message\":\"duplicate name\"}"};
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq5, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(ak_call_error(call)->kind == AK_ERR_API && sends == 1);
    ak_call_free(call);

    /* a body that is not JSON is a decode error; an envelope-less 502/503/504 is an HTTP error, never
     * retried for a create (issue 7: the add may have been processed), retried for a get */
    const char *seq6[] = {"<html>"};
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq6, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(ak_call_error(call)->kind == AK_ERR_DECODE);
    ak_call_free(call);

    ak_step st;
    for (int s5 = 502; s5 <= 504; s5++) {
        CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
        ak_call_next(call, &st);
        ak_response bad5 = resp(s5, "bad gateway");
        ak_call_feed(call, &bad5);
        ak_call_next(call, &st);
        CHECK(st.kind == AK_STEP_ERROR && ak_call_error(call)->kind == AK_ERR_HTTP && !ak_call_error(call)->retryable);
        CHECK(ak_call_error(call)->http_status == s5);
        ak_call_free(call);
    }
    cJSON *gp5 = J("{\"account_id\":1}");
    CHECK(ak_call_new(&call, c, "custom_audiences.get", gp5, &err) == AK_OK);
    cJSON_Delete(gp5);
    ak_call_next(call, &st);
    ak_response bad = resp(502, "bad gateway");
    ak_call_feed(call, &bad);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SLEEP);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SEND);
    ak_response good = resp(200, "{\"code\":0,\"data\":{\"list\":[]}}");
    ak_call_feed(call, &good);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_DONE);
    ak_call_free(call);

    /* transport failure on a non-idempotent POST is not retried; on a GET it is */
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    ak_call_next(call, &st);
    ak_response tf = {0};
    tf.error_kind = AK_ERR_TIMEOUT;
    tf.error_message = "timed out";
    ak_call_feed(call, &tf);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_ERROR && ak_call_error(call)->kind == AK_ERR_TIMEOUT);
    ak_call_free(call);
    cJSON *gp = J("{\"account_id\":1}");
    CHECK(ak_call_new(&call, c, "custom_audiences.get", gp, &err) == AK_OK);
    ak_call_next(call, &st);
    ak_call_feed(call, &tf);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SLEEP);
    ak_call_free(call);
    cJSON_Delete(gp);

    /* retries = 0 disables retrying */
    ak_client_set_retries(c, 0);
    CHECK(ak_call_new(&call, c, "custom_audiences.add", params, &err) == AK_OK);
    CHECK(pump(call, seq1, &sends, &sleeps, NULL) == AK_STEP_ERROR);
    CHECK(sends == 1 && sleeps == 0);
    ak_call_free(call);

    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_retry_after_header(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\"}", &env);
    cJSON *params = J("{\"account_id\":1}");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", params, &err) == AK_OK);
    ak_step st;
    ak_call_next(call, &st);
    ak_header h[] = {{"Retry-After", "2"}};
    ak_response r = resp(429, "");
    r.headers = h;
    r.nheaders = 1;
    ak_call_feed(call, &r);
    ak_call_next(call, &st);
    CHECK(st.kind == AK_STEP_SLEEP && st.sleep_ms == 2000);
    ak_call_free(call);
    cJSON_Delete(params);
    ak_client_free(c);
}

/* Builds a Tencent get response with `n` items starting at id `first`. */
static char *page_body(int first, int n, int page, int size, int total) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "code", 0);
    cJSON *data = cJSON_AddObjectToObject(root, "data");
    cJSON *list = cJSON_AddArrayToObject(data, "list");
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "audience_id", first + i);
        cJSON_AddItemToArray(list, it);
    }
    cJSON *pi = cJSON_AddObjectToObject(data, "page_info");
    cJSON_AddNumberToObject(pi, "page", page);
    cJSON_AddNumberToObject(pi, "page_size", size);
    cJSON_AddNumberToObject(pi, "total_number", total);
    cJSON_AddNumberToObject(pi, "total_page", (total + size - 1) / size);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

static void test_pager_lazy(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\"}", &env);
    cJSON *params = J("{\"account_id\":1,\"page_size\":100}");
    ak_pager *p = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_pager_new(&p, c, "custom_audiences.list", params, &err) == AK_OK);
    int sends = 0, items = 0, pages = 0;
    for (int guard = 0; guard < 20; guard++) {
        ak_step st;
        ak_pager_next(p, &st);
        if (st.kind == AK_STEP_SEND) {
            char page[16];
            CHECK(query_value(st.request->url, "page", page, sizeof page) != NULL);
            int pg = atoi(page);
            CHECK(pg == sends + 1);
            char *body = page_body((pg - 1) * 100, pg < 3 ? 100 : 50, pg, 100, 250);
            ak_response r = resp(200, body);
            sends++;
            ak_pager_feed(p, &r);
            free(body);
        } else if (st.kind == AK_STEP_PAGE) {
            pages++;
            items += cJSON_GetArraySize(ak_pager_items(p));
            /* a page is requested only after the previous one was handed out */
            CHECK(sends == pages);
        } else {
            CHECK(st.kind == AK_STEP_DONE);
            break;
        }
    }
    CHECK(sends == 3 && pages == 3 && items == 250);
    ak_pager_free(p);

    /* the page number belongs to the pager */
    cJSON *bad = J("{\"account_id\":1,\"page\":2}");
    CHECK(ak_pager_new(&p, c, "custom_audiences.list", bad, &err) == AK_FAIL);
    CHECK_STR(err.field, "page");
    cJSON_Delete(bad);
    /* page_size beyond 100 is refused before any request */
    bad = J("{\"account_id\":1,\"page_size\":101}");
    CHECK(ak_pager_new(&p, c, "custom_audiences.list", bad, &err) == AK_FAIL);
    CHECK_STR(err.field, "page_size");
    cJSON_Delete(bad);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_pager_error_resume(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\",\"retries\":0}", &env);
    cJSON *params = J("{\"account_id\":1,\"page_size\":2}");
    ak_pager *p = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_pager_new(&p, c, "custom_audiences.list", params, &err) == AK_OK);
    ak_step st;
    char *b1 = page_body(0, 2, 1, 2, 3), *b2 = page_body(2, 1, 2, 2, 3);
    ak_pager_next(p, &st);
    ak_response r = resp(200, b1);
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_SEND);
    r = resp(200, "{\"code\":11002,\"message\":\"bad token\"}");
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_ERROR && ak_pager_error(p)->kind == AK_ERR_AUTH);
    /* the resume token continues at page 2 in a new pager */
    cJSON *state = ak_pager_state(p);
    ak_pager_free(p);
    CHECK(ak_pager_resume(&p, c, state, &err) == AK_OK);
    cJSON_Delete(state);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_SEND && strstr(st.request->url, "page=2") != NULL);
    r = resp(200, b2);
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE && cJSON_GetArraySize(ak_pager_items(p)) == 1);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_DONE);
    free(b1);
    free(b2);
    ak_pager_free(p);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* An integer member read as cJSON gives it (the engine's exact reader is internal). */
static int int_at(const cJSON *obj, const char *key, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v))
        return 0;
    *out = (int64_t)v->valuedouble;
    return 1;
}

/* The page object and the item offset: ak_pager_take_page hands the tree over with the items
 * inside it; a token taken after n items of a page resumes at item n of that page. */
static void test_pager_take_page_and_skip(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\",\"retries\":0}", &env);
    cJSON *params = J("{\"account_id\":1,\"page_size\":3}");
    ak_pager *p = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_pager_new(&p, c, "custom_audiences.list", params, &err) == AK_OK);
    ak_step st;
    char *b1 = page_body(0, 3, 1, 3, 6), *b2 = page_body(3, 3, 2, 3, 6);
    ak_pager_next(p, &st);
    ak_response r = resp(200, b1);
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE);
    const ak_json *items = NULL;
    cJSON *page = ak_pager_take_page(p, &items);
    CHECK(page != NULL && cJSON_IsArray(items) && cJSON_GetArraySize(items) == 3);
    CHECK(items == cJSON_GetObjectItemCaseSensitive(page, "list")); /* inside the result, not a copy */
    CHECK(ak_pager_result(p) == NULL && cJSON_GetArraySize(ak_pager_items(p)) == 0);
    CHECK(ak_pager_take_page(p, NULL) == NULL); /* taken once */
    cJSON_Delete(page);
    /* two of the three items consumed: the token points into page 1 */
    ak_pager_set_consumed(p, 2);
    cJSON *state = ak_pager_state(p);
    int64_t v;
    CHECK(int_at(state, "next", &v) && v == 1);
    CHECK(int_at(state, "skip", &v) && v == 2);
    /* all consumed: the next page, no skip */
    ak_pager_set_consumed(p, 3);
    cJSON *state2 = ak_pager_state(p);
    CHECK(int_at(state2, "next", &v) && v == 2);
    CHECK(cJSON_GetObjectItemCaseSensitive(state2, "skip") == NULL);
    cJSON_Delete(state2);
    ak_pager_free(p);
    /* resuming drops the consumed items of page 1, then goes on to page 2 */
    CHECK(ak_pager_resume(&p, c, state, &err) == AK_OK);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_SEND && strstr(st.request->url, "page=1") != NULL);
    r = resp(200, b1);
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE && cJSON_GetArraySize(ak_pager_items(p)) == 1);
    CHECK(int_at(cJSON_GetArrayItem(ak_pager_items(p), 0), "audience_id", &v) && v == 2);
    /* a token taken now (nothing of this page consumed) still skips the two */
    cJSON *state3 = ak_pager_state(p);
    CHECK(int_at(state3, "skip", &v) && v == 2);
    cJSON_Delete(state3);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_SEND && strstr(st.request->url, "page=2") != NULL);
    r = resp(200, b2);
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE && cJSON_GetArraySize(ak_pager_items(p)) == 3);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_DONE);
    ak_pager_free(p);
    /* a bad skip is a validation error naming it */
    cJSON_ReplaceItemInObjectCaseSensitive(state, "skip", cJSON_CreateNumber(-1));
    CHECK(ak_pager_resume(&p, c, state, &err) == AK_FAIL && err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "state.skip");
    cJSON_Delete(state);
    free(b1);
    free(b2);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_client_config(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = J("{\"timeout_ms\":-1,\"nope\":1}");
    unsetenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN");
    CHECK(ak_client_new(&c, "tencent_ads", cfg, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 3);
    cJSON_Delete(cfg);
    /* credentials from the environment */
    setenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN", "ENV-SECRET-TOKEN", 1);
    CHECK(ak_client_new(&c, "tencent_ads", NULL, &err) == AK_OK);
    char *d = ak_client_describe(c);
    CHECK(strstr(d, "ENV-SECRET-TOKEN") == NULL);
    CHECK(strstr(d, "access_token=***") != NULL);
    free(d);
    ak_client_free(c);
    unsetenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN");
    /* self-hosted platforms need a base_url */
    cJSON *sd = J("{\"token\":\"t\",\"project\":\"p\"}");
    CHECK(ak_client_new(&c, "sensors_data", sd, &err) == AK_FAIL);
    CHECK_STR(err.field, "base_url");
    cJSON_Delete(sd);
    ak_error_cleanup(&err);
}

int main(void) {
    RUN(test_tencent_request_bytes);
    RUN(test_validation_sends_nothing);
    RUN(test_retry_rate_limit);
    RUN(test_retry_after_header);
    RUN(test_pager_lazy);
    RUN(test_pager_error_resume);
    RUN(test_pager_take_page_and_skip);
    RUN(test_client_config);
    DONE();
}
