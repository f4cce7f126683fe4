/* baidu_search.c - Baidu search ads API, KeywordService (getWord, addWord, updateWord, deleteWord)
 * as descriptor rows, and the header{status, failures, quota, ...} envelope.
 * Document: shared/seeds/003_c111fab40c87dd08.txt; auth and retry facts: shared/VENDORS.md;
 * readings of the document's contradictions: shared/seeds/README.md ("Baidu search ads").
 *
 * Result shape of every operation (also each page of the chunked keywords.get):
 *   {"items":    [Keyword, ...]   successes in input order (body.data; body.keywordTypes accepted),
 *    "failures": [{"code", "message", "position", "index", "field"?, "id"?}, ...]
 *                 index = 0-based input position parsed from `position` (an integer or a path
 *                 like "keywordTypes[3].price"), absent when the vendor gave none,
 *    "status": 0 | 1, "desc", "oprs", "succ", "oprtime", "quota", "rquota"}
 * Status 1 (partial) is not an error: the successes and the failures both come back. Status 2
 * (total failure) and 3 (system error) become an ak_error with the first failure's code/message. */
#include "../auth/auth.h"
#include "../auth/baidu_bce_v1.h"
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_RANGE F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD) /* Long ids, decimal strings accepted */

/* ---- the keyword model (KeywordType), as responses carry it ---- */

/* Baidu's KeywordType carries null for a value that is not set (no URL, the ad group's bid, a field
 * not asked for): every field but the id is nullable. */
static const ak_field keyword_fields[] = {
    AKF("keyword_id", "keywordId", AK_TYPE_INTEGER, AK_F_INT64_ID, .doc = "keyword id"),
    AKF("adgroup_id", "adgroupId", AK_TYPE_INTEGER, AK_F_INT64_ID | AK_F_NULLABLE, .doc = "ad group (推广单元) id"),
    AKF("campaign_id", "campaignId", AK_TYPE_INTEGER, AK_F_INT64_ID | AK_F_NULLABLE, .doc = "campaign (推广计划) id"),
    AKF("keyword", "keyword", AK_TYPE_STRING, AK_F_NULLABLE, .doc = "the keyword text"),
    AKF("price", "price", AK_TYPE_NUMBER, AK_F_NULLABLE, .doc = "bid"),
    AKF("pc_destination_url", "pcDestinationUrl", AK_TYPE_STRING, AK_F_NULLABLE),
    AKF("mobile_destination_url", "mobileDestinationUrl", AK_TYPE_STRING, AK_F_NULLABLE),
    AKF("match_type", "matchType", AK_TYPE_INTEGER, AK_F_NULLABLE, .doc = "1 exact, 2 advanced phrase, 3 broad"),
    AKF("pause", "pause", AK_TYPE_BOOLEAN, AK_F_NULLABLE, .doc = "true paused, false active"),
    AKF("status", "status", AK_TYPE_INTEGER, AK_F_NULLABLE,
        .doc = "40-50, set by Baidu (41 active, 46 in review, ...)"),
    AKF("phrase_type", "phraseType", AK_TYPE_INTEGER, AK_F_NULLABLE,
        .doc = "1 synonym, 2 exact, 3 core (matchType 2 only)"),
    /* the wire name is wmatchprefer; wmatchPrefer (the addWord example's spelling) is accepted
     * (shared/seeds/README.md) */
    AKF("wmatchprefer", "wmatchprefer", AK_TYPE_INTEGER, AK_F_NULLABLE,
        .aliases = AK_LIST("wmatchPrefer", "wmatch_prefer"),
        .doc = "0 use the ad group's match-type bid ratio, 1 do not"),
    AKF("pc_quality", "pcQuality", AK_TYPE_INTEGER, AK_F_NULLABLE, .doc = "PC quality 0-10"),
    AKF("pc_reliable", "pcReliable", AK_TYPE_INTEGER, AK_F_NULLABLE, .doc = "0 provisional, 1 normal"),
    AKF("pc_reason", "pcReason", AK_TYPE_INTEGER, AK_F_NULLABLE),
    AKF("pc_scale", "pcScale", AK_TYPE_ARRAY, AK_F_NULLABLE, .item_type = AK_TYPE_INTEGER,
        .doc = "PC competition, 10 values"),
    AKF("mobile_quality", "mobileQuality", AK_TYPE_INTEGER, AK_F_NULLABLE),
    AKF("mobile_reliable", "mobileReliable", AK_TYPE_INTEGER, AK_F_NULLABLE),
    AKF("mobile_reason", "mobileReason", AK_TYPE_INTEGER, AK_F_NULLABLE),
    AKF("mobile_scale", "mobileScale", AK_TYPE_ARRAY, AK_F_NULLABLE, .item_type = AK_TYPE_INTEGER),
    AKF("tabs", "tabs", AK_TYPE_ARRAY, AK_F_NULLABLE, .item_type = AK_TYPE_INTEGER,
        .doc = "material tag 0-5 (first counts)"),
    AKF("left_price_guide", "leftPriceGuide", AK_TYPE_ANY, AK_F_NULLABLE,
        .doc = "left-side guide price, \"-\" without data"),
    AKF("left3_price_guide", "left3PriceGuide", AK_TYPE_ANY, AK_F_NULLABLE),
    AKF("m_price_guide", "mPriceGuide", AK_TYPE_ANY, AK_F_NULLABLE),
};

