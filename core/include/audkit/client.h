/* audkit/client.h - a client for one vendor: credentials, base URL, policy, transport. */
#ifndef AUDKIT_CLIENT_H
#define AUDKIT_CLIENT_H

#include "common.h"
#include "error.h"
#include "op.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A client is not thread-safe (it owns one connection and the rate-limit state): use one per
 * thread, or serialise its calls (the Python binding holds a per-client lock). Different clients
 * are independent. */
typedef struct ak_client ak_client;

/** Wall clock in Unix milliseconds. Injected for signer and rate-limit tests. */
typedef int64_t (*ak_clock_fn)(void *ud);
/** Fills `len` random bytes; returns 0 on success. Default: OpenSSL's CSPRNG. */
typedef int (*ak_random_fn)(void *ud, unsigned char *buf, size_t len);

/**
 * Creates a client for `platform` ("tencent_ads", ...). `config` (borrowed, may be NULL) is a
 * JSON object with credentials (names from ak_platform_credentials) and options:
 *   base_url (string; vendor default when absent), timeout_ms (default 30000),
 *   connect_timeout_ms (10000), retries (default 3; 0 disables), backoff_ms (base, 300),
 *   max_backoff_ms (20000; also caps Retry-After), deadline_ms (a bound on a whole call with its
 *   retries and sleeps; 0 = none, the default), max_response_bytes (67108864 = 64 MiB, counted
 *   after decompression), proxy, verify (bool, default true), ca_file, user_agent,
 *   validate (bool, default true), max_concurrency (batch requests sent at once, 1..64,
 *   default 4; batch.h). Credentials, user_agent and proxy must not contain CR/LF.
 * Missing credentials and bad options are AK_ERR_VALIDATION errors naming the field.
 * On success *out is owned: free with ak_client_free. The default transport is libcurl.
 */
AK_API int ak_client_new(ak_client **out, const char *platform, const ak_json *config, ak_error *err);
AK_API void ak_client_free(ak_client *c);

/** The platform descriptor (borrowed static) and the effective base URL (borrowed, client's). */
AK_API const ak_platform *ak_client_platform(const ak_client *c);
AK_API const char *ak_client_base_url(const ak_client *c);

/** Replace the transport; the client takes ownership of `t` (destroys the previous one). */
AK_API void ak_client_set_transport(ak_client *c, const ak_transport *t);
/** Borrowed pointer to the client's transport (valid until replaced or the client is freed). */
AK_API ak_transport *ak_client_transport(ak_client *c);
AK_API void ak_client_set_clock(ak_client *c, ak_clock_fn fn, void *ud);
AK_API void ak_client_set_random(ak_client *c, ak_random_fn fn, void *ud);
AK_API int64_t ak_client_now_ms(const ak_client *c);
/** Overrides the retry count (0 disables retries). */
AK_API void ak_client_set_retries(ak_client *c, int retries);
/** Turns client-side validation on/off (validate=False). */
AK_API void ak_client_set_validate(ak_client *c, int on);

/** Returns a description of the client safe to print: platform, base URL, and credential
 * names with values masked. Owned: free with ak_free(). */
AK_API char *ak_client_describe(const ak_client *c);

#ifdef __cplusplus
}
#endif
#endif
