/* tencent_ads.h - schemas shared between the Tencent Ads platform files. */
#ifndef AUDKIT_PLATFORM_TENCENT_ADS_H
#define AUDKIT_PLATFORM_TENCENT_ADS_H
#include "audkit/schema.h"
extern const ak_schema ak_tencent_audience_spec;
#endif