static const ak_schema keyword = AK_SCHEMA("Keyword", keyword_fields, "A Baidu search ads keyword (KeywordType)");

/* ---- requests ---- */

#define MATCH_TYPES AK_LIST("1", "2", "3")
#define PHRASE_TYPES AK_LIST("1", "2", "3")

/* Fields the add/update tables mark 无效 ("invalid": set by Baidu or not changeable there). They are
 * named so a round-tripped model gets a precise message rather than "not a documented field". */
/* 无效 (ignored) in the document's table for this route: accepted (the document's own updateWord
 * example sends keyword) and dropped before sending */
#define IGNORED(nm, wr)                                                                                                \
    AKF(nm, wr, AK_TYPE_ANY, AK_F_IGNORED, .doc = "ignored on this route (无效): accepted, not sent")

#define IGNORED_QUALITY                                                                                                \
    IGNORED("status", "status"), IGNORED("pc_quality", "pcQuality"), IGNORED("pc_reliable", "pcReliable"),             \
        IGNORED("pc_reason", "pcReason"), IGNORED("pc_scale", "pcScale"), IGNORED("mobile_quality", "mobileQuality"),  \
        IGNORED("mobile_reliable", "mobileReliable"), IGNORED("mobile_reason", "mobileReason"),                        \
        IGNORED("mobile_scale", "mobileScale")

/* keyword: "最大40个字节, 1个中文按2个字节计算" -> AK_LEN_CJK2 (ASCII 1, anything else 2). */
#define KEYWORD_TEXT(fl)                                                                                               \
    AKF("keyword", "keyword", AK_TYPE_STRING, fl, .len_unit = AK_LEN_CJK2, .min_len = 1, .max_len = 40,                \
        .doc = "at most 40 bytes, a Chinese character counting 2")
/* pcDestinationUrl at most 1024 bytes, mobileDestinationUrl at most 1017 (shared/seeds/README.md);
 * "" cancels the URL on update. The same-domain-as-the-account rule is checked by Baidu. */
#define URL_FIELDS                                                                                                     \
    AKF("pc_destination_url", "pcDestinationUrl", AK_TYPE_STRING, 0, BYTES(0, 1024),                                   \
        .doc = "PC landing URL, at most 1024 bytes, same domain as the account site"),                                 \
        AKF("mobile_destination_url", "mobileDestinationUrl", AK_TYPE_STRING, 0, BYTES(0, 1017),                       \
            .doc = "mobile landing URL, at most 1017 bytes, same domain as the account site")
#define COMMON_SETTABLE                                                                                                \
    AKF("match_type", "matchType", AK_TYPE_INTEGER, 0, .values = MATCH_TYPES,                                          \
        .doc = "1 exact, 2 advanced phrase, 3 broad"),                                                                 \
        AKF("pause", "pause", AK_TYPE_BOOLEAN, 0, .doc = "true pauses the keyword"),                                   \
        AKF("phrase_type", "phraseType", AK_TYPE_INTEGER, 0, .values = PHRASE_TYPES,                                   \
            .doc = "1 synonym, 2 exact, 3 core containment; effective only with matchType 2"),                         \
        AKF("wmatchprefer", "wmatchprefer", AK_TYPE_INTEGER, 0, .values = AK_LIST("0", "1"),                           \
            .aliases = AK_LIST("wmatchPrefer", "wmatch_prefer"), .doc = "0 on, 1 off (default 1)"),                    \
        AKF("tabs", "tabs", AK_TYPE_ARRAY, AK_F_ITEM_RANGE | F_RANGE, .item_type = AK_TYPE_INTEGER, RANGE(0, 5),       \
            .doc = "material tags 0-5 (only the first counts; [] or 0 means none)")

