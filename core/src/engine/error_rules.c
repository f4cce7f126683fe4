/* error_rules.c - the one place that decides what a vendor's failure means: its error kind and
 * whether the request may be sent again. One table per vendor, read top to bottom (the first
 * matching row wins), then the rows every vendor shares. Mappers only report what the response
 * said (kind API or HTTP, vendor code, HTTP status); they never decide retries.
 * docs/RELIABILITY.md restates these tables for users; keep the two in step. */
#include "../internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE(c, k, r)                                                                                                  \
    { 0, 0, c, 0, 0, k, r, NULL }
#define CODES(lo, hi, k, r)                                                                                            \
    { 0, 0, NULL, lo, hi, k, r, NULL }
#define STATUS(lo, hi, k, r)                                                                                           \
    { lo, hi, NULL, 0, 0, k, r, NULL }
#define END                                                                                                            \
    { 0, 0, NULL, 0, 0, AK_ERR__COUNT, AK_RETRY_NEVER, NULL }

/* Tencent Ads (VENDORS.md; developers.e.qq.com error codes): HTTP 200 envelopes with `code`. */
const ak_error_rule ak_error_rules_tencent_ads[] = {
    CODE("11000", AK_ERR_AUTH, AK_RETRY_NEVER), /* access token expired */
    CODE("11002", AK_ERR_AUTH, AK_RETRY_NEVER), /* token invalid */
    CODE("11004", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("11005", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("12000", AK_ERR_AUTH, AK_RETRY_NEVER), /* missing auth parameters */
    /* rate limits reject the request before it is processed: safe to send again after a wait */
    CODE("11016", AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS), /* per second */
    CODE("11017", AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS), /* per minute */
    CODE("11019", AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS), /* too frequent */
    CODE("11018", AK_ERR_RATE_LIMITED, AK_RETRY_NEVER),  /* daily quota: retrying today cannot succeed */
    /* transient system errors: the request may have been processed */
    CODES(30000, 30099, AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    /* No not_found row: no public "audience does not exist" code is known (docs/RELIABILITY.md,
     * "Not found"); the sandbox's 31002 is a placeholder and stays api. */
    END,
};

/* Sensors Data: bare JSON on 2xx; any non-2xx is an error, classified by HTTP status (its error
 * codes are not published). */
const ak_error_rule ak_error_rules_sensors_data[] = {
    STATUS(401, 401, AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(403, 403, AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(404, 404, AK_ERR_NOT_FOUND, AK_RETRY_NEVER), /* a missing tag (docs/RELIABILITY.md) */
    END,
};

/* ThinkingData: {return_code, return_message, data}; the codes are not published, so only the HTTP
 * status classifies. */
const ak_error_rule ak_error_rules_thinking_data[] = {
    STATUS(401, 401, AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(403, 403, AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(404, 404, AK_ERR_NOT_FOUND, AK_RETRY_NEVER), /* HTTP semantics; its 200 codes stay api */
    END,
};

/* Baidu search ads: header.failures[].code (VENDORS.md), and BCE gateway errors by HTTP status. */
const ak_error_rule ak_error_rules_baidu_search[] = {
    CODE("401", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("402", AK_ERR_AUTH, AK_RETRY_NEVER),
    /* IP locked after failed logins: retrying prolongs the lockout */
    {0, 0, "801", 0, 0, AK_ERR_AUTH, AK_RETRY_NEVER, " [IP locked after failed logins: not retried]"},
    {0, 0, "802", 0, 0, AK_ERR_AUTH, AK_RETRY_NEVER, " [IP locked after failed logins: not retried]"},
    CODE("421", AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS), /* QPS limit: rejected, back off */
    CODE("405", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),   /* system busy */
    CODE("502", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    CODE("800", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    /* published access error 404 "ApiService not found": a wrong host or URI, not a missing
     * keyword; pinned here so it never becomes not_found. No public "keyword / ad group does not
     * exist" code is known (docs/RELIABILITY.md, "Not found"): those answers stay api. */
    CODE("404", AK_ERR__COUNT, AK_RETRY_NEVER),
    STATUS(401, 401, AK_ERR_AUTH, AK_RETRY_NEVER), /* BCE gateway: bad signature / credentials */
    STATUS(403, 403, AK_ERR_AUTH, AK_RETRY_NEVER),
    END,
};

/* Volcengine OpenAPI: ResponseMetadata.Error.Code, gateway errors with non-2xx HTTP. */
const ak_error_rule ak_error_rules_volcengine_live[] = {
    /* a stale X-Date (InvalidTimestamp) is a signing failure too: the same clock cannot succeed */
    CODE("SignatureDoesNotMatch", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("InvalidAccessKey", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("InvalidTimestamp", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("MissingAuthenticationToken", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("MissingSignature", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("InvalidCredential", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("InvalidAuthorization", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("InvalidSecurityToken", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("AccessDenied", AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("LackPolicy", AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(401, 401, AK_ERR_AUTH, AK_RETRY_NEVER),
    STATUS(403, 403, AK_ERR_AUTH, AK_RETRY_NEVER),
    CODE("FlowLimitExceeded*", AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS),
    /* seed: "数据搜索服务出现内部错误。请重试。" — may have been processed */
    CODE("InternalError", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    CODE("ServiceUnavailable", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    CODE("ServiceUnavailableTemp", AK_ERR_API, AK_RETRY_IF_IDEMPOTENT),
    /* the common codes' 404s name a missing service or action, never a missing object; pinned so
     * they never become not_found (no public "does not exist" code for livesaas: docs/RELIABILITY.md) */
    CODE("ServiceNotFound", AK_ERR__COUNT, AK_RETRY_NEVER),
    CODE("InvalidActionOrVersion", AK_ERR__COUNT, AK_RETRY_NEVER),
    END,
};

/* Every vendor, after its own rows: plain HTTP semantics. A 429 is a rejection (not processed); a
 * 5xx or 408 may come after the server acted on the request. */
const ak_error_rule ak_error_rules_common[] = {
    STATUS(429, 429, AK_ERR_RATE_LIMITED, AK_RETRY_ALWAYS),
    STATUS(408, 408, AK_ERR__COUNT, AK_RETRY_IF_IDEMPOTENT),
    STATUS(500, 504, AK_ERR__COUNT, AK_RETRY_IF_IDEMPOTENT),
    END,
};

bool ak_error_rule_is_end(const ak_error_rule *r) {
    return r->kind == AK_ERR__COUNT && !r->code && r->code_hi == 0 && r->status_hi == 0;
}

static bool code_matches(const char *pattern, const char *code) {
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*')
        return strncmp(code, pattern, n - 1) == 0;
    return strcmp(code, pattern) == 0;
}

static bool rule_matches(const ak_error_rule *r, const ak_error *err) {
    if (r->status_hi && (err->http_status < r->status_lo || err->http_status > r->status_hi))
        return false;
    if (r->code && !code_matches(r->code, err->vendor_code))
        return false;
    if (!r->code && r->code_hi) {
        char *end = NULL;
        long long v = strtoll(err->vendor_code, &end, 10);
        if (!err->vendor_code[0] || *end || v < r->code_lo || v > r->code_hi)
            return false;
    }
    return true;
}

const ak_error_rule *ak_error_rule_find(const ak_platform *p, const ak_error *err) {
    const ak_error_rule *tables[] = {p ? p->error_rules : NULL, ak_error_rules_common};
    for (size_t t = 0; t < 2; t++)
        for (const ak_error_rule *r = tables[t]; r && !ak_error_rule_is_end(r); r++)
            if (rule_matches(r, err))
                return r;
    return NULL;
}

ak_retry_class ak_error_classify(const ak_platform *p, ak_error *err) {
    switch (err->kind) {
    case AK_ERR_API:
    case AK_ERR_HTTP:
    case AK_ERR_AUTH:
    case AK_ERR_RATE_LIMITED:
    case AK_ERR_NOT_FOUND: break;
    default: return AK_RETRY_NEVER; /* decode, validation, nomem: repeating cannot help */
    }
    const ak_error_rule *r = ak_error_rule_find(p, err);
    if (!r)
        return AK_RETRY_NEVER;
    if (r->kind != AK_ERR__COUNT && r->kind != AK_ERR_NONE)
        err->kind = r->kind;
    if (r->note) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, "%s", r->note);
    }
    return r->retry;
}
