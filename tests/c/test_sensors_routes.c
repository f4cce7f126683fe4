/* test_sensors_routes.c - the Sensors Data routes of issue 8 (h4) on the recording transport: the
 * exact wire request of create (each source type), update, delete, set_status, report,
 * add_partitions, status, execute, compute_state, the wait_computed waiter (SLEEP steps), the
 * users.export pager (page from 0) and persona.user_tags in chunks of 20; validation with every
 * violation and its path, before anything is sent. */
#include "harness.h"

#include <stdbool.h>

#define SD_BASE "http://sd.example:8107/api"
#define AUTH "token=T&project=p"

static ak_client *client(fake_env *env) {
    return recording_client("sensors_data",
                            "{\"base_url\":\"" SD_BASE "\",\"backoff_ms\":1,\"token\":\"T\",\"project\":\"p\"}", env);
}

static ak_response resp(int status, const char *body) {
    ak_response r = {0};
    r.status = status;
    r.body = body;
    r.body_len = strlen(body);
    return r;
}

/* One call with a canned answer: checks method, URL and body (NULL = no body). */
static void wire(ak_client *c, const char *op, const char *params, const char *answer, const char *method,
                 const char *url, const char *body) {
    ak_transport *t = ak_client_transport(c);
    ak_recording_push(t, 200, NULL, answer);
    cJSON *p = J(params), *result = NULL;
    ak_error err = AK_ERROR_INIT;
    int rc = ak_call_simple(c, op, p, &result, &err);
    CHECK(rc == AK_OK);
    if (rc != AK_OK)
        fprintf(stderr, "%s: %s (%s %s)\n", op, err.message, err.field, err.rule);
    size_t n = 0;
    while (ak_recording_get(t, n))
        n++;
    const ak_request *r = n ? ak_recording_get(t, n - 1) : NULL;
    if (r) {
        CHECK_STR(r->method, method);
        CHECK_STR(r->url, url);
        if (body) {
            CHECK(r->body && strlen(body) == r->body_len && memcmp(r->body, body, r->body_len) == 0);
            if (!r->body || strlen(body) != r->body_len || memcmp(r->body, body, r->body_len) != 0)
                fprintf(stderr, "%s body: %.*s\n", op, (int)r->body_len, r->body ? r->body : "");
        }
    }
    cJSON_Delete(result);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
}

/* Validation fails before sending, with these violation paths (NULL-terminated). */
static void invalid(ak_client *c, const char *op, const char *params, const char *const *paths) {
    cJSON *p = J(params), *result = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, op, p, &result, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    size_t n = 0;
    for (; paths[n]; n++) {
        bool found = false;
        for (size_t i = 0; i < err.nviolations; i++)
            found = found || strcmp(err.violations[i].field, paths[n]) == 0;
        CHECK(found);
        if (!found)
            fprintf(stderr, "%s: no violation at %s\n", op, paths[n]);
    }
    CHECK(err.nviolations == n);
    if (err.nviolations != n)
        for (size_t i = 0; i < err.nviolations; i++)
            fprintf(stderr, "  %s: %s %s\n", op, err.violations[i].field, err.violations[i].rule);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
}

#define RULES_LAYER                                                                                                    \
    "[{\"value\":\"L1\",\"type\":\"rules_relation\",\"relation\":\"and\",\"rules\":[{\"type\":\"profile_rule\","       \
    "\"field\":\"user.$update_time\",\"function\":\"equal\",\"params\":[\"10\"]}]}]"
#define MEASURE(kind, agg)                                                                                             \
    "[{\"type\":\"" kind                                                                                               \
    "\",\"measure\":{\"type\":\"event_measure\",\"event_name\":\"ClickBanner\",\"aggregator\":\"" agg                  \
    "\",\"field\":\"\"},\"rules\":[{\"type\":\"rules_relation\",\"relation\":\"and\",\"rules\":[{\"type\":"            \
    "\"simple_event_rule\",\"filters\":[],\"time_function\":\"relative_time\",\"time_params\":[\"1,0,hour\"]}]}]}]"

