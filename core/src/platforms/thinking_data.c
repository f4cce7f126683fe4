/* thinking_data.c - ThinkingData (数数) open API: user clusters and tags as descriptor rows, and
 * the {return_code, return_message, data} envelope. Document: shared/seeds/002_75e81b69a9388498.txt;
 * auth: auth/thinking_data.c (query token).
 *
 * Rows in this file: clusters.add (POST /open/user-cluster-add; data is the new id),
 * clusters.list_page and the lazy clusters.list (POST /open/user-cluster-list, pagerHeader
 * {pageNum,pageSize} in the body, pagerResult.totalNum back), and clusters.detail, .delete,
 * .refresh and .refresh_progress, each by cluster_id OR by cluster_name in one row (`variants`
 * pick the by-name route; exactly one of the two must be given). The cluster model (definition
 * qp/userClusterDef, tag definition tagQp/userTagDef) is complete, so update and the ID-upload
 * routes become rows later (update needs projectId in the body by id but in the query by name).
 *
 * Where projectId travels (shared/VENDORS.md): in the query for detail, delete, refresh,
 * progress and the ID-upload routes; in the JSON body for add, update and list.
 *
 * Readings (shared/seeds/README.md, "ThinkingData"), marked "ruling:" below:
 * - clusterName "字母数字构成,最长 24 个字符" applies to ID-upload clusters only; condition
 *   clusters are not restricted beyond the vendor's answer; displayName at most 50 characters;
 * - delete by name is /open/delete-user-cluster-by-name exactly as documented;
 * - subConditionTabType also takes tag_condition_by_quotation.
 *
 * Envelope: `return_code` 0 is success and the result is `data`; any other code is an error with
 * `return_message`. The auth-failure and not-found codes are not published, so errors are
 * classified by HTTP status only (401/403 auth, 404 not_found, 429 rate_limited, 5xx retried),
 * never by code; HTTP 200 with a non-zero code is an `api` error, not retried. */
#include "../auth/auth.h"
#include "fields.h"

#include <stdio.h>
#include <string.h>

#define ID(nm, wr, fl, ...)                                                                                            \
    AKF(nm, wr, AK_TYPE_INTEGER, (fl) | F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD), __VA_ARGS__)
#define CAMEL(nm, wr, ty, fl, ...) AKF(nm, wr, ty, fl, __VA_ARGS__)
#define RELATIONS AK_LIST("and", "or")
#define CLUSTER_CATALOGS AK_LIST("catalog_cluster", "catalog_tag")
#define CLUSTER_TYPES                                                                                                  \
    AK_LIST("cluster_by_dynamic_condition", "cluster_by_static_condition", "cluster_by_result", "cluster_by_import",   \
            "tag_by_dynamic_condition", "tag_by_static_condition", "tag_by_import")
/* ruling: tag_condition_by_quotation (quota-value tags, from version 3.2.1) is accepted too */
#define SUB_TAB_TYPES AK_LIST("tag_condition_default", "tag_condition_by_firstlast_event", "tag_condition_by_quotation")

/* ---- the cluster definition (qp / userClusterDef) ---- */

static const ak_field filter_fields[] = {
    CAMEL("column_name", "columnName", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1,
          .doc = "property, e.g. user_level or #os"),
    F_STR("comparator", AK_F_REQUIRED, .min_len = 1, .doc = "e.g. equal"),
    F_ARR("ftv", 0, AK_TYPE_ANY, .doc = "the comparison values"),
    CAMEL("table_type", "tableType", AK_TYPE_ENUM, 0, .values = AK_LIST("user", "event"), .doc = "user or event"),
};
static const ak_schema cluster_filter = AK_SCHEMA("ClusterFilter", filter_fields, "A property condition (filts)");

static const ak_field quota_fields[] = {
    F_STR("analysis", 0, .doc = "e.g. TIMES"),
};
static const ak_schema prop_quota = AK_SCHEMA("ClusterPropQuota", quota_fields, "taPropQuota of an event condition");

