/* auth.h - per-platform authentication hooks (one file per scheme in this folder).
 * `authorize` hooks run for every attempt (fresh nonce/timestamp/signature); `check` hooks
 * validate the configured credentials once, in ak_client_new. */
#ifndef AUDKIT_AUTH_H
#define AUDKIT_AUTH_H
#include "../internal.h"

/* tencent_ads.c: query access_token + timestamp + nonce */
int ak_auth_tencent_ads(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_tencent_ads_check(const ak_client *c, ak_error *err);

/* sensors_data.c: query token+project, or headers api-key + sensorsdata-project */
int ak_auth_sensors_data(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_sensors_data_check(const ak_client *c, ak_error *err);

/* thinking_data.c: query token */
int ak_auth_thinking_data(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_thinking_data_check(const ak_client *c, ak_error *err);

/* baidu_bce_v1.c: body header (both flavours) + BCE v1 Authorization (cloud flavour) */
int ak_auth_baidu(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_baidu_check(const ak_client *c, ak_error *err);

/* volcengine_v4.c: Volcengine V4 HMAC-SHA256 signature */
int ak_auth_volcengine_v4(ak_client *c, ak_req_build *rb, ak_error *err);
int ak_auth_volcengine_check(const ak_client *c, ak_error *err);

#endif
