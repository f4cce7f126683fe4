/* volcengine_live.c - Volcengine live (livesaas, Version 2023-08-01): GetAccountUserTrackData as a
 * descriptor row, its request/response models, and the ResponseMetadata/Result envelope.
 * Document: shared/seeds/004_33bcae05db2f1e18.txt; auth and envelope facts: shared/VENDORS.md.
 *
 * The public name has no resource prefix (shared/API.md: vl.get_account_user_track_data(...)):
 * the op is the bare "get_account_user_track_data", which the bindings expose on the client. */
#include "../auth/auth.h"
#include "fields.h"

#include <stdio.h>
#include <string.h>

#define ID(nm, wr, fl, doc_)                                                                                           \
    AKF(nm, wr, AK_TYPE_INTEGER, (fl) | F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD), .doc = doc_)
#define INT(nm, wr, doc_) AKF(nm, wr, AK_TYPE_INTEGER, 0, .doc = doc_)
#define STR(nm, wr, doc_) AKF(nm, wr, AK_TYPE_STRING, 0, .doc = doc_)

/* ---- request ---------------------------------------------------------------------------------
 * The document's "是否必选" column is empty for every body field (icons lost in the copy); the
 * only stated requirement is the note "至少传入 UserId 和 ExternalId 其中之一。如果同时传入,则
 * UserId 优先级更高": an AT_LEAST_ONE rule, and both may be sent (the vendor prefers UserId).
 * Example numbers are masked ("12****239") and are not JSON (shared/seeds/README.md): UserId and
 * ActivityId are Long, sent as JSON integers; numeric strings are converted, masked ones refused. */
static const ak_field select_tag_fields[] = {
    INT("index", "Index", "tag index: its position in the console, smaller comes first"),
    AKF("value", "Value", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_STRING, .doc = "tag values (ListSiteTagAPIV2)"),
    STR("name", "Name", "tag name"),
};
static const ak_schema select_tag = AK_SCHEMA("SelectTag", select_tag_fields, "A category tag filter (SelectTags)");

static const ak_field request_fields[] = {
    ID("user_id", "UserId", 0, "viewer id in Volcengine live (ListAccountUserData); wins over external_id"),
    STR("external_id", "ExternalId",
        "viewer id on the third-party platform (WeChat OpenID, custom login UserId, OAuth id, passport_id...)"),
    STR("watch_type", "WatchType",
        "custom viewing-restriction login app (GetViewingRestrictionInfo CustomApp); send with external_id"),
    ID("activity_id", "ActivityId", 0, "live room id (ListActivityAPI): filters FilterUserTrack"),
    AKF("select_tags", "SelectTags", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &select_tag,
        .doc = "category tag filters (ListSiteTagAPIV2): filter FilterUserTrack"),
};

static const ak_rule request_rules[] = {
    {.kind = AK_RULE_AT_LEAST_ONE,
     .fields = AK_LIST("user_id", "external_id"),
     .text = "at least one of user_id, external_id must be given (user_id wins when both are)"},
};

static const ak_schema request = AK_SCHEMA_R("GetAccountUserTrackDataRequest", request_fields, request_rules,
                                             "Parameters of GetAccountUserTrackData");

/* ---- response models: every documented field, snake_case names -> PascalCase wire names ----- */
static const ak_field user_tracks_fields[] = {
    INT("activity_id", "ActivityId", "live room id"),
    STR("activity_name", "ActivityName", "live room name"),
    INT("join_time", "JoinTime", "time the viewer entered the room (Unix seconds)"),
    INT("watch_duration_live", "WatchDurationLive", "seconds watched live"),
    INT("watch_duration_replay", "WatchDurationReplay", "seconds watched as replay"),
    INT("comment_count", "CommentCount", "comments sent (incl. deleted/unapproved, excl. images) and danmaku codes"),
    AKF("lottery_awards", "LotteryAwards", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_STRING,
        .doc = "prizes won in live lotteries"),
    STR("pay_amount", "PayAmount", "amount paid (a decimal string)"),
};
static const ak_schema user_tracks = AK_SCHEMA("UserTracks", user_tracks_fields, "One live room the viewer visited");

