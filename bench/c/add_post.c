/* bench/c/add_post.c - the reference POST: by hand exactly what audkit's custom_audiences.add
 * does on the wire, with libcurl + cJSON only. Per call: a cJSON body {account_id, name, type,
 * description} printed unformatted, access_token (URL-escaped), timestamp (Unix seconds) and a
 * fresh random 32-hex-character nonce (getrandom) in the query string, POST with
 * Content-Type: application/json on one reused easy handle, the response parsed, code checked,
 * data.audience_id read. Prints {"calls": N, "seconds": S, "cpu": CPU_S, "sum": SUM}.
 * Usage: add_post BASE_URL CALLS   (BASE_URL like http://127.0.0.1:PORT/v1.1) */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

typedef struct {
    char *p;
    size_t n, cap;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *ud) {
    buf *b = ud;
    size_t len = sz * nm;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
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
    if (argc < 3) {
        fprintf(stderr, "usage: %s BASE_URL CALLS\n", argv[0]);
        return 2;
    }
    const char *base = argv[1];
    long calls = atol(argv[2]);
    const char *token = getenv("BENCH_TOKEN") ? getenv("BENCH_TOKEN") : "bench-access-token";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    buf b = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    long long sum = 0;
    double t0 = now(), c0 = cpu_now();
    for (long i = 0; i < calls; i++) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddNumberToObject(body, "account_id", 1);
        cJSON_AddStringToObject(body, "name", "bench_audience");
        cJSON_AddStringToObject(body, "type", "CUSTOMER_FILE");
        cJSON_AddStringToObject(body, "description", "audkit benchmark");
        char *json = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);

        unsigned char rnd[16];
        char nonce[33], url[1024];
        static const char hex[] = "0123456789abcdef";
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
            return 1;
        for (int k = 0; k < 16; k++) {
            nonce[2 * k] = hex[rnd[k] >> 4];
            nonce[2 * k + 1] = hex[rnd[k] & 15];
        }
        nonce[32] = 0;
        char *tok = curl_easy_escape(h, token, 0);
        snprintf(url, sizeof url, "%s/custom_audiences/add?access_token=%s&timestamp=%lld&nonce=%s", base, tok,
                 (long long)time(NULL), nonce);
        curl_free(tok);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
        b.n = 0;
        long status = 0;
        if (curl_easy_perform(h) != CURLE_OK || (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status), status != 200)) {
            fprintf(stderr, "call %ld failed (HTTP %ld)\n", i, status);
            return 1;
        }
        free(json);
        cJSON *doc = cJSON_Parse(b.p);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "data"), "audience_id");
        if (!cJSON_IsNumber(code) || code->valuedouble != 0 || !cJSON_IsNumber(id)) {
            fprintf(stderr, "call %ld: bad response\n", i);
            return 1;
        }
        sum += (long long)id->valuedouble;
        cJSON_Delete(doc);
    }
    double t = now() - t0, c = cpu_now() - c0;
    printf("{\"calls\": %ld, \"seconds\": %.6f, \"cpu\": %.6f, \"sum\": %lld}\n", calls, t, c, sum);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(b.p);
    curl_global_cleanup();
    return 0;
}
