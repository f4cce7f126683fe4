/* error.c - the ak_error value: kinds, formatting, violations. */
#include "../internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int retryable;
} kinds[] = {
#define AK_X_ROW(e, s, r) {s, r},
    AK_ERROR_KINDS(AK_X_ROW)
#undef AK_X_ROW
};

const char *ak_error_kind_name(ak_error_kind kind) {
    if ((int)kind < 0 || kind >= AK_ERR__COUNT)
        return "unknown";
    return kinds[kind].name;
}

int ak_error_kind_retryable(ak_error_kind kind) {
    if ((int)kind < 0 || kind >= AK_ERR__COUNT)
        return 0;
    return kinds[kind].retryable;
}

void ak_error_cleanup(ak_error *err) {
    if (!err)
        return;
    /* already clean (the common case, several times per call): nothing to rewrite in 1.7 kB */
    if (err->kind == AK_ERR_NONE && !err->violations && !err->nviolations && !err->retryable && !err->http_status &&
        !err->maybe_applied && !err->vendor_code[0] && !err->message[0] && !err->request_id[0] && !err->field[0] &&
        !err->rule[0])
        return;
    free(err->violations);
    ak_error init = AK_ERROR_INIT;
    *err = init;
}

int ak_error_copy(ak_error *dst, const ak_error *src) {
    if (dst == src)
        return AK_OK;
    ak_error_cleanup(dst);
    *dst = *src;
    dst->violations = NULL;
    dst->nviolations = 0;
    if (src->nviolations) {
        dst->violations = malloc(src->nviolations * sizeof *dst->violations);
        if (!dst->violations)
            return AK_FAIL;
        memcpy(dst->violations, src->violations, src->nviolations * sizeof *dst->violations);
        dst->nviolations = src->nviolations;
    }
    return AK_OK;
}

void ak_error_set(ak_error *err, ak_error_kind kind, const char *fmt, ...) {
    if (!err)
        return;
    ak_error_cleanup(err);
    err->kind = kind;
    err->retryable = ak_error_kind_retryable(kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void ak_error_nomem(ak_error *err) { ak_error_set(err, AK_ERR_NOMEM, "out of memory"); }

void ak_error_add_violation(ak_error *err, const char *field, const char *rule) {
    if (!err)
        return;
    if (err->kind != AK_ERR_VALIDATION) {
        ak_error_cleanup(err);
        err->kind = AK_ERR_VALIDATION;
    }
    if (err->nviolations == 0) {
        ak_strlcpy(err->field, field, sizeof err->field);
        ak_strlcpy(err->rule, rule, sizeof err->rule);
    }
    ak_violation *v = realloc(err->violations, (err->nviolations + 1) * sizeof *v);
    if (v) {
        err->violations = v;
        ak_strlcpy(v[err->nviolations].field, field, sizeof v->field);
        ak_strlcpy(v[err->nviolations].rule, rule, sizeof v->rule);
        err->nviolations++;
    }
    /* message: "N invalid field(s): a: rule; b: rule" */
    char msg[sizeof err->message];
    int off = snprintf(msg, sizeof msg, "%zu invalid field%s", err->nviolations, err->nviolations == 1 ? "" : "s");
    for (size_t i = 0; i < err->nviolations && off > 0 && (size_t)off < sizeof msg; i++)
        off += snprintf(msg + off, sizeof msg - (size_t)off, "%s %s: %s", i ? ";" : ":", err->violations[i].field,
                        err->violations[i].rule);
    if (!err->violations)
        snprintf(msg, sizeof msg, "invalid field %s: %s", field, rule);
    ak_strlcpy(err->message, msg, sizeof err->message);
}
