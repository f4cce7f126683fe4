/* fuzz_common.h - shared pieces of the libFuzzer targets: clients with a recording transport and a
 * fake clock, and a table of operations with valid parameters for every platform. */
#ifndef AUDKIT_FUZZ_COMMON_H
#define AUDKIT_FUZZ_COMMON_H

#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fake environment: the clock advances only by the SLEEP steps the fuzzers "take". */
typedef struct fz_env {
    int64_t now_ms;
    unsigned char next_byte;
} fz_env;

static fz_env fz_the_env = {1700000000000LL, 0};

static inline int64_t fz_clock(void *ud) { return ((fz_env *)ud)->now_ms; }
static inline int fz_random(void *ud, unsigned char *buf, size_t len) {
    fz_env *e = ud;
    for (size_t i = 0; i < len; i++)
        buf[i] = e->next_byte++;
    return 0;
}

/* One client configuration per platform flavour (secrets are recognisable for the optional leak
 * oracle: on unless FUZZ_CHECK_SECRETS=0). */
typedef struct fz_client_def {
    const char *name;
    const char *platform;
    const char *config;
    const char *secrets[4];
} fz_client_def;

static const fz_client_def fz_client_defs[] = {
    {"tencent",
     "tencent_ads",
     "{\"access_token\":\"FZSECRET-tencent-tok\",\"base_url\":\"http://127.0.0.1:9/v1.1\",\"retries\":2}",
     {"FZSECRET-tencent-tok"}},
    {"sensors_token",
     "sensors_data",
     "{\"token\":\"FZSECRET-sensors-tok\",\"project\":\"default\",\"base_url\":\"http://127.0.0.1:9/api\","
     "\"retries\":2}",
     {"FZSECRET-sensors-tok"}},
    {"sensors_key",
     "sensors_data",
     "{\"api_key\":\"FZSECRET-sensors-key\",\"project\":\"default\",\"base_url\":\"http://127.0.0.1:9/api\","
     "\"retries\":2}",
     {"FZSECRET-sensors-key"}},
    {"thinking",
     "thinking_data",
     "{\"token\":\"FZSECRET-thinking-tok\",\"base_url\":\"http://127.0.0.1:9\",\"retries\":2}",
     {"FZSECRET-thinking-tok"}},
    {"baidu_cloud",
     "baidu_search",
     "{\"op_username\":\"op\",\"op_password\":\"FZSECRET-bd-op\",\"tg_username\":\"tg\","
     "\"tg_password\":\"FZSECRET-bd-tg\",\"tg_subname\":\"sub\",\"bce_user\":\"bce\",\"access_key\":\"ak\","
     "\"secret_key\":\"FZSECRET-bd-sk\",\"base_url\":\"http://127.0.0.1:9/v1/cloud\",\"retries\":2}",
     {"FZSECRET-bd-op", "FZSECRET-bd-tg", "FZSECRET-bd-sk"}},
    {"baidu_direct",
     "baidu_search",
     "{\"user_name\":\"u\",\"access_token\":\"FZSECRET-bd-direct\","
     "\"base_url\":\"http://127.0.0.1:9/json/sms/service\",\"retries\":2}",
     {"FZSECRET-bd-direct"}},
    {"volcengine",
     "volcengine_live",
     "{\"access_key\":\"AKLTfuzz\",\"secret_key\":\"FZSECRET-volc-sk\",\"session_token\":\"FZSECRET-volc-st\","
     "\"base_url\":\"http://127.0.0.1:9\",\"retries\":2}",
     {"FZSECRET-volc-sk", "FZSECRET-volc-st"}},
};
#define FZ_NCLIENTS (sizeof fz_client_defs / sizeof fz_client_defs[0])

/* Operations with valid parameters (rows whose parameters no longer validate are dropped at start). */
typedef struct fz_op_def {
    int client; /* index into fz_client_defs */
    const char *op;
    const char *params;
} fz_op_def;

#define FZ_TENCENT_ADD                                                                                                 \
    "{\"account_id\":1,\"name\":\"seed\",\"type\":\"LOOKALIKE\",\"audience_spec\":{\"lookalike_spec\":"                \
    "{\"seed_audience_id\":9,\"expand_user_count\":1000000}}}"
