/* tencent_ads_spec.c - the Tencent Ads audience_spec model: one static schema per struct of the
 * document's field tables (shared/seeds/000_acb06199c51fc409.txt, custom_audiences/add), every
 * stated rule as field limits or cross-field rules. The contradictions inside the document are
 * read as shared/seeds/README.md ("Tencent Ads") decides; each place is marked "ruling:".
 *
 * Conventions used below:
 * - lengths marked "字节" are UTF-8 bytes (ruling: a Chinese character is 3 bytes);
 * - "today" is the client's clock in GMT+8 (ruling: each date field keeps its own rule,
 *   "≤ today" or "< today"); "1 year ago" is read as 365 days (docs/TENCENT_ADS.md);
 * - a rule that only applies for some value of another field is REQUIRED_WHEN /
 *   FORBIDDEN_WHEN / MAX_WHEN with up to two ANDed conditions; "X != V" is a negated
 *   condition ANDed with "X is present", so an absent X is reported once (as required) and
 *   does not also trigger the rules that depend on it.
 * - responses may use other wire names (ruling): `action_set_id` for user_action_set_id and
 *   `product_refs_id` for promoted_object_id are aliases, renamed on decode.
 * docs/TENCENT_ADS.md lists the model, the readings and what a client cannot check. */
#include "fields.h"
#include "tencent_ads.h"

#define ID(nm, fl, ...) F_INT(nm, (fl) | F_RANGE | AK_F_INT64_ID, RANGE(1, INT64_MAXD), __VA_ARGS__)
/* an integer array whose items are 1..2147483647 */
#define INT32_ARR(nm, fl, ...)                                                                                         \
    F_ARR(nm, (fl) | AK_F_ITEM_RANGE | F_RANGE, AK_TYPE_INTEGER, RANGE(1, INT32_MAXD), __VA_ARGS__)
/* DATE_WINDOW bounds are days around today; this one means "no bound on that side" */
#define NO_BOUND 1000000.0
#define ONE_YEAR 365.0

/* ---- enums (every list of the document) ---- */

#define ACTION_TYPES                                                                                                   \
    AK_LIST("CUSTOM", "REGISTER", "VIEW_CONTENT", "CONSULT", "ADD_TO_CART", "PURCHASE", "ACTIVATE_APP", "SEARCH",      \
            "ADD_TO_WISHLIST", "INITIATE_CHECKOUT", "COMPLETE_ORDER", "DOWNLOAD_APP", "START_APP", "RATE",             \
            "PAGE_VIEW", "RESERVATION", "SHARE", "APPLY", "CLAIM_OFFER", "NAVIGATE", "PRODUCT_RECOMMEND",              \
            "VISIT_STORE", "TRY_OUT", "DELIVER", "CONFIRM_EFFECTIVE_LEADS", "CONFIRM_POTENTIAL_CUSTOMER",              \
            "CREATE_ROLE", "AUTHORIZE", "TUTORIAL_FINISH", "SCANCODE", "ENTER_BACKGROUND", "ENTER_FOREGROUND",         \
            "TICKET", "LOGIN", "QUEST", "UPDATE_LEVEL", "CREATE", "PAUSE", "RESUME", "APP_QUIT", "BIND_ACCOUNT",       \
            "ADD_PAYMENT", "PRE_CREDIT", "CREDIT", "WITHDRAW_DEPOSITS", "LANDING_PAGE_CLICK", "SELECT_COURSE",         \
            "RE_FUND", "PLATFORM_VIEW", "ONE_DAY_LEAVE", "PRODUCT_VIEW", "PURCHASE_MEMBER_CARD", "ONLINE_CONSULT",     \
            "MAKE_PHONE_CALL", "FOLLOW", "ADD_DESKTOP", "RETURN", "LEAVE_INFORMATION", "PURCHASE_COUPON", "ADD_GROUP", \
            "ADD_CUSTOMER_PAGE_VIEW", "ADD_CUSTOMER_PAGE_INTERACTIVE", "CUSTOMER_PROMOTION_PAGE_VIEW",                 \
            "CUSTOMER_PROMOTION_PAGE_INTERACTIVE", "ABNORMAL_ACTION", "LIVE_STREAM", "SCANCODE_WX", "STAY_PAY_7",      \
            "STAY_PAY_15", "STAY_PAY_30", "INSURANCE_PAY", "RESERVATION_CHECK", "PARTICIPATED", "COMPLETED",           \
            "REGULAR_PRICE_COURSE", "DROP_OUT", "CONFIRM_DELIVERY_ORDER", "CANCEL_DELIVERY_ORDER", "OPEN_ACCOUNT",     \
            "DEPOSIT", "TRADE", "SECURITY_NEGATIVE", "AD_CLICK", "AD_IMPRESSION", "SIGN_IN", "TRY_OUT_INTENTION",      \
            "INEFFECTIVE_LEADS", "READ_ARTICLE", "COMMENT", "CARD_CLICK", "WECOM_CONSULT", "BIND_CARD",                \
            "LOW_PRICE_COURSE", "ADD_WECHAT", "PRE_PAY", "QUIT_GROUP", "PHONE_CONNECTED", "RE_ACTIVE", "CLAIM_COURSE", \
            "VIEW_ACQUISITION_CONTENT", "TERMINATION", "RENEWAL", "CONSULT_INTENTION")
