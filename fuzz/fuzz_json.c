/* fuzz_json.c - ak_json_parse (core/src/util/json_parse.c, every response body goes through it)
 * against cJSON_ParseWithLength on the same bytes (a heap copy without a terminating NUL, so an
 * over-read is caught): both parse or both fail, and the trees are the same (tests/c/json_diff.h),
 * except for the intended differences (integers of 2^53 or more kept as raw digits; a \u escape
 * without 4 hex digits rejected). A parsed tree is also copied with cJSON_Duplicate, the copy
 * outliving the original, and printed. A difference aborts. */
#include "json_diff.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    cJSON *want = cJSON_ParseWithLength(text, size);
    cJSON *got = ak_json_parse(text, size);
    if ((want == NULL) != (got == NULL) && !(want && !got && json_bad_u_escape(text, size))) {
        fprintf(stderr, "cJSON %s, ak_json_parse %s\n", want ? "parses" : "fails", got ? "parses" : "fails");
        abort();
    }
    if (want && got && !json_same(want, got, text))
        abort();
    if (got) {
        cJSON *copy = cJSON_Duplicate(got, 1);
        cJSON_Delete(got);
        char *printed = copy ? ak_json_print(copy) : NULL;
        free(printed);
        cJSON_Delete(copy);
    }
    cJSON_Delete(want);
    free(text);
    return 0;
}
