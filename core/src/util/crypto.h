/* crypto.h - hashing helpers shared by the signers (auth/). */
#ifndef AUDKIT_CRYPTO_H
#define AUDKIT_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void ak_hex(const unsigned char *in, size_t n, char *out);
void ak_sha256(const void *data, size_t n, unsigned char out[32]);
void ak_sha256_hex(const void *data, size_t n, char out[65]);
bool ak_hmac_sha256(const void *key, size_t klen, const void *data, size_t n, unsigned char out[32]);
#endif