#define FZ_TD_ADD                                                                                                      \
    "{\"project_id\":102,\"cluster_name\":\"c_1\",\"cluster_catalog\":\"catalog_cluster\",\"cluster_type\":"           \
    "\"cluster_by_static_condition\",\"display_name\":\"d\",\"qp\":{\"events\":[{\"comparator\":\"greater\","          \
    "\"event_name\":\"e\",\"num\":\"4\",\"recent_day\":\"1-7\",\"ta_prop_quota\":{\"analysis\":\"TIMES\"}}],"          \
    "\"event_relation\":\"and\",\"relation\":\"and\",\"event_user_relation\":\"and\"}}"
#define FZ_TD_UPDATE                                                                                                   \
    "{\"project_id\":102,\"cluster_id\":5,\"cluster_catalog\":\"catalog_cluster\",\"display_name\":\"x\","             \
    "\"qp\":{\"events\":[],\"event_relation\":\"and\",\"relation\":\"and\",\"event_user_relation\":\"and\"}}"
#define FZ_BD_ADD                                                                                                      \
    "{\"keyword_types\":[{\"adgroup_id\":1,\"keyword\":\"k\",\"price\":1.5},{\"adgroup_id\":2,\"keyword\":\"q\"}]}"

static const fz_op_def fz_op_defs[] = {
    {0, "custom_audiences.add", FZ_TENCENT_ADD},
    {0, "custom_audiences.update", "{\"account_id\":1,\"audience_id\":5,\"description\":\"d\"}"},
    {0, "custom_audiences.get", "{\"account_id\":1,\"page\":1,\"page_size\":10}"},
    {0, "custom_audiences.list", "{\"account_id\":1,\"page_size\":10}"},
    {0, "custom_audiences.delete", "{\"account_id\":1,\"audience_id\":5}"},
    {1, "user_tags.get", "{\"id\":1}"},
    {1, "user_tags.list_page", "{}"},
    {1, "user_tags.list", "{}"},
    {2, "user_tags.partitions", "{\"id\":1}"},
    {2, "user_tags.partitions_page", "{\"id\":1}"},
    {2, "user_tags.dirs", "{}"},
    {3, "clusters.add", FZ_TD_ADD},
    {3, "clusters.list", "{\"project_id\":102}"},
    {3, "clusters.list_page", "{\"project_id\":102}"},
    {3, "clusters.detail", "{\"project_id\":102,\"cluster_id\":5}"},
    {3, "clusters.detail", "{\"project_id\":102,\"cluster_name\":\"c_1\"}"},
    {3, "clusters.update", FZ_TD_UPDATE},
    {3, "clusters.delete", "{\"project_id\":102,\"cluster_id\":5}"},
    {3, "clusters.refresh", "{\"project_id\":102,\"cluster_id\":5}"},
    {3, "clusters.refresh_progress", "{\"project_id\":102,\"cluster_id\":5}"},
    {3, "clusters.wait_refreshed", "{\"project_id\":102,\"cluster_id\":5,\"timeout\":5}"},
    {4, "keywords.add", FZ_BD_ADD},
    {4, "keywords.get", "{\"ids\":[1,2,3],\"id_type\":\"keyword\"}"},
    {4, "keywords.get_word", "{\"ids\":[1,2,3],\"id_type\":11}"},
    {4, "keywords.update", "{\"keyword_types\":[{\"keyword_id\":1,\"price\":2.5}]}"},
    {4, "keywords.delete", "{\"keyword_ids\":[1,2]}"},
    {5, "keywords.add", FZ_BD_ADD},
    {5, "keywords.get", "{\"ids\":[1,2,3],\"id_type\":\"adgroup\"}"},
    {6, "get_account_user_track_data", "{\"user_id\":1}"},
    {6, "get_account_user_track_data", "{\"external_id\":\"e\",\"activity_id\":3}"},
};
#define FZ_NOPS (sizeof fz_op_defs / sizeof fz_op_defs[0])

static size_t fz_ok_index[FZ_NOPS], fz_nok;