static const ak_field add_item_fields[] = {
    AKF("adgroup_id", "adgroupId", AK_TYPE_INTEGER, AK_F_REQUIRED | ID_RANGE, .doc = "ad group to add to"),
    KEYWORD_TEXT(AK_F_REQUIRED),
    /* (0, 999.99] with at most 2 decimals, i.e. [0.01, 999.99]; "<= the campaign budget" is
     * checked by Baidu */
    AKF("price", "price", AK_TYPE_NUMBER, F_RANGE, RANGE(0.01, 999.99), .decimals = 2,
        .doc = "bid in (0, 999.99], 2 decimals; default the ad group's bid"),
    URL_FIELDS,
    COMMON_SETTABLE,
    IGNORED("keyword_id", "keywordId"),
    IGNORED("campaign_id", "campaignId"),
    IGNORED_QUALITY,
};

static const ak_field update_item_fields[] = {
    AKF("keyword_id", "keywordId", AK_TYPE_INTEGER, AK_F_REQUIRED | ID_RANGE, .doc = "keyword to update"),
    /* on update 0 cancels the keyword's own bid: the ad group's bid applies (shared/seeds/README.md) */
    AKF("price", "price", AK_TYPE_NUMBER, F_RANGE, RANGE(0, 999.99), .decimals = 2,
        .doc = "bid in [0, 999.99], 2 decimals; 0 = use the ad group's bid"),
    URL_FIELDS,
    COMMON_SETTABLE,
    IGNORED("adgroup_id", "adgroupId"),
    IGNORED("campaign_id", "campaignId"),
    /* the updateWord example sends "keyword", and the table marks it 无效: accepted, not sent */
    IGNORED("keyword", "keyword"),
    IGNORED_QUALITY,
};

static const ak_schema add_item = AK_SCHEMA("KeywordAdd", add_item_fields, "One keyword of an addWord request");
static const ak_schema update_item =
    AK_SCHEMA("KeywordUpdate", update_item_fields, "One keyword of an updateWord request");

/* the KeywordFields table: values of wordFields */
#define WORD_FIELDS                                                                                                    \
    AK_LIST("keywordId", "campaignId", "adgroupId", "keyword", "price", "pause", "matchType", "phraseType", "status",  \
            "wmatchprefer", "pcDestinationUrl", "pcQuality", "pcScale", "mobileDestinationUrl", "mobileQuality",       \
            "mobileScale", "tabs")

/* idType: 11 keyword ids, 5 ad-group ids; API.md's readable aliases "keyword"/"adgroup" too. */
#define ID_TYPE                                                                                                        \
    AKF("id_type", "idType", AK_TYPE_INTEGER, AK_F_REQUIRED, .values = AK_LIST("11", "5"),                             \
        .value_aliases = AK_LIST("keyword", "11", "adgroup", "5"),                                                     \
        .doc = "11 or \"keyword\": ids are keyword ids; 5 or \"adgroup\": ids are ad-group ids")
#define GET_OPTIONS                                                                                                    \
    AKF("word_fields", "wordFields", AK_TYPE_ARRAY, AK_F_UNIQUE, .item_type = AK_TYPE_STRING, .values = WORD_FIELDS,   \
        .aliases = AK_LIST("fields"),                                                                                  \
        .doc = "attributes to return (KeywordFields); ids, keyword, price and status always come"),                    \
        AKF("get_temp", "getTemp", AK_TYPE_INTEGER, 0, .values = AK_LIST("0", "1"),                                    \
            .value_aliases = AK_LIST("false", "0", "true", "1"),                                                       \
            .doc = "0 the keywords (default), 1 their shadows (pending edits)")

static const ak_field get_word_fields[] = {
    AKF("ids", "ids", AK_TYPE_ARRAY, AK_F_REQUIRED | AK_F_ITEM_RANGE | ID_RANGE, .item_type = AK_TYPE_INTEGER,
        ITEMS(1, 10000), .doc = "at most 10000 keyword ids, or 50 ad-group ids, per request"),
    ID_TYPE,
    GET_OPTIONS,
};

