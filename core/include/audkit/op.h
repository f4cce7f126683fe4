/* audkit/op.h - platform and operation descriptors ("operations are data").
 *
 * Every operation of every vendor is one static const ak_op row; one generic engine (call.h,
 * pager.h) executes any row. All pointers returned here are borrowed static data.
 */
#ifndef AUDKIT_OP_H
#define AUDKIT_OP_H

#include "common.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ak_op_kind {
    AK_OP_CALL = 0, /* one request/response (with retries) */
    AK_OP_PAGER,    /* lazy iterator over all items of the paged op named in `target` */
    AK_OP_CHUNKED,  /* one logical call split into several requests by id chunks */
    AK_OP_WAITER    /* polls the op named in `target` until a condition holds (a call) */
} ak_op_kind;

/** Paging styles, expressed as data (botocore-style input/output tokens). */
typedef enum ak_page_style {
    AK_PAGE_NONE = 0,
    AK_PAGE_NUMBER,      /* Tencent: page/page_size in, page_info.total_page out */
    AK_PAGE_START_COUNT, /* Sensors tag list/partitions: start (from 1) / count */
    AK_PAGE_ZERO_PAGE,   /* Sensors user export: page (from 0) / num_per_page */
    AK_PAGE_PAGER_HEADER /* ThinkingData: pagerHeader{pageNum,pageSize} / pagerResult */
} ak_page_style;

typedef struct ak_pager_desc {
    ak_page_style style;
    const char *page_param;       /* request field (snake_case, dotted for nested: "pager_header.page_num")
                                     carrying the page number (or the start index for START_COUNT) */
    const char *size_param;       /* request field carrying the page size (dotted allowed) */
    int first_page;               /* 1 for Tencent and start/count, 0 for Sensors user export */
    int max_page_size;            /* vendor maximum, used unless the caller passes a size */
    const char *items_path;       /* dotted path of the item array inside the result ("list") */
    const char *total_pages_path; /* dotted path of the total page count, or NULL */
    const char *total_items_path; /* dotted path of the total item count, or NULL */
} ak_pager_desc;

/** Chunked operations split one id list over several requests (Baidu: 10000 keyword ids or 50
 * ad-group ids per request). Each chunk's items are handed out as one page. */
typedef struct ak_chunk_desc {
    const char *ids_param;              /* request array split into chunks (snake_case name) */
    int max_per_chunk;                  /* default limit */
    const char *selector;               /* field whose value picks a different limit, or NULL */
    const char *const *selector_values; /* NULL-terminated values of `selector` ... */
    const int *selector_limits;         /* ... and their chunk limits */
    const char *items_path;             /* array merged across chunks */
} ak_chunk_desc;

/** Batch operations (Baidu keywords.add/update/delete) accept any number of items in one list
 * parameter and send them in requests of at most `max_per_chunk` items: every item is validated
 * before anything is sent, each request is one call of the row (its own retries; a non-idempotent
 * request whose outcome is unknown is never resent), up to max_concurrency requests at once with
 * the libcurl transport, and the results merge into one (`items` in input order, `failures` with
 * input indexes; a request that failed as a whole reports each of its items as a failure with
 * state "not_applied" or "unknown"). See batch.h. */
typedef struct ak_batch_desc {
    const char *items_param; /* the request array split into requests (snake_case name) */
    int max_per_chunk;       /* the vendor's per-request limit */
} ak_batch_desc;

/** Waiters (ThinkingData refresh progress): poll the target with a delay until the value at
 * `until_path` of its result is one of `until_values`, or fail with AK_ERR_TIMEOUT after the
 * caller's `timeout_param` (seconds; default `default_timeout_ms`). The polls are SLEEP steps. */
typedef struct ak_waiter_desc {
    const char *until_path;
    const char *const *until_values;
    int interval_ms;
    int default_timeout_ms;
    const char *timeout_param; /* request field of the waiter row consumed by the engine */
} ak_waiter_desc;

