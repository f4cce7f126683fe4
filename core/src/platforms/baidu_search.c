/* baidu_search.c - Baidu Search Ads platform row. Its operations, auth scheme and envelope arrive with the
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

const ak_platform ak_platform_baidu_search = {
    .key = "baidu_search",
    .display_name = "Baidu Search Ads",
    .default_base_url = "https://sem.baidubce.com/v1/cloud",
    .credentials = AK_LIST("op_username", "op_password", "tg_username", "tg_password", "tg_subname", "bce_user", "access_key", "secret_key", "user_name", "access_token", "target"),
    .secrets = AK_LIST("op_password", "tg_password", "secret_key", "access_token"),
    .map_response = map_response,
};