static const ak_field event_fields[] = {
    CAMEL("event_name", "eventName", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1),
    F_STR("comparator", 0, .doc = "e.g. greater"),
    AKF("num", "num", AK_TYPE_ANY, 0, .doc = "the compared number (sent as a string in the examples)"),
    CAMEL("recent_day", "recentDay", AK_TYPE_STRING, 0, .doc = "relative day range, e.g. 1-7"),
    CAMEL("start_time", "startTime", AK_TYPE_STRING, 0, .format = AK_FMT_DATETIME),
    CAMEL("end_time", "endTime", AK_TYPE_STRING, 0, .format = AK_FMT_DATETIME),
    CAMEL("ta_prop_quota", "taPropQuota", AK_TYPE_OBJECT, 0, .schema = &prop_quota),
    F_ENUM("relation", 0, RELATIONS),
    CAMEL("uce_calcu_symbol", "uceCalcuSymbol", AK_TYPE_STRING, 0, .doc = "comparator of tag value conditions"),
    CAMEL("filts", "filts", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster_filter),
};
static const ak_schema cluster_event = AK_SCHEMA("ClusterEventCondition", event_fields, "An event condition (events)");

static const ak_field def_fields[] = {
    CAMEL("events", "events", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster_event,
          .doc = "event conditions"),
    F_ENUM("event_relation", 0, RELATIONS, .doc = "between the event conditions"),
    CAMEL("filts", "filts", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster_filter,
          .doc = "user property conditions"),
    F_ENUM("relation", 0, RELATIONS, .doc = "between the user property conditions"),
    F_ENUM("event_user_relation", 0, RELATIONS, .doc = "between the event and the property conditions"),
};
static const ak_schema cluster_def = AK_SCHEMA("ClusterDef", def_fields, "A cluster definition (qp / userClusterDef)");

/* ---- the tag definition (tagQp / userTagDef) ---- */

static const ak_field tag_value_fields[] = {
    CAMEL("tag_value", "tagValue", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1),
    CAMEL("tag_remark", "tagRemark", AK_TYPE_STRING, 0),
    CAMEL("user_cluster_def", "userClusterDef", AK_TYPE_OBJECT, AK_F_REQUIRED, .schema = &cluster_def,
          .doc = "the users who get this value"),
};
static const ak_schema tag_value_def = AK_SCHEMA("TagValueDef", tag_value_fields, "A custom condition tag value");

static const ak_field calc_property_fields[] = {
    CAMEL("column_name", "columnName", AK_TYPE_STRING, 0),
    CAMEL("table_type", "tableType", AK_TYPE_STRING, 0),
};
static const ak_schema calc_property = AK_SCHEMA("TagCalcProperty", calc_property_fields, "");

static const ak_field calc_prop_fields[] = {
    CAMEL("is_calc", "isCalc", AK_TYPE_BOOLEAN, 0),
    F_OBJ("property", 0, &calc_property),
};
static const ak_schema calc_prop_vo = AK_SCHEMA("TagCalcPropVo", calc_prop_fields, "");

static const ak_field first_last_fields[] = {
    CAMEL("calc_prop_vo", "calcPropVo", AK_TYPE_OBJECT, 0, .schema = &calc_prop_vo),
    CAMEL("event_name", "eventName", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1),
    CAMEL("is_first_event", "isFirstEvent", AK_TYPE_BOOLEAN, 0),
    CAMEL("recent_day", "recentDay", AK_TYPE_STRING, 0),
    CAMEL("filts", "filts", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster_filter),
    F_ENUM("relation", 0, RELATIONS),
};
static const ak_schema first_last_event = AK_SCHEMA("TagFirstLastEvent", first_last_fields, "");

static const ak_field first_last_def_fields[] = {
    CAMEL("user_tag_con_first_last_event", "userTagConFirstLastEvent", AK_TYPE_OBJECT, AK_F_REQUIRED,
          .schema = &first_last_event),
};
static const ak_schema first_last_def = AK_SCHEMA("TagFirstLastEventDef", first_last_def_fields, "");

static const ak_field quota_event_fields[] = {
    F_STR("type", 0, .doc = "e.g. normal"),
    F_STR("quota", 0),
    F_STR("analysis", 0, .doc = "e.g. DISTINCT"),
    CAMEL("event_name", "eventName", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1),
    CAMEL("recent_day", "recentDay", AK_TYPE_STRING, 0),
    CAMEL("filts", "filts", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster_filter),
    F_ENUM("relation", 0, RELATIONS),
};
static const ak_schema quota_event = AK_SCHEMA("TagQuotaEvent", quota_event_fields, "");

static const ak_field quota_def_fields[] = {
    CAMEL("user_tag_con_quota_event", "userTagConQuotaEvent", AK_TYPE_OBJECT, AK_F_REQUIRED, .schema = &quota_event),
};
static const ak_schema quota_def = AK_SCHEMA("TagQuotaDef", quota_def_fields, "");

