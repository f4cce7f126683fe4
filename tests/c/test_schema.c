/* test_schema.c - validation (every violation, paths, boundaries), encoding and decoding. */
#include "harness.h"

static const ak_schema *add_schema(void) {
    const ak_platform *p = ak_platform_find("tencent_ads");
    return ak_op_find(p, "custom_audiences.add")->request;
}

static int validate(const char *json, ak_error *err) {
    cJSON *v = J(json);
    ak_validate_ctx ctx = {20000};
    int rc = ak_schema_validate(add_schema(), v, NULL, &ctx, err);
    cJSON_Delete(v);
    return rc;
}

static void test_name_bytes_boundary(void) {
    ak_error err = AK_ERROR_INIT;
    /* 32 ASCII bytes pass, 33 fail */
    CHECK(validate("{\"account_id\":1,\"type\":\"CUSTOMER_FILE\",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
                   &err) == AK_OK);
    CHECK(validate("{\"account_id\":1,\"type\":\"CUSTOMER_FILE\",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
                   &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "name");
    CHECK(strstr(err.rule, "32") != NULL);
    /* a Chinese character is 3 UTF-8 bytes: 10 pass (30 bytes), 11 fail (33 bytes) */
    CHECK(validate("{\"account_id\":1,\"type\":\"CUSTOMER_FILE\",\"name\":\"人人人人人人人人人人\"}", &err) == AK_OK);
    CHECK(validate("{\"account_id\":1,\"type\":\"CUSTOMER_FILE\",\"name\":\"人人人人人人人人人人人\"}", &err) ==
          AK_FAIL);
    ak_error_cleanup(&err);
}

static void test_every_violation_reported(void) {
    ak_error err = AK_ERROR_INIT;
    CHECK(validate("{\"name\":\"\",\"type\":\"NOPE\",\"cooperated\":\"yes\",\"bogus\":1}", &err) == AK_FAIL);
    CHECK(err.nviolations == 5); /* bogus, account_id, name, type, cooperated */
    int seen_acc = 0, seen_type = 0, seen_bogus = 0;
    for (size_t i = 0; i < err.nviolations; i++) {
        seen_acc += strcmp(err.violations[i].field, "account_id") == 0;
        seen_type += strcmp(err.violations[i].field, "type") == 0;
        seen_bogus += strcmp(err.violations[i].field, "bogus") == 0;
    }
    CHECK(seen_acc == 1 && seen_type == 1 && seen_bogus == 1);
    CHECK(strstr(err.message, "5 invalid fields") != NULL);
    ak_error_cleanup(&err);
}

static void test_required_when(void) {
    ak_error err = AK_ERROR_INIT;
    CHECK(validate("{\"account_id\":1,\"name\":\"x\",\"type\":\"LOOKALIKE\"}", &err) == AK_FAIL);
    CHECK_STR(err.field, "audience_spec.lookalike_spec");
    CHECK(validate("{\"account_id\":1,\"name\":\"x\",\"type\":\"LOOKALIKE\",\"audience_spec\":{\"lookalike_spec\":"
                   "{\"seed_audience_id\":9,\"expand_user_count\":1000000}}}",
                   &err) == AK_OK);
    /* LBS is accepted although the enum list omits it (seeds/README.md): with an (incomplete) lbs_spec
     * the only violations are inside the spec, none on `type` or the spec's presence */
    CHECK(validate("{\"account_id\":1,\"name\":\"x\",\"type\":\"LBS\",\"audience_spec\":{\"lbs_spec\":{}}}", &err) ==
          AK_FAIL);
    for (size_t i = 0; i < err.nviolations; i++) {
        CHECK(strcmp(err.violations[i].field, "type") != 0);
        CHECK(strncmp(err.violations[i].field, "audience_spec.lbs_spec.", 23) == 0);
    }
    ak_error_cleanup(&err);
}

static void test_update_at_least_one(void) {
    const ak_platform *p = ak_platform_find("tencent_ads");
    const ak_schema *s = ak_op_find(p, "custom_audiences.update")->request;
    ak_error err = AK_ERROR_INIT;
    cJSON *v = J("{\"account_id\":1,\"audience_id\":2}");
    CHECK(ak_schema_validate(s, v, NULL, NULL, &err) == AK_FAIL);
    CHECK(strstr(err.rule, "at least one of name, description, cooperated") != NULL);
    cJSON_Delete(v);
    v = J("{\"account_id\":1,\"audience_id\":2,\"cooperated\":false}");
    CHECK(ak_schema_validate(s, v, NULL, NULL, &err) == AK_OK);
    cJSON_Delete(v);
    ak_error_cleanup(&err);
}

static void test_integers(void) {
    ak_error err = AK_ERROR_INIT;
    /* ids as numeric strings are accepted and sent as integers */
    CHECK(validate("{\"account_id\":\"123\",\"type\":\"CUSTOMER_FILE\",\"name\":\"n\"}", &err) == AK_OK);
    CHECK(validate("{\"account_id\":1.5,\"type\":\"CUSTOMER_FILE\",\"name\":\"n\"}", &err) == AK_FAIL);
    CHECK(validate("{\"account_id\":9007199254740993,\"type\":\"CUSTOMER_FILE\",\"name\":\"n\"}", &err) == AK_FAIL);
    CHECK(validate("{\"account_id\":0,\"type\":\"CUSTOMER_FILE\",\"name\":\"n\"}", &err) == AK_FAIL);
    cJSON *v = J("{\"account_id\":\"123\",\"name\":\"n\"}");
    cJSON *e = ak_schema_encode(add_schema(), v);
    char *s = cJSON_PrintUnformatted(e);
    CHECK_STR(s, "{\"account_id\":123,\"name\":\"n\"}");
    free(s);
    cJSON_Delete(e);
    cJSON_Delete(v);
    ak_error_cleanup(&err);
}

static void test_decode_tolerant(void) {
    const ak_schema *s = ak_schema_find("tencent_ads", "CustomAudience");
    CHECK(s != NULL);
    cJSON *v = J("{\"audience_id\":\"77\",\"outer_audience_id\":\"ext_1\",\"brand_new\":{\"x\":1},"
                 "\"user_count\":\"9007199254740993\"}");
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_schema_decode(s, v, &err) == AK_OK);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(v, "audience_id")));
    CHECK(cJSON_GetObjectItem(v, "audience_id")->valuedouble == 77);
    CHECK_STR(cJSON_GetObjectItem(v, "external_audience_id")->valuestring, "ext_1");
    CHECK(cJSON_GetObjectItem(v, "brand_new") != NULL);
    /* beyond 2^53: exact digits (a raw node), never rounded */
    CHECK(cJSON_IsRaw(cJSON_GetObjectItem(v, "user_count")));
    CHECK_STR(cJSON_GetObjectItem(v, "user_count")->valuestring, "9007199254740993");
    cJSON_Delete(v);
    /* beyond int64 in a documented integer field: a decode error (the old code kept the string) */
    v = J("{\"user_count\":\"99999999999999999999\"}");
    CHECK(ak_schema_decode(s, v, &err) == AK_FAIL && err.kind == AK_ERR_DECODE);
    CHECK_STR(err.field, "user_count");
    ak_error_cleanup(&err);
    cJSON_Delete(v);
}

static void test_empty_object_is_array(void) {
    const ak_platform *p = ak_platform_find("tencent_ads");
    const ak_schema *s = ak_op_find(p, "custom_audiences.get")->request;
    cJSON *v = J("{\"account_id\":1,\"fields\":{}}");
    cJSON *e = ak_schema_encode(s, v);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(e, "fields")));
    cJSON_Delete(e);
    cJSON_Delete(v);
}

int main(void) {
    RUN(test_name_bytes_boundary);
    RUN(test_every_violation_reported);
    RUN(test_required_when);
    RUN(test_update_at_least_one);
    RUN(test_integers);
    RUN(test_decode_tolerant);
    RUN(test_empty_object_is_array);
    DONE();
}
