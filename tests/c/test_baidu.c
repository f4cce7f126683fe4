/* test_baidu.c - Baidu search ads: BCE v1 known-answer vectors (computed by the vendor's own
 * signer, tests/golden/baidu_search/vectors.json) checked byte for byte through the recording
 * transport with a fixed clock; flavours and credentials; every field rule; chunking of
 * keywords.get; envelope mapping and retries on canned responses; and loopback against the
 * sandbox (chunk counts, partial failures, a body changed after signing). */
#include "sandbox.h"

#include "auth/baidu_bce_v1.h"
#include "util/crypto.h"

#include <strings.h>

#define OK_EMPTY                                                                                                       \
    "{\"header\":{\"desc\":\"success\",\"failures\":[],\"oprs\":1,\"succ\":1,\"oprtime\":0,\"quota\":3,"               \
    "\"rquota\":997,\"status\":0},\"body\":{\"data\":[]}}"

static const char *CLOUD_CFG =
    "{\"op_username\":\"op\",\"op_password\":\"OP-SECRET-PW\",\"tg_username\":\"tg\",\"tg_password\":\"TG-SECRET-PW\","
    "\"tg_subname\":\"sub\",\"bce_user\":\"bce\",\"access_key\":\"AK\",\"secret_key\":\"SK-SECRET\","
    "\"base_url\":\"http://h:1/v1/cloud\",\"backoff_ms\":1}";

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = '\0';
    fclose(f);
    return p;
}

static cJSON *vectors(void) {
    char *text = read_file(AUDKIT_SOURCE_DIR "/tests/golden/baidu_search/vectors.json");
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!j) {
        fprintf(stderr, "cannot read vectors.json\n");
        exit(2);
    }
    return j;
}

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *header_of(const ak_request *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static ak_client *client_from(const char *cfg, fake_env *env) { return recording_client("baidu_search", cfg, env); }

/* The request body of the i-th recorded request, parsed (owned). */
static cJSON *sent_body(ak_client *c, size_t i) {
    const ak_request *r = ak_recording_get(ak_client_transport(c), i);
    return r ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
}

/* ---- known-answer vectors ---- */

static void test_vectors_requests(void) {
    cJSON *all = vectors();
    int n = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(all, "vectors")) {
        if (strcmp(jstr(v, "kind"), "request") != 0)
            continue;
        n++;
        fake_env env = {(int64_t)cJSON_GetObjectItem(v, "timestamp")->valuedouble * 1000 + 999, 0, 0};
        char *cfg = cJSON_PrintUnformatted(cJSON_GetObjectItem(v, "config"));
        ak_client *c = client_from(cfg, &env);
        free(cfg);
        ak_recording_push(ak_client_transport(c), 200, NULL, OK_EMPTY);
        cJSON *result = NULL;
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_call_simple(c, jstr(v, "op"), cJSON_GetObjectItem(v, "params"), &result, &err) == AK_OK);
        if (err.kind != AK_ERR_NONE)
            fprintf(stderr, "  %s: %s (%s %s)\n", jstr(v, "name"), err.message, err.field, err.rule);
        const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
        const cJSON *e = cJSON_GetObjectItem(v, "expected");
        CHECK(r != NULL);
        if (r) {
            CHECK_STR(r->method, jstr(e, "method"));
            CHECK_STR(r->url, jstr(e, "url"));
            char *body = strndup(r->body, r->body_len);
            CHECK_STR(body, jstr(e, "body"));
            free(body);
            const cJSON *hs = cJSON_GetObjectItem(e, "headers");
            CHECK(r->nheaders == (size_t)cJSON_GetArraySize(hs));
            for (size_t i = 0; i < r->nheaders && i < (size_t)cJSON_GetArraySize(hs); i++) {
                const cJSON *h = cJSON_GetArrayItem(hs, (int)i);
                CHECK_STR(r->headers[i].name, cJSON_GetArrayItem(h, 0)->valuestring);
                CHECK_STR(r->headers[i].value, cJSON_GetArrayItem(h, 1)->valuestring);
            }
        }
        cJSON_Delete(result);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
    CHECK(n >= 3);
    cJSON_Delete(all);
}

static ak_kv *kv_array(const cJSON *pairs, size_t *n) {
    *n = (size_t)cJSON_GetArraySize(pairs);
    ak_kv *kv = calloc(*n + 1, sizeof *kv);
    for (size_t i = 0; i < *n; i++) {
        const cJSON *p = cJSON_GetArrayItem(pairs, (int)i);
        kv[i].name = strdup(cJSON_GetArrayItem(p, 0)->valuestring);
        kv[i].value = strdup(cJSON_GetArrayItem(p, 1)->valuestring);
    }
    return kv;
}

static void kv_free(ak_kv *kv, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

static void test_vectors_signer(void) {
    cJSON *all = vectors();
    int n = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(all, "vectors")) {
        if (strcmp(jstr(v, "kind"), "signer") != 0)
            continue;
        n++;
        size_t nq, nh;
        ak_kv *q = kv_array(cJSON_GetObjectItem(v, "params"), &nq);
        ak_kv *h = kv_array(cJSON_GetObjectItem(v, "headers"), &nh);
        const cJSON *hts = cJSON_GetObjectItem(v, "headers_to_sign");
        const char *list[16] = {0};
        for (int i = 0; cJSON_IsArray(hts) && i < cJSON_GetArraySize(hts) && i < 15; i++)
            list[i] = cJSON_GetArrayItem(hts, i)->valuestring;
        char *auth = NULL;
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_bce_v1_sign(jstr(v, "access_key"), jstr(v, "secret_key"), jstr(v, "method"), jstr(v, "path"), q, nq, h,
                             nh, (int64_t)cJSON_GetObjectItem(v, "timestamp")->valuedouble,
                             (int)cJSON_GetObjectItem(v, "expiration")->valuedouble, cJSON_IsArray(hts) ? list : NULL,
                             &auth, &err) == AK_OK);
        CHECK_STR(auth, jstr(v, "authorization"));
        free(auth);
        kv_free(q, nq);
        kv_free(h, nh);
    }
    CHECK(n >= 2);
    cJSON_Delete(all);
}

/* ---- flavours and credentials ---- */

