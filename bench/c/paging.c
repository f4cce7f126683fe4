/* bench/c/paging.c - the reference paging loop: libcurl + cJSON only, written by hand.
 * One reused easy handle fetches pages 1..PAGES of GET <base>/custom_audiences/get, each body is
 * cJSON_Parse'd, data.list walked, every item's audience_id and name read (ids summed), then
 * cJSON_Delete'd. Repeats ROUNDS times and prints one JSON line per round:
 * {"items": N, "seconds": S, "cpu": CPU_S, "sum": SUM} (cpu: user + system time of the process).
 * Usage: paging BASE_URL PAGES ROUNDS   (BASE_URL like http://127.0.0.1:PORT/v1.1) */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char *p;
    size_t n, cap;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *ud) {
    buf *b = ud;
    size_t len = sz * nm;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 0;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, len);
    b->n += len;
    b->p[b->n] = 0;
    return len;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void) { /* user + system CPU time of this process */
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s BASE_URL PAGES ROUNDS\n", argv[0]);
        return 2;
    }
    const char *base = argv[1];
    int pages = atoi(argv[2]), rounds = atoi(argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    buf b = {0};
    char url[1024];
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    for (int r = 0; r < rounds; r++) {
        long long items = 0, sum = 0;
        size_t namebytes = 0;
        double t0 = now(), c0 = cpu_now();
        for (int p = 1; p <= pages; p++) {
            snprintf(url, sizeof url, "%s/custom_audiences/get?account_id=1&page=%d&page_size=100", base, p);
            curl_easy_setopt(h, CURLOPT_URL, url);
            b.n = 0;
            long status = 0;
            if (curl_easy_perform(h) != CURLE_OK ||
                (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status), status != 200)) {
                fprintf(stderr, "page %d failed (HTTP %ld)\n", p, status);
                return 1;
            }
            cJSON *doc = cJSON_Parse(b.p);
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
            if (!doc || !cJSON_IsNumber(code) || code->valuedouble != 0) {
                fprintf(stderr, "page %d: bad envelope\n", p);
                return 1;
            }
            const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
            const cJSON *list = cJSON_GetObjectItemCaseSensitive(data, "list");
            const cJSON *it;
            cJSON_ArrayForEach(it, list) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "audience_id");
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
                if (!cJSON_IsNumber(id) || !cJSON_IsString(name)) {
                    fprintf(stderr, "page %d: bad item\n", p);
                    return 1;
                }
                sum += (long long)id->valuedouble;
                namebytes += strlen(name->valuestring);
                items++;
            }
            cJSON_Delete(doc);
        }
        double t = now() - t0, c = cpu_now() - c0;
        printf("{\"items\": %lld, \"seconds\": %.6f, \"cpu\": %.6f, \"sum\": %lld, \"namebytes\": %zu}\n", items, t, c,
               sum, namebytes);
        fflush(stdout);
    }
    curl_easy_cleanup(h);
    free(b.p);
    curl_global_cleanup();
    return 0;
}
