/* test_loopback.c - the C API end to end against the sandbox over loopback through libcurl. */
#include "sandbox.h"

static sandbox sb;

static ak_client *tencent(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = sandbox_config(&sb, "tencent_ads");
    if (ak_client_new(&c, "tencent_ads", cfg, &err) != AK_OK)
        fprintf(stderr, "client: %s\n", err.message);
    cJSON_Delete(cfg);
    return c;
}

static void reset(void) { cJSON_Delete(sandbox_control(&sb, "POST", "reset", "{}")); }

static void test_crud(void) {
    reset();
    ak_client *c = tencent();
    ak_error err = AK_ERROR_INIT;
    cJSON *res = NULL;
    cJSON *p = J("{\"account_id\":7,\"name\":\"c-seed\",\"type\":\"CUSTOMER_FILE\",\"description\":\"from C\"}");
    CHECK(ak_call_simple(c, "custom_audiences.add", p, &res, &err) == AK_OK);
    cJSON_Delete(p);
    int64_t id = (int64_t)cJSON_GetObjectItem(res, "audience_id")->valuedouble;
    CHECK(id > 0);
    cJSON_Delete(res);

    char buf[256];
    snprintf(buf, sizeof buf, "{\"account_id\":7,\"audience_id\":%lld,\"description\":\"changed\"}", (long long)id);
    p = J(buf);
    CHECK(ak_call_simple(c, "custom_audiences.update", p, &res, &err) == AK_OK);
    cJSON_Delete(p);
    cJSON_Delete(res);

    snprintf(buf, sizeof buf, "{\"account_id\":7,\"audience_id\":%lld}", (long long)id);
    p = J(buf);
    CHECK(ak_call_simple(c, "custom_audiences.get", p, &res, &err) == AK_OK);
    cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "list"), 0);
    CHECK(item && strcmp(cJSON_GetObjectItem(item, "description")->valuestring, "changed") == 0);
    cJSON_Delete(res);
    CHECK(ak_call_simple(c, "custom_audiences.delete", p, &res, &err) == AK_OK);
    cJSON_Delete(res);
    /* a deleted audience is gone: the vendor answers with an error envelope */
    CHECK(ak_call_simple(c, "custom_audiences.delete", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && err.vendor_code[0] != '\0');
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_pager_250(void) {
    reset();
    cJSON_Delete(sandbox_control(&sb, "POST", "seed",
                                 "{\"vendor\":\"tencent_ads\",\"kind\":\"custom_audiences\",\"count\":250,"
                                 "\"account_id\":1}"));
    ak_client *c = tencent();
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"account_id\":1,\"page_size\":100}");
    ak_pager *pg = NULL;
    CHECK(ak_pager_new(&pg, c, "custom_audiences.list", p, &err) == AK_OK);
    int has = 0, total = 0, pages = 0;
    while (ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK && has) {
        pages++;
        total += cJSON_GetArraySize(ak_pager_items(pg));
        CHECK(sandbox_request_count(&sb, "tencent_ads") == pages);
    }
    CHECK(err.kind == AK_ERR_NONE);
    CHECK(total == 250 && pages == 3);
    CHECK(sandbox_request_count(&sb, "tencent_ads") == 3);
    ak_pager_free(pg);
    cJSON_Delete(p);
    ak_client_free(c);
}

