/* test_exact.c - exact integers (issue 7 item 3) and typed response decoding (item 4): ids beyond
 * 2^53 come back with their exact digits or fail as decode errors, decimal-string ids go out as JSON
 * integers, documented fields of the wrong type are decode errors naming the path. */
#include "harness.h"
#include "internal.h" /* ak_json_parse, ak_json_int64: the core's exact-integer helpers */

#define TENCENT "{\"access_token\":\"T\",\"base_url\":\"http://h:1/v1.1\",\"retries\":0}"

static ak_client *tencent(fake_env *env) { return recording_client("tencent_ads", TENCENT, env); }

/* One call against one canned body; returns the status, *result owned by the caller. */
static int call_with(ak_client *c, const char *op, const char *params, const char *body, cJSON **result,
                     ak_error *err) {
    ak_recording_push(ak_client_transport(c), 200, NULL, body);
    cJSON *p = J(params);
    *result = NULL;
    int rc = ak_call_simple(c, op, p, result, err);
    cJSON_Delete(p);
    return rc;
}

static const char *raw_digits(const cJSON *v) { return cJSON_IsRaw(v) ? v->valuestring : NULL; }

static void test_parse_keeps_digits(void) {
    const char *text = "{\"a\":9007199254740993,\"b\":[1,9223372036854775807,-9223372036854775808,2.5,"
                       "9007199254740991],\"s\":\"9007199254740993 in a string\",\"k\\\"9007199254740995\":"
                       "{\"e\":1e20,\"f\":-0.5,\"g\":99999999999999999999,\"h\":9007199254740992}}";
    cJSON *j = ak_json_parse(text, strlen(text));
    CHECK(j != NULL);
    int64_t i = 0;
    CHECK_STR(raw_digits(cJSON_GetObjectItem(j, "a")), "9007199254740993");
    CHECK(ak_json_int64(cJSON_GetObjectItem(j, "a"), false, &i) && i == 9007199254740993LL);
    cJSON *b = cJSON_GetObjectItem(j, "b");
    CHECK(cJSON_IsNumber(cJSON_GetArrayItem(b, 0)));
    CHECK_STR(raw_digits(cJSON_GetArrayItem(b, 1)), "9223372036854775807");
    CHECK(ak_json_int64(cJSON_GetArrayItem(b, 1), false, &i) && i == INT64_MAX);
    CHECK_STR(raw_digits(cJSON_GetArrayItem(b, 2)), "-9223372036854775808");
    CHECK(ak_json_int64(cJSON_GetArrayItem(b, 2), false, &i) && i == INT64_MIN);
    CHECK(cJSON_IsNumber(cJSON_GetArrayItem(b, 3)) && cJSON_GetArrayItem(b, 3)->valuedouble == 2.5);
    CHECK(ak_json_int64(cJSON_GetArrayItem(b, 4), false, &i) && i == 9007199254740991LL);
    CHECK_STR(cJSON_GetObjectItem(j, "s")->valuestring, "9007199254740993 in a string");
    cJSON *k = cJSON_GetObjectItem(j, "k\"9007199254740995");
    CHECK(k != NULL);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(k, "e"))); /* not an integer literal */
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(k, "f")));
    CHECK_STR(raw_digits(cJSON_GetObjectItem(k, "g")), "99999999999999999999"); /* kept, beyond int64 */
    CHECK(!ak_json_int64(cJSON_GetObjectItem(k, "g"), false, &i));
    CHECK_STR(raw_digits(cJSON_GetObjectItem(k, "h")), "9007199254740992");
    char *out = ak_json_print(j);
    CHECK(out && strstr(out, "\"b\":[1,9223372036854775807,-9223372036854775808,2.5,9007199254740991]"));
    CHECK(out && strstr(out, "\"g\":99999999999999999999"));
    free(out);
    cJSON_Delete(j);
    j = ak_json_parse("-9007199254740993", 17); /* a bare number document */
    CHECK_STR(raw_digits(j), "-9007199254740993");
    cJSON_Delete(j);
    CHECK(ak_json_parse("{\"a\":", 5) == NULL);
}