static const ak_field tag_def_fields[] = {
    CAMEL("user_tag_value_defs", "userTagValueDefs", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT,
          .schema = &tag_value_def, ITEMS(1, 0), .doc = "custom condition tags (tag_condition_default)"),
    CAMEL("user_tag_con_first_last_event_def", "userTagConFirstLastEventDef", AK_TYPE_OBJECT, 0,
          .schema = &first_last_def, .doc = "first/last event tags (tag_condition_by_firstlast_event)"),
    CAMEL("user_tag_con_quota_def", "userTagConQuotaDef", AK_TYPE_OBJECT, 0, .schema = &quota_def,
          .doc = "quota value tags (tag_condition_by_quotation)"),
};
static const ak_schema tag_def = AK_SCHEMA("TagDef", tag_def_fields, "A tag definition (tagQp / userTagDef)");

/* ---- the cluster (detail data, list items; every documented field) ---- */
static const ak_field cluster_fields[] = {
    F_INT("id", 0, .doc = "cluster id"),
    CAMEL("project_id", "projectId", AK_TYPE_INTEGER, 0),
    CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, 0, .doc = "cluster name (number)"),
    CAMEL("display_name", "displayName", AK_TYPE_STRING, 0),
    CAMEL("cluster_catalog", "clusterCatalog", AK_TYPE_ENUM, 0, .values = CLUSTER_CATALOGS),
    CAMEL("cluster_type", "clusterType", AK_TYPE_ENUM, 0, .values = CLUSTER_TYPES),
    CAMEL("sub_condition_tab_type", "subConditionTabType", AK_TYPE_ENUM, 0, .values = SUB_TAB_TYPES),
    F_INT("progress", 0, .doc = "refresh progress 0..100"),
    CAMEL("refresh_time", "refreshTime", AK_TYPE_STRING, 0, .format = AK_FMT_DATETIME),
    CAMEL("user_cluster_def", "userClusterDef", AK_TYPE_OBJECT, 0, .schema = &cluster_def,
          .doc = "cluster definition (as qp)"),
    CAMEL("user_tag_def", "userTagDef", AK_TYPE_OBJECT, 0, .schema = &tag_def, .doc = "tag definition (as tagQp)"),
    CAMEL("user_id", "userId", AK_TYPE_INTEGER, 0, .doc = "creator's id"),
    CAMEL("user_name", "userName", AK_TYPE_STRING, 0, .doc = "creator's name"),
    CAMEL("users_num", "usersNum", AK_TYPE_INTEGER, 0, .doc = "users in the cluster"),
    F_STR("remarks", 0),
    CAMEL("main_column_name", "mainColumnName", AK_TYPE_STRING, 0, .doc = "ID-upload clusters: the matched property"),
};
static const ak_schema cluster = AK_SCHEMA("Cluster", cluster_fields, "A ThinkingData user cluster or tag");

/* ---- list ---- */
static const ak_field pager_header_fields[] = {
    CAMEL("page_num", "pageNum", AK_TYPE_INTEGER, F_RANGE, RANGE(1, INT32_MAXD),
          .doc = "1-based page number (managed by the lazy iterator)"),
    CAMEL("page_size", "pageSize", AK_TYPE_INTEGER, F_RANGE, RANGE(1, INT32_MAXD), .doc = "items per page"),
};
static const ak_schema pager_header = AK_SCHEMA("PagerHeader", pager_header_fields, "");

static const ak_field pager_result_fields[] = {
    CAMEL("page_num", "pageNum", AK_TYPE_INTEGER, 0),
    CAMEL("page_size", "pageSize", AK_TYPE_INTEGER, 0),
    CAMEL("total_num", "totalNum", AK_TYPE_INTEGER, 0, .doc = "items in all pages"),
};
static const ak_schema pager_result = AK_SCHEMA("PagerResult", pager_result_fields, "");

/* projectId travels in the body for list */
static const ak_field list_fields[] = {
    ID("project_id", "projectId", AK_F_REQUIRED, .doc = "project id"),
    CAMEL("cluster_catalog", "clusterCatalog", AK_TYPE_ENUM, 0, .values = CLUSTER_CATALOGS,
          .doc = "catalog_cluster (clusters) or catalog_tag (tags)"),
    CAMEL("cluster_types", "clusterTypes", AK_TYPE_ARRAY, AK_F_UNIQUE, .item_type = AK_TYPE_ENUM,
          .values = CLUSTER_TYPES, .doc = "cluster types to list"),
    CAMEL("pager_header", "pagerHeader", AK_TYPE_OBJECT, 0, .schema = &pager_header,
          .doc = "{page_num, page_size}; page_num is managed by the lazy iterator"),
};
static const ak_schema list_req = AK_SCHEMA("ClusterListRequest", list_fields, "");

