// inventory_rebuild_levels(): recomputes every level from the ledger, and its policy copies from
// inventory_sku_policies, in one set-based pass, and returns how many levels it changed.
//
// The one order of locks (pg/lock_order.hpp, README: Locks): SHARE ROW EXCLUSIVE on the ledger
// waits for every writer in progress and holds off new ones (each takes ROW EXCLUSIVE on the
// ledger before anything else) and for another rebuild (plain SHARE would let two rebuilds in,
// and each would then wait for the other's lock to create a missing level: 40P01); SHARE on the
// policies does the same for policy changes; then the levels. Readers, inventory_verify()
// among them, go on meanwhile. Each statement runs on a new snapshot taken after those locks
// (under READ COMMITTED), so it sees every committed event.
//
// An admin function (README: Roles): SECURITY DEFINER, gated by its EXECUTE grant to
// inventory_admin alone, as inventory_create_warehouse and inventory_set_sku_policy.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/level.hpp"
#include "pg/change_feed.hpp"
#include "pg/error_bridge.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_rebuild_levels);
}

namespace inventory::pg {
namespace {

// The statements have no parameters and read whole tables: planned at each rebuild (rare) for
// the tables' current sizes, not once for the backend's life.
constexpr auto kPerCall = spi::Statement::Planning::PerCall;

// Levels missing for ledger rows are created as every path creates them (create_levels: the
// SKUs' advisory locks, then the policy copies; under REPEATABLE READ, 40001 when a policy
// changed after the snapshot; IV003 for a warehouse that does not exist).
void create_missing_levels() {
    static spi::Statement find_missing(
        "SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g "
        " WHERE NOT EXISTS (SELECT FROM inventory.inventory_levels l "
        "                    WHERE l.sku = g.sku AND l.warehouse_id = g.warehouse_id) "
        " GROUP BY g.sku, g.warehouse_id",
        {}, kPerCall);
    const std::uint64_t rows = find_missing.execute(nullptr, nullptr);
    if (rows == 0) return;
    std::vector<LevelKey> missing;
    missing.reserve(rows);
    for (std::uint64_t r = 0; r < rows; ++r) {
        missing.push_back(LevelKey{*spi::get_optional_text(r, 1), spi::get_int32(r, 2)});
    }
    create_levels(missing);
}

// Every level with ledger rows gets the ledger's sums, its number of events as version and its
// SKU's policy copies; returns how many differed.
std::uint64_t recompute_levels() {
    static spi::Statement upsert(
        "WITH sums AS ("
        "  SELECT g.sku, g.warehouse_id, sum(g.on_hand_change)::bigint AS on_hand,"
        "         sum(g.reserved_change)::bigint AS reserved, count(*) AS events"
        "    FROM inventory.inventory_ledger g"
        "   GROUP BY g.sku, g.warehouse_id),"
        "computed AS ("
        "  SELECT s.*, coalesce(p.safety_stock, 0) AS safety_stock,"
        "         coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit"
        "    FROM sums s LEFT JOIN inventory.inventory_sku_policies p ON p.sku = s.sku) "
        "INSERT INTO inventory.inventory_levels AS l"
        "       (sku, warehouse_id, on_hand, reserved, available_to_sell, safety_stock,"
        "        allow_backorder, backorder_limit, version, updated_at) "
        "SELECT c.sku, c.warehouse_id, c.on_hand, c.reserved,"
        "       CASE WHEN c.on_hand - c.reserved < 0 THEN c.on_hand - c.reserved"
        "            ELSE greatest(c.on_hand - c.reserved - c.safety_stock, 0) END,"
        "       c.safety_stock, c.allow_backorder OR c.on_hand < c.reserved, c.backorder_limit,"
        "       c.events, now()"
        "  FROM computed c "
        "ON CONFLICT (sku, warehouse_id) DO UPDATE"
        "   SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved,"
        "       available_to_sell = EXCLUDED.available_to_sell,"
        "       safety_stock = EXCLUDED.safety_stock, allow_backorder = EXCLUDED.allow_backorder,"
        "       backorder_limit = EXCLUDED.backorder_limit, version = EXCLUDED.version,"
        "       updated_at = EXCLUDED.updated_at"
        " WHERE (l.on_hand, l.reserved, l.available_to_sell, l.safety_stock, l.allow_backorder,"
        "        l.backorder_limit, l.version)"
        "       IS DISTINCT FROM"
        "       (EXCLUDED.on_hand, EXCLUDED.reserved, EXCLUDED.available_to_sell,"
        "        EXCLUDED.safety_stock, EXCLUDED.allow_backorder, EXCLUDED.backorder_limit,"
        "        EXCLUDED.version)",
        {}, kPerCall);
    return upsert.execute(nullptr, nullptr);
}

// Levels without ledger rows: one no event touched yet (version 0, empty; an order creates
// them) stays, with its policy copies repaired; any other is removed (the change feed's delete
// trigger marks it). Returns how many levels were repaired or removed.
std::uint64_t repair_levels_without_events() {
    static spi::Statement repair(
        "WITH untouched AS ("
        "  SELECT l.sku, l.warehouse_id, coalesce(p.safety_stock, 0) AS safety_stock,"
        "         coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit"
        "    FROM inventory.inventory_levels l"
        "    LEFT JOIN inventory.inventory_sku_policies p ON p.sku = l.sku"
        "   WHERE l.version = 0 AND l.on_hand = 0 AND l.reserved = 0"
        "     AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g"
        "                      WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id)) "
        "UPDATE inventory.inventory_levels l"
        "   SET safety_stock = u.safety_stock, allow_backorder = u.allow_backorder,"
        "       backorder_limit = u.backorder_limit, available_to_sell = 0, updated_at = now()"
        "  FROM untouched u"
        " WHERE l.sku = u.sku AND l.warehouse_id = u.warehouse_id"
        "   AND (l.safety_stock, l.allow_backorder, l.backorder_limit, l.available_to_sell)"
        "       IS DISTINCT FROM (u.safety_stock, u.allow_backorder, u.backorder_limit, 0::bigint)",
        {}, kPerCall);
    static spi::Statement remove(
        "DELETE FROM inventory.inventory_levels l"
        " WHERE NOT (l.version = 0 AND l.on_hand = 0 AND l.reserved = 0)"
        "   AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g"
        "                    WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id)",
        {}, kPerCall);
    const std::uint64_t repaired = repair.execute(nullptr, nullptr);
    return repaired + remove.execute(nullptr, nullptr);
}

Datum rebuild_levels_body(FunctionCallInfo) {
    lock_table("inventory_ledger", ShareRowExclusiveLock);
    lock_table("inventory_sku_policies", ShareLock);
    spi::connect();
    create_missing_levels();
    lock_table("inventory_levels", ShareRowExclusiveLock);
    const std::uint64_t changed = recompute_levels() + repair_levels_without_events();
    // Levels changed without ledger rows: one mark says "every level" to the change feed's
    // consumers. A rebuild that changed nothing, none.
    if (changed > 0) mark_levels_changed(std::nullopt, std::nullopt);
    spi::finish();
    PG_RETURN_INT64(static_cast<std::int64_t>(changed));
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_rebuild_levels(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::rebuild_levels_body(fcinfo); });
}
