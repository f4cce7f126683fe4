/* test_sensors_thinking.c - Sensors Data and ThinkingData on the engine: exact request bytes for
 * both Sensors auth styles and ThinkingData's query token (recording transport), credential checks,
 * the start/count and pagerHeader pagers on canned responses, variants, envelope mapping, and a
 * loopback pass against the sandbox (seeded lists, detail by id and by name, auth failure). */
#include "sandbox.h"

#include <strings.h>

#define SD_BASE "http://sd.example:8107/api"
#define TD_BASE "http://ta.example:8992"
#define SD_TOKEN "SD-SECRET-TOKEN-123"
#define SD_KEY "SD-SECRET-API-KEY-456"
#define TD_TOKEN "TD-SECRET-TOKEN-789"

static ak_response resp(int status, const char *body) {
    ak_response r = {0};
    r.status = status;
    r.body = body;
    r.body_len = strlen(body);
    return r;
}

static ak_client *sd_client(const char *creds) {
    char cfg[512];
    snprintf(cfg, sizeof cfg, "{\"base_url\":\"" SD_BASE "\",\"backoff_ms\":1,%s}", creds);
    return recording_client("sensors_data", cfg, NULL);
}

static ak_client *td_client(void) {
    return recording_client("thinking_data",
                            "{\"base_url\":\"" TD_BASE "/\",\"backoff_ms\":1,\"token\":\"" TD_TOKEN "\"}", NULL);
}