static const ak_field list_result_fields[] = {
    CAMEL("pager_result", "pagerResult", AK_TYPE_OBJECT, 0, .schema = &pager_result),
    CAMEL("user_clusters", "userClusters", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &cluster),
};
static const ak_schema list_result = AK_SCHEMA("ClusterListResult", list_result_fields, "");

/* ---- add (添加条件分群或标签): projectId and the definition in the JSON body ---- */
#define CONDITION_TYPES                                                                                                \
    AK_LIST("cluster_by_dynamic_condition", "cluster_by_static_condition", "tag_by_dynamic_condition",                 \
            "tag_by_static_condition")
#define DEFINITION_FIELDS                                                                                              \
    CAMEL("cluster_catalog", "clusterCatalog", AK_TYPE_ENUM, 0, .values = CLUSTER_CATALOGS,                            \
          .doc = "catalog_cluster (default) or catalog_tag"),                                                          \
        CAMEL("cluster_type", "clusterType", AK_TYPE_ENUM, 0, .values = CONDITION_TYPES,                               \
              .doc = "dynamic (updated) or static condition cluster/tag"),                                             \
        CAMEL("sub_condition_tab_type", "subConditionTabType", AK_TYPE_ENUM, 0, .values = SUB_TAB_TYPES,               \
              .doc =                                                                                                   \
                  "tags: which tagQp definition is used (default tag_condition_default)"), /* ruling: displayName at   \
                                                                                              most 50 characters */    \
        CAMEL("display_name", "displayName", AK_TYPE_STRING, AK_F_REQUIRED, .len_unit = AK_LEN_CHARS, .min_len = 1,    \
              .max_len = 50, .doc = "display name, at most 50 characters"),                                            \
        F_OBJ("qp", 0, &cluster_def, .doc = "clusters: the definition"),                                               \
        CAMEL("tag_qp", "tagQp", AK_TYPE_OBJECT, 0, .schema = &tag_def, .doc = "tags: the definition"),                \
        F_STR("remarks", 0)

static const ak_field add_fields[] = {
    ID("project_id", "projectId", AK_F_REQUIRED, .doc = "project id"),
    /* ruling: condition clusters' names are not restricted beyond the vendor's answer */
    CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, AK_F_REQUIRED, .min_len = 1, .len_unit = AK_LEN_CHARS,
          .doc = "cluster name (number), unique in the project"),
    DEFINITION_FIELDS,
};

/* the definition's rules, shared by add and update */
#define DEFINITION_RULES                                                                                               \
    {.kind = AK_RULE_REQUIRED_WHEN,                                                                                    \
     .field = "qp",                                                                                                    \
     .cond_field = "cluster_catalog",                                                                                  \
     .cond_values = AK_LIST("catalog_tag"),                                                                            \
     .cond_negate = 1,                                                                                                 \
     .text = "is required for a cluster (catalog_cluster)"},                                                           \
        {.kind = AK_RULE_REQUIRED_WHEN,                                                                                \
         .field = "tag_qp",                                                                                            \
         .cond_field = "cluster_catalog",                                                                              \
         .cond_values = AK_LIST("catalog_tag"),                                                                        \
         .text = "is required for a tag (catalog_tag)"},                                                               \
        {.kind = AK_RULE_FORBIDDEN_WHEN,                                                                               \
         .field = "tag_qp",                                                                                            \
         .cond_field = "cluster_catalog",                                                                              \
         .cond_values = AK_LIST("catalog_tag"),                                                                        \
         .cond_negate = 1,                                                                                             \
         .text = "is only for tags (catalog_tag)"},                                                                    \
        {.kind = AK_RULE_FORBIDDEN_WHEN,                                                                               \
         .field = "sub_condition_tab_type",                                                                            \
         .cond_field = "cluster_catalog",                                                                              \
         .cond_values = AK_LIST("catalog_tag"),                                                                        \
         .cond_negate = 1,                                                                                             \
         .text = "is only for tags (catalog_tag)"}, /* the tagQp member each subConditionTabType uses */               \
        {.kind = AK_RULE_REQUIRED_WHEN,                                                                                \
         .field = "tag_qp.user_tag_value_defs",                                                                        \
         .cond_field = "sub_condition_tab_type",                                                                       \
         .cond_values = AK_LIST("tag_condition_by_firstlast_event", "tag_condition_by_quotation"),                     \
         .cond_negate = 1,                                                                                             \
         .cond2_field = "tag_qp",                                                                                      \
         .text = "is required when sub_condition_tab_type is tag_condition_default (the default)"},                    \
        {.kind = AK_RULE_REQUIRED_WHEN,                                                                                \
         .field = "tag_qp.user_tag_con_first_last_event_def",                                                          \
         .cond_field = "sub_condition_tab_type",                                                                       \
         .cond_values = AK_LIST("tag_condition_by_firstlast_event"),                                                   \
         .cond2_field = "tag_qp",                                                                                      \
         .text = "is required when sub_condition_tab_type=tag_condition_by_firstlast_event"},                          \
    {                                                                                                                  \
        .kind = AK_RULE_REQUIRED_WHEN, .field = "tag_qp.user_tag_con_quota_def",                                       \
        .cond_field = "sub_condition_tab_type", .cond_values = AK_LIST("tag_condition_by_quotation"),                  \
        .cond2_field = "tag_qp", .text = "is required when sub_condition_tab_type=tag_condition_by_quotation"          \
    }