static const ak_field user_track_sum_fields[] = {
    INT("watch_count", "WatchCount", "number of live rooms watched"),
    INT("watch_duration", "WatchDuration", "total time on watch pages (seconds)"),
};
static const ak_schema user_track_sum = AK_SCHEMA("UserTrackSum", user_track_sum_fields, "Accumulated viewing data");

static const ak_field interact_data_fields[] = {
    INT("reservation_count", "ReservationCount", "live reservations"),
    INT("vote_count", "VoteCount", "votes taken part in"),
    INT("comment_count", "CommentCount", "comments sent (incl. deleted/unapproved, excl. images) and danmaku codes"),
    INT("questionnaire_count", "QuestionnaireCount", "questionnaires filled in"),
    INT("lottery_count", "LotteryCount", "live lotteries taken part in"),
    INT("lottery_hit_count", "LotteryHitCount", "lotteries won"),
    INT("invite_count", "InviteCount", "viewers who logged in through this viewer's share link, QR code or poster"),
    INT("shift_screen_number", "ShiftScreenNumber", "screen-switch detection reminders triggered"),
    INT("mute_number", "MuteNumber", "mute/stop detection reminders triggered"),
    INT("no_interact_number", "NoInteractNumber", "no-interaction detection reminders triggered"),
    INT("thumb_up_number", "ThumbUpNumber", "likes in live rooms"),
    INT("coupon_pickup_count", "CouponPickupCount", "coupons picked up"),
};
static const ak_schema interact_data = AK_SCHEMA("InteractData", interact_data_fields, "Interaction data");

static const ak_field pay_data_fields[] = {
    STR("total_amount", "TotalAmount", "amount paid (a decimal string)"),
    INT("pay_count", "PayCount", "paid viewings"),
};
static const ak_schema pay_data = AK_SCHEMA("PayData", pay_data_fields, "Payment data");

/* UserTrackData and FilterUserTrack have the same four members (two tables in the document) */
static const ak_field track_data_fields[] = {
    AKF("user_tracks", "UserTracks", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &user_tracks,
        .doc = "viewing footprints"),
    AKF("user_track_sum", "UserTrackSum", AK_TYPE_OBJECT, 0, .schema = &user_track_sum, .doc = "accumulated viewing"),
    AKF("interact_data", "InteractData", AK_TYPE_OBJECT, 0, .schema = &interact_data, .doc = "interaction data"),
    AKF("pay_data", "PayData", AK_TYPE_OBJECT, 0, .schema = &pay_data, .doc = "payment data"),
};
static const ak_schema user_track_data =
    AK_SCHEMA("UserTrackData", track_data_fields, "The viewer's complete profile (all rooms)");
static const ak_schema filter_user_track =
    AK_SCHEMA("FilterUserTrack", track_data_fields, "The viewer's profile filtered by activity_id/select_tags");

static const ak_field result_fields[] = {
    AKF("user_track_data", "UserTrackData", AK_TYPE_OBJECT, 0, .schema = &user_track_data,
        .doc = "complete viewer profile"),
    AKF("filter_user_track", "FilterUserTrack", AK_TYPE_OBJECT, AK_F_NULLABLE, .schema = &filter_user_track,
        .doc = "profile filtered by activity_id/select_tags; empty when neither is given"),
};
static const ak_schema result = AK_SCHEMA("GetAccountUserTrackDataResult", result_fields,
                                          "Result of GetAccountUserTrackData (the envelope's Result)");