static const char *header(const ak_request *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ---------------------------------------------------------------- credentials and auth bytes */

static void test_sensors_credentials(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    unsetenv("AUDKIT_SENSORS_DATA_TOKEN");
    unsetenv("AUDKIT_SENSORS_DATA_API_KEY");
    unsetenv("AUDKIT_SENSORS_DATA_PROJECT");
    /* exactly one of token / api_key, and project */
    cJSON *cfg = J("{\"base_url\":\"" SD_BASE "\",\"token\":\"" SD_TOKEN "\",\"api_key\":\"" SD_KEY "\","
                   "\"project\":\"p\"}");
    CHECK(ak_client_new(&c, "sensors_data", cfg, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 1);
    CHECK_STR(err.field, "api_key");
    CHECK(strstr(err.message, SD_TOKEN) == NULL && strstr(err.message, SD_KEY) == NULL);
    CHECK(strstr(err.violations[0].rule, SD_KEY) == NULL);
    cJSON_Delete(cfg);
    cfg = J("{\"base_url\":\"" SD_BASE "\"}");
    CHECK(ak_client_new(&c, "sensors_data", cfg, &err) == AK_FAIL);
    CHECK(err.nviolations == 2);
    CHECK_STR(err.violations[0].field, "token");
    CHECK_STR(err.violations[1].field, "project");
    cJSON_Delete(cfg);
    cfg = J("{\"base_url\":\"" SD_BASE "\",\"api_key\":\"" SD_KEY "\"}");
    CHECK(ak_client_new(&c, "sensors_data", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "project");
    cJSON_Delete(cfg);
    /* an empty token counts as missing */
    cfg = J("{\"base_url\":\"" SD_BASE "\",\"token\":\"\",\"project\":\"p\"}");
    CHECK(ak_client_new(&c, "sensors_data", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "token");
    cJSON_Delete(cfg);
    /* the describe text masks both secrets */
    cfg = J("{\"base_url\":\"" SD_BASE "\",\"api_key\":\"" SD_KEY "\",\"project\":\"p\"}");
    CHECK(ak_client_new(&c, "sensors_data", cfg, &err) == AK_OK);
    char *d = ak_client_describe(c);
    CHECK(strstr(d, SD_KEY) == NULL && strstr(d, "api_key=***") != NULL);
    free(d);
    ak_client_free(c);
    cJSON_Delete(cfg);
    /* ThinkingData: token required */
    cfg = J("{\"base_url\":\"" TD_BASE "\"}");
    unsetenv("AUDKIT_THINKING_DATA_TOKEN");
    CHECK(ak_client_new(&c, "thinking_data", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "token");
    cJSON_Delete(cfg);
    ak_error_cleanup(&err);
}

static void test_sensors_query_auth_bytes(void) {
    ak_client *c = sd_client("\"token\":\"" SD_TOKEN "\",\"project\":\"my proj\"");
    ak_transport *t = ak_client_transport(c);
    ak_recording_push(t, 200, NULL, "{\"id\":15,\"name\":\"user_tag_x\",\"data_type\":2}");
    cJSON *params = J("{\"id\":15}"), *result = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "user_tags.get", params, &result, &err) == AK_OK);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->method, "GET");
    CHECK_STR(r->url, SD_BASE "/v2/user_tags/15?token=" SD_TOKEN "&project=my%20proj");
    CHECK(r->nheaders == 0 && r->body_len == 0);
    /* data_type may come back as an integer code: kept as sent */
    CHECK(cJSON_GetObjectItem(result, "data_type")->valuedouble == 2);
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* list page: start/count/invisible in the query, the bool as true/false */
    ak_recording_push(t, 200, NULL, "[]");
    params = J("{\"start\":1,\"count\":20,\"invisible\":false}");
    CHECK(ak_call_simple(c, "user_tags.list_page", params, &result, &err) == AK_OK);
    r = ak_recording_get(t, 1);
    CHECK_STR(r->url, SD_BASE "/v2/user_tags?start=1&count=20&invisible=false&token=" SD_TOKEN "&project=my%20proj");
    CHECK(cJSON_IsArray(result));
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* partitions: path id, from/to dates, order */
    ak_recording_push(t, 200, NULL, "[]");
    params = J("{\"id\":7,\"from_date\":\"2019-12-17\",\"to_date\":\"2019-12-18\",\"order\":\"desc\",\"start\":1,"
               "\"count\":10}");
    CHECK(ak_call_simple(c, "user_tags.partitions_page", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 2)->url, SD_BASE "/v2/user_tags/7/partitions?from_date=2019-12-17&to_date=2019-12-18"
                                                   "&order=desc&start=1&count=10&token=" SD_TOKEN "&project=my%20proj");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_sensors_header_auth_bytes(void) {
    ak_client *c = sd_client("\"api_key\":\"" SD_KEY "\",\"project\":\"default\"");
    ak_transport *t = ak_client_transport(c);
    ak_recording_push(t, 200, NULL, "{\"id\":15}");
    cJSON *params = J("{\"id\":\"15\"}"), *result = NULL; /* numeric strings become integers */
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "user_tags.get", params, &result, &err) == AK_OK);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->url, SD_BASE "/v2/user_tags/15");
    CHECK(r->nheaders == 2);
    CHECK_STR(r->headers[0].name, "api-key");
    CHECK_STR(r->headers[0].value, SD_KEY);
    CHECK_STR(r->headers[1].name, "sensorsdata-project");
    CHECK_STR(r->headers[1].value, "default");
    cJSON_Delete(result);
    cJSON_Delete(params);

    ak_recording_push(t, 200, NULL, "[{\"type\":\"DIR\",\"id\":1,\"items\":[]}]");
    params = J("{\"need_user_tag\":false,\"source_type\":1}");
    CHECK(ak_call_simple(c, "user_tags.dirs", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 1)->url, SD_BASE "/v2/user_tags/dirs?need_user_tag=false&source_type=1");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_sensors_validation(void) {
    ak_client *c = sd_client("\"token\":\"T\",\"project\":\"p\"");
    ak_error err = AK_ERROR_INIT;
    cJSON *result = NULL;
    /* ruling: start counts from 1 */
    cJSON *params = J("{\"start\":0,\"count\":0,\"invisible\":\"no\"}");
    CHECK(ak_call_simple(c, "user_tags.list_page", params, &result, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 3);
    CHECK_STR(err.violations[0].field, "start");
    cJSON_Delete(params);
    params = J("{}");
    CHECK(ak_call_simple(c, "user_tags.get", params, &result, &err) == AK_FAIL);
    CHECK_STR(err.field, "id");
    cJSON_Delete(params);
    /* from_date and to_date together, in order */
    params = J("{\"id\":1,\"from_date\":\"2019-12-18\"}");
    CHECK(ak_call_simple(c, "user_tags.partitions_page", params, &result, &err) == AK_FAIL);
    CHECK_STR(err.field, "to_date");
    cJSON_Delete(params);
    params = J("{\"id\":1,\"from_date\":\"2019-12-18\",\"to_date\":\"2019-12-17\",\"order\":\"asc\"}");
    CHECK(ak_call_simple(c, "user_tags.partitions_page", params, &result, &err) == AK_FAIL);
    CHECK(err.nviolations == 2);
    cJSON_Delete(params);
    CHECK(ak_recording_count(ak_client_transport(c)) == 0);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* the rule DSL schemas: every violation with its path, before anything is sent */
static void test_sensors_rule_schema(void) {
    const ak_schema *s = ak_schema_find("sensors_data", "SensorsRuleContent");
    CHECK(s != NULL);
    ak_error err = AK_ERROR_INIT;
    ak_validate_ctx ctx = {0};
    cJSON *ok =
        J("{\"type\":\"basic_measures\",\"measure\":{\"type\":\"event_measure\",\"event_name\":\"ClickBanner\","
          "\"aggregator\":\"general\",\"field\":\"\"},\"rules\":[{\"type\":\"rules_relation\",\"relation\":\"and\","
          "\"rules\":[{\"type\":\"simple_event_rule\",\"filters\":[{\"type\":\"filter\",\"field\":\"event.W.D\","
          "\"function\":\"greaterequal\",\"params\":[\"2015-04-01 00:03:00\"]}],\"time_function\":"
          "\"relative_time\",\"time_params\":[\"1,0,hour\"]}]}]}");
    CHECK(ak_schema_validate(s, ok, NULL, &ctx, &err) == AK_OK);
    cJSON *bad =
        J("{\"type\":\"rules_relation\",\"rules\":[{\"type\":\"rules_relation\",\"relation\":\"xor\","
          "\"rules\":[{\"type\":\"event_rule\",\"filters\":[{\"type\":\"filter\"},{\"type\":\"filter\","
          "\"field\":\"f\",\"function\":\"equal\"}]},{\"type\":\"event_sequence_rule\",\"time_function\":\"t\","
          "\"time_params\":[]}]}]}");
    CHECK(ak_schema_validate(s, bad, NULL, &ctx, &err) == AK_FAIL);
    const char *expect[] = {"rules[0].relation",
                            "rules[0].rules[0].filters",
                            "rules[0].rules[0].filters[0].field",
                            "rules[0].rules[0].measure",
                            "rules[0].rules[0].time_function",
                            "rules[0].rules[1].steps",
                            "relation",
                            "value"};
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        int found = 0;
        for (size_t j = 0; j < err.nviolations; j++)
            found |= strcmp(err.violations[j].field, expect[i]) == 0;
        if (!found)
            fprintf(stderr, "  missing violation at %s\n", expect[i]);
        CHECK(found);
    }
    cJSON_Delete(ok);
    cJSON_Delete(bad);
    ak_error_cleanup(&err);
}

static void test_thinking_query_token_and_variants(void) {
    ak_client *c = td_client();
    ak_transport *t = ak_client_transport(c);
    ak_error err = AK_ERROR_INIT;
    cJSON *result = NULL;
    ak_recording_push(t, 200, NULL,
                      "{\"data\":{\"clusterName\":\"recent_7_days_consume\",\"id\":\"970\",\"projectId\":102,"
                      "\"userClusterDef\":{\"events\":[{\"eventName\":\"consume_item\"}]},\"extra\":1},"
                      "\"return_code\":0,\"return_message\":\"success\"}");
    cJSON *params = J("{\"project_id\":102,\"cluster_id\":970}");
    CHECK(ak_call_simple(c, "clusters.detail", params, &result, &err) == AK_OK);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->method, "GET");
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-detail?token=" TD_TOKEN "&projectId=102&clusterId=970");
    CHECK(r->nheaders == 0 && r->body_len == 0);
    /* result = data, ids as strings decoded, unknown fields kept */
    CHECK(cJSON_GetObjectItem(result, "id")->valuedouble == 970);
    CHECK(cJSON_GetObjectItem(result, "extra") != NULL);
    cJSON_Delete(result);
    cJSON_Delete(params);

    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\",\"data\":{\"id\":970}}");
    params = J("{\"projectId\":102,\"clusterName\":\"recent 7&days\"}"); /* wire names accepted too */
    CHECK(ak_call_simple(c, "clusters.detail", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 1)->url,
              TD_BASE "/open/user-cluster-detail?token=" TD_TOKEN "&projectId=102&clusterName=recent%207%26days");
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* delete: the variant picks the by-name route; everything in the query */
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\"}");
    params = J("{\"project_id\":102,\"cluster_name\":\"c1\"}");
    CHECK(ak_call_simple(c, "clusters.delete", params, &result, &err) == AK_OK);
    r = ak_recording_get(t, 2);
    CHECK_STR(r->method, "POST");
    CHECK_STR(r->url, TD_BASE "/open/delete-user-cluster-by-name?token=" TD_TOKEN "&projectId=102&clusterName=c1");
    CHECK_STR(r->body, "{}");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\"}");
    params = J("{\"project_id\":102,\"cluster_id\":5}");
    CHECK(ak_call_simple(c, "clusters.delete", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 3)->url,
              TD_BASE "/open/user-cluster-delete?token=" TD_TOKEN "&projectId=102&clusterId=5");
    cJSON_Delete(result);
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\"}");
    CHECK(ak_call_simple(c, "clusters.refresh", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 4)->url,
              TD_BASE "/open/user-cluster-refresh?token=" TD_TOKEN "&projectId=102&clusterId=5");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\",\"data\":{\"progress\":80}}");
    params = J("{\"project_id\":102,\"cluster_name\":\"c1\"}");
    CHECK(ak_call_simple(c, "clusters.refresh_progress", params, &result, &err) == AK_OK);
    CHECK_STR(ak_recording_get(t, 5)->url,
              TD_BASE "/open/user-cluster-refresh-progress-by-name?token=" TD_TOKEN "&projectId=102&clusterName=c1");
    CHECK(cJSON_GetObjectItem(result, "progress")->valuedouble == 80);
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* update: each route decides what travels in the query; the rest is the JSON body */
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":5}");
    params = J("{\"project_id\":102,\"cluster_id\":5,\"display_name\":\"d\",\"qp\":{\"relation\":\"and\"}}");
    CHECK(ak_call_simple(c, "clusters.update", params, &result, &err) == AK_OK);
    r = ak_recording_get(t, 6);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-update?token=" TD_TOKEN "&clusterId=5");
    CHECK_STR(r->body, "{\"projectId\":102,\"displayName\":\"d\",\"qp\":{\"relation\":\"and\"}}");
    cJSON_Delete(result);
    cJSON_Delete(params);
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":5}");
    params = J("{\"project_id\":102,\"cluster_name\":\"c 1\",\"display_name\":\"d\",\"qp\":{}}");
    CHECK(ak_call_simple(c, "clusters.update", params, &result, &err) == AK_OK);
    r = ak_recording_get(t, 7);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-update-by-name?token=" TD_TOKEN "&projectId=102&clusterName=c%201");
    /* issue 8: projectId in the query and in the body (the document's example) */
    CHECK_STR(r->body, "{\"projectId\":102,\"displayName\":\"d\",\"qp\":{}}");
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* list: token in the query, projectId and the nested pagerHeader in the body */
    ak_recording_push(t, 200, NULL,
                      "{\"data\":{\"pagerResult\":{\"pageNum\":1,\"pageSize\":10,\"totalNum\":0},\"userClusters\":[]},"
                      "\"return_code\":0,\"return_message\":\"success\"}");
    params = J("{\"cluster_catalog\":\"catalog_cluster\",\"cluster_types\":[\"cluster_by_dynamic_condition\","
               "\"cluster_by_static_condition\"],\"pager_header\":{\"page_num\":1,\"page_size\":10},"
               "\"project_id\":102}");
    CHECK(ak_call_simple(c, "clusters.list_page", params, &result, &err) == AK_OK);
    r = ak_recording_get(t, 8);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-list?token=" TD_TOKEN);
    CHECK_STR(r->body, "{\"clusterCatalog\":\"catalog_cluster\",\"clusterTypes\":[\"cluster_by_dynamic_condition\","
                       "\"cluster_by_static_condition\"],\"pagerHeader\":{\"pageNum\":1,\"pageSize\":10},"
                       "\"projectId\":102}");
    CHECK_STR(header(r, "Content-Type"), "application/json");
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* exactly one of cluster_id / cluster_name, before sending */
    size_t sent = ak_recording_count(t);
    params = J("{\"project_id\":102,\"cluster_id\":5,\"cluster_name\":\"c1\"}");
    CHECK(ak_call_simple(c, "clusters.detail", params, &result, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "cluster_id");
    cJSON_Delete(params);
    params = J("{\"project_id\":102}");
    CHECK(ak_call_simple(c, "clusters.detail", params, &result, &err) == AK_FAIL);
    CHECK_STR(err.rule, "exactly one of cluster_id or cluster_name must be given");
    cJSON_Delete(params);
    params = J("{\"cluster_id\":0,\"cluster_types\":[\"nope\",\"nope\"]}");
    CHECK(ak_call_simple(c, "clusters.detail", params, &result, &err) == AK_FAIL);
    CHECK(err.nviolations >= 3); /* unknown field, project_id required, cluster_id range */
    cJSON_Delete(params);
    CHECK(ak_recording_count(t) == sent);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_thinking_add(void) {
    ak_client *c = td_client();
    ak_transport *t = ak_client_transport(c);
    ak_error err = AK_ERROR_INIT;
    cJSON *result = NULL;
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"return_message\":\"success\",\"data\":970}");
    /* the document's example, in snake_case: camelCase on the wire, projectId in the body */
    cJSON *params =
        J("{\"project_id\":102,\"cluster_name\":\"recent_7_days_consume\",\"cluster_catalog\":"
          "\"catalog_cluster\",\"cluster_type\":\"cluster_by_static_condition\",\"display_name\":"
          "\"recent_7_days_consume\",\"qp\":{\"events\":[{\"comparator\":\"greater\",\"event_name\":"
          "\"consume_item\",\"num\":\"4\",\"recent_day\":\"1-7\",\"ta_prop_quota\":{\"analysis\":\"TIMES\"}}],"
          "\"event_relation\":\"and\",\"filts\":[{\"column_name\":\"user_level\",\"comparator\":\"equal\","
          "\"ftv\":[\"3\"],\"table_type\":\"user\"}],\"relation\":\"and\",\"event_user_relation\":\"and\"}}");
    CHECK(ak_call_simple(c, "clusters.add", params, &result, &err) == AK_OK);
    CHECK(cJSON_IsNumber(result) && result->valuedouble == 970);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-add?token=" TD_TOKEN);
    CHECK_STR(r->body,
              "{\"projectId\":102,\"clusterName\":\"recent_7_days_consume\",\"clusterCatalog\":"
              "\"catalog_cluster\",\"clusterType\":\"cluster_by_static_condition\",\"displayName\":"
              "\"recent_7_days_consume\",\"qp\":{\"events\":[{\"comparator\":\"greater\",\"eventName\":"
              "\"consume_item\",\"num\":\"4\",\"recentDay\":\"1-7\",\"taPropQuota\":{\"analysis\":\"TIMES\"}}],"
              "\"event_relation\":\"and\",\"filts\":[{\"columnName\":\"user_level\",\"comparator\":\"equal\","
              "\"ftv\":[\"3\"],\"tableType\":\"user\"}],\"relation\":\"and\",\"event_user_relation\":\"and\"}}");
    cJSON_Delete(result);
    cJSON_Delete(params);
    /* every violation, with its path, before anything is sent */
    params =
        J("{\"project_id\":102,\"cluster_name\":\"t\",\"cluster_catalog\":\"catalog_tag\",\"display_name\":"
          "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\","
          "\"sub_condition_tab_type\":\"tag_condition_by_firstlast_event\",\"tag_qp\":{\"user_tag_value_defs\":"
          "[{\"tag_value\":\"v\",\"user_cluster_def\":{\"events\":[{}],\"filts\":[{\"table_type\":\"x\"}]}}]}}");
    CHECK(ak_call_simple(c, "clusters.add", params, &result, &err) == AK_FAIL);
    const char *expect[] = {"display_name",
                            "tag_qp.user_tag_value_defs[0].user_cluster_def.events[0].event_name",
                            "tag_qp.user_tag_value_defs[0].user_cluster_def.filts[0].column_name",
                            "tag_qp.user_tag_value_defs[0].user_cluster_def.filts[0].comparator",
                            "tag_qp.user_tag_value_defs[0].user_cluster_def.filts[0].table_type",
                            "tag_qp.user_tag_con_first_last_event_def"};
    CHECK(err.nviolations == sizeof expect / sizeof *expect);
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        int found = 0;
        for (size_t j = 0; j < err.nviolations; j++)
            found |= strcmp(err.violations[j].field, expect[i]) == 0;
        if (!found)
            fprintf(stderr, "  missing violation at %s\n", expect[i]);
        CHECK(found);
    }
    cJSON_Delete(params);
    /* a cluster needs qp, a tag needs tag_qp; tag-only fields are refused on clusters */
    params = J("{\"project_id\":102,\"cluster_name\":\"c\",\"display_name\":\"d\",\"sub_condition_tab_type\":"
               "\"tag_condition_default\"}");
    CHECK(ak_call_simple(c, "clusters.add", params, &result, &err) == AK_FAIL);
    CHECK(err.nviolations == 2);
    CHECK_STR(err.violations[0].field, "qp");
    CHECK_STR(err.violations[1].field, "sub_condition_tab_type");
    cJSON_Delete(params);
    params =
        J("{\"project_id\":102,\"cluster_name\":\"c\",\"display_name\":\"d\",\"cluster_catalog\":\"catalog_tag\"}");
    CHECK(ak_call_simple(c, "clusters.add", params, &result, &err) == AK_FAIL);
    CHECK(err.nviolations == 1);
    CHECK_STR(err.field, "tag_qp");
    cJSON_Delete(params);
    CHECK(ak_recording_count(t) == 1);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---------------------------------------------------------------- pagers on canned responses */