static const ak_rule get_word_rules[] = {
    {.kind = AK_RULE_COUNT_MAX,
     .fields = AK_LIST("ids"),
     .cond_field = "id_type",
     .cond_values = AK_LIST("5"),
     .bound = 50,
     .text = "at most 50 ad-group ids per request when id_type is 5 (keywords.get chunks)"},
};

static const ak_field get_fields[] = {
    AKF("ids", "ids", AK_TYPE_ARRAY, AK_F_REQUIRED | AK_F_ITEM_RANGE | ID_RANGE, .item_type = AK_TYPE_INTEGER,
        .doc = "any number of ids: sent in chunks of 10000 keyword ids or 50 ad-group ids"),
    ID_TYPE,
    GET_OPTIONS,
};

static const ak_field add_fields[] = {
    AKF("keyword_types", "keywordTypes", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT, .schema = &add_item,
        ITEMS(1, 0), .doc = "keywords to add, any number: sent in requests of at most 10000"),
};

static const ak_field update_fields[] = {
    AKF("keyword_types", "keywordTypes", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &update_item, ITEMS(1, 0),
        .doc = "keywords to update, any number: sent in requests of at most 10000"),
};

static const ak_field delete_fields[] = {
    AKF("keyword_ids", "keywordIds", AK_TYPE_ARRAY, AK_F_REQUIRED | AK_F_ITEM_RANGE | ID_RANGE,
        .item_type = AK_TYPE_INTEGER, ITEMS(1, 0),
        .doc = "keyword ids to delete, any number: sent in requests of at most 10000"),
};

static const ak_schema get_word_req =
    AK_SCHEMA_R("KeywordGetWordRequest", get_word_fields, get_word_rules, "getWord: one request");
static const ak_schema get_req = AK_SCHEMA("KeywordGetRequest", get_fields, "getWord over any number of ids");
static const ak_schema add_req = AK_SCHEMA("KeywordAddRequest", add_fields, "addWord");
static const ak_schema update_req = AK_SCHEMA("KeywordUpdateRequest", update_fields, "updateWord");
static const ak_schema delete_req = AK_SCHEMA("KeywordDeleteRequest", delete_fields, "deleteWord");

/* ---- results ---- */

static const ak_field failure_fields[] = {
    AKF("code", "code", AK_TYPE_INTEGER, AK_F_NULLABLE, .doc = "Baidu error code"),
    AKF("message", "message", AK_TYPE_STRING, AK_F_NULLABLE),
    AKF("position", "position", AK_TYPE_ANY, AK_F_NULLABLE, .doc = "where, as Baidu reports it"),
    AKF("index", "index", AK_TYPE_INTEGER, 0, .doc = "0-based input index (added by audkit from position)"),
    AKF("field", "field", AK_TYPE_STRING, AK_F_NULLABLE),
    AKF("id", "id", AK_TYPE_INTEGER, AK_F_NULLABLE),
    /* set by audkit for the items of a request that failed as a whole (batch.h) */
    AKF("state", "state", AK_TYPE_STRING, AK_F_NULLABLE,
        .doc = "items of a request that failed as a whole: \"not_applied\" (provably no effect) or \"unknown\" "
               "(may have been applied)"),
    AKF("kind", "kind", AK_TYPE_STRING, AK_F_NULLABLE, .doc = "the error kind of a request that failed as a whole"),
};

static const ak_schema failure = AK_SCHEMA("KeywordFailure", failure_fields, "One failed item of a batch");

#define RESULT_FIELDS(item_doc)                                                                                        \
    AKF("items", "items", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &keyword, .doc = item_doc),         \
        AKF("failures", "failures", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &failure,                 \
            .doc = "failed items, each with its input index"),                                                         \
        AKF("status", "status", AK_TYPE_INTEGER, 0, .doc = "0 success, 1 partial success"),                            \
        AKF("desc", "desc", AK_TYPE_STRING, 0), AKF("oprs", "oprs", AK_TYPE_INTEGER, 0, .doc = "items operated on"),   \
        AKF("succ", "succ", AK_TYPE_INTEGER, 0, .doc = "items that succeeded"),                                        \
        AKF("oprtime", "oprtime", AK_TYPE_INTEGER, 0),                                                                 \
        AKF("quota", "quota", AK_TYPE_INTEGER, 0, .doc = "quota this request used"),                                   \
        AKF("rquota", "rquota", AK_TYPE_INTEGER, 0, .doc = "quota remaining")

