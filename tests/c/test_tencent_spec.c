/* test_tencent_spec.c - the Tencent Ads audience_spec parity table (tests/golden/tencent_ads/
 * spec_cases.json, shared with pytest and busted) through the C API.
 *
 * 1. offline: every case through ak_call_new (validation + encoding, no I/O) with the client's
 *    real clock: valid cases pass; invalid ones fail with kind validation and exactly the
 *    expected set of violation paths, each expected rule text found at its path;
 * 2. loopback: every valid case is added to the sandbox and read back with
 *    custom_audiences.get(account_id, audience_id): the audience_spec is equal (the round
 *    trip); every invalid case fails before anything is sent (the sandbox logs only the valid
 *    cases' requests);
 * 3. response aliases: action_set_id and product_refs_id decode to the request names.
 *
 * Date tokens "{today}", "{today-N}", "{today+N}" become GMT+8 dates computed at run time.
 * The table's path: $AUDKIT_TENCENT_SPEC_CASES, else AUDKIT_SOURCE_DIR/tests/golden/tencent_ads/. */
#include "sandbox.h"

#include <errno.h>

/* AUDKIT_SOURCE_DIR: the repository, defined for every C test by tests/c/CMakeLists.txt */
#ifndef AUDKIT_SOURCE_DIR
#define AUDKIT_SOURCE_DIR "."
#endif

static sandbox sb;
static int sandbox_up = 0;

/* ---- helpers ---- */

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = (n + 65536 + 1) * 2;
            char *q = realloc(buf, cap);
            if (!q) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = q;
        }
        size_t r = fread(buf + n, 1, 65536, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* yyyy-MM-dd of days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void format_date(int64_t z, char out[11]) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

static int64_t today_gmt8(void) {
    int64_t s = (int64_t)time(NULL) + 8 * 3600;
    return s >= 0 ? s / 86400 : (s - 86399) / 86400;
}

/* Replaces every string value "{today}", "{today+N}" or "{today-N}" in place. */
static void replace_dates(cJSON *v, int64_t today) {
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t n = strlen(s);
        if (n >= 7 && strncmp(s, "{today", 6) == 0 && s[n - 1] == '}') {
            long off = 0;
            if (n > 7) {
                char *end = NULL;
                errno = 0;
                off = strtol(s + 6, &end, 10);
                if (errno || end != s + n - 1 || (s[6] != '+' && s[6] != '-')) {
                    fprintf(stderr, "bad date token %s\n", s);
                    exit(2);
                }
            }
            char date[11];
            format_date(today + off, date);
            cJSON_SetValuestring(v, date);
        }
        return;
    }
    for (cJSON *c = v ? v->child : NULL; c; c = c->next)
        replace_dates(c, today);
}

static cJSON *load_cases(void) {
    const char *env = getenv("AUDKIT_TENCENT_SPEC_CASES");
    char path[1024];
    snprintf(path, sizeof path, "%s",
             env && *env ? env : AUDKIT_SOURCE_DIR "/tests/golden/tencent_ads/spec_cases.json");
    char *text = read_file(path);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    cJSON *cases = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0) {
        fprintf(stderr, "%s is not a non-empty JSON array\n", path);
        exit(2);
    }
    int64_t today = today_gmt8();
    for (cJSON *c = cases->child; c; c = c->next)
        replace_dates(cJSON_GetObjectItem(c, "params"), today);
    return cases;
}

static const char *case_name(const cJSON *c) { return cJSON_GetObjectItem(c, "name")->valuestring; }
static int case_valid(const cJSON *c) { return cJSON_IsTrue(cJSON_GetObjectItem(c, "valid")); }

/* Compares the reported violations with the case's expectation; prints every difference. */
static int violations_match(const cJSON *c, const ak_error *err) {
    const cJSON *exp = cJSON_GetObjectItem(c, "violations");
    int ok = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, exp) {
        const char *field = cJSON_GetObjectItem(e, "field")->valuestring;
        const char *rule = cJSON_GetObjectItem(e, "rule_contains")->valuestring;
        int path_seen = 0, rule_seen = 0;
        for (size_t i = 0; i < err->nviolations; i++)
            if (strcmp(err->violations[i].field, field) == 0) {
                path_seen = 1;
                rule_seen |= strstr(err->violations[i].rule, rule) != NULL;
            }
        if (!path_seen || !rule_seen) {
            fprintf(stderr, "  [%s] expected %s: ...%s...: %s\n", case_name(c), field, rule,
                    path_seen ? "the path is reported with other rules" : "not reported");
            ok = 0;
        }
    }
    for (size_t i = 0; i < err->nviolations; i++) {
        int expected = 0;
        cJSON_ArrayForEach(e, exp) expected |=
            strcmp(cJSON_GetObjectItem(e, "field")->valuestring, err->violations[i].field) == 0;
        if (!expected) {
            fprintf(stderr, "  [%s] unexpected violation %s: %s\n", case_name(c), err->violations[i].field,
                    err->violations[i].rule);
            ok = 0;
        }
    }
    return ok;
}

