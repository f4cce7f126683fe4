/* fields.h - compact initialisers for descriptor tables. Only designated initialisers: every
 * limit not named is 0 ("no rule"). */
#ifndef AUDKIT_FIELDS_H
#define AUDKIT_FIELDS_H

#include "../internal.h"

#define AK_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define AK_SCHEMA(nm, flds, doc_)                                                                                      \
    { nm, flds, AK_COUNT(flds), NULL, 0, doc_ }
#define AK_SCHEMA_R(nm, flds, rls, doc_)                                                                               \
    { nm, flds, AK_COUNT(flds), rls, AK_COUNT(rls), doc_ }
#define AK_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* AKF(name, wire, type, flags, extra designated initialisers...) */
#define AKF(nm, wr, ty, fl, ...)                                                                                       \
    { .name = nm, .wire = wr, .type = ty, .flags = fl, __VA_ARGS__ }
#define F_INT(nm, fl, ...) AKF(nm, nm, AK_TYPE_INTEGER, fl, __VA_ARGS__)
#define F_STR(nm, fl, ...) AKF(nm, nm, AK_TYPE_STRING, fl, __VA_ARGS__)
#define F_BOOL(nm, fl, ...) AKF(nm, nm, AK_TYPE_BOOLEAN, fl, __VA_ARGS__)
#define F_NUM(nm, fl, ...) AKF(nm, nm, AK_TYPE_NUMBER, fl, __VA_ARGS__)
#define F_ENUM(nm, fl, vals, ...) AKF(nm, nm, AK_TYPE_ENUM, fl, .values = vals, __VA_ARGS__)
#define F_OBJ(nm, fl, sch, ...) AKF(nm, nm, AK_TYPE_OBJECT, fl, .schema = sch, __VA_ARGS__)
#define F_ARR(nm, fl, ity, ...) AKF(nm, nm, AK_TYPE_ARRAY, fl, .item_type = ity, __VA_ARGS__)

#define RANGE(lo, hi) .min = (lo), .max = (hi)
#define F_RANGE (AK_F_MIN | AK_F_MAX)
#define BYTES(lo, hi) .len_unit = AK_LEN_BYTES, .min_len = (lo), .max_len = (hi)
#define ITEMS(lo, hi) .min_items = (lo), .max_items = (hi)

#define INT32_MAXD 2147483647.0
/* int64 ids: 1..2^63-1. As a double this is 2^63; range rules compare integers exactly against it
 * and print it as 9223372036854775807. */
#define INT64_MAXD 9223372036854775807.0

#endif
