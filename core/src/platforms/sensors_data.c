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
#include <stdlib.h>
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

/* ---- create (创建标签, PUT /v2/user_tags) ----
 * The create table's fields. source_type is limited to the types this route documents: 1 custom
 * values, 9 basic measure, 10 first/last feature, 11 event property preference, 12 behaviour
 * distribution (rule tags, `rule_content_list`) and 7 SQL (`sql`); imported tags (5/6) have their
 * own document and are a ValidationError here. */
#define CREATE_SOURCE_TYPES AK_LIST("1", "7", "9", "10", "11", "12")
/* every type a tag can have (the 获取标签元信息 comment), for update */
#define ALL_SOURCE_TYPES AK_LIST("1", "2", "5", "6", "7", "9", "10", "11", "12", "13", "21")
#define SOURCE_TYPES_DOC                                                                                               \
    "1 custom values, 9 basic measure, 10 first/last feature, 11 event property preference, 12 behaviour "             \
    "distribution, 7 SQL"
#define TAG_BODY_FIELDS                                                                                                \
    F_STR("name", 0, .min_len = 1, .format = AK_FMT_NO_UPPER,                                                          \
          .doc = "English name, no capital letters; checked for duplicates (generated when absent)"),                  \
        F_STR("cname", 0, .doc = "display name"), F_STR("comment", 0, .doc = "remark"),                                \
        ID("dir_id", 0, .doc = "directory (group) of the tag"),                                                        \
        F_STR("cron", 0, .min_len = 1, .format = AK_FMT_CRON,                                                          \
              .doc = "schedule, a 7-field Quartz expression such as \"0 0 0 * * ? *\"; required when is_routine"),     \
        F_BOOL("is_routine", 0, .doc = "computed on the cron schedule (then cron is required)"),                       \
        F_ARR("app_push_list", AK_F_NULLABLE, AK_TYPE_ANY, .doc = "app push configuration"),                           \
        F_STR("base_time", 0, .format = AK_FMT_DATETIME, .doc = "ignored by the server on create"),                    \
        F_ENUM("unit", 0, AK_LIST("DAY"), .doc = "computation period: only DAY"),                                      \
        F_ARR("rule_content_list", 0, AK_TYPE_OBJECT, .schema = &rule_content, ITEMS(1, 0),                            \
              .doc = "rule tags: one entry per value (custom values) or the measure content"),                         \
        F_STR("sql", 0, .min_len = 1, .doc = "SQL tags (source_type 7): select id, distinct_id, value ...")

static const ak_field create_fields[] = {
    /* "创建可填 0,返回按照创建顺序返回实际标签 id" */
    F_INT("id", F_RANGE, RANGE(0, 0), .doc = "0 (the server assigns the id)"),
    F_ENUM("data_type", AK_F_REQUIRED, AK_LIST("BOOL", "NUMBER", "STRING", "DATETIME", "LIST"),
           .doc = "BOOL, NUMBER, STRING, DATETIME or LIST"),
    F_INT("source_type", AK_F_REQUIRED, .values = CREATE_SOURCE_TYPES, .doc = SOURCE_TYPES_DOC),
    TAG_BODY_FIELDS,
};

/* rules shared by create and update */
#define TAG_RULES                                                                                                      \
    {.kind = AK_RULE_REQUIRED_WHEN,                                                                                    \
     .field = "cron",                                                                                                  \
     .cond_field = "is_routine",                                                                                       \
     .cond_values = AK_LIST("true"),                                                                                   \
     .text = "is required when is_routine is true"},                                                                   \
        {.kind = AK_RULE_REQUIRED_WHEN,                                                                                \
         .field = "sql",                                                                                               \
         .cond_field = "source_type",                                                                                  \
         .cond_values = AK_LIST("7"),                                                                                  \
         .text = "is required for SQL tags (source_type 7)"},                                                          \
        {.kind = AK_RULE_FORBIDDEN_WHEN,                                                                               \
         .field = "rule_content_list",                                                                                 \
         .cond_field = "source_type",                                                                                  \
         .cond_values = AK_LIST("7"),                                                                                  \
         .text = "is not used by SQL tags (source_type 7): give sql"},                                                 \
    {                                                                                                                  \
        .kind = AK_RULE_FORBIDDEN_WHEN, .field = "sql", .cond_field = "source_type", .cond_values = AK_LIST("7"),      \
        .cond_negate = 1, .text = "is only for SQL tags (source_type 7)"                                               \
    }

