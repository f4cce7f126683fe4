/* sensors_data.c - Sensors Data (神策) tag API /v2 as descriptor rows, and its envelope.
 * Document: shared/seeds/001_8b4e95ff53e22c56.txt; auth: auth/sensors_data.c.
 *
 * Rows in this file: user_tags.get (GET /v2/user_tags/{id}), user_tags.list_page and the lazy
 * user_tags.list (GET /v2/user_tags, start/count), user_tags.partitions_page and the lazy
 * user_tags.partitions (GET /v2/user_tags/{id}/partitions, start/count), user_tags.dirs
 * (GET /v2/user_tags/dirs). The models (the tag, the nested rule DSL, partitions, directory
 * nodes) are complete, so create/update/report/status/execute/export/persona become rows later.
 *
 * Readings of the document (shared/seeds/README.md, "Sensors Data"), marked "ruling:" below:
 * - the field tables and the DSL description are the specification; the examples (not valid
 *   JSON in places) only show shapes;
 * - `simple_event_rule` and `event_rule` are both accepted where an event condition is expected;
 *   `basic_measures` and `event_measure` are both accepted as the rule-content type of a
 *   basic-measure tag;
 * - `data_type` is sent as the string names; responses may carry integer codes, so the response
 *   models type it `any` (both are kept as sent);
 * - `start` counts from 1 (tag list and partitions);
 * - `cron` is a 7-field Quartz expression such as "0 0 0 * * ? *".
 *
 * Envelope: the /v2 routes answer bare JSON on 2xx (an object, or an array for the lists); any
 * non-2xx is an error whose body is kept: the message comes from the body's `error` (or
 * `message`) field, `code` becomes the vendor code. 401/403 -> auth, 404 -> not_found,
 * 429 -> rate_limited (retried), 5xx -> retried (500 only for idempotent rows). */
#include "../auth/auth.h"
#include "fields.h"

#include <stdio.h>
#include <string.h>

#define ID(nm, fl, ...) F_INT(nm, (fl) | F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD), __VA_ARGS__)
#define RELATIONS AK_LIST("and", "or")
#define TAG_STATUSES AK_LIST("PENDING", "RUNNING", "SUSPEND")
#define PARTITION_STATUSES AK_LIST("NEW", "COMPUTING", "SUCCEED", "FAILED")
#define DATA_TYPES_DOC "BOOL, NUMBER, STRING, DATETIME or LIST (responses may carry an integer code)"

/* ---- the rule DSL (标签规则描述) ----
 * Every node kind of the DSL shares one schema per position ("type" tells them apart), so the
 * recursion (rules inside rules, filters inside filters) is a schema pointing at itself; the
 * per-kind required fields are REQUIRED_WHEN rules on "type". */

static const ak_schema filter_node;

/* filter_relation_node {type: filters_relation, relation, subfilters} or
 * filter_node {type: filter, field, function, params} */
static const ak_field filter_fields[] = {
    F_ENUM("type", AK_F_REQUIRED, AK_LIST("filters_relation", "filter")),
    F_ENUM("relation", 0, RELATIONS, .doc = "filters_relation: and/or between the subfilters"),
    F_ARR("subfilters", 0, AK_TYPE_OBJECT, .schema = &filter_node,
          .doc = "filters_relation: nodes of type filters_relation or filter"),
    F_STR("field", 0, .doc = "filter: the event property, e.g. event.WithdrawCash.WithdrawDate"),
    F_STR("function", 0, .doc = "filter: the condition function, e.g. greaterequal"),
    F_ARR("params", 0, AK_TYPE_ANY, .doc = "filter: the condition values"),
};

#define WHEN_TYPE(fld, t)                                                                                              \
    {                                                                                                                  \
        .kind = AK_RULE_REQUIRED_WHEN, .field = fld, .cond_field = "type", .cond_values = AK_LIST(t),                  \
        .text = "is required when type=" t                                                                             \
    }

