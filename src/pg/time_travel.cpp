// inventory_levels_at: the levels as they were at a past time, read from the after-values of
// the last ledger row at or before it of each of the level's stripes (the stripe rows of
// inventory_level_stripes; one index probe per stripe, whatever the history's length), summed
// per level. level_version is the sum of the stripes' versions (the level's number of events by
// then). In C++ so that a NULL argument is refused by the error bridge, with no
// CONTEXT; each query is prepared once per backend with a generic plan (pg/spi.hpp) and runs
// read-only on the calling statement's snapshot (the functions are STABLE).
#include "core/error.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_levels_at);
PG_FUNCTION_INFO_V1(inventory_sku_levels_at);
}

namespace inventory::pg {
namespace {

// The last ledger row of stripe l at or before $1: one backward probe of the history index
// (sku, warehouse_id, stripe, created_at, level_version), index-only.
#define INVENTORY_LAST_ROW_AT                                                            \
    "CROSS JOIN LATERAL ("                                                               \
    "  SELECT e.on_hand_after, e.reserved_after, e.available_after, e.level_version,"    \
    "         e.created_at"                                                              \
    "    FROM inventory.inventory_ledger e"                                              \
    "   WHERE e.sku = l.sku AND e.warehouse_id = l.warehouse_id AND e.stripe = l.stripe" \
    "     AND e.created_at <= $1"                                                        \
    "   ORDER BY e.created_at DESC, e.level_version DESC"                                \
    "   LIMIT 1) g "

// A level's values from its stripes' last rows: the sums; available_to_sell of its one stripe
// with a row by then (exact), or, for several, from the totals with the safety stock the stripe
// rows hold now (as inventory_levels computes it; the safety stock of that time is not
// recorded).
#define INVENTORY_LEVEL_AT                                                                    \
    "sum(g.on_hand_after)::bigint, sum(g.reserved_after)::bigint,"                            \
    " CASE WHEN count(*) = 1 THEN max(g.available_after)"                                     \
    "      WHEN sum(g.on_hand_after) - sum(g.reserved_after) < 0"                             \
    "      THEN (sum(g.on_hand_after) - sum(g.reserved_after))::bigint"                       \
    "      ELSE greatest(sum(g.on_hand_after) - sum(g.reserved_after) - max(l.safety_stock)," \
    "                    0)::bigint END,"                                                     \
    " sum(g.level_version)::bigint, max(g.created_at) "

// inventory_levels_at(at): every level.
Datum levels_at_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) null_argument("at");
    static spi::Statement levels_at(
        "SELECT l.sku, l.warehouse_id, " INVENTORY_LEVEL_AT
        "FROM inventory.inventory_level_stripes l " INVENTORY_LAST_ROW_AT
        "GROUP BY l.sku, l.warehouse_id ORDER BY 1, 2",
        {TIMESTAMPTZOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0)};
    spi::return_rows(fcinfo, levels_at.execute(values, nullptr, /*read_only=*/true));
    spi::finish();
    return Datum{0};
}

// inventory_levels_at(sku, at): the levels of one SKU.
Datum sku_levels_at_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "sku and at must not be NULL");
    }
    static spi::Statement levels_at(
        "SELECT l.warehouse_id, " INVENTORY_LEVEL_AT
        "FROM inventory.inventory_level_stripes l " INVENTORY_LAST_ROW_AT
        "WHERE l.sku = $2 GROUP BY l.warehouse_id ORDER BY 1",
        {TIMESTAMPTZOID, TEXTOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(1), PG_GETARG_DATUM(0)};
    spi::return_rows(fcinfo, levels_at.execute(values, nullptr, /*read_only=*/true));
    spi::finish();
    return Datum{0};
}

#undef INVENTORY_LAST_ROW_AT
#undef INVENTORY_LEVEL_AT

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_levels_at(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::levels_at_body(fcinfo); });
}

extern "C" Datum inventory_sku_levels_at(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::sku_levels_at_body(fcinfo); });
}
