/* audkit/error.h - errors are caller-owned values with a kind (never thread-local state). */
#ifndef AUDKIT_ERROR_H
#define AUDKIT_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one list of error kinds. Python exception classes and Lua kind strings are derived from
 * it (ak_error_kind_name / ak_error_kind_next), never retyped.
 * X(ENUM_SUFFIX, "lua/python kind name", default_retryable) */
#define AK_ERROR_KINDS(X)                                                                                              \
    X(NONE, "none", 0)                                                                                                 \
    X(VALIDATION, "validation", 0)                                                                                     \
    X(TRANSPORT, "transport", 1)                                                                                       \
    X(TIMEOUT, "timeout", 1)                                                                                           \
    X(HTTP, "http", 0)                                                                                                 \
    X(API, "api", 0)                                                                                                   \
    X(AUTH, "auth", 0)                                                                                                 \
    X(RATE_LIMITED, "rate_limited", 1)                                                                                 \
    X(NOT_FOUND, "not_found", 0)                                                                                       \
    X(DECODE, "decode", 0)                                                                                             \
    X(NOMEM, "nomem", 0)

typedef enum ak_error_kind {
#define AK_X_ENUM(e, s, r) AK_ERR_##e,
    AK_ERROR_KINDS(AK_X_ENUM)
#undef AK_X_ENUM
        AK_ERR__COUNT
} ak_error_kind;

/** One client-side validation failure. */
typedef struct ak_violation {
    char field[256]; /* path, e.g. "audience_spec.lookalike_spec.expand_user_count" */
    char rule[256];  /* the rule in words, e.g. "must be a multiple of 500000" */
} ak_violation;

/**
 * An error value. Initialise with `ak_error err = AK_ERROR_INIT;` (or zero it), pass its address,
 * and release with ak_error_cleanup() (frees `violations`; the struct itself stays the caller's).
 * Strings are NUL-terminated fixed buffers (truncated if longer). Never contains a credential.
 */
typedef struct ak_error {
    ak_error_kind kind;
    int retryable;        /* 1 if retrying the same operation later may succeed */
    int http_status;      /* 0 when no HTTP response was received */
    char vendor_code[64]; /* vendor's code as text ("11017", "InvalidParameter.InvalidUserId") */
    char message[1024];   /* human readable; vendor message when the vendor sent one */
    char request_id[128]; /* vendor request id when known */
    char field[256];      /* first offending field path for validation errors */
    char rule[256];       /* first violated rule for validation errors */
    size_t nviolations;   /* validation: every violation found (owned array) */
    ak_violation *violations;
    /* What the failure says about the request's effect: 0 = provably not applied (never sent, or
     * rejected before processing: validation, auth, rate limit, a business refusal); 1 = it may
     * have been applied (a timeout, a connection lost after sending, a 5xx, an undecodable 2xx).
     * Batch operations report their items as "not applied" or "unknown" from it. */
    int maybe_applied;
} ak_error;

#define AK_ERROR_INIT                                                                                                  \
    { AK_ERR_NONE, 0, 0, {0}, {0}, {0}, {0}, {0}, 0, NULL, 0 }

/** Frees owned parts (violations) and resets to AK_ERROR_INIT. Safe on an initialised error. */
AK_API void ak_error_cleanup(ak_error *err);
/** Deep copy (dst is cleaned first). Returns AK_OK or AK_FAIL on allocation failure. */
AK_API int ak_error_copy(ak_error *dst, const ak_error *src);
/** Kind name ("validation", "rate_limited", ...), static storage; "unknown" if out of range. */
AK_API const char *ak_error_kind_name(ak_error_kind kind);
/** Default retryability of a kind (from AK_ERROR_KINDS). */
AK_API int ak_error_kind_retryable(ak_error_kind kind);

#ifdef __cplusplus
}
#endif
#endif