static const ak_rule create_rules[] = {
    TAG_RULES,
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "rule_content_list",
     .cond_field = "source_type",
     .cond_values = AK_LIST("7"),
     .cond_negate = 1,
     .text = "is required for rule tags (source_type 1, 9, 10, 11, 12)"},
};

static const ak_schema create_req =
    AK_SCHEMA_R("UserTagCreateRequest", create_fields, create_rules,
                "A new tag: custom values (1), basic measure (9), first/last feature (10), event property "
                "preference (11), behaviour distribution (12) or SQL (7)");

/* ---- update (更新标签配置, PUT /v2/user_tags/{id}) ----
 * The document's example sends the whole tag as 获取标签元信息 returns it, read-only fields
 * included, so every field of the tag is accepted (a tag read with get can be sent back). The id
 * travels in the path (the body's copy of it is the path's). */
static const ak_field update_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    F_ENUM("data_type", 0, AK_LIST("BOOL", "NUMBER", "STRING", "DATETIME", "LIST"),
           .doc = "BOOL, NUMBER, STRING, DATETIME or LIST"),
    F_INT("source_type", 0, .values = ALL_SOURCE_TYPES,
          .doc = "1 custom values, 2 query result, 5 upload, 6 external import, 7 SQL, 9/13 basic measure, "
                 "10 first/last feature, 11 event property preference, 12 behaviour distribution, 21 RFM"),
    TAG_BODY_FIELDS,
    F_STR("user_name", 0, .doc = "creator (as get returns it; not changed by update)"),
    F_STR("create_time", 0, .format = AK_FMT_DATETIME, .doc = "as get returns it"),
    F_ENUM("status", 0, TAG_STATUSES, .doc = "as get returns it (use set_status to change it)"),
    F_INT("failed_partition_count", 0, .doc = "as get returns it"),
    F_OBJ("last_succeed_partition", 0, &partition, .doc = "as get returns it"),
    F_OBJ("last_partition_info", 0, &partition, .doc = "as get returns it"),
};
static const ak_rule update_rules[] = {TAG_RULES};
static const ak_schema update_req =
    AK_SCHEMA_R("UserTagUpdateRequest", update_fields, update_rules, "A tag's new configuration (the whole tag)");

/* ---- set_status (修改标签的调度状态, PATCH /v2/user_tags/{id}) ---- */
static const ak_field set_status_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    F_ENUM("status", AK_F_REQUIRED, AK_LIST("RUNNING", "SUSPEND"), .doc = "RUNNING (start) or SUSPEND (pause)"),
};
static const ak_schema set_status_req = AK_SCHEMA("UserTagSetStatusRequest", set_status_fields, "");

/* ---- report (获取标签详情, POST /v2/user_tags/{id}/report) ---- */
static const ak_field report_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    F_STR("from_date", AK_F_REQUIRED, .format = AK_FMT_DATE, .doc = "first day (inclusive), yyyy-MM-dd"),
    F_STR("to_date", AK_F_REQUIRED, .format = AK_FMT_DATE, .doc = "last day (inclusive), yyyy-MM-dd"),
    F_ARR("bucket_param", 0, AK_TYPE_NUMBER,
          .doc = "bucket boundaries (as in event analysis), for NUMBER and DATETIME tags; others use the default"),
    F_INT("limit", F_RANGE, RANGE(0, INT32_MAXD), .doc = "at most this many values (default 1000)"),
};
static const ak_rule report_rules[] = {
    {.kind = AK_RULE_LESS_EQUAL,
     .field = "from_date",
     .fields = AK_LIST("to_date"),
     .text = "must not be later than to_date"},
};
static const ak_schema report_req = AK_SCHEMA_R("UserTagReportRequest", report_fields, report_rules, "");

