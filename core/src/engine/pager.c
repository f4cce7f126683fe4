/* pager.c - lazy page iteration as a step machine over the paged operation's calls. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

struct ak_pager {
    ak_client *c;
    const ak_op *row;        /* the pager/chunked row (or the paged op itself) */
    const ak_op *op;         /* the op doing the requests */
    const ak_pager_desc *pd; /* paging (NULL when chunking) */
    const ak_chunk_desc *cd; /* chunking (NULL when paging) */
    cJSON *ids;              /* chunking: the whole id list (owned) */
    int chunk_limit;
    int64_t fetched; /* items handed out so far */
    cJSON *params;   /* owned, without the page parameter */
    int64_t next_page;
    bool done;
    ak_call *call;
    cJSON *result; /* owned: last page's result */
    cJSON *empty;  /* owned: [] for pages without items */
    ak_error err;
    int pages;
    ak_call_options opt; /* applied to every page's call */
    cJSON *failures;     /* owned: chunked rows' reported failures, input-relative indexes */
    /* the page last handed out, for resume tokens that point into it */
    int64_t cur_page;    /* its page number / start / chunk index (-1: none yet) */
    int64_t cur_count;   /* its item count as the vendor sent it */
    int64_t cur_fetched; /* `fetched` before it */
    int64_t cur_skipped; /* items dropped from its front (a resumed pager's skip) */
    int64_t consumed;    /* items of it the caller has consumed (ak_pager_set_consumed) */
    int64_t skip;        /* resume: items to drop from the front of the next page */
};

/* The member at a dotted path of snake_case names, also trying each segment's wire name. */
static cJSON *param_at(const ak_schema *s, cJSON *obj, const char *path, cJSON **parent, const char **key) {
    char seg[128];
    int r;
    cJSON *cur = obj;
    while (cur && (r = ak_path_next(&path, seg, sizeof seg)) != 0) {
        const ak_field *f = NULL;
        cJSON *next = r > 0 ? ak_schema_member(s, cur, seg, &f) : NULL;
        if (parent)
            *parent = cur;
        if (key && next)
            *key = next->string;
        cur = next;
        s = f ? f->schema : NULL;
    }
    return cur;
}

/* Sets a number at a dotted path of snake_case names through the schema, reusing members
 * given under their wire names and creating missing intermediate objects. */
static bool set_param(const ak_schema *s, cJSON *obj, const char *path, double v) {
    char seg[128];
    while (ak_path_next(&path, seg, sizeof seg) > 0) {
        const ak_field *f = NULL;
        cJSON *cur = ak_schema_member(s, obj, seg, &f);
        const char *key = cur ? cur->string : seg;
        if (!*path) {
            cJSON *num = cJSON_CreateNumber(v);
            /* ReplaceItemInObject copies the key before it frees the old member */
            bool ok = num && (cur ? cJSON_ReplaceItemInObjectCaseSensitive(obj, key, num)
                                  : cJSON_AddItemToObject(obj, key, num));
            if (!ok)
                cJSON_Delete(num);
            return ok;
        }
        if (!cJSON_IsObject(cur)) {
            if (cur)
                cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
            if (!(cur = cJSON_AddObjectToObject(obj, seg)))
                return false;
        }
        obj = cur;
        s = f ? f->schema : NULL;
    }
    return false;
}

static int chunk_limit_for(const ak_chunk_desc *cd, const ak_schema *req, cJSON *params) {
    int limit = cd->max_per_chunk;
    const cJSON *sel = cd->selector ? param_at(req, params, cd->selector, NULL, NULL) : NULL;
    const ak_field *sf = cd->selector ? ak_schema_lookup(req, cd->selector) : NULL;
    const char *alias = sf && sel ? ak_field_alias_value(sf, sel) : NULL;
    char *text = alias ? ak_strdup(alias) : sel ? ak_json_query_value(sel) : NULL;
    for (size_t i = 0; text && cd->selector_values && cd->selector_values[i]; i++)
        if (strcmp(cd->selector_values[i], text) == 0)
            limit = cd->selector_limits[i];
    free(text);
    return limit > 0 ? limit : 1;
}