static const ak_rule add_rules[] = {DEFINITION_RULES};
static const ak_schema add_req = AK_SCHEMA_R("ClusterAddRequest", add_fields, add_rules, "");

/* ---- update (更新条件分群或标签定义): "the same parameters as add" (so display_name and the
 * definition are required as for add), by id or by name. By id the URL
 * carries clusterId and the body projectId (a body clusterName renames); by name the URL carries
 * projectId and clusterName. The route variants below say which fields go in the query. ---- */
static const ak_field update_fields[] = {
    ID("project_id", "projectId", AK_F_REQUIRED, .doc = "project id"),
    ID("cluster_id", "clusterId", 0, .doc = "cluster id (or cluster_name)"),
    CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, 0, .min_len = 1, .len_unit = AK_LEN_CHARS,
          .doc = "cluster name: identifies the cluster without cluster_id, renames it with cluster_id"),
    DEFINITION_FIELDS,
};
static const ak_rule update_rules[] = {
    DEFINITION_RULES,
    {.kind = AK_RULE_AT_LEAST_ONE,
     .fields = AK_LIST("cluster_id", "cluster_name"),
     .text = "cluster_id or cluster_name must be given"},
};
static const ak_schema update_req = AK_SCHEMA_R("ClusterUpdateRequest", update_fields, update_rules, "");
/* By name, projectId travels both in the query (the route template) and in the JSON body (the
 * document's example; VENDORS.md), as by id it travels in the body. */
static const ak_op_variant update_routes[] = {
    {"cluster_id", "/open/user-cluster-update", AK_LIST("cluster_id"), NULL},
    {"cluster_name", "/open/user-cluster-update-by-name", AK_LIST("project_id", "cluster_name"), AK_LIST("project_id")},
    {NULL, NULL, NULL, NULL}};

/* ---- by id or by name: detail, delete, refresh, refresh progress (all in the query) ---- */
#define REF_FIELDS                                                                                                     \
    ID("project_id", "projectId", AK_F_REQUIRED, .location = AK_LOC_QUERY, .doc = "project id"),                       \
        ID("cluster_id", "clusterId", 0, .location = AK_LOC_QUERY, .doc = "cluster id (or cluster_name)"),             \
        CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, 0, .location = AK_LOC_QUERY, .min_len = 1,                \
              .len_unit = AK_LEN_CHARS, .doc = "cluster name (or cluster_id)")
static const ak_field ref_fields[] = {REF_FIELDS};
static const ak_rule ref_rules[] = {
    {.kind = AK_RULE_EXACTLY_ONE,
     .fields = AK_LIST("cluster_id", "cluster_name"),
     .text = "exactly one of cluster_id or cluster_name must be given"},
};
static const ak_schema ref_req = AK_SCHEMA_R("ClusterRefRequest", ref_fields, ref_rules, "");

