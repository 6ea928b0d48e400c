// inventory_rebuild_levels(): recomputes every level from the ledger, stripe by stripe
// (inventory_level_stripes: each stripe row from the ledger rows of its stripe), and its policy
// copies from inventory_sku_policies, in one set-based pass, and returns how many levels (sku,
// warehouse) it changed.
//
// The one order of locks (pg/lock_order.hpp, README: Locks): SHARE ROW EXCLUSIVE on the ledger
// waits for every writer in progress and holds off new ones (each takes ROW EXCLUSIVE on the
// ledger before anything else) and for another rebuild (plain SHARE would let two rebuilds in,
// and each would then wait for the other's lock to create a missing level: 40P01); SHARE on the
// policies does the same for policy changes; then the stripe rows (inventory_level_stripes).
// Readers, inventory_verify() among them, go on meanwhile. Each statement runs on a new snapshot
// taken after those locks (under READ COMMITTED), so it sees every committed event.
//
// An admin function (README: Roles): SECURITY DEFINER, gated by its EXECUTE grant to
// inventory_admin alone, as inventory_create_warehouse and inventory_set_sku_policy.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
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

// The levels a statement changed, from its RETURNING sku, warehouse_id (one row per stripe row).
using ChangedLevels = std::set<std::pair<std::string, std::int32_t>>;

void collect_changed(std::uint64_t rows, ChangedLevels& changed) {
    for (std::uint64_t r = 0; r < rows; ++r) {
        changed.emplace(*spi::get_optional_text(r, 1), spi::get_int32(r, 2));
    }
}