static const ak_field report_value_fields[] = {
    F_INT("user_count", 0, .doc = "users"),
    F_NUM("percent", 0, .doc = "share in percent"),
    F_STR("base_time", 0, .format = AK_FMT_DATETIME, .doc = "the partition"),
    F_STR("finished_time", 0, .format = AK_FMT_DATETIME, .doc = "when it was computed"),
};
static const ak_schema report_value =
    AK_SCHEMA("UserTagReportValue", report_value_fields, "One partition of a report row");
static const ak_field report_row_fields[] = {
    AKF("by_value", "by_value", AK_TYPE_ANY, 0, .doc = "the tag value (layer), or $ALL in the aggregate"),
    F_ARR("partition_values", 0, AK_TYPE_OBJECT, .schema = &report_value, .doc = "one per series entry"),
};
static const ak_schema report_row = AK_SCHEMA("UserTagReportRow", report_row_fields, "One value of a report");
static const ak_field report_part_fields[] = {
    F_ARR("series", 0, AK_TYPE_STRING, .doc = "the base times, in order"),
    F_ARR("rows", 0, AK_TYPE_OBJECT, .schema = &report_row, .doc = "one row per value"),
};
static const ak_schema report_part = AK_SCHEMA("UserTagReportResult", report_part_fields, "");
static const ak_field report_fields_out[] = {
    F_OBJ("aggregate_result", 0, &report_part, .doc = "all values together ($ALL)"),
    F_OBJ("non_aggregate_result", 0, &report_part, .doc = "each value (layer) per day"),
};
static const ak_schema report = AK_SCHEMA("UserTagReport", report_fields_out, "A tag's report");

/* ---- status / execute / add_partitions ----
 * base_time_list travels in the query. The document shows one value (`?base_time_list=
 * 2019-12-16`); several are sent as repeated parameters (authorize_request below). */
#define BASE_TIME_LIST(doc_)                                                                                           \
    F_ARR("base_time_list", AK_F_REQUIRED | AK_F_UNIQUE, AK_TYPE_STRING, .location = AK_LOC_QUERY,                     \
          .format = AK_FMT_DATE, ITEMS(1, 0), .doc = doc_)
static const ak_field status_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    BASE_TIME_LIST("the partitions' base days, yyyy-MM-dd"),
};
static const ak_schema status_req = AK_SCHEMA("UserTagStatusRequest", status_fields, "");
static const ak_field execute_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    BASE_TIME_LIST("the partitions to compute, by base day yyyy-MM-dd"),
};
static const ak_schema execute_req = AK_SCHEMA("UserTagExecuteRequest", execute_fields, "");

static const ak_field add_partitions_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    /* "格式:2018-05-04 04:00:00 或者 2018-05-04 均可": both forms, so no single format; the
     * order and "not later than today" rules are checked on the date form */
    F_STR("from_date", AK_F_REQUIRED, .location = AK_LOC_QUERY, .min_len = 10, .max_len = 19,
          .doc = "first day (inclusive): yyyy-MM-dd or yyyy-MM-dd HH:mm:ss"),
    F_STR("to_date", AK_F_REQUIRED, .location = AK_LOC_QUERY, .min_len = 10, .max_len = 19,
          .doc = "last day (inclusive), not later than today: yyyy-MM-dd or yyyy-MM-dd HH:mm:ss"),
};
static const ak_rule add_partitions_rules[] = {
    {.kind = AK_RULE_LESS_EQUAL,
     .field = "from_date",
     .fields = AK_LIST("to_date"),
     .text = "must not be later than to_date"},
    /* "参数不能晚于今天" (today in GMT+8) */
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "to_date",
     .bound = 1e9,
     .bound2 = 0,
     .text = "must not be later than today (GMT+8)"},
};
static const ak_schema add_partitions_req =
    AK_SCHEMA_R("UserTagAddPartitionsRequest", add_partitions_fields, add_partitions_rules, "");

