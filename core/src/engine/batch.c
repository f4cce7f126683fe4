/* batch.c - batch rows (ak_op.batch): any number of items split into requests of the vendor's
 * limit, one inner call per chunk, merged into one result (batch.h). No I/O happens here: the
 * chunks are driven one after another through the outer call's steps, or concurrently by a driver
 * (curl_multi.c) through ak_call_chunk. */
#include "batch_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ak_batch {
    size_t n;        /* chunks */
    ak_call **calls; /* owned, one per chunk */
    size_t *offset;  /* input index of each chunk's first item */
    size_t *count;   /* items of each chunk */
    size_t cur;      /* sequential driving: the chunk being stepped */
};

void ak_batch_free(ak_batch *b) {
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        ak_call_free(b->calls[i]);
    free(b->calls);
    free(b->offset);
    free(b->count);
    free(b);
}

int ak_batch_split(ak_batch **out, ak_client *c, const ak_op *op, cJSON *params, ak_error *err) {
    *out = NULL;
    const ak_batch_desc *bd = op->batch;
    const ak_field *f = ak_schema_lookup(op->request, bd->items_param);
    const char *wire = f ? f->wire : bd->items_param;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(params, wire);
    int total = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    size_t per = (size_t)(bd->max_per_chunk > 0 ? bd->max_per_chunk : 1);
    if ((size_t)total <= per)
        return AK_OK; /* one request: an ordinary call */
    ak_batch *b = calloc(1, sizeof *b);
    size_t n = ((size_t)total + per - 1) / per;
    if (!b || !(b->calls = calloc(n, sizeof *b->calls)) || !(b->offset = calloc(n, sizeof *b->offset)) ||
        !(b->count = calloc(n, sizeof *b->count)))
        goto nomem;
    cJSON_DetachItemViaPointer(params, arr);
    /* the other parameters are copied into every chunk; the items are moved, not copied */
    for (size_t i = 0; i < n; i++) {
        cJSON *p = cJSON_Duplicate(params, true);
        cJSON *part = cJSON_CreateArray();
        if (!p || !part || !cJSON_AddItemToObject(p, wire, part)) {
            cJSON_Delete(p);
            cJSON_Delete(part);
            cJSON_AddItemToObject(params, wire, arr); /* give the rest back (freed with params) */
            goto nomem;
        }
        b->offset[i] = i * per;
        for (size_t k = 0; k < per && arr->child; k++) {
            cJSON_AddItemToArray(part, cJSON_DetachItemViaPointer(arr, arr->child));
            b->count[i]++;
        }
        if (!(b->calls[i] = ak_call_new_encoded(c, op, p))) {
            cJSON_AddItemToObject(params, wire, arr);
            goto nomem;
        }
        b->n = i + 1;
    }
    cJSON_Delete(arr);
    *out = b;
    return AK_OK;
nomem:
    ak_batch_free(b);
    ak_error_nomem(err);
    return AK_FAIL;
}

int ak_batch_set_options(ak_batch *b, const ak_call_options *o, ak_error *err) {
    for (size_t i = 0; i < b->n; i++)
        if (ak_call_set_options(b->calls[i], o, err) != AK_OK)
            return AK_FAIL;
    return AK_OK;
}

void ak_batch_next(ak_batch *b, ak_step *step) {
    for (; b->cur < b->n; b->cur++) {
        ak_call_next(b->calls[b->cur], step);
        if (step->kind == AK_STEP_SEND || step->kind == AK_STEP_SLEEP)
            return;
    }
    memset(step, 0, sizeof *step);
    step->kind = AK_STEP_DONE;
}

int ak_batch_feed(ak_batch *b, const ak_response *resp) {
    return b->cur < b->n ? ak_call_feed(b->calls[b->cur], resp) : AK_FAIL;
}

int ak_batch_attempts(const ak_batch *b) {
    int a = 0;
    for (size_t i = 0; i < b->n; i++)
        a += ak_call_attempts(b->calls[i]);
    return a;
}

size_t ak_batch_count(const ak_batch *b) { return b->n; }
ak_call *ak_batch_chunk(ak_batch *b, size_t i) { return i < b->n ? b->calls[i] : NULL; }
size_t ak_batch_offset(const ak_batch *b, size_t i) { return i < b->n ? b->offset[i] : 0; }

int ak_batch_finished(const ak_batch *b) {
    for (size_t i = 0; i < b->n; i++)
        if (!ak_call_finished(b->calls[i]))
            return 0;
    return 1;
}

static bool add_int(cJSON *o, const char *k, int64_t v) {
    cJSON *n = ak_json_create_int64(v);
    if (n && cJSON_AddItemToObject(o, k, n))
        return true;
    cJSON_Delete(n);
    return false;
}

/* One failure per item of a chunk that failed as a whole. */
static bool fail_items(cJSON *fails, size_t off, size_t count, const ak_error *e) {
    const char *state = e->maybe_applied ? "unknown" : "not_applied";
    char *end = NULL;
    long long code = strtoll(e->vendor_code, &end, 10);
    bool numeric = *e->vendor_code && end && !*end && strlen(e->vendor_code) < 16;
    for (size_t j = 0; j < count; j++) {
        cJSON *f = cJSON_CreateObject();
        bool ok = f && cJSON_AddItemToArray(fails, f);
        if (!ok) {
            cJSON_Delete(f);
            return false;
        }
        ok = add_int(f, "index", (int64_t)(off + j)) && cJSON_AddStringToObject(f, "state", state) &&
             cJSON_AddStringToObject(f, "kind", ak_error_kind_name(e->kind)) &&
             (numeric ? add_int(f, "code", (int64_t)code)
                      : cJSON_AddStringToObject(
                            f, "code", *e->vendor_code ? e->vendor_code : ak_error_kind_name(e->kind)) != NULL) &&
             cJSON_AddStringToObject(f, "message", e->message);
        if (!ok)
            return false;
    }
    return true;
}

