/* test_streaming.c - streamed bodies (issue 8): Sensors Data users.export_csv hands the CSV to a
 * body sink (AK_OPF_STREAM_RESULT), ThinkingData clusters.import_ids / modify_import pull the CSV
 * from a body reader (AK_OPF_STREAM_BODY); exact wire requests on the recording transport, the
 * retry rules once bytes moved, error bodies still mapped; update by name carries projectId in
 * the query and in the body; a loopback pass through libcurl against the sandbox (chunked
 * export far larger than max_response_bytes, chunked and Content-Length uploads). */
#include "sandbox.h"

#include <strings.h>

#define SD_BASE "http://sd.example:8107/api"
#define TD_BASE "http://ta.example:8992"
#define TD_TOKEN "TD-SECRET-TOKEN-789"

static const char *header(const ak_request *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

typedef struct sink_state {
    char buf[4096];
    size_t len;
    int64_t total;
    int calls;
    int abort_after; /* abort at this call (1-based); 0 = never */
} sink_state;

static int sink(void *ud, const char *data, size_t len) {
    sink_state *s = ud;
    s->calls++;
    if (s->abort_after && s->calls >= s->abort_after)
        return 1;
    size_t k = len < sizeof s->buf - 1 - s->len ? len : sizeof s->buf - 1 - s->len;
    memcpy(s->buf + s->len, data, k);
    s->len += k;
    s->buf[s->len] = '\0';
    s->total += (int64_t)len;
    return 0;
}

/* a reader over a string, `step` bytes at a time; fails at `fail_at` bytes when > 0 */
typedef struct reader_state {
    const char *text;
    size_t off, step, fail_at;
    int pulls;
} reader_state;

static int64_t reader(void *ud, char *dst, size_t cap) {
    reader_state *r = ud;
    r->pulls++;
    if (r->fail_at && r->off >= r->fail_at)
        return -1;
    size_t left = strlen(r->text) - r->off, k = left < cap ? left : cap;
    if (r->step && k > r->step)
        k = r->step;
    memcpy(dst, r->text + r->off, k);
    r->off += k;
    return (int64_t)k;
}

static ak_client *sd_client(void) {
    return recording_client("sensors_data",
                            "{\"base_url\":\"" SD_BASE "\",\"backoff_ms\":1,\"token\":\"T\",\"project\":\"p\"}", NULL);
}

static ak_client *td_client(void) {
    return recording_client("thinking_data",
                            "{\"base_url\":\"" TD_BASE "\",\"backoff_ms\":1,\"token\":\"" TD_TOKEN "\"}", NULL);
}

/* runs `op` with an optional sink / reader; returns the call (caller frees) */
static ak_call *run(ak_client *c, const char *op, const char *params, sink_state *s, reader_state *r, int64_t len,
                    int *rc) {
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J(params);
    CHECK(ak_call_new(&call, c, op, p, &err) == AK_OK);
    cJSON_Delete(p);
    if (!call) {
        fprintf(stderr, "  %s: %s\n", op, err.message);
        ak_error_cleanup(&err);
        *rc = AK_FAIL;
        return NULL;
    }
    if (s)
        ak_call_set_body_sink(call, sink, s);
    if (r)
        ak_call_set_body_reader(call, reader, r, len);
    *rc = ak_drive_call(c, call, NULL, &err);
    ak_error_cleanup(&err);
    return call;
}

/* ------------------------------------------------------------------ Sensors Data CSV export */

static void test_export_csv_wire(void) {
    ak_client *c = sd_client();
    ak_transport *t = ak_client_transport(c);
    int rc;
    sink_state s = {0};
    ak_recording_push(t, 200, "Content-Type: text/csv\n", "id,first_id,city\n1,a,x\n2,b,y\n");
    ak_call *call = run(c, "users.export_csv",
                        "{\"filter\":{\"conditions\":[{\"field\":\"user.user_group_fenqun24@2019-12-18 00:00:00\","
                        "\"function\":\"isSet\"}]},\"all_page\":true}",
                        &s, NULL, -1, &rc);
    CHECK(rc == AK_OK);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->method, "POST");
    CHECK_STR(r->url, SD_BASE "/v2/reports/user_analytics/users/csv?token=T&project=p");
    CHECK_STR(r->body, "{\"filter\":{\"conditions\":[{\"field\":\"user.user_group_fenqun24@2019-12-18 00:00:00\","
                       "\"function\":\"isSet\"}]},\"all_page\":true}");
    CHECK_STR(header(r, "Content-Type"), "application/json");
    /* the body went to the sink; the result counts it */
    CHECK_STR(s.buf, "id,first_id,city\n1,a,x\n2,b,y\n");
    const cJSON *res = ak_call_result(call);
    CHECK(res && cJSON_GetObjectItem(res, "bytes")->valuedouble == 29);
    CHECK(ak_call_streamed_bytes(call) == 29);
    ak_call_free(call);

    /* an error body is JSON and mapped as for every /v2 route; the sink never sees it */
    sink_state s2 = {0};
    ak_recording_push(t, 403, NULL, "{\"error\":\"no permission\",\"code\":\"403\"}");
    call = run(c, "users.export_csv", "{\"filter\":{\"conditions\":[{\"field\":\"user.a\",\"function\":\"isSet\"}]}}",
               &s2, NULL, -1, &rc);
    CHECK(rc == AK_FAIL);
    CHECK(ak_call_error(call)->kind == AK_ERR_AUTH);
    CHECK_STR(ak_call_error(call)->message, "no permission");
    CHECK(s2.calls == 0);
    ak_call_free(call);

    /* 503 before any byte: retried (idempotent), then the body is streamed */
    sink_state s3 = {0};
    ak_recording_push(t, 503, NULL, "{\"error\":\"busy\"}");
    ak_recording_push(t, 200, NULL, "h\n1\n");
    size_t before = ak_recording_count(t);
    call = run(c, "users.export_csv", "{\"filter\":{\"conditions\":[{\"field\":\"user.a\",\"function\":\"isSet\"}]}}",
               &s3, NULL, -1, &rc);
    CHECK(rc == AK_OK && ak_recording_count(t) == before + 2);
    CHECK_STR(s3.buf, "h\n1\n");
    ak_call_free(call);

    /* the sink abandons: a transport error, never retried */
    sink_state s4 = {.abort_after = 1};
    ak_recording_push(t, 200, NULL, "h\n1\n");
    ak_recording_push(t, 200, NULL, "h\n1\n");
    before = ak_recording_count(t);
    call = run(c, "users.export_csv", "{\"filter\":{\"conditions\":[{\"field\":\"user.a\",\"function\":\"isSet\"}]}}",
               &s4, NULL, -1, &rc);
    CHECK(rc == AK_FAIL && ak_recording_count(t) == before + 1);
    CHECK(ak_call_error(call)->kind == AK_ERR_TRANSPORT && !ak_call_error(call)->retryable);
    CHECK(strstr(ak_call_error(call)->message, "abandoned by the body sink") != NULL);
    ak_call_free(call);

    /* no sink: a validation error naming dest, nothing sent */
    before = ak_recording_count(t);
    call = run(c, "users.export_csv", "{\"filter\":{\"conditions\":[{\"field\":\"user.a\",\"function\":\"isSet\"}]}}",
               NULL, NULL, -1, &rc);
    CHECK(rc == AK_FAIL && ak_recording_count(t) == before);
    CHECK(ak_call_error(call)->kind == AK_ERR_VALIDATION);
    CHECK_STR(ak_call_error(call)->field, "dest");
    ak_call_free(call);

    /* every violation at once, before sending */
    ak_call *bad = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"filter\":{\"conditions\":[{\"field\":\"\"}]},\"all_page\":\"yes\"}");
    CHECK(ak_call_new(&bad, c, "users.export_csv", p, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 3);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---------------------------------------------------------------- ThinkingData ID upload */

static void test_import_ids_wire(void) {
    ak_client *c = td_client();
    ak_transport *t = ak_client_transport(c);
    int rc;
    /* the document's example: Content-Type text/csv, parameters in the query, the CSV as body */
    reader_state r = {.text = "j77639\r\nh84497\r\ng119426\r\ne154284\r\nf175355\r\n", .step = 5};
    ak_recording_push(t, 200, NULL,
                      "{\"data\":{\"clusterId\":1889,\"tagValueNullNum\":0,\"unmatchedNum\":0,\"uploadNum\":5,"
                      "\"userNum\":5},\"return_code\":0,\"return_message\":\"success\"}");
    ak_call *call =
        run(c, "clusters.import_ids",
            "{\"project_id\":102,\"display_name\":\"xxxx\",\"main_column_name\":\"#account_id\"}", NULL, &r, 43, &rc);
    CHECK(rc == AK_OK);
    const ak_request *q = ak_recording_get(t, 0);
    CHECK_STR(q->method, "POST");
    CHECK_STR(q->url, TD_BASE "/open/import-id-cluster-add?token=" TD_TOKEN
                              "&projectId=102&displayName=xxxx&mainColumnName=%23account_id");
    CHECK_STR(header(q, "Content-Type"), "text/csv");
    CHECK(q->body_len == 43);
    CHECK_STR(q->body, "j77639\r\nh84497\r\ng119426\r\ne154284\r\nf175355\r\n");
    CHECK(q->body_stream_len == 43);
    CHECK(r.pulls >= 9); /* pulled in pieces, never copied whole by the engine */
    const cJSON *res = ak_call_result(call);
    CHECK(res && cJSON_GetObjectItem(res, "clusterId")->valuedouble == 1889);
    CHECK(ak_call_streamed_bytes(call) == 43);
    ak_call_free(call);

    /* modify by id and by name: each its route, the rest in the query; unknown length = -1 */
    const char *ok = "{\"data\":{\"clusterId\":1889,\"uploadNum\":1,\"userNum\":1},\"return_code\":0}";
    reader_state r2 = {.text = "a1\r\n"};
    ak_recording_push(t, 200, NULL, ok);
    call =
        run(c, "clusters.modify_import",
            "{\"project_id\":102,\"cluster_id\":1889,\"display_name\":\"xxxx\",\"main_column_name\":\"#account_id\"}",
            NULL, &r2, -1, &rc);
    CHECK(rc == AK_OK);
    q = ak_recording_get(t, 1);
    CHECK_STR(q->url, TD_BASE "/open/import-id-cluster-modify?token=" TD_TOKEN
                              "&projectId=102&clusterId=1889&displayName=xxxx&mainColumnName=%23account_id");
    CHECK_STR(q->body, "a1\r\n");
    CHECK(q->body_stream_len == -1);
    ak_call_free(call);
    reader_state r3 = {.text = "a1\r\n"};
    ak_recording_push(t, 200, NULL, ok);
    call = run(c, "clusters.modify_import", "{\"project_id\":102,\"cluster_name\":\"vip2024\",\"remarks\":\"r\"}", NULL,
               &r3, 4, &rc);
    CHECK(rc == AK_OK);
    q = ak_recording_get(t, 2);
    CHECK_STR(q->url, TD_BASE "/open/import-id-cluster-modify-by-name?token=" TD_TOKEN
                              "&projectId=102&clusterName=vip2024&remarks=r");
    ak_call_free(call);

    /* a failing source: abandoned, never resent */
    reader_state r4 = {.text = "a1\r\nb2\r\n", .step = 4, .fail_at = 4};
    size_t before = ak_recording_count(t);
    call = run(c, "clusters.import_ids",
               "{\"project_id\":1,\"display_name\":\"d\",\"main_column_name\":\"#account_id\"}", NULL, &r4, -1, &rc);
    CHECK(rc == AK_FAIL);
    CHECK(ak_call_error(call)->kind == AK_ERR_TRANSPORT && !ak_call_error(call)->retryable);
    CHECK(strstr(ak_call_error(call)->message, "abandoned by the body source") != NULL);
    CHECK(ak_recording_count(t) == before); /* the recording transport drops an abandoned request */
    ak_call_free(call);

    /* a 5xx after the body was pulled: not resent (the reader cannot rewind) */
    reader_state r5 = {.text = "a1\r\n"};
    ak_recording_push(t, 502, NULL, "bad gateway");
    ak_recording_push(t, 200, NULL, ok);
    before = ak_recording_count(t);
    call = run(c, "clusters.import_ids",
               "{\"project_id\":1,\"display_name\":\"d\",\"main_column_name\":\"#account_id\"}", NULL, &r5, -1, &rc);
    CHECK(rc == AK_FAIL && ak_recording_count(t) == before + 1);
    if (ak_recording_count(t) != before + 1 || rc != AK_FAIL)
        fprintf(stderr, "  rc=%d count=%zu before=%zu: %s\n", rc, ak_recording_count(t), before,
                ak_call_error(call)->message);
    CHECK(!ak_call_error(call)->retryable);
    CHECK(strstr(ak_call_error(call)->message, "not retried") != NULL);
    ak_call_free(call);
    /* the unused canned answer is consumed here so later checks stay aligned */
    reader_state r6 = {.text = ""};
    call = run(c, "clusters.import_ids",
               "{\"project_id\":1,\"display_name\":\"d\",\"main_column_name\":\"#account_id\"}", NULL, &r6, 0, &rc);
    CHECK(rc == AK_OK);
    ak_call_free(call);

    /* no source: validation naming source; bad names: every violation, nothing sent */
    before = ak_recording_count(t);
    call = run(c, "clusters.import_ids",
               "{\"project_id\":1,\"display_name\":\"d\",\"main_column_name\":\"#account_id\"}", NULL, NULL, -1, &rc);
    CHECK(rc == AK_FAIL && ak_call_error(call)->kind == AK_ERR_VALIDATION);
    CHECK_STR(ak_call_error(call)->field, "source");
    ak_call_free(call);
    ak_call *bad = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"project_id\":1,\"cluster_name\":\"has space\",\"display_name\":\"\"}");
    CHECK(ak_call_new(&bad, c, "clusters.import_ids", p, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations == 3); /* name format, display_name, main_column_name */
    cJSON_Delete(p);
    p = J("{\"project_id\":1,\"cluster_id\":2,\"cluster_name\":\"a\"}");
    CHECK(ak_call_new(&bad, c, "clusters.modify_import", p, &err) == AK_FAIL);
    CHECK(err.nviolations == 1);
    cJSON_Delete(p);
    CHECK(ak_recording_count(t) == before);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ------------------------------------------------ ThinkingData update by name: projectId twice */

static void test_update_by_name_project_id(void) {
    ak_client *c = td_client();
    ak_transport *t = ak_client_transport(c);
    ak_error err = AK_ERROR_INIT;
    cJSON *result = NULL;
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":5}");
    cJSON *p = J("{\"project_id\":102,\"cluster_name\":\"vip\",\"display_name\":\"d\",\"qp\":{\"relation\":\"and\"}}");
    CHECK(ak_call_simple(c, "clusters.update", p, &result, &err) == AK_OK);
    const ak_request *r = ak_recording_get(t, 0);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-update-by-name?token=" TD_TOKEN "&projectId=102&clusterName=vip");
    CHECK_STR(r->body, "{\"projectId\":102,\"displayName\":\"d\",\"qp\":{\"relation\":\"and\"}}");
    cJSON_Delete(result);
    cJSON_Delete(p);
    /* by id unchanged: clusterId in the query, projectId only in the body */
    ak_recording_push(t, 200, NULL, "{\"return_code\":0,\"data\":5}");
    p = J("{\"project_id\":102,\"cluster_id\":5,\"display_name\":\"d\",\"qp\":{}}");
    CHECK(ak_call_simple(c, "clusters.update", p, &result, &err) == AK_OK);
    r = ak_recording_get(t, 1);
    CHECK_STR(r->url, TD_BASE "/open/user-cluster-update?token=" TD_TOKEN "&clusterId=5");
    CHECK_STR(r->body, "{\"projectId\":102,\"displayName\":\"d\",\"qp\":{}}");
    cJSON_Delete(result);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ------------------------------------------------------------------ loopback through libcurl */

typedef struct big_reader {
    int64_t n, next; /* ids to send, next id */
    char pending[32];
    size_t plen, poff;
} big_reader;

static int64_t big_read(void *ud, char *dst, size_t cap) {
    big_reader *b = ud;
    size_t k = 0;
    while (k < cap) {
        if (b->poff == b->plen) {
            if (b->next >= b->n)
                break;
            b->plen = (size_t)snprintf(b->pending, sizeof b->pending, "u%08lld\r\n", (long long)b->next++);
            b->poff = 0;
        }
        size_t m = b->plen - b->poff < cap - k ? b->plen - b->poff : cap - k;
        memcpy(dst + k, b->pending + b->poff, m);
        b->poff += m;
        k += m;
    }
    return (int64_t)k;
}

static void test_loopback(void) {
    sandbox sb;
    if (sandbox_start(&sb) != 0) {
        CHECK(!"sandbox did not start");
        return;
    }
    ak_error err = AK_ERROR_INIT;
    ak_client *c = NULL;
    int rc;

    /* a large export, served chunked, through a max_response_bytes far smaller than the body */
    cJSON *cj = sandbox_config(&sb, "sensors_data");
    cJSON_DeleteItemFromObject(cj, "api_key"); /* the token style */
    cJSON_AddNumberToObject(cj, "max_response_bytes", 4096);
    CHECK(ak_client_new(&c, "sensors_data", cj, &err) == AK_OK);
    cJSON_Delete(cj);
    if (!c) {
        fprintf(stderr, "  client: %s\n", err.message);
        ak_error_cleanup(&err);
        sandbox_stop(&sb);
        return;
    }
    cJSON_Delete(sandbox_control(&sb, "POST", "seed", "{\"vendor\":\"sensors_data\",\"kind\":\"users\",\"count\":3}"));
    cJSON_Delete(
        sandbox_control(&sb, "POST", "seed", "{\"vendor\":\"sensors_data\",\"kind\":\"export_rows\",\"count\":20000}"));
    sink_state s = {0};
    ak_call *call = run(c, "users.export_csv",
                        "{\"filter\":{\"conditions\":[{\"field\":\"user.city\",\"function\":\"isSet\"}]},"
                        "\"all_page\":true}",
                        &s, NULL, -1, &rc);
    CHECK(rc == AK_OK);
    CHECK(s.total > 400000 && s.calls > 10);
    CHECK(strncmp(s.buf, "id,first_id,", 12) == 0);
    ak_call_free(call);
    ak_client_free(c);

    cj = sandbox_config(&sb, "thinking_data");
    CHECK(ak_client_new(&c, "thinking_data", cj, &err) == AK_OK);
    cJSON_Delete(cj);
    /* chunked upload of 50000 ids, then Content-Length */
    big_reader b = {.n = 50000};
    ak_call *up = NULL;
    cJSON *p = J("{\"project_id\":1,\"display_name\":\"big\",\"main_column_name\":\"#account_id\",\"cluster_name\":"
                 "\"big1\"}");
    CHECK(ak_call_new(&up, c, "clusters.import_ids", p, &err) == AK_OK);
    cJSON_Delete(p);
    ak_call_set_body_reader(up, big_read, &b, -1);
    CHECK(ak_drive_call(c, up, NULL, &err) == AK_OK);
    const cJSON *res = ak_call_result(up);
    CHECK(res && cJSON_GetObjectItem(res, "uploadNum") && cJSON_GetObjectItem(res, "uploadNum")->valuedouble == 50000);
    CHECK(res && cJSON_IsNumber(cJSON_GetObjectItem(res, "clusterId")));
    ak_call_free(up);
    big_reader b2 = {.n = 3};
    p = J("{\"project_id\":1,\"cluster_name\":\"big1\"}");
    CHECK(ak_call_new(&up, c, "clusters.modify_import", p, &err) == AK_OK);
    cJSON_Delete(p);
    ak_call_set_body_reader(up, big_read, &b2, 33); /* 3 x "u00000000\r\n" */
    CHECK(ak_drive_call(c, up, NULL, &err) == AK_OK);
    res = ak_call_result(up);
    CHECK(res && cJSON_GetObjectItem(res, "uploadNum")->valuedouble == 3);
    ak_call_free(up);
    ak_error_cleanup(&err);
    ak_client_free(c);
    sandbox_stop(&sb);
}

int main(void) {
    RUN(test_export_csv_wire);
    RUN(test_import_ids_wire);
    RUN(test_update_by_name_project_id);
    RUN(test_loopback);
    DONE();
}