/* ---- waiting for partitions: user_tags.compute_state summarises the status answer ----
 * The status route answers a bare array; the engine's waiter reads one value at a path of an
 * object, so the compute_state row (same route) maps the array to {state, partitions}: state is
 * SUCCEED when every partition succeeded, FAILED when all finished and one failed, COMPUTING
 * while one computes, NEW otherwise (also for an empty answer). wait_computed polls it until
 * SUCCEED or FAILED (a finished computation; FAILED is returned, not raised: check .state). */
static const ak_field compute_state_fields[] = {
    F_ENUM("state", 0, PARTITION_STATUSES, .doc = "SUCCEED, FAILED (all finished), COMPUTING or NEW"),
    F_ARR("partitions", 0, AK_TYPE_OBJECT, .schema = &partition, .doc = "the status answer"),
};
static const ak_schema compute_state =
    AK_SCHEMA("UserTagComputeState", compute_state_fields, "The computation state of a tag's partitions");
static const ak_field wait_fields[] = {
    ID("id", AK_F_REQUIRED, .location = AK_LOC_PATH, .doc = "tag id"),
    BASE_TIME_LIST("the partitions' base days, yyyy-MM-dd"),
    F_NUM("timeout", F_RANGE, RANGE(0.001, 86400), .doc = "seconds to wait at most (default 600)"),
};
static const ak_schema wait_req = AK_SCHEMA("UserTagWaitComputedRequest", wait_fields, "");
static const ak_waiter_desc computed = {
    .until_path = "state",
    .until_values = AK_LIST("SUCCEED", "FAILED"),
    .interval_ms = 1000,
    .default_timeout_ms = 600000,
    .timeout_param = "timeout",
};

/* ---- users.export (导出标签用户, POST /v2/reports/user_analytics/users), JSON, paged ---- */
static const ak_field export_cond_fields[] = {
    F_STR("field", AK_F_REQUIRED, .min_len = 1,
          .doc = "property, tag or segment, e.g. user.user_tag_tag24@2019-12-18 00:00:00"),
    F_STR("function", AK_F_REQUIRED, .min_len = 1, .doc = "condition function, e.g. isSet"),
    F_ARR("params", 0, AK_TYPE_ANY, .doc = "condition values"),
};
static const ak_schema export_cond = AK_SCHEMA("UsersExportPageCondition", export_cond_fields, "");
static const ak_field export_filter_fields[] = {
    F_ENUM("relation", 0, RELATIONS, .doc = "and/or between the conditions"),
    F_ARR("conditions", AK_F_REQUIRED, AK_TYPE_OBJECT, .schema = &export_cond, ITEMS(1, 0),
          .doc = "one level of conditions"),
};
static const ak_schema export_filter = AK_SCHEMA("UsersExportPageFilter", export_filter_fields, "");
static const ak_field export_fields[] = {
    F_OBJ("filter", 0, &export_filter, .doc = "which users ({conditions: [{field, function, params}]})"),
    /* ruling: the user export's page counts from 0 */
    F_INT("page", F_RANGE, RANGE(0, INT32_MAXD), .doc = "0-based page (managed by the lazy iterator)"),
    F_INT("num_per_page", F_RANGE, RANGE(1, INT32_MAXD), .doc = "users per page"),
    F_BOOL("all_page", 0, .doc = "every page in one answer"),
    F_ARR("profiles", AK_F_ITEM_LEN, AK_TYPE_STRING, .min_len = 1,
          .doc = "the user properties to return, e.g. user.city"),
    F_INT("limit", F_RANGE, RANGE(1, INT32_MAXD), .doc = "at most this many users in all"),
    F_BOOL("use_cache", 0, .doc = "answer from the cache"),
};
static const ak_schema export_req = AK_SCHEMA("UsersExportRequest", export_fields, "");
static const ak_field export_user_fields[] = {
    AKF("id", "id", AK_TYPE_ANY, 0, .doc = "Sensors user id (a decimal string)"),
    F_STR("first_id", 0, .doc = "the first distinct id"),
    F_OBJ("profiles", 0, NULL, .doc = "property name -> value"),
};
static const ak_schema export_user = AK_SCHEMA("ExportedUser", export_user_fields, "A user of the export");
static const ak_field export_result_fields[] = {
    F_INT("page_num", 0, .doc = "pages in all"),
    F_INT("size", 0, .doc = "users in all"),
    F_ARR("column_name", 0, AK_TYPE_STRING, .doc = "the property columns"),
    F_ARR("permitted_properties", 0, AK_TYPE_STRING, .doc = "the properties the caller may read"),
    F_ARR("users", 0, AK_TYPE_OBJECT, .schema = &export_user, .doc = "this page's users"),
};
static const ak_schema export_result = AK_SCHEMA("UserExportPage", export_result_fields, "");
/* The document gives no maximum num_per_page (its example uses 50): 100 is audkit's default. */
static const ak_pager_desc export_pager = {
    .style = AK_PAGE_ZERO_PAGE,
    .page_param = "page",
    .size_param = "num_per_page",
    .first_page = 0,
    .max_page_size = 100,
    .items_path = "users",
    .total_pages_path = "page_num",
    .total_items_path = "size",
};

