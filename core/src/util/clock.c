/* clock.c - the monotonic clock of the drivers and transports (timeouts of sleeps and polls; the
 * engine's own time is the client's clock hook, ak_client_now_ms). */
#include "../internal.h"

#include <time.h>

int64_t ak_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