static const ak_op ops[] = {
    /* POST /?Action=GetAccountUserTrackData&Version=2023-08-01; "单用户请求频率限制为 1 次/秒"
     * (per user, i.e. per access key: one client's calls are spaced by the engine's limiter).
     * A read: safe to retry after a transport failure. */
    {.name = "get_account_user_track_data",
     .method = "POST",
     .path = "/",
     .request = &request,
     .result = &result,
     .flags = AK_OPF_IDEMPOTENT,
     .rate_per_sec = 1,
     .query = AK_LIST("Action", "GetAccountUserTrackData", "Version", "2023-08-01"),
     .doc = "Get a viewer's profile: viewing footprints, accumulated viewing, interaction and payment data"},
};

static const ak_schema *const models[] = {
    &result,        &user_track_data, &filter_user_track, &user_tracks, &user_track_sum,
    &interact_data, &pay_data,        &request,           &select_tag,  NULL};

/* ---- envelope --------------------------------------------------------------------------------
 * {ResponseMetadata{RequestId, Action, Version, Service, Region, Error?{Code, CodeN, Message}}, Result}.
 * Gateway errors come with non-2xx statuses; the seed's own are 400 InvalidParameter.* and 500
 * InternalError (retry). Classification uses the HTTP status and the published code names
 * (Volcengine's common error codes), never CodeN. */

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)op;
    *result = NULL;
    cJSON *body = ak_parse_body(resp, err);
    if (!body)
        return AK_FAIL;
    bool ok_status = resp->status >= 200 && resp->status < 300;
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(body, "ResponseMetadata");
    if (!cJSON_IsObject(body) || !cJSON_IsObject(meta)) {
        if (!ok_status)
            ak_error_from_http(resp, err);
        else
            ak_error_set(err, AK_ERR_DECODE, "response is not a Volcengine envelope (no ResponseMetadata)");
        cJSON_Delete(body);
        return AK_FAIL;
    }
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(meta, "RequestId");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(meta, "Error");
    if (!cJSON_IsObject(e) && ok_status) {
        *result = cJSON_DetachItemFromObjectCaseSensitive(body, "Result");
        cJSON_Delete(body);
        if (*result && !cJSON_IsObject(*result)) {
            bool null = cJSON_IsNull(*result);
            cJSON_Delete(*result);
            *result = NULL;
            if (!null) {
                ak_error_set(err, AK_ERR_DECODE, "Volcengine Result is not an object");
                return AK_FAIL;
            }
        }
        return AK_OK;
    }
    if (!cJSON_IsObject(e)) { /* non-2xx with metadata but no Error: an HTTP failure */
        ak_error_from_http(resp, err);
    } else {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "Code");
        const cJSON *coden = cJSON_GetObjectItemCaseSensitive(e, "CodeN");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "Message");
        const char *cs = cJSON_IsString(code) ? code->valuestring : "";
        const char *ms = cJSON_IsString(msg) ? msg->valuestring : "";
        int64_t n = 0;
        bool has_n = ak_json_int64(coden, true, &n);
        /* kind and retry come from the engine's table (error_rules.c) by Error.Code */
        if (*ms)
            ak_error_set_vendor(err, c, AK_ERR_API, "%s", ms);
        else
            ak_error_set(err, AK_ERR_API, "Volcengine error %s", *cs ? cs : "(no code)");
        if (*cs)
            ak_strlcpy(err->vendor_code, cs, sizeof err->vendor_code);
        else if (has_n)
            snprintf(err->vendor_code, sizeof err->vendor_code, "%lld", (long long)n);
    }
    err->http_status = resp->status;
    if (cJSON_IsString(rid))
        ak_strlcpy(err->request_id, rid->valuestring, sizeof err->request_id);
    cJSON_Delete(body);
    return AK_FAIL;
}

const ak_platform ak_platform_volcengine_live = {
    .key = "volcengine_live",
    .display_name = "Volcengine Live",
    .default_base_url = "https://livesaas.volcengineapi.com",
    .credentials = AK_LIST("access_key", "secret_key", "session_token", "region"),
    .secrets = AK_LIST("secret_key", "session_token"),
    .check_credentials = ak_auth_volcengine_check,
    .authorize = ak_auth_volcengine_v4,
    .map_response = map_response,
    .error_rules = ak_error_rules_volcengine_live,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
