/* audkit/schema.h - static, introspectable model descriptors ("models are schemas").
 *
 * Every descriptor is `static const` data with static storage duration: pointers returned by the
 * introspection functions are borrowed for the life of the process and never freed.
 * Validation, encoding (snake_case -> wire names), decoding (aliases, ids as strings) and the
 * bindings' attribute access all walk these same tables.
 */
#ifndef AUDKIT_SCHEMA_H
#define AUDKIT_SCHEMA_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ak_type {
    AK_TYPE_ANY = 0, /* any JSON value, not checked */
    AK_TYPE_STRING,
    AK_TYPE_INTEGER, /* 64-bit integer, exact: a cJSON number up to 2^53 - 1, a raw digits node
                        (cJSON_Raw, valuestring "-?[0-9]+") beyond */
    AK_TYPE_NUMBER,  /* floating point */
    AK_TYPE_BOOLEAN,
    AK_TYPE_ENUM,   /* string from `values` */
    AK_TYPE_OBJECT, /* nested object described by `schema` (NULL: free-form object) */
    AK_TYPE_ARRAY   /* items of `item_type` (objects described by `schema`) */
} ak_type;

/** How a string length rule counts. */
typedef enum ak_len_unit {
    AK_LEN_BYTES = 0, /* UTF-8 bytes (Tencent "字节": a Chinese character is 3) */
    AK_LEN_CHARS,     /* Unicode code points */
    AK_LEN_CJK2       /* Baidu: ASCII counts 1, any other character counts 2 */
} ak_len_unit;

/** Where a request parameter travels. */
typedef enum ak_location {
    AK_LOC_BODY = 0, /* JSON body (or Baidu's "body" object) */
    AK_LOC_QUERY,    /* URL query; arrays/objects are JSON-encoded into one value */
    AK_LOC_PATH,     /* substituted into the path template {name} */
    AK_LOC_HEADER
} ak_location;

/* ak_field.flags */
#define AK_F_REQUIRED 0x0001u /* must be present */
#define AK_F_MIN 0x0002u      /* `min` applies */
#define AK_F_MAX 0x0004u      /* `max` applies */
#define AK_F_NULLABLE 0x0008u /* JSON null accepted */
#define AK_F_OUTPUT 0x0010u   /* response-only field (never sent) */
/* accepted on input, never sent (the document marks it 无效 / ignored on this route) */
#define AK_F_IGNORED 0x0020u
#define AK_F_UNIQUE 0x0040u     /* array items must be distinct */
#define AK_F_ITEM_LEN 0x0080u   /* min_len/max_len apply to each string item of an array */
#define AK_F_ITEM_RANGE 0x0100u /* min/max apply to each numeric item of an array */
/* An int64 id (the documents' Long ids): a decimal string is accepted as input and sent as a JSON
 * integer; every other integer field refuses strings. */
#define AK_F_INT64_ID 0x0200u

/** Formats checked for strings (ak_field.format). */
typedef enum ak_format {
    AK_FMT_NONE = 0,
    AK_FMT_DATE,       /* yyyy-MM-dd, a real calendar date */
    AK_FMT_DATETIME,   /* yyyy-MM-dd HH:mm:ss */
    AK_FMT_IDENTIFIER, /* [A-Za-z0-9_]+ */
    AK_FMT_ALNUM,      /* [A-Za-z0-9]+ */
    AK_FMT_ROUTE,      /* Tencent cross-city route "a~b", digits, not "0~0" */
    AK_FMT_NO_UPPER,   /* no capital letters A-Z (Sensors Data tag names) */
    AK_FMT_CRON        /* Quartz cron: 6 or 7 space-separated fields of 0-9 , - * / ? L W # A-Z */
} ak_format;

struct ak_schema;

/** One field of a model. Every limit that is 0 (or NULL) is "no rule": lengths, item counts,
 * multiple_of and decimals; min/max apply only with their AK_F_MIN/AK_F_MAX flag. A length or
 * item count that must be exact has min == max. */
typedef struct ak_field {
    const char *name;           /* snake_case name used by Python/Lua */
    const char *wire;           /* the vendor's wire name */
    const char *const *aliases; /* NULL-terminated other wire names accepted (responses/input) */
    ak_type type;
    ak_type item_type;              /* AK_TYPE_ARRAY: type of each item */
    unsigned flags;                 /* AK_F_* */
    ak_location location;           /* request schemas: where the parameter goes */
    const struct ak_schema *schema; /* OBJECT, or ARRAY of OBJECT: the nested schema */
    ak_len_unit len_unit;
    int min_len, max_len;      /* string length bounds, 0 = none */
    double min, max;           /* numeric bounds (AK_F_MIN / AK_F_MAX) */
    int64_t multiple_of;       /* 0 = no rule */
    int decimals;              /* maximum decimal places, 0 = no rule */
    const char *const *values; /* NULL-terminated enum values / allowed value set (as text) */
    int min_items, max_items;  /* array bounds, 0 = none */
    int depth;                 /* ARRAY of ARRAY: 2 for Tencent combine include/exclude */
    ak_format format;
    const char *doc;                  /* one line of documentation */
    const char *const *value_aliases; /* readable input aliases: pairs alias, wire value, ..., NULL
                                         ("keyword", "11"; "true", "1" also maps a boolean) */
} ak_field;