/* ---- persona (查询用户标签值信息, POST /v2/persona_info/user_tags) ----
 * "建议一次查询最多查询20个标签值": persona.user_tags sends any number of ids in chunks of 20
 * (one persona.user_tags_batch request each); the vendor answers in request order, so the
 * merged items follow the input order. Only tags the user has a value for come back. */
static const ak_field persona_fields[] = {
    F_STR("user_id", AK_F_REQUIRED, .min_len = 1, .doc = "Sensors user id (神策ID)"),
    F_ARR("user_tag_ids", AK_F_REQUIRED | AK_F_ITEM_RANGE | F_RANGE | AK_F_INT64_ID, AK_TYPE_INTEGER,
          RANGE(1, INT64_MAXD), ITEMS(1, 0), .doc = "the tags to read, any number (sent 20 per request)"),
};
static const ak_schema persona_req = AK_SCHEMA("PersonaUserTagsRequest", persona_fields, "");
static const ak_field persona_batch_fields[] = {
    F_STR("user_id", AK_F_REQUIRED, .min_len = 1, .doc = "Sensors user id (神策ID)"),
    F_ARR("user_tag_ids", AK_F_REQUIRED | AK_F_ITEM_RANGE | F_RANGE | AK_F_INT64_ID, AK_TYPE_INTEGER,
          RANGE(1, INT64_MAXD), ITEMS(1, 20), .doc = "at most 20 tags"),
};
static const ak_schema persona_batch_req = AK_SCHEMA("PersonaUserTagsBatchRequest", persona_batch_fields, "");
static const ak_field persona_tag_fields[] = {
    F_INT("tag_id", 0),
    F_STR("cname", 0, .doc = "display name"),
    AKF("value", "value", AK_TYPE_ANY, 0, .doc = "the user's value"),
    AKF("data_type", "data_type", AK_TYPE_ANY, 0, .doc = DATA_TYPES_DOC),
    F_OBJ("partition_info", 0, &partition, .doc = "the partition the value comes from"),
};
static const ak_schema persona_tag = AK_SCHEMA("PersonaUserTag", persona_tag_fields, "A tag value of one user");
static const ak_field persona_result_fields[] = {
    F_ARR("user_tags", 0, AK_TYPE_OBJECT, .schema = &persona_tag, .doc = "the values, in request order"),
};
static const ak_schema persona_result = AK_SCHEMA("PersonaUserTags", persona_result_fields, "");
static const ak_chunk_desc persona_chunks = {
    .ids_param = "user_tag_ids",
    .max_per_chunk = 20,
    .items_path = "user_tags",
};

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