static void test_response_ids_exact(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = tencent(&env);
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(call_with(c, "custom_audiences.add", "{\"account_id\":1,\"name\":\"n\",\"type\":\"CUSTOMER_FILE\"}",
                    "{\"code\":0,\"data\":{\"audience_id\":9007199254740993}}", &res, &err) == AK_OK);
    CHECK_STR(raw_digits(cJSON_GetObjectItem(res, "audience_id")), "9007199254740993");
    cJSON_Delete(res);
    /* ids as strings (some vendors send them so) become exact integers too */
    CHECK(call_with(c, "custom_audiences.add", "{\"account_id\":1,\"name\":\"n\",\"type\":\"CUSTOMER_FILE\"}",
                    "{\"code\":0,\"data\":{\"audience_id\":\"9223372036854775807\"}}", &res, &err) == AK_OK);
    CHECK_STR(raw_digits(cJSON_GetObjectItem(res, "audience_id")), "9223372036854775807");
    cJSON_Delete(res);
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":1}",
                    "{\"code\":0,\"data\":{\"list\":[{\"audience_id\":-9223372036854775808,\"account_id\":"
                    "9223372036854775807,\"user_count\":12,\"extra\":99999999999999999999}],"
                    "\"page_info\":{\"page\":1,\"page_size\":10,\"total_number\":1,\"total_page\":1}}}",
                    &res, &err) == AK_OK);
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "list"), 0);
    CHECK_STR(raw_digits(cJSON_GetObjectItem(it, "audience_id")), "-9223372036854775808");
    CHECK_STR(raw_digits(cJSON_GetObjectItem(it, "account_id")), "9223372036854775807");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(it, "user_count")));
    /* an unknown field beyond int64 is kept with its digits */
    CHECK_STR(raw_digits(cJSON_GetObjectItem(it, "extra")), "99999999999999999999");
    cJSON_Delete(res);
    /* beyond int64 in a documented integer field: a decode error naming the path */
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":1}",
                    "{\"code\":0,\"data\":{\"list\":[{\"audience_id\":1},{\"audience_id\":99999999999999999999}],"
                    "\"page_info\":{\"page\":1}}}",
                    &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_DECODE && !err.retryable);
    CHECK_STR(err.field, "data.list[1].audience_id");
    CHECK(strstr(err.message, "int64") != NULL);
    CHECK(res == NULL);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_string_ids_go_out_as_integers(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = tencent(&env);
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(call_with(c, "custom_audiences.delete",
                    "{\"account_id\":\"9007199254740993\",\"audience_id\":\"9223372036854775807\"}",
                    "{\"code\":0,\"data\":{}}", &res, &err) == AK_OK);
    const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
    CHECK_STR(r ? r->body : NULL, "{\"account_id\":9007199254740993,\"audience_id\":9223372036854775807}");
    cJSON_Delete(res);
    /* integers beyond 2^53 given as numbers (raw digits, as the bindings build them) also go exactly */
    cJSON *p = J("{\"audience_id\":1}");
    cJSON_AddItemToObject(p, "account_id", cJSON_CreateRaw("-9223372036854775808"));
    CHECK(ak_call_simple(c, "custom_audiences.delete", p, &res, &err) == AK_FAIL); /* below the range */
    CHECK_STR(err.field, "account_id");
    CHECK_STR(err.rule, "must be between 1 and 9223372036854775807"); /* printed exactly */
    cJSON_Delete(p);
    /* ids inside nested specs and Baidu-like id arrays are int64 ids as well */
    CHECK(call_with(c, "custom_audiences.add",
                    "{\"account_id\":1,\"name\":\"n\",\"type\":\"LOOKALIKE\",\"audience_spec\":{\"lookalike_spec\":"
                    "{\"seed_audience_id\":\"9007199254740993\",\"expand_user_count\":1000000}}}",
                    "{\"code\":0,\"data\":{\"audience_id\":5}}", &res, &err) == AK_OK);
    r = ak_recording_get(ak_client_transport(c), 1);
    CHECK(r && strstr(r->body, "\"seed_audience_id\":9007199254740993") != NULL);
    cJSON_Delete(res);
    /* beyond int64, or not a number at all: validation errors, nothing sent */
    size_t before = 2;
    CHECK(call_with(c, "custom_audiences.delete", "{\"account_id\":\"9223372036854775808\",\"audience_id\":1}",
                    "{\"code\":0,\"data\":{}}", &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "account_id");
    /* an integer field that is not an id refuses a string */
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":1,\"page_size\":\"5\"}", "{\"code\":0,\"data\":{}}",
                    &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "page_size");
    CHECK(ak_recording_get(ak_client_transport(c), before) == NULL);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_range_messages_exact(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = tencent(&env);
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":0}", "{}", &res, &err) == AK_FAIL);
    CHECK_STR(err.rule, "must be between 1 and 9223372036854775807");
    CHECK(strstr(err.message, "e+") == NULL);
    /* exact comparison at a bound: 2^31 is out, 2^31 - 1 is in */
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":1,\"page\":2147483648}", "{}", &res, &err) == AK_FAIL);
    CHECK_STR(err.rule, "must be between 1 and 2147483647");
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void expect_decode(ak_client *c, const char *op, const char *params, const char *body, const char *field,
                          const char *rule) {
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(call_with(c, op, params, body, &res, &err) == AK_FAIL);
    CHECK(res == NULL);
    CHECK(err.kind == AK_ERR_DECODE);
    CHECK_STR(err.field, field);
    if (rule)
        CHECK_STR(err.rule, rule);
    if (rule && !strstr(err.message, rule))
        CHECK(!"the message names the rule");
    cJSON_Delete(res);
    ak_error_cleanup(&err);
}

