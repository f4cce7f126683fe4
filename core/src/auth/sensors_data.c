/* auth/sensors_data.c - Sensors Data (self-hosted) authentication (shared/VENDORS.md):
 *   - the API secret style: query `token=<secret>&project=<project>` on every request;
 *   - the newer API-key style (v3 gateway, also accepted by the /v2 routes): headers
 *     `api-key: <key>` and `sensorsdata-project: <project>`.
 * Which style is used follows from the credentials: exactly one of `token` / `api_key`, and
 * `project` always. No signature, nonce or timestamp. */
#include "../internal.h"
#include "auth.h"

static const char *cred(const ak_client *c, const char *name) {
    const char *v = ak_client_credential(c, name);
    return v && *v ? v : NULL;
}

int ak_auth_sensors_data(ak_client *c, ak_req_build *rb, ak_error *err) {
    const char *project = cred(c, "project");
    const char *api_key = cred(c, "api_key");
    bool ok;
    if (api_key) {
        ok = ak_rb_add_header(rb, "api-key", api_key) &&
             ak_rb_add_header(rb, "sensorsdata-project", project ? project : "");
    } else {
        const char *token = cred(c, "token");
        ok = ak_rb_add_query(rb, "token", token ? token : "") && ak_rb_add_query(rb, "project", project ? project : "");
    }
    if (!ok) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    return AK_OK;
}

int ak_auth_sensors_data_check(const ak_client *c, ak_error *err) {
    const char *token = cred(c, "token"), *api_key = cred(c, "api_key"), *project = cred(c, "project");
    int rc = AK_OK;
    if (!token && !api_key) {
        ak_error_add_violation(err, "token",
                               "one of token (query style) or api_key (header style) is required (pass token= or "
                               "api_key=, or set AUDKIT_SENSORS_DATA_TOKEN / AUDKIT_SENSORS_DATA_API_KEY)");
        rc = AK_FAIL;
    } else if (token && api_key) {
        ak_error_add_violation(err, "api_key",
                               "give exactly one of token (query token+project) or api_key (headers api-key + "
                               "sensorsdata-project), not both");
        rc = AK_FAIL;
    }
    if (!project) {
        ak_error_add_violation(err, "project", "is required (pass project= or set AUDKIT_SENSORS_DATA_PROJECT)");
        rc = AK_FAIL;
    }
    return rc;
}
