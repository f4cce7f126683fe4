/* tour.c - audkit from C: create, list (lazily, page by page), update and delete Tencent Ads
 * custom audiences. Point it at the sandbox:
 *
 *   PYTHONPATH=python python3 -m audkit.sandbox --port 8000     # prints base URLs and credentials
 *   AUDKIT_TENCENT_ADS_BASE_URL=http://127.0.0.1:8000/tencent_ads/v1.1 \
 *   AUDKIT_TENCENT_ADS_ACCESS_TOKEN=<printed token> ./build/audkit-tour-c
 */
#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, ak_error *err) {
    fprintf(stderr, "%s failed: [%s] %s\n", what, ak_error_kind_name(err->kind), err->message);
    for (size_t i = 0; i < err->nviolations; i++)
        fprintf(stderr, "  %s: %s\n", err->violations[i].field, err->violations[i].rule);
    ak_error_cleanup(err);
    return 1;
}

int main(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    /* credentials and base URL come from AUDKIT_TENCENT_ADS_* environment variables */
    if (ak_client_new(&c, "tencent_ads", NULL, &err) != AK_OK)
        return fail("client", &err);
    char *desc = ak_client_describe(c); /* never shows the token */
    printf("client: %s\n", desc);
    free(desc);

    /* validation happens before anything is sent, and reports every violation */
    cJSON *bad = cJSON_Parse("{\"account_id\":1,\"name\":\"\",\"type\":\"LOOKALIKE\"}");
    cJSON *result = NULL;
    if (ak_call_simple(c, "custom_audiences.add", bad, &result, &err) != AK_OK) {
        printf("rejected before sending (%zu violations):\n", err.nviolations);
        for (size_t i = 0; i < err.nviolations; i++)
            printf("  %s: %s\n", err.violations[i].field, err.violations[i].rule);
    }
    cJSON_Delete(bad);
    ak_error_cleanup(&err);

    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"account_id\":1,\"name\":\"c-tour-%d\",\"type\":\"LOOKALIKE\",\"audience_spec\":"
                 "{\"lookalike_spec\":{\"seed_audience_id\":9,\"expand_user_count\":1000000}}}",
                 i);
        cJSON *p = cJSON_Parse(text);
        int rc = ak_call_simple(c, "custom_audiences.add", p, &result, &err);
        cJSON_Delete(p);
        if (rc != AK_OK)
            return fail("add", &err);
        ids[i] = (int64_t)cJSON_GetObjectItem(result, "audience_id")->valuedouble;
        printf("created audience %lld\n", (long long)ids[i]);
        cJSON_Delete(result);
    }

    cJSON *lp = cJSON_Parse("{\"account_id\":1,\"page_size\":2}");
    ak_pager *pager = NULL;
    if (ak_pager_new(&pager, c, "custom_audiences.list", lp, &err) != AK_OK)
        return fail("list", &err);
    int has_page = 0, n = 0;
    while (ak_drive_pager(c, pager, NULL, &has_page, &err) == AK_OK && has_page) {
        const cJSON *item;
        cJSON_ArrayForEach(item, ak_pager_items(pager)) {
            printf("  #%d audience %.0f %s (%s)\n", ++n, cJSON_GetObjectItem(item, "audience_id")->valuedouble,
                   cJSON_GetObjectItem(item, "name")->valuestring, cJSON_GetObjectItem(item, "status")->valuestring);
        }
    }
    ak_pager_free(pager);
    cJSON_Delete(lp);
    if (err.kind != AK_ERR_NONE)
        return fail("list", &err);
    printf("listed %d audiences\n", n);

    for (int i = 0; i < 3; i++) {
        char text[160];
        snprintf(text, sizeof text, "{\"account_id\":1,\"audience_id\":%lld,\"description\":\"updated from C\"}",
                 (long long)ids[i]);
        cJSON *p = cJSON_Parse(text);
        int rc = ak_call_simple(c, "custom_audiences.update", p, &result, &err);
        cJSON_Delete(result);
        cJSON_DeleteItemFromObject(p, "description");
        if (rc == AK_OK)
            rc = ak_call_simple(c, "custom_audiences.delete", p, &result, &err);
        cJSON_Delete(result);
        cJSON_Delete(p);
        if (rc != AK_OK)
            return fail("update/delete", &err);
        printf("updated and deleted audience %lld\n", (long long)ids[i]);
    }
    ak_client_free(c);
    return 0;
}
