/* test_json_parse.c - ak_json_parse (core/src/util/json_parse.c) against cJSON_ParseWithLength:
 * the same tree (types, keys, strings, doubles bit for bit, valueint, child->prev) for hand-picked
 * texts and for 20,000 generated documents and their mutations (truncated, a byte changed): where
 * cJSON fails, so does ak_json_parse (and it rejects a \u escape without 4 hex digits, which cJSON
 * reads as U+0000); integers of 2^53 or more are raw digits (test_exact.c and
 * test_json_scan.c cover those). The trees it builds are freed by cJSON_Delete, copied by
 * cJSON_Duplicate (the copy outliving the original under ASan) and edited by cJSON's functions. */
#include "harness.h"
#include "internal.h"
#include "json_diff.h"

#include <math.h>
#include <stdint.h>

static void differential(const char *text, size_t len) {
    cJSON *want = cJSON_ParseWithLength(text, len);
    cJSON *got = ak_json_parse(text, len);
    t_checks++;
    if (want && !got && json_bad_u_escape(text, len)) {
        /* the intended difference */
    } else if ((want == NULL) != (got == NULL)) {
        t_failures++;
        fprintf(stderr, "  cJSON %s, ak_json_parse %s: %.*s\n", want ? "parses" : "fails", got ? "parses" : "fails",
                (int)(len > 300 ? 300 : len), text);
    } else if (want && !json_same(want, got, text)) {
        t_failures++;
    }
    cJSON_Delete(want);
    cJSON_Delete(got);
}

static void diff_str(const char *text) { differential(text, strlen(text)); }

static void test_hand_picked(void) {
    static const char *const texts[] = {
        "{}",
        "[]",
        " \t\r\n{ } ",
        "\xEF\xBB\xBF{\"a\":1}",
        "null",
        "true",
        "false",
        "0",
        "-0",
        "17",
        "\"x\"",
        "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{\"e\":true,\"f\":false}}",
        "[1.5,-2.25e3,1E-7,0.1,3e400,-3e400,2147483647,2147483648,-2147483648,-2147483649,1e2,1.0]",
        "[123456789012345,999999999999999,-999999999999999,1234567890123456,9007199254740991]",
        "[00012,-007,0000000000000000000001,000000000000000000000000000000000000000000000000000000001.5]",
        "[\"\\u00e9\\u4e2d\\ud83d\\ude00\",\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\",\"\\\"\",\"\xe4\xb8\xad\xe6\x96\x87\"]",
        "{\"\\u0061\":1,\"a\\\"b\":2,\"code\":0,\"message\":\"OK\",\"data\":{\"list\":[],\"page_info\":{}}}",
        "{\"audience_id\":1,\"name\":\"n\",\"unknown_key_xyz\":[]}",
        "{\"a\":1} trailing",
        "[1,2] ]",
        "{\"a\":1,\"a\":2}",
        /* failures */
        "",
        "{",
        "[",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{a:1}",
        "nul",
        "tru",
        "-",
        "+1",
        "\"unterminated",
        "\"bad \\x escape\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\u12\"",
        "[.5]",
        "[1.]",
        "[1e]",
        "{\"a\":1 \"b\":2}",
        "]",
        "{\"a\":[}",
        "\"\\",
        "[-]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        diff_str(texts[i]);
    /* not NUL-terminated: only len bytes are read */
    const char part[] = "[1,2,3]GARBAGE";
    differential(part, 7);
    differential(part, 5); /* "[1,2," */
}

static void test_nesting_limit(void) {
    char deep[2 * 1002 + 1];
    for (int n = 999; n <= 1001; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = '\0';
        diff_str(deep); /* cJSON's limit is 1000 levels */
    }
}

/* ---- generated documents ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

typedef struct gbuf {
    char *p;
    size_t n, cap;
} gbuf;

static void put(gbuf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}
static void puts_(gbuf *b, const char *s) { put(b, s, strlen(s)); }

static void gen_ws(gbuf *b) {
    static const char *const ws[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    puts_(b, ws[rnd(7)]);
}

static void gen_string(gbuf *b) {
    static const char *const parts[] = {
        "a",       "name",    "audience_id",    "code",         "\\n",      "\\\"", "\\\\", "\\/",
        "\\u00e9", "\\u4E2D", "\\ud83d\\ude00", "\xe4\xb8\xad", "\xc3\xa9", " ",    "0",    "\\t"};
    puts_(b, "\"");
    for (unsigned i = 0, n = rnd(6); i < n; i++)
        puts_(b, parts[rnd(sizeof parts / sizeof *parts)]);
    puts_(b, "\"");
}

static void gen_number(gbuf *b) {
    char t[64];
    switch (rnd(8)) {
    case 0: snprintf(t, sizeof t, "%u", rnd(100)); break;
    case 1: snprintf(t, sizeof t, "-%u", rnd(1000000)); break;
    case 2: snprintf(t, sizeof t, "%u%09u", rnd(1000000), rnd(1000000000)); break; /* up to 15 digits */
    case 3: snprintf(t, sizeof t, "%u.%u", rnd(1000), rnd(100000)); break;
    case 4: snprintf(t, sizeof t, "%ue%d", rnd(100), (int)rnd(40) - 20); break;
    case 5: snprintf(t, sizeof t, "-%u.%uE+%u", rnd(10), rnd(1000), rnd(300)); break;
    case 6: snprintf(t, sizeof t, "%u%u", 2147483640u + rnd(20), rnd(10)); break;
    default: snprintf(t, sizeof t, "800719925474%04u", rnd(10000)); break; /* 16 digits, below 2^53 */
    }
    puts_(b, t);
}

