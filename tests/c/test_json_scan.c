/* test_json_scan.c - ak_json_parse's pre-check for big integers (16 digits or more in a row,
 * found by looking at every 16th byte): a big literal at every offset, at the very start and end
 * of the text, next to shorter digit runs, inside strings, in fractions and exponents. */
#include "harness.h"
#include "internal.h"

#include <math.h>

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

/* ak_json_print writes what cJSON_PrintUnformatted writes, except exact integers beyond 2^31. */
static void test_print_matches_cjson(void) {
    unsigned seed = 12345;
    char key[8];
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "numbers");
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        double d;
        switch (i % 6) {
        case 0: d = (double)(int)(seed >> 1) / ((seed % 1000) + 1); break;   /* fractions */
        case 1: d = (double)(int)(seed >> 3) * ((seed & 1) ? -1 : 1); break; /* integers within 2^31 */
        case 2: d = ldexp((double)seed, -(int)(seed % 60)); break;           /* binary fractions */
        case 3: d = 1.0 / ((double)(seed % 997) + 0.5); break;
        case 4: d = ((double)seed * 1e-7) - 200.0; break;
        default: d = ldexp((double)(seed | 1), 70 + (int)(seed % 200)); /* beyond 1e19: %g forms */
        }
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(d));
    }
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(-0.0));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(0.1));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(1e-300));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(-2147483648.0));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(2147483647.0));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(1e19));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(NAN));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(INFINITY));
    /* every byte in strings and keys */
    char s[300];
    int k = 0;
    for (int c = 1; c < 256; c++)
        s[k++] = (char)c;
    s[k] = '\0';
    cJSON_AddStringToObject(root, s, s);
    cJSON_AddStringToObject(root, "utf8", "\xe4\xba\xba\xe7\xbe\xa4 \\\"quoted\"\t\x7f");
    cJSON_AddItemToObject(root, "empty_a", cJSON_CreateArray());
    cJSON_AddItemToObject(root, "empty_o", cJSON_CreateObject());
    cJSON *nested = cJSON_AddObjectToObject(root, "nested");
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cJSON_AddItemToObject(nested, key, i % 2 ? cJSON_CreateTrue() : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(nested, "f", cJSON_CreateFalse());
    cJSON_AddItemToObject(nested, "raw", cJSON_CreateRaw("12345678901234567890"));
    cJSON_AddItemToObject(nested, "nullstr", cJSON_CreateString(""));
    char *ours = ak_json_print(root), *theirs = cJSON_PrintUnformatted(root);
    CHECK(ours && theirs && strcmp(ours, theirs) == 0);
    if (ours && theirs && strcmp(ours, theirs) != 0) {
        size_t i = 0;
        while (ours[i] == theirs[i])
            i++;
        fprintf(stderr, "  differ at %zu: ours ...%.40s\n  cJSON ...%.40s\n", i, ours + (i > 20 ? i - 20 : 0),
                theirs + (i > 20 ? i - 20 : 0));
    }
    free(ours);
    free(theirs);
    /* integers beyond 2^31 are exact (cJSON: 9.00719925474099e+15) */
    cJSON_Delete(root);
    root = J("[9007199254740991, -4294967296, 1234567890123, 9999999999999999999]");
    ours = ak_json_print(root);
    CHECK_STR(ours, "[9007199254740991,-4294967296,1234567890123,1e+19]");
    free(ours);
    cJSON_Delete(root);
    root = cJSON_CreateNumber(9007199254740991.0);
    ours = ak_json_print(root);
    CHECK_STR(ours, "9007199254740991");
    free(ours);
    cJSON_Delete(root);
    root = cJSON_CreateRaw(NULL);
    CHECK(ak_json_print(root) == NULL);
    cJSON_Delete(root);
}

int main(void) {
    RUN(test_big_literal_at_every_offset);
    RUN(test_runs_of_every_length);
    RUN(test_print_matches_cjson);
    DONE();
}