static char *sd_page(int first, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        char id[16];
        snprintf(id, sizeof id, "%d", first + i);
        cJSON_AddStringToObject(it, "id", id); /* ids as strings: decoded by the item schema */
        cJSON_AddNumberToObject(it, "data_type", 2);
        cJSON_AddItemToArray(a, it);
    }
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

static int qint(const char *url, const char *name) {
    char key[32];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(url, key);
    return p ? atoi(p + strlen(key)) : -1;
}

static void test_sensors_start_count_pager(void) {
    ak_client *c = sd_client("\"token\":\"T\",\"project\":\"p\"");
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    cJSON *params = J("{\"count\":2,\"invisible\":true}");
    CHECK(ak_pager_new(&p, c, "user_tags.list", params, &err) == AK_OK);
    int sends = 0, pages = 0, items = 0, starts[8] = {0};
    const int sizes[] = {2, 2, 1};
    for (int guard = 0; guard < 20; guard++) {
        ak_step st;
        ak_pager_next(p, &st);
        if (st.kind == AK_STEP_SEND) {
            CHECK(sends < 3);
            starts[sends] = qint(st.request->url, "start");
            CHECK(qint(st.request->url, "count") == 2);
            CHECK(strstr(st.request->url, "invisible=true") != NULL);
            char *body = sd_page(starts[sends], sizes[sends]);
            ak_response r = resp(200, body);
            sends++;
            ak_pager_feed(p, &r);
            free(body);
        } else if (st.kind == AK_STEP_PAGE) {
            pages++;
            CHECK(sends == pages); /* one request per page, only when the page is needed */
            const cJSON *arr = ak_pager_items(p);
            for (const cJSON *it = arr->child; it; it = it->next, items++)
                CHECK(cJSON_IsNumber(cJSON_GetObjectItem(it, "id")) &&
                      cJSON_GetObjectItem(it, "id")->valuedouble == items + 1);
        } else {
            CHECK(st.kind == AK_STEP_DONE);
            break;
        }
    }
    /* ruling: start counts from 1 and advances by count */
    CHECK(sends == 3 && pages == 3 && items == 5);
    CHECK(starts[0] == 1 && starts[1] == 3 && starts[2] == 5);
    ak_pager_free(p);
    cJSON_Delete(params);

    /* an exact multiple ends with an empty page, which is not handed out */
    params = J("{\"count\":2}");
    CHECK(ak_pager_new(&p, c, "user_tags.list", params, &err) == AK_OK);
    sends = pages = 0;
    for (int guard = 0; guard < 20; guard++) {
        ak_step st;
        ak_pager_next(p, &st);
        if (st.kind == AK_STEP_SEND) {
            char *body = sd_page(1 + 2 * sends, sends < 2 ? 2 : 0);
            ak_response r = resp(200, body);
            sends++;
            ak_pager_feed(p, &r);
            free(body);
        } else if (st.kind == AK_STEP_PAGE) {
            pages++;
        } else {
            break;
        }
    }
    CHECK(sends == 3 && pages == 2);
    ak_pager_free(p);
    cJSON_Delete(params);

    /* the default page size is used when count is not given; start belongs to the pager */
    params = J("{}");
    CHECK(ak_pager_new(&p, c, "user_tags.list", params, &err) == AK_OK);
    ak_step st;
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_SEND);
    CHECK_STR(st.request->url, SD_BASE "/v2/user_tags?count=100&start=1&token=T&project=p");
    ak_pager_free(p);
    cJSON_Delete(params);
    params = J("{\"start\":1}");
    CHECK(ak_pager_new(&p, c, "user_tags.list", params, &err) == AK_FAIL);
    CHECK_STR(err.field, "start");
    cJSON_Delete(params);

    /* partitions pager: the tag id stays in the path on every page */
    params = J("{\"id\":9,\"count\":1}");
    CHECK(ak_pager_new(&p, c, "user_tags.partitions", params, &err) == AK_OK);
    ak_pager_next(p, &st);
    CHECK_STR(st.request->url, SD_BASE "/v2/user_tags/9/partitions?count=1&start=1&token=T&project=p");
    ak_response r = resp(200, "[{\"base_time\":\"2019-12-17 00:00:00\",\"status\":\"SUCCEED\"}]");
    ak_pager_feed(p, &r);
    ak_pager_next(p, &st);
    CHECK(st.kind == AK_STEP_PAGE);
    ak_pager_next(p, &st);
    CHECK_STR(st.request->url, SD_BASE "/v2/user_tags/9/partitions?count=1&start=2&token=T&project=p");
    ak_pager_free(p);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static char *td_page(int page, int n, int size, int total) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "return_code", 0);
    cJSON_AddStringToObject(root, "return_message", "success");
    cJSON *data = cJSON_AddObjectToObject(root, "data");
    cJSON *pr = cJSON_AddObjectToObject(data, "pagerResult");
    cJSON_AddNumberToObject(pr, "pageNum", page);
    cJSON_AddNumberToObject(pr, "pageSize", size);
    cJSON_AddNumberToObject(pr, "totalNum", total);
    cJSON *list = cJSON_AddArrayToObject(data, "userClusters");
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "id", 1000 + (page - 1) * size + i);
        cJSON_AddStringToObject(it, "clusterName", "c");
        cJSON_AddItemToArray(list, it);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