static const ak_rule filter_rules[] = {
    WHEN_TYPE("relation", "filters_relation"),
    WHEN_TYPE("subfilters", "filters_relation"),
    WHEN_TYPE("field", "filter"),
    WHEN_TYPE("function", "filter"),
};

static const ak_schema filter_node =
    AK_SCHEMA_R("SensorsFilter", filter_fields, filter_rules,
                "A filter of the rule DSL: a filters_relation node (relation + subfilters) or a filter node "
                "(field, function, params)");

/* measure {type: event_measure, event_name, aggregator, field?, unit?} */
static const ak_field measure_fields[] = {
    F_ENUM("type", AK_F_REQUIRED, AK_LIST("event_measure")),
    F_STR("event_name", AK_F_REQUIRED, .min_len = 1, .doc = "event name"),
    F_STR("aggregator", AK_F_REQUIRED, .min_len = 1,
          .doc = "how the measure is computed: general, SUM, MAX, MIN, AVG, UNIQ_COUNT (basic measures); "
                 "first_time, last_time, first_time_interval, last_time_interval (first/last features); "
                 "group_concat (property preference); uniqcount (behaviour distribution); rank_desc ..."),
    F_STR("field", 0, .doc = "the property measured; may be empty for some aggregators"),
    F_ENUM("unit", 0, AK_LIST("day", "hour"), .doc = "behaviour distribution: day or hour"),
};

static const ak_schema event_measure = AK_SCHEMA("SensorsEventMeasure", measure_fields, "An event measure");

/* one step of an event sequence {event, filters} */
static const ak_field step_fields[] = {
    F_STR("event", AK_F_REQUIRED, .min_len = 1, .doc = "event name or virtual event"),
    F_ARR("filters", 0, AK_TYPE_OBJECT, .schema = &filter_node, ITEMS(0, 1),
          .doc = "empty, or one filters_relation / filter node"),
};

static const ak_schema sequence_step = AK_SCHEMA("SensorsSequenceStep", step_fields, "A step of an event sequence");

static const ak_schema rule_node;

/* rules_relation_node {type: rules_relation, relation, rules} or one of the rule nodes:
 * profile_rule {field, function, params}; event_rule / simple_event_rule {measure, time_function,
 * time_params, function, params, filters}; event_sequence_rule {time_function, time_params, steps} */
#define RULE_TYPES AK_LIST("rules_relation", "profile_rule", "event_rule", "simple_event_rule", "event_sequence_rule")
static const ak_field rule_fields[] = {
    F_ENUM("type", AK_F_REQUIRED, RULE_TYPES,
           .doc = "rules_relation, profile_rule, event_rule (or simple_event_rule), event_sequence_rule"),
    F_ENUM("relation", 0, RELATIONS, .doc = "rules_relation: and/or between the rules"),
    /* "不允许为空" */
    F_ARR("rules", 0, AK_TYPE_OBJECT, .schema = &rule_node, ITEMS(1, 0),
          .doc = "rules_relation: nodes of type rules_relation or one of the three rule nodes; not empty"),
    F_STR("field", 0, .doc = "profile_rule: a property, a tag/segment, or a combination"),
    F_STR("function", 0, .doc = "profile_rule / event_rule: the rule function (measure constraint)"),
    F_ARR("params", 0, AK_TYPE_ANY, .doc = "profile_rule / event_rule: the condition values"),
    F_OBJ("measure", 0, &event_measure, .doc = "event_rule: the event measure"),
    F_STR("time_function", 0, .doc = "event and sequence rules: the time range function, e.g. relative_time"),
    F_ARR("time_params", 0, AK_TYPE_ANY, .doc = "event and sequence rules: the time range parameters"),
    /* "可以为空列表,不为空时只有一个元素,filter_relation_node或filter_node" */
    F_ARR("filters", 0, AK_TYPE_OBJECT, .schema = &filter_node, ITEMS(0, 1),
          .doc = "event rules: empty, or one filters_relation / filter node"),
    F_ARR("steps", 0, AK_TYPE_OBJECT, .schema = &sequence_step, ITEMS(1, 0),
          .doc = "event_sequence_rule: the events in order"),
};

