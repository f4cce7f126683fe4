/* tencent_ads_spec.c - the Tencent Ads audience_spec model.
 * The six spec kinds are objects here; their complete field tables (every rule in the
 * document) are the Tencent issue's job and replace these free-form objects. */
#include "fields.h"
#include "tencent_ads.h"

static const ak_field audience_spec_fields[] = {
    F_OBJ("lookalike_spec", 0, NULL, .doc = "Lookalike audience; required when type=LOOKALIKE"),
    F_OBJ("user_action_spec", 0, NULL, .doc = "User-action audience; required when type=USER_ACTION"),
    F_OBJ("lbs_spec", 0, NULL, .doc = "LBS audience; required when type=LBS"),
    F_OBJ("keyword_spec", 0, NULL, .doc = "Keyword audience; required when type=KEYWORD"),
    F_OBJ("ad_rule_spec", 0, NULL, .doc = "Ad audience; required when type=AD"),
    F_OBJ("combine_spec", 0, NULL, .doc = "Combined audience; required when type=COMBINE"),
};

const ak_schema ak_tencent_audience_spec = AK_SCHEMA("AudienceSpec", audience_spec_fields,
                                                     "Audience definition, depends on the audience type");