/* Pumps a TD pager; `counts[i]` items on page i+1 with `total` reported. Returns sends. */
static int pump_td(ak_pager *p, const int *counts, int npages, int size, int total, int *pages, int *items) {
    int sends = 0;
    *pages = *items = 0;
    for (int guard = 0; guard < 20; guard++) {
        ak_step st;
        ak_pager_next(p, &st);
        if (st.kind == AK_STEP_SEND) {
            CHECK(sends < npages);
            /* pagerHeader is nested in the body, page numbers from 1 */
            char expect[128];
            snprintf(expect, sizeof expect, "\"pagerHeader\":{\"pageSize\":%d,\"pageNum\":%d}", size, sends + 1);
            CHECK(strstr(st.request->body, expect) != NULL);
            if (!strstr(st.request->body, expect))
                fprintf(stderr, "  body: %s\n", st.request->body);
            CHECK(strstr(st.request->url, "/open/user-cluster-list?token=") != NULL);
            char *body = td_page(sends + 1, sends < npages ? counts[sends] : 0, size, total);
            ak_response r = resp(200, body);
            sends++;
            ak_pager_feed(p, &r);
            free(body);
        } else if (st.kind == AK_STEP_PAGE) {
            (*pages)++;
            *items += cJSON_GetArraySize(ak_pager_items(p));
        } else {
            CHECK(st.kind == AK_STEP_DONE);
            break;
        }
    }
    return sends;
}

