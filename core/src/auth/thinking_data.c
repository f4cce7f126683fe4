/* auth/thinking_data.c - ThinkingData open API (self-hosted) authentication: query
 * `token=<API secret>` on every request (shared/VENDORS.md). The token goes first, as in every
 * URL of the document ("/open/user-cluster-detail?token=xxx&projectId=xxx&clusterId=xxx");
 * `projectId` travels where each row's schema puts it (query or body), not here. */
#include "../internal.h"
#include "auth.h"

#include <string.h>

int ak_auth_thinking_data(ak_client *c, ak_req_build *rb, ak_error *err) {
    const char *token = ak_client_credential(c, "token");
    if (!ak_rb_add_query(rb, "token", token ? token : "")) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    /* move the pair just added to the front */
    ak_kv last = rb->query[rb->nquery - 1];
    memmove(rb->query + 1, rb->query, (rb->nquery - 1) * sizeof *rb->query);
    rb->query[0] = last;
    return AK_OK;
}

int ak_auth_thinking_data_check(const ak_client *c, ak_error *err) {
    const char *t = ak_client_credential(c, "token");
    if (!t || !*t) {
        ak_error_add_violation(err, "token", "is required (pass token= or set AUDKIT_THINKING_DATA_TOKEN)");
        return AK_FAIL;
    }
    return AK_OK;
}
