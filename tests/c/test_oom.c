/* test_oom.c - out-of-memory paths: every allocation the core makes (and cJSON makes for it) is
 * failed in turn, for each N until the scenario completes; each run must end in success or an
 * error (never a crash, never a half-built object), and must free everything it allocated.
 * Allocation is intercepted with the linker's --wrap (see tests/c/CMakeLists.txt) and cJSON's hooks. */
#include "harness.h"

#include <stdbool.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static long live = 0;     /* allocations not yet freed */
static long counter = 0;  /* allocations made since arming */
static long fail_at = -1; /* fail the fail_at-th allocation (1-based); -1 never */
static bool failed = false;

static bool should_fail(void) {
    counter++;
    if (fail_at > 0 && counter == fail_at) {
        failed = true;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n) {
    if (should_fail())
        return NULL;
    void *p = __real_malloc(n);
    if (p)
        live++;
    return p;
}

void *__wrap_calloc(size_t n, size_t m) {
    if (should_fail())
        return NULL;
    void *p = __real_calloc(n, m);
    if (p)
        live++;
    return p;
}

void *__wrap_realloc(void *old, size_t n) {
    if (should_fail())
        return NULL;
    void *p = __real_realloc(old, n);
    if (p && !old)
        live++;
    return p;
}

void __wrap_free(void *p) {
    if (p)
        live--;
    __real_free(p);
}

static void *hook_malloc(size_t n) { return __wrap_malloc(n); }
static void hook_free(void *p) { __wrap_free(p); }

#define OK_ADD "{\"code\":0,\"data\":{\"audience_id\":42}}"

static char *page_body(int first, int n, int total_pages) {
    char *s = __real_malloc(4096); /* the test's own buffer: never failed */
    int off = snprintf(s, 4096, "{\"code\":0,\"data\":{\"list\":[");
    for (int i = 0; i < n; i++)
        off += snprintf(s + off, 4096 - (size_t)off, "%s{\"audience_id\":\"%d\",\"outer_audience_id\":\"x%d\"}",
                        i ? "," : "", first + i, i);
    snprintf(s + off, 4096 - (size_t)off, "],\"page_info\":{\"total_page\":%d}}}", total_pages);
    return s;
}

/* One scenario: a client, a validation failure, an add with a retry, a two-page list, describe.
 * Returns true when everything succeeded (no injected failure was hit on a path that matters). */
static bool scenario(void) {
    static fake_env env;
    env.now_ms = 1700000000000LL;
    env.next_byte = 0;
    ak_error err = AK_ERROR_INIT;
    bool all_ok = true;
    ak_client *c = NULL;
    cJSON *cfg = cJSON_Parse("{\"access_token\":\"T\",\"backoff_ms\":1}");
    if (!cfg)
        return false;
    if (ak_client_new(&c, "tencent_ads", cfg, &err) != AK_OK) {
        cJSON_Delete(cfg);
        ak_error_cleanup(&err);
        return false;
    }
    cJSON_Delete(cfg);
    ak_transport t;
    if (ak_transport_recording_new(&t, &err) != AK_OK) {
        ak_client_free(c);
        ak_error_cleanup(&err);
        return false;
    }
    ak_client_set_transport(c, &t);
    ak_client_set_clock(c, fake_clock, &env);
    ak_client_set_random(c, fake_random, &env);
    char *p1 = page_body(1, 2, 2), *p2 = page_body(3, 1, 2);
    all_ok &= p1 && p2;
    all_ok &= ak_recording_push(ak_client_transport(c), 200, NULL, "{\"code\":11017}") == AK_OK;
    all_ok &= ak_recording_push(ak_client_transport(c), 200, "Retry-After: 0\n", OK_ADD) == AK_OK;
    all_ok &= ak_recording_push(ak_client_transport(c), 200, NULL, p1 ? p1 : "") == AK_OK;
    all_ok &= ak_recording_push(ak_client_transport(c), 200, NULL, p2 ? p2 : "") == AK_OK;
    __real_free(p1);
    __real_free(p2);

    /* a validation failure with several violations */
    cJSON *bad = cJSON_Parse("{\"account_id\":0,\"name\":\"\",\"type\":\"LOOKALIKE\",\"bogus\":1}");
    cJSON *res = NULL;
    if (bad) {
        int rc = ak_call_simple(c, "custom_audiences.add", bad, &res, &err);
        CHECK(rc == AK_FAIL && (err.kind == AK_ERR_VALIDATION || err.kind == AK_ERR_NOMEM));
        cJSON_Delete(res);
        cJSON_Delete(bad);
    }
    ak_error_cleanup(&err);

    /* an add retried once */
    cJSON *add = cJSON_Parse("{\"account_id\":1,\"name\":\"n\",\"type\":\"LOOKALIKE\",\"audience_spec\":"
                             "{\"lookalike_spec\":{\"seed_audience_id\":9,\"expand_user_count\":1000000}}}");
    if (!add) {
        all_ok = false; /* the test's own parse failed: nothing to check */
    } else if (ak_call_simple(c, "custom_audiences.add", add, &res, &err) == AK_OK) {
        CHECK(res != NULL);
    } else {
        all_ok = false;
        if (!(err.kind == AK_ERR_NOMEM || err.kind == AK_ERR_TRANSPORT || err.kind == AK_ERR_DECODE ||
              err.kind == AK_ERR_RATE_LIMITED || err.kind == AK_ERR_VALIDATION))
            fprintf(stderr, "add failed with %s: %s (allocation %ld)\n", ak_error_kind_name(err.kind), err.message,
                    fail_at);
        CHECK(err.kind == AK_ERR_NOMEM || err.kind == AK_ERR_TRANSPORT || err.kind == AK_ERR_DECODE ||
              err.kind == AK_ERR_RATE_LIMITED || err.kind == AK_ERR_VALIDATION);
    }
    cJSON_Delete(res);
    cJSON_Delete(add);
    ak_error_cleanup(&err);

    /* a two-page list */
    cJSON *lp = cJSON_Parse("{\"account_id\":1,\"page_size\":2}");
    ak_pager *pg = NULL;
    int items = 0;
    if (lp && ak_pager_new(&pg, c, "custom_audiences.list", lp, &err) == AK_OK) {
        int has = 0;
        while (ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK && has)
            items += cJSON_GetArraySize(ak_pager_items(pg));
        cJSON *state = ak_pager_state(pg);
        cJSON_Delete(state);
        ak_pager_free(pg);
    }
    all_ok &= items == 3 && err.kind == AK_ERR_NONE;
    cJSON_Delete(lp);
    ak_error_cleanup(&err);

    char *d = ak_client_describe(c);
    all_ok &= d != NULL;
    free(d);
    cJSON *desc = ak_describe();
    all_ok &= desc != NULL;
    cJSON_Delete(desc);
    ak_client_free(c);
    return all_ok;
}

/* One call or pager of another vendor: config, op, params, canned responses (NULL-terminated). */
typedef struct vendor_case {
    const char *platform, *config, *op, *params;
    int pager; /* 1: drive with ak_drive_pager */
    const char *responses[4];
    int expect_items; /* pagers: items expected when nothing failed */
} vendor_case;

static const vendor_case vendor_cases[] = {
    {"volcengine_live",
     "{\"access_key\":\"AK\",\"secret_key\":\"SK\",\"session_token\":\"ST\"}",
     "get_account_user_track_data",
     "{\"user_id\":12,\"activity_id\":7,\"select_tags\":[{\"index\":0,\"value\":[\"标签\"]}]}",
     0,
     {"{\"ResponseMetadata\":{\"RequestId\":\"r\",\"Error\":{\"Code\":\"InternalError\",\"Message\":\"x\"}}}",
      "{\"ResponseMetadata\":{\"RequestId\":\"r\"},\"Result\":{\"UserTrackData\":{\"UserTracks\":[{\"ActivityId\":"
      "\"7\"}]}}}",
      NULL},
     0},
    {"baidu_search",
     "{\"op_username\":\"op\",\"op_password\":\"pw\",\"tg_username\":\"tg\",\"tg_password\":\"pw2\","
     "\"tg_subname\":\"sub\",\"bce_user\":\"bu\",\"access_key\":\"AK\",\"secret_key\":\"SK\"}",
     "keywords.get",
     "{\"ids\":[1,2,3],\"id_type\":\"adgroup\",\"get_temp\":false}",
     1,
     {"{\"header\":{\"status\":1,\"quota\":2,\"rquota\":9,\"failures\":[{\"code\":9104,\"message\":\"m\","
      "\"position\":\"keywordTypes[1]\"}]},\"body\":{\"data\":[{\"keywordId\":\"5\",\"keyword\":\"鲜花\"}]}}",
      NULL},
     1},
    {"thinking_data",
     "{\"base_url\":\"http://h/td\",\"token\":\"TOK\"}",
     "clusters.list",
     "{\"project_id\":102,\"page_size\":1}",
     1,
     {"{\"return_code\":0,\"data\":{\"pagerResult\":{\"totalNum\":2},\"userClusters\":[{\"id\":\"1\"}]}}",
      "{\"return_code\":0,\"data\":{\"pagerResult\":{\"totalNum\":2},\"userClusters\":[{\"id\":2}]}}", NULL},
     2},
    {"thinking_data",
     "{\"base_url\":\"http://h/td\",\"token\":\"TOK\"}",
     "clusters.detail",
     "{\"project_id\":102,\"cluster_name\":\"c 1\"}",
     0,
     {"{\"return_code\":0,\"data\":{\"id\":\"9\",\"clusterName\":\"c 1\"}}", NULL},
     0},
    {"sensors_data",
     "{\"base_url\":\"http://h/sd\",\"api_key\":\"K\",\"project\":\"p\"}",
     "user_tags.list",
     "{\"count\":2}",
     1,
     {"[{\"id\":1},{\"id\":2}]", "[{\"id\":\"3\"}]", NULL},
     3},
};

/* Sleeps advance the fake clock instead of waiting (rate limits, retry backoff). */
static void fake_sleep(void *ud, int64_t ms) { ((fake_env *)ud)->now_ms += ms; }

/* Runs one vendor case; true when it completed as it does without failures. */
static bool vendor_scenario(const vendor_case *vc) {
    ak_error err = AK_ERROR_INIT;
    ak_client *c = NULL;
    static fake_env env;
    env.now_ms = 1700000000000LL;
    cJSON *cfg = cJSON_Parse(vc->config);
    bool ok = cfg && ak_client_new(&c, vc->platform, cfg, &err) == AK_OK;
    cJSON_Delete(cfg);
    ak_transport t;
    if (ok && (ok = ak_transport_recording_new(&t, &err) == AK_OK))
        ak_client_set_transport(c, &t);
    if (ok) {
        ak_client_set_clock(c, fake_clock, &env);
        ak_client_set_random(c, fake_random, &env);
        ak_client_set_retries(c, 2);
        for (int i = 0; ok && vc->responses[i]; i++)
            ok = ak_recording_push(ak_client_transport(c), 200, NULL, vc->responses[i]) == AK_OK;
    }
    cJSON *params = ok ? cJSON_Parse(vc->params) : NULL;
    ok = ok && params;
    if (ok && vc->pager) {
        ak_pager *pg = NULL;
        int items = 0, has = 0;
        ak_drive_hooks hooks = {NULL, NULL, NULL, fake_sleep, &env, NULL, NULL, NULL};
        if (ak_pager_new(&pg, c, vc->op, params, &err) == AK_OK) {
            while (ak_drive_pager(c, pg, &hooks, &has, &err) == AK_OK && has)
                items += cJSON_GetArraySize(ak_pager_items(pg));
            ak_pager_free(pg);
        }
        ok = err.kind == AK_ERR_NONE && items == vc->expect_items;
    } else if (ok) {
        ak_call *call = NULL;
        ak_drive_hooks hooks = {NULL, NULL, NULL, fake_sleep, &env, NULL, NULL, NULL};
        ok = ak_call_new(&call, c, vc->op, params, &err) == AK_OK && ak_drive_call(c, call, &hooks, &err) == AK_OK &&
             ak_call_result(call) != NULL;
        ak_call_free(call);
    }
    if (!ok && err.kind != AK_ERR_NONE)
        CHECK(err.kind != AK_ERR_VALIDATION || err.nviolations > 0 || err.field[0]); /* never an empty error */
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
    return ok;
}

static void test_vendor_allocation_failures(void) {
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
    for (size_t v = 0; v < sizeof vendor_cases / sizeof vendor_cases[0]; v++) {
        const vendor_case *vc = &vendor_cases[v];
        long base = live;
        counter = 0;
        fail_at = -1;
        bool clean = vendor_scenario(vc);
        if (!clean)
            fprintf(stderr, "clean run of %s %s failed\n", vc->platform, vc->op);
        CHECK(clean);
        CHECK(live == base);
        long total = counter;
        for (long n = 1; n <= total; n++) {
            base = live;
            counter = 0;
            failed = false;
            fail_at = n;
            bool ok = vendor_scenario(vc);
            fail_at = -1;
            if (live != base) {
                fprintf(stderr, "%s %s: leak of %ld allocation(s) when allocation %ld failed\n", vc->platform, vc->op,
                        live - base, n);
                CHECK(live == base);
                break;
            }
            if (!failed) {
                CHECK(ok);
                break;
            }
        }
    }
    cJSON_InitHooks(NULL);
}

static void test_every_allocation_failure(void) {
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
    ak_global_init(); /* libcurl's one-time allocations are not the scenario's */

    /* a clean run: succeeds and frees everything */
    long base = live;
    counter = 0;
    fail_at = -1;
    CHECK(scenario());
    CHECK(live == base);
    long total = counter;
    CHECK(total > 100);

    int completed = 0;
    for (long n = 1; n <= total + 1; n++) {
        base = live;
        counter = 0;
        failed = false;
        fail_at = n;
        bool ok = scenario();
        fail_at = -1;
        if (live != base) {
            fprintf(stderr, "leak of %ld allocation(s) when allocation %ld failed\n", live - base, n);
            CHECK(live == base);
            break;
        }
        if (!failed) {
            CHECK(ok); /* nothing was failed: the scenario must succeed */
            completed = 1;
            break;
        }
    }
    CHECK(completed);
    cJSON_InitHooks(NULL);
}

/* A batch (batch.h): Baidu keywords.delete of 10002 ids is two requests, a partial success and a
 * refusal merged into one result (10001 failures by index). It makes too many allocations to fail
 * each in turn: every one of the first 200 and the last 600 (the split's and the merge's
 * bookkeeping; the item lists are moved, not copied), and every 499th between. */
static bool batch_scenario(void) {
    ak_error err = AK_ERROR_INIT;
    ak_client *c = NULL;
    cJSON *cfg = cJSON_Parse("{\"user_name\":\"u\",\"access_token\":\"T\",\"retries\":0}");
    bool ok = cfg && ak_client_new(&c, "baidu_search", cfg, &err) == AK_OK;
    cJSON_Delete(cfg);
    ak_transport t;
    if (ok && (ok = ak_transport_recording_new(&t, &err) == AK_OK))
        ak_client_set_transport(c, &t);
    ok = ok &&
         ak_recording_push(ak_client_transport(c), 200, NULL,
                           "{\"header\":{\"status\":1,\"oprs\":10000,\"succ\":9999,\"rquota\":5,\"failures\":"
                           "[{\"code\":9103,\"message\":\"m\",\"position\":\"keywordIds[3]\"}]},\"body\":{}}") ==
             AK_OK &&
         ak_recording_push(ak_client_transport(c), 200, NULL,
                           "{\"header\":{\"status\":2,\"failures\":[{\"code\":901,\"message\":\"no\"}]}}") == AK_OK;
    cJSON *params = ok ? cJSON_CreateObject() : NULL;
    cJSON *ids = params ? cJSON_AddArrayToObject(params, "keyword_ids") : NULL;
    ok = ok && ids;
    for (int i = 1; ok && i <= 10002; i++) {
        cJSON *n = cJSON_CreateNumber(i);
        ok = n && cJSON_AddItemToArray(ids, n);
        if (!ok)
            cJSON_Delete(n);
    }
    ak_call *call = NULL;
    ok = ok && ak_call_new(&call, c, "keywords.delete", params, &err) == AK_OK && ak_call_chunks(call) == 2 &&
         ak_drive_call(c, call, NULL, &err) == AK_OK;
    const cJSON *fails = ok ? cJSON_GetObjectItemCaseSensitive(ak_call_result(call), "failures") : NULL;
    ok = ok && cJSON_GetArraySize(fails) == 3;
    if (!ok && err.kind != AK_ERR_NONE)
        CHECK(err.kind != AK_ERR_VALIDATION || err.nviolations > 0 || err.field[0]); /* never an empty error */
    ak_call_free(call);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    ak_client_free(c);
    return ok;
}

static void test_batch_allocation_failures(void) {
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
    long base = live;
    counter = 0;
    fail_at = -1;
    CHECK(batch_scenario());
    CHECK(live == base);
    long total = counter;
    for (long n = 1; n <= total; n = n < 200 || n >= total - 600 ? n + 1 : n + 499) {
        base = live;
        counter = 0;
        failed = false;
        fail_at = n;
        bool ok = batch_scenario();
        fail_at = -1;
        if (live != base) {
            fprintf(stderr, "batch: leak of %ld allocation(s) when allocation %ld of %ld failed\n", live - base, n,
                    total);
            CHECK(live == base);
            break;
        }
        if (!failed)
            CHECK(ok);
    }
    cJSON_InitHooks(NULL);
}

int main(void) {
    RUN(test_every_allocation_failure);
    RUN(test_vendor_allocation_failures);
    RUN(test_batch_allocation_failures);
    DONE();
}