static void test_credentials(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    /* none at all */
    cJSON *cfg = J("{}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK_STR(err.field, "credentials");
    CHECK(strstr(err.rule, "user_name") && strstr(err.rule, "secret_key"));
    cJSON_Delete(cfg);
    /* mixed flavours: named, values never shown */
    cfg =
        J("{\"op_username\":\"op\",\"secret_key\":\"SK-SECRET\",\"user_name\":\"u\",\"access_token\":\"TOK-SECRET\"}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_FAIL);
    CHECK_STR(err.field, "credentials");
    CHECK(strstr(err.rule, "op_username, secret_key") && strstr(err.rule, "user_name, access_token"));
    CHECK(!strstr(err.rule, "SK-SECRET") && !strstr(err.rule, "TOK-SECRET") && !strstr(err.message, "SECRET"));
    cJSON_Delete(cfg);
    /* cloud with some missing: every missing one named */
    cfg = J("{\"op_username\":\"op\",\"op_password\":\"pw\",\"access_key\":\"AK\"}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_FAIL);
    CHECK(err.nviolations == 5);
    CHECK_STR(err.violations[0].field, "tg_username");
    CHECK_STR(err.violations[4].field, "secret_key");
    CHECK(strstr(err.violations[4].rule, "AUDKIT_BAIDU_SEARCH_SECRET_KEY") != NULL);
    cJSON_Delete(cfg);
    /* direct without access_token */
    cfg = J("{\"user_name\":\"u\",\"target\":\"t\"}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_FAIL);
    CHECK(err.nviolations == 1);
    CHECK_STR(err.field, "access_token");
    cJSON_Delete(cfg);

    /* the direct flavour defaults to its own base URL; the cloud one to sem.baidubce.com */
    cfg = J("{\"user_name\":\"u\",\"access_token\":\"TOK-SECRET\"}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_OK);
    CHECK_STR(ak_client_base_url(c), "https://api.baidu.com/json/sms/service");
    char *repr = ak_client_describe(c);
    CHECK(repr && !strstr(repr, "TOK-SECRET") && strstr(repr, "access_token=***"));
    free(repr);
    ak_client_free(c);
    cJSON_Delete(cfg);
    cfg = J("{\"user_name\":\"u\",\"access_token\":\"t\",\"base_url\":\"http://127.0.0.1:9/x/\"}");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_OK);
    CHECK_STR(ak_client_base_url(c), "http://127.0.0.1:9/x");
    ak_client_free(c);
    cJSON_Delete(cfg);
    cfg = J(CLOUD_CFG);
    cJSON_DeleteItemFromObject(cfg, "base_url");
    CHECK(ak_client_new(&c, "baidu_search", cfg, &err) == AK_OK);
    CHECK_STR(ak_client_base_url(c), "https://sem.baidubce.com/v1/cloud");
    repr = ak_client_describe(c);
    CHECK(repr && !strstr(repr, "SECRET"));
    free(repr);
    ak_client_free(c);
    cJSON_Delete(cfg);
    ak_error_cleanup(&err);
}

static void test_direct_request(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from("{\"user_name\":\"u\",\"access_token\":\"tok\",\"target\":\"sub\","
                               "\"base_url\":\"http://h:1/json/sms/service\"}",
                               &env);
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_EMPTY);
    cJSON *p = J("{\"keyword_ids\":[\"12\",13]}"), *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "keywords.delete", p, &res, &err) == AK_OK);
    const ak_request *r = ak_recording_get(ak_client_transport(c), 0);
    CHECK_STR(r->url, "http://h:1/json/sms/service/KeywordService/deleteWord");
    CHECK_STR(r->body, "{\"header\":{\"userName\":\"u\",\"accessToken\":\"tok\",\"target\":\"sub\"},"
                       "\"body\":{\"keywordIds\":[12,13]}}");
    CHECK(r->nheaders == 1 && header_of(r, "Authorization") == NULL);
    cJSON_Delete(p);
    cJSON_Delete(res);
    ak_client_free(c);
}

/* A sleep hook that advances the fake clock: every retry is signed at a later time. */
static void advance(void *ud, int64_t ms) { ((fake_env *)ud)->now_ms += ms + 1000; }

static void test_fresh_signature_per_attempt(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from(CLOUD_CFG, &env);
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}");
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_EMPTY);
    cJSON *p = J("{\"keyword_ids\":[1]}");
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_new(&call, c, "keywords.delete", p, &err) == AK_OK);
    ak_drive_hooks hooks = {NULL, NULL, NULL, advance, &env, NULL, NULL, NULL};
    CHECK(ak_drive_call(c, call, &hooks, &err) == AK_OK);
    CHECK(ak_recording_count(ak_client_transport(c)) == 2);
    const ak_request *a = ak_recording_get(ak_client_transport(c), 0), *b = ak_recording_get(ak_client_transport(c), 1);
    CHECK(strcmp(header_of(a, "x-bce-date"), header_of(b, "x-bce-date")) != 0);
    CHECK(strcmp(header_of(a, "Authorization"), header_of(b, "Authorization")) != 0);
    /* the body hash header is the SHA-256 of the exact body sent */
    char sha[65];
    ak_sha256_hex(b->body, b->body_len, sha);
    CHECK_STR(header_of(b, "x-bce-content-sha256"), sha);
    /* the credentials travel in the body header only: never in the URL */
    CHECK(!strstr(b->url, "SECRET"));
    ak_call_free(call);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* ---- field rules ---- */

static void dump(const ak_error *e) {
    for (size_t i = 0; i < e->nviolations; i++)
        fprintf(stderr, "    %s: %s\n", e->violations[i].field, e->violations[i].rule);
}