/** An alternative route chosen when a request field is present (ThinkingData detail by
 * cluster_id or by cluster_name). The first variant whose `when` field is present wins. */
typedef struct ak_op_variant {
    const char *when; /* snake_case field name */
    const char *path;
    const char *const *query; /* NULL-terminated fields sent in the query on this route (the
                                 others in the body), or NULL to keep each field's location */
    const char *const *both;  /* NULL-terminated fields of `query` also kept in the JSON body on
                                 this route (ThinkingData update by name: projectId), or NULL */
} ak_op_variant;

/* ak_op.flags */
#define AK_OPF_IDEMPOTENT 0x01u /* safe to retry after a transport error mid-request */
#define AK_OPF_MUTATING 0x02u   /* changes server state */
/* The 2xx body is not JSON: it is streamed to the call's body sink (ak_call_set_body_sink) and
 * the result is {"bytes": n} (Sensors Data users.export_csv). */
#define AK_OPF_STREAM_RESULT 0x04u
/* The request body is pulled from the call's body reader (ak_call_set_body_reader) with the
 * row's content_type; every parameter travels in the query or the path (ThinkingData ID
 * upload). */
#define AK_OPF_STREAM_BODY 0x08u

typedef struct ak_op {
    const char *name; /* "custom_audiences.add": resource "." operation */
    ak_op_kind kind;
    const char *method;         /* "GET" / "POST" */
    const char *path;           /* appended to base_url; may hold {param} */
    const ak_schema *request;   /* parameters (each field carries its location) */
    const ak_schema *result;    /* schema of the decoded result (envelope data) */
    const ak_schema *item;      /* paged/list ops: schema of one item (the model) */
    const ak_pager_desc *pager; /* paged ops and pagers */
    const ak_chunk_desc *chunk; /* AK_OP_CHUNKED */
    const char *target;         /* AK_OP_PAGER / AK_OP_CHUNKED: the op doing the requests */
    unsigned flags;             /* AK_OPF_* */
    int rate_per_sec;           /* 0 = no client-side limit; Volcengine: 1 */
    const char *content_type;   /* request body type, NULL = application/json */
    const char *doc;
    const char *const *query;      /* fixed query pairs: name, value, ..., NULL (Volcengine Action) */
    const ak_op_variant *variants; /* alternative paths, terminated by {NULL, NULL} */
    const ak_waiter_desc *waiter;  /* AK_OP_WAITER */
    const ak_batch_desc *batch;    /* AK_OP_CALL rows taking any number of items, or NULL */
} ak_op;

typedef struct ak_platform ak_platform;

/** Iterate platforms (NULL for the first). Borrowed static data. */
AK_API const ak_platform *ak_platform_next(const ak_platform *prev);
AK_API const ak_platform *ak_platform_find(const char *key);
AK_API const char *ak_platform_key(const ak_platform *p);              /* "tencent_ads" */
AK_API const char *ak_platform_display_name(const ak_platform *p);     /* "Tencent Ads" */
AK_API const char *ak_platform_default_base_url(const ak_platform *p); /* NULL: self-hosted */
/** NULL-terminated list of credential parameter names the platform accepts. */
AK_API const char *const *ak_platform_credentials(const ak_platform *p);
/** 1 if `param` names a secret (never printed). */
AK_API int ak_platform_is_secret(const ak_platform *p, const char *param);

/** Iterate operations of a platform (NULL for the first). */
AK_API const ak_op *ak_op_next(const ak_platform *p, const ak_op *prev);
AK_API const ak_op *ak_op_find(const ak_platform *p, const char *name);
/** Iterate a platform's model schemas (NULL for the first). */
AK_API const ak_schema *ak_model_next(const ak_platform *p, const ak_schema *prev);

/** Dumps every platform, op and schema as JSON (owned tree; free with cJSON_Delete). Used to
 * generate .pyi stubs and reference docs. NULL on OOM. */
AK_API ak_json *ak_describe(void);

#ifdef __cplusplus
}
#endif
#endif
