/* harness.h - a tiny test harness for the C suite (no dependencies). */
#ifndef AUDKIT_TEST_HARNESS_H
#define AUDKIT_TEST_HARNESS_H

#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures = 0, t_checks = 0;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        t_checks++;                                                                                                    \
        if (!(cond)) {                                                                                                 \
            t_failures++;                                                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
        }                                                                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                                                \
    do {                                                                                                               \
        const char *a_ = (a), *b_ = (b);                                                                               \
        t_checks++;                                                                                                    \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                                       \
            t_failures++;                                                                                              \
            fprintf(stderr, "%s:%d: CHECK_STR failed:\n  got:      %s\n  expected: %s\n", __FILE__, __LINE__,          \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                                           \
        }                                                                                                              \
    } while (0)

#define RUN(fn)                                                                                                        \
    do {                                                                                                               \
        int before_ = t_failures;                                                                                      \
        fn();                                                                                                          \
        fprintf(stderr, "%s %s\n", t_failures == before_ ? "ok  " : "FAIL", #fn);                                      \
    } while (0)

#define DONE()                                                                                                         \
    do {                                                                                                               \
        fprintf(stderr, "%d checks, %d failed\n", t_checks, t_failures);                                               \
        return t_failures ? 1 : 0;                                                                                     \
    } while (0)

/* True when the error names a violation of `field` (whose rule contains `needle`, when given). */
static inline int has_violation(const ak_error *e, const char *field, const char *needle) {
    for (size_t i = 0; i < e->nviolations; i++)
        if (strcmp(e->violations[i].field, field) == 0 && (!needle || strstr(e->violations[i].rule, needle)))
            return 1;
    return 0;
}

/* Parses JSON text; aborts the test binary on syntax errors in test data. */
static inline cJSON *J(const char *text) {
    cJSON *j = cJSON_Parse(text);
    if (!j) {
        fprintf(stderr, "bad test JSON: %s\n", text);
        exit(2);
    }
    return j;
}

/* A fixed clock and a counting random source, for byte-exact requests. */
typedef struct fake_env {
    int64_t now_ms;
    unsigned char next_byte;
    int64_t slept_ms;
} fake_env;

static inline int64_t fake_clock(void *ud) { return ((fake_env *)ud)->now_ms; }
static inline int fake_random(void *ud, unsigned char *buf, size_t len) {
    fake_env *e = ud;
    for (size_t i = 0; i < len; i++)
        buf[i] = e->next_byte++;
    return 0;
}

/* Creates a client with a recording transport and the fake environment. */
static inline ak_client *recording_client(const char *platform, const char *config, fake_env *env) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = J(config);
    if (ak_client_new(&c, platform, cfg, &err) != AK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(2);
    }
    cJSON_Delete(cfg);
    ak_transport t;
    ak_transport_recording_new(&t, &err);
    ak_client_set_transport(c, &t);
    if (env) {
        ak_client_set_clock(c, fake_clock, env);
        ak_client_set_random(c, fake_random, env);
    }
    ak_error_cleanup(&err);
    return c;
}

#endif
