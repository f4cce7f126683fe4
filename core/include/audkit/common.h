/* audkit/common.h - version, export macro, status codes, small shared types.
 *
 * Ownership conventions used in every audkit header:
 *   "owned"    : the caller receives ownership and must free it with the named function.
 *   "borrowed" : the pointer stays owned by the object it came from and is valid until the
 *                event named in the comment (usually the next call on that object or its free).
 */
#ifndef AUDKIT_COMMON_H
#define AUDKIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AK_VERSION_MAJOR 0
#define AK_VERSION_MINOR 1
#define AK_VERSION_PATCH 0
#define AK_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define AK_API __attribute__((visibility("default")))
#else
#define AK_API
#endif

/** Return codes of every fallible audkit function. Details are in the ak_error out-parameter. */
typedef enum ak_status { AK_OK = 0, AK_FAIL = -1 } ak_status;

/** A byte string that is not necessarily NUL-terminated. Borrowed unless stated otherwise. */
typedef struct ak_str {
    const char *ptr;
    size_t len;
} ak_str;

/** cJSON document. audkit passes JSON trees as cJSON (from <cjson/cJSON.h>); bindings may
 * include cJSON.h to walk them. Every function states who owns the tree it takes or returns.
 * Trees parsed from responses are cJSON trees in every respect (cJSON_Delete, cJSON_Duplicate,
 * detaching, adding and replacing items work), with two flags cJSON defines: a string node's
 * text lives in the node's own allocation (cJSON_IsReference: cJSON_SetValuestring refuses such
 * a node; replace the node instead), and known keys point at static strings
 * (cJSON_StringIsConst). Integers of 2^53 or more are cJSON_Raw nodes holding their digits. */
typedef struct cJSON ak_json;

/** Library version string (static storage). */
AK_API const char *ak_version(void);

/** Frees memory the library returned as a plain heap block (`char *` from ak_client_describe and
 * friends). JSON trees are freed with cJSON_Delete. NULL is a no-op. */
AK_API void ak_free(void *p);

/** One-time global initialisation (libcurl). Thread-safe and idempotent; called implicitly by
 * ak_client_new. Returns AK_OK or AK_FAIL. */
AK_API int ak_global_init(void);

#ifdef __cplusplus
}
#endif
#endif