static const ak_rule rule_rules[] = {
    WHEN_TYPE("relation", "rules_relation"),
    WHEN_TYPE("rules", "rules_relation"),
    WHEN_TYPE("field", "profile_rule"),
    WHEN_TYPE("function", "profile_rule"),
    WHEN_TYPE("params", "profile_rule"),
    /* ruling: simple_event_rule (the examples) and event_rule are both event conditions; the
     * DSL lists measure/function/params for event_rule, the examples omit them for
     * simple_event_rule, which keeps only the time range and the filters */
    WHEN_TYPE("measure", "event_rule"),
    WHEN_TYPE("function", "event_rule"),
    WHEN_TYPE("params", "event_rule"),
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "time_function",
     .cond_field = "type",
     .cond_values = AK_LIST("event_rule", "simple_event_rule", "event_sequence_rule"),
     .text = "is required for event and sequence rules"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "time_params",
     .cond_field = "type",
     .cond_values = AK_LIST("event_rule", "simple_event_rule", "event_sequence_rule"),
     .text = "is required for event and sequence rules"},
    WHEN_TYPE("steps", "event_sequence_rule"),
};

static const ak_schema rule_node =
    AK_SCHEMA_R("SensorsRule", rule_fields, rule_rules, "A node of the rule DSL: rules_relation or a rule node");

/* One entry of rule_content_list: a custom-value layer {value, type: rules_relation, relation,
 * rules}, or a measure tag's content {type, measure, rules}. */
/* ruling: basic_measures (examples) and event_measure (field table) are both accepted */
#define MEASURE_CONTENT_TYPES                                                                                          \
    AK_LIST("basic_measures", "event_measure", "first_last_time_feature", "event_property_preferences",                \
            "behavior_distribution_result")
static const ak_field content_fields[] = {
    F_ENUM("type", AK_F_REQUIRED,
           AK_LIST("rules_relation", "basic_measures", "event_measure", "first_last_time_feature",
                   "event_property_preferences", "behavior_distribution_result"),
           .doc = "rules_relation (custom values) or the measure tag kind"),
    F_STR("value", 0, .doc = "custom values: the value (layer name) this rule set assigns, e.g. 分层1"),
    F_ENUM("relation", 0, RELATIONS, .doc = "custom values: and/or between the rule sets"),
    F_ARR("rules", AK_F_REQUIRED, AK_TYPE_OBJECT, .schema = &rule_node, ITEMS(1, 0), .doc = "the tag rules"),
    F_OBJ("measure", 0, &event_measure, .doc = "measure tags: the tag value rule"),
};

static const ak_rule content_rules[] = {
    /* the custom-value table marks relation and value "用于自定义标签值" (required there) */
    WHEN_TYPE("relation", "rules_relation"),
    WHEN_TYPE("value", "rules_relation"),
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "measure",
     .cond_field = "type",
     .cond_values = MEASURE_CONTENT_TYPES,
     .text = "is required for measure tags (basic measure, first/last, preference, distribution)"},
};

static const ak_schema rule_content =
    AK_SCHEMA_R("SensorsRuleContent", content_fields, content_rules, "One entry of a tag's rule_content_list");

/* ---- partitions ---- */
static const ak_field partition_fields[] = {
    F_STR("base_time", 0, .format = AK_FMT_DATETIME, .doc = "the base time the partition was computed for"),
    F_STR("start_time", 0, .format = AK_FMT_DATETIME),
    F_STR("finished_time", 0, .format = AK_FMT_DATETIME),
    F_INT("user_count", 0, .doc = "users in this partition"),
    F_ENUM("status", 0, PARTITION_STATUSES, .doc = "NEW, COMPUTING, SUCCEED or FAILED"),
    F_ARR("rule_content_list", 0, AK_TYPE_OBJECT, .schema = &rule_content, .doc = "the rules it was computed with"),
    F_STR("next_partition_base_time", 0, .format = AK_FMT_DATETIME,
          .doc = "last_partition_info: the base time of the next computation"),
};