#define OPERATORS AK_LIST("LT", "GT", "EQ", "NE", "CONTAIN", "NOT_CONTAIN")
/* ruling: the URL-rule operator enum lists LT/GT, but the text says "operator 只允许 EQ、NE、
 * CONTAIN、NOT_CONTAIN": the text wins */
#define URL_OPERATORS AK_LIST("EQ", "NE", "CONTAIN", "NOT_CONTAIN")
#define COMPARATORS AK_LIST("COMPARATOR_GE", "COMPARATOR_LE", "COMPARATOR_BETWEEN", "COMPARATOR_EQ")
#define DAYS AK_LIST("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
#define PROMOTED_OBJECT_TYPES                                                                                          \
    AK_LIST("PROMOTED_OBJECT_TYPE_APP_ANDROID", "PROMOTED_OBJECT_TYPE_APP_IOS", "PROMOTED_OBJECT_TYPE_QZONE_PAGE",     \
            "PROMOTED_OBJECT_TYPE_QZONE_PAGE_ARTICLE", "PROMOTED_OBJECT_TYPE_QZONE_PAGE_IFRAMED",                      \
            "PROMOTED_OBJECT_TYPE_QZONE_VIDEO_PAGE", "PROMOTED_OBJECT_TYPE_APP_PC")
#define CONVERSION_TYPES AK_LIST("APP_START_DOWNLOAD", "APP_FINISH_DOWNLOAD", "APP_INSTALL", "APP_ACTIVATE")
/* ruling: combine_spec time_window takes only the listed values 1, 3, 7, 10, 15, 30, 90, 180, 365 */
#define COMBINE_TIME_WINDOWS AK_LIST("1", "3", "7", "10", "15", "30", "90", "180", "365")

/* ---- lookalike_spec ---- */

static const ak_field lookalike_fields[] = {
    ID("seed_audience_id", AK_F_REQUIRED,
       .doc = "seed audience: 100-30000000 users, status SUCCESS, not a lookalike (checked by the server)"),
    F_INT("expand_user_count", AK_F_REQUIRED | F_RANGE, RANGE(500000, 100000000), .multiple_of = 500000,
          .doc = "target size, a multiple of 500000 in 500000..100000000"),
};

static const ak_schema lookalike_spec = AK_SCHEMA("LookalikeSpec", lookalike_fields, "Lookalike audience");

/* ---- user_action_spec: URL rules ---- */

static const ak_field url_matcher_fields[] = {
    F_STR("param_value", AK_F_REQUIRED, BYTES(1, 128)),
    F_ENUM("operator", AK_F_REQUIRED, URL_OPERATORS, .doc = "only EQ, NE, CONTAIN, NOT_CONTAIN for URL rules"),
};

static const ak_schema url_matcher = AK_SCHEMA("UrlMatcher", url_matcher_fields, "One URL condition");

static const ak_field url_matcher_group_fields[] = {
    AKF("url_matcher", "url_matcher", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT, .schema = &url_matcher,
        ITEMS(0, 16), .doc = "OR of conditions, at most 16"),
};

static const ak_schema url_matcher_group =
    AK_SCHEMA("UrlMatcherGroup", url_matcher_group_fields, "URL conditions joined by OR");

