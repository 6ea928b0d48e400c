// inventory_apply_events(events jsonb): many events in one call, all or nothing, applied by the
// event engine (pg/event_engine.hpp), which locks every level row once in one global order
// before anything is written: two batches that touch the same SKUs in opposite orders wait for
// each other instead of deadlocking.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_writer.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_apply_events);
}

namespace inventory::pg {
namespace {

void require_event_array(Datum events) {
    static spi::Statement shape(
        "SELECT pg_catalog.jsonb_typeof($1) OPERATOR(pg_catalog.=) 'array', "
        "  (SELECT e.i FROM pg_catalog.jsonb_array_elements("
        "     CASE pg_catalog.jsonb_typeof($1) WHEN 'array' THEN $1 ELSE '[]' END) "
        "     WITH ORDINALITY AS e(v, i) "
        "   WHERE pg_catalog.jsonb_typeof(e.v) OPERATOR(pg_catalog.<>) 'object' "
        "      OR EXISTS (SELECT FROM pg_catalog.jsonb_object_keys("
        "                   CASE pg_catalog.jsonb_typeof(e.v) WHEN 'object' THEN e.v "
        "                   ELSE '{}' END) AS k(name) "
        "                 WHERE k.name OPERATOR(pg_catalog.<>) ALL (ARRAY['sku', 'warehouse_id', "
        "                   'event_type', 'quantity', 'reference_id', 'idempotency_key', "
        "                   'reason', 'metadata', 'expires_at'])) "
        "   ORDER BY e.i LIMIT 1)",
        {JSONBOID});
    const Datum values[] = {events};
    shape.execute(values, nullptr, true);
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::InvalidParameter, "events must be a JSON array of event objects", "",
                    "Pass for example '[{\"sku\": \"A\", \"warehouse_id\": 1, "
                    "\"event_type\": \"RECEIVE\", \"quantity\": 5}]'.");
    }
    if (auto bad = spi::get_optional_int64(0, 2)) {
        throw Error(ErrorCode::InvalidParameter,
                    "event " + std::to_string(*bad) + " is not an object of known keys",
                    "Keys are sku, warehouse_id, event_type, quantity, reference_id, "
                    "idempotency_key, reason, metadata and expires_at.");
    }
}

std::vector<PlannedEvent> read_items(Datum events) {
    static spi::Statement rows(
        "SELECT e.i, r.sku, r.warehouse_id, r.event_type, r.quantity, r.reference_id, "
        "       r.idempotency_key, r.reason, r.metadata, r.expires_at "
        "FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS e(v, i), "
        "     pg_catalog.jsonb_to_record(e.v) AS r(sku text, warehouse_id integer, "
        "       event_type text, quantity bigint, reference_id text, idempotency_key text, "
        "       reason text, metadata jsonb, expires_at timestamptz) "
        "ORDER BY e.i",
        {JSONBOID});
    const Datum values[] = {events};
    const std::uint64_t count = rows.execute(values, nullptr, true);
    SPITupleTable* table = SPI_tuptable;  // stays valid until SPI_finish
    std::vector<PlannedEvent> items;
    items.reserve(count);
    for (std::uint64_t row = 0; row < count; ++row) {
        SPI_tuptable = table;
        const std::int64_t ordinal = spi::get_int64(row, 1);
        items.push_back(with_event_position(ordinal, [&] {
            const auto required = [&](int column, const char* name) {
                if (spi::is_null(row, column)) {
                    throw Error(ErrorCode::NullArgument, std::string(name) + " must not be NULL");
                }
            };
            required(2, "sku");
            required(3, "warehouse_id");
            required(4, "event_type");
            required(5, "quantity");
            PlannedEvent item;
            item.ordinal = static_cast<std::int32_t>(ordinal);
            item.options.reference_id = spi::get_optional_text(row, 6);
            item.options.idempotency_key = spi::get_optional_text(row, 7);
            item.options.reason = spi::get_optional_text(row, 8);
            if (!spi::is_null(row, 9)) item.options.metadata = spi::get_datum(row, 9);
            if (!spi::is_null(row, 10)) {
                item.options.expires_at = DatumGetTimestampTz(spi::get_datum(row, 10));
            }
            validate_options(item.options);
            const EventKind kind = parse_event_kind(*spi::get_optional_text(row, 4), false);
            item.request = build_request(*spi::get_optional_text(row, 2), spi::get_int32(row, 3),
                                         kind, spi::get_int64(row, 5), item.options);
            return item;
        }));
    }
    return items;
}

Datum apply_events_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) throw Error(ErrorCode::NullArgument, "events must not be NULL");
    const Datum events = PG_GETARG_DATUM(0);

    spi::connect();
    require_event_array(events);
    std::vector<PlannedEvent> plan = read_items(events);
    execute_plan(plan);
    spi::finish();

    for (const auto& event : plan) {
        const EventOutcome& outcome = event.result.outcome;
        const Datum values[] = {
            Int32GetDatum(event.ordinal),        uuid_datum(outcome.id),
            BoolGetDatum(event.result.replayed), Int64GetDatum(outcome.on_hand),
            Int64GetDatum(outcome.reserved),     Int64GetDatum(outcome.available)};
        pg_guard([&] {
            auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            if (rsinfo->setResult == nullptr) InitMaterializedSRF(fcinfo, 0);
            bool nulls[6] = {};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, const_cast<Datum*>(values),
                                 nulls);
        });
    }
    if (plan.empty()) pg_guard([&] { InitMaterializedSRF(fcinfo, 0); });
    return Datum{0};
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_apply_events(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::apply_events_body); });
}