/* Sums an integer header member of a chunk's result into the merged one. */
static void sum_member(int64_t *acc, bool *seen, const cJSON *r, const char *k) {
    int64_t v;
    if (ak_json_int64(cJSON_GetObjectItemCaseSensitive(r, k), true, &v)) {
        *acc += v;
        *seen = true;
    }
}

int ak_batch_merge(ak_batch *b, ak_client *c, cJSON **result, ak_error *err) {
    (void)c;
    *result = NULL;
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_CreateArray(), *fails = cJSON_CreateArray();
    bool ok = out && items && fails && cJSON_AddItemToObject(out, "items", items);
    if (!ok)
        cJSON_Delete(items);
    ok = ok && cJSON_AddItemToObject(out, "failures", fails);
    if (!ok)
        cJSON_Delete(fails);
    int64_t oprs = 0, succ = 0, quota = 0, rquota = 0, oprtime = 0, status = 0;
    bool s_oprs = false, s_succ = false, s_quota = false, s_rquota = false, s_oprtime = false;
    size_t failed = 0;
    const ak_error *first = NULL;
    int any_applied = 0;
    for (size_t i = 0; ok && i < b->n; i++) {
        ak_call *call = b->calls[i];
        cJSON *r = ak_call_take_result(call);
        if (!r) {
            const ak_error *e = ak_call_error(call);
            failed++;
            first = first ? first : e;
            any_applied |= e->maybe_applied;
            ok = fail_items(fails, b->offset[i], b->count[i], e);
            continue;
        }
        cJSON *ri = cJSON_GetObjectItemCaseSensitive(r, "items");
        while (cJSON_IsArray(ri) && ri->child)
            cJSON_AddItemToArray(items, cJSON_DetachItemViaPointer(ri, ri->child));
        cJSON *rf = cJSON_GetObjectItemCaseSensitive(r, "failures");
        while (cJSON_IsArray(rf) && rf->child) {
            cJSON *f = cJSON_DetachItemViaPointer(rf, rf->child);
            int64_t idx;
            cJSON *ix = cJSON_GetObjectItemCaseSensitive(f, "index");
            if (ak_json_int64(ix, false, &idx)) { /* relative to the whole input */
                cJSON *n = ak_json_create_int64(idx + (int64_t)b->offset[i]);
                if (!n || !cJSON_ReplaceItemInObjectCaseSensitive(f, "index", n)) {
                    cJSON_Delete(n);
                    ok = false;
                }
            }
            cJSON_AddItemToArray(fails, f);
        }
        sum_member(&oprs, &s_oprs, r, "oprs");
        sum_member(&succ, &s_succ, r, "succ");
        sum_member(&quota, &s_quota, r, "quota");
        int64_t v;
        if (ak_json_int64(cJSON_GetObjectItemCaseSensitive(r, "status"), true, &v) && v > status)
            status = v;
        /* the remaining quota only shrinks: the smallest is the latest response's */
        if (ak_json_int64(cJSON_GetObjectItemCaseSensitive(r, "rquota"), true, &v) && (!s_rquota || v < rquota)) {
            rquota = v;
            s_rquota = true;
        }
        if (ak_json_int64(cJSON_GetObjectItemCaseSensitive(r, "oprtime"), true, &v) && (!s_oprtime || v > oprtime)) {
            oprtime = v;
            s_oprtime = true;
        }
        /* other header members (desc, unknown ones): the first chunk's */
        for (cJSON *m = r->child; ok && m; m = m->next) {
            if (cJSON_GetObjectItemCaseSensitive(out, m->string) || strcmp(m->string, "oprs") == 0 ||
                strcmp(m->string, "succ") == 0 || strcmp(m->string, "quota") == 0 || strcmp(m->string, "rquota") == 0 ||
                strcmp(m->string, "oprtime") == 0 || strcmp(m->string, "status") == 0)
                continue;
            cJSON *copy = cJSON_Duplicate(m, true);
            ok = copy && cJSON_AddItemToObject(out, m->string, copy);
            if (!ok)
                cJSON_Delete(copy);
        }
        cJSON_Delete(r);
    }
    if (!ok) {
        cJSON_Delete(out);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    if (failed == b->n) {
        /* every request failed: the first one's error, as a single request would report it */
        cJSON_Delete(out);
        ak_error_copy(err, first);
        size_t ml = strlen(err->message);
        snprintf(err->message + ml, sizeof err->message - ml, " (all %zu requests of the batch failed)", b->n);
        err->maybe_applied = any_applied;
        return AK_FAIL;
    }
    if (failed || cJSON_GetArraySize(fails) > 0)
        status = status < 1 ? 1 : status;
    ok = add_int(out, "status", status) && (!s_oprs || add_int(out, "oprs", oprs)) &&
         (!s_succ || add_int(out, "succ", succ)) && (!s_quota || add_int(out, "quota", quota)) &&
         (!s_rquota || add_int(out, "rquota", rquota)) && (!s_oprtime || add_int(out, "oprtime", oprtime)) &&
         add_int(out, "requests", (int64_t)b->n) && add_int(out, "failed_requests", (int64_t)failed);
    if (!ok) {
        cJSON_Delete(out);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    *result = out;
    return AK_OK;
}