static const ak_field url_match_rule_fields[] = {
    /* "如果为空表示全站浏览人群": an empty list is allowed (the whole site), the field is required */
    AKF("url_matcher_group", "url_matcher_group", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &url_matcher_group, ITEMS(0, 16), .doc = "AND of groups, at most 16; empty = the whole site"),
};

static const ak_schema url_match_rule = AK_SCHEMA("UrlMatchRule", url_match_rule_fields, "URL match rule");

/* ---- user_action_spec: ACTION rules ---- */

static const ak_field param_matcher_fields[] = {
    F_STR("param_name", AK_F_REQUIRED, BYTES(1, 128)),
    F_STR("param_value", AK_F_REQUIRED, BYTES(1, 128)),
    F_ENUM("operator", AK_F_REQUIRED, OPERATORS),
};

static const ak_schema param_matcher = AK_SCHEMA("ParamMatcher", param_matcher_fields, "One parameter condition");

static const ak_field param_matcher_group_fields[] = {
    AKF("param_matcher", "param_matcher", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &param_matcher, ITEMS(0, 16), .doc = "OR of conditions, at most 16"),
};

static const ak_schema param_matcher_group =
    AK_SCHEMA("ParamMatcherGroup", param_matcher_group_fields, "Parameter conditions joined by OR");

/* "custom_action: 当 action_type=CUSTOM 时必填" (ACTION and AGGREGATION rules alike) */
#define CUSTOM_ACTION_RULE                                                                                             \
    {                                                                                                                  \
        .kind = AK_RULE_REQUIRED_WHEN, .field = "custom_action", .cond_field = "action_type",                          \
        .cond_values = AK_LIST("CUSTOM"), .text = "is required when action_type=CUSTOM"                                \
    }

static const ak_field action_match_rule_fields[] = {
    F_ENUM("action_type", AK_F_REQUIRED, ACTION_TYPES, .doc = "standard action; CUSTOM = custom_action"),
    F_STR("custom_action", 0, BYTES(1, 128), .doc = "required when action_type=CUSTOM"),
    AKF("param_matcher_group", "param_matcher_group", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT,
        .schema = &param_matcher_group, ITEMS(0, 16), .doc = "AND of groups, at most 16"),
};

static const ak_rule action_match_rule_rules[] = {CUSTOM_ACTION_RULE};

static const ak_schema action_match_rule = AK_SCHEMA_R("ActionMatchRule", action_match_rule_fields,
                                                       action_match_rule_rules, "Action and parameter match rule");

/* ---- user_action_spec: AGGREGATION rules ---- */

#define BETWEEN AK_LIST("COMPARATOR_BETWEEN")

static const ak_field aggregation_matcher_fields[] = {
    F_ENUM("aggregation_type", AK_F_REQUIRED, AK_LIST("SUM", "MAX", "MIN", "COUNT")),
    F_ENUM("count_type", 0, AK_LIST("BY_TIMES", "BY_DAY"), .doc = "required when aggregation_type=COUNT"),
    F_STR("param_name", 0, BYTES(1, 128), .doc = "required when aggregation_type != COUNT"),
    F_ENUM("comparator", AK_F_REQUIRED, COMPARATORS),
    F_INT("comparison_value", 0, .doc = "required when comparator != COMPARATOR_BETWEEN"),
    F_INT("comparison_min_value", 0, .doc = "required when comparator = COMPARATOR_BETWEEN"),
    F_INT("comparison_max_value", 0, .doc = "required when comparator = COMPARATOR_BETWEEN"),
};

static const ak_rule aggregation_matcher_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "count_type",
     .cond_field = "aggregation_type",
     .cond_values = AK_LIST("COUNT"),
     .text = "is required when aggregation_type=COUNT"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "param_name",
     .cond_field = "aggregation_type",
     .cond_values = AK_LIST("COUNT"),
     .cond_negate = 1,
     .cond2_field = "aggregation_type",
     .text = "is required when aggregation_type != COUNT"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "comparison_value",
     .cond_field = "comparator",
     .cond_values = BETWEEN,
     .cond_negate = 1,
     .cond2_field = "comparator",
     .text = "is required when comparator != COMPARATOR_BETWEEN"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "comparison_min_value",
     .cond_field = "comparator",
     .cond_values = BETWEEN,
     .text = "is required when comparator = COMPARATOR_BETWEEN"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "comparison_max_value",
     .cond_field = "comparator",
     .cond_values = BETWEEN,
     .text = "is required when comparator = COMPARATOR_BETWEEN"},
};

