/* volcengine_live.c - Volcengine Live platform row. Its operations, auth scheme and envelope arrive with the
 * "every vendor on the engine" issue; until then the platform has credentials and no operations. */
#include "fields.h"

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)c;
    (void)op;
    *result = NULL;
    if (resp->status < 200 || resp->status >= 300) {
        ak_error_from_http(resp, err);
        return AK_FAIL;
    }
    *result = ak_parse_body(resp, err);
    return *result ? AK_OK : AK_FAIL;
}

const ak_platform ak_platform_volcengine_live = {
    .key = "volcengine_live",
    .display_name = "Volcengine Live",
    .default_base_url = "https://livesaas.volcengineapi.com",
    .credentials = AK_LIST("access_key", "secret_key", "session_token", "region"),
    .secrets = AK_LIST("secret_key", "session_token"),
    .map_response = map_response,
};