/* ---- waiting for a refresh: refresh progress polled until 100 (the engine's waiter) ---- */
static const ak_field wait_fields[] = {
    REF_FIELDS,
    F_NUM("timeout", F_RANGE, RANGE(0.001, 86400), .doc = "seconds to wait at most (default 600)"),
};
static const ak_schema wait_req = AK_SCHEMA_R("ClusterWaitRefreshedRequest", wait_fields, ref_rules, "");
static const ak_waiter_desc refreshed = {
    .until_path = "progress",
    .until_values = AK_LIST("100"),
    .interval_ms = 500,
    .default_timeout_ms = 600000,
    .timeout_param = "timeout",
};

static const ak_field progress_fields[] = {
    F_INT("progress", 0, .doc = "0..100; 100 means the refresh is complete"),
};
static const ak_schema progress_result = AK_SCHEMA("ClusterRefreshProgress", progress_fields, "");

/* The document gives no maximum pageSize (its example uses 10): 100 is audkit's default. */
static const ak_pager_desc pager = {
    .style = AK_PAGE_PAGER_HEADER,
    .page_param = "pager_header.page_num",
    .size_param = "pager_header.page_size",
    .first_page = 1,
    .max_page_size = 100,
    .items_path = "userClusters",
    .total_items_path = "pagerResult.totalNum",
};

static const ak_op_variant detail_routes[] = {{"cluster_id", "/open/user-cluster-detail", NULL, NULL},
                                              {"cluster_name", "/open/user-cluster-detail", NULL, NULL},
                                              {NULL, NULL, NULL, NULL}};
/* ruling: delete by name is /open/delete-user-cluster-by-name exactly as documented */
static const ak_op_variant delete_routes[] = {{"cluster_id", "/open/user-cluster-delete", NULL, NULL},
                                              {"cluster_name", "/open/delete-user-cluster-by-name", NULL, NULL},
                                              {NULL, NULL, NULL, NULL}};
static const ak_op_variant refresh_routes[] = {{"cluster_id", "/open/user-cluster-refresh", NULL, NULL},
                                               {"cluster_name", "/open/user-cluster-refresh-by-name", NULL, NULL},
                                               {NULL, NULL, NULL, NULL}};
static const ak_op_variant progress_routes[] = {
    {"cluster_id", "/open/user-cluster-refresh-progress", NULL, NULL},
    {"cluster_name", "/open/user-cluster-refresh-progress-by-name", NULL, NULL},
    {NULL, NULL, NULL, NULL}};

/* ---- ID upload (创建/修改上传ID分群或标签): every parameter in the query (with the token),
 * the body is the CSV file itself with Content-Type: text/csv, streamed from the caller's source
 * (the bindings' `source=`: a path, bytes, a binary file or an iterable of ids, one id per line,
 * CRLF as the document's trace shows). The engine sends these rows' parameters in the query
 * (AK_OPF_STREAM_BODY). ruling: clusterName "letters and digits, at most 24 characters" is
 * enforced here (shared/seeds/README.md); the modify table marks both clusterId and clusterName
 * required: each route requires its own one (exactly one of them is given). ---- */
static const ak_field import_fields[] = {
    ID("project_id", "projectId", AK_F_REQUIRED, .location = AK_LOC_QUERY, .doc = "project id"),
    CAMEL("display_name", "displayName", AK_TYPE_STRING, AK_F_REQUIRED, .location = AK_LOC_QUERY,
          .len_unit = AK_LEN_CHARS, .min_len = 1, .max_len = 50, .doc = "display name, at most 50 characters"),
    CAMEL("main_column_name", "mainColumnName", AK_TYPE_STRING, AK_F_REQUIRED, .location = AK_LOC_QUERY, .min_len = 1,
          .doc = "the property the ids are matched on, e.g. #account_id"),
    CAMEL("cluster_catalog", "clusterCatalog", AK_TYPE_ENUM, 0, .location = AK_LOC_QUERY, .values = CLUSTER_CATALOGS,
          .doc = "catalog_cluster (default) or catalog_tag"),
    CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, 0, .location = AK_LOC_QUERY, .len_unit = AK_LEN_CHARS,
          .min_len = 1, .max_len = 24, .format = AK_FMT_ALNUM,
          .doc = "cluster name: letters and digits, at most 24 characters (generated when omitted)"),
    F_STR("remarks", 0, .location = AK_LOC_QUERY),
};
static const ak_schema import_req = AK_SCHEMA("ClusterImportRequest", import_fields, "");