static const ak_schema aggregation_matcher = AK_SCHEMA_R("AggregationMatcher", aggregation_matcher_fields,
                                                         aggregation_matcher_rules, "One aggregation condition");

static const ak_field aggregation_group_fields[] = {
    AKF("aggregation_matcher", "aggregation_matcher", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &aggregation_matcher, ITEMS(1, 1), .doc = "exactly one matcher (\"数组长度为 1\")"),
};

static const ak_schema aggregation_group =
    AK_SCHEMA("AggregationGroup", aggregation_group_fields, "An aggregation condition group");

static const ak_field filter_group_fields[] = {
    AKF("param_matcher", "param_matcher", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &param_matcher, ITEMS(1, 1), .doc = "exactly one condition (\"数组长度为 1\")"),
};

static const ak_schema filter_group = AK_SCHEMA("FilterGroup", filter_group_fields, "A parameter filter group");

/* The text copy lost the nesting: filter_group is read as a sibling of aggregation_group
 * inside action_aggregation_rule, as in Tencent's published model (the sandbox agrees). */
static const ak_field action_aggregation_rule_fields[] = {
    F_ENUM("action_type", AK_F_REQUIRED, ACTION_TYPES, .doc = "standard action; CUSTOM = custom_action"),
    F_STR("custom_action", 0, BYTES(1, 128), .doc = "required when action_type=CUSTOM"),
    AKF("aggregation_group", "aggregation_group", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT,
        .schema = &aggregation_group, ITEMS(1, 4), .doc = "AND of groups, 1 to 4"),
    AKF("filter_group", "filter_group", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &filter_group,
        ITEMS(1, 16), .doc = "AND of parameter filters, 1 to 16"),
};

static const ak_rule action_aggregation_rule_rules[] = {CUSTOM_ACTION_RULE};

static const ak_schema action_aggregation_rule =
    AK_SCHEMA_R("ActionAggregationRule", action_aggregation_rule_fields, action_aggregation_rule_rules,
                "Action and parameter aggregation rule");

/* ---- user_action_spec ---- */

static const ak_field user_action_fields[] = {
    /* ruling: requests send user_action_set_id; responses may call it action_set_id */
    ID("user_action_set_id", AK_F_REQUIRED, .aliases = AK_LIST("action_set_id"), .doc = "user action set id"),
    F_ENUM("match_rule_type", AK_F_REQUIRED, AK_LIST("URL", "ACTION"),
           .doc = "only ACTION for Android/iOS action sets (checked by the server)"),
    F_ENUM("extract_type", 0, AK_LIST("FILTER", "AGGREGATION"),
           .doc = "applies when match_rule_type=ACTION, default FILTER"),
    F_INT("time_window", AK_F_REQUIRED | F_RANGE, RANGE(0, 180),
          .doc = "days back, 0..180; at most 90 with extract_type=AGGREGATION"),
    F_OBJ("url_match_rule", 0, &url_match_rule, .doc = "required when match_rule_type=URL"),
    F_OBJ("action_match_rule", 0, &action_match_rule,
          .doc = "required when match_rule_type=ACTION and extract_type is empty or FILTER"),
    F_OBJ("action_aggregation_rule", 0, &action_aggregation_rule,
          .doc = "required when match_rule_type=ACTION and extract_type=AGGREGATION"),
};

static const ak_rule user_action_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "url_match_rule",
     .cond_field = "match_rule_type",
     .cond_values = AK_LIST("URL"),
     .text = "is required when match_rule_type=URL"},
    /* "当 match_rule_type = ACTION,extractType 为空或者 extractType = FITLER 时必填" */
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "action_match_rule",
     .cond_field = "match_rule_type",
     .cond_values = AK_LIST("ACTION"),
     .cond2_field = "extract_type",
     .cond2_values = AK_LIST("AGGREGATION"),
     .cond2_negate = 1,
     .text = "is required when match_rule_type=ACTION and extract_type is empty or FILTER"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "action_aggregation_rule",
     .cond_field = "match_rule_type",
     .cond_values = AK_LIST("ACTION"),
     .cond2_field = "extract_type",
     .cond2_values = AK_LIST("AGGREGATION"),
     .text = "is required when match_rule_type=ACTION and extract_type=AGGREGATION"},
    /* "当 extractType = AGGREGATION 时,时间窗最大取值为 90 天" (extract_type only applies to ACTION) */
    {.kind = AK_RULE_MAX_WHEN,
     .field = "time_window",
     .cond_field = "extract_type",
     .cond_values = AK_LIST("AGGREGATION"),
     .cond2_field = "match_rule_type",
     .cond2_values = AK_LIST("ACTION"),
     .bound = 90,
     .text = "must be at most 90 when extract_type=AGGREGATION"},
};