/* Validates `params` for `op`; returns the error (caller cleans). No request may leave. */
static ak_error invalid(ak_client *c, const char *op, const char *params) {
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J(params), *res = NULL;
    size_t before = ak_recording_count(ak_client_transport(c));
    CHECK(ak_call_simple(c, op, p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_VALIDATION);
    CHECK(ak_recording_count(ak_client_transport(c)) == before);
    cJSON_Delete(p);
    cJSON_Delete(res);
    return err;
}

static void valid(ak_client *c, const char *op, const char *params) {
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J(params), *res = NULL;
    ak_recording_push(ak_client_transport(c), 200, NULL, OK_EMPTY);
    CHECK(ak_call_simple(c, op, p, &res, &err) == AK_OK);
    if (err.kind != AK_ERR_NONE) {
        fprintf(stderr, "  unexpected failure for %s %s: %s\n", op, params, err.message);
        dump(&err);
    }
    cJSON_Delete(p);
    cJSON_Delete(res);
    ak_error_cleanup(&err);
}

/* A string of n copies of s. */
static char *rep(const char *s, int n) {
    size_t k = strlen(s);
    char *out = malloc(k * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(out + k * (size_t)i, s, k);
    out[k * (size_t)n] = '\0';
    return out;
}

static void test_add_rules(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from(CLOUD_CFG, &env);
    char buf[4096];
    /* keyword: 40 bytes counting a Chinese character as 2 */
    char *cn20 = rep("花", 20), *cn21 = rep("花", 21), *mix = rep("花", 19);
    snprintf(buf, sizeof buf, "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"%s\"}]}", cn20);
    valid(c, "keywords.add", buf);
    snprintf(buf, sizeof buf, "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"%s\"}]}", cn21);
    ak_error e = invalid(c, "keywords.add", buf);
    CHECK(has_violation(&e, "keyword_types[0].keyword", "at most 40 characters (CJK count 2) (got 42)"));
    ak_error_cleanup(&e);
    snprintf(buf, sizeof buf, "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"abc%s\"}]}", mix); /* 3 + 38 */
    e = invalid(c, "keywords.add", buf);
    CHECK(has_violation(&e, "keyword_types[0].keyword", "(got 41)"));
    ak_error_cleanup(&e);
    free(cn20);
    free(cn21);
    free(mix);

    /* every violation at once, with its path */
    e = invalid(c, "keywords.add",
                "{\"keyword_types\":[{\"keyword\":\"\",\"price\":0,\"match_type\":4,\"phrase_type\":0,"
                "\"wmatchprefer\":2,\"tabs\":[6],\"pause\":\"no\",\"keyword_id\":5,\"status\":41},"
                "{\"adgroup_id\":2,\"keyword\":\"ok\",\"price\":999.991},"
                "{\"adgroup_id\":3,\"keyword\":\"ok\",\"price\":1000},"
                "{\"adgroup_id\":4,\"keyword\":\"ok\",\"price\":1.5,\"bogus\":1}]}");
    CHECK(has_violation(&e, "keyword_types[0].adgroup_id", "is required"));
    CHECK(has_violation(&e, "keyword_types[0].keyword", "at least 1"));
    CHECK(has_violation(&e, "keyword_types[0].price", "between 0.01 and 999.99"));
    CHECK(has_violation(&e, "keyword_types[0].match_type", "one of: 1, 2, 3"));
    CHECK(has_violation(&e, "keyword_types[0].phrase_type", NULL));
    CHECK(has_violation(&e, "keyword_types[0].wmatchprefer", "one of: 0, 1"));
    CHECK(has_violation(&e, "keyword_types[0].tabs[0]", "between 0 and 5"));
    CHECK(has_violation(&e, "keyword_types[0].pause", "boolean"));
    /* keyword_id and status are 无效 (ignored) on addWord: accepted, not sent (no violation) */
    CHECK(has_violation(&e, "keyword_types[1].price", "2 decimal places"));
    CHECK(has_violation(&e, "keyword_types[2].price", "between 0.01 and 999.99"));
    CHECK(has_violation(&e, "keyword_types[3].bogus", "not a documented field"));
    CHECK(e.nviolations == 12);
    if (e.nviolations != 12)
        dump(&e);
    ak_error_cleanup(&e);

    /* URL lengths in bytes: 1024 PC, 1017 mobile */
    char *u1024 = rep("a", 1024 - 7), *u1017 = rep("a", 1017 - 7);
    char big[8192];
    snprintf(big, sizeof big,
             "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"k\",\"pc_destination_url\":\"http://%s\","
             "\"mobile_destination_url\":\"http://%s\"}]}",
             u1024, u1017);
    valid(c, "keywords.add", big);
    snprintf(big, sizeof big,
             "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"k\",\"pc_destination_url\":\"http://%sa\","
             "\"mobile_destination_url\":\"http://%sa\"}]}",
             u1024, u1017);
    e = invalid(c, "keywords.add", big);
    CHECK(has_violation(&e, "keyword_types[0].pc_destination_url", "at most 1024 UTF-8 bytes"));
    CHECK(has_violation(&e, "keyword_types[0].mobile_destination_url", "at most 1017 UTF-8 bytes"));
    ak_error_cleanup(&e);
    free(u1024);
    free(u1017);

    /* wmatchPrefer (the example's spelling) and snake_case are accepted, sent as wire names */
    valid(c, "keywords.add",
          "{\"keyword_types\":[{\"adgroup_id\":\"77\",\"keyword\":\"k\",\"wmatchPrefer\":0,\"match_type\":2,"
          "\"price\":0.01}]}");
    cJSON *sent = sent_body(c, ak_recording_count(ak_client_transport(c)) - 1);
    char *txt = cJSON_PrintUnformatted(cJSON_GetObjectItem(sent, "body"));
    CHECK_STR(txt, "{\"keywordTypes\":[{\"adgroupId\":77,\"keyword\":\"k\",\"wmatchprefer\":0,\"matchType\":2,"
                   "\"price\":0.01}]}");
    free(txt);
    cJSON_Delete(sent);

    /* at most 10000 keywords per request: more are split into requests of 10000 (issue 9;
     * test_batch.c), so 10001 is no violation */
    cJSON *many = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(many, "keyword_types");
    for (int i = 0; i < 10001; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "adgroup_id", 1);
        cJSON_AddStringToObject(o, "keyword", "k");
        cJSON_AddItemToArray(arr, o);
    }
    ak_call *split = NULL;
    CHECK(ak_call_new(&split, c, "keywords.add", many, &e) == AK_OK && ak_call_chunks(split) == 2);
    ak_call_free(split);
    ak_error_cleanup(&e);
    cJSON_Delete(many);
    ak_client_free(c);
}

/* Fields the document marks 无效 (ignored) are accepted and never sent: the document's own
 * updateWord example sends keyword, adgroupId and campaignId alongside keywordId. */
static void test_ignored_fields_not_sent(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from(CLOUD_CFG, &env);
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"header\":{\"status\":0,\"failures\":[]},\"body\":{\"data\":[{\"keywordId\":7}]}}");
    ak_recording_push(ak_client_transport(c), 200, NULL,
                      "{\"header\":{\"status\":0,\"failures\":[]},\"body\":{\"data\":[{\"keywordId\":8}]}}");
    cJSON *up = J("{\"keyword_types\":[{\"keywordId\":7,\"keyword\":\"鲜花\",\"adgroupId\":3,\"campaignId\":2,"
                  "\"price\":1.5,\"status\":41,\"pcQuality\":9}]}");
    cJSON *add = J("{\"keyword_types\":[{\"adgroup_id\":3,\"keyword\":\"k\",\"keyword_id\":5,\"status\":41}]}");
    cJSON *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "keywords.update", up, &res, &err) == AK_OK);
    cJSON_Delete(res);
    CHECK(ak_call_simple(c, "keywords.add", add, &res, &err) == AK_OK);
    cJSON_Delete(res);
    for (size_t i = 0; i < 2; i++) {
        cJSON *b = sent_body(c, i);
        cJSON *kw = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "body"), "keywordTypes"), 0);
        CHECK(kw != NULL);
        CHECK(!cJSON_GetObjectItem(kw, "status") && !cJSON_GetObjectItem(kw, "campaignId"));
        if (i == 0)
            CHECK(cJSON_GetObjectItem(kw, "keywordId") && !cJSON_GetObjectItem(kw, "keyword") &&
                  !cJSON_GetObjectItem(kw, "adgroupId") && !cJSON_GetObjectItem(kw, "pcQuality"));
        else
            CHECK(!cJSON_GetObjectItem(kw, "keywordId") && cJSON_GetObjectItem(kw, "adgroupId"));
        cJSON_Delete(b);
    }
    cJSON_Delete(up);
    cJSON_Delete(add);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_update_delete_get_rules(void) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from(CLOUD_CFG, &env);
    /* update: price 0 means "use the ad group's bid"; "" cancels a URL */
    valid(c, "keywords.update",
          "{\"keyword_types\":[{\"keyword_id\":1,\"price\":0,\"pc_destination_url\":\"\",\"tabs\":[]}]}");
    ak_error e = invalid(c, "keywords.update",
                         "{\"keyword_types\":[{\"price\":-1},{\"keyword_id\":2,\"keyword\":\"x\",\"adgroup_id\":3,"
                         "\"price\":1000}]}");
    CHECK(has_violation(&e, "keyword_types[0].keyword_id", "is required"));
    CHECK(has_violation(&e, "keyword_types[0].price", "between 0 and 999.99"));
    CHECK(!has_violation(&e, "keyword_types[1].keyword", NULL)); /* 无效 on updateWord: accepted */
    CHECK(!has_violation(&e, "keyword_types[1].adgroup_id", NULL));
    CHECK(has_violation(&e, "keyword_types[1].price", "between 0 and 999.99"));
    ak_error_cleanup(&e);
    e = invalid(c, "keywords.update", "{\"keyword_types\":[]}");
    CHECK(has_violation(&e, "keyword_types", "at least 1"));
    ak_error_cleanup(&e);

    /* delete: ids, 1..10000 */
    e = invalid(c, "keywords.delete", "{\"keyword_ids\":[0,\"x\"]}");
    CHECK(has_violation(&e, "keyword_ids[0]", NULL) && has_violation(&e, "keyword_ids[1]", "integer"));
    ak_error_cleanup(&e);
    e = invalid(c, "keywords.delete", "{}");
    CHECK(has_violation(&e, "keyword_ids", "is required"));
    ak_error_cleanup(&e);

    /* get_word: id_type required and 11/5; 50 ad-group ids per request; KeywordFields enum */
    e = invalid(c, "keywords.get_word",
                "{\"ids\":[1],\"word_fields\":[\"keyword\",\"nope\",\"keyword\"],"
                "\"get_temp\":2}");
    CHECK(has_violation(&e, "id_type", "is required"));
    CHECK(has_violation(&e, "word_fields[1]", "one of"));
    CHECK(has_violation(&e, "word_fields[2]", "duplicates"));
    CHECK(has_violation(&e, "get_temp", "one of: 0, 1"));
    ak_error_cleanup(&e);
    e = invalid(c, "keywords.get_word", "{\"ids\":[1],\"id_type\":7}");
    CHECK(has_violation(&e, "id_type", "one of: 11, 5"));
    ak_error_cleanup(&e);
    cJSON *p = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(p, "ids");
    for (int i = 1; i <= 51; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(i));
    cJSON_AddNumberToObject(p, "id_type", 5);
    char *t = cJSON_PrintUnformatted(p);
    e = invalid(c, "keywords.get_word", t);
    CHECK(has_violation(&e, "ids", "at most 50 ad-group ids"));
    ak_error_cleanup(&e);
    free(t);
    cJSON_DeleteItemFromObject(p, "id_type");
    cJSON_AddNumberToObject(p, "id_type", 11);
    t = cJSON_PrintUnformatted(p);
    valid(c, "keywords.get_word", t);
    free(t);
    cJSON_Delete(p);
    /* "fields" is accepted for word_fields (API.md) and sent as wordFields */
    valid(c, "keywords.get_word", "{\"ids\":[1],\"id_type\":11,\"fields\":[\"wmatchprefer\"],\"get_temp\":1}");
    cJSON *sent = sent_body(c, ak_recording_count(ak_client_transport(c)) - 1);
    char *txt = cJSON_PrintUnformatted(cJSON_GetObjectItem(sent, "body"));
    CHECK_STR(txt, "{\"ids\":[1],\"idType\":11,\"wordFields\":[\"wmatchprefer\"],\"getTemp\":1}");
    free(txt);
    cJSON_Delete(sent);

    /* the chunked keywords.get validates every id up front, before any request */
    ak_pager *pg = NULL;
    cJSON *gp = J("{\"ids\":[1,2,\"x\"],\"word_fields\":[\"bad\"]}");
    CHECK(ak_pager_new(&pg, c, "keywords.get", gp, &e) == AK_FAIL);
    CHECK(has_violation(&e, "ids[2]", "integer") && has_violation(&e, "id_type", "is required") &&
          has_violation(&e, "word_fields[0]", NULL));
    ak_error_cleanup(&e);
    cJSON_Delete(gp);
    ak_client_free(c);
}