static void gen_value(gbuf *b, int depth) {
    unsigned k = rnd(depth > 4 ? 6 : 9);
    gen_ws(b);
    switch (k) {
    case 0: puts_(b, "null"); break;
    case 1: puts_(b, rnd(2) ? "true" : "false"); break;
    case 2:
    case 3: gen_string(b); break;
    case 4:
    case 5: gen_number(b); break;
    case 6:
        puts_(b, "[");
        for (unsigned i = 0, n = rnd(5); i < n; i++) {
            if (i)
                puts_(b, ",");
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        puts_(b, "]");
        break;
    default:
        puts_(b, "{");
        for (unsigned i = 0, n = rnd(6); i < n; i++) {
            if (i)
                puts_(b, ",");
            gen_ws(b);
            gen_string(b);
            gen_ws(b);
            puts_(b, ":");
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        puts_(b, "}");
    }
    gen_ws(b);
}

static void test_generated_and_mutated(void) {
    static const char mutants[] = "{}[]\",:\\ -.e0u";
    gbuf b = {0};
    int failures_before = t_failures;
    for (int i = 0; i < 20000 && t_failures - failures_before < 5; i++) {
        b.n = 0;
        gen_value(&b, 0);
        differential(b.p, b.n);
        if (b.n > 1) {
            differential(b.p, 1 + rnd((unsigned)b.n - 1)); /* truncated */
            char *m = malloc(b.n + 1);
            if (!m)
                abort();
            memcpy(m, b.p, b.n + 1);
            m[rnd((unsigned)b.n)] = mutants[rnd(sizeof mutants - 1)];
            differential(m, b.n);
            free(m);
        }
    }
    free(b.p);
}

static void test_tree_is_cjsons_to_edit(void) {
    const char *text = "{\"code\":0,\"data\":{\"list\":[{\"audience_id\":1,\"name\":\"first\",\"zz_unknown\":\"u\"}]}}";
    cJSON *j = ak_json_parse(text, strlen(text));
    CHECK(j != NULL);
    if (!j)
        return;
    cJSON *item = cJSON_GetArrayItem(ak_json_path(j, "data.list"), 0);
    CHECK(item && (cJSON_GetObjectItemCaseSensitive(item, "name")->type & cJSON_StringIsConst));
    /* a copy outlives the original: keys and strings are its own (or static) */
    cJSON *copy = cJSON_Duplicate(item, true);
    cJSON_Delete(j);
    CHECK_STR(cJSON_GetObjectItemCaseSensitive(copy, "name")->valuestring, "first");
    CHECK_STR(cJSON_GetObjectItemCaseSensitive(copy, "zz_unknown")->valuestring, "u");
    /* cJSON edits the parsed tree like its own */
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "name");
    CHECK(cJSON_AddStringToObject(copy, "name", "second") != NULL);
    CHECK(cJSON_ReplaceItemInObjectCaseSensitive(copy, "audience_id", cJSON_CreateNumber(2)));
    char *printed = cJSON_PrintUnformatted(copy);
    CHECK_STR(printed, "{\"audience_id\":2,\"zz_unknown\":\"u\",\"name\":\"second\"}");
    cJSON_free(printed);
    cJSON_Delete(copy);
    /* a detached string node is freed on its own */
    cJSON *k = ak_json_parse("[\"a\",\"bb\"]", 10);
    CHECK(k != NULL);
    cJSON_Delete(cJSON_DetachItemFromArray(k, 1));
    CHECK(cJSON_GetArraySize(k) == 1);
    cJSON_Delete(k);
}

static void test_static_keys(void) {
    size_t n = ak_static_key_count();
    CHECK(n > 200);   /* 330 today */
    CHECK(n <= 1024); /* the key set's load factor stays at 1/2 or below (2048 slots) */
    CHECK(ak_static_key("code", 4) != NULL);
    CHECK(ak_static_key("audience_id", 11) != NULL);
    CHECK(ak_static_key("no_such_key_zz", 14) == NULL);
    CHECK(ak_static_key("codex", 4) != NULL); /* length-bounded */
}

int main(void) {
    RUN(test_hand_picked);
    RUN(test_nesting_limit);
    RUN(test_generated_and_mutated);
    RUN(test_tree_is_cjsons_to_edit);
    RUN(test_static_keys);
    DONE();
}