static void test_thinking_pager_header(void) {
    ak_client *c = td_client();
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    int pages, items;
    cJSON *params = J("{\"project_id\":102,\"cluster_catalog\":\"catalog_tag\",\"pager_header\":{\"page_size\":2}}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    const int c1[] = {2, 2, 1};
    CHECK(pump_td(p, c1, 3, 2, 5, &pages, &items) == 3);
    CHECK(pages == 3 && items == 5);
    ak_pager_free(p);
    /* stops at totalNum: four items in two full pages need no third request */
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    const int c2[] = {2, 2};
    CHECK(pump_td(p, c2, 2, 2, 4, &pages, &items) == 2);
    CHECK(pages == 2 && items == 4);
    ak_pager_free(p);
    cJSON_Delete(params);
    /* without a pager_header the vendor default size 100 is sent */
    params = J("{\"project_id\":102}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    const int c3[] = {3};
    CHECK(pump_td(p, c3, 1, 100, 3, &pages, &items) == 1);
    CHECK(items == 3);
    ak_pager_free(p);
    cJSON_Delete(params);
    /* the wire name pagerHeader is reused (not doubled), and a top-level page_size lands in it */
    params = J("{\"project_id\":102,\"pagerHeader\":{\"pageSize\":2}}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    CHECK(pump_td(p, c1, 3, 2, 5, &pages, &items) == 3);
    CHECK(items == 5);
    ak_pager_free(p);
    cJSON_Delete(params);
    params = J("{\"project_id\":102,\"page_size\":2}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    CHECK(pump_td(p, c1, 3, 2, 5, &pages, &items) == 3);
    CHECK(items == 5);
    ak_pager_free(p);
    cJSON_Delete(params);
    /* a server capping the page size (asked 2, got 1 per page) does not end iteration while
     * the reported total is not reached */
    params = J("{\"project_id\":102,\"page_size\":2}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_OK);
    const int c4[] = {1, 1, 1};
    CHECK(pump_td(p, c4, 3, 2, 3, &pages, &items) == 3);
    CHECK(items == 3);
    ak_pager_free(p);
    cJSON_Delete(params);
    /* the page number belongs to the pager; bad sizes fail before any request */
    params = J("{\"project_id\":102,\"pager_header\":{\"page_num\":1}}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_FAIL);
    CHECK_STR(err.field, "pager_header.page_num");
    cJSON_Delete(params);
    params = J("{\"project_id\":102,\"pager_header\":{\"page_size\":0}}");
    CHECK(ak_pager_new(&p, c, "clusters.list", params, &err) == AK_FAIL);
    CHECK_STR(err.field, "pager_header.page_size");
    cJSON_Delete(params);
    CHECK(ak_recording_count(ak_client_transport(c)) == 0); /* pump_td fed the pager directly */
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---------------------------------------------------------------- waiter */

static fake_env wait_env;
static int64_t wait_slept;
static void wait_sleep(void *ud, int64_t ms) {
    ((fake_env *)ud)->now_ms += ms;
    wait_slept += ms;
}

/* on_wait (drive.h): each poll's value and the value awaited, before the sleep */
static char wait_log[256];
static int wait_stop;
static int on_wait_log(void *ud, int64_t ms, const char *reason, const char *value, const char *target) {
    (void)ud;
    size_t n = strlen(wait_log);
    snprintf(wait_log + n, sizeof wait_log - n, "%s:%lld:%s/%s ", reason, (long long)ms, value ? value : "-",
             target ? target : "-");
    return wait_stop;
}

static void test_thinking_wait_refreshed(void) {
    ak_client *c = td_client();
    ak_transport *t = ak_client_transport(c);
    wait_env.now_ms = 1700000000000LL;
    ak_client_set_clock(c, fake_clock, &wait_env);
    ak_error err = AK_ERROR_INIT;
    ak_drive_hooks hooks = {NULL, NULL, NULL, wait_sleep, &wait_env, NULL, on_wait_log, NULL};
    wait_log[0] = 0;
    wait_stop = 0;
    /* polls refresh-progress until 100, sleeping the interval between polls */
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":{\"progress\":40}}");
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":{\"progress\":\"80\"}}");
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":{\"progress\":100}}");
    cJSON *params = J("{\"project_id\":102,\"cluster_name\":\"c1\",\"timeout\":30}");
    ak_call *call = NULL;
    wait_slept = 0;
    CHECK(ak_call_new(&call, c, "clusters.wait_refreshed", params, &err) == AK_OK);
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    CHECK(cJSON_GetObjectItem(ak_call_result(call), "progress")->valuedouble == 100);
    CHECK_STR(ak_call_op(call)->name, "clusters.wait_refreshed");
    CHECK(ak_recording_count(t) == 3 && wait_slept == 1000);
    CHECK_STR(wait_log, "poll:500:40/100 poll:500:80/100 ");
    /* the timeout is the engine's: never sent */
    CHECK_STR(ak_recording_get(t, 0)->url,
              TD_BASE "/open/user-cluster-refresh-progress-by-name?token=" TD_TOKEN "&projectId=102&clusterName=c1");
    ak_call_free(call);
    cJSON_Delete(params);
    /* a refresh that does not finish in time: a timeout error naming the last value */
    for (int i = 0; i < 5; i++)
        ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":{\"progress\":10}}");
    params = J("{\"project_id\":102,\"cluster_id\":7,\"timeout\":1.2}");
    CHECK(ak_call_new(&call, c, "clusters.wait_refreshed", params, &err) == AK_OK);
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_TIMEOUT && strstr(err.message, "last: 10") != NULL);
    CHECK(ak_recording_count(t) == 6); /* polls at 0, 0.5 and 1.0 s; the next would pass 1.2 s */
    ak_call_free(call);
    cJSON_Delete(params);
    /* a non-zero on_wait abandons the wait: the call fails at once, nothing more is sent */
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":{\"progress\":10}}");
    params = J("{\"project_id\":102,\"cluster_id\":7}");
    wait_stop = 1;
    CHECK(ak_call_new(&call, c, "clusters.wait_refreshed", params, &err) == AK_OK);
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_TRANSPORT && strstr(err.message, "progress callback") != NULL);
    CHECK(ak_recording_count(t) == 7);
    wait_stop = 0;
    ak_call_free(call);
    cJSON_Delete(params);
    /* the timeout is validated like any parameter */
    params = J("{\"project_id\":102,\"cluster_id\":7,\"timeout\":0}");
    CHECK(ak_call_new(&call, c, "clusters.wait_refreshed", params, &err) == AK_FAIL);
    CHECK_STR(err.field, "timeout");
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---------------------------------------------------------------- envelopes */

/* One call fed `n` canned responses (manually); returns the final step and counts sends. */
static ak_step_kind feed(ak_client *c, const char *op, const char *params_text, const int *status,
                         const char *const *bodies, int n, int *sends, const ak_error **err_out, ak_call **out) {
    cJSON *params = J(params_text);
    ak_error err = AK_ERROR_INIT;
    ak_call *call = NULL;
    *sends = 0;
    if (ak_call_new(&call, c, op, params, &err) != AK_OK) {
        fprintf(stderr, "call_new: %s\n", err.message);
        exit(2);
    }
    cJSON_Delete(params);
    ak_step st;
    for (int guard = 0; guard < 20; guard++) {
        ak_call_next(call, &st);
        if (st.kind == AK_STEP_SEND) {
            int i = *sends < n ? *sends : n - 1;
            ak_response r = resp(status[i], bodies[i]);
            (*sends)++;
            ak_call_feed(call, &r);
        } else if (st.kind != AK_STEP_SLEEP) {
            break;
        }
    }
    *err_out = ak_call_error(call);
    *out = call;
    return st.kind;
}

static void test_sensors_envelope(void) {
    ak_client *c = sd_client("\"token\":\"" SD_TOKEN "\",\"project\":\"p\"");
    const ak_error *e;
    ak_call *call;
    int sends;
    struct {
        int status;
        const char *body;
        ak_error_kind kind;
        int retried;
        const char *message, *code;
    } cases[] = {
        {404, "{\"error\":\"user tag 9 does not exist\",\"code\":\"SENSORS_TAG_NOT_FOUND\"}", AK_ERR_NOT_FOUND, 0,
         "user tag 9 does not exist", "SENSORS_TAG_NOT_FOUND"},
        {401, "{\"error\":\"invalid token\"}", AK_ERR_AUTH, 0, "invalid token", ""},
        {403, "{\"message\":\"project forbidden\",\"code\":7}", AK_ERR_AUTH, 0, "project forbidden", "7"},
        {400, "{\"error\":{\"message\":\"bad start\"}}", AK_ERR_API, 0, "bad start", ""},
        {400, "{\"error\":\"echo token=" SD_TOKEN "&x\"}", AK_ERR_API, 0, "echo token=***&x", ""},
        {429, "{\"error\":\"slow down\"}", AK_ERR_RATE_LIMITED, 1, "slow down", ""},
        {500, "{\"error\":\"boom\"}", AK_ERR_API, 1, "boom", ""},
        {502, "<html>bad gateway</html>", AK_ERR_HTTP, 1, "Sensors Data HTTP 502 without a JSON body", ""},
        {200, "<html>", AK_ERR_DECODE, 0, NULL, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st[] = {cases[i].status};
        const char *b[] = {cases[i].body};
        ak_step_kind k = feed(c, "user_tags.get", "{\"id\":9}", st, b, 1, &sends, &e, &call);
        CHECK(k == AK_STEP_ERROR);
        if (e->kind != cases[i].kind)
            fprintf(stderr, "  case %zu: kind %s\n", i, ak_error_kind_name(e->kind));
        CHECK(e->kind == cases[i].kind);
        CHECK(e->http_status == cases[i].status);
        CHECK(sends == (cases[i].retried ? 4 : 1)); /* retries = 3 */
        CHECK(e->retryable == cases[i].retried);
        if (cases[i].message)
            CHECK_STR(e->message, cases[i].message);
        CHECK_STR(e->vendor_code, cases[i].code);
        CHECK(strstr(e->message, SD_TOKEN) == NULL);
        ak_call_free(call);
    }
    /* a retried 429 then success */
    int st2[] = {429, 200};
    const char *b2[] = {"{}", "{\"id\":9,\"status\":\"RUNNING\"}"};
    CHECK(feed(c, "user_tags.get", "{\"id\":9}", st2, b2, 2, &sends, &e, &call) == AK_STEP_DONE);
    CHECK(sends == 2);
    CHECK_STR(cJSON_GetObjectItem(ak_call_result(call), "status")->valuestring, "RUNNING");
    ak_call_free(call);
    /* 2xx with an empty body (DELETE-like answers) is success for an op without a documented
     * result object; where a result is documented (the tag), it is a decode error */
    int st3[] = {200};
    const char *b3[] = {""};
    CHECK(feed(c, "user_tags.dirs", "{}", st3, b3, 1, &sends, &e, &call) == AK_STEP_DONE);
    ak_call_free(call);
    CHECK(feed(c, "user_tags.get", "{\"id\":9}", st3, b3, 1, &sends, &e, &call) == AK_STEP_ERROR);
    CHECK(ak_call_error(call)->kind == AK_ERR_DECODE);
    ak_call_free(call);
    ak_client_free(c);
}

static void test_thinking_envelope(void) {
    ak_client *c = td_client();
    const ak_error *e;
    ak_call *call;
    int sends;
    struct {
        int status;
        const char *body;
        ak_error_kind kind;
        int retried;
        const char *message, *code;
    } cases[] = {
        /* business errors: HTTP 200, non-zero code, never classified by the (placeholder) code */
        {200, "{\"return_code\":-1004,\"return_message\":\"cluster id 9 does not exist\",\"data\":null}", AK_ERR_API, 0,
         "cluster id 9 does not exist", "-1004"},
        {200, "{\"return_code\":-401,\"return_message\":\"looks like auth\"}", AK_ERR_API, 0, "looks like auth",
         "-401"},
        {401, "{\"return_code\":-401,\"return_message\":\"token is invalid\",\"data\":null}", AK_ERR_AUTH, 0,
         "token is invalid", "-401"},
        {404, "{\"return_code\":-404,\"return_message\":\"unknown interface\"}", AK_ERR_NOT_FOUND, 0,
         "unknown interface", "-404"},
        {429, "{\"return_code\":-429,\"return_message\":\"slow\"}", AK_ERR_RATE_LIMITED, 1, "slow", "-429"},
        {503, "{\"return_code\":\"-500\",\"return_message\":\"busy " TD_TOKEN "\"}", AK_ERR_API, 1, "busy ***", "-500"},
        {500, "Internal Server Error", AK_ERR_HTTP, 1, NULL, ""},
        {401, "", AK_ERR_AUTH, 0, NULL, ""},
        {200, "{\"data\":{}}", AK_ERR_DECODE, 0, NULL, ""},
        {200, "[1,2]", AK_ERR_DECODE, 0, NULL, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st[] = {cases[i].status};
        const char *b[] = {cases[i].body};
        ak_step_kind k = feed(c, "clusters.detail", "{\"project_id\":1,\"cluster_id\":9}", st, b, 1, &sends, &e, &call);
        CHECK(k == AK_STEP_ERROR);
        if (e->kind != cases[i].kind)
            fprintf(stderr, "  case %zu: kind %s\n", i, ak_error_kind_name(e->kind));
        CHECK(e->kind == cases[i].kind);
        CHECK(e->http_status == cases[i].status);
        CHECK(sends == (cases[i].retried ? 4 : 1));
        CHECK(e->retryable == cases[i].retried);
        if (cases[i].message)
            CHECK_STR(e->message, cases[i].message);
        CHECK_STR(e->vendor_code, cases[i].code);
        CHECK(strstr(e->message, TD_TOKEN) == NULL);
        ak_call_free(call);
    }
    /* delete is idempotent: a 500 is retried (a 500 is retried only for idempotent rows) */
    int st1[] = {500};
    const char *b1[] = {"{\"return_code\":-500,\"return_message\":\"x\"}"};
    CHECK(feed(c, "clusters.delete", "{\"project_id\":1,\"cluster_id\":9}", st1, b1, 1, &sends, &e, &call) ==
          AK_STEP_ERROR);
    CHECK(sends == 4);
    ak_call_free(call);
    /* ... but not for add, which may have been processed */
    CHECK(feed(c, "clusters.add", "{\"project_id\":1,\"cluster_name\":\"c\",\"display_name\":\"d\",\"qp\":{}}", st1, b1,
               1, &sends, &e, &call) == AK_STEP_ERROR);
    CHECK(sends == 1 && !e->retryable && e->kind == AK_ERR_API);
    ak_call_free(call);
    /* success: return_code as a string, data null -> empty result object */
    int st2[] = {200};
    const char *b2[] = {"{\"return_code\":\"0\",\"return_message\":\"success\",\"data\":null}"};
    CHECK(feed(c, "clusters.delete", "{\"project_id\":1,\"cluster_id\":9}", st2, b2, 1, &sends, &e, &call) ==
          AK_STEP_DONE);
    CHECK(cJSON_IsObject(ak_call_result(call)));
    ak_call_free(call);
    /* list result decoded: wire names kept, items as clusters */
    const char *b3[] = {"{\"return_code\":0,\"data\":{\"pagerResult\":{\"totalNum\":\"1\"},\"userClusters\":"
                        "[{\"id\":\"905\",\"usersNum\":\"4665\",\"future\":true}]}}"};
    CHECK(feed(c, "clusters.list_page", "{\"project_id\":1}", st2, b3, 1, &sends, &e, &call) == AK_STEP_DONE);
    const cJSON *res = ak_call_result(call);
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "userClusters"), 0);
    CHECK(cJSON_GetObjectItem(it, "id")->valuedouble == 905);
    CHECK(cJSON_GetObjectItem(it, "usersNum")->valuedouble == 4665);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(it, "future")));
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "pagerResult"), "totalNum")->valuedouble == 1);
    ak_call_free(call);
    ak_client_free(c);
}