static const ak_field batch_result_fields[] = {
    RESULT_FIELDS("successful keywords, in input order"),
    AKF("requests", "requests", AK_TYPE_INTEGER, AK_F_NULLABLE,
        .doc = "requests sent for more than 10000 items (absent for one request)"),
    AKF("failed_requests", "failed_requests", AK_TYPE_INTEGER, AK_F_NULLABLE,
        .doc = "of those, the requests that failed as a whole (their items are in .failures with a state)"),
};
static const ak_field get_result_fields[] = {RESULT_FIELDS("the keywords found")};

static const ak_schema batch_result =
    AK_SCHEMA("BatchResult", batch_result_fields,
              "Result of a batch: .items (successes in input order) and .failures (with input index)");
static const ak_schema get_result = AK_SCHEMA("KeywordGetResult", get_result_fields, "Result of one getWord request");

static const int id_type_limits[] = {10000, 50};
static const ak_chunk_desc get_chunks = {
    .ids_param = "ids",
    .max_per_chunk = 10000,
    .selector = "id_type",
    .selector_values = AK_LIST("11", "5"),
    .selector_limits = id_type_limits,
    .items_path = "items",
};

/* addWord/updateWord/deleteWord take at most 10000 items per request: any number is accepted and
 * sent in requests of 10000 (batch.h), up to max_concurrency at once. */
static const ak_batch_desc add_batch = {.items_param = "keyword_types", .max_per_chunk = 10000};
static const ak_batch_desc delete_batch = {.items_param = "keyword_ids", .max_per_chunk = 10000};

static const ak_op ops[] = {
    {.name = "keywords.get",
     .kind = AK_OP_CHUNKED,
     .method = "POST",
     .path = "/KeywordService/getWord",
     .request = &get_req,
     .result = &get_result,
     .item = &keyword,
     .chunk = &get_chunks,
     .target = "keywords.get_word",
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Keywords by keyword or ad-group ids, any number: lazily, in chunks of 10000 keyword ids or 50 "
            "ad-group ids"},
    {.name = "keywords.get_word",
     .method = "POST",
     .path = "/KeywordService/getWord",
     .request = &get_word_req,
     .result = &get_result,
     .item = &keyword,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "One getWord request (at most 10000 keyword ids or 50 ad-group ids)"},
    {.name = "keywords.add",
     .method = "POST",
     .path = "/KeywordService/addWord",
     .request = &add_req,
     .result = &batch_result,
     .item = &keyword,
     .flags = AK_OPF_MUTATING,
     .batch = &add_batch,
     .doc = "Add keywords, any number (requests of 10000, max_concurrency at once); partial failures come back in "
            ".failures with input indexes"},
    {.name = "keywords.update",
     .method = "POST",
     .path = "/KeywordService/updateWord",
     .request = &update_req,
     .result = &batch_result,
     .item = &keyword,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .batch = &add_batch,
     .doc = "Update keywords, any number (requests of 10000, max_concurrency at once); partial failures come back "
            "in .failures with input indexes"},
    {.name = "keywords.delete",
     .method = "POST",
     .path = "/KeywordService/deleteWord",
     .request = &delete_req,
     .result = &batch_result,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .batch = &delete_batch,
     .doc = "Delete keywords by id, any number (requests of 10000, max_concurrency at once); .succ counts the "
            "deleted ones"},
};

static const ak_schema *const models[] = {&keyword,  &failure,     &batch_result, &get_result,
                                          &add_item, &update_item, &get_req,      &get_word_req,
                                          &add_req,  &update_req,  &delete_req,   NULL};

/* ---- envelope ---- */

/* The input index a failure's position names: an integer, a numeric string, or the first [N]
 * of a path like "keywordTypes[3].price". -1 when there is none. */
static int64_t position_index(const cJSON *pos) {
    int64_t i;
    if (ak_json_int64(pos, true, &i))
        return i >= 0 ? i : -1;
    if (!cJSON_IsString(pos))
        return -1;
    const char *b = strchr(pos->valuestring, '[');
    if (!b || b[1] < '0' || b[1] > '9')
        return -1;
    char *end = NULL;
    long long v = strtoll(b + 1, &end, 10);
    return end && *end == ']' && v >= 0 ? (int64_t)v : -1;
}

