/* describe.c - prints every platform, operation and schema descriptor as JSON. */
#include <audkit/audkit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    cJSON *d = ak_describe();
    char *s = d ? cJSON_Print(d) : NULL;
    if (!s) {
        fputs("audkit-describe: out of memory\n", stderr);
        cJSON_Delete(d);
        return 1;
    }
    puts(s);
    free(s);
    cJSON_Delete(d);
    return 0;
}
