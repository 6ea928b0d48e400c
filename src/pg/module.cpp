// The extension's module: PG_MODULE_MAGIC and _PG_init live here and nowhere else.
#include "pg/change_feed.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
    // Runs once per backend when the library loads; DefineCustomBoolVariable reports its own
    // errors with ereport, and no C++ object is alive here.
    inventory::pg::define_change_feed_settings();
}