static void test_rate_limit_faults(void) {
    reset();
    ak_client *c = tencent();
    ak_error err = AK_ERROR_INIT;
    cJSON *res = NULL;
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"tencent_ads\",\"route\":\"custom_audiences/add\","
                                 "\"fault\":\"rate_limit\",\"times\":1,\"code\":11017}"));
    cJSON *p = J("{\"account_id\":3,\"name\":\"rl\",\"type\":\"CUSTOMER_FILE\"}");
    CHECK(ak_call_simple(c, "custom_audiences.add", p, &res, &err) == AK_OK);
    cJSON_Delete(res);
    cJSON *log = sandbox_control(&sb, "GET", "requests?vendor=tencent_ads", NULL);
    cJSON *reqs = cJSON_GetObjectItem(log, "requests");
    CHECK(cJSON_GetArraySize(reqs) == 2);
    const char *n1 =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0), "query"), "nonce")->valuestring;
    const char *n2 =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 1), "query"), "nonce")->valuestring;
    CHECK(strcmp(n1, n2) != 0);
    /* the log never shows the token */
    char *text = cJSON_PrintUnformatted(log);
    const char *tok =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "credentials"), "tencent_ads"),
                            "access_token")
            ->valuestring;
    CHECK(strstr(text, tok) == NULL);
    free(text);
    cJSON_Delete(log);

    reset();
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"tencent_ads\",\"route\":\"custom_audiences/add\","
                                 "\"fault\":\"rate_limit\",\"times\":1,\"code\":11018}"));
    CHECK(ak_call_simple(c, "custom_audiences.add", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_RATE_LIMITED && !err.retryable);
    CHECK(strstr(err.message, tok) == NULL);
    CHECK(sandbox_request_count(&sb, "tencent_ads") == 1);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_bad_token_and_timeout(void) {
    reset();
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = sandbox_config(&sb, "tencent_ads");
    cJSON_ReplaceItemInObject(cfg, "access_token", cJSON_CreateString("wrong-token"));
    cJSON_AddNumberToObject(cfg, "timeout_ms", 300);
    CHECK(ak_client_new(&c, "tencent_ads", cfg, &err) == AK_OK);
    cJSON *p = J("{\"account_id\":1}");
    cJSON *res = NULL;
    CHECK(ak_call_simple(c, "custom_audiences.get", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH);
    CHECK(strstr(err.message, "wrong-token") == NULL);
    ak_client_free(c);
    cJSON_DeleteItemFromObject(cfg, "access_token");
    cJSON_AddStringToObject(
        cfg, "access_token",
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "credentials"), "tencent_ads"),
                            "access_token")
            ->valuestring);
    cJSON_AddNumberToObject(cfg, "retries", 0);
    CHECK(ak_client_new(&c, "tencent_ads", cfg, &err) == AK_OK);
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"tencent_ads\",\"route\":\"*\",\"fault\":\"delay\","
                                 "\"times\":1,\"delay_ms\":1500}"));
    CHECK(ak_call_simple(c, "custom_audiences.get", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_TIMEOUT && err.retryable);
    cJSON_Delete(sandbox_control(&sb, "DELETE", "faults", NULL));
    cJSON_Delete(p);
    cJSON_Delete(cfg);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static int polls = 0;
static int stop_after_two_polls(void *ud) {
    (void)ud;
    return ++polls >= 2;
}

static void test_interrupt_hook(void) {
    reset();
    ak_client *c = tencent();
    ak_error err = AK_ERROR_INIT;
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"tencent_ads\",\"route\":\"*\",\"fault\":\"delay\","
                                 "\"times\":1,\"delay_ms\":3000}"));
    cJSON *p = J("{\"account_id\":1}");
    ak_call *call = NULL;
    CHECK(ak_call_new(&call, c, "custom_audiences.get", p, &err) == AK_OK);
    ak_drive_hooks hooks = {NULL, NULL, NULL, NULL, NULL, stop_after_two_polls, NULL, NULL};
    polls = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* the transfer is abandoned when the hook says so: an error, not a retry, long before 3 s */
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(err.kind == AK_ERR_TRANSPORT && strstr(err.message, "interrupted") != NULL && !err.retryable);
    CHECK(polls == 2 && ak_call_attempts(call) == 1);
    CHECK((t1.tv_sec - t0.tv_sec) < 3);
    ak_call_free(call);
    cJSON_Delete(sandbox_control(&sb, "DELETE", "faults", NULL));
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    if (sandbox_start(&sb) != 0) {
        fprintf(stderr, "cannot start the sandbox (python3 -m audkit.sandbox)\n");
        return 1;
    }
    ak_global_init();
    RUN(test_crud);
    RUN(test_pager_250);
    RUN(test_rate_limit_faults);
    RUN(test_bad_token_and_timeout);
    RUN(test_interrupt_hook);
    sandbox_stop(&sb);
    DONE();
}
