/* auth.h - per-platform authentication hooks (one file per scheme in this folder). */
#ifndef AUDKIT_AUTH_H
#define AUDKIT_AUTH_H
#include "../internal.h"

int ak_auth_tencent_ads(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_tencent_ads_check(const ak_client *c, ak_error *err);

#endif