/* ---------------------------------------------------------------- loopback against the sandbox */

static sandbox sb;
static int have_sb;

static ak_client *sb_client(const char *vendor, const char *drop, const char *override_key, const char *override) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = sandbox_config(&sb, vendor);
    if (drop)
        cJSON_DeleteItemFromObject(cfg, drop);
    if (override_key)
        cJSON_ReplaceItemInObject(cfg, override_key, cJSON_CreateString(override));
    if (ak_client_new(&c, vendor, cfg, &err) != AK_OK)
        fprintf(stderr, "client: %s\n", err.message);
    cJSON_Delete(cfg);
    return c;
}

static const char *cred(const char *vendor, const char *name) {
    return cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "credentials"), vendor), name)
        ->valuestring;
}

static void test_loopback_sensors(void) {
    if (!have_sb)
        return;
    cJSON_Delete(sandbox_control(&sb, "POST", "reset", "{}"));
    cJSON_Delete(sandbox_control(&sb, "POST", "seed",
                                 "{\"vendor\":\"sensors_data\",\"kind\":\"user_tags\",\"count\":7,\"partitions\":2}"));
    for (int style = 0; style < 2; style++) {
        /* style 0: query token+project; style 1: headers api-key + sensorsdata-project */
        ak_client *c = sb_client("sensors_data", style ? "token" : "api_key", NULL, NULL);
        cJSON_Delete(sandbox_control(&sb, "DELETE", "requests", NULL));
        ak_error err = AK_ERROR_INIT;
        cJSON *p = J("{\"count\":3}");
        ak_pager *pg = NULL;
        CHECK(ak_pager_new(&pg, c, "user_tags.list", p, &err) == AK_OK);
        CHECK(sandbox_request_count(&sb, "sensors_data") == 0);
        int has = 0, total = 0, pages = 0;
        while (ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK && has) {
            pages++;
            total += cJSON_GetArraySize(ak_pager_items(pg));
            CHECK(sandbox_request_count(&sb, "sensors_data") == pages);
        }
        CHECK(err.kind == AK_ERR_NONE);
        CHECK(total == 7 && pages == 3);
        ak_pager_free(pg);
        cJSON_Delete(p);
        cJSON *res = NULL;
        p = J("{\"id\":4}");
        CHECK(ak_call_simple(c, "user_tags.get", p, &res, &err) == AK_OK);
        CHECK(cJSON_GetObjectItem(res, "id")->valuedouble == 4);
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(res, "rule_content_list")) == 1);
        CHECK(cJSON_IsObject(cJSON_GetObjectItem(res, "last_succeed_partition")));
        cJSON_Delete(res);
        cJSON_Delete(p);
        p = J("{\"id\":999}");
        CHECK(ak_call_simple(c, "user_tags.get", p, &res, &err) == AK_FAIL);
        CHECK(err.kind == AK_ERR_NOT_FOUND && err.http_status == 404 && err.vendor_code[0]);
        cJSON_Delete(p);
        /* the log never shows the secret */
        cJSON *log = sandbox_control(&sb, "GET", "requests?vendor=sensors_data", NULL);
        char *text = cJSON_PrintUnformatted(log);
        CHECK(strstr(text, cred("sensors_data", "token")) == NULL);
        CHECK(strstr(text, cred("sensors_data", "api_key")) == NULL);
        free(text);
        cJSON_Delete(log);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
    /* a wrong secret in either style: the vendor's auth error, no secret in the message */
    for (int style = 0; style < 2; style++) {
        ak_client *c =
            sb_client("sensors_data", style ? "token" : "api_key", style ? "api_key" : "token", "WRONG-SECRET-abc");
        ak_error err = AK_ERROR_INIT;
        cJSON *res = NULL, *p = J("{\"id\":1}");
        CHECK(ak_call_simple(c, "user_tags.get", p, &res, &err) == AK_FAIL);
        CHECK(err.kind == AK_ERR_AUTH && err.http_status == 401 && !err.retryable);
        CHECK(strstr(err.message, "WRONG-SECRET-abc") == NULL);
        cJSON_Delete(p);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
}