/* ---- users.export_csv (streamed, h6): POST /v2/reports/user_analytics/users/csv answers a CSV
 * file (header line, then one user per line). The row streams its result (AK_OPF_STREAM_RESULT):
 * the body goes to the caller's sink chunk by chunk, never accumulated; error bodies are JSON
 * as for every /v2 route. The document shows filter.conditions [{field, function}] and
 * all_page; the paged export's profiles/use_cache are accepted too. ---- */
static const ak_field csv_condition_fields[] = {
    F_STR("field", AK_F_REQUIRED, .min_len = 1,
          .doc = "the property, e.g. user.user_group_fenqun24@2019-12-18 00:00:00"),
    F_STR("function", AK_F_REQUIRED, .min_len = 1, .doc = "the condition function, e.g. isSet"),
    F_ARR("params", 0, AK_TYPE_ANY, .doc = "the condition values"),
};
static const ak_schema csv_condition = AK_SCHEMA("UsersExportCondition", csv_condition_fields, "");
static const ak_field csv_filter_fields[] = {
    F_ARR("conditions", AK_F_REQUIRED, AK_TYPE_OBJECT, .schema = &csv_condition, ITEMS(1, 0)),
    F_ENUM("relation", 0, RELATIONS, .doc = "and/or between the conditions"),
};
static const ak_schema csv_filter = AK_SCHEMA("UsersExportFilter", csv_filter_fields, "A single-level filter");
static const ak_field export_csv_fields[] = {
    F_OBJ("filter", AK_F_REQUIRED, &csv_filter, .doc = "{conditions: [{field, function, params}]}"),
    F_BOOL("all_page", 0, .doc = "export every user (the document's example: true)"),
    F_ARR("profiles", 0, AK_TYPE_STRING, .doc = "user property columns, e.g. user.city"),
    F_BOOL("use_cache", 0),
};
static const ak_schema export_csv_req = AK_SCHEMA("UsersExportCsvRequest", export_csv_fields, "");

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
    /* ---- h4: the issue-8 tag routes, the JSON user export and persona ---- */
    /* a new tag each time (a name is generated when absent): not idempotent */
    {.name = "user_tags.create",
     .method = "PUT",
     .path = "/v2/user_tags",
     .request = &create_req,
     .result = &user_tag,
     .flags = AK_OPF_MUTATING,
     .doc = "Create a tag: custom values, basic measure, first/last feature, event property preference, behaviour "
            "distribution or SQL (创建标签); returns the tag"},
    /* the whole configuration replaced: sending it twice leaves the same tag */
    {.name = "user_tags.update",
     .method = "PUT",
     .path = "/v2/user_tags/{id}",
     .request = &update_req,
     .result = &user_tag,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .doc = "Replace a tag's configuration (更新标签配置); returns the tag"},
    {.name = "user_tags.delete",
     .method = "DELETE",
     .path = "/v2/user_tags/{id}",
     .request = &get_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .doc = "Delete a tag (删除标签)"},
    {.name = "user_tags.set_status",
     .method = "PATCH",
     .path = "/v2/user_tags/{id}",
     .request = &set_status_req,
     .result = &user_tag,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .doc = "Start (RUNNING) or pause (SUSPEND) a tag's schedule (修改标签的调度状态); returns the tag"},
    /* a read sent as POST */
    {.name = "user_tags.report",
     .method = "POST",
     .path = "/v2/user_tags/{id}/report",
     .request = &report_req,
     .result = &report,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "A tag's user counts per value and day (获取标签详情; not for high concurrency)"},
    /* "新增...partition": each request starts computations; the document does not say that a
     * repeated range is a no-op, so it is sent again only when provably not processed */
    {.name = "user_tags.add_partitions",
     .method = "PUT",
     .path = "/v2/user_tags/{id}/partitions",
     .request = &add_partitions_req,
     .flags = AK_OPF_MUTATING,
     .doc = "Add (and compute) every partition of a date range (新增指定时间区间内的所有partition)"},
    {.name = "user_tags.status",
     .method = "GET",
     .path = "/v2/user_tags/{id}/status",
     .request = &status_req,
     .item = &partition,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "The computation status of the given partitions (检查标签执行状态)"},
    {.name = "user_tags.compute_state",
     .method = "GET",
     .path = "/v2/user_tags/{id}/status",
     .request = &status_req,
     .result = &compute_state,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "The status of the given partitions summarised in one state: SUCCEED, FAILED, COMPUTING or NEW "
            "(检查标签执行状态)"},
    {.name = "user_tags.wait_computed",
     .kind = AK_OP_WAITER,
     .request = &wait_req,
     .target = "user_tags.compute_state",
     .waiter = &computed,
     .doc = "Poll the status until every given partition is computed (state SUCCEED, or FAILED when one failed; "
            "SLEEP steps between polls), or time out"},
    /* starts a computation each time: not idempotent */
    {.name = "user_tags.execute",
     .method = "POST",
     .path = "/v2/user_tags/{id}/execute",
     .request = &execute_req,
     .flags = AK_OPF_MUTATING,
     .doc = "Compute the given partitions of a tag now (执行一个标签的指定 partition)"},
    {.name = "users.export_page",
     .method = "POST",
     .path = "/v2/reports/user_analytics/users",
     .request = &export_req,
     .result = &export_result,
     .item = &export_user,
     .pager = &export_pager,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "One page (page from 0 / num_per_page) of the JSON user export (导出标签用户; not for high "
            "concurrency)"},
    {.name = "users.export",
     .kind = AK_OP_PAGER,
     .target = "users.export_page",
     .doc = "Iterate over the exported users, fetching pages (page / num_per_page) lazily"},
    {.name = "persona.user_tags",
     .kind = AK_OP_CHUNKED,
     .method = "POST",
     .path = "/v2/persona_info/user_tags",
     .request = &persona_req,
     .result = &persona_result,
     .item = &persona_tag,
     .chunk = &persona_chunks,
     .target = "persona.user_tags_batch",
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "A user's values of any number of tags, lazily, 20 tags per request, in input order (查询用户标签值信息)"},
    {.name = "persona.user_tags_batch",
     .method = "POST",
     .path = "/v2/persona_info/user_tags",
     .request = &persona_batch_req,
     .result = &persona_result,
     .item = &persona_tag,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "One persona request: a user's values of at most 20 tags (查询用户标签值信息)"},
    /* ---- users.export_csv (streamed): see h6 ---- */
    {.name = "users.export_csv",
     .method = "POST",
     .path = "/v2/reports/user_analytics/users/csv",
     .request = &export_csv_req,
     .flags = AK_OPF_IDEMPOTENT | AK_OPF_STREAM_RESULT,
     .doc = "Export users as CSV, streamed to `dest` (a path, a binary file, or rows) (导出csv格式标签用户)"},
};

