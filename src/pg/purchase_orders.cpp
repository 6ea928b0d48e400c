// inventory_expect_purchase_order, inventory_receive_purchase_order and
// inventory_cancel_purchase_order: purchase order lines in inventory_purchase_orders
// (core/purchase_order.hpp); a receipt is a RECEIVE applied by the event engine. A receipt's
// locks keep the global order (README: Locks): the ledger, the level, then the line.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/purchase_order.hpp"
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
PG_FUNCTION_INFO_V1(inventory_expect_purchase_order);
PG_FUNCTION_INFO_V1(inventory_receive_purchase_order);
PG_FUNCTION_INFO_V1(inventory_cancel_purchase_order);
}

namespace inventory::pg {
namespace {

// The tables start empty and grow: planned per call, so that a plan made while one was tiny never
// keeps scanning it whole (pg/spi.hpp).
constexpr auto kGrowing = spi::Statement::Planning::PerCall;

// The line (po_ref, sku), locked FOR UPDATE when `lock`.
std::optional<PurchaseOrderLine> find_line(const std::string& po_ref, const std::string& sku,
                                           bool lock) {
    static spi::Statement read(
        "SELECT warehouse_id, ordered, received, status FROM inventory.inventory_purchase_orders "
        "WHERE po_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2",
        {TEXTOID, TEXTOID}, kGrowing);
    static spi::Statement read_locked(
        "SELECT warehouse_id, ordered, received, status FROM inventory.inventory_purchase_orders "
        "WHERE po_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2 FOR UPDATE",
        {TEXTOID, TEXTOID}, kGrowing);
    const Datum values[] = {spi::text_datum(po_ref), spi::text_datum(sku)};
    if ((lock ? read_locked : read).execute(values, nullptr) == 0) return std::nullopt;
    PurchaseOrderLine line;
    line.warehouse_id = spi::get_int32(0, 1);
    line.ordered = spi::get_int64(0, 2);
    line.received = spi::get_int64(0, 3);
    line.status = parse_purchase_order_status(*spi::get_optional_text(0, 4));
    return line;
}

// The whole row the statement returned (RETURNING p: a value of the table's row type), copied
// out of SPI as the function's result.
Datum returned_row() {
    const Datum row = spi::get_datum(0, 1);
    return pg_guard([row] { return SPI_datumTransfer(row, false, -1); });
}

// (po_ref, sku, warehouse_id, quantity, expected_at) -> inventory_purchase_orders
Datum expect_purchase_order_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
        throw Error(ErrorCode::NullArgument,
                    "po_ref, sku, warehouse_id and quantity must not be NULL");
    }
    const std::string po_ref = *text_argument(fcinfo, 0);
    const std::string sku = required_text(fcinfo, 1, "sku");
    const std::int32_t warehouse_id = PG_GETARG_INT32(2);
    const std::int64_t quantity = PG_GETARG_INT64(3);
    const bool has_expected_at = !PG_ARGISNULL(4);
    const Datum expected_at = has_expected_at ? PG_GETARG_DATUM(4) : Datum{0};

    spi::connect();
    check_sku(sku);
    validate_po_ref(po_ref);
    validate_ordered_quantity(quantity);
    require_warehouse(warehouse_id);
    const char nulls[] = {' ', ' ', ' ', ' ', has_expected_at ? ' ' : 'n', '\0'};
    const auto line = find_line(po_ref, sku, /*lock=*/true);
    if (!line) {
        static spi::Statement insert(
            "INSERT INTO inventory.inventory_purchase_orders AS p "
            "  (po_ref, sku, warehouse_id, ordered, expected_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING p",
            {TEXTOID, TEXTOID, INT4OID, INT8OID, TIMESTAMPTZOID}, kGrowing);
        const Datum values[] = {spi::text_datum(po_ref), spi::text_datum(sku),
                                Int32GetDatum(warehouse_id), Int64GetDatum(quantity), expected_at};
        insert.execute(values, nulls);
    } else {
        const PurchaseOrderLine after = revised(*line, po_ref, sku, warehouse_id, quantity);
        static spi::Statement update(
            "UPDATE inventory.inventory_purchase_orders p "
            "SET ordered = $3, expected_at = COALESCE($4, p.expected_at), "
            "    status = $5, updated_at = pg_catalog.now() "
            "WHERE p.po_ref OPERATOR(pg_catalog.=) $1 AND p.sku OPERATOR(pg_catalog.=) $2 "
            "RETURNING p",
            {TEXTOID, TEXTOID, INT8OID, TIMESTAMPTZOID, TEXTOID}, kGrowing);
        const Datum values[] = {spi::text_datum(po_ref), spi::text_datum(sku),
                                Int64GetDatum(after.ordered), expected_at,
                                spi::text_datum(to_string(after.status))};
        const char update_nulls[] = {' ', ' ', ' ', has_expected_at ? ' ' : 'n', ' ', '\0'};
        update.execute(values, update_nulls);
    }
    const Datum result = returned_row();
    spi::finish();
    return result;
}

