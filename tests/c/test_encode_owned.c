/* test_encode_owned.c - ak_call_new_owned (parameters encoded in place, no copy) sends exactly the
 * bytes ak_call_new (encoded copy) sends, and reports the same violations, for parameters that use
 * every encoding rule: snake_case -> wire names, readable value aliases, int64 ids as decimal
 * strings, {} where an array is documented, fields ignored on the route, a field given twice,
 * nested models and arrays of arrays. Failures never leak the tree (ASan). */
#include "harness.h"

typedef struct ecase {
    const char *platform, *config, *op, *params;
} ecase;

static const ecase cases[] = {
    {"tencent_ads", "{\"access_token\":\"T\"}", "custom_audiences.add",
     "{\"account_id\":\"9007199254740993\",\"name\":\"n\",\"type\":\"LOOKALIKE\",\"description\":\"d\","
     "\"audience_spec\":{\"lookalike_spec\":{\"seed_audience_id\":\"12\",\"expand_user_count\":1000000}}}"},
    {"tencent_ads", "{\"access_token\":\"T\"}", "custom_audiences.add",
     "{\"account_id\":1,\"name\":\"c\",\"type\":\"COMBINE\",\"audience_spec\":{\"combine_spec\":{\"include\":[[{"
     "\"audience_id\":\"5\"},{\"audience_id\":6}]],\"exclude\":{}}}}"},
    {"tencent_ads", "{\"access_token\":\"T\"}", "custom_audiences.update",
     "{\"account_id\":1,\"audience_id\":\"77\",\"name\":\"x\",\"unknown_member\":{\"kept\":[1,2]}}"},
    {"baidu_search", "{\"user_name\":\"u\",\"access_token\":\"T\"}", "keywords.add",
     "{\"keyword_types\":[{\"keyword\":\"a\",\"adgroup_id\":\"3\",\"match_type\":1,\"status\":41},"
     "{\"keyword\":\"b\",\"adgroupId\":4,\"pause\":false}]}"},
    {"baidu_search", "{\"user_name\":\"u\",\"access_token\":\"T\"}", "keywords.update",
     "{\"keyword_types\":[{\"keyword_id\":\"9007199254740993\",\"keyword\":\"ignored here\",\"price\":1.5}]}"},
    {"baidu_search", "{\"user_name\":\"u\",\"access_token\":\"T\"}", "keywords.get_word",
     "{\"ids\":[\"1\",2],\"id_type\":\"keyword\",\"word_fields\":[\"keyword\",\"price\"]}"},
    {"thinking_data", "{\"token\":\"T\",\"base_url\":\"http://127.0.0.1:9\"}", "clusters.add",
     "{\"project_id\":1,\"cluster_name\":\"n\",\"cluster_desc\":\"d\",\"clusterName\":\"twice\"}"},
};

/* The request body (owned copy) or the first violation ("!field: rule") of one call. */
static char *first_send(ak_client *c, const ecase *k, int owned) {
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J(k->params);
    int rc = owned ? ak_call_new_owned(&call, c, k->op, p, &err) : ak_call_new(&call, c, k->op, p, &err);
    if (!owned)
        cJSON_Delete(p);
    char *out;
    if (rc != AK_OK) {
        size_t n = strlen(err.field) + strlen(err.rule) + 4;
        out = malloc(n);
        snprintf(out, n, "!%s: %s", err.field, err.rule);
    } else {
        ak_step st;
        ak_call_next(call, &st);
        const char *b = st.kind == AK_STEP_SEND && st.request->body ? st.request->body : "(no send)";
        size_t n = st.kind == AK_STEP_SEND ? st.request->body_len : strlen(b);
        out = malloc(n + 1);
        memcpy(out, b, n);
        out[n] = '\0';
    }
    ak_call_free(call);
    ak_error_cleanup(&err);
    return out;
}

static void test_same_bytes(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake_env env = {1700000000000LL, 0, 0};
        ak_client *c = recording_client(cases[i].platform, cases[i].config, &env);
        char *copied = first_send(c, &cases[i], 0);
        char *inplace = first_send(c, &cases[i], 1);
        CHECK_STR(inplace, copied);
        if (getenv("AK_TEST_VERBOSE"))
            fprintf(stderr, "%s %s: %s\n", cases[i].platform, cases[i].op, copied);
        free(copied);
        free(inplace);
        ak_client_free(c);
    }
}

static void test_failures_free_the_tree(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = recording_client("tencent_ads", "{\"access_token\":\"T\"}", &env);
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    /* unknown op, a pager row, params not an object, a validation error: the tree is freed */
    CHECK(ak_call_new_owned(&call, c, "no.such_op", J("{\"a\":1}"), &err) == AK_FAIL && call == NULL);
    CHECK(ak_call_new_owned(&call, c, "custom_audiences.list", J("{\"account_id\":1}"), &err) == AK_FAIL);
    CHECK(ak_call_new_owned(&call, c, "custom_audiences.add", J("[1,2]"), &err) == AK_FAIL);
    CHECK(ak_call_new_owned(&call, c, "custom_audiences.add", J("{\"name\":1}"), &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION && err.nviolations >= 2);
    /* NULL params: an empty object, validated like any other */
    CHECK(ak_call_new_owned(&call, c, "custom_audiences.add", NULL, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    RUN(test_same_bytes);
    RUN(test_failures_free_the_tree);
    DONE();
}