/** Kinds of cross-field rules (DESIGN.md property 2). */
typedef enum ak_rule_kind {
    AK_RULE_REQUIRED_WHEN = 1, /* `field` required when `cond_field` matches */
    AK_RULE_FORBIDDEN_WHEN,    /* `field` must be absent when `cond_field` matches */
    AK_RULE_AT_MOST_ONE,       /* at most one of `fields` present */
    AK_RULE_AT_LEAST_ONE,      /* at least one of `fields` present */
    AK_RULE_EXACTLY_ONE,       /* exactly one of `fields` present */
    AK_RULE_MAX_WHEN,          /* numeric `field` <= `bound` when `cond_field` matches */
    AK_RULE_LESS_THAN,         /* `field` < `fields[0]` (numbers or yyyy-MM-dd dates) */
    AK_RULE_LESS_EQUAL,        /* `field` <= `fields[0]` */
    AK_RULE_DATE_WINDOW,       /* date `field` in [today - bound days, today + (int)bound2 days]
                                  (today in GMT+8 from the client's clock) */
    AK_RULE_DATE_SPAN,         /* `fields[0]` - `field` <= bound days */
    AK_RULE_COUNT_MAX          /* total leaf items under `fields` (arrays of arrays) <= bound */
} ak_rule_kind;

/** Condition match: `cond_values` NULL means "when cond_field is present"; with
 * `cond_negate` it means "when cond_field is absent or not in cond_values". */
typedef struct ak_rule {
    ak_rule_kind kind;
    const char *field;              /* dotted path relative to the schema's object */
    const char *const *fields;      /* NULL-terminated paths (group rules / comparison target) */
    const char *cond_field;         /* dotted path relative to the schema's object, or NULL */
    const char *const *cond_values; /* NULL-terminated */
    int cond_negate;
    const char *cond2_field; /* optional second condition, ANDed with the first */
    const char *const *cond2_values;
    int cond2_negate;
    double bound, bound2;
    const char *text; /* the rule in words, shown in errors */
} ak_rule;

typedef struct ak_schema {
    const char *name; /* model name, e.g. "CustomAudience" */
    const ak_field *fields;
    size_t nfields;
    const ak_rule *rules;
    size_t nrules;
    const char *doc;
} ak_schema;

/** Iterate fields: pass NULL to get the first; returns NULL after the last. Borrowed (static). */
AK_API const ak_field *ak_schema_field_next(const ak_schema *s, const ak_field *prev);
/** Look up by snake_case name or wire name or alias. Borrowed (static); NULL if absent. */
AK_API const ak_field *ak_schema_field(const ak_schema *s, const char *name);
/** Type name ("string", "integer", ...), static storage. */
AK_API const char *ak_type_name(ak_type t);
/** Look up a model schema of a platform by name (e.g. "tencent_ads", "CustomAudience"). */
AK_API const ak_schema *ak_schema_find(const char *platform, const char *model);

/** Validation context: `today_gmt8` is days since 1970-01-01 of "today" in GMT+8. */
typedef struct ak_validate_ctx {
    int64_t today_gmt8;
} ak_validate_ctx;

/**
 * Validates `value` (borrowed) against `s`, accepting snake_case or wire names. Every violation
 * is collected into err->violations (err->kind = AK_ERR_VALIDATION, err->field/rule = the first).
 * `prefix` is prepended to field paths (may be NULL). Returns AK_OK when valid.
 */
AK_API int ak_schema_validate(const ak_schema *s, const ak_json *value, const char *prefix, const ak_validate_ctx *ctx,
                              ak_error *err);

/** Returns an owned deep copy of `value` with snake_case names mapped to wire names, empty
 * objects turned into empty arrays where the schema says array, and decimal strings in
 * AK_F_INT64_ID fields turned into exact JSON integers (raw digits nodes beyond 2^53 - 1). Unknown keys are kept as
 * given. NULL on OOM. */
AK_API ak_json *ak_schema_encode(const ak_schema *s, const ak_json *value);

/** Checks and normalises a response tree in place: aliases renamed to the canonical wire name,
 * numeric strings in integer fields converted to exact integers (numbers up to 2^53 - 1, raw
 * digits nodes beyond), unknown fields kept as they are. A documented field of the wrong type
 * (a string or 1.5 where an integer is documented, an integer beyond int64, null where the field
 * is not AK_F_NULLABLE, an array nested deeper than documented, ...) fails with kind
 * AK_ERR_DECODE, err->field = its path under `prefix` (e.g. "data.list[3].audience_id", may be
 * NULL) and err->rule = what was expected ("expected an integer, got string").
 * Returns AK_OK or AK_FAIL. `value` is borrowed. */
AK_API int ak_schema_decode_at(const ak_schema *s, ak_json *value, const char *prefix, ak_error *err);
/** ak_schema_decode_at with paths relative to `value` (no prefix). */
AK_API int ak_schema_decode(const ak_schema *s, ak_json *value, ak_error *err);

#ifdef __cplusplus
}
#endif
#endif
