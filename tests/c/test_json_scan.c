/* test_json_scan.c - ak_json_parse's pre-check for big integers (16 digits or more in a row,
 * found by looking at every 16th byte): a big literal at every offset, at the very start and end
 * of the text, next to shorter digit runs, inside strings, in fractions and exponents. */
#include "harness.h"
#include "internal.h"

/* Parses `text`; the first member's value, printed as the core prints it (owned). */
static char *value_text(const char *text) {
    cJSON *j = ak_json_parse(text, strlen(text));
    CHECK(j != NULL);
    if (!j)
        return NULL;
    const cJSON *v = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "v") : cJSON_IsArray(j) ? j->child : j;
    char *out = NULL;
    if (cJSON_IsRaw(v))
        out = ak_strdup(v->valuestring);
    else if (cJSON_IsString(v))
        out = ak_strdup("string");
    else if (cJSON_IsNumber(v))
        out = ak_strdup("number");
    cJSON_Delete(j);
    return out;
}

static void expect(const char *text, const char *want) {
    char *got = value_text(text);
    CHECK_STR(got, want);
    if (!got || strcmp(got, want) != 0)
        fprintf(stderr, "  text: %s\n", text);
    free(got);
}

static void test_big_literal_at_every_offset(void) {
    char text[256], pad[64];
    for (int k = 0; k < 48; k++) {
        memset(pad, 'x', (size_t)k);
        pad[k] = '\0';
        /* padding before (in a string), after, digits on both sides */
        snprintf(text, sizeof text, "{\"p\":\"%s\",\"v\":9007199254740993}", pad);
        expect(text, "9007199254740993");
        snprintf(text, sizeof text, "{\"v\":-12345678901234567890,\"p\":\"%s\"}", pad);
        expect(text, "-12345678901234567890");
        snprintf(text, sizeof text, "{\"q\":[1,22,333,%d],\"p\":\"%s\",\"v\":9223372036854775807}", k, pad);
        expect(text, "9223372036854775807");
        /* 15 digits, below 2^53: a number, whatever the offset */
        snprintf(text, sizeof text, "{\"p\":\"%s\",\"v\":999999999999999}", pad);
        expect(text, "number");
        /* 16 digits below 2^53: the slow path runs and keeps a number */
        snprintf(text, sizeof text, "{\"p\":\"%s\",\"v\":9007199254740991}", pad);
        expect(text, "number");
        /* a long run inside a string, or in a fraction: nothing to replace */
        snprintf(text, sizeof text, "{\"p\":\"%s12345678901234567890\",\"v\":1}", pad);
        expect(text, "number");
        snprintf(text, sizeof text, "{\"p\":\"%s\",\"v\":1.12345678901234567890}", pad);
        expect(text, "number");
    }
    /* a bare document: the run is the whole text */
    expect("12345678901234567890", "12345678901234567890");
    expect("1234567890123456", "number");
    expect("[9007199254740992]", "9007199254740992"); /* 2^53 itself is beyond the exact doubles */
}

/* Runs of 1..15 digits one comma apart, then the value. */
static void runs_then(char *text, size_t cap, const char *value) {
    size_t off = (size_t)snprintf(text, cap, "{\"a\":[");
    for (int n = 1; n <= 15; n++) {
        for (int i = 0; i < n; i++)
            text[off++] = (char)('1' + i % 9);
        text[off++] = ',';
    }
    snprintf(text + off, cap - off, "0],\"v\":%s}", value);
}

static void test_runs_of_every_length(void) {
    char text[4096];
    runs_then(text, sizeof text, "1000000000000000000");
    expect(text, "1000000000000000000");
    runs_then(text, sizeof text, "100000000000000");
    expect(text, "number");
}

int main(void) {
    RUN(test_big_literal_at_every_offset);
    RUN(test_runs_of_every_length);
    DONE();
}
