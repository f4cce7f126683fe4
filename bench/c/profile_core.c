/* profile_core.c - instruction counts of the core alone (no network): the core against the
 * recording transport, under callgrind. Not part of `make bench` (which measures over HTTP).
 *   profile_core pages    : 200 pages x 100 Tencent audiences through ak_pager (custom_audiences.list)
 *   profile_core add      : 1000 custom_audiences.add calls (ak_call_simple)
 *   profile_core cjson    : cJSON_ParseWithLength + walk + cJSON_Delete of the same 200 page bodies
 *   profile_core cjsonbig : the same with one 2 KB allocation per page (glibc consolidates its fast
 *                           bins on such a request: the cost every loop that allocates per page pays)
 *   profile_core cjsonadd : a hand-written add without curl: cJSON body, query text, parse of the reply
 * Only the measured loop is instrumented (CALLGRIND_START/STOP_INSTRUMENTATION).
 * Build and run (after cmake --build build-perf):
 *   cc -O2 -g -std=c11 -Icore/include bench/c/profile_core.c -o build-perf/profile_core \
 *      build-perf/libaudkit.a $(pkg-config --libs libcurl libcjson libcrypto) -lpthread -lm
 *   valgrind --tool=callgrind --instr-atstart=no build-perf/profile_core pages
 *   callgrind_annotate --inclusive=yes callgrind.out.<pid> */
#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#define PAGES 200
#define PER_PAGE 100
#define CALLS 1000

static int64_t fake_clock(void *ud) {
    (void)ud;
    return 1700000000000LL;
}
static int fake_random(void *ud, unsigned char *buf, size_t len) {
    unsigned *s = ud;
    for (size_t i = 0; i < len; i++) {
        *s = *s * 1103515245u + 12345u;
        buf[i] = (unsigned char)(*s >> 16);
    }
    return 0;
}

static char *page_body(int page) {
    size_t cap = 1 << 20, off = 0;
    char *b = malloc(cap);
    off +=
        (size_t)snprintf(b + off, cap - off, "{\"code\":0,\"message\":\"\",\"message_cn\":\"\",\"data\":{\"list\":[");
    for (int i = 0; i < PER_PAGE; i++) {
        long id = 100000000L + (long)(page - 1) * PER_PAGE + i;
        off += (size_t)snprintf(
            b + off, cap - off,
            "%s{\"audience_id\":%ld,\"account_id\":12345678,\"name\":\"seed_%ld\",\"external_audience_id\":\"\","
            "\"description\":\"benchmark audience\",\"cooperated\":false,\"type\":\"CUSTOMER_FILE\","
            "\"source\":\"ADVERTISER_OWN_DATA\",\"status\":\"PENDING\",\"error_code\":0,\"user_count\":0,"
            "\"is_own\":true,\"created_time\":\"2026-12-07 12:00:00\",\"last_modified_time\":\"2026-12-07 12:00:00\"}",
            i ? "," : "", id, id);
    }
    off += (size_t)snprintf(b + off, cap - off,
                            "],\"page_info\":{\"page\":%d,\"page_size\":%d,\"total_number\":%d,\"total_page\":%d}}}",
                            page, PER_PAGE, PAGES * PER_PAGE, PAGES);
    return b;
}

static ak_client *client(ak_transport *t, unsigned *seed) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = cJSON_Parse("{\"access_token\":\"tok_0123456789abcdef\"}");
    if (ak_client_new(&c, "tencent_ads", cfg, &err) != AK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(2);
    }
    cJSON_Delete(cfg);
    ak_transport_recording_new(t, &err);
    ak_client_set_transport(c, t);
    ak_client_set_clock(c, fake_clock, NULL);
    ak_client_set_random(c, fake_random, seed);
    return c;
}