static void test_create(void) {
    ak_client *c = client(NULL);
    const char *tag = "{\"id\":3,\"name\":\"user_tag_x\",\"data_type\":\"STRING\"}";
    wire(c, "user_tags.create",
         "{\"id\":0,\"cname\":\"c\",\"name\":\"user_tag_x\",\"source_type\":1,\"is_routine\":true,\"unit\":\"DAY\","
         "\"dir_id\":1,\"data_type\":\"STRING\",\"cron\":\"0 0 0 * * ? *\",\"rule_content_list\":" RULES_LAYER
         ",\"app_push_list\":null,\"comment\":\"r\"}",
         tag, "PUT", SD_BASE "/v2/user_tags?" AUTH,
         "{\"id\":0,\"cname\":\"c\",\"name\":\"user_tag_x\",\"source_type\":1,\"is_routine\":true,\"unit\":\"DAY\","
         "\"dir_id\":1,\"data_type\":\"STRING\",\"cron\":\"0 0 0 * * ? *\",\"rule_content_list\":" RULES_LAYER
         ",\"app_push_list\":null,\"comment\":\"r\"}");
    static const char *const kinds[][3] = {{"9", "basic_measures", "general"},
                                           {"9", "event_measure", "SUM"},
                                           {"10", "first_last_time_feature", "first_time"},
                                           {"11", "event_property_preferences", "group_concat"},
                                           {"12", "behavior_distribution_result", "uniqcount"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char params[2048], body[2048];
        snprintf(params, sizeof params,
                 "{\"source_type\":%s,\"data_type\":\"NUMBER\",\"rule_content_list\":[{\"type\":\"%s\",\"measure\":{"
                 "\"type\":\"event_measure\",\"event_name\":\"ClickBanner\",\"aggregator\":\"%s\",\"field\":\"\"},"
                 "\"rules\":[{\"type\":\"rules_relation\",\"relation\":\"and\",\"rules\":[{\"type\":"
                 "\"simple_event_rule\",\"filters\":[],\"time_function\":\"relative_time\",\"time_params\":["
                 "\"1,0,hour\"]}]}]}]}",
                 kinds[i][0], kinds[i][1], kinds[i][2]);
        memcpy(body, params, strlen(params) + 1);
        wire(c, "user_tags.create", params, tag, "PUT", SD_BASE "/v2/user_tags?" AUTH, body);
    }
    wire(c, "user_tags.create",
         "{\"id\":0,\"cname\":\"s\",\"source_type\":7,\"is_routine\":true,\"unit\":\"DAY\",\"dir_id\":38,\"data_type\":"
         "\"STRING\",\"cron\":\"0 0 0 * * ? *\",\"app_push_list\":null,\"sql\":\"select id as id from users\"}",
         tag, "PUT", SD_BASE "/v2/user_tags?" AUTH,
         "{\"id\":0,\"cname\":\"s\",\"source_type\":7,\"is_routine\":true,\"unit\":\"DAY\",\"dir_id\":38,\"data_type\":"
         "\"STRING\",\"cron\":\"0 0 0 * * ? *\",\"app_push_list\":null,\"sql\":\"select id as id from users\"}");
    /* other source types, missing rules/sql, routine without cron, id not 0: all at once */
    invalid(c, "user_tags.create", "{\"id\":5,\"source_type\":5,\"data_type\":\"TEXT\",\"is_routine\":true}",
            (const char *const[]){"id", "source_type", "data_type", "cron", "rule_content_list", NULL});
    invalid(c, "user_tags.create", "{\"source_type\":7,\"data_type\":\"STRING\",\"rule_content_list\":" RULES_LAYER "}",
            (const char *const[]){"sql", "rule_content_list", NULL});
    invalid(c, "user_tags.create",
            "{\"source_type\":9,\"data_type\":\"STRING\",\"sql\":\"x\",\"rule_content_list\":"
            "[{\"type\":\"basic_measures\",\"rules\":[]}]}",
            (const char *const[]){"sql", "rule_content_list[0].rules", "rule_content_list[0].measure", NULL});
    /* "name 不支持输入大写字母" and a cron that is no Quartz expression: refused before sending */
    invalid(c, "user_tags.create",
            "{\"source_type\":7,\"data_type\":\"STRING\",\"sql\":\"select 1\",\"name\":\"User_Tag\","
            "\"is_routine\":true,\"cron\":\"every day\"}",
            (const char *const[]){"name", "cron", NULL});
    invalid(c, "user_tags.create",
            "{\"source_type\":7,\"data_type\":\"STRING\",\"sql\":\"select 1\",\"is_routine\":true,"
            "\"cron\":\"0 0 0 * *\"}",
            (const char *const[]){"cron", NULL});
    ak_client_free(c);
}

static void test_tag_routes(void) {
    ak_client *c = client(NULL);
    const char *tag = "{\"id\":21,\"status\":\"SUSPEND\"}";
    wire(c, "user_tags.update",
         "{\"id\":21,\"dir_id\":1,\"name\":\"user_tag_x\",\"user_name\":\"a@b.c\",\"create_time\":\"2019-12-18 "
         "14:42:41\",\"data_type\":\"STRING\",\"source_type\":1,\"status\":\"PENDING\",\"rule_content_"
         "list\":" RULES_LAYER
         ",\"failed_partition_count\":0,\"last_partition_info\":{\"base_time\":\"2019-12-18 00:00:00\",\"status\":"
         "\"NEW\"}}",
         tag, "PUT", SD_BASE "/v2/user_tags/21?" AUTH,
         "{\"dir_id\":1,\"name\":\"user_tag_x\",\"user_name\":\"a@b.c\",\"create_time\":\"2019-12-18 14:42:41\","
         "\"data_type\":\"STRING\",\"source_type\":1,\"status\":\"PENDING\",\"rule_content_list\":" RULES_LAYER
         ",\"failed_partition_count\":0,\"last_partition_info\":{\"base_time\":\"2019-12-18 00:00:00\",\"status\":"
         "\"NEW\"}}");
    wire(c, "user_tags.delete", "{\"id\":21}", "", "DELETE", SD_BASE "/v2/user_tags/21?" AUTH, NULL);
    wire(c, "user_tags.set_status", "{\"id\":21,\"status\":\"SUSPEND\"}", tag, "PATCH",
         SD_BASE "/v2/user_tags/21?" AUTH, "{\"status\":\"SUSPEND\"}");
    invalid(c, "user_tags.set_status", "{\"id\":0,\"status\":\"PENDING\"}",
            (const char *const[]){"id", "status", NULL});
    wire(
        c, "user_tags.report",
        "{\"id\":21,\"from_date\":\"2019-12-16\",\"to_date\":\"2019-12-18\",\"bucket_param\":[0],"
        "\"limit\":0}",
        "{\"aggregate_result\":{\"series\":[],\"rows\":[{\"by_value\":\"$ALL\",\"partition_values\":[{\"user_count\":0,"
        "\"percent\":100}]}]}}",
        "POST", SD_BASE "/v2/user_tags/21/report?" AUTH,
        "{\"from_date\":\"2019-12-16\",\"to_date\":\"2019-12-18\",\"bucket_param\":[0],\"limit\":0}");
    invalid(c, "user_tags.report", "{\"id\":21,\"from_date\":\"2019-12-19\",\"to_date\":\"2019-12-18 00:00:00\"}",
            (const char *const[]){"to_date", NULL});
    invalid(c, "user_tags.report", "{\"id\":21,\"from_date\":\"2019-12-19\",\"to_date\":\"2019-12-18\",\"limit\":-1}",
            (const char *const[]){"from_date", "limit", NULL});
    wire(c, "user_tags.add_partitions", "{\"id\":21,\"from_date\":\"2019-12-16\",\"to_date\":\"2019-12-18\"}", "",
         "PUT", SD_BASE "/v2/user_tags/21/partitions?from_date=2019-12-16&to_date=2019-12-18&" AUTH, "{}");
    wire(c, "user_tags.add_partitions", "{\"id\":21,\"from_date\":\"2018-05-04 04:00:00\",\"to_date\":\"2018-05-06\"}",
         "", "PUT", SD_BASE "/v2/user_tags/21/partitions?from_date=2018-05-04%2004%3A00%3A00&to_date=2018-05-06&" AUTH,
         "{}");
    /* to_date later than today (the client's clock; 2999 is always later) and after from_date */
    invalid(c, "user_tags.add_partitions", "{\"id\":21,\"from_date\":\"2999-01-02\",\"to_date\":\"2999-01-01\"}",
            (const char *const[]){"from_date", "to_date", NULL});
    wire(c, "user_tags.status", "{\"id\":21,\"base_time_list\":[\"2019-12-16\"]}",
         "[{\"base_time\":\"2019-12-16 00:00:00\",\"user_count\":0,\"status\":\"SUCCEED\"}]", "GET",
         SD_BASE "/v2/user_tags/21/status?base_time_list=2019-12-16&" AUTH, NULL);
    wire(c, "user_tags.status", "{\"id\":21,\"base_time_list\":[\"2019-12-16\",\"2019-12-17\"]}", "[]", "GET",
         SD_BASE "/v2/user_tags/21/status?base_time_list=2019-12-16&base_time_list=2019-12-17&" AUTH, NULL);
    wire(c, "user_tags.execute", "{\"id\":21,\"base_time_list\":[\"2019-12-13\"]}", "", "POST",
         SD_BASE "/v2/user_tags/21/execute?base_time_list=2019-12-13&" AUTH, "{}");
    invalid(c, "user_tags.execute", "{\"id\":21,\"base_time_list\":[\"2019-12-13\",\"2019-12-13\",\"13/12/2019\"]}",
            (const char *const[]){"base_time_list[1]", "base_time_list[2]", NULL});
    invalid(c, "user_tags.status", "{\"id\":21,\"base_time_list\":[]}", (const char *const[]){"base_time_list", NULL});
    ak_client_free(c);
}

static void compute_state_is(ak_client *c, const char *answer, const char *state) {
    ak_recording_push(ak_client_transport(c), 200, NULL, answer);
    cJSON *p = J("{\"id\":4,\"base_time_list\":[\"2019-12-16\"]}"), *result = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "user_tags.compute_state", p, &result, &err) == AK_OK);
    const cJSON *s = cJSON_GetObjectItem(result, "state");
    CHECK(cJSON_IsString(s) && strcmp(s->valuestring, state) == 0);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(result, "partitions")));
    cJSON_Delete(result);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
}

