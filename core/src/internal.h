/* internal.h - private structures shared by the core's translation units. Not installed. */
#ifndef AUDKIT_INTERNAL_H
#define AUDKIT_INTERNAL_H

#include "audkit/audkit.h"
#include "audkit/batch.h"
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>

/* ---- growable byte buffer (owned storage in `p`, always NUL-terminated when non-NULL) ---- */
typedef struct ak_buf {
    char *p;
    size_t len, cap;
    bool oom;
} ak_buf;

void ak_buf_free(ak_buf *b);
bool ak_buf_append(ak_buf *b, const char *s, size_t n);
/* Room for `extra` more bytes and the NUL at b->p + b->len (writers then advance b->len). */
bool ak_buf_reserve(ak_buf *b, size_t extra);
bool ak_buf_puts(ak_buf *b, const char *s);
bool ak_buf_printf(ak_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* RFC 3986 percent-encoding: only A-Za-z0-9-_.~ left bare (space = %20). */
bool ak_buf_urlencode(ak_buf *b, const char *s, size_t n);
/* A signer's canonical URI: %XX escapes decoded (as the server reads the path), then every byte
 * but A-Za-z0-9-_.~ and '/' percent-encoded; "/" for an empty path. */
bool ak_buf_canonical_path(ak_buf *b, const char *path);
/* Takes the buffer's storage (owned, malloc'd; "" when empty); NULL on OOM. */
char *ak_buf_take(ak_buf *b);

/* Owned copies (free with free()); NULL on OOM (ak_strdup(NULL) is NULL). */
char *ak_strdup(const char *s);
char *ak_strndup(const char *s, size_t n);
/* Copies with truncation into a fixed buffer. */
void ak_strlcpy(char *dst, const char *src, size_t cap);

/* ---- errors ---- */
void ak_error_set(ak_error *err, ak_error_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ak_error_nomem(ak_error *err);
/* Appends one violation (also fills err->field/rule with the first one). */
void ak_error_add_violation(ak_error *err, const char *field, const char *rule);

/* ---- JSON helpers ---- */
/* Exact integers in trees: a cJSON number holds an integer only up to 2^53 - 1 in magnitude;
 * larger ones are raw nodes (cJSON_Raw) whose valuestring is the exact decimal digits
 * ("-?[0-9]+", possibly beyond int64). Read every integer with ak_json_int64. */
#define AK_MAX_SAFE_INT 9007199254740991.0 /* 2^53 - 1: larger doubles may already be rounded */
/* Reads an exact integer from a number up to 2^53 - 1, a raw digits node within int64 (or a
 * numeric string when `allow_string`). False for anything else, never a rounded value. */
bool ak_json_int64(const cJSON *v, bool allow_string, int64_t *out);
/* True for a raw node holding integer digits (any magnitude). */
bool ak_json_is_digits(const cJSON *v);
/* A new number node for |i| <= 2^53 - 1, else a raw digits node (owned; NULL on OOM). */
cJSON *ak_json_create_int64(int64_t i);
/* Exact comparison of an integer with a double bound: -1, 0 or 1 (no rounding of i). */
int ak_cmp_int64_double(int64_t i, double d);
/* Milliseconds of CLOCK_MONOTONIC (util/clock.c): the drivers' and transports' sleeps and polls. */
int64_t ak_mono_ms(void);
/* Parses JSON text (owned tree, freed with cJSON_Delete; NULL on syntax error or OOM): the tree
 * cJSON_ParseWithLength builds, except that integer literals of magnitude 2^53 or more become raw
 * digits nodes with their exact text. Every response body is parsed with it (json_parse.c: one
 * pass; a string or raw node and its text are one allocation (cJSON_IsReference), known keys
 * point at static strings (cJSON_StringIsConst); cJSON_Delete, cJSON_Duplicate and the cJSON_Is*
 * tests work on it as on cJSON's own trees). */
cJSON *ak_json_parse(const char *text, size_t len);
/* For the bindings' parameter trees (json_parse.c), built as ak_json_parse builds its nodes: a
 * string node holding a copy of the n bytes at s in its own allocation (owned; NULL on OOM), and
 * adding a member under key (klen bytes, NUL-terminated) pointing at the static key when the key
 * is a known one, else a copy (false on OOM: then item is not added; the caller frees it). */
cJSON *ak_json_new_string(const char *s, size_t n);
bool ak_json_add_member(cJSON *obj, const char *key, size_t klen, cJSON *item);
/* Dotted path lookup ("page_info.total_page"); NULL when absent. Borrowed. */
cJSON *ak_json_path(const cJSON *obj, const char *path);
/* Compact JSON text with integers printed exactly: raw digits nodes as they are, integral doubles
 * without an exponent (owned; NULL on OOM). */
char *ak_json_print(const cJSON *v);
/* Dotted paths ("page_info.total_page"): copies the next segment into `seg` and advances *p past
 * it and its dot. Returns 1 for a segment, 0 at the end, -1 for a segment longer than cap - 1. */
int ak_path_next(const char **p, char *seg, size_t cap);
/* The query-string text of a scalar or the JSON text of an array/object (owned). */
char *ak_json_query_value(const cJSON *v);

/* A value's path in a schema walk (validate.c, decode.c): a chain of keys and indexes up to the
 * caller's prefix, formatted only when an error names it. key NULL: an array index. */
typedef struct ak_spath {
    const struct ak_spath *up;
    const char *key;
    int index;
} ak_spath;
/* "a.b[2].c" into out (cut at cap); schema/lookup.c. */
void ak_spath_text(char *out, size_t cap, const ak_spath *p);

/* ---- descriptor internals ---- */
typedef struct ak_req_build ak_req_build;

/** One query parameter or header, owned strings. */
typedef struct ak_kv {
    char *name;
    char *value;
} ak_kv;

/** The request being assembled for one attempt. */
struct ak_req_build {
    const char *method;
    char *path;   /* owned: base path + op path after substitution */
    ak_kv *query; /* owned array */
    size_t nquery, capquery;
    ak_kv *headers; /* owned array */
    size_t nheaders, capheaders;
    char *body; /* owned, unless body_borrowed (the call's body, lent to each attempt) */
    size_t body_len;
    /* An authorize hook that replaces the body frees the old one only when this is false, and
     * sets it to false for the body it puts in (owned). */
    bool body_borrowed;
};

bool ak_rb_add_query(ak_req_build *rb, const char *name, const char *value);
bool ak_rb_add_header(ak_req_build *rb, const char *name, const char *value);
void ak_rb_cleanup(ak_req_build *rb);

/* ---- failure classification (error_rules.c) ---- */
/* What a failure proves about the request, which decides whether the engine sends it again. */
typedef enum ak_retry_class {
    AK_RETRY_NEVER,         /* retrying cannot help (business, auth, daily quota, decode errors) */
    AK_RETRY_IF_IDEMPOTENT, /* transient, but the server may have acted: only idempotent ops */
    AK_RETRY_ALWAYS         /* proven not processed (connect failure, rate-limit rejection) */
} ak_retry_class;

/* One row of a vendor's table: matches an error by HTTP status range and/or vendor code (exact,
 * a prefix when the pattern ends in '*', or a numeric range), then gives its kind and class. */
typedef struct ak_error_rule {
    int status_lo, status_hi;   /* HTTP status range; 0/0 = any */
    const char *code;           /* vendor code pattern; NULL = any */
    long long code_lo, code_hi; /* numeric vendor code range when code is NULL and code_hi != 0 */
    ak_error_kind kind;         /* kind to give; AK_ERR__COUNT keeps the mapper's */
    ak_retry_class retry;
    const char *note; /* appended to the message; NULL none */
} ak_error_rule;

extern const ak_error_rule ak_error_rules_tencent_ads[], ak_error_rules_sensors_data[], ak_error_rules_thinking_data[],
    ak_error_rules_baidu_search[], ak_error_rules_volcengine_live[], ak_error_rules_common[];
/* True for a table's END row. */
bool ak_error_rule_is_end(const ak_error_rule *r);
/* The first row matching err (the platform's table, then the common rows); NULL when none. */
const ak_error_rule *ak_error_rule_find(const ak_platform *p, const ak_error *err);
/* Applies the matching row to err (kind, note) and returns its retry class. */
ak_retry_class ak_error_classify(const ak_platform *p, ak_error *err);

struct ak_platform {
    const char *key;
    const char *display_name;
    const char *default_base_url;
    const char *const *credentials; /* accepted credential names */
    const char *const *secrets;     /* subset never printed */
    /* Checks the configured credentials (required combinations). */
    int (*check_credentials)(const ak_client *c, ak_error *err);
    /* Adds authentication to one attempt (fresh nonce/timestamp/signature each time). */
    int (*authorize)(ak_client *c, ak_req_build *rb, ak_error *err);
    /* Maps a response to a result (owned, may be NULL) or an error with kind/retryable. */
    int (*map_response)(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err);
    const ak_op *ops;
    size_t nops;
    const ak_schema *const *models; /* NULL-terminated */
    /* Default base URL chosen from the configured credentials (Baidu's two flavours); NULL
     * hook or NULL result: default_base_url. Called after credentials are read. */
    const char *(*default_base_url_for)(const ak_client *c);
    /* The vendor's failure table (error_rules.c), terminated by its END row. */
    const ak_error_rule *error_rules;
};

/* Checks every row of a platform (check.c): path placeholders name path fields, path fields appear
 * in a route, variants, pager/chunked/waiter rows agree with their targets, aliases resolve, rule
 * paths resolve. Every problem is one violation "platform.op[.field]": rule. AK_OK when clean. */
int ak_platform_check(const ak_platform *p, ak_error *err);

/* Registry of platforms (registry.c). */
extern const ak_platform ak_platform_tencent_ads;
extern const ak_platform ak_platform_sensors_data;
extern const ak_platform ak_platform_thinking_data;
extern const ak_platform ak_platform_baidu_search;
extern const ak_platform ak_platform_volcengine_live;

/* ---- client internals ---- */
#define AK_DEFAULT_MAX_RESPONSE_BYTES ((size_t)64 * 1024 * 1024)
struct ak_client {
    const ak_platform *platform;
    char *base_url;     /* owned, without trailing slash */
    cJSON *credentials; /* owned object: name -> string */
    long timeout_ms, connect_timeout_ms;
    int retries;
    int64_t backoff_ms, max_backoff_ms;
    int64_t deadline_ms;       /* bound on a whole call (retries and sleeps included); 0 = none */
    size_t max_response_bytes; /* after decompression */
    int max_concurrency;       /* batch chunks sent at once (batch.h), 1..AK_MAX_CONCURRENCY */
    bool validate;
    ak_transport transport; /* owned */
    bool has_transport;
    ak_clock_fn clock;
    void *clock_ud;
    ak_random_fn random;
    void *random_ud;
    unsigned jitter_state;
};

/* Replaces every occurrence of a configured secret (raw, percent-encoded or JSON-escaped) in the
 * NUL-terminated `s` by "***", in place (the text only shrinks). */
void ak_client_scrub(const ak_client *c, char *s);
/* Sets err to `kind` with a message formatted from a vendor's response: the whole text is scrubbed
 * of secrets first and only then truncated into err->message (so no prefix of a secret survives). */
void ak_error_set_vendor(ak_error *err, const ak_client *c, ak_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Credential value by name (borrowed), NULL when absent. */
const char *ak_client_credential(const ak_client *c, const char *name);
/* Random bytes from the client's source; AK_OK/AK_FAIL. */
int ak_client_random(ak_client *c, unsigned char *buf, size_t len, ak_error *err);
/* Days since epoch of "today" in GMT+8 from the client's clock. */
int64_t ak_client_today_gmt8(const ak_client *c);

/* Checks per-call options (call.c): a VALIDATION error naming each bad option. */
int ak_call_options_check(const ak_call_options *o, ak_error *err);

/* ---- rate limits (rate.c) ---- */
/* Reserves the next send slot of the client's account (shared by every client of the process with
 * the same platform and first credential): 0 when the caller may send now (the slot is taken),
 * else the milliseconds to wait before asking again. Thread-safe. */
int64_t ak_rate_reserve(ak_client *c, int64_t now, int64_t interval_ms);
/* Forgets every account's slot (tests that replay one clock with several clients). */
void ak_rate_reset(void);

/* ---- retry policy (retry.c) ---- */
/* Delay before attempt `next_attempt` (2, 3, ...): exponential with jitter, capped at max_backoff_ms. */
int64_t ak_retry_backoff_ms(ak_client *c, int next_attempt, int64_t max_backoff_ms);
/* Parses Retry-After seconds from response headers; -1 when absent. */
int64_t ak_retry_after_ms(const ak_response *resp);

/* ---- shared envelope helpers ---- */
/* Parses a response body as JSON (owned) or sets a DECODE error. */
cJSON *ak_parse_body(const ak_response *resp, ak_error *err);
/* Maps a non-2xx response without a recognised envelope to AK_ERR_HTTP. */
void ak_error_from_http(const ak_response *resp, ak_error *err);
/* Looks up a response header (case-insensitive); borrowed or NULL. */
const char *ak_response_header(const ak_response *resp, const char *name);

/* ---- schema helpers ---- */
/* The field named `key` (wire name, snake_case name or alias; the first in declaration order),
 * through the schema's hash index (lookup.c); NULL when absent. */
const ak_field *ak_schema_lookup(const ak_schema *s, const char *key);
/* The same, for the members of one object walked in order: tries the field after the last one
 * found first. The cursor starts zeroed ({0}), one per object. */
typedef struct ak_lookup_cursor {
    bool started;
    size_t next;       /* the field after the last one found */
    const void *index; /* the schema's index (lookup.c), NULL: linear search */
    bool by_wire;      /* the last key found is that field's wire name */
} ak_lookup_cursor;
const ak_field *ak_schema_lookup_from(const ak_schema *s, const char *key, ak_lookup_cursor *cur);
/* The linear search the index replaces (tests compare the two); true when `s` is indexed. */
const ak_field *ak_schema_lookup_linear(const ak_schema *s, const char *key);
/* The static key set (lookup.c): every wire name and alias of every registry schema and the
 * vendors' envelope keys. ak_static_key returns the static string equal to the n bytes at k,
 * or NULL; call ak_static_keys_init first (once per
 * parse; thread-safe). Borrowed: static storage. */
/* True when op's response can hold a list (pages, batches, list results, streams, untyped
 * results): its requests ask for a compressed body (ak_request.compress). call.c. */
bool ak_op_result_can_be_large(const ak_op *op);
void ak_static_keys_init(void);
const char *ak_static_key(const char *k, size_t n);
size_t ak_static_key_count(void);
bool ak_schema_indexed(const ak_schema *s);
/* Tests: builds the index of any schema `s` in a temporary table and looks up each key of the
 * NULL-terminated `keys` with it (out[i], NULL when absent); *unique as the index records it.
 * AK_FAIL on OOM. ak_schema_key_hash is the index's hash (tests find keys that collide). */
int ak_schema_index_probe(const ak_schema *s, const char *const *keys, const ak_field **out, bool *unique);
uint32_t ak_schema_key_hash(const char *key);
/* ak_schema_validate and ak_schema_encode in one: the parameters are encoded once, the rules
 * checked on that tree, and the tree (owned) handed to *out when valid (*out NULL on failure; every
 * violation in err as ak_schema_validate reports them). `s` NULL: no rules, *out a copy. */
int ak_schema_validate_encode(const ak_schema *s, const ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                              ak_error *err, ak_json **out);
/* The same on a tree the caller gives away (`value` owned: encoded in place, no copy; handed to
 * *out when valid, freed otherwise). */
int ak_schema_validate_encode_owned(const ak_schema *s, ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                                    ak_error *err, ak_json **out);
/* ak_schema_encode's result made in `value` itself (owned by the caller; keys become the
 * descriptors' static wire names). AK_FAIL on OOM, the tree then partly encoded. */
int ak_schema_encode_inplace(const ak_schema *s, ak_json *value);
/* The wire value a readable alias stands for ("keyword" -> "11", true -> "1"), or NULL. Static. */
const char *ak_field_alias_value(const ak_field *f, const cJSON *v);
/* The member of object `obj` named `name`, or named by the wire name of the field `name` finds in
 * `s` (borrowed; NULL when absent or `obj` is not an object). *f receives the field (may be NULL). */
cJSON *ak_schema_member(const ak_schema *s, const cJSON *obj, const char *name, const ak_field **f);

#endif