static void set_request_id(const ak_response *resp, ak_error *err) {
    const char *rid = ak_response_header(resp, "x-bce-request-id");
    if (rid)
        ak_strlcpy(err->request_id, rid, sizeof err->request_id);
}

/* A BCE gateway error without Baidu's envelope: {"code": "...", "message": "...", "requestId"}. */
static bool gateway_error(const ak_client *c, const ak_response *resp, const cJSON *doc, ak_error *err) {
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
    if (resp->status < 400 || !cJSON_IsObject(doc) || !cJSON_IsString(code))
        return false;
    /* kind and retry come from the engine's table (error_rules.c) by HTTP status */
    ak_error_set_vendor(err, c, AK_ERR_API, "%s",
                        cJSON_IsString(msg) && *msg->valuestring ? msg->valuestring : code->valuestring);
    err->http_status = resp->status;
    ak_strlcpy(err->vendor_code, code->valuestring, sizeof err->vendor_code);
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(doc, "requestId");
    if (cJSON_IsString(rid))
        ak_strlcpy(err->request_id, rid->valuestring, sizeof err->request_id);
    else
        set_request_id(resp, err);
    return true;
}

static void api_error(const ak_client *c, const ak_response *resp, const cJSON *header, int64_t status, ak_error *err) {
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(header, "failures");
    const cJSON *first = cJSON_IsArray(failures) ? failures->child : NULL;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(header, "desc");
    const cJSON *code = first ? cJSON_GetObjectItemCaseSensitive(first, "code") : NULL;
    const cJSON *msg = first ? cJSON_GetObjectItemCaseSensitive(first, "message") : NULL;
    const cJSON *pos = first ? cJSON_GetObjectItemCaseSensitive(first, "position") : NULL;
    int nfail = cJSON_IsArray(failures) ? cJSON_GetArraySize(failures) : 0;
    int64_t icode = 0, ipos;
    bool has_code = ak_json_int64(code, true, &icode);
    const char *m = cJSON_IsString(msg) && *msg->valuestring     ? msg->valuestring
                    : cJSON_IsString(desc) && *desc->valuestring ? desc->valuestring
                                                                 : "";
    char where[160] = "";
    if (cJSON_IsString(pos) && *pos->valuestring && !strstr(m, pos->valuestring))
        snprintf(where, sizeof where, " at %s", pos->valuestring);
    else if (ak_json_int64(pos, false, &ipos))
        snprintf(where, sizeof where, " at position %lld", (long long)ipos);
    char more[64] = "";
    if (nfail > 1)
        snprintf(more, sizeof more, " (and %d more failure%s)", nfail - 1, nfail > 2 ? "s" : "");
    /* kind and retry come from the engine's table (error_rules.c) by failure code */
    ak_error_set_vendor(err, c, AK_ERR_API, "%s%s%s", *m ? m : "Baidu search ads error", where, more);
    if (has_code) {
        snprintf(err->vendor_code, sizeof err->vendor_code, "%lld", (long long)icode);
    } else {
        if (cJSON_IsString(code))
            ak_strlcpy(err->vendor_code, code->valuestring, sizeof err->vendor_code);
        else
            snprintf(err->vendor_code, sizeof err->vendor_code, "status %lld", (long long)status);
    }
    set_request_id(resp, err);
}

