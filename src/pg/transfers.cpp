// inventory_dispatch_transfer and inventory_receive_transfer: transfers with goods in transit.
// The dispatch is a TRANSFER_OUT under the extension's own idempotency key
// (core/internal_key.hpp), the receipts TRANSFER_IN events naming it, all applied by the event
// engine (pg/event_engine.hpp); inventory_transfers keeps the line (core/transfer.hpp). Locks in
// the global order (README: Locks): the ledger, the level, then the transfer line.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/internal_key.hpp"
#include "core/transfer.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/idempotency.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"
#include "pg/warehouses.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_dispatch_transfer);
PG_FUNCTION_INFO_V1(inventory_receive_transfer);
}

namespace inventory::pg {
namespace {

// PostgreSQL's md5() as lowercase hex (common/md5.h), for the dispatch key 0.3.x derived in SQL.
std::string md5_hex(std::string_view bytes) {
    std::array<char, 33> hex{};
    pg_guard([&] {
        const char* problem = nullptr;
        if (!pg_md5_hash(bytes.data(), bytes.size(), hex.data(), &problem)) {
            elog(ERROR, "could not compute MD5: %s", problem ? problem : "unknown error");
        }
    });
    return std::string(hex.data(), 32);
}

// The tables start empty and grow: planned per call, so that a plan made while one was tiny never
// keeps scanning it whole (pg/spi.hpp).
constexpr auto kGrowing = spi::Statement::Planning::PerCall;

struct StoredTransfer {
    Transfer line;
    UuidBytes out_event_id{};
};

// The transfer line (transfer_ref, sku), locked FOR UPDATE when `lock`.
std::optional<StoredTransfer> find_transfer(const std::string& transfer_ref, const std::string& sku,
                                            bool lock) {
    static spi::Statement read(
        "SELECT from_warehouse_id, to_warehouse_id, quantity, received, status, out_event_id "
        "FROM inventory.inventory_transfers "
        "WHERE transfer_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2",
        {TEXTOID, TEXTOID}, kGrowing);
    static spi::Statement read_locked(
        "SELECT from_warehouse_id, to_warehouse_id, quantity, received, status, out_event_id "
        "FROM inventory.inventory_transfers "
        "WHERE transfer_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2 "
        "FOR UPDATE",
        {TEXTOID, TEXTOID}, kGrowing);
    const Datum values[] = {spi::text_datum(transfer_ref), spi::text_datum(sku)};
    if ((lock ? read_locked : read).execute(values, nullptr) == 0) return std::nullopt;
    StoredTransfer stored;
    stored.line.from_warehouse_id = spi::get_int32(0, 1);
    stored.line.to_warehouse_id = spi::get_int32(0, 2);
    stored.line.quantity = spi::get_int64(0, 3);
    stored.line.received = spi::get_int64(0, 4);
    stored.line.status = parse_transfer_status(*spi::get_optional_text(0, 5));
    stored.out_event_id = uuid_bytes(spi::get_datum(0, 6));
    return stored;
}

std::optional<std::int64_t> in_transit_of(const std::string& transfer_ref, const std::string& sku) {
    static spi::Statement read(
        "SELECT in_transit FROM inventory.inventory_transfers "
        "WHERE transfer_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2",
        {TEXTOID, TEXTOID}, kGrowing);
    const Datum values[] = {spi::text_datum(transfer_ref), spi::text_datum(sku)};
    if (read.execute(values, nullptr) == 0) return std::nullopt;
    return spi::get_optional_int64(0, 1);
}

// The optional tail of both functions: reason and metadata (arguments `first`, `first + 1`).
void read_reason_and_metadata(FunctionCallInfo fcinfo, int first, EventOptions& options) {
    options.reason = text_argument(fcinfo, first);
    if (!PG_ARGISNULL(first + 1)) options.metadata = PG_GETARG_DATUM(first + 1);
}

// Both functions' result: (event id, replayed, on_hand, available_to_sell) of their leg's level,
// and what is still in transit (NULL without a transfer line).
Datum leg_result(FunctionCallInfo fcinfo, const AppliedEvent& applied,
                 std::optional<std::int64_t> in_transit) {
    const Datum values[] = {uuid_datum(applied.outcome.id), BoolGetDatum(applied.replayed),
                            Int64GetDatum(applied.outcome.on_hand),
                            Int64GetDatum(applied.outcome.available),
                            Int64GetDatum(in_transit.value_or(0))};
    const bool nulls[] = {false, false, false, false, !in_transit.has_value()};
    return result_row(fcinfo, values, nulls, 5);
}

// (transfer_ref, sku, from_warehouse_id, to_warehouse_id, quantity, reason, metadata) ->
// (out_event_id, replayed, from_on_hand, from_available_to_sell, in_transit)
Datum dispatch_transfer_body(FunctionCallInfo fcinfo) {
    for (int i = 0; i < 5; ++i) {
        if (PG_ARGISNULL(i)) {
            throw Error(ErrorCode::NullArgument,
                        "transfer_ref, sku, from_warehouse_id, "
                        "to_warehouse_id and quantity must not be NULL");
        }
    }
    const std::string transfer_ref = *text_argument(fcinfo, 0);
    const std::string sku = *text_argument(fcinfo, 1);
    const std::int32_t from_id = PG_GETARG_INT32(2);
    const std::int32_t to_id = PG_GETARG_INT32(3);
    const std::int64_t quantity = PG_GETARG_INT64(4);
    check_transfer_route(from_id, to_id);

    spi::connect();
    require_warehouse(to_id);
    if (const auto existing = find_transfer(transfer_ref, sku, /*lock=*/false)) {
        require_same_dispatch(existing->line, transfer_ref, sku, from_id, to_id, quantity);
    }
    PlannedEvent event;
    event.options.reference_id = transfer_ref;
    event.options.idempotency_key = dispatch_key(transfer_ref, sku, to_id, md5_hex);
    read_reason_and_metadata(fcinfo, 5, event.options);
    validate_options(event.options, KeyOrigin::Extension);
    event.request = build_request(sku, from_id, EventKind::TransferOut, quantity, event.options);
    const AppliedEvent applied = execute_one(std::move(event));

    std::optional<std::int64_t> in_transit;
    if (applied.replayed) {
        in_transit = in_transit_of(transfer_ref, sku);
    } else {
        // After the level (locked by the engine): a concurrent dispatch of this line to another
        // warehouse that got here first makes the insert do nothing.
        static spi::Statement insert(
            "INSERT INTO inventory.inventory_transfers AS t "
            "  (transfer_ref, sku, from_warehouse_id, to_warehouse_id, quantity, out_event_id) "
            "VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT ON CONSTRAINT inventory_transfers_pkey DO NOTHING "
            "RETURNING t.in_transit",
            {TEXTOID, TEXTOID, INT4OID, INT4OID, INT8OID, UUIDOID}, kGrowing);
        const Datum values[] = {spi::text_datum(transfer_ref), spi::text_datum(sku),
                                Int32GetDatum(from_id),        Int32GetDatum(to_id),
                                Int64GetDatum(quantity),       uuid_datum(applied.outcome.id)};
        if (insert.execute(values, nullptr) == 0) dispatched_differently(transfer_ref, sku);
        in_transit = spi::get_int64(0, 1);
    }
    spi::finish();

    return leg_result(fcinfo, applied, in_transit);
}

// (transfer_ref, sku, quantity, idempotency_key, reason, metadata) ->
// (in_event_id, replayed, to_on_hand, to_available_to_sell, in_transit)
Datum receive_transfer_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "transfer_ref and sku must not be NULL");
    }
    const std::string transfer_ref = *text_argument(fcinfo, 0);
    const std::string sku = *text_argument(fcinfo, 1);
    const std::optional<std::int64_t> requested = int64_argument(fcinfo, 2);
    PlannedEvent event;
    event.options.idempotency_key = text_argument(fcinfo, 3);
    // The caller's key, checked before it is looked up (IV010 for the extension's prefix).
    validate_options(event.options, KeyOrigin::Caller);

    spi::connect();
    lock_ledger_for_writing();
    // The destination never changes: the level is locked first, then the line (README: Locks).
    const auto unlocked = find_transfer(transfer_ref, sku, /*lock=*/false);
    if (!unlocked) {
        throw Error(ErrorCode::ReferenceNotFound, "no transfer " + transfer_ref + " of " + sku);
    }
    (void)lock_levels(std::array{LevelKey{sku, unlocked->line.to_warehouse_id}});
    const StoredTransfer transfer = *find_transfer(transfer_ref, sku, /*lock=*/true);

    // A retry (its key is in the ledger): the engine replays it, or raises IV002 if it differs,
    // whatever happened to the line since.
    const std::optional<std::int64_t> key_quantity =
        quantity_of_stored_key(event.options.idempotency_key);
    const Quantity units = key_quantity
                               ? requested.value_or(*key_quantity)
                               : receipt_units(transfer.line, requested, transfer_ref, sku);
    event.options.reference_id = transfer_ref;
    read_reason_and_metadata(fcinfo, 4, event.options);
    validate_options(event.options, KeyOrigin::Caller);
    event.request = build_request(sku, transfer.line.to_warehouse_id, EventKind::TransferIn, units,
                                  event.options);
    event.related_event = transfer.out_event_id;
    const AppliedEvent applied = execute_one(std::move(event));

    std::optional<std::int64_t> in_transit;
    if (applied.replayed) {
        in_transit = in_transit_of(transfer_ref, sku);
    } else {
        const Transfer after = after_receipt(transfer.line, units);
        static spi::Statement update(
            "UPDATE inventory.inventory_transfers "
            "SET received = $3, status = $4, "
            "    received_at = CASE WHEN $5 THEN pg_catalog.now() END "
            "WHERE transfer_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2 "
            "RETURNING in_transit",
            {TEXTOID, TEXTOID, INT8OID, TEXTOID, BOOLOID}, kGrowing);
        const bool complete = after.status == TransferStatus::Received;
        const Datum values[] = {spi::text_datum(transfer_ref), spi::text_datum(sku),
                                Int64GetDatum(after.received),
                                spi::text_datum(to_string(after.status)), BoolGetDatum(complete)};
        update.execute(values, nullptr);
        in_transit = spi::get_int64(0, 1);
    }
    spi::finish();

    return leg_result(fcinfo, applied, in_transit);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_dispatch_transfer(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_dispatch_transfer",
                                                    inventory::pg::dispatch_transfer_body);
    });
}

extern "C" Datum inventory_receive_transfer(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_receive_transfer",
                                                    inventory::pg::receive_transfer_body);
    });
}
