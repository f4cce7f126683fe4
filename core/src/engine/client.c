/* client.c - client construction from a config object, credentials, clock and randomness. */
#include "../internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_status = AK_OK;

static void global_init_once(void) {
    global_status = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? AK_OK : AK_FAIL;
}

int ak_global_init(void) {
    pthread_once(&global_once, global_init_once);
    return global_status;
}

const char *ak_version(void) { return AK_VERSION_STRING; }

void ak_free(void *p) { free(p); }

static int64_t default_clock(void *ud) {
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The kernel's CSPRNG (getrandom: one system call, no user-space state or locks; OpenSSL's
 * RAND_bytes costs ~20k instructions per nonce), OpenSSL's where getrandom is unavailable. */
static int default_random(void *ud, unsigned char *buf, size_t len) {
    (void)ud;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return RAND_bytes(buf + got, (int)(len - got)) == 1 ? 0 : -1;
        got += (size_t)n;
    }
    return 0;
}

static const char *const options[] = {
    "base_url",       "timeout_ms",  "connect_timeout_ms", "retries",         "backoff_ms",
    "max_backoff_ms", "deadline_ms", "max_response_bytes", "proxy",           "verify",
    "ca_file",        "user_agent",  "validate",           "max_concurrency", NULL};

/* Values that travel in a request line or header must not carry CR or LF: one would end the
 * header and start another (header injection). */
static void check_header_safe(const char *name, const char *v, ak_error *err) {
    for (const char *q = v; q && *q; q++)
        if (*q == '\r' || *q == '\n') {
            ak_error_add_violation(err, name, "must not contain CR or LF characters (header injection)");
            return;
        }
}

static bool is_option(const char *k) {
    for (const char *const *o = options; *o; o++)
        if (strcmp(*o, k) == 0)
            return true;
    return false;
}

static bool is_credential(const ak_platform *p, const char *k) {
    for (const char *const *o = p->credentials; o && *o; o++)
        if (strcmp(*o, k) == 0)
            return true;
    return false;
}

/* AUDKIT_<KEY>_<PARAM>, upper-cased. */
static const char *env_value(const ak_platform *p, const char *param) {
    char name[128];
    snprintf(name, sizeof name, "AUDKIT_%s_%s", p->key, param);
    for (char *q = name; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int read_long(const cJSON *cfg, const char *k, long min, long max, long *out, ak_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, k);
    int64_t i;
    if (!v || cJSON_IsNull(v))
        return AK_OK;
    if (!ak_json_int64(v, false, &i) || i < min || i > max) {
        char rule[128];
        snprintf(rule, sizeof rule, "must be an integer between %ld and %ld", min, max);
        ak_error_add_violation(err, k, rule);
        return AK_FAIL;
    }
    *out = (long)i;
    return AK_OK;
}

static int read_bool(const cJSON *cfg, const char *k, bool *out, ak_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, k);
    if (!v || cJSON_IsNull(v))
        return AK_OK;
    if (!cJSON_IsBool(v)) {
        ak_error_add_violation(err, k, "must be a boolean");
        return AK_FAIL;
    }
    *out = cJSON_IsTrue(v);
    return AK_OK;
}

static const char *read_str(const cJSON *cfg, const char *k, ak_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, k);
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v)) {
        ak_error_add_violation(err, k, "must be a string");
        return NULL;
    }
    return v->valuestring;
}