static const ak_field modify_import_fields[] = {
    ID("project_id", "projectId", AK_F_REQUIRED, .location = AK_LOC_QUERY, .doc = "project id"),
    ID("cluster_id", "clusterId", 0, .location = AK_LOC_QUERY, .doc = "cluster id (or cluster_name)"),
    CAMEL("cluster_name", "clusterName", AK_TYPE_STRING, 0, .location = AK_LOC_QUERY, .len_unit = AK_LEN_CHARS,
          .min_len = 1, .max_len = 24, .format = AK_FMT_ALNUM, .doc = "cluster name (or cluster_id)"),
    CAMEL("display_name", "displayName", AK_TYPE_STRING, 0, .location = AK_LOC_QUERY, .len_unit = AK_LEN_CHARS,
          .min_len = 1, .max_len = 50, .doc = "display name, at most 50 characters"),
    CAMEL("main_column_name", "mainColumnName", AK_TYPE_STRING, 0, .location = AK_LOC_QUERY, .min_len = 1,
          .doc = "the property the ids are matched on"),
    F_STR("remarks", 0, .location = AK_LOC_QUERY),
};
static const ak_schema modify_import_req =
    AK_SCHEMA_R("ClusterModifyImportRequest", modify_import_fields, ref_rules, "");
static const ak_op_variant modify_import_routes[] = {
    {"cluster_id", "/open/import-id-cluster-modify", NULL, NULL},
    {"cluster_name", "/open/import-id-cluster-modify-by-name", NULL, NULL},
    {NULL, NULL, NULL, NULL}};

static const ak_field import_result_fields[] = {
    CAMEL("cluster_id", "clusterId", AK_TYPE_INTEGER, 0, .doc = "the cluster's id"),
    CAMEL("upload_num", "uploadNum", AK_TYPE_INTEGER, 0, .doc = "ids uploaded"),
    CAMEL("user_num", "userNum", AK_TYPE_INTEGER, 0, .doc = "users matched"),
    CAMEL("unmatched_num", "unmatchedNum", AK_TYPE_INTEGER, 0, .doc = "ids matching no user"),
    CAMEL("tag_value_null_num", "tagValueNullNum", AK_TYPE_INTEGER, 0, .doc = "tags: rows without a value"),
};
static const ak_schema import_result = AK_SCHEMA("ClusterImportResult", import_result_fields, "");

static const ak_op ops[] = {
    /* data is the new cluster's id (a bare number) */
    {.name = "clusters.add",
     .method = "POST",
     .path = "/open/user-cluster-add",
     .request = &add_req,
     .flags = AK_OPF_MUTATING,
     .doc = "Add a condition cluster or tag; returns its id (添加条件分群或标签)"},
    {.name = "clusters.list_page",
     .method = "POST",
     .path = "/open/user-cluster-list",
     .request = &list_req,
     .result = &list_result,
     .item = &cluster,
     .pager = &pager,
     .flags = AK_OPF_IDEMPOTENT,
     .doc = "Get one page of clusters or tags (分群和标签列表查询)"},
    {.name = "clusters.list",
     .kind = AK_OP_PAGER,
     .target = "clusters.list_page",
     .doc = "Iterate over all clusters or tags, fetching pages lazily"},
    {.name = "clusters.detail",
     .method = "GET",
     .path = "/open/user-cluster-detail",
     .request = &ref_req,
     .result = &cluster,
     .flags = AK_OPF_IDEMPOTENT,
     .variants = detail_routes,
     .doc = "Get a cluster or tag by cluster_id or cluster_name (分群或标签详情查询)"},
    {.name = "clusters.update",
     .method = "POST",
     .path = "/open/user-cluster-update",
     .request = &update_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .variants = update_routes,
     .doc = "Update a condition cluster's or tag's definition by cluster_id or cluster_name (更新条件分群或标签定义)"},
    {.name = "clusters.delete",
     .method = "POST",
     .path = "/open/user-cluster-delete",
     .request = &ref_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .variants = delete_routes,
     .doc = "Delete a cluster or tag by cluster_id or cluster_name (删除分群或标签)"},
    {.name = "clusters.refresh",
     .method = "POST",
     .path = "/open/user-cluster-refresh",
     .request = &ref_req,
     .flags = AK_OPF_MUTATING | AK_OPF_IDEMPOTENT,
     .variants = refresh_routes,
     .doc = "Start refreshing a condition cluster or tag (刷新条件分群或标签)"},
    {.name = "clusters.refresh_progress",
     .method = "GET",
     .path = "/open/user-cluster-refresh-progress",
     .request = &ref_req,
     .result = &progress_result,
     .flags = AK_OPF_IDEMPOTENT,
     .variants = progress_routes,
     .doc = "Get the refresh progress 0..100 (查询刷新进度)"},
    {.name = "clusters.wait_refreshed",
     .kind = AK_OP_WAITER,
     .request = &wait_req,
     .target = "clusters.refresh_progress",
     .waiter = &refreshed,
     .doc = "Poll the refresh progress until it reaches 100 (SLEEP steps between polls), or time out"},
    /* ID upload: a create, never resent once the body started (its reader cannot rewind) */
    {.name = "clusters.import_ids",
     .method = "POST",
     .path = "/open/import-id-cluster-add",
     .request = &import_req,
     .result = &import_result,
     .flags = AK_OPF_MUTATING | AK_OPF_STREAM_BODY,
     .content_type = "text/csv",
     .doc = "Create an ID-upload cluster or tag from a CSV of ids streamed from `source` (创建上传ID分群或标签)"},
    {.name = "clusters.modify_import",
     .method = "POST",
     .path = "/open/import-id-cluster-modify",
     .request = &modify_import_req,
     .result = &import_result,
     .flags = AK_OPF_MUTATING | AK_OPF_STREAM_BODY,
     .content_type = "text/csv",
     .variants = modify_import_routes,
     .doc = "Replace an ID-upload cluster's ids (by cluster_id or cluster_name) with a CSV streamed from `source` "
            "(修改上传ID分群或标签)"},
};