static void test_loopback_thinking(void) {
    if (!have_sb)
        return;
    cJSON_Delete(sandbox_control(&sb, "POST", "reset", "{}"));
    cJSON *ids = sandbox_control(
        &sb, "POST", "seed", "{\"vendor\":\"thinking_data\",\"kind\":\"clusters\",\"count\":25,\"project_id\":102}");
    cJSON_Delete(sandbox_control(&sb, "POST", "seed",
                                 "{\"vendor\":\"thinking_data\",\"kind\":\"clusters\",\"count\":3,\"project_id\":7}"));
    int first = (int)cJSON_GetArrayItem(cJSON_GetObjectItem(ids, "ids"), 0)->valuedouble;
    cJSON_Delete(ids);
    cJSON_Delete(sandbox_control(&sb, "DELETE", "requests", NULL));
    ak_client *c = sb_client("thinking_data", NULL, NULL, NULL);
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"project_id\":102,\"pager_header\":{\"page_size\":10}}");
    ak_pager *pg = NULL;
    CHECK(ak_pager_new(&pg, c, "clusters.list", p, &err) == AK_OK);
    int has = 0, total = 0, pages = 0;
    while (ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK && has) {
        pages++;
        total += cJSON_GetArraySize(ak_pager_items(pg));
        CHECK(sandbox_request_count(&sb, "thinking_data") == pages);
    }
    CHECK(err.kind == AK_ERR_NONE && total == 25 && pages == 3);
    ak_pager_free(pg);
    cJSON_Delete(p);

    char buf[256];
    cJSON *res = NULL;
    snprintf(buf, sizeof buf, "{\"project_id\":102,\"cluster_id\":%d}", first);
    p = J(buf);
    CHECK(ak_call_simple(c, "clusters.detail", p, &res, &err) == AK_OK);
    CHECK(cJSON_GetObjectItem(res, "id")->valuedouble == first);
    char name[64];
    snprintf(name, sizeof name, "%s", cJSON_GetObjectItem(res, "clusterName")->valuestring);
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(res, "userClusterDef")));
    cJSON_Delete(res);
    cJSON_Delete(p);
    snprintf(buf, sizeof buf, "{\"project_id\":102,\"cluster_name\":\"%s\"}", name);
    p = J(buf);
    CHECK(ak_call_simple(c, "clusters.detail", p, &res, &err) == AK_OK);
    CHECK(cJSON_GetObjectItem(res, "id")->valuedouble == first);
    cJSON_Delete(res);
    cJSON_Delete(p);
    /* an unknown id: HTTP 200 with a non-zero (placeholder) code -> api error */
    p = J("{\"project_id\":102,\"cluster_id\":999999}");
    CHECK(ak_call_simple(c, "clusters.detail", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && err.http_status == 200 && strcmp(err.vendor_code, "0") != 0);
    cJSON_Delete(p);
    ak_client_free(c);

    c = sb_client("thinking_data", NULL, "token", "WRONG-TD-TOKEN");
    snprintf(buf, sizeof buf, "{\"project_id\":102,\"cluster_id\":%d}", first);
    p = J(buf);
    CHECK(ak_call_simple(c, "clusters.detail", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH && strstr(err.message, "WRONG-TD-TOKEN") == NULL);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    RUN(test_sensors_credentials);
    RUN(test_sensors_query_auth_bytes);
    RUN(test_sensors_header_auth_bytes);
    RUN(test_sensors_validation);
    RUN(test_sensors_rule_schema);
    RUN(test_thinking_query_token_and_variants);
    RUN(test_thinking_add);
    RUN(test_sensors_start_count_pager);
    RUN(test_thinking_pager_header);
    RUN(test_thinking_wait_refreshed);
    RUN(test_sensors_envelope);
    RUN(test_thinking_envelope);
    ak_global_init();
    have_sb = sandbox_start(&sb) == 0;
    CHECK(have_sb);
    RUN(test_loopback_sensors);
    RUN(test_loopback_thinking);
    if (have_sb)
        sandbox_stop(&sb);
    DONE();
}
