/* audkit/audkit.h - umbrella header. */
#ifndef AUDKIT_H
#define AUDKIT_H
#include "common.h"
#include "error.h"
#include "schema.h"
#include "op.h"
#include "transport.h"
#include "client.h"
#include "call.h"
#include "pager.h"
#include "drive.h"
#include "batch.h"
#endif