static int pager_init(ak_pager **out, ak_client *c, const char *opname, const ak_json *params, int64_t next,
                      ak_error *err) {
    *out = NULL;
    ak_error_cleanup(err);
    const ak_op *row = ak_op_find(c->platform, opname ? opname : "");
    const ak_op *op = row;
    if (row && row->kind != AK_OP_CALL)
        op = ak_op_find(c->platform, row->target);
    const ak_pager_desc *pd = row && row->pager ? row->pager : op ? op->pager : NULL;
    const ak_chunk_desc *cd = row && row->kind == AK_OP_CHUNKED ? row->chunk : NULL;
    if (!row || !op || (!cd && (!pd || pd->style == AK_PAGE_NONE))) {
        ak_error_set(err, AK_ERR_VALIDATION, "'%s' is not a paged or chunked operation of %s", opname ? opname : "",
                     c->platform->key);
        ak_strlcpy(err->field, "op", sizeof err->field);
        ak_strlcpy(err->rule, "must be a paged or chunked operation", sizeof err->rule);
        return AK_FAIL;
    }
    if (params && !cJSON_IsObject(params)) {
        ak_error_add_violation(err, "params", "must be an object");
        return AK_FAIL;
    }
    ak_pager *p = calloc(1, sizeof *p);
    if (!p) {
        ak_error_nomem(err);
        return AK_FAIL;
    }
    p->c = c;
    p->row = row;
    p->op = op;
    p->pd = cd ? NULL : pd;
    p->cd = cd;
    p->next_page = next;
    p->cur_page = -1;
    ak_call_options none = AK_CALL_OPTIONS_INIT;
    p->opt = none;
    p->params = params ? cJSON_Duplicate(params, true) : cJSON_CreateObject();
    p->empty = cJSON_CreateArray();
    p->failures = cJSON_CreateArray();
    if (!p->params || !p->empty || !p->failures)
        goto nomem;
    /* a top-level page_size works for nested size parameters too (ThinkingData pagerHeader) */
    cJSON *ps = cd ? NULL : cJSON_GetObjectItemCaseSensitive(p->params, "page_size");
    if (ps && strchr(pd->size_param, '.') && !ak_schema_lookup(op->request, "page_size")) {
        int64_t n;
        bool ok = ak_json_int64(ps, true, &n) && set_param(op->request, p->params, pd->size_param, (double)n);
        cJSON_DeleteItemFromObjectCaseSensitive(p->params, "page_size");
        if (!ok) {
            ak_error_add_violation(err, "page_size", "must be an integer");
            ak_pager_free(p);
            return AK_FAIL;
        }
    }
    if (c->validate) {
        /* validate everything up front, so errors come before any request */
        cJSON *probe = cJSON_Duplicate(p->params, true);
        if (!probe ||
            (!cd && row->kind == AK_OP_PAGER && !set_param(op->request, probe, pd->page_param, (double)next))) {
            cJSON_Delete(probe);
            goto nomem;
        }
        if (!cd && row->kind == AK_OP_PAGER && param_at(op->request, p->params, pd->page_param, NULL, NULL) &&
            next == pd->first_page)
            ak_error_add_violation(err, pd->page_param, "is managed by the pager; pass only the page size");
        ak_validate_ctx ctx = {ak_client_today_gmt8(c)};
        ak_error verr = AK_ERROR_INIT;
        int rc = ak_schema_validate(cd ? row->request : op->request, probe, NULL, &ctx, &verr);
        cJSON_Delete(probe);
        for (size_t i = 0; rc != AK_OK && i < verr.nviolations; i++)
            ak_error_add_violation(err, verr.violations[i].field, verr.violations[i].rule);
        if (rc != AK_OK && err->kind == AK_ERR_NONE)
            ak_error_copy(err, &verr); /* out of memory while validating */
        ak_error_cleanup(&verr);
        if (err->kind != AK_ERR_NONE) {
            ak_pager_free(p);
            return AK_FAIL;
        }
    }
    if (cd) {
        cJSON *parent = NULL;
        const char *key = NULL;
        cJSON *ids = param_at(row->request, p->params, cd->ids_param, &parent, &key);
        p->chunk_limit = chunk_limit_for(cd, row->request, p->params);
        if (ids && parent && key)
            p->ids = cJSON_DetachItemFromObjectCaseSensitive(parent, key);
        else
            p->ids = cJSON_CreateArray();
        if (!p->ids)
            goto nomem;
        if (!cJSON_IsArray(p->ids)) {
            ak_error_add_violation(err, cd->ids_param, "must be an array");
            ak_pager_free(p);
            return AK_FAIL;
        }
        if (p->next_page * p->chunk_limit >= cJSON_GetArraySize(p->ids))
            p->done = true;
    } else {
        cJSON *parent = NULL;
        const char *key = NULL;
        if (param_at(op->request, p->params, pd->page_param, &parent, &key) && parent && key)
            cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
        if (!param_at(op->request, p->params, pd->size_param, NULL, NULL) &&
            !set_param(op->request, p->params, pd->size_param, pd->max_page_size))
            goto nomem;
    }
    *out = p;
    return AK_OK;
nomem:
    ak_pager_free(p);
    ak_error_nomem(err);
    return AK_FAIL;
}

