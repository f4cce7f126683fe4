/* hello.c - the smallest audkit program: add a Tencent Ads custom audience, read it back, delete
 * it. Built from an installed audkit, either way:
 *
 *   cc hello.c $(pkg-config --cflags --libs audkit) -o hello
 *   cmake: find_package(audkit REQUIRED) + target_link_libraries(hello PRIVATE audkit::audkit)
 *
 * Credentials and base URL come from the environment (AUDKIT_TENCENT_ADS_ACCESS_TOKEN,
 * AUDKIT_TENCENT_ADS_BASE_URL); point them at the sandbox (python3 -m audkit.sandbox) to try it.
 */
#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdio.h>

int main(void) {
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    if (ak_client_new(&c, "tencent_ads", NULL, &err) != AK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        ak_error_cleanup(&err);
        return 1;
    }
    char *who = ak_client_describe(c); /* owned: released with ak_free; never shows the token */
    printf("%s\n", who);
    ak_free(who);

    cJSON *params = cJSON_Parse("{\"account_id\": 1, \"name\": \"hello\", \"type\": \"CUSTOMER_FILE\"}");
    ak_json *added = NULL;
    int rc = ak_call_simple(c, "custom_audiences.add", params, &added, &err);
    cJSON_Delete(params);
    if (rc != AK_OK) {
        fprintf(stderr, "add: [%s] %s\n", ak_error_kind_name(err.kind), err.message);
        ak_error_cleanup(&err);
        ak_client_free(c);
        return 1;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(added, "audience_id");
    printf("added audience %.0f\n", cJSON_IsNumber(id) ? id->valuedouble : -1.0);

    cJSON *del = cJSON_CreateObject();
    cJSON_AddNumberToObject(del, "account_id", 1);
    cJSON_AddItemToObject(del, "audience_id", cJSON_Duplicate(id, 1));
    ak_json *none = NULL;
    rc = ak_call_simple(c, "custom_audiences.delete", del, &none, &err);
    printf("%s\n", rc == AK_OK ? "deleted" : err.message);
    cJSON_Delete(none);
    cJSON_Delete(del);
    cJSON_Delete(added);
    ak_error_cleanup(&err);
    ak_client_free(c);
    return rc == AK_OK ? 0 : 1;
}