// (po_ref, sku, quantity, idempotency_key, reason, metadata) ->
// (event_id, replayed, on_hand, available_to_sell, incoming)
Datum receive_purchase_order_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
        throw Error(ErrorCode::NullArgument, "po_ref, sku and quantity must not be NULL");
    }
    const std::string po_ref = *text_argument(fcinfo, 0);
    const std::string sku = *text_argument(fcinfo, 1);
    const std::int64_t quantity = PG_GETARG_INT64(2);
    PlannedEvent event;
    event.options.idempotency_key = text_argument(fcinfo, 3);
    // Before the key is looked up: an extension's key must not pass as a replay (IV010).
    validate_options(event.options, KeyOrigin::Caller);

    spi::connect();
    lock_ledger_for_writing();
    // A line keeps its warehouse: the level is locked first, then the line (README: Locks).
    const auto unlocked = find_line(po_ref, sku, /*lock=*/false);
    if (!unlocked) {
        throw Error(ErrorCode::ReferenceNotFound, "no purchase order " + po_ref + " of " + sku);
    }
    (void)lock_levels(std::array{LevelKey{sku, unlocked->warehouse_id}});
    const PurchaseOrderLine line = *find_line(po_ref, sku, /*lock=*/true);
    const bool retry = quantity_of_stored_key(event.options.idempotency_key).has_value();
    require_receivable(line, po_ref, sku, retry);
    event.options.reference_id = po_ref;
    event.options.reason = text_argument(fcinfo, 4);
    if (!PG_ARGISNULL(5)) event.options.metadata = PG_GETARG_DATUM(5);
    validate_options(event.options, KeyOrigin::Caller);
    event.request =
        build_request(sku, line.warehouse_id, EventKind::Receive, quantity, event.options);
    const AppliedEvent applied = execute_one(std::move(event));

    if (applied.replayed) {
        static spi::Statement read(
            "SELECT incoming FROM inventory.inventory_purchase_orders "
            "WHERE po_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2",
            {TEXTOID, TEXTOID}, kGrowing);
        const Datum values[] = {spi::text_datum(po_ref), spi::text_datum(sku)};
        read.execute(values, nullptr);
    } else {
        const PurchaseOrderLine after = after_receipt(line, quantity);
        static spi::Statement update(
            "UPDATE inventory.inventory_purchase_orders "
            "SET received = $3, status = $4, updated_at = pg_catalog.now() "
            "WHERE po_ref OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2 "
            "RETURNING incoming",
            {TEXTOID, TEXTOID, INT8OID, TEXTOID}, kGrowing);
        const Datum values[] = {spi::text_datum(po_ref), spi::text_datum(sku),
                                Int64GetDatum(after.received),
                                spi::text_datum(to_string(after.status))};
        update.execute(values, nullptr);
    }
    const std::int64_t incoming = spi::get_int64(0, 1);
    spi::finish();

    const Datum values[] = {uuid_datum(applied.outcome.id), BoolGetDatum(applied.replayed),
                            Int64GetDatum(applied.outcome.on_hand),
                            Int64GetDatum(applied.outcome.available), Int64GetDatum(incoming)};
    return result_row(fcinfo, values, nullptr, 5);
}

// (po_ref, sku DEFAULT NULL) -> how many OPEN lines it cancelled
Datum cancel_purchase_order_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) throw Error(ErrorCode::NullArgument, "po_ref must not be NULL");
    const std::string po_ref = *text_argument(fcinfo, 0);
    const std::optional<std::string> sku = text_argument(fcinfo, 1);
    static spi::Statement exists(
        "SELECT EXISTS (SELECT FROM inventory.inventory_purchase_orders p "
        "               WHERE p.po_ref OPERATOR(pg_catalog.=) $1 "
        "                 AND ($2 IS NULL OR p.sku OPERATOR(pg_catalog.=) $2))",
        {TEXTOID, TEXTOID}, kGrowing);
    static spi::Statement cancel(
        "UPDATE inventory.inventory_purchase_orders p "
        "SET status = 'CANCELLED', updated_at = pg_catalog.now() "
        "WHERE p.po_ref OPERATOR(pg_catalog.=) $1 "
        "  AND ($2 IS NULL OR p.sku OPERATOR(pg_catalog.=) $2) "
        "  AND p.status OPERATOR(pg_catalog.=) 'OPEN'",
        {TEXTOID, TEXTOID}, kGrowing);
    spi::connect();
    const Datum values[] = {spi::text_datum(po_ref), sku ? spi::text_datum(*sku) : Datum{0}};
    const char nulls[] = {' ', sku ? ' ' : 'n', '\0'};
    exists.execute(values, nulls);
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::ReferenceNotFound, "no purchase order " + po_ref);
    }
    const auto cancelled = static_cast<std::int32_t>(cancel.execute(values, nulls));
    spi::finish();
    return Int32GetDatum(cancelled);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_expect_purchase_order(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_expect_purchase_order",
                                                    inventory::pg::expect_purchase_order_body);
    });
}

extern "C" Datum inventory_receive_purchase_order(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_receive_purchase_order",
                                                    inventory::pg::receive_purchase_order_body);
    });
}

extern "C" Datum inventory_cancel_purchase_order(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_cancel_purchase_order",
                                                    inventory::pg::cancel_purchase_order_body);
    });
}
