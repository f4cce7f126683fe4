/* json_diff.h - ak_json_parse against cJSON_ParseWithLength, for test_json_parse.c and the
 * fuzz_json target: the same tree, and the one intended difference in what parses. */
#ifndef AUDKIT_TEST_JSON_DIFF_H
#define AUDKIT_TEST_JSON_DIFF_H

#include "internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Same tree (types, keys, strings, doubles bit for bit, valueint, child->prev at the last child),
 * an integer of 2^53 or more being a raw node with its digits in b? Prints the first difference. */
static inline bool json_same(const cJSON *a, const cJSON *b, const char *text) {
    for (; a || b; a = a->next, b = b->next) {
        const char *why = NULL;
        if (!a || !b)
            why = "different member counts";
        else if (cJSON_IsNumber(a) && ak_json_is_digits(b) && fabs(a->valuedouble) >= 9007199254740992.0 &&
                 strtod(b->valuestring, NULL) == a->valuedouble)
            continue; /* an integer of 2^53 or more: its exact digits */
        else if ((a->type & 0xFF) != (b->type & 0xFF))
            why = "type";
        else if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp(a->string, b->string) != 0))
            why = "key";
        else if ((a->valuestring == NULL) != (b->valuestring == NULL) ||
                 (a->valuestring && strcmp(a->valuestring, b->valuestring) != 0))
            why = "string value";
        else if (memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 &&
                 !(isnan(a->valuedouble) && isnan(b->valuedouble)))
            why = "valuedouble";
        else if (a->valueint != b->valueint)
            why = "valueint";
        else if (a->child && (!b->child || !b->child->prev || b->child->prev->next != NULL))
            why = "child->prev is not the last child";
        if (!why && !json_same(a->child, b->child, text))
            return false;
        if (why) {
            fprintf(stderr, "  differs (%s) at key %s in: %.300s\n", why, a && a->string ? a->string : "-", text);
            return false;
        }
    }
    return true;
}

/* A \u escape without 4 hex digits: cJSON reads it as U+0000 (cutting the string there),
 * ak_json_parse rejects the text, as JSON does. The one intended difference. */
static inline bool json_bad_u_escape(const char *t, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (t[i] != '\\')
            continue;
        if (t[i + 1] == 'u')
            for (size_t k = i + 2; k < i + 6; k++)
                if (k >= len || !t[k] || !strchr("0123456789abcdefABCDEF", t[k]))
                    return true;
        i++;
    }
    return false;
}

#endif