int ak_pager_new(ak_pager **out, ak_client *c, const char *op, const ak_json *params, ak_error *err) {
    const ak_op *row = ak_op_find(c->platform, op ? op : "");
    const ak_op *paged = row && row->kind == AK_OP_PAGER ? ak_op_find(c->platform, row->target) : row;
    const ak_pager_desc *pd = row && row->pager ? row->pager : paged ? paged->pager : NULL;
    int first = row && row->kind == AK_OP_CHUNKED ? 0 : pd ? pd->first_page : 1;
    return pager_init(out, c, op, params, first, err);
}

void ak_pager_free(ak_pager *p) {
    if (!p)
        return;
    ak_call_free(p->call);
    cJSON_Delete(p->ids);
    cJSON_Delete(p->params);
    cJSON_Delete(p->result);
    cJSON_Delete(p->empty);
    cJSON_Delete(p->failures);
    ak_error_cleanup(&p->err);
    free(p);
}

int ak_pager_set_options(ak_pager *p, const ak_call_options *o, ak_error *err) {
    ak_error_cleanup(err);
    if (!o)
        return AK_OK;
    if (ak_call_options_check(o, err) != AK_OK)
        return AK_FAIL; /* before any request */
    p->opt = *o;
    return AK_OK;
}

/* Chunked rows: moves a chunk's reported failures into p->failures with their index made
 * relative to the whole input (the chunk's own result gets the same indexes). */
static bool collect_failures(ak_pager *p, int64_t chunk_start) {
    cJSON *fails = cJSON_GetObjectItemCaseSensitive(p->result, "failures");
    for (cJSON *f = cJSON_IsArray(fails) ? fails->child : NULL; f; f = f->next) {
        cJSON *idx = cJSON_IsObject(f) ? cJSON_GetObjectItemCaseSensitive(f, "index") : NULL;
        int64_t i;
        if (idx && ak_json_int64(idx, false, &i)) {
            cJSON *num = cJSON_CreateNumber((double)(i + chunk_start));
            if (!num || !cJSON_ReplaceItemInObjectCaseSensitive(f, "index", num)) {
                cJSON_Delete(num);
                return false;
            }
        }
        cJSON *copy = cJSON_Duplicate(f, true);
        if (!copy || !cJSON_AddItemToArray(p->failures, copy)) {
            cJSON_Delete(copy);
            return false;
        }
    }
    return true;
}

static const char *items_path(const ak_pager *p) { return p->cd ? p->cd->items_path : p->pd->items_path; }

