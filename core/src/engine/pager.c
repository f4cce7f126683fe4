/* pager.c - lazy page iteration as a step machine over the paged operation's calls. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

struct ak_pager {
    ak_client *c;
    const ak_op *row;   /* the pager row (or the paged op itself) */
    const ak_op *op;    /* the paged op doing the requests */
    const ak_pager_desc *pd;
    cJSON *params;      /* owned, without the page parameter */
    int64_t next_page;
    bool done;
    ak_call *call;
    cJSON *result;      /* owned: last page's result */
    cJSON *empty;       /* owned: [] for pages without items */
    ak_error err;
    int pages;
};

static int pager_init(ak_pager **out, ak_client *c, const char *opname, const ak_json *params, int64_t next,
                      ak_error *err) {
    *out = NULL;
    ak_error_cleanup(err);
    const ak_op *row = ak_op_find(c->platform, opname ? opname : "");
    const ak_op *op = row;
    if (row && row->kind == AK_OP_PAGER)
        op = ak_op_find(c->platform, row->target);
    const ak_pager_desc *pd = row && row->pager ? row->pager : op ? op->pager : NULL;
    if (!row || !op || !pd || pd->style == AK_PAGE_NONE) {
        ak_error_set(err, AK_ERR_VALIDATION, "'%s' is not a paged operation of %s", opname ? opname : "",
                     c->platform->key);
        ak_strlcpy(err->field, "op", sizeof err->field);
        ak_strlcpy(err->rule, "must be a paged operation", sizeof err->rule);
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
    p->pd = pd;
    p->next_page = next;
    p->params = params ? cJSON_Duplicate(params, true) : cJSON_CreateObject();
    p->empty = cJSON_CreateArray();
    if (!p->params || !p->empty) {
        ak_pager_free(p);
        ak_error_nomem(err);
        return AK_FAIL;
    }
    const ak_field *pf = ak_schema_lookup(op->request, pd->page_param);
    const ak_field *sf = ak_schema_lookup(op->request, pd->size_param);
    /* the page number belongs to the pager; the caller may choose the page size */
    if (row->kind == AK_OP_PAGER && next == pd->first_page &&
        (cJSON_GetObjectItemCaseSensitive(p->params, pd->page_param) ||
         (pf && cJSON_GetObjectItemCaseSensitive(p->params, pf->wire)))) {
        ak_error_add_violation(err, pd->page_param, "is managed by the pager; pass only the page size");
        ak_pager_free(p);
        return AK_FAIL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(p->params, pd->page_param);
    if (pf)
        cJSON_DeleteItemFromObjectCaseSensitive(p->params, pf->wire);
    if (!cJSON_GetObjectItemCaseSensitive(p->params, pd->size_param) &&
        !(sf && cJSON_GetObjectItemCaseSensitive(p->params, sf->wire)))
        cJSON_AddNumberToObject(p->params, pd->size_param, pd->max_page_size);
    /* validate once up front (with the first page number) so errors come before any request */
    if (c->validate) {
        cJSON *probe = cJSON_Duplicate(p->params, true);
        if (!probe || !cJSON_AddNumberToObject(probe, pd->page_param, (double)next)) {
            cJSON_Delete(probe);
            ak_pager_free(p);
            ak_error_nomem(err);
            return AK_FAIL;
        }
        ak_validate_ctx ctx = {ak_client_today_gmt8(c)};
        int rc = ak_schema_validate(op->request, probe, NULL, &ctx, err);
        cJSON_Delete(probe);
        if (rc != AK_OK) {
            ak_pager_free(p);
            return AK_FAIL;
        }
    }
    *out = p;
    return AK_OK;
}

int ak_pager_new(ak_pager **out, ak_client *c, const char *op, const ak_json *params, ak_error *err) {
    const ak_op *row = ak_op_find(c->platform, op ? op : "");
    const ak_op *paged = row && row->kind == AK_OP_PAGER ? ak_op_find(c->platform, row->target) : row;
    int first = paged && paged->pager ? paged->pager->first_page : 1;
    return pager_init(out, c, op, params, first, err);
}

void ak_pager_free(ak_pager *p) {
    if (!p)
        return;
    ak_call_free(p->call);
    cJSON_Delete(p->params);
    cJSON_Delete(p->result);
    cJSON_Delete(p->empty);
    ak_error_cleanup(&p->err);
    free(p);
}

static void page_finished(ak_pager *p) {
    cJSON_Delete(p->result);
    p->result = ak_call_take_result(p->call);
    ak_call_free(p->call);
    p->call = NULL;
    p->pages++;
    const cJSON *items = ak_json_path(p->result, p->pd->items_path);
    int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
    int64_t size = p->pd->max_page_size;
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(p->params, p->pd->size_param);
    int64_t given;
    if (sv && ak_json_int64(sv, true, &given))
        size = given;
    const cJSON *tp = p->pd->total_pages_path ? ak_json_path(p->result, p->pd->total_pages_path) : NULL;
    int64_t total;
    /* stop at the last page the vendor reports, or at a short page */
    if (tp && ak_json_int64(tp, true, &total) && p->next_page - p->pd->first_page + 1 >= total)
        p->done = true;
    if (n == 0 || n < size)
        p->done = true;
    p->next_page++;
}

int ak_pager_next(ak_pager *p, ak_step *step) {
    memset(step, 0, sizeof *step);
    if (!p->call) {
        if (p->done) {
            step->kind = AK_STEP_DONE;
            return AK_OK;
        }
        cJSON *params = cJSON_Duplicate(p->params, true);
        if (!params || !cJSON_AddNumberToObject(params, p->pd->page_param, (double)p->next_page)) {
            cJSON_Delete(params);
            ak_error_nomem(&p->err);
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
        int rc = ak_call_new(&p->call, p->c, p->op->name, params, &p->err);
        cJSON_Delete(params);
        if (rc != AK_OK) {
            step->kind = AK_STEP_ERROR;
            return AK_OK;
        }
    }
    ak_call_next(p->call, step);
    if (step->kind == AK_STEP_DONE) {
        page_finished(p);
        const cJSON *items = ak_json_path(p->result, p->pd->items_path);
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
    const cJSON *items = p->result ? ak_json_path(p->result, p->pd->items_path) : NULL;
    return cJSON_IsArray(items) ? items : p->empty;
}

const ak_json *ak_pager_result(const ak_pager *p) { return p->result; }
const ak_error *ak_pager_error(const ak_pager *p) { return &p->err; }
int ak_pager_pages_fetched(const ak_pager *p) { return p->pages; }
const ak_op *ak_pager_op(const ak_pager *p) { return p->op; }

ak_json *ak_pager_state(const ak_pager *p) {
    cJSON *s = cJSON_CreateObject();
    if (!s)
        return NULL;
    if (!cJSON_AddStringToObject(s, "op", p->row->name) ||
        !cJSON_AddItemToObject(s, "params", cJSON_Duplicate(p->params, true)) ||
        !cJSON_AddNumberToObject(s, "next", (double)p->next_page) || !cJSON_AddBoolToObject(s, "done", p->done)) {
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
    return AK_OK;
}
