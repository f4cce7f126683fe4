/* fuzz_params.c - arbitrary JSON text as the parameters of every operation (schema validation,
 * encoding, signing), and as a pager resume token.
 *
 * Input: byte 0 picks an operation row (fuzz_common.h) or, when its top bit is set, the resume
 * path; the rest is JSON text parsed with cJSON. The call/pager is created with ak_call_new /
 * ak_pager_new (validation reports every violation) and, when valid, advanced to its first SEND
 * (encoded, signed request) and freed. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static void first_send(ak_call *call, ak_pager *pager) {
    for (int i = 0; i < 4; i++) {
        ak_step st;
        memset(&st, 0, sizeof st);
        if (call)
            ak_call_next(call, &st);
        else
            ak_pager_next(pager, &st);
        if (st.kind == AK_STEP_SEND) {
            const ak_request *r = st.request;
            if (!r || !r->url || !r->method || (r->body_len && !r->body))
                abort();
            for (size_t h = 0; h < r->nheaders; h++) {
                if (!r->headers[h].name || !r->headers[h].value)
                    abort();
            }
            return;
        }
        if (st.kind == AK_STEP_ERROR) {
            fz_check_error(call ? ak_call_error(call) : ak_pager_error(pager), -1);
            return;
        }
        if (st.kind != AK_STEP_SLEEP)
            return;
        fz_the_env.now_ms += st.sleep_ms > 86400000 ? 86400000 : st.sleep_ms;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    cJSON *params = cJSON_ParseWithLength((const char *)data + 1, size - 1);
    if (!params)
        return 0;
    const fz_op_def *def = &fz_op_defs[fz_ok_index[(data[0] & 0x7f) % fz_nok]];
    ak_client *c = fz_new_client(def->client);
    ak_error err = AK_ERROR_INIT;
    if (data[0] & 0x80) {
        ak_pager *p = NULL;
        if (ak_pager_resume(&p, c, params, &err) == AK_OK)
            first_send(NULL, p);
        else
            fz_check_error(&err, -1);
        ak_pager_free(p);
    } else {
        const ak_op *op = ak_op_find(ak_client_platform(c), def->op);
        if (op->kind == AK_OP_PAGER || op->kind == AK_OP_CHUNKED) {
            ak_pager *p = NULL;
            if (ak_pager_new(&p, c, def->op, params, &err) == AK_OK)
                first_send(NULL, p);
            else
                fz_check_error(&err, -1);
            ak_pager_free(p);
        } else {
            ak_call *call = NULL;
            if (ak_call_new(&call, c, def->op, params, &err) == AK_OK)
                first_send(call, NULL);
            else
                fz_check_error(&err, -1);
            ak_call_free(call);
        }
    }
    ak_error_cleanup(&err);
    cJSON_Delete(params);
    ak_client_free(c);
    return 0;
}
