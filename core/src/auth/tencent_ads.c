/* auth/tencent_ads.c - Tencent Marketing API query authentication: access_token, a Unix-second
 * timestamp and a fresh nonce (CSPRNG, 32 hex characters, within the documented 32) per attempt. */
#include "../internal.h"
#include "auth.h"

#include <stdint.h>

int ak_auth_tencent_ads(ak_client *c, ak_req_build *rb, ak_error *err) {
    unsigned char rnd[16];
    char nonce[33], ts[32];
    static const char hex[] = "0123456789abcdef";
    if (ak_client_random(c, rnd, sizeof rnd, err) != AK_OK)
        return AK_FAIL;
    for (size_t i = 0; i < sizeof rnd; i++) {
        nonce[2 * i] = hex[rnd[i] >> 4];
        nonce[2 * i + 1] = hex[rnd[i] & 15];
    }
    nonce[32] = '\0';
    /* the Unix seconds, in decimal (no snprintf: this runs on every attempt) */
    int64_t sec = ak_client_now_ms(c) / 1000;
    char *q = ts + sizeof ts - 1;
    *q = '\0';
    uint64_t u = sec < 0 ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (sec < 0)
        *--q = '-';
    const char *token = ak_client_credential(c, "access_token");
    if (!ak_rb_add_query(rb, "access_token", token ? token : "") || !ak_rb_add_query(rb, "timestamp", q) ||
        !ak_rb_add_query(rb, "nonce", nonce)) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    return AK_OK;
}

int ak_auth_tencent_ads_check(const ak_client *c, ak_error *err) {
    const char *t = ak_client_credential(c, "access_token");
    if (!t || !*t)
        ak_error_add_violation(err, "access_token",
                               "is required (pass access_token= or set AUDKIT_TENCENT_ADS_ACCESS_TOKEN)");
    return t && *t ? AK_OK : AK_FAIL;
}