static const ak_schema user_action_spec =
    AK_SCHEMA_R("UserActionSpec", user_action_fields, user_action_rules, "User-action audience");

/* ---- lbs_spec ---- */

#define DATE10(nm, doc_) F_STR(nm, AK_F_REQUIRED, BYTES(10, 10), .format = AK_FMT_DATE, .doc = doc_)

static const ak_field date_range_fields[] = {
    DATE10("start_date", "yyyy-MM-dd, not earlier than one year ago, before end_date"),
    DATE10("end_date", "yyyy-MM-dd, today (GMT+8) or earlier, after start_date"),
};

/* POI and CROSS_CITY: start_date "不能早于 1 年前,且小于 end_date"; end_date "小于等于今天" */
static const ak_rule date_range_rules[] = {
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "start_date",
     .bound = ONE_YEAR,
     .bound2 = NO_BOUND,
     .text = "must not be earlier than one year (365 days) before today (GMT+8)"},
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "end_date",
     .bound = NO_BOUND,
     .bound2 = 0,
     .text = "must be today (GMT+8) or earlier"},
    {.kind = AK_RULE_LESS_THAN,
     .field = "start_date",
     .fields = AK_LIST("end_date"),
     .text = "must be before end_date"},
};

static const ak_schema date_range =
    AK_SCHEMA_R("LbsDateRange", date_range_fields, date_range_rules, "Date range of a POI or cross-city rule");

static const ak_field custom_date_range_fields[] = {
    DATE10("start_date", "yyyy-MM-dd, within the last year, before end_date, at most 60 days before it"),
    DATE10("end_date", "yyyy-MM-dd, before today (GMT+8), after start_date"),
};

/* CUSTOM_LOCATION: "时间范围需在最近一年内,最大时间跨度为 60 天"; end_date "小于今天" (not "小于等于") */
static const ak_rule custom_date_range_rules[] = {
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "start_date",
     .bound = ONE_YEAR,
     .bound2 = NO_BOUND,
     .text = "must not be earlier than one year (365 days) before today (GMT+8)"},
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "end_date",
     .bound = NO_BOUND,
     .bound2 = -1,
     .text = "must be before today (GMT+8)"},
    {.kind = AK_RULE_LESS_THAN,
     .field = "start_date",
     .fields = AK_LIST("end_date"),
     .text = "must be before end_date"},
    {.kind = AK_RULE_DATE_SPAN,
     .field = "start_date",
     .fields = AK_LIST("end_date"),
     .bound = 60,
     .text = "the date range may span at most 60 days (end_date - start_date)"},
};

static const ak_schema custom_date_range = AK_SCHEMA_R("CustomLocationDateRange", custom_date_range_fields,
                                                       custom_date_range_rules, "Date range of a custom location rule");

#define FREQUENCY F_INT("frequency", F_RANGE, RANGE(1, INT32_MAXD), .doc = "number of visits, at least 1")

static const ak_field cross_city_fields[] = {
    /* "route 不能超过 10 个", "路线不能为空" (no empty list, no empty route); "0~0" is refused
     * by the route format */
    F_ARR("route", AK_F_REQUIRED | AK_F_ITEM_LEN, AK_TYPE_STRING, ITEMS(1, 10), BYTES(1, 0), .format = AK_FMT_ROUTE,
          .doc = "\"from~to\" region codes, 0 = any (not both), 1 to 10 routes"),
    F_OBJ("date_range", AK_F_REQUIRED, &date_range),
    FREQUENCY,
};

static const ak_schema cross_city_rule = AK_SCHEMA("CrossCityRule", cross_city_fields, "Cross-city rule");