static const ak_schema *const models[] = {
    &cluster,       &cluster_def,   &cluster_event,     &cluster_filter,   &prop_quota,
    &tag_def,       &tag_value_def, &first_last_def,    &first_last_event, &calc_prop_vo,
    &calc_property, &quota_def,     &quota_event,       &pager_header,     &pager_result,
    &list_req,      &list_result,   &ref_req,           &progress_result,  &add_req,
    &update_req,    &import_req,    &modify_import_req, &import_result,    NULL};

/* ---- envelope ---- */

static int map_response(ak_client *c, const ak_op *op, const ak_response *resp, cJSON **result, ak_error *err) {
    (void)op;
    *result = NULL;
    int s = resp->status;
    bool ok_status = s >= 200 && s < 300;
    cJSON *body = resp->body_len ? ak_json_parse(resp->body, resp->body_len) : NULL;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(body, "return_code");
    int64_t code = 0;
    bool envelope = cJSON_IsObject(body) && ak_json_int64(rc, true, &code);
    if (!envelope) {
        if (!ok_status) {
            ak_error_from_http(resp, err);
        } else {
            ak_error_set(err, AK_ERR_DECODE, "response is not a ThinkingData envelope (no return_code; %zu bytes)",
                         resp->body_len);
            err->http_status = s;
        }
        cJSON_Delete(body);
        return AK_FAIL;
    }
    if (code == 0 && ok_status) {
        *result = cJSON_DetachItemFromObjectCaseSensitive(body, "data");
        cJSON_Delete(body);
        if (*result && cJSON_IsNull(*result)) {
            cJSON_Delete(*result);
            *result = NULL;
        }
        return AK_OK;
    }
    /* kind and retry come from the engine's table (error_rules.c); the codes are not published */
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(body, "return_message");
    if (cJSON_IsString(msg) && *msg->valuestring)
        ak_error_set_vendor(err, c, AK_ERR_API, "%s", msg->valuestring);
    else
        ak_error_set(err, AK_ERR_API, "ThinkingData error %lld (HTTP %d)", (long long)code, s);
    err->http_status = s;
    snprintf(err->vendor_code, sizeof err->vendor_code, "%lld", (long long)code);
    const char *rid = ak_response_header(resp, "X-Request-Id");
    if (rid)
        ak_strlcpy(err->request_id, rid, sizeof err->request_id);
    cJSON_Delete(body);
    return AK_FAIL;
}

const ak_platform ak_platform_thinking_data = {
    .key = "thinking_data",
    .display_name = "ThinkingData",
    .default_base_url = NULL,
    .credentials = AK_LIST("token"),
    .secrets = AK_LIST("token"),
    .check_credentials = ak_auth_thinking_data_check,
    .authorize = ak_auth_thinking_data,
    .map_response = map_response,
    .error_rules = ak_error_rules_thinking_data,
    .ops = ops,
    .nops = AK_COUNT(ops),
    .models = models,
};
