// The extension's module: PG_MODULE_MAGIC and _PG_init live here and nowhere else.
#include "pg/change_feed.hpp"
#include "pg/direct_tables.hpp"
#include "pg/event_engine.hpp"
#include "pg/roles.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

namespace {

// Backend-local state that points into C++ frames (the caller scope) is cleared when a transaction
// aborts: defence in depth, should an error ever leave the extension without unwinding those
// frames.
void forget_frames_on_abort(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
        inventory::pg::forget_caller_scopes();
    }
}

}  // namespace

void _PG_init(void) {
    // Runs once per backend when the library loads; DefineCustomBoolVariable reports its own
    // errors with ereport, and no C++ object is alive here.
    inventory::pg::define_change_feed_settings();
    RegisterXactCallback(forget_frames_on_abort, nullptr);
    inventory::pg::direct::register_callbacks();
}