static const ak_field poi_fields[] = {
    F_ARR("region_id", 0, AK_TYPE_INTEGER, ITEMS(1, 50), .doc = "region codes, 1 to 50"),
    INT32_ARR("poi_category_id", AK_F_REQUIRED, ITEMS(1, 10), .doc = "POI categories, 1 to 10, each 1..2147483647"),
    F_OBJ("date_range", AK_F_REQUIRED, &date_range),
    F_ARR("day_of_week", 0, AK_TYPE_ENUM, .values = DAYS),
    FREQUENCY,
};

static const ak_schema poi_rule = AK_SCHEMA("PoiRule", poi_fields, "POI rule");

static const ak_field frequency_spec_fields[] = {
    /* ruling: "目前仅支持 COMPARATOR_BETWEEN": only COMPARATOR_BETWEEN is accepted */
    F_ENUM("comparator", 0, BETWEEN, .doc = "only COMPARATOR_BETWEEN"),
    F_INT("frequency_min_value", F_RANGE, RANGE(1, 100), .doc = "1..100, required with COMPARATOR_BETWEEN"),
    F_INT("frequency_max_value", F_RANGE, RANGE(1, 100), .doc = "1..100, required with COMPARATOR_BETWEEN"),
};

static const ak_rule frequency_spec_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "frequency_min_value",
     .cond_field = "comparator",
     .cond_values = BETWEEN,
     .text = "is required when comparator = COMPARATOR_BETWEEN"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "frequency_max_value",
     .cond_field = "comparator",
     .cond_values = BETWEEN,
     .text = "is required when comparator = COMPARATOR_BETWEEN"},
};

static const ak_schema frequency_spec = AK_SCHEMA_R("FrequencySpec", frequency_spec_fields, frequency_spec_rules,
                                                    "Visit frequency of a custom location rule");

static const ak_field circle_area_fields[] = {
    F_NUM("longitude", AK_F_REQUIRED | F_RANGE, RANGE(-180, 180), .decimals = 6, .doc = "degrees, 6 decimals at most"),
    F_NUM("latitude", AK_F_REQUIRED | F_RANGE, RANGE(-90, 90), .decimals = 6, .doc = "degrees, 6 decimals at most"),
    /* ruling: the table says "最小值 5000,最大值 100": the range is 100..5000 metres */
    F_INT("radius", AK_F_REQUIRED | F_RANGE, RANGE(100, 5000), .doc = "metres, 100..5000"),
};

static const ak_schema circle_area = AK_SCHEMA("CircleArea", circle_area_fields, "A circle on the map");

static const ak_field area_fields[] = {
    F_ENUM("area_type", AK_F_REQUIRED, AK_LIST("CIRCLE")),
    F_OBJ("circle_area", 0, &circle_area, .doc = "required when area_type=CIRCLE"),
};

static const ak_rule area_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "circle_area",
     .cond_field = "area_type",
     .cond_values = AK_LIST("CIRCLE"),
     .text = "is required when area_type=CIRCLE"},
};

static const ak_schema area = AK_SCHEMA_R("Area", area_fields, area_rules, "A custom location area");

static const ak_field custom_location_fields[] = {
    F_ENUM("poi_type", AK_F_REQUIRED, AK_LIST("ALL", "TRAVEL_IN")),
    F_OBJ("date_range", AK_F_REQUIRED, &custom_date_range),
    F_OBJ("frequency_spec", 0, &frequency_spec),
    AKF("area_list", "area_list", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT, .schema = &area,
        ITEMS(1, 20), .doc = "1 to 20 areas"),
};

static const ak_schema custom_location_rule =
    AK_SCHEMA("CustomLocationRule", custom_location_fields, "Custom location rule");

static const ak_field lbs_fields[] = {
    F_ENUM("lbs_type", AK_F_REQUIRED, AK_LIST("POI", "CROSS_CITY", "CUSTOM_LOCATION")),
    F_OBJ("cross_city_rule", 0, &cross_city_rule, .doc = "required when lbs_type=CROSS_CITY"),
    F_OBJ("poi_rule", 0, &poi_rule, .doc = "required when lbs_type=POI"),
    F_OBJ("custom_location_rule", 0, &custom_location_rule, .doc = "required when lbs_type=CUSTOM_LOCATION"),
};

