/* baidu_bce_v1.h - the BCE v1 signer and the Baidu credential flavours (auth/baidu_bce_v1.c).
 * The platform hooks themselves are declared in auth.h; this header adds what the Baidu platform
 * file and the tests need besides. */
#ifndef AUDKIT_AUTH_BAIDU_BCE_V1_H
#define AUDKIT_AUTH_BAIDU_BCE_V1_H
#include "../internal.h"

#define AK_BAIDU_CLOUD_BASE_URL "https://sem.baidubce.com/v1/cloud"
#define AK_BAIDU_DIRECT_BASE_URL "https://api.baidu.com/json/sms/service"
/* Seconds a BCE v1 authorization stays valid (the vendor SDK's default). */
#define AK_BCE_V1_EXPIRATION 1800

typedef enum ak_baidu_flavour {
    AK_BAIDU_NONE = 0,
    AK_BAIDU_CLOUD, /* sem.baidubce.com: header credentials + BCE v1 signature */
    AK_BAIDU_DIRECT /* api.baidu.com: header userName/accessToken, no signature */
} ak_baidu_flavour;

/* The flavour the configured credentials select (AK_BAIDU_NONE when none are given). */
ak_baidu_flavour ak_baidu_flavour_of(const ak_client *c);
/* The default base URL for the configured flavour (platform hook default_base_url_for). */
const char *ak_baidu_default_base_url(const ak_client *c);

/**
 * BCE v1 authorization string, byte for byte what the vendor's
 * baidubce.auth.bce_v1_signer.sign(credentials, method, path, headers, params, timestamp,
 * expiration_in_seconds, headers_to_sign) computes:
 *   prefix        = "bce-auth-v1/{ak}/{yyyy-mm-ddThh:mm:ssZ}/{expiration}"
 *   signing key   = hex(HMAC-SHA256(sk, prefix))
 *   canonical     = method \n URI \n sorted "enc(k)=enc(v)" joined by & \n
 *                   sorted "enc(lower(trim(name))):enc(trim(value))" joined by \n
 *                   (headers named in headers_to_sign, and every x-bce-* header; empty values
 *                   skipped; with no headers_to_sign: host, content-md5, content-length,
 *                   content-type)
 *   signature     = hex(HMAC-SHA256(signing key, canonical))
 *   result        = prefix "/" join(headers_to_sign, ";") "/" signature   (prefix "//" signature
 *                   when headers_to_sign is NULL or empty)
 * enc() is RFC 3986 percent-encoding (A-Za-z0-9-_.~ bare). `path` is the path as sent: it is
 * percent-decoded and re-encoded with '/' kept, so an already-encoded path signs as the vendor
 * SDK's encoded path does. `query`/`headers` hold raw (unencoded) names and values.
 * *out is owned (free()). Returns AK_OK, or AK_FAIL with err set (out of memory).
 */
int ak_bce_v1_sign(const char *access_key, const char *secret_key, const char *method, const char *path,
                   const ak_kv *query, size_t nquery, const ak_kv *headers, size_t nheaders, int64_t timestamp,
                   int expiration, const char *const *headers_to_sign, char **out, ak_error *err);

/* "yyyy-mm-ddThh:mm:ssZ" (UTC) of Unix seconds `t` into out (at least 21 bytes). */
void ak_bce_v1_time(int64_t t, char out[32]);

#endif
