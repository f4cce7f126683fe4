/* retry.c - retry delays: exponential backoff with full jitter, and Retry-After. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int64_t ak_retry_backoff_ms(ak_client *c, int next_attempt, int64_t max_backoff_ms) {
    int64_t cap = c->backoff_ms;
    for (int i = 2; i < next_attempt && cap < max_backoff_ms; i++)
        cap *= 2;
    if (cap > max_backoff_ms)
        cap = max_backoff_ms;
    if (cap <= 0)
        return 0;
    unsigned char r[4] = {0};
    if (c->random(c->random_ud, r, sizeof r) != 0)
        return cap;
    uint32_t x = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
    /* half fixed, half jitter: never retries immediately, never in lockstep */
    return cap / 2 + (int64_t)(x % (uint32_t)(cap / 2 + 1));
}

const char *ak_response_header(const ak_response *resp, const char *name) {
    for (size_t i = 0; i < resp->nheaders; i++)
        if (resp->headers[i].name && strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

int64_t ak_retry_after_ms(const ak_response *resp) {
    const char *v = ak_response_header(resp, "Retry-After");
    if (!v)
        return -1;
    char *end = NULL;
    long s = strtol(v, &end, 10);
    if (end == v || s < 0)
        return -1; /* an HTTP date or garbage: our own backoff applies */
    if (s > 86400)
        s = 86400; /* the caller caps it at max_backoff */
    return (int64_t)s * 1000;
}