// Levels missing for ledger rows (no stripe row at all) are created as every path creates them
// (create_levels: the SKUs' advisory locks, then the policy copies, every stripe of the policy;
// under REPEATABLE READ, 40001 when a policy changed after the snapshot; IV003 for a warehouse
// that does not exist). A missing stripe of a level that exists is inserted by
// recompute_stripes.
void create_missing_levels() {
    static spi::Statement find_missing(
        "SELECT g.sku, g.warehouse_id FROM inventory.inventory_ledger g "
        " WHERE NOT EXISTS (SELECT FROM inventory.inventory_level_stripes l "
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

// Every stripe with ledger rows gets the sums of its ledger rows (same sku, warehouse and
// stripe), their number as version and its SKU's policy copies; a stripe row that is missing
// (its level exists) is inserted with them.
void recompute_stripes(ChangedLevels& changed) {
    static spi::Statement upsert(
        "WITH sums AS ("
        "  SELECT g.sku, g.warehouse_id, g.stripe, sum(g.on_hand_change)::bigint AS on_hand,"
        "         sum(g.reserved_change)::bigint AS reserved, count(*) AS events"
        "    FROM inventory.inventory_ledger g"
        "   GROUP BY g.sku, g.warehouse_id, g.stripe),"
        "computed AS ("
        "  SELECT s.*, coalesce(p.safety_stock, 0) AS safety_stock,"
        "         coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit"
        "    FROM sums s LEFT JOIN inventory.inventory_sku_policies p ON p.sku = s.sku) "
        "INSERT INTO inventory.inventory_level_stripes AS l"
        "       (sku, warehouse_id, stripe, on_hand, reserved, available_to_sell, safety_stock,"
        "        allow_backorder, backorder_limit, version, updated_at) "
        "SELECT c.sku, c.warehouse_id, c.stripe, c.on_hand, c.reserved,"
        "       CASE WHEN c.on_hand - c.reserved < 0 THEN c.on_hand - c.reserved"
        "            ELSE greatest(c.on_hand - c.reserved - c.safety_stock, 0) END,"
        "       c.safety_stock, c.allow_backorder OR c.on_hand < c.reserved, c.backorder_limit,"
        "       c.events, now()"
        "  FROM computed c "
        "ON CONFLICT (sku, warehouse_id, stripe) DO UPDATE"
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
        "        EXCLUDED.version) "
        "RETURNING l.sku, l.warehouse_id",
        {}, kPerCall);
    collect_changed(upsert.execute(nullptr, nullptr), changed);
}

// Stripe rows without ledger rows of their stripe: one no event touched yet (version 0, empty;
// an order creates levels, a policy their stripes) stays, with its policy copies repaired; any
// other is removed (the change feed's delete trigger marks its level). Then a level that still
// has stripe rows gets, empty, those of its policy's stripes 0..N-1 that it lacks (a level is
// created with all of them), as create_levels would create them.
void repair_stripes_without_events(ChangedLevels& changed) {
    static spi::Statement repair(
        "WITH untouched AS ("
        "  SELECT l.sku, l.warehouse_id, l.stripe, coalesce(p.safety_stock, 0) AS safety_stock,"
        "         coalesce(p.allow_backorder, false) AS allow_backorder, p.backorder_limit"
        "    FROM inventory.inventory_level_stripes l"
        "    LEFT JOIN inventory.inventory_sku_policies p ON p.sku = l.sku"
        "   WHERE l.version = 0 AND l.on_hand = 0 AND l.reserved = 0"
        "     AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g"
        "                      WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id"
        "                        AND g.stripe = l.stripe)) "
        "UPDATE inventory.inventory_level_stripes l"
        "   SET safety_stock = u.safety_stock, allow_backorder = u.allow_backorder,"
        "       backorder_limit = u.backorder_limit, available_to_sell = 0, updated_at = now()"
        "  FROM untouched u"
        " WHERE l.sku = u.sku AND l.warehouse_id = u.warehouse_id AND l.stripe = u.stripe"
        "   AND (l.safety_stock, l.allow_backorder, l.backorder_limit, l.available_to_sell)"
        "       IS DISTINCT FROM (u.safety_stock, u.allow_backorder, u.backorder_limit, 0::bigint) "
        "RETURNING l.sku, l.warehouse_id",
        {}, kPerCall);
    static spi::Statement remove(
        "DELETE FROM inventory.inventory_level_stripes l"
        " WHERE NOT (l.version = 0 AND l.on_hand = 0 AND l.reserved = 0)"
        "   AND NOT EXISTS (SELECT FROM inventory.inventory_ledger g"
        "                    WHERE g.sku = l.sku AND g.warehouse_id = l.warehouse_id"
        "                      AND g.stripe = l.stripe) "
        "RETURNING l.sku, l.warehouse_id",
        {}, kPerCall);
    static spi::Statement complete(
        "WITH levels AS ("
        "  SELECT l.sku, l.warehouse_id FROM inventory.inventory_level_stripes l"
        "   GROUP BY l.sku, l.warehouse_id) "
        "INSERT INTO inventory.inventory_level_stripes AS l"
        "       (sku, warehouse_id, stripe, on_hand, reserved, available_to_sell, safety_stock,"
        "        allow_backorder, backorder_limit, version, updated_at) "
        "SELECT v.sku, v.warehouse_id, n.stripe, 0, 0, 0, coalesce(p.safety_stock, 0),"
        "       coalesce(p.allow_backorder, false), p.backorder_limit, 0, now()"
        "  FROM levels v"
        "  JOIN inventory.inventory_sku_policies p ON p.sku = v.sku AND p.stripes > 1"
        " CROSS JOIN LATERAL generate_series(0, p.stripes - 1) AS n(stripe) "
        "ON CONFLICT (sku, warehouse_id, stripe) DO NOTHING "
        "RETURNING l.sku, l.warehouse_id",
        {}, kPerCall);
    // Every stripe row counts its level's stripes (pg/level_store.hpp: a sale that waited
    // finds the stripes a change added by it).
    static spi::Statement count(
        "UPDATE inventory.inventory_level_stripes l SET stripe_count = c.n"
        "  FROM (SELECT s.sku, s.warehouse_id, count(*)::smallint AS n"
        "          FROM inventory.inventory_level_stripes s GROUP BY 1, 2) c"
        " WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id AND l.stripe_count <> c.n "
        "RETURNING l.sku, l.warehouse_id",
        {}, kPerCall);
    collect_changed(repair.execute(nullptr, nullptr), changed);
    collect_changed(remove.execute(nullptr, nullptr), changed);
    collect_changed(complete.execute(nullptr, nullptr), changed);
    collect_changed(count.execute(nullptr, nullptr), changed);
}

Datum rebuild_levels_body(FunctionCallInfo) {
    lock_table("inventory_ledger", ShareRowExclusiveLock);
    lock_table("inventory_sku_policies", ShareLock);
    spi::connect();
    create_missing_levels();
    lock_table("inventory_level_stripes", ShareRowExclusiveLock);
    ChangedLevels changed;
    recompute_stripes(changed);
    repair_stripes_without_events(changed);
    // Levels changed without ledger rows: one mark says "every level" to the change feed's
    // consumers. A rebuild that changed nothing, none.
    if (!changed.empty()) mark_levels_changed(std::nullopt, std::nullopt);
    spi::finish();
    PG_RETURN_INT64(static_cast<std::int64_t>(changed.size()));
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_rebuild_levels(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::rebuild_levels_body(fcinfo); });
}
