/* rate.c - client-side rate limits shared by every call of a client and by every client of the
 * process that uses the same account (Volcengine's 1 request/s is per access key, not per
 * connection). The state is a small process-wide table of "next free slot" times keyed by a hash
 * of the platform and the account's first credential (never the credential itself), guarded by a
 * mutex: concurrent calls on different threads or light threads reserve distinct slots. */
#include "../internal.h"

#include <pthread.h>
#include <string.h>

#define AK_RATE_SLOTS 64

static struct {
    uint64_t key;
    int64_t next_ms; /* earliest time of the next send on this account */
    int64_t used_ms; /* last reservation, for replacing the stalest entry when full */
} slots[AK_RATE_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv1a(uint64_t h, const char *s) {
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ^ 0xff; /* separator, so "ab"+"c" differs from "a"+"bc" */
}

/* The account a client's limit belongs to: the platform and its first credential. */
static uint64_t account_key(const ak_client *c) {
    uint64_t h = fnv1a(14695981039346656037ULL, c->platform->key);
    const char *first = c->platform->credentials ? c->platform->credentials[0] : NULL;
    return fnv1a(h, first ? ak_client_credential(c, first) : NULL);
}

int64_t ak_rate_reserve(ak_client *c, int64_t now, int64_t interval_ms) {
    uint64_t key = account_key(c);
    int64_t wait = 0;
    pthread_mutex_lock(&slots_lock);
    size_t found = AK_RATE_SLOTS, stalest = 0;
    for (size_t i = 0; i < AK_RATE_SLOTS; i++) {
        if (slots[i].key == key && slots[i].used_ms) {
            found = i;
            break;
        }
        if (slots[i].used_ms < slots[stalest].used_ms)
            stalest = i;
    }
    if (found == AK_RATE_SLOTS) { /* a new account: take a free or the stalest entry */
        found = stalest;
        slots[found].key = key;
        slots[found].next_ms = 0;
    }
    if (now < slots[found].next_ms) {
        wait = slots[found].next_ms - now;
    } else {
        slots[found].next_ms = now + interval_ms;
        slots[found].used_ms = now > 0 ? now : 1;
    }
    pthread_mutex_unlock(&slots_lock);
    return wait;
}

void ak_rate_reset(void) {
    pthread_mutex_lock(&slots_lock);
    memset(slots, 0, sizeof slots);
    pthread_mutex_unlock(&slots_lock);
}