static const ak_schema partition = AK_SCHEMA("SensorsPartition", partition_fields, "One computation of a tag");

/* ---- the tag (获取标签元信息 response; the create table's fields included) ---- */
static const ak_field user_tag_fields[] = {
    F_INT("id", 0, .doc = "tag id (0 on create)"),
    F_INT("dir_id", 0, .doc = "directory id"),
    F_STR("name", 0, .doc = "tag name (English, no capital letters)"),
    F_STR("cname", 0, .doc = "display name"),
    F_STR("user_name", 0, .doc = "creator"),
    F_STR("create_time", 0, .format = AK_FMT_DATETIME),
    /* ruling: string names on the way out, integer codes accepted on the way in */
    AKF("data_type", "data_type", AK_TYPE_ANY, 0, .doc = DATA_TYPES_DOC),
    F_ENUM("unit", 0, AK_LIST("DAY"), .doc = "computation period (only DAY)"),
    F_INT("source_type", 0,
          .doc = "1 custom values, 2 query result, 5 upload, 6 external import, 7 SQL, 9/13 basic measure, "
                 "10 first/last feature, 11 event property preference, 12 behaviour distribution, 21 RFM"),
    F_BOOL("is_routine", 0, .doc = "computed on the cron schedule"),
    F_ENUM("status", 0, TAG_STATUSES, .doc = "PENDING, RUNNING or SUSPEND"),
    F_STR("comment", 0),
    F_STR("cron", 0, .doc = "7-field Quartz expression, e.g. \"0 0 0 * * ? *\""),
    F_ARR("rule_content_list", 0, AK_TYPE_OBJECT, .schema = &rule_content, .doc = "the rules"),
    F_STR("sql", 0, .doc = "SQL tags (source_type 7): the query"),
    F_ARR("app_push_list", AK_F_NULLABLE, AK_TYPE_ANY, .doc = "app push configuration"),
    F_STR("base_time", 0, .format = AK_FMT_DATETIME, .doc = "base time of the computation"),
    F_INT("failed_partition_count", 0),
    F_OBJ("last_succeed_partition", 0, &partition, .doc = "the last successful computation"),
    F_OBJ("last_partition_info", 0, &partition, .doc = "the last computation and the next base time"),
};

static const ak_schema user_tag = AK_SCHEMA("UserTag", user_tag_fields, "A Sensors Data user tag");

/* ---- directory tree (获取标签完整的目录结构) ---- */
static const ak_schema dir_node;
static const ak_field dir_fields[] = {
    F_ENUM("type", 0, AK_LIST("DIR", "USER_TAG"), .doc = "DIR or USER_TAG"),
    F_INT("id", 0),
    F_STR("name", 0, .doc = "tags: the tag name"),
    F_STR("cname", 0, .doc = "display name"),
    F_BOOL("is_default", 0, .doc = "directories: the default directory"),
    AKF("data_type", "data_type", AK_TYPE_ANY, 0, .doc = DATA_TYPES_DOC),
    F_BOOL("is_permitted", 0, .doc = "tags: the caller may read it"),
    F_ARR("items", 0, AK_TYPE_OBJECT, .schema = &dir_node, .doc = "directories: tags and sub-directories"),
};
static const ak_schema dir_node = AK_SCHEMA("UserTagDir", dir_fields, "A node of the tag directory tree");

/* ---- requests ---- */
static const ak_field get_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
};