static int run_pages(void) {
    ak_transport t;
    unsigned seed = 1;
    ak_client *c = client(&t, &seed);
    char *bodies[PAGES];
    for (int p = 0; p < PAGES; p++) {
        bodies[p] = page_body(p + 1);
        ak_recording_push(&t, 200, NULL, bodies[p]);
    }
    cJSON *params = cJSON_Parse("{\"account_id\":12345678}");
    ak_error err = AK_ERROR_INIT;
    long items = 0, pages = 0;
    CALLGRIND_START_INSTRUMENTATION;
    ak_pager *pg = NULL;
    if (ak_pager_new(&pg, c, "custom_audiences.list", params, &err) != AK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int has = 1;
    while (ak_drive_pager(c, pg, NULL, &has, &err) == AK_OK && has) {
        pages++;
        for (const cJSON *it = ak_pager_items(pg)->child; it; it = it->next)
            items++;
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    if (err.kind != AK_ERR_NONE) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    printf("pages %ld items %ld\n", pages, items);
    ak_pager_free(pg);
    cJSON_Delete(params);
    for (int p = 0; p < PAGES; p++)
        free(bodies[p]);
    ak_client_free(c);
    return items == PAGES * PER_PAGE ? 0 : 1;
}

static int big_alloc = 0; /* cjsonbig: one 2 KB allocation per page, as ak_call_new makes */

static int run_cjson(void) {
    char *bodies[PAGES];
    for (int p = 0; p < PAGES; p++)
        bodies[p] = page_body(p + 1);
    long items = 0;
    CALLGRIND_START_INSTRUMENTATION;
    for (int p = 0; p < PAGES; p++) {
        void *big = big_alloc ? calloc(1, 2048) : NULL;
        cJSON *j = cJSON_ParseWithLength(bodies[p], strlen(bodies[p]));
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "data"), "list");
        for (const cJSON *it = list ? list->child : NULL; it; it = it->next)
            items += cJSON_GetObjectItemCaseSensitive(it, "audience_id") != NULL;
        cJSON_Delete(j);
        free(big);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("items %ld\n", items);
    for (int p = 0; p < PAGES; p++)
        free(bodies[p]);
    return 0;
}

static int run_add(void) {
    ak_transport t;
    unsigned seed = 1;
    ak_client *c = client(&t, &seed);
    char body[128];
    for (int i = 0; i < CALLS; i++) {
        snprintf(body, sizeof body, "{\"code\":0,\"message\":\"\",\"message_cn\":\"\",\"data\":{\"audience_id\":%d}}",
                 5000 + i);
        ak_recording_push(&t, 200, NULL, body);
    }
    cJSON *params[CALLS];
    for (int i = 0; i < CALLS; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"account_id\":12345678,\"name\":\"aud_%d\",\"type\":\"CUSTOMER_FILE\","
                 "\"description\":\"benchmark audience\"}",
                 i);
        params[i] = cJSON_Parse(text);
    }
    ak_error err = AK_ERROR_INIT;
    long ok = 0;
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < CALLS; i++) {
        ak_json *res = NULL;
        if (ak_call_simple(c, "custom_audiences.add", params[i], &res, &err) == AK_OK)
            ok++;
        cJSON_Delete(res);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("ok %ld (%s)\n", ok, err.message);
    if (ak_recording_count(&t) > 0) {
        const ak_request *r = ak_recording_get(&t, 0);
        printf("%s %s\n%.*s\n", r->method, r->url, (int)r->body_len, r->body);
    }
    for (int i = 0; i < CALLS; i++)
        cJSON_Delete(params[i]);
    ak_client_free(c);
    return ok == CALLS ? 0 : 1;
}

/* The hand-written add without curl: cJSON body + query text + parse of the response. */
static int run_cjsonadd(void) {
    char resp[CALLS][128];
    for (int i = 0; i < CALLS; i++)
        snprintf(resp[i], sizeof resp[i],
                 "{\"code\":0,\"message\":\"\",\"message_cn\":\"\",\"data\":{\"audience_id\":%d}}", 5000 + i);
    long ok = 0;
    unsigned seed = 1;
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < CALLS; i++) {
        char name[32], url[512], nonce[33];
        unsigned char rnd[16];
        snprintf(name, sizeof name, "aud_%d", i);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "account_id", 12345678);
        cJSON_AddStringToObject(b, "name", name);
        cJSON_AddStringToObject(b, "type", "CUSTOMER_FILE");
        cJSON_AddStringToObject(b, "description", "benchmark audience");
        char *text = cJSON_PrintUnformatted(b);
        fake_random(&seed, rnd, sizeof rnd);
        for (int k = 0; k < 16; k++)
            snprintf(nonce + 2 * k, 3, "%02x", rnd[k]);
        snprintf(url, sizeof url,
                 "https://api.e.qq.com/v1.1/custom_audiences/add?access_token=%s&timestamp=%ld&nonce=%s",
                 "tok_0123456789abcdef", 1700000000L, nonce);
        cJSON *r = cJSON_Parse(resp[i]);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "data");
        ok += cJSON_GetObjectItemCaseSensitive(d, "audience_id") != NULL && strlen(url) > 0;
        cJSON_Delete(r);
        free(text);
        cJSON_Delete(b);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    printf("ok %ld\n", ok);
    return 0;
}

int main(int argc, char **argv) {
    const char *m = argc > 1 ? argv[1] : "pages";
    if (!strcmp(m, "pages"))
        return run_pages();
    if (!strcmp(m, "add"))
        return run_add();
    if (!strcmp(m, "cjson"))
        return run_cjson();
    if (!strcmp(m, "cjsonbig"))
        return big_alloc = 1, run_cjson();
    if (!strcmp(m, "cjsonadd"))
        return run_cjsonadd();
    return 2;
}