#define ADD_P "{\"account_id\":1,\"name\":\"n\",\"type\":\"CUSTOMER_FILE\"}"
#define LIST_OF(item)                                                                                                  \
    "{\"code\":0,\"data\":{\"list\":[{\"audience_id\":1},{\"audience_id\":2},{\"audience_id\":3}," item                \
    "],\"page_info\":{\"page\":1}}}"

static void test_wrong_types_are_decode_errors(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = tencent(&env);
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":{\"audience_id\":\"abc\"}}",
                  "data.audience_id", "expected an integer, got string");
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":{\"audience_id\":1.5}}", "data.audience_id",
                  "expected an integer, got number");
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":{\"audience_id\":null}}", "data.audience_id",
                  "expected an integer, got null");
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":{\"audience_id\":[[1]]}}", "data.audience_id",
                  "expected an integer, got array");
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":{\"audience_id\":1e300}}", "data.audience_id",
                  "expected an integer, got number");
    /* a success envelope without data where the op documents a result */
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"message\":\"\"}", "data", NULL);
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":null}", "data", NULL);
    expect_decode(c, "custom_audiences.add", ADD_P, "{\"code\":0,\"data\":[1]}", "data", NULL);
    /* the path of a list item */
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}", LIST_OF("{\"audience_id\":\"abc\"}"),
                  "data.list[3].audience_id", "expected an integer, got string");
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}", LIST_OF("{\"name\":7}"), "data.list[3].name",
                  "expected a string, got integer");
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}", LIST_OF("{\"is_own\":\"yes\"}"),
                  "data.list[3].is_own", "expected a boolean, got string");
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}", LIST_OF("[1]"), "data.list[3]",
                  "expected an object, got array");
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}",
                  "{\"code\":0,\"data\":{\"list\":{\"audience_id\":1}}}", "data.list", "expected an array, got object");
    expect_decode(c, "custom_audiences.get", "{\"account_id\":1}",
                  "{\"code\":0,\"data\":{\"list\":[],\"page_info\":{\"total_page\":\"x\"}}}",
                  "data.page_info.total_page", "expected an integer, got string");
    /* tolerated: unknown fields of any type, numeric-string ids, an op without a documented result */
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(call_with(c, "custom_audiences.get", "{\"account_id\":1}",
                    LIST_OF("{\"audience_id\":\"4\",\"whatever\":[[null]],\"more\":{\"x\":1.5}}"), &res,
                    &err) == AK_OK);
    cJSON_Delete(res);
    CHECK(call_with(c, "custom_audiences.delete", "{\"account_id\":1,\"audience_id\":2}", "{\"code\":0}", &res, &err) ==
          AK_OK);
    CHECK(cJSON_IsObject(res) && !res->child);
    cJSON_Delete(res);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* Arrays of arrays: a nested array where scalars are documented, and a scalar where an array is. */
static void test_array_depth(void) {
    const ak_schema *s = ak_schema_find("baidu_search", "Keyword");
    CHECK(s != NULL);
    ak_error err = AK_ERROR_INIT;
    cJSON *v = J("{\"keywordId\":1,\"pcScale\":[1,[2]]}");
    CHECK(ak_schema_decode_at(s, v, "data.items[0]", &err) == AK_FAIL);
    CHECK_STR(err.field, "data.items[0].pcScale[1]");
    CHECK_STR(err.rule, "expected an integer, got array");
    cJSON_Delete(v);
    v = J("{\"keywordId\":1,\"pcScale\":null,\"pcDestinationUrl\":null}"); /* Baidu's nulls: not set */
    CHECK(ak_schema_decode(s, v, &err) == AK_OK);
    cJSON_Delete(v);
    v = J("{\"keywordId\":null}"); /* but never a null id */
    CHECK(ak_schema_decode(s, v, &err) == AK_FAIL);
    CHECK_STR(err.field, "keywordId");
    cJSON_Delete(v);
    ak_error_cleanup(&err);
}

int main(void) {
    RUN(test_parse_keeps_digits);
    RUN(test_response_ids_exact);
    RUN(test_string_ids_go_out_as_integers);
    RUN(test_range_messages_exact);
    RUN(test_wrong_types_are_decode_errors);
    RUN(test_array_depth);
    DONE();
}
