#include "pg/levels.hpp"

#include <string>

#include "core/error.hpp"
#include "pg/change_feed.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {
namespace {

bool select_for_update(Datum sku, std::int32_t warehouse_id, LockedLevel& out) {
    static spi::Statement select_level(
        "SELECT on_hand, reserved, version, safety_stock, allow_backorder, backorder_limit "
        "FROM inventory.inventory_levels "
        "WHERE sku OPERATOR(pg_catalog.=) $1 AND warehouse_id OPERATOR(pg_catalog.=) $2 "
        "FOR UPDATE",
        {TEXTOID, INT4OID});
    const Datum values[] = {sku, Int32GetDatum(warehouse_id)};
    if (select_level.execute(values, nullptr) == 0) return false;
    out.level.on_hand = spi::get_int64(0, 1);
    out.level.reserved = spi::get_int64(0, 2);
    out.version = spi::get_int64(0, 3);
    out.policy.safety_stock = spi::get_int64(0, 4);
    out.policy.allow_backorder = spi::get_bool(0, 5);
    out.policy.backorder_limit = spi::get_optional_int64(0, 6);
    return true;
}

void require_warehouse(std::int32_t warehouse_id) {
    static spi::Statement find_warehouse(
        "SELECT 1 FROM inventory.inventory_warehouses WHERE id OPERATOR(pg_catalog.=) $1",
        {INT4OID});
    const Datum values[] = {Int32GetDatum(warehouse_id)};
    if (find_warehouse.execute(values, nullptr, true) == 0) {
        throw Error(ErrorCode::UnknownWarehouse,
                    "unknown warehouse " + std::to_string(warehouse_id), "",
                    "Create it with inventory.inventory_create_warehouse(code, name, country).");
    }
}

// A new level starts empty, with the copies of the SKU's policy its CHECK constraints need.
void create_level(Datum sku, std::int32_t warehouse_id) {
    static spi::Statement insert_level(
        "INSERT INTO inventory.inventory_levels "
        "  (sku, warehouse_id, safety_stock, allow_backorder, backorder_limit) "
        "SELECT $1, $2, COALESCE(p.safety_stock, 0), "
        "       COALESCE(p.allow_backorder, false), p.backorder_limit "
        "FROM (SELECT) AS one "
        "LEFT JOIN inventory.inventory_sku_policies p ON p.sku OPERATOR(pg_catalog.=) $1 "
        "ON CONFLICT (sku, warehouse_id) DO NOTHING",
        {TEXTOID, INT4OID});
    const Datum values[] = {sku, Int32GetDatum(warehouse_id)};
    insert_level.execute(values, nullptr);
}

}  // namespace

LockedLevel lock_level(std::string_view sku, std::int32_t warehouse_id) {
    const Datum sku_datum = spi::text_datum(sku);
    LockedLevel locked;
    if (select_for_update(sku_datum, warehouse_id, locked)) return locked;
    require_warehouse(warehouse_id);
    create_level(sku_datum, warehouse_id);
    if (!select_for_update(sku_datum, warehouse_id, locked)) {
        throw Error(ErrorCode::Internal, "inventory level row vanished after it was created");
    }
    return locked;
}

void store_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                 Quantity available_to_sell, std::int64_t version) {
    static spi::Statement update_level(
        "UPDATE inventory.inventory_levels "
        "SET on_hand = $3, reserved = $4, available_to_sell = $5, version = $6, "
        "    updated_at = pg_catalog.now() "
        "WHERE sku OPERATOR(pg_catalog.=) $1 AND warehouse_id OPERATOR(pg_catalog.=) $2",
        {TEXTOID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID});
    const Datum values[] = {spi::text_datum(sku),
                            Int32GetDatum(warehouse_id),
                            Int64GetDatum(after.on_hand),
                            Int64GetDatum(after.reserved),
                            Int64GetDatum(available_to_sell),
                            Int64GetDatum(version)};
    if (update_level.execute(values, nullptr) != 1) {
        throw Error(ErrorCode::Internal, "inventory level row was not updated");
    }
    notify_level_change(sku, warehouse_id, after, available_to_sell, version);
}

void restore_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                   std::int64_t version) {
    // No warehouse check: a restore loads the ledger before the warehouses (pg_dump orders
    // table data by name), and restored history names warehouses that existed.
    const Datum sku_datum = spi::text_datum(sku);
    create_level(sku_datum, warehouse_id);
    LockedLevel current;
    if (!select_for_update(sku_datum, warehouse_id, current)) {
        throw Error(ErrorCode::Internal, "inventory level row vanished after it was created");
    }
    if (current.version >= version) return;  // a later event of this level is already restored
    // The restored history proves the SKU allowed backorders then; the policy rows restored
    // after the ledger correct the copy.
    if (after.on_hand < after.reserved) current.policy.allow_backorder = true;
    static spi::Statement set_level(
        "UPDATE inventory.inventory_levels "
        "SET on_hand = $3, reserved = $4, available_to_sell = $5, version = $6, "
        "    allow_backorder = $7, updated_at = pg_catalog.now() "
        "WHERE sku OPERATOR(pg_catalog.=) $1 AND warehouse_id OPERATOR(pg_catalog.=) $2",
        {TEXTOID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID, BOOLOID});
    const Datum values[] = {sku_datum,
                            Int32GetDatum(warehouse_id),
                            Int64GetDatum(after.on_hand),
                            Int64GetDatum(after.reserved),
                            Int64GetDatum(available_to_sell(after, current.policy)),
                            Int64GetDatum(version),
                            BoolGetDatum(current.policy.allow_backorder)};
    set_level.execute(values, nullptr);
}

}  // namespace inventory::pg