static void advance(void *ud, int64_t ms) { ((fake_env *)ud)->now_ms += ms; }

static void test_wait_computed(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client(&env);
    compute_state_is(c, "[]", "NEW");
    compute_state_is(c, "[{\"status\":\"NEW\"},{\"status\":\"SUCCEED\"}]", "NEW");
    compute_state_is(c, "[{\"status\":\"COMPUTING\"},{\"status\":\"SUCCEED\"}]", "COMPUTING");
    compute_state_is(c, "[{\"status\":\"FAILED\"},{\"status\":\"SUCCEED\"}]", "FAILED");
    compute_state_is(c, "[{\"status\":\"SUCCEED\"},{\"status\":\"SUCCEED\"}]", "SUCCEED");

    /* the waiter polls status with SLEEP steps until every partition succeeded */
    ak_transport *t = ak_client_transport(c);
    size_t before = 0;
    while (ak_recording_get(t, before))
        before++;
    ak_recording_push(t, 200, NULL, "[{\"status\":\"COMPUTING\"}]");
    ak_recording_push(t, 200, NULL, "[{\"status\":\"COMPUTING\"}]");
    ak_recording_push(t, 200, NULL, "[{\"status\":\"SUCCEED\",\"user_count\":3}]");
    cJSON *p = J("{\"id\":4,\"base_time_list\":[\"2019-12-16\"],\"timeout\":30}"), *result = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_call *call = NULL;
    CHECK(ak_call_new(&call, c, "user_tags.wait_computed", p, &err) == AK_OK);
    ak_drive_hooks hooks = {NULL, NULL, NULL, advance, &env, NULL, NULL, NULL};
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    result = cJSON_Duplicate(ak_call_result(call), true);
    CHECK_STR(cJSON_GetObjectItem(result, "state")->valuestring, "SUCCEED");
    size_t after = before;
    while (ak_recording_get(t, after))
        after++;
    CHECK(after - before == 3);
    CHECK_STR(ak_recording_get(t, before)->url, SD_BASE "/v2/user_tags/4/status?base_time_list=2019-12-16&" AUTH);
    CHECK(env.now_ms >= 1700000000000LL + 2000);
    ak_call_free(call);
    cJSON_Delete(result);

    /* a timeout: still computing after the deadline */
    for (int i = 0; i < 10; i++)
        ak_recording_push(t, 200, NULL, "[{\"status\":\"COMPUTING\"}]");
    cJSON_Delete(p);
    p = J("{\"id\":4,\"base_time_list\":[\"2019-12-16\"],\"timeout\":2.5}");
    CHECK(ak_call_new(&call, c, "user_tags.wait_computed", p, &err) == AK_OK);
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_TIMEOUT);
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_export_pager(void) {
    ak_client *c = client(NULL);
    ak_pager *pg = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_step st;
    cJSON *p = J("{\"filter\":{\"conditions\":[{\"field\":\"user.user_tag_tag24@2019-12-18 00:00:00\",\"function\":"
                 "\"isSet\"}]},\"num_per_page\":2,\"profiles\":[\"user.city\"],\"use_cache\":false}");
    CHECK(ak_pager_new(&pg, c, "users.export", p, &err) == AK_OK);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_SEND);
    CHECK_STR(st.request->method, "POST");
    CHECK_STR(st.request->url, SD_BASE "/v2/reports/user_analytics/users?" AUTH);
    const char *b0 = "{\"filter\":{\"conditions\":[{\"field\":\"user.user_tag_tag24@2019-12-18 00:00:00\",\"function\":"
                     "\"isSet\"}]},\"num_per_page\":2,\"profiles\":[\"user.city\"],\"use_cache\":false,\"page\":0}";
    CHECK(st.request->body_len == strlen(b0) && memcmp(st.request->body, b0, strlen(b0)) == 0);
    ak_response r =
        resp(200, "{\"page_num\":2,\"size\":3,\"users\":[{\"id\":\"-1\",\"profiles\":{}},{\"id\":\"-2\"}]}");
    ak_pager_feed(pg, &r);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_PAGE && cJSON_GetArraySize(ak_pager_items(pg)) == 2);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_SEND && strstr(st.request->body, "\"page\":1}") != NULL);
    r = resp(200, "{\"page_num\":2,\"size\":3,\"users\":[{\"id\":\"-3\"}]}");
    ak_pager_feed(pg, &r);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_PAGE);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_DONE);
    ak_pager_free(pg);
    cJSON_Delete(p);
    p = J("{\"filter\":{\"conditions\":[{\"function\":\"isSet\"}]},\"num_per_page\":0,\"page\":0}");
    CHECK(ak_pager_new(&pg, c, "users.export", p, &err) == AK_FAIL);
    CHECK(err.nviolations == 3); /* filter.conditions[0].field, num_per_page, page (managed) */
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_persona_chunks(void) {
    ak_client *c = client(NULL);
    cJSON *p = J("{\"user_id\":\"-5568802382350089752\",\"user_tag_ids\":[]}");
    cJSON *ids = cJSON_GetObjectItem(p, "user_tag_ids");
    for (int i = 1; i <= 45; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(i));
    ak_pager *pg = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_step st;
    CHECK(ak_pager_new(&pg, c, "persona.user_tags", p, &err) == AK_OK);
    int sends = 0, items = 0;
    for (;;) {
        ak_pager_next(pg, &st);
        if (st.kind != AK_STEP_SEND)
            break;
        sends++;
        CHECK_STR(st.request->url, SD_BASE "/v2/persona_info/user_tags?" AUTH);
        cJSON *body = cJSON_ParseWithLength(st.request->body, st.request->body_len);
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(body, "user_tag_ids"));
        CHECK(n == (sends < 3 ? 20 : 5));
        int first = (int)cJSON_GetArrayItem(cJSON_GetObjectItem(body, "user_tag_ids"), 0)->valuedouble;
        CHECK(first == (sends - 1) * 20 + 1);
        CHECK_STR(cJSON_GetObjectItem(body, "user_id")->valuestring, "-5568802382350089752");
        cJSON_Delete(body);
        char answer[128];
        snprintf(answer, sizeof answer, "{\"user_tags\":[{\"tag_id\":%d,\"value\":\"v\",\"data_type\":2}]}", first);
        ak_response r = resp(200, answer);
        ak_pager_feed(pg, &r);
        ak_pager_next(pg, &st);
        CHECK(st.kind == AK_STEP_PAGE);
        const cJSON *it = ak_pager_items(pg);
        CHECK((int)cJSON_GetObjectItem(it->child, "tag_id")->valuedouble == first);
        items += cJSON_GetArraySize(it);
        if (sends == 3)
            break;
    }
    CHECK(sends == 3 && items == 3);
    ak_pager_next(pg, &st);
    CHECK(st.kind == AK_STEP_DONE);
    ak_pager_free(pg);
    cJSON_Delete(p);
    /* the batch row holds at most 20; the chunked row needs at least one id and a user */
    p = J("{\"user_tag_ids\":[0]}");
    CHECK(ak_pager_new(&pg, c, "persona.user_tags", p, &err) == AK_FAIL);
    CHECK(err.nviolations == 2);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    RUN(test_create);
    RUN(test_tag_routes);
    RUN(test_wait_computed);
    RUN(test_export_pager);
    RUN(test_persona_chunks);
    DONE();
}