static const ak_rule lbs_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "cross_city_rule",
     .cond_field = "lbs_type",
     .cond_values = AK_LIST("CROSS_CITY"),
     .text = "is required when lbs_type=CROSS_CITY"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "poi_rule",
     .cond_field = "lbs_type",
     .cond_values = AK_LIST("POI"),
     .text = "is required when lbs_type=POI"},
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "custom_location_rule",
     .cond_field = "lbs_type",
     .cond_values = AK_LIST("CUSTOM_LOCATION"),
     .text = "is required when lbs_type=CUSTOM_LOCATION"},
};

static const ak_schema lbs_spec = AK_SCHEMA_R("LbsSpec", lbs_fields, lbs_rules, "LBS (location) audience");

/* ---- keyword_spec ---- */

/* ruling: "字数不超过 10" and "长度最大 10 字节" - the byte rule wins (UTF-8 bytes) */
static const ak_field keyword_fields[] = {
    F_ARR("include_keyword", AK_F_REQUIRED | AK_F_ITEM_LEN, AK_TYPE_STRING, ITEMS(1, 100), BYTES(1, 10),
          .doc = "1 to 100 keywords of 1..10 UTF-8 bytes"),
    F_ARR("exclude_keyword", AK_F_ITEM_LEN, AK_TYPE_STRING, ITEMS(0, 20), BYTES(1, 10),
          .doc = "at most 20 keywords of 1..10 UTF-8 bytes"),
};

static const ak_schema keyword_spec = AK_SCHEMA("KeywordSpec", keyword_fields, "Keyword audience");

/* ---- ad_rule_spec ---- */

static const ak_field promoted_object_fields[] = {
    F_ENUM("promoted_object_type", AK_F_REQUIRED, PROMOTED_OBJECT_TYPES),
    /* ruling: requests send promoted_object_id; responses may call it product_refs_id */
    F_STR("promoted_object_id", AK_F_REQUIRED, BYTES(0, 128), .aliases = AK_LIST("product_refs_id"),
          .doc = "promoted object id, at most 128 bytes"),
};

static const ak_schema promoted_object = AK_SCHEMA("PromotedObject", promoted_object_fields, "A promoted object");

static const ak_field ad_rule_fields[] = {
    F_ENUM("rule_type", AK_F_REQUIRED, AK_LIST("EXPOSURE", "CLICK", "CONVERSION"),
           .doc = "EXPOSURE needs a whitelist (checked by the server)"),
    /* "当 rule_type=CONVERSION 时该字段必填": a required list has at least one item */
    F_ARR("conversion_type", 0, AK_TYPE_ENUM, .values = CONVERSION_TYPES, ITEMS(1, 5),
          .doc = "1 to 5 conversion types; only (and then required) with rule_type=CONVERSION"),
    /* the table says "长度最小 0 字节" but also "格式为 yyyy-MM-dd": the format wins, an empty
     * string is not a date (the sandbox refuses it too), so at least 1 byte */
    F_STR("start_date", AK_F_REQUIRED, BYTES(1, 10), .format = AK_FMT_DATE,
          .doc = "yyyy-MM-dd within the last 90 days, before today (GMT+8)"),
    F_STR("end_date", 0, BYTES(1, 10), .format = AK_FMT_DATE,
          .doc = "yyyy-MM-dd, start_date or later, before today (GMT+8); absent = keeps updating"),
    INT32_ARR("campaign_id_list", 0, ITEMS(0, 75), .doc = "at most 75 campaign ids"),
    AKF("promoted_object_list", "promoted_object_list", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT,
        .schema = &promoted_object, ITEMS(0, 75), .doc = "at most 75 promoted objects"),
    INT32_ARR("adgroup_id_list", 0, ITEMS(0, 75), .doc = "at most 75 ad group ids"),
};