/* The item list of body: data (the examples) or keywordTypes (the tables). Borrowed. */
/* The array of keywords in `body` (borrowed), NULL when there is none; *parent = its parent. */
static cJSON *body_items(cJSON *body, bool *bad, cJSON **parent) {
    *bad = false;
    *parent = body;
    if (!cJSON_IsObject(body))
        return NULL;
    cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
    if (!data || cJSON_IsNull(data))
        data = cJSON_GetObjectItemCaseSensitive(body, "keywordTypes");
    if (cJSON_IsObject(data)) { /* {"data": {"keywordTypes": [...]}} */
        cJSON *inner = cJSON_GetObjectItemCaseSensitive(data, "keywordTypes");
        if (inner)
            *parent = data;
        data = inner ? inner : data;
    }
    if (!data || cJSON_IsNull(data))
        return NULL;
    if (!cJSON_IsArray(data))
        *bad = true;
    return cJSON_IsArray(data) ? data : NULL;
}

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)c;
    (void)op;
    *result = NULL;
    cJSON *doc = ak_parse_body(resp, err);
    if (!doc)
        return AK_FAIL;
    cJSON *header = cJSON_GetObjectItemCaseSensitive(doc, "header");
    int64_t status;
    if (!cJSON_IsObject(doc) || !cJSON_IsObject(header) ||
        !ak_json_int64(cJSON_GetObjectItemCaseSensitive(header, "status"), true, &status)) {
        if (!gateway_error(c, resp, doc, err)) {
            if (resp->status < 200 || resp->status >= 300)
                ak_error_from_http(resp, err);
            else
                ak_error_set(err, AK_ERR_DECODE, "response is not a Baidu envelope (no header.status)");
        }
        cJSON_Delete(doc);
        return AK_FAIL;
    }
    if (status != 0 && status != 1) {
        api_error(c, resp, header, status, err);
        cJSON_Delete(doc);
        return AK_FAIL;
    }
    bool bad;
    cJSON *items_parent = NULL;
    cJSON *items = body_items(cJSON_GetObjectItemCaseSensitive(doc, "body"), &bad, &items_parent);
    if (bad) {
        ak_error_set(err, AK_ERR_DECODE, "Baidu response body.data is not a list");
        cJSON_Delete(doc);
        return AK_FAIL;
    }
    cJSON *out = cJSON_CreateObject();
    /* moved out of the parsed document, not copied (a 10000-keyword answer is megabytes) */
    cJSON *list = items ? cJSON_DetachItemViaPointer(items_parent, items) : cJSON_CreateArray();
    cJSON *fails = cJSON_CreateArray();
    if (!out || !list || !fails || !cJSON_AddItemToObject(out, "items", list)) {
        cJSON_Delete(out);
        cJSON_Delete(list);
        cJSON_Delete(fails);
        cJSON_Delete(doc);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    bool ok = cJSON_AddItemToObject(out, "failures", fails);
    if (!ok)
        cJSON_Delete(fails);
    /* every failure is kept (out of memory fails the call rather than dropping one) */
    const cJSON *hf = cJSON_GetObjectItemCaseSensitive(header, "failures");
    for (const cJSON *f = cJSON_IsArray(hf) ? hf->child : NULL; ok && f; f = f->next) {
        cJSON *copy = cJSON_Duplicate(f, true);
        int64_t idx = cJSON_IsObject(copy) ? position_index(cJSON_GetObjectItemCaseSensitive(copy, "position")) : -1;
        if (copy && idx >= 0 && !cJSON_GetObjectItemCaseSensitive(copy, "index"))
            ok = cJSON_AddNumberToObject(copy, "index", (double)idx) != NULL;
        ok = ok && copy && cJSON_AddItemToArray(fails, copy);
        if (!ok)
            cJSON_Delete(copy);
    }
    /* header scalars, unknown ones included (kept for to_dict) */
    for (const cJSON *m = header->child; ok && m; m = m->next) {
        if (strcmp(m->string, "failures") == 0 || cJSON_GetObjectItemCaseSensitive(out, m->string))
            continue;
        cJSON *copy = cJSON_Duplicate(m, true);
        ok = copy && cJSON_AddItemToObject(out, m->string, copy);
        if (!ok)
            cJSON_Delete(copy);
    }
    if (!ok) {
        cJSON_Delete(out);
        cJSON_Delete(doc);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    cJSON_Delete(doc);
    *result = out;
    return AK_OK;
}

const ak_platform ak_platform_baidu_search = {
    .key = "baidu_search",
    .display_name = "Baidu Search Ads",
    .default_base_url = AK_BAIDU_CLOUD_BASE_URL,
    .default_base_url_for = ak_baidu_default_base_url,
    .credentials = AK_LIST("op_username", "op_password", "tg_username", "tg_password", "tg_subname", "bce_user",
                           "access_key", "secret_key", "user_name", "access_token", "target"),
    .secrets = AK_LIST("op_password", "tg_password", "secret_key", "access_token"),
    .check_credentials = ak_auth_baidu_check,
    .authorize = ak_auth_baidu,
    .map_response = map_response,
    .error_rules = ak_error_rules_baidu_search,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