/* ruling: `start` counts from 1 */
#define START_COUNT_FIELDS                                                                                             \
    F_INT("start", F_RANGE, RANGE(1, AK_MAX_SAFE_INT), .location = AK_LOC_QUERY,                                       \
          .doc = "1-based index of the first item (managed by the lazy iterator)"),                                    \
        F_INT("count", F_RANGE, RANGE(1, INT32_MAXD), .location = AK_LOC_QUERY, .doc = "items per page")

static const ak_field list_fields[] = {
    START_COUNT_FIELDS,
    F_BOOL("invisible", 0, .location = AK_LOC_QUERY,
           .doc = "include tags of hidden directories (the user-persona tags); false hides them"),
};

static const ak_field partitions_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    F_STR("from_date", 0, .location = AK_LOC_QUERY, .min_len = 1, .doc = "start of the base-time range (with to_date)"),
    F_STR("to_date", 0, .location = AK_LOC_QUERY, .min_len = 1, .doc = "end of the base-time range (with from_date)"),
    F_ENUM("order", 0, AK_LIST("desc"), .location = AK_LOC_QUERY, .doc = "desc: newest base_time first"),
    START_COUNT_FIELDS,
};

static const ak_rule partitions_rules[] = {
    /* "同时存在 from_date 和 to_date 两个参数按照时间的范围查询;如果传递其中一个参数,系统会提示异常" */
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "to_date",
     .cond_field = "from_date",
     .text = "is required when from_date is given (both or neither)"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "from_date",
     .cond_field = "to_date",
     .text = "is required when to_date is given (both or neither)"},
    {.kind = AK_RULE_LESS_EQUAL,
     .field = "from_date",
     .fields = AK_LIST("to_date"),
     .text = "must not be later than to_date"},
};

static const ak_field dirs_fields[] = {
    F_BOOL("need_user_tag", 0, .location = AK_LOC_QUERY,
           .doc = "include the tags of each directory (default); false returns the directories only"),
    F_ENUM("tag_status", 0, TAG_STATUSES, .location = AK_LOC_QUERY),
    F_ENUM("unit", 0, AK_LIST("DAY"), .location = AK_LOC_QUERY),
    F_INT("source_type", 0, .location = AK_LOC_QUERY, .values = AK_LIST("1", "2", "5", "6", "7"),
          .doc = "1 rule, 2 query result, 5 upload, 6 import, 7 SQL"),
    F_ENUM("last_partition_status", 0, PARTITION_STATUSES, .location = AK_LOC_QUERY),
    F_INT("is_routine", 0, .location = AK_LOC_QUERY, .values = AK_LIST("0", "1"), .doc = "1 routine, 0 not"),
};

static const ak_schema get_req = AK_SCHEMA("UserTagGetRequest", get_fields, "");
static const ak_schema list_req = AK_SCHEMA("UserTagListRequest", list_fields, "");
static const ak_schema partitions_req =
    AK_SCHEMA_R("UserTagPartitionsRequest", partitions_fields, partitions_rules, "");
static const ak_schema dirs_req = AK_SCHEMA("UserTagDirsRequest", dirs_fields, "");

/* The lists are bare JSON arrays: the items path is the result itself (""). No total is
 * reported, so the pager stops at a short page. The document gives no maximum `count`: 100 is
 * audkit's default page size. */
static const ak_pager_desc start_count_pager = {
    .style = AK_PAGE_START_COUNT,
    .page_param = "start",
    .size_param = "count",
    .first_page = 1,
    .max_page_size = 100,
    .items_path = "",
};