/* ---- chunking ---- */

static cJSON *id_params(int n, int id_type) {
    cJSON *p = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(p, "ids");
    for (int i = 1; i <= n; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(1000000 + i));
    cJSON_AddNumberToObject(p, "id_type", id_type);
    cJSON *wf = cJSON_AddArrayToObject(p, "word_fields");
    cJSON_AddItemToArray(wf, cJSON_CreateString("keyword"));
    return p;
}

/* Runs keywords.get to the end; returns the number of items. */
static int drain(ak_client *c, ak_pager *pg, ak_error *err) {
    int items = 0, has_page = 0;
    while (ak_drive_pager(c, pg, NULL, &has_page, err) == AK_OK && has_page)
        items += cJSON_GetArraySize(ak_pager_items(pg));
    return items;
}

static void test_chunking(void) {
    fake_env env = {1700000000000LL, 0, 0};
    static const struct {
        int n, id_type, requests, first, last;
    } cases[] = {{10001, 11, 2, 10000, 1},
                 {10000, 11, 1, 10000, 10000},
                 {51, 5, 2, 50, 1},
                 {100, 5, 2, 50, 50},
                 {0, 11, 0, 0, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ak_client *c = client_from(CLOUD_CFG, &env);
        for (int i = 0; i < cases[k].requests; i++)
            ak_recording_push(ak_client_transport(c), 200, NULL,
                              "{\"header\":{\"status\":0,\"quota\":1,\"rquota\":5},\"body\":{\"data\":"
                              "[{\"keywordId\":\"1\",\"keyword\":\"a\"},{\"keywordId\":2,\"keyword\":\"b\"}]}}");
        cJSON *p = id_params(cases[k].n, cases[k].id_type);
        ak_pager *pg = NULL;
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_pager_new(&pg, c, "keywords.get", p, &err) == AK_OK);
        int items = drain(c, pg, &err);
        CHECK(err.kind == AK_ERR_NONE);
        CHECK(items == 2 * cases[k].requests);
        size_t sent = ak_recording_count(ak_client_transport(c));
        CHECK(sent == (size_t)cases[k].requests);
        if (sent != (size_t)cases[k].requests)
            fprintf(stderr, "  case %zu: %zu requests\n", k, sent);
        for (size_t i = 0; i < sent; i++) {
            cJSON *b = sent_body(c, i);
            cJSON *body = cJSON_GetObjectItem(b, "body");
            int n = cJSON_GetArraySize(cJSON_GetObjectItem(body, "ids"));
            CHECK(n == (i == 0 ? cases[k].first : cases[k].last));
            CHECK(cJSON_GetObjectItem(body, "idType")->valuedouble == cases[k].id_type);
            CHECK(cJSON_GetObjectItem(body, "wordFields") != NULL);
            CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "header"), "opUsername") != NULL);
            /* every chunk is signed afresh */
            CHECK(header_of(ak_recording_get(ak_client_transport(c), i), "Authorization") != NULL);
            if (i == sent - 1 && n > 0) /* the last chunk carries the last id */
                CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "ids"), n - 1)->valuedouble == 1000000 + cases[k].n);
            cJSON_Delete(b);
        }
        ak_pager_free(pg);
        cJSON_Delete(p);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
}

