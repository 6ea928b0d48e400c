// inventory_adjust(sku, change, reason, warehouse_id, ...): the short form of an ADJUST event
// (the source chapter's adjust call), applied by the event engine. warehouse_id may be left out
// only while exactly one warehouse exists.
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/event.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_adjust);
}

namespace inventory::pg {
namespace {

// The only warehouse; 22004 unless there is exactly one.
std::int32_t only_warehouse() {
    static spi::Statement count(
        "SELECT pg_catalog.count(*), pg_catalog.min(w.id) FROM inventory.inventory_warehouses w",
        {});
    count.execute(nullptr, nullptr, true);
    const std::int64_t warehouses = spi::get_int64(0, 1);
    if (warehouses != 1) {
        throw Error(
            ErrorCode::NullArgument,
            "warehouse_id is required when there are " + std::to_string(warehouses) + " warehouses",
            "", "Pass warehouse_id; it may be left out only when exactly one warehouse exists.");
    }
    return spi::get_int32(0, 2);
}

// (sku, change, reason, warehouse_id, reference_id, idempotency_key, metadata) ->
// (event_id, replayed, on_hand, reserved, available_to_sell)
Datum adjust_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(1)) throw Error(ErrorCode::NullArgument, "change must not be NULL");
    const std::int64_t change = PG_GETARG_INT64(1);
    spi::connect();
    const std::int32_t warehouse_id = PG_ARGISNULL(3) ? only_warehouse() : PG_GETARG_INT32(3);
    const std::string sku = required_text(fcinfo, 0, "sku");
    PlannedEvent event;
    event.options.reference_id = text_argument(fcinfo, 4);
    event.options.idempotency_key = text_argument(fcinfo, 5);
    event.options.reason = text_argument(fcinfo, 2);
    if (!PG_ARGISNULL(6)) event.options.metadata = PG_GETARG_DATUM(6);
    validate_options(event.options, KeyOrigin::Caller);
    event.request = build_request(sku, warehouse_id, EventKind::Adjust, change, event.options);
    const AppliedEvent applied = execute_one(std::move(event));
    spi::finish();

    const EventOutcome& outcome = applied.outcome;
    const Datum values[] = {uuid_datum(outcome.id), BoolGetDatum(applied.replayed),
                            Int64GetDatum(outcome.on_hand), Int64GetDatum(outcome.reserved),
                            Int64GetDatum(outcome.available)};
    return result_row(fcinfo, values, nullptr, 5);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_adjust(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_adjust",
                                                    inventory::pg::adjust_body);
    });
}