static const ak_rule ad_rule_rules[] = {
    {.kind = AK_RULE_REQUIRED_WHEN,
     .field = "conversion_type",
     .cond_field = "rule_type",
     .cond_values = AK_LIST("CONVERSION"),
     .text = "is required when rule_type=CONVERSION"},
    /* "否则该字段不能填写" */
    {.kind = AK_RULE_FORBIDDEN_WHEN,
     .field = "conversion_type",
     .cond_field = "rule_type",
     .cond_values = AK_LIST("CONVERSION"),
     .cond_negate = 1,
     .cond2_field = "rule_type",
     .text = "must not be given unless rule_type=CONVERSION"},
    /* "必须在 90 天以内,且在今天(不包含)以前": today-90 .. today-1 */
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "start_date",
     .bound = 90,
     .bound2 = -1,
     .text = "must be within the last 90 days and before today (GMT+8)"},
    /* "必须在 start_date(包含)之后,且在今天(不包含)以前" */
    {.kind = AK_RULE_DATE_WINDOW,
     .field = "end_date",
     .bound = NO_BOUND,
     .bound2 = -1,
     .text = "must be before today (GMT+8)"},
    /* DATE_SPAN with bound 0 reads "start_date - end_date <= 0", reported on end_date */
    {.kind = AK_RULE_DATE_SPAN,
     .field = "end_date",
     .fields = AK_LIST("start_date"),
     .bound = 0,
     .text = "must be start_date or later"},
    /* ruling: "campaign_id_list 和 product_list" means promoted_object_list; at most one of
     * the three lists */
    {.kind = AK_RULE_AT_MOST_ONE,
     .fields = AK_LIST("campaign_id_list", "promoted_object_list", "adgroup_id_list"),
     .text = "at most one of campaign_id_list, promoted_object_list, adgroup_id_list may be given"},
};

static const ak_schema ad_rule_spec = AK_SCHEMA_R("AdRuleSpec", ad_rule_fields, ad_rule_rules, "Ad-behaviour audience");

/* ---- combine_spec ---- */

static const ak_field combine_item_fields[] = {
    ID("audience_id", AK_F_REQUIRED,
       .doc = "audience or tag id; not a LOOKALIKE or COMBINE audience (checked by the server)"),
    F_INT("time_window", F_RANGE, RANGE(1, 365), .values = COMBINE_TIME_WINDOWS,
          .doc = "tags only: one of 1, 3, 7, 10, 15, 30, 90, 180, 365"),
};

static const ak_schema combine_item = AK_SCHEMA("CombineAudience", combine_item_fields, "A member of a combination");

/* ruling: include/exclude are two-dimensional (outer AND, inner OR), at most 500 audiences in
 * the whole combination */
static const ak_field combine_fields[] = {
    AKF("include", "include", AK_TYPE_ARRAY, AK_F_REQUIRED, .item_type = AK_TYPE_OBJECT, .schema = &combine_item,
        .depth = 2, ITEMS(1, 500), .doc = "[[a OR b] AND [c]], 1 to 500 groups"),
    AKF("exclude", "exclude", AK_TYPE_ARRAY, 0, .item_type = AK_TYPE_OBJECT, .schema = &combine_item, .depth = 2,
        ITEMS(0, 500), .doc = "[[a OR b] AND [c]], at most 500 groups"),
};

static const ak_rule combine_rules[] = {
    {.kind = AK_RULE_COUNT_MAX,
     .fields = AK_LIST("include", "exclude"),
     .bound = 500,
     .text = "at most 500 audiences may be combined (include and exclude together)"},
};

static const ak_schema combine_spec = AK_SCHEMA_R("CombineSpec", combine_fields, combine_rules, "Combined audience");

/* ---- audience_spec ---- */

static const ak_field audience_spec_fields[] = {
    F_OBJ("lookalike_spec", 0, &lookalike_spec, .doc = "Lookalike audience; required when type=LOOKALIKE"),
    F_OBJ("user_action_spec", 0, &user_action_spec, .doc = "User-action audience; required when type=USER_ACTION"),
    F_OBJ("lbs_spec", 0, &lbs_spec, .doc = "LBS audience; required when type=LBS"),
    F_OBJ("keyword_spec", 0, &keyword_spec, .doc = "Keyword audience; required when type=KEYWORD"),
    F_OBJ("ad_rule_spec", 0, &ad_rule_spec, .doc = "Ad audience; required when type=AD"),
    F_OBJ("combine_spec", 0, &combine_spec, .doc = "Combined audience; required when type=COMBINE"),
};

const ak_schema ak_tencent_audience_spec =
    AK_SCHEMA("AudienceSpec", audience_spec_fields, "Audience definition, depends on the audience type");