static bool page_finished(ak_pager *p) {
    cJSON_Delete(p->result);
    p->result = ak_call_take_result(p->call);
    ak_call_free(p->call);
    p->call = NULL;
    p->pages++;
    cJSON *items = ak_json_path(p->result, items_path(p));
    int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
    p->cur_page = p->next_page;
    p->cur_count = n;
    p->cur_fetched = p->fetched;
    p->cur_skipped = 0;
    p->consumed = 0;
    p->fetched += n;
    /* a resumed pager drops the items the caller consumed before the token was taken */
    for (; p->skip > 0 && items && items->child; p->skip--, p->cur_skipped++)
        cJSON_Delete(cJSON_DetachItemViaPointer(items, items->child));
    p->skip = 0;
    if (p->cd) {
        if (!collect_failures(p, p->next_page * p->chunk_limit))
            return false;
        p->next_page++;
        if (p->next_page * p->chunk_limit >= cJSON_GetArraySize(p->ids))
            p->done = true;
        return true;
    }
    int64_t size = p->pd->max_page_size, total;
    const cJSON *sv = param_at(p->op->request, p->params, p->pd->size_param, NULL, NULL);
    int64_t given;
    if (sv && ak_json_int64(sv, true, &given) && given > 0)
        size = given;
    /* stop at the last page the vendor reports, at the total item count, or at a short page */
    const cJSON *tp = p->pd->total_pages_path ? ak_json_path(p->result, p->pd->total_pages_path) : NULL;
    const cJSON *ti = p->pd->total_items_path ? ak_json_path(p->result, p->pd->total_items_path) : NULL;
    bool has_total = false;
    if (p->pd->style != AK_PAGE_START_COUNT && tp && ak_json_int64(tp, true, &total)) {
        has_total = true;
        if (p->next_page - p->pd->first_page + 1 >= total)
            p->done = true;
    }
    if (ti && ak_json_int64(ti, true, &total)) {
        has_total = true;
        if (p->fetched >= total)
            p->done = true;
    }
    /* without a reported total a short page is the last; with one, a server capping the page
     * size below what was asked must not end the iteration early */
    if (n == 0 || (!has_total && n < size))
        p->done = true;
    /* start/count advances by the page size; page numbers by one */
    p->next_page += p->pd->style == AK_PAGE_START_COUNT ? size : 1;
    return true;
}

/* The request parameters of the next page or chunk (owned). */
static cJSON *next_params(ak_pager *p) {
    cJSON *params = cJSON_Duplicate(p->params, true);
    if (!params)
        return NULL;
    if (p->cd) {
        cJSON *slice = cJSON_CreateArray();
        int n = cJSON_GetArraySize(p->ids);
        bool ok = slice != NULL;
        for (int i = (int)p->next_page * p->chunk_limit; ok && i < n && i < (int)(p->next_page + 1) * p->chunk_limit;
             i++) {
            cJSON *id = cJSON_Duplicate(cJSON_GetArrayItem(p->ids, i), true);
            ok = id && cJSON_AddItemToArray(slice, id); /* never send a chunk with an id missing */
        }
        if (!ok || !cJSON_AddItemToObject(params, p->cd->ids_param, slice)) {
            cJSON_Delete(slice);
            cJSON_Delete(params);
            return NULL;
        }
        return params;
    }
    if (!set_param(p->op->request, params, p->pd->page_param, (double)p->next_page)) {
        cJSON_Delete(params);
        return NULL;
    }
    return params;
}