static const ak_op ops[] = {
    {.name = "user_tags.get",
     .method = "GET",
     .path = "/v2/user_tags/{id}",
     .request = &get_req,
     .result = &user_tag,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get a tag's metadata and rules (获取标签元信息)"},
    {.name = "user_tags.list_page",
     .method = "GET",
     .path = "/v2/user_tags",
     .request = &list_req,
     .item = &user_tag,
     .pager = &start_count_pager,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get one page (start/count) of the tag list (获取标签列表)"},
    {.name = "user_tags.list",
     .kind = AK_OP_PAGER,
     .target = "user_tags.list_page",
     .doc = "Iterate over all tags, fetching pages (start/count) lazily"},
    {.name = "user_tags.partitions_page",
     .method = "GET",
     .path = "/v2/user_tags/{id}/partitions",
     .request = &partitions_req,
     .item = &partition,
     .pager = &start_count_pager,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get one page (start/count) of a tag's partitions (获取所有/部分 partition)"},
    {.name = "user_tags.partitions",
     .kind = AK_OP_PAGER,
     .target = "user_tags.partitions_page",
     .doc = "Iterate over a tag's partitions, fetching pages (start/count) lazily"},
    {.name = "user_tags.dirs",
     .method = "GET",
     .path = "/v2/user_tags/dirs",
     .request = &dirs_req,
     .item = &dir_node,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get the tag directory tree (获取标签完整的目录结构)"},
};

static const ak_schema *const models[] = {&user_tag,       &rule_content, &rule_node, &filter_node, &event_measure,
                                          &sequence_step,  &partition,    &dir_node,  &get_req,     &list_req,
                                          &partitions_req, &dirs_req,     NULL};

/* ---- envelope ---- */

static const char *str_member(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)op;
    *result = NULL;
    int s = resp->status;
    if (s >= 200 && s < 300) {
        if (resp->body_len == 0)
            return AK_OK; /* DELETE and friends answer without a body */
        cJSON *body = ak_parse_body(resp, err);
        if (!body)
            return AK_FAIL;
        *result = body; /* bare arrays (the lists) are decoded item by item by the engine */
        return AK_OK;
    }
    /* any non-2xx is an error; keep what the body says */
    cJSON *body = resp->body_len ? ak_json_parse(resp->body, resp->body_len) : NULL;
    const char *msg = NULL, *code = NULL;
    char codebuf[64];
    if (cJSON_IsObject(body)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
        msg = cJSON_IsString(e) && *e->valuestring ? e->valuestring : NULL;
        if (!msg && cJSON_IsObject(e))
            msg = str_member(e, "message");
        if (!msg)
            msg = str_member(body, "message");
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(body, "code");
        int64_t ci;
        if (cJSON_IsString(cv) && *cv->valuestring) {
            code = cv->valuestring;
        } else if (ak_json_int64(cv, false, &ci)) {
            snprintf(codebuf, sizeof codebuf, "%lld", (long long)ci);
            code = codebuf;
        }
    }
    /* kind and retry come from the engine's table (error_rules.c) by HTTP status */
    ak_error_kind kind = cJSON_IsObject(body) ? AK_ERR_API : AK_ERR_HTTP;
    if (msg)
        ak_error_set_vendor(err, c, kind, "%s", msg);
    else if (cJSON_IsObject(body))
        ak_error_set(err, kind, "Sensors Data HTTP %d", s);
    else
        ak_error_set(err, kind, "Sensors Data HTTP %d without a JSON body", s);
    err->http_status = s;
    if (code)
        ak_strlcpy(err->vendor_code, code, sizeof err->vendor_code);
    const char *rid = ak_response_header(resp, "X-Request-Id");
    if (rid)
        ak_strlcpy(err->request_id, rid, sizeof err->request_id);
    cJSON_Delete(body);
    return AK_FAIL;
}

const ak_platform ak_platform_sensors_data = {
    .key = "sensors_data",
    .display_name = "Sensors Data",
    .default_base_url = NULL,
    .credentials = AK_LIST("token", "api_key", "project"),
    .secrets = AK_LIST("token", "api_key"),
    .check_credentials = ak_auth_sensors_data_check,
    .authorize = ak_auth_sensors_data,
    .map_response = map_response,
    .error_rules = ak_error_rules_sensors_data,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