static ak_client *tencent_client(const char *config) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = J(config);
    if (ak_client_new(&c, "tencent_ads", cfg, &err) != AK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(2);
    }
    cJSON_Delete(cfg);
    ak_error_cleanup(&err);
    return c;
}

/* ---- 1. offline validation of every case ---- */

static cJSON *cases;

static void test_table_shape(void) {
    int nvalid = 0, ninvalid = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        CHECK(cJSON_IsString(cJSON_GetObjectItem(c, "name")));
        CHECK(cJSON_IsObject(cJSON_GetObjectItem(c, "params")));
        CHECK(cJSON_IsArray(cJSON_GetObjectItem(c, "violations")));
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(c, "violations"));
        CHECK(case_valid(c) ? n == 0 : n > 0);
        nvalid += case_valid(c);
        ninvalid += !case_valid(c);
    }
    CHECK(nvalid > 50 && ninvalid > 50);
}

static void test_validation_offline(void) {
    /* the real clock: the same "today" the runner used for the tokens */
    ak_client *c = tencent_client("{\"access_token\":\"t\",\"base_url\":\"http://127.0.0.1:9\"}");
    const cJSON *k;
    int bad = 0;
    cJSON_ArrayForEach(k, cases) {
        ak_call *call = NULL;
        ak_error err = AK_ERROR_INIT;
        int rc = ak_call_new(&call, c, "custom_audiences.add", cJSON_GetObjectItem(k, "params"), &err);
        int ok;
        if (case_valid(k)) {
            ok = rc == AK_OK;
            if (!ok)
                for (size_t i = 0; i < err.nviolations; i++)
                    fprintf(stderr, "  [%s] valid case refused: %s: %s\n", case_name(k), err.violations[i].field,
                            err.violations[i].rule);
        } else {
            ok = rc == AK_FAIL && err.kind == AK_ERR_VALIDATION && violations_match(k, &err);
            if (rc == AK_OK)
                fprintf(stderr, "  [%s] invalid case accepted\n", case_name(k));
        }
        CHECK(ok);
        bad += !ok;
        ak_call_free(call);
        ak_error_cleanup(&err);
    }
    if (bad)
        fprintf(stderr, "  %d case(s) disagree with the table\n", bad);
    ak_client_free(c);
}

/* The error names the first violation in err.field/err.rule and counts all in the message. */
static void test_first_violation_and_message(void) {
    ak_client *c = tencent_client("{\"access_token\":\"t\",\"base_url\":\"http://127.0.0.1:9\"}");
    const cJSON *k;
    cJSON_ArrayForEach(k, cases) {
        if (strcmp(case_name(k), "many violations in one user_action_spec") != 0)
            continue;
        ak_call *call = NULL;
        ak_error err = AK_ERROR_INIT;
        CHECK(ak_call_new(&call, c, "custom_audiences.add", cJSON_GetObjectItem(k, "params"), &err) == AK_FAIL);
        CHECK(err.nviolations == 6);
        CHECK(err.nviolations > 0 && strcmp(err.field, err.violations[0].field) == 0);
        CHECK(strstr(err.message, "6 invalid fields") != NULL);
        int seen = 0;
        for (size_t i = 0; i < err.nviolations; i++)
            seen |= strcmp(err.violations[i].field, "audience_spec.user_action_spec.url_match_rule."
                                                    "url_matcher_group[0].url_matcher[3].operator") == 0;
        CHECK(seen);
        ak_error_cleanup(&err);
    }
    ak_client_free(c);
}

/* ---- 2. loopback: round trips and nothing sent for invalid cases ---- */

static cJSON *get_one(ak_client *c, const cJSON *params, int64_t id, ak_error *err) {
    cJSON *q = cJSON_CreateObject();
    cJSON_AddNumberToObject(q, "account_id", cJSON_GetObjectItem(params, "account_id")->valuedouble);
    cJSON_AddNumberToObject(q, "audience_id", (double)id);
    const cJSON *platform = cJSON_GetObjectItem(params, "platform");
    if (platform)
        cJSON_AddItemToObject(q, "platform", cJSON_Duplicate(platform, 1));
    cJSON *res = NULL;
    int rc = ak_call_simple(c, "custom_audiences.get", q, &res, err);
    cJSON_Delete(q);
    return rc == AK_OK ? res : NULL;
}

