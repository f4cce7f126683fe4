/* tencent_ads.c - Tencent Ads Marketing API v1.1: custom audiences as descriptor rows, and the
 * code/message/message_cn envelope. Document: shared/seeds/000_acb06199c51fc409.txt. */
#include "../auth/auth.h"
#include "fields.h"
#include "tencent_ads.h"

#include <stdio.h>
#include <string.h>

/* `type` enum: the document's list omits LBS although lbs_spec is "required when type=LBS";
 * audkit accepts LBS (shared/seeds/README.md). */
#define AUDIENCE_TYPES AK_LIST("CUSTOMER_FILE", "LOOKALIKE", "USER_ACTION", "KEYWORD", "AD", "COMBINE", "LBS")
#define PLATFORMS AK_LIST("DMP", "TDC", "TDP")
/* ids are int64 (the document's Long): 1..2^63-1, decimal strings accepted and sent as integers */
#define ID(nm, fl) F_INT(nm, (fl) | F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD))

static const ak_field add_fields[] = {
    ID("account_id", AK_F_REQUIRED),
    F_STR("name", AK_F_REQUIRED, BYTES(1, 32), .doc = "audience name, unique per account"),
    F_ENUM("type", AK_F_REQUIRED, AUDIENCE_TYPES),
    F_STR("external_audience_id", 0, BYTES(1, 128), .format = AK_FMT_IDENTIFIER,
          .aliases = AK_LIST("outer_audience_id"), .doc = "advertiser's own code; re-adding returns the same id"),
    F_STR("description", 0, BYTES(1, 100)),
    F_BOOL("cooperated", 0, .doc = "deep data cooperation, default false"),
    F_OBJ("audience_spec", 0, &ak_tencent_audience_spec),
    F_ENUM("platform", 0, PLATFORMS, .doc = "data application, default DMP"),
};

#define SPEC_REQUIRED(spec, t)                                                                                         \
    {                                                                                                                  \
        .kind = AK_RULE_REQUIRED_WHEN, .field = "audience_spec." spec, .cond_field = "type",                           \
        .cond_values = AK_LIST(t), .text = "is required when type=" t                                                  \
    }

static const ak_rule add_rules[] = {
    SPEC_REQUIRED("lookalike_spec", "LOOKALIKE"),
    SPEC_REQUIRED("user_action_spec", "USER_ACTION"),
    SPEC_REQUIRED("lbs_spec", "LBS"),
    SPEC_REQUIRED("keyword_spec", "KEYWORD"),
    SPEC_REQUIRED("ad_rule_spec", "AD"),
    SPEC_REQUIRED("combine_spec", "COMBINE"),
};

static const ak_field update_fields[] = {
    ID("account_id", AK_F_REQUIRED),        ID("audience_id", AK_F_REQUIRED), F_STR("name", 0, BYTES(1, 32)),
    F_STR("description", 0, BYTES(1, 100)), F_BOOL("cooperated", 0),
};

static const ak_rule update_rules[] = {
    {.kind = AK_RULE_AT_LEAST_ONE,
     .fields = AK_LIST("name", "description", "cooperated"),
     .text = "at least one of name, description, cooperated must be given"},
};

#define AUDIENCE_FIELD_NAMES                                                                                           \
    AK_LIST("audience_id", "account_id", "name", "external_audience_id", "description", "cooperated", "type",          \
            "source", "status", "online_status", "is_own", "error_code", "user_count", "created_time",                 \
            "last_modified_time", "audience_spec")

static const ak_field get_fields[] = {
    ID("account_id", AK_F_REQUIRED),
    ID("audience_id", 0),
    F_INT("page", F_RANGE, RANGE(1, INT32_MAXD), .doc = "page number, default 1"),
    F_INT("page_size", F_RANGE, RANGE(1, 100), .doc = "page size, default 10"),
    F_ENUM("platform", 0, PLATFORMS),
    F_ARR("fields", AK_F_UNIQUE, AK_TYPE_STRING, .values = AUDIENCE_FIELD_NAMES,
          .doc = "fields of each list item to return"),
};

static const ak_field delete_fields[] = {
    ID("account_id", AK_F_REQUIRED),
    ID("audience_id", AK_F_REQUIRED),
};

static const ak_field audience_fields[] = {
    F_INT("audience_id", AK_F_INT64_ID),
    F_INT("account_id", AK_F_INT64_ID),
    F_STR("name", 0),
    F_STR("external_audience_id", 0, .aliases = AK_LIST("outer_audience_id")),
    F_STR("description", 0),
    F_BOOL("cooperated", 0),
    F_ENUM("type", 0, NULL),
    F_ENUM("source", 0, NULL),
    F_ENUM("status", 0, NULL),
    F_ENUM("online_status", 0, NULL),
    F_BOOL("is_own", 0),
    F_INT("error_code", 0, .doc = "1 system error; 101/102 seed problems; 201-203 file problems"),
    F_INT("user_count", 0),
    F_STR("created_time", 0, .format = AK_FMT_DATETIME),
    F_STR("last_modified_time", 0, .format = AK_FMT_DATETIME),
    F_OBJ("audience_spec", 0, &ak_tencent_audience_spec),
};

static const ak_schema custom_audience = AK_SCHEMA("CustomAudience", audience_fields, "A Tencent custom audience");