/* ---- envelope mapping ---- */

typedef struct outcome {
    int rc, sends;
    ak_error err;
    cJSON *result;
} outcome;

/* Runs `op` against the canned bodies (HTTP status in front: "200|{...}"). */
static outcome run(const char *op, const char *params, const char *const *bodies, int nbodies) {
    fake_env env = {1700000000000LL, 0, 0};
    ak_client *c = client_from(CLOUD_CFG, &env);
    for (int i = 0; i < nbodies; i++) {
        int status = atoi(bodies[i]);
        ak_recording_push(ak_client_transport(c), status, status == 403 ? "x-bce-request-id: gw-1\n" : NULL,
                          strchr(bodies[i], '|') + 1);
    }
    outcome o = {0, 0, AK_ERROR_INIT, NULL};
    cJSON *p = J(params);
    o.rc = ak_call_simple(c, op, p, &o.result, &o.err);
    o.sends = (int)ak_recording_count(ak_client_transport(c));
    cJSON_Delete(p);
    ak_client_free(c);
    return o;
}

static void done(outcome *o) {
    cJSON_Delete(o->result);
    ak_error_cleanup(&o->err);
}

#define ADD2                                                                                                           \
    "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"a\"},{\"adgroup_id\":1,\"keyword\":\"b\",\"price\":5},"       \
    "{\"adgroup_id\":9,\"keyword\":\"c\"}]}"

