/* crypto.c - SHA-256 and HMAC-SHA256 (OpenSSL libcrypto) for the request signers. */
#include "crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

void ak_hex(const unsigned char *in, size_t n, char *out) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void ak_sha256(const void *data, size_t n, unsigned char out[32]) { SHA256(data, n, out); }

void ak_sha256_hex(const void *data, size_t n, char out[65]) {
    unsigned char d[32];
    SHA256(data, n, d);
    ak_hex(d, 32, out);
}

bool ak_hmac_sha256(const void *key, size_t klen, const void *data, size_t n, unsigned char out[32]) {
    unsigned int len = 32;
    return HMAC(EVP_sha256(), key, (int)klen, data, n, out, &len) != NULL && len == 32;
}