/* A fresh client of fz_client_defs[i] with a recording transport and the fake environment reset
 * (one per input, so an input's outcome never depends on earlier inputs). */
static inline ak_client *fz_new_client(int i) {
    fz_the_env.now_ms = 1700000000000LL;
    fz_the_env.next_byte = 0;
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    cJSON *cfg = cJSON_Parse(fz_client_defs[i].config);
    if (!cfg || ak_client_new(&c, fz_client_defs[i].platform, cfg, &err) != AK_OK) {
        fprintf(stderr, "fuzz: client %s: %s\n", fz_client_defs[i].name, err.message);
        abort();
    }
    cJSON_Delete(cfg);
    ak_transport t;
    if (ak_transport_recording_new(&t, &err) != AK_OK)
        abort();
    ak_client_set_transport(c, &t);
    ak_client_set_clock(c, fz_clock, &fz_the_env);
    ak_client_set_random(c, fz_random, &fz_the_env);
    ak_error_cleanup(&err);
    return c;
}

/* Checks every operation row once (stderr tells which rows were dropped). */
static inline void fz_init(void) {
    ak_global_init();
    for (size_t i = 0; i < FZ_NOPS; i++) {
        ak_client *c = fz_new_client(fz_op_defs[i].client);
        const ak_op *op = ak_op_find(ak_client_platform(c), fz_op_defs[i].op);
        cJSON *params = cJSON_Parse(fz_op_defs[i].params);
        ak_error err = AK_ERROR_INIT;
        int ok = 0;
        if (op && params) {
            if (op->kind == AK_OP_PAGER || op->kind == AK_OP_CHUNKED) {
                ak_pager *p = NULL;
                ok = ak_pager_new(&p, c, fz_op_defs[i].op, params, &err) == AK_OK;
                ak_pager_free(p);
            } else {
                ak_call *call = NULL;
                ok = ak_call_new(&call, c, fz_op_defs[i].op, params, &err) == AK_OK;
                ak_call_free(call);
            }
        }
        if (!ok)
            fprintf(stderr, "fuzz: dropping %s %s: %s\n", fz_client_defs[fz_op_defs[i].client].name, fz_op_defs[i].op,
                    op ? err.message : "no such operation");
        else
            fz_ok_index[fz_nok++] = i;
        ak_error_cleanup(&err);
        cJSON_Delete(params);
        ak_client_free(c);
    }
    if (fz_nok == 0)
        abort();
}

/* Checks the invariants of an error value, and that no credential of the client appears in it
 * (issue 7 item 7; FUZZ_CHECK_SECRETS=0 turns that oracle off). */
static inline void fz_check_error(const ak_error *e, int client) {
    if (!e || e->kind <= AK_ERR_NONE || e->kind >= AK_ERR__COUNT)
        abort();
    if (!memchr(e->message, 0, sizeof e->message) || !memchr(e->vendor_code, 0, sizeof e->vendor_code) ||
        !memchr(e->request_id, 0, sizeof e->request_id) || !memchr(e->field, 0, sizeof e->field) ||
        !memchr(e->rule, 0, sizeof e->rule))
        abort();
    for (size_t i = 0; i < e->nviolations; i++)
        if (!memchr(e->violations[i].field, 0, sizeof e->violations[i].field))
            abort();
    static int check_secrets = -1;
    if (check_secrets < 0) {
        const char *v = getenv("FUZZ_CHECK_SECRETS");
        check_secrets = !(v && *v == '0');
    }
    if (check_secrets && client >= 0) {
        for (int i = 0; i < 4 && fz_client_defs[client].secrets[i]; i++) {
            const char *s = fz_client_defs[client].secrets[i];
            if (strstr(e->message, s) || strstr(e->vendor_code, s) || strstr(e->request_id, s)) {
                fprintf(stderr, "fuzz: secret %s leaked into an error: %s\n", s, e->message);
                abort();
            }
        }
    }
}

/* Walks a result tree (printing it exercises every node). */
static inline void fz_touch(const cJSON *j) {
    if (!j)
        return;
    char *s = cJSON_PrintUnformatted(j);
    free(s);
}

#endif