static void test_envelope(void) {
    /* status 1: not an error; successes and failures (with their input index) both come back */
    const char *partial[] = {
        "200|{\"header\":{\"desc\":\"partial\",\"status\":1,\"oprs\":3,\"succ\":1,\"oprtime\":0,\"quota\":3,"
        "\"rquota\":\"96\",\"failures\":[{\"code\":9101,\"message\":\"bad "
        "price\",\"position\":\"keywordTypes[1].price\","
        "\"field\":\"price\"},{\"code\":9104,\"message\":\"no "
        "group\",\"position\":2,\"id\":\"9\"}],\"extra\":\"kept\"},"
        "\"body\":{\"data\":[{\"keywordId\":\"3000000001\",\"adgroupId\":1,\"keyword\":\"a\",\"wmatchPrefer\":1,"
        "\"owmatch\":1}]}}"};
    outcome o = run("keywords.add", ADD2, partial, 1);
    CHECK(o.rc == AK_OK && o.sends == 1);
    cJSON *items = cJSON_GetObjectItem(o.result, "items"), *fails = cJSON_GetObjectItem(o.result, "failures");
    CHECK(cJSON_GetArraySize(items) == 1 && cJSON_GetArraySize(fails) == 2);
    cJSON *kw = cJSON_GetArrayItem(items, 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(kw, "keywordId")) &&
          cJSON_GetObjectItem(kw, "keywordId")->valuedouble == 3000000001.0);
    CHECK(cJSON_GetObjectItemCaseSensitive(kw, "wmatchprefer") != NULL &&
          cJSON_GetObjectItemCaseSensitive(kw, "wmatchPrefer") == NULL);
    CHECK(cJSON_GetObjectItem(kw, "owmatch") != NULL); /* unknown fields kept */
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(fails, 0), "index")->valuedouble == 1);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(fails, 1), "index")->valuedouble == 2);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(fails, 1), "id")->valuedouble == 9);
    CHECK(cJSON_GetObjectItem(o.result, "quota")->valuedouble == 3);
    CHECK(cJSON_GetObjectItem(o.result, "rquota")->valuedouble == 96); /* numeric string decoded */
    CHECK(cJSON_GetObjectItem(o.result, "status")->valuedouble == 1);
    CHECK_STR(cJSON_GetObjectItem(o.result, "extra")->valuestring, "kept");
    done(&o);

    /* status 2: the first failure's code and message, not retried */
    const char *total[] = {"200|{\"header\":{\"status\":2,\"desc\":\"failure\",\"failures\":[{\"code\":9101,"
                           "\"message\":\"bad keyword\",\"position\":\"keywordTypes[0].keyword\"},{\"code\":9101,"
                           "\"message\":\"again\",\"position\":\"keywordTypes[1].keyword\"}]},\"body\":{\"data\":[]}}"};
    o = run("keywords.add", ADD2, total, 1);
    CHECK(o.rc == AK_FAIL && o.sends == 1 && o.err.kind == AK_ERR_API && !o.err.retryable);
    CHECK_STR(o.err.vendor_code, "9101");
    CHECK_STR(o.err.message, "bad keyword at keywordTypes[0].keyword (and 1 more failure)");
    done(&o);

    /* 421: QPS limit, rate_limited, retried with backoff */
    const char *qps[] = {"200|{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}",
                         "200|" OK_EMPTY};
    o = run("keywords.add", ADD2, qps, 2);
    CHECK(o.rc == AK_OK && o.sends == 2);
    done(&o);
    const char *qps4[] = {"200|{\"header\":{\"status\":3,\"failures\":[{\"code\":\"421\",\"message\":\"qps\"}]}}",
                          "200|{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}",
                          "200|{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}",
                          "200|{\"header\":{\"status\":3,\"failures\":[{\"code\":421,\"message\":\"qps\"}]}}"};
    o = run("keywords.delete", "{\"keyword_ids\":[1]}", qps4, 4);
    CHECK(o.rc == AK_FAIL && o.sends == 4 && o.err.kind == AK_ERR_RATE_LIMITED && o.err.retryable);
    done(&o);
    /* 405 busy, 502, 800 system error: retried */
    static const char *const transient[] = {"405", "502", "800"};
    for (int i = 0; i < 3; i++) {
        char b0[160];
        snprintf(b0, sizeof b0, "200|{\"header\":{\"status\":3,\"failures\":[{\"code\":%s,\"message\":\"m\"}]}}",
                 transient[i]);
        const char *seq[] = {b0, "200|" OK_EMPTY};
        o = run("keywords.delete", "{\"keyword_ids\":[1]}", seq, 2);
        CHECK(o.rc == AK_OK && o.sends == 2);
        done(&o);
    }
    /* 801/802: IP lockout, never retried; 401/402: auth */
    static const char *const lock[] = {"801", "802", "401", "402"};
    for (int i = 0; i < 4; i++) {
        char b0[160];
        snprintf(b0, sizeof b0, "200|{\"header\":{\"status\":2,\"failures\":[{\"code\":%s,\"message\":\"no\"}]}}",
                 lock[i]);
        const char *seq[] = {b0, "200|" OK_EMPTY};
        o = run("keywords.get_word", "{\"ids\":[1],\"id_type\":11}", seq, 2);
        CHECK(o.rc == AK_FAIL && o.sends == 1 && o.err.kind == AK_ERR_AUTH && !o.err.retryable);
        CHECK_STR(o.err.vendor_code, lock[i]);
        done(&o);
    }
    /* items under body.keywordTypes (the tables' name) are accepted */
    const char *kt[] = {"200|{\"header\":{\"status\":0},\"body\":{\"keywordTypes\":[{\"keywordId\":5}]}}"};
    o = run("keywords.get_word", "{\"ids\":[5],\"id_type\":11}", kt, 1);
    CHECK(o.rc == AK_OK && cJSON_GetArraySize(cJSON_GetObjectItem(o.result, "items")) == 1);
    done(&o);
    /* delete answers with empty data: items [] and succ */
    const char *del[] = {
        "200|{\"header\":{\"status\":0,\"succ\":2,\"oprs\":2,\"failures\":[]},\"body\":{\"data\":[]}}"};
    o = run("keywords.delete", "{\"keyword_ids\":[1,2]}", del, 1);
    CHECK(o.rc == AK_OK && cJSON_GetArraySize(cJSON_GetObjectItem(o.result, "items")) == 0);
    CHECK(cJSON_GetObjectItem(o.result, "succ")->valuedouble == 2);
    done(&o);
    /* a BCE gateway error (no Baidu envelope): auth with the request id */
    const char *gw[] = {"403|{\"code\":\"SignatureDoesNotMatch\",\"message\":\"signature mismatch\"}"};
    o = run("keywords.delete", "{\"keyword_ids\":[1]}", gw, 1);
    CHECK(o.rc == AK_FAIL && o.err.kind == AK_ERR_AUTH && o.err.http_status == 403 && o.sends == 1);
    CHECK_STR(o.err.vendor_code, "SignatureDoesNotMatch");
    CHECK_STR(o.err.request_id, "gw-1");
    done(&o);
    /* not JSON at 502: an HTTP error, retried; not an envelope at 200: a decode error */
    const char *html[] = {"502|<html>bad gateway</html>", "200|" OK_EMPTY};
    o = run("keywords.delete", "{\"keyword_ids\":[1]}", html, 2);
    CHECK(o.rc == AK_OK && o.sends == 2);
    done(&o);
    const char *odd[] = {"200|{\"code\":0}"};
    o = run("keywords.delete", "{\"keyword_ids\":[1]}", odd, 1);
    CHECK(o.rc == AK_FAIL && o.err.kind == AK_ERR_DECODE);
    done(&o);
    const char *notlist[] = {"200|{\"header\":{\"status\":0},\"body\":{\"data\":\"x\"}}"};
    o = run("keywords.delete", "{\"keyword_ids\":[1]}", notlist, 1);
    CHECK(o.rc == AK_FAIL && o.err.kind == AK_ERR_DECODE);
    done(&o);
}

/* ---- loopback against the sandbox ---- */

static sandbox sb;
static int sb_up = 0;