int ak_client_new(ak_client **out, const char *platform, const ak_json *config, ak_error *err) {
    *out = NULL;
    ak_error_cleanup(err);
    if (ak_global_init() != AK_OK) {
        ak_error_set(err, AK_ERR_TRANSPORT, "libcurl global initialisation failed");
        return AK_FAIL;
    }
    const ak_platform *p = ak_platform_find(platform ? platform : "");
    if (!p) {
        ak_error_add_violation(err, "platform",
                               "must be one of: tencent_ads, sensors_data, thinking_data, "
                               "baidu_search, volcengine_live");
        return AK_FAIL;
    }
    if (config && !cJSON_IsObject(config)) {
        ak_error_add_violation(err, "config", "must be an object");
        return AK_FAIL;
    }
    ak_client *c = calloc(1, sizeof *c);
    if (!c) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    c->platform = p;
    c->timeout_ms = 30000;
    c->connect_timeout_ms = 10000;
    c->retries = 3;
    c->backoff_ms = 300;
    c->max_backoff_ms = 20000;
    c->max_response_bytes = AK_DEFAULT_MAX_RESPONSE_BYTES;
    c->validate = true;
    c->clock = default_clock;
    c->random = default_random;
    c->credentials = cJSON_CreateObject();
    if (!c->credentials)
        goto nomem;

    for (const cJSON *m = config ? config->child : NULL; m; m = m->next)
        if (!is_option(m->string) && !is_credential(p, m->string))
            ak_error_add_violation(err, m->string, "is not an option or credential of this platform");

    long retries = c->retries, backoff = (long)c->backoff_ms, max_backoff = (long)c->max_backoff_ms;
    long deadline = 0, max_resp = (long)c->max_response_bytes;
    read_long(config, "deadline_ms", 0, 86400000L, &deadline, err);
    read_long(config, "max_response_bytes", 1, 0x7fffffffL, &max_resp, err);
    c->deadline_ms = deadline;
    c->max_response_bytes = (size_t)max_resp;
    read_long(config, "timeout_ms", 1, 86400000L, &c->timeout_ms, err);
    read_long(config, "connect_timeout_ms", 1, 86400000L, &c->connect_timeout_ms, err);
    read_long(config, "retries", 0, 20, &retries, err);
    read_long(config, "backoff_ms", 0, 600000L, &backoff, err);
    read_long(config, "max_backoff_ms", 0, 3600000L, &max_backoff, err);
    long max_conc = AK_DEFAULT_CONCURRENCY; /* batch chunks sent at once (batch.h) */
    read_long(config, "max_concurrency", 1, AK_MAX_CONCURRENCY, &max_conc, err);
    c->max_concurrency = (int)max_conc;
    c->retries = (int)retries;
    c->backoff_ms = backoff;
    c->max_backoff_ms = max_backoff;
    read_bool(config, "validate", &c->validate, err);
    bool verify = true;
    read_bool(config, "verify", &verify, err);

    for (const char *const *k = p->credentials; k && *k; k++) {
        const char *v = read_str(config, *k, err);
        if (!v)
            v = env_value(p, *k);
        check_header_safe(*k, v, err);
        if (v && !cJSON_AddStringToObject(c->credentials, *k, v))
            goto nomem;
    }
    const char *base = read_str(config, "base_url", err);
    if (!base)
        base = env_value(p, "base_url");
    if (!base && p->default_base_url_for)
        base = p->default_base_url_for(c);
    if (!base)
        base = p->default_base_url;
    if (!base) {
        ak_error_add_violation(err, "base_url", "is required: this platform is self-hosted");
    } else if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
        ak_error_add_violation(err, "base_url", "must start with http:// or https://");
    } else if (strpbrk(base, "\r\n")) {
        ak_error_add_violation(err, "base_url", "must not contain CR or LF characters");
    } else {
        size_t n = strlen(base);
        while (n > 0 && base[n - 1] == '/')
            n--;
        c->base_url = ak_strndup(base, n);
        if (!c->base_url)
            goto nomem;
    }
    if (p->check_credentials)
        p->check_credentials(c, err);
    check_header_safe("user_agent", read_str(config, "user_agent", err), err);
    check_header_safe("proxy", read_str(config, "proxy", err), err);
    if (err->kind != AK_ERR_NONE) {
        ak_client_free(c);
        return AK_FAIL;
    }
    ak_curl_options co = AK_CURL_OPTIONS_INIT;
    co.proxy = read_str(config, "proxy", err);
    co.verify = verify;
    co.ca_file = read_str(config, "ca_file", err);
    co.user_agent = read_str(config, "user_agent", err);
    if (ak_transport_curl_new(&c->transport, &co, err) != AK_OK) {
        ak_client_free(c);
        return AK_FAIL;
    }
    c->has_transport = true;
    *out = c;
    return AK_OK;
nomem:
    ak_client_free(c);
    ak_error_nomem(err);
    return AK_FAIL;
}

void ak_client_free(ak_client *c) {
    if (!c)
        return;
    if (c->has_transport)
        ak_transport_destroy(&c->transport);
    free(c->base_url);
    cJSON_Delete(c->credentials);
    free(c);
}

const ak_platform *ak_client_platform(const ak_client *c) { return c->platform; }
const char *ak_client_base_url(const ak_client *c) { return c->base_url; }