int ak_pager_next(ak_pager *p, ak_step *step) {
    memset(step, 0, sizeof *step);
    p->cur_page = -1; /* asking for more means the page handed out was consumed */
    if (!p->call) {
        if (p->done) {
            step->kind = AK_STEP_DONE;
            return AK_OK;
        }
        cJSON *params = next_params(p);
        if (!params) {
            ak_error_nomem(&p->err);
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
        int rc = ak_call_new(&p->call, p->c, p->op->name, params, &p->err);
        cJSON_Delete(params);
        if (rc == AK_OK && ak_call_set_options(p->call, &p->opt, &p->err) != AK_OK) {
            ak_call_free(p->call);
            p->call = NULL;
            rc = AK_FAIL;
        }
        if (rc != AK_OK) {
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
    }
    ak_call_next(p->call, step);
    if (step->kind == AK_STEP_DONE) {
        if (!page_finished(p)) {
            ak_error_nomem(&p->err);
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
        const cJSON *items = ak_json_path(p->result, items_path(p));
        if ((!cJSON_IsArray(items) || !items->child) && p->done) {
            step->kind = AK_STEP_DONE;
            return AK_OK;
        }
        step->kind = AK_STEP_PAGE;
    } else if (step->kind == AK_STEP_ERROR) {
        ak_error_copy(&p->err, ak_call_error(p->call));
        ak_call_free(p->call); /* the next ak_pager_next retries the same page */
        p->call = NULL;
    }
    return AK_OK;
}

int ak_pager_feed(ak_pager *p, const ak_response *resp) { return p->call ? ak_call_feed(p->call, resp) : AK_FAIL; }

const ak_json *ak_pager_items(const ak_pager *p) {
    const cJSON *items = p->result ? ak_json_path(p->result, items_path(p)) : NULL;
    return cJSON_IsArray(items) ? items : p->empty;
}

const ak_json *ak_pager_result(const ak_pager *p) { return p->result; }

ak_json *ak_pager_take_page(ak_pager *p, const ak_json **items) {
    cJSON *r = p->result;
    const cJSON *it = r ? ak_json_path(r, items_path(p)) : NULL;
    if (items)
        *items = cJSON_IsArray(it) ? it : NULL;
    p->result = NULL;
    return r;
}

void ak_pager_set_consumed(ak_pager *p, int64_t n) { p->consumed = n < 0 ? 0 : n; }
const ak_error *ak_pager_error(const ak_pager *p) { return &p->err; }
const ak_json *ak_pager_failures(const ak_pager *p) { return p->failures; }
int ak_pager_pages_fetched(const ak_pager *p) { return p->pages; }
const ak_op *ak_pager_op(const ak_pager *p) { return p->op; }

ak_json *ak_pager_state(const ak_pager *p) {
    cJSON *s = cJSON_CreateObject();
    cJSON *params = cJSON_Duplicate(p->params, true);
    if (!s || !params || !cJSON_AddItemToObject(s, "params", params)) {
        cJSON_Delete(params); /* not attached */
        cJSON_Delete(s);
        return NULL;
    }
    if (p->cd && p->ids) { /* a chunked pager resumes with its whole id list */
        cJSON *ids = cJSON_Duplicate(p->ids, true);
        if (!ids || !cJSON_AddItemToObject(params, p->cd->ids_param, ids)) {
            cJSON_Delete(ids);
            cJSON_Delete(s);
            return NULL;
        }
    }
    /* inside a partly consumed page: resume at that page, skipping what was consumed */
    int64_t seen = p->cur_skipped + p->consumed;
    bool inside = p->cur_page >= 0 && seen < p->cur_count;
    int64_t next = inside ? p->cur_page : p->next_page;
    int64_t fetched = inside ? p->cur_fetched : p->fetched;
    bool done = inside ? false : p->done;
    if (!cJSON_AddStringToObject(s, "op", p->row->name) || !cJSON_AddNumberToObject(s, "next", (double)next) ||
        !cJSON_AddNumberToObject(s, "fetched", (double)fetched) || !cJSON_AddBoolToObject(s, "done", done) ||
        ((inside || p->skip > 0) && !cJSON_AddNumberToObject(s, "skip", (double)(inside ? seen : p->skip)))) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

int ak_pager_resume(ak_pager **out, ak_client *c, const ak_json *state, ak_error *err) {
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(state, "op");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(state, "params");
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(state, "next");
    int64_t n;
    if (!cJSON_IsString(op) || !cJSON_IsObject(params) || !ak_json_int64(next, false, &n)) {
        ak_error_cleanup(err);
        ak_error_add_violation(err, "state", "must be a token from ak_pager_state");
        return AK_FAIL;
    }
    if (pager_init(out, c, op->valuestring, params, n, err) != AK_OK)
        return AK_FAIL;
    (*out)->done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(state, "done"));
    int64_t fetched, skip;
    if (ak_json_int64(cJSON_GetObjectItemCaseSensitive(state, "fetched"), false, &fetched))
        (*out)->fetched = fetched;
    const cJSON *sk = cJSON_GetObjectItemCaseSensitive(state, "skip");
    if (sk && (!ak_json_int64(sk, false, &skip) || skip < 0)) {
        ak_pager_free(*out);
        *out = NULL;
        ak_error_cleanup(err);
        ak_error_add_violation(err, "state.skip", "must be a non-negative integer");
        return AK_FAIL;
    }
    if (sk)
        (*out)->skip = skip;
    return AK_OK;
}