static ak_client *sandbox_client(const char *flavour) {
    cJSON *all = cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "credentials"), "baidu_search");
    cJSON *cfg = cJSON_CreateObject();
    static const char *const cloud[] = {"op_username", "op_password", "tg_username", "tg_password", "tg_subname",
                                        "bce_user",    "access_key",  "secret_key",  NULL};
    static const char *const direct[] = {"user_name", "access_token", NULL};
    for (const char *const *k = strcmp(flavour, "direct") == 0 ? direct : cloud; *k; k++)
        cJSON_AddStringToObject(cfg, *k, cJSON_GetObjectItem(all, *k)->valuestring);
    char base[512];
    const char *cloud_base =
        cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "base_urls"), "baidu_search")->valuestring;
    if (strcmp(flavour, "direct") == 0)
        snprintf(base, sizeof base, "%s/baidu_search/json/sms/service", sb.url);
    else
        snprintf(base, sizeof base, "%s", cloud_base);
    cJSON_AddStringToObject(cfg, "base_url", base);
    cJSON_AddNumberToObject(cfg, "backoff_ms", 5);
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    if (ak_client_new(&c, "baidu_search", cfg, &err) != AK_OK)
        fprintf(stderr, "client: %s\n", err.message);
    cJSON_Delete(cfg);
    return c;
}

static void sb_reset(void) {
    cJSON_Delete(sandbox_control(&sb, "POST", "reset", "{}"));
    cJSON_Delete(sandbox_control(&sb, "DELETE", "requests", NULL));
}