static const ak_schema *const models[] = {
    &user_tag, &rule_content, &rule_node, &filter_node, &event_measure, &sequence_step, &partition, &dir_node, &get_req,
    &list_req, &partitions_req, &dirs_req,
    /* h4: the issue-8 routes */
    &create_req, &update_req, &set_status_req, &report_req, &report, &report_part, &report_row, &report_value,
    &status_req, &execute_req, &add_partitions_req, &compute_state, &wait_req, &export_req, &export_filter,
    &export_cond, &export_result, &export_user, &persona_req, &persona_batch_req, &persona_tag, &persona_result, NULL};

/* ---- envelope ---- */

static const char *str_member(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* user_tags.compute_state (h4): the status answer (a bare array of partitions, owned `body`)
 * summarised as {state, partitions} for the wait_computed waiter; see compute_state above. */
static int compute_state_of(cJSON *body, cJSON **result, ak_error *err) {
    if (!cJSON_IsArray(body)) {
        ak_error_set(err, AK_ERR_DECODE, "user_tags.compute_state: the status answer is not an array");
        ak_strlcpy(err->field, "data", sizeof err->field);
        ak_strlcpy(err->rule, "expected an array of partitions", sizeof err->rule);
        cJSON_Delete(body);
        return AK_FAIL;
    }
    int n = 0, succeed = 0, failed = 0, computing = 0;
    for (const cJSON *p = body->child; p; p = p->next, n++) {
        const char *st = str_member(p, "status");
        succeed += st && strcmp(st, "SUCCEED") == 0;
        failed += st && strcmp(st, "FAILED") == 0;
        computing += st && strcmp(st, "COMPUTING") == 0;
    }
    const char *state = n > 0 && succeed == n            ? "SUCCEED"
                        : n > 0 && succeed + failed == n ? "FAILED"
                        : computing                      ? "COMPUTING"
                                                         : "NEW";
    cJSON *out = cJSON_CreateObject();
    if (!out || !cJSON_AddStringToObject(out, "state", state) || !cJSON_AddItemToObject(out, "partitions", body)) {
        cJSON_Delete(out);
        cJSON_Delete(body);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    *result = out;
    return AK_OK;
}

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    *result = NULL;
    int s = resp->status;
    if (s >= 200 && s < 300) {
        if (resp->body_len == 0)
            return AK_OK; /* DELETE and friends answer without a body */
        cJSON *body = ak_parse_body(resp, err);
        if (!body)
            return AK_FAIL;
        if (strcmp(op->name, "user_tags.compute_state") == 0)
            return compute_state_of(body, result, err);
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

/* base_time_list (status, execute, wait_computed; h4): the engine puts an array parameter into the
 * query as one JSON text; the document shows `?base_time_list=2019-12-16`, so each day is sent as
 * its own parameter (`base_time_list=2019-12-16&base_time_list=2019-12-17`, the servlet form of a
 * list parameter). Then the authentication of auth/sensors_data.c. */
static int expand_list_query(ak_req_build *rb, ak_error *err) {
    for (size_t i = 0; i < rb->nquery; i++) {
        if (strcmp(rb->query[i].name, "base_time_list") != 0 || rb->query[i].value[0] != '[')
            continue;
        cJSON *list = cJSON_Parse(rb->query[i].value);
        if (!cJSON_IsArray(list)) { /* not ours to reshape */
            cJSON_Delete(list);
            continue;
        }
        free(rb->query[i].name);
        free(rb->query[i].value);
        memmove(&rb->query[i], &rb->query[i + 1], (rb->nquery - i - 1) * sizeof rb->query[0]);
        rb->nquery--;
        bool ok = true;
        for (const cJSON *it = list->child; ok && it; it = it->next) {
            char *v = ak_json_query_value(it);
            ok = v && ak_rb_add_query(rb, "base_time_list", v);
            free(v);
        }
        cJSON_Delete(list);
        if (!ok) {
            ak_error_nomem(err);
            return AK_FAIL;
        }
        break; /* one such parameter per request; the added ones are plain values */
    }
    return AK_OK;
}

static int authorize_request(ak_client *c, ak_req_build *rb, ak_error *err) {
    if (expand_list_query(rb, err) != AK_OK)
        return AK_FAIL;
    return ak_auth_sensors_data(c, rb, err);
}

const ak_platform ak_platform_sensors_data = {
    .key = "sensors_data",
    .display_name = "Sensors Data",
    .default_base_url = NULL,
    .credentials = AK_LIST("token", "api_key", "project"),
    .secrets = AK_LIST("token", "api_key"),
    .check_credentials = ak_auth_sensors_data_check,
    .authorize = authorize_request,
    .map_response = map_response,
    .error_rules = ak_error_rules_sensors_data,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