static const ak_field page_info_fields[] = {
    F_INT("page", 0),
    F_INT("page_size", 0),
    F_INT("total_number", 0),
    F_INT("total_page", 0),
};

static const ak_schema page_info = AK_SCHEMA("PageInfo", page_info_fields, "Paging information");

static const ak_field get_result_fields[] = {
    AKF("list", "list", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &custom_audience),
    F_OBJ("page_info", 0, &page_info),
};

static const ak_field add_result_fields[] = {F_INT("audience_id", AK_F_INT64_ID)};

static const ak_schema add_req = AK_SCHEMA_R("CustomAudienceAddRequest", add_fields, add_rules, "");
static const ak_schema update_req = AK_SCHEMA_R("CustomAudienceUpdateRequest", update_fields, update_rules, "");
static const ak_schema get_req = AK_SCHEMA("CustomAudienceGetRequest", get_fields, "");
static const ak_schema delete_req = AK_SCHEMA("CustomAudienceDeleteRequest", delete_fields, "");
static const ak_schema add_result = AK_SCHEMA("CustomAudienceAddResult", add_result_fields, "");
static const ak_schema get_result = AK_SCHEMA("CustomAudienceGetResult", get_result_fields, "");

static const ak_pager_desc number_pager = {
    .style = AK_PAGE_NUMBER,
    .page_param = "page",
    .size_param = "page_size",
    .first_page = 1,
    .max_page_size = 100,
    .items_path = "list",
    .total_pages_path = "page_info.total_page",
    .total_items_path = "page_info.total_number",
};

static const ak_op ops[] = {
    {.name = "custom_audiences.add",
     .method = "POST",
     .path = "/custom_audiences/add",
     .request = &add_req,
     .result = &add_result,
     .flags = AK_OPF_MUTATING,
     .doc = "Create a custom audience"},
    {.name = "custom_audiences.update",
     .method = "POST",
     .path = "/custom_audiences/update",
     .request = &update_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .doc = "Update name, description or cooperated"},
    {.name = "custom_audiences.get",
     .method = "GET",
     .path = "/custom_audiences/get",
     .request = &get_req,
     .result = &get_result,
     .item = &custom_audience,
     .pager = &number_pager,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get one page of custom audiences"},
    {.name = "custom_audiences.list",
     .kind = AK_OP_PAGER,
     .target = "custom_audiences.get",
     .doc = "Iterate over all custom audiences, fetching pages lazily"},
    /* delete sends JSON like add/update (shared/seeds/README.md), although the example uses -d */
    {.name = "custom_audiences.delete",
     .method = "POST",
     .path = "/custom_audiences/delete",
     .request = &delete_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .doc = "Delete a custom audience"},
};

static const ak_schema *const models[] = {
    &custom_audience, &page_info, &ak_tencent_audience_spec, &add_req, &update_req, &get_req, &delete_req, &add_result,
    &get_result,      NULL};

/* Envelope: HTTP 200 with {code, message, message_cn, data}; code != 0 is an error. */
static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)op;
    *result = NULL;
    cJSON *body = ak_parse_body(resp, err);
    if (!body)
        return AK_FAIL;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
    int64_t icode;
    if (!cJSON_IsObject(body) || !ak_json_int64(code, true, &icode)) {
        if (resp->status < 200 || resp->status >= 300)
            ak_error_from_http(resp, err);
        else
            ak_error_set(err, AK_ERR_DECODE, "response is not a Tencent envelope (no integer code)");
        cJSON_Delete(body);
        return AK_FAIL;
    }
    if (icode == 0) {
        *result = cJSON_DetachItemFromObjectCaseSensitive(body, "data");
        cJSON_Delete(body);
        if (*result && cJSON_IsNull(*result)) {
            cJSON_Delete(*result);
            *result = NULL;
        }
        return AK_OK;
    }
    /* kind and retry come from the engine's table (error_rules.c) by vendor code */
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(body, "message");
    const cJSON *msg_cn = cJSON_GetObjectItemCaseSensitive(body, "message_cn");
    const char *m = cJSON_IsString(msg) && *msg->valuestring ? msg->valuestring : "";
    const char *mc = cJSON_IsString(msg_cn) && *msg_cn->valuestring ? msg_cn->valuestring : "";
    if (!*m && !*mc)
        ak_error_set(err, AK_ERR_API, "Tencent Ads error %lld", (long long)icode);
    else
        ak_error_set_vendor(err, c, AK_ERR_API, "%s%s%s%s", m, *m && *mc ? " (" : "", mc, *m && *mc ? ")" : "");
    snprintf(err->vendor_code, sizeof err->vendor_code, "%lld", (long long)icode);
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(body, "trace_id");
    if (cJSON_IsString(trace))
        ak_strlcpy(err->request_id, trace->valuestring, sizeof err->request_id);
    cJSON_Delete(body);
    return AK_FAIL;
}

const ak_platform ak_platform_tencent_ads = {
    .key = "tencent_ads",
    .display_name = "Tencent Ads",
    .default_base_url = "https://api.e.qq.com/v1.1",
    .credentials = AK_LIST("access_token"),
    .secrets = AK_LIST("access_token"),
    .check_credentials = ak_auth_tencent_ads_check,
    .authorize = ak_auth_tencent_ads,
    .map_response = map_response,
    .error_rules = ak_error_rules_tencent_ads,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