static void test_round_trip_and_nothing_sent(void) {
    if (!sandbox_up) {
        CHECK(!"the sandbox did not start");
        return;
    }
    cJSON_Delete(sandbox_control(&sb, "POST", "reset", "{}"));
    cJSON *cfg = sandbox_config(&sb, "tencent_ads");
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_client_new(&c, "tencent_ads", cfg, &err) == AK_OK);
    cJSON_Delete(cfg);
    if (!c)
        return;
    const ak_schema *add = ak_op_find(ak_platform_find("tencent_ads"), "custom_audiences.add")->request;
    int nvalid = 0, bad = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, cases) {
        const cJSON *params = cJSON_GetObjectItem(k, "params");
        cJSON *res = NULL;
        int rc = ak_call_simple(c, "custom_audiences.add", params, &res, &err);
        if (!case_valid(k)) {
            int ok = rc == AK_FAIL && err.kind == AK_ERR_VALIDATION;
            CHECK(ok);
            bad += !ok;
            cJSON_Delete(res);
            ak_error_cleanup(&err);
            continue;
        }
        nvalid++;
        if (rc != AK_OK) {
            fprintf(stderr, "  [%s] add failed for a valid case: %s\n", case_name(k), err.message);
            CHECK(!"a valid case was refused");
            bad++;
            ak_error_cleanup(&err);
            continue;
        }
        const cJSON *idj = cJSON_GetObjectItem(res, "audience_id");
        int64_t id = cJSON_IsNumber(idj) ? (int64_t)idj->valuedouble : 0;
        CHECK(id > 0);
        cJSON_Delete(res);
        cJSON *got = get_one(c, params, id, &err);
        const cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(got, "list"), 0);
        /* what was sent: the params as encoded (wire names, integers) */
        cJSON *sent = ak_schema_encode(add, params);
        const cJSON *want = cJSON_GetObjectItem(sent, "audience_spec");
        const cJSON *have = cJSON_GetObjectItem(item, "audience_spec");
        int equal = item && want && have && cJSON_Compare(want, have, 1);
        if (!equal) {
            char *a = want ? cJSON_PrintUnformatted(want) : NULL, *b = have ? cJSON_PrintUnformatted(have) : NULL;
            fprintf(stderr, "  [%s] round trip differs (%s)\n   sent: %.300s\n   got:  %.300s\n", case_name(k),
                    got ? "" : err.message, a ? a : "(none)", b ? b : "(none)");
            free(a);
            free(b);
            bad++;
        }
        CHECK(equal);
        cJSON_Delete(sent);
        cJSON_Delete(got);
        ak_error_cleanup(&err);
    }
    /* one add and one get per valid case: no invalid case reached the sandbox */
    CHECK(sandbox_request_count(&sb, "tencent_ads") == 2 * nvalid);
    if (bad)
        fprintf(stderr, "  %d case(s) failed the loopback run\n", bad);
    ak_client_free(c);
}

/* ---- 3. response aliases ---- */

static void test_response_aliases(void) {
    const ak_schema *s = ak_schema_find("tencent_ads", "CustomAudience");
    cJSON *v = J("{\"audience_id\":\"5\",\"audience_spec\":{"
                 "\"user_action_spec\":{\"action_set_id\":\"77\",\"match_rule_type\":\"URL\",\"time_window\":30},"
                 "\"ad_rule_spec\":{\"rule_type\":\"CLICK\",\"promoted_object_list\":[{\"promoted_object_type\":"
                 "\"PROMOTED_OBJECT_TYPE_APP_IOS\",\"product_refs_id\":\"p1\"}]}}}");
    ak_error err = AK_ERROR_INIT;
    CHECK(ak_schema_decode(s, v, &err) == AK_OK);
    cJSON *spec = cJSON_GetObjectItem(v, "audience_spec");
    cJSON *ua = cJSON_GetObjectItem(spec, "user_action_spec");
    CHECK(cJSON_GetObjectItem(ua, "action_set_id") == NULL);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(ua, "user_action_set_id")));
    CHECK(cJSON_GetObjectItem(ua, "user_action_set_id")->valuedouble == 77);
    cJSON *po =
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "ad_rule_spec"), "promoted_object_list"), 0);
    CHECK(cJSON_GetObjectItem(po, "product_refs_id") == NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(po, "promoted_object_id")), "p1");
    cJSON_Delete(v);
    /* requests may use the aliases too: they are sent under the documented names */
    const ak_schema *add = ak_op_find(ak_platform_find("tencent_ads"), "custom_audiences.add")->request;
    v = J("{\"audience_spec\":{\"user_action_spec\":{\"action_set_id\":9}}}");
    cJSON *e = ak_schema_encode(add, v);
    char *text = cJSON_PrintUnformatted(e);
    CHECK_STR(text, "{\"audience_spec\":{\"user_action_spec\":{\"user_action_set_id\":9}}}");
    free(text);
    cJSON_Delete(e);
    cJSON_Delete(v);
}

int main(void) {
    cases = load_cases();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sandbox_up = sandbox_start(&sb) == 0;
    RUN(test_table_shape);
    RUN(test_validation_offline);
    RUN(test_first_violation_and_message);
    RUN(test_round_trip_and_nothing_sent);
    RUN(test_response_aliases);
    if (sandbox_up)
        sandbox_stop(&sb);
    curl_global_cleanup();
    cJSON_Delete(cases);
    DONE();
}
