// Included first by every core header: the core must compile without PostgreSQL, so that it can
// be unit-tested and fuzzed on its own and never calls an API that may longjmp.
#pragma once

#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(FMGR_H)
#error \
    "src/core must not see PostgreSQL headers: include core headers before postgres.h or not at all"
#endif