static void test_loop_chunks(void) {
    if (!sb_up)
        return;
    sb_reset();
    cJSON *seeded = sandbox_control(&sb, "POST", "seed",
                                    "{\"vendor\":\"baidu_search\",\"kind\":\"keywords\",\"count\":10001,"
                                    "\"adgroup_id\":500}");
    cJSON *ids = cJSON_DetachItemFromObject(seeded, "ids");
    CHECK(cJSON_GetArraySize(ids) == 10001);
    cJSON_Delete(seeded);
    static const char *const flavours[] = {"cloud", "direct"};
    for (int f = 0; f < 2; f++) {
        cJSON_Delete(sandbox_control(&sb, "DELETE", "requests", NULL));
        ak_client *c = sandbox_client(flavours[f]);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddItemToObject(p, "ids", cJSON_Duplicate(ids, 1));
        cJSON_AddNumberToObject(p, "id_type", 11);
        ak_pager *pg = NULL;
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_pager_new(&pg, c, "keywords.get", p, &err) == AK_OK);
        int n = drain(c, pg, &err);
        CHECK(err.kind == AK_ERR_NONE);
        if (err.kind != AK_ERR_NONE)
            fprintf(stderr, "  %s: %s\n", flavours[f], err.message);
        CHECK(n == 10001);
        CHECK(sandbox_request_count(&sb, "baidu_search") == 2);
        /* quota comes with every page */
        CHECK(cJSON_GetObjectItem(ak_pager_result(pg), "rquota") != NULL);
        ak_pager_free(pg);
        cJSON_Delete(p);
        ak_error_cleanup(&err);
        ak_client_free(c);
    }
    cJSON_Delete(ids);

    /* 51 ad groups of 2 keywords each: 2 requests (50 + 1 ad-group ids), 102 keywords */
    sb_reset();
    cJSON *groups = sandbox_control(&sb, "POST", "seed",
                                    "{\"vendor\":\"baidu_search\",\"kind\":\"adgroups\",\"count\":51,\"keywords\":2}");
    ak_client *c = sandbox_client("cloud");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "ids", cJSON_DetachItemFromObject(groups, "ids"));
    cJSON_AddNumberToObject(p, "id_type", 5);
    ak_pager *pg = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_pager_new(&pg, c, "keywords.get", p, &err) == AK_OK);
    CHECK(drain(c, pg, &err) == 102);
    CHECK(sandbox_request_count(&sb, "baidu_search") == 2);
    ak_pager_free(pg);
    cJSON_Delete(p);
    cJSON_Delete(groups);
    /* without the client's checks, the sandbox enforces the batch limit itself */
    ak_client_set_validate(c, 0);
    ak_client_set_retries(c, 0);
    p = cJSON_CreateObject();
    cJSON *many = cJSON_AddArrayToObject(p, "ids");
    for (int i = 1; i <= 51; i++)
        cJSON_AddItemToArray(many, cJSON_CreateNumber(i));
    cJSON_AddNumberToObject(p, "id_type", 5);
    cJSON *res = NULL;
    CHECK(ak_call_simple(c, "keywords.get_word", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && strstr(err.message, "at most 50") != NULL);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_loop_batches(void) {
    if (!sb_up)
        return;
    sb_reset();
    cJSON *g = sandbox_control(&sb, "POST", "seed",
                               "{\"vendor\":\"baidu_search\",\"kind\":\"adgroups\",\"count\":1,\"keywords\":0}");
    int gid = (int)cJSON_GetArrayItem(cJSON_GetObjectItem(g, "ids"), 0)->valuedouble;
    cJSON_Delete(g);
    ak_client *c = sandbox_client("cloud");
    char buf[1024];
    snprintf(
        buf, sizeof buf,
        "{\"keyword_types\":[{\"adgroup_id\":%d,\"keyword\":\"鲜花 速递\",\"price\":2.5},"
        "{\"adgroup_id\":999999,\"keyword\":\"nowhere\"},{\"adgroup_id\":%d,\"keyword\":\"二\",\"wmatchPrefer\":0}]}",
        gid, gid);
    cJSON *p = J(buf), *res = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_call_simple(c, "keywords.add", p, &res, &err) == AK_OK);
    cJSON *items = cJSON_GetObjectItem(res, "items"), *fails = cJSON_GetObjectItem(res, "failures");
    CHECK(cJSON_GetArraySize(items) == 2 && cJSON_GetArraySize(fails) == 1);
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "keyword")->valuestring, "鲜花 速递");
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 1), "keyword")->valuestring, "二");
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(fails, 0), "index")->valuedouble == 1);
    CHECK(cJSON_GetObjectItem(res, "status")->valuedouble == 1);
    CHECK(cJSON_GetObjectItem(res, "quota") && cJSON_GetObjectItem(res, "rquota"));
    double k1 = cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "keywordId")->valuedouble;
    double k2 = cJSON_GetObjectItem(cJSON_GetArrayItem(items, 1), "keywordId")->valuedouble;
    cJSON_Delete(res);
    cJSON_Delete(p);

    /* update: one unknown id -> partial, the other applied; price 0 = the ad group's bid */
    snprintf(buf, sizeof buf,
             "{\"keyword_types\":[{\"keyword_id\":1},{\"keyword_id\":%.0f,\"price\":0,\"pause\":true}]}", k1);
    p = J(buf);
    CHECK(ak_call_simple(c, "keywords.update", p, &res, &err) == AK_OK);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(res, "items")) == 1);
    cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "failures"), 0);
    CHECK(f0 && cJSON_GetObjectItem(f0, "index")->valuedouble == 0 && cJSON_GetObjectItem(f0, "id")->valuedouble == 1);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "items"), 0), "pause")));
    cJSON_Delete(res);
    cJSON_Delete(p);

    /* delete: all unknown -> status 2 -> an API error; then a real delete */
    p = J("{\"keyword_ids\":[1,2]}");
    CHECK(ak_call_simple(c, "keywords.delete", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && strstr(err.message, "and 1 more failure") != NULL);
    cJSON_Delete(p);
    snprintf(buf, sizeof buf, "{\"keyword_ids\":[%.0f,%.0f]}", k1, k2);
    p = J(buf);
    CHECK(ak_call_simple(c, "keywords.delete", p, &res, &err) == AK_OK);
    CHECK(cJSON_GetObjectItem(res, "succ")->valuedouble == 2);
    cJSON_Delete(res);
    cJSON_Delete(p);

    /* the sandbox's own field checks answer with per-item failures when the client's are off */
    ak_client_set_validate(c, 0);
    snprintf(buf, sizeof buf,
             "{\"keyword_types\":[{\"adgroup_id\":%d,\"keyword\":\"%s\"},{\"adgroup_id\":%d,\"keyword\":\"fine\","
             "\"price\":0}]}",
             gid, "花花花花花花花花花花花花花花花花花花花花花", gid);
    p = J(buf);
    CHECK(ak_call_simple(c, "keywords.add", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_API && strstr(err.message, "keywordTypes[0].keyword") != NULL);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

/* A transport that changes one byte of the body after the client signed it. */
typedef struct tamper {
    ak_transport inner;
    char *copy;
} tamper;

static int tamper_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err) {
    tamper *t = ud;
    free(t->copy);
    t->copy = malloc(req->body_len + 1);
    memcpy(t->copy, req->body, req->body_len);
    t->copy[req->body_len] = '\0';
    char *digit = strstr(t->copy, "\"ids\":[");
    if (digit)
        digit[7] = digit[7] == '9' ? '8' : '9'; /* another id, same length */
    ak_request r = *req;
    r.body = t->copy;
    return t->inner.send(t->inner.ud, &r, resp, err);
}

static void tamper_destroy(void *ud) {
    tamper *t = ud;
    ak_transport_destroy(&t->inner);
    free(t->copy);
    free(t);
}

static void test_loop_tampered_body(void) {
    if (!sb_up)
        return;
    sb_reset();
    ak_client *c = sandbox_client("cloud");
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"ids\":[3000000001],\"id_type\":11}"), *res = NULL;
    /* untouched: accepted */
    CHECK(ak_call_simple(c, "keywords.get_word", p, &res, &err) == AK_OK);
    cJSON_Delete(res);
    res = NULL;
    tamper *t = calloc(1, sizeof *t);
    ak_curl_options co = AK_CURL_OPTIONS_INIT;
    CHECK(ak_transport_curl_new(&t->inner, &co, &err) == AK_OK);
    ak_transport tt = {tamper_send, tamper_destroy, t};
    ak_client_set_transport(c, &tt);
    CHECK(ak_call_simple(c, "keywords.get_word", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH && !err.retryable);
    CHECK(strstr(err.message, "x-bce-content-sha256") != NULL);
    CHECK(sandbox_request_count(&sb, "baidu_search") == 2); /* auth errors are not retried */
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);

    /* wrong secret key: the signature does not verify */
    cJSON *all = cJSON_GetObjectItem(cJSON_GetObjectItem(sb.info, "credentials"), "baidu_search");
    cJSON *sk = cJSON_GetObjectItem(all, "secret_key");
    char *saved = strdup(sk->valuestring);
    cJSON_SetValuestring(sk, "wrong-secret");
    c = sandbox_client("cloud");
    cJSON_SetValuestring(sk, saved);
    free(saved);
    p = J("{\"keyword_ids\":[1]}");
    CHECK(ak_call_simple(c, "keywords.delete", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH && strstr(err.message, "signature") != NULL);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

static void test_loop_faults(void) {
    if (!sb_up)
        return;
    sb_reset();
    ak_client *c = sandbox_client("direct");
    ak_error err = AK_ERROR_INIT;
    cJSON *p = J("{\"ids\":[1],\"id_type\":11}"), *res = NULL;
    /* 421 twice, then through */
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"baidu_search\",\"route\":\"KeywordService/getWord\","
                                 "\"fault\":\"rate_limit\",\"times\":2}"));
    CHECK(ak_call_simple(c, "keywords.get_word", p, &res, &err) == AK_OK);
    CHECK(sandbox_request_count(&sb, "baidu_search") == 3);
    cJSON_Delete(res);
    res = NULL;
    /* 801 lockout: one request only */
    sb_reset();
    cJSON_Delete(sandbox_control(&sb, "POST", "faults",
                                 "{\"vendor\":\"baidu_search\",\"route\":\"*\",\"fault\":\"auth\",\"code\":801}"));
    CHECK(ak_call_simple(c, "keywords.get_word", p, &res, &err) == AK_FAIL);
    CHECK(err.kind == AK_ERR_AUTH && !err.retryable);
    CHECK_STR(err.vendor_code, "801");
    CHECK(sandbox_request_count(&sb, "baidu_search") == 1);
    cJSON_Delete(p);
    ak_error_cleanup(&err);
    ak_client_free(c);
}

int main(void) {
    RUN(test_vectors_requests);
    RUN(test_vectors_signer);
    RUN(test_credentials);
    RUN(test_direct_request);
    RUN(test_fresh_signature_per_attempt);
    RUN(test_add_rules);
    RUN(test_update_delete_get_rules);
    RUN(test_ignored_fields_not_sent);
    RUN(test_chunking);
    RUN(test_envelope);
    if (sandbox_start(&sb) == 0) {
        sb_up = 1;
        RUN(test_loop_chunks);
        RUN(test_loop_batches);
        RUN(test_loop_tampered_body);
        RUN(test_loop_faults);
        sandbox_stop(&sb);
    } else {
        fprintf(stderr, "sandbox did not start: loopback tests skipped\n");
        t_failures++;
    }
    DONE();
}