void ak_client_set_transport(ak_client *c, const ak_transport *t) {
    if (c->has_transport)
        ak_transport_destroy(&c->transport);
    c->transport = *t;
    c->has_transport = true;
}

ak_transport *ak_client_transport(ak_client *c) { return c->has_transport ? &c->transport : NULL; }

void ak_client_set_clock(ak_client *c, ak_clock_fn fn, void *ud) {
    c->clock = fn ? fn : default_clock;
    c->clock_ud = fn ? ud : NULL;
}

void ak_client_set_random(ak_client *c, ak_random_fn fn, void *ud) {
    c->random = fn ? fn : default_random;
    c->random_ud = fn ? ud : NULL;
}

int64_t ak_client_now_ms(const ak_client *c) { return c->clock(c->clock_ud); }
void ak_client_set_retries(ak_client *c, int retries) { c->retries = retries < 0 ? 0 : retries; }
void ak_client_set_validate(ak_client *c, int on) { c->validate = on != 0; }

const char *ak_client_credential(const ak_client *c, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->credentials, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ak_client_random(ak_client *c, unsigned char *buf, size_t len, ak_error *err) {
    if (c->random(c->random_ud, buf, len) != 0) {
        ak_error_set(err, AK_ERR_TRANSPORT, "random source failed");
        return AK_FAIL;
    }
    return AK_OK;
}

int64_t ak_client_today_gmt8(const ak_client *c) {
    int64_t s = ak_client_now_ms(c) / 1000 + 8 * 3600;
    return s >= 0 ? s / 86400 : (s - 86399) / 86400;
}

/* Appends `url` with the password of any userinfo ("https://user:pw@host") masked. */
static void put_masked_url(ak_buf *b, const char *url) {
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t auth_len = strcspn(host, "/?#");
    const char *at = memchr(host, '@', auth_len);
    if (!at) {
        ak_buf_puts(b, url);
        return;
    }
    const char *colon = memchr(host, ':', (size_t)(at - host));
    ak_buf_append(b, url, (size_t)((colon ? colon : at) - url));
    ak_buf_puts(b, colon ? ":***" : "");
    ak_buf_puts(b, at);
}

char *ak_client_describe(const ak_client *c) {
    ak_buf b = {0};
    ak_buf_printf(&b, "%s(base_url='", c->platform->key);
    put_masked_url(&b, c->base_url ? c->base_url : "");
    ak_buf_puts(&b, "'");
    for (const cJSON *m = c->credentials->child; m; m = m->next) {
        if (ak_platform_is_secret(c->platform, m->string))
            ak_buf_printf(&b, ", %s=***", m->string);
        else
            ak_buf_printf(&b, ", %s='%s'", m->string, m->valuestring);
    }
    ak_buf_puts(&b, ")");
    return ak_buf_take(&b);
}

/* Replaces each occurrence of `needle` (n bytes, n >= 4) in s by "***". */
static void scrub_one(char *s, const char *needle, size_t n) {
    if (n < 4)
        return; /* shorter values would mask ordinary words; credentials are longer */
    for (char *p = strstr(s, needle); p; p = strstr(p + 3, needle)) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

void ak_client_scrub(const ak_client *c, char *s) {
    if (!c || !s)
        return;
    for (const cJSON *m = c->credentials ? c->credentials->child : NULL; m; m = m->next) {
        if (!ak_platform_is_secret(c->platform, m->string) || !cJSON_IsString(m))
            continue;
        const char *v = m->valuestring;
        scrub_one(s, v, strlen(v));
        ak_buf enc = {0};
        if (ak_buf_urlencode(&enc, v, strlen(v)) && enc.p)
            scrub_one(s, enc.p, enc.len);
        ak_buf_free(&enc);
        char *json = cJSON_PrintUnformatted(m); /* the JSON-escaped form, quotes included */
        if (json && strlen(json) >= 2) {
            scrub_one(s, json + 1, strlen(json) - 2);
        }
        cJSON_free(json);
    }
}

void ak_error_set_vendor(ak_error *err, const ak_client *c, ak_error_kind kind, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[2];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (!text) {
        /* no memory for the whole text: keep no vendor words at all rather than risk a secret */
        ak_error_set(err, kind, "vendor error (message withheld: out of memory)");
        return;
    }
    ak_client_scrub(c, text);
    ak_error_set(err, kind, "%s", text);
    free(text);
}
