// inventory_set_sku_policy: in C++ so that its arguments follow the core's rules (a SKU the
// ledger accepts, core/event.hpp; validate_policy, core/transition.hpp: 22023 instead of a
// table's CHECK violation) and its errors show none of its internal SQL as CONTEXT. The policy
// trigger (pg/policy_trigger.cpp) then brings every level of the SKU to the new policy.
#include <string>

#include "core/error.hpp"
#include "core/stripes.hpp"
#include "core/transition.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_request.hpp"
#include "pg/lock_order.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_set_sku_policy);
}

namespace inventory::pg {
namespace {

Datum set_sku_policy_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
        throw Error(ErrorCode::NullArgument,
                    "sku, allow_backorder and safety_stock must not be NULL");
    }
    const std::string sku = *text_argument(fcinfo, 0);
    check_sku(sku);
    Policy policy;
    policy.allow_backorder = PG_GETARG_BOOL(1);
    policy.safety_stock = PG_GETARG_INT64(2);
    policy.backorder_limit = int64_argument(fcinfo, 3);
    validate_policy(policy);
    if (PG_ARGISNULL(4)) throw Error(ErrorCode::NullArgument, "stripes must not be NULL");
    const std::int32_t stripes = PG_GETARG_INT32(4);
    validate_stripe_count(stripes);

    static spi::Statement upsert(
        "INSERT INTO inventory.inventory_sku_policies AS p "
        "       (sku, allow_backorder, backorder_limit, safety_stock, updated_at, stripes) "
        "VALUES ($1, $2, $3, $4, pg_catalog.now(), $5) "
        "ON CONFLICT ON CONSTRAINT inventory_sku_policies_pkey DO UPDATE "
        "   SET allow_backorder = EXCLUDED.allow_backorder, "
        "       backorder_limit = EXCLUDED.backorder_limit, "
        "       safety_stock = EXCLUDED.safety_stock, updated_at = EXCLUDED.updated_at, "
        "       stripes = EXCLUDED.stripes "
        "RETURNING p.*",
        {TEXTOID, BOOLOID, INT8OID, INT8OID, INT4OID});
    // A new stripe count writes REBALANCE rows: the ledger's lock first, as every writer takes
    // it (README: Locks), before the policy row's.
    lock_ledger_for_writing();
    spi::connect();
    const Datum values[] = {spi::text_datum(sku), BoolGetDatum(policy.allow_backorder),
                            Int64GetDatum(policy.backorder_limit.value_or(0)),
                            Int64GetDatum(policy.safety_stock), Int32GetDatum(stripes)};
    const char nulls[] = {' ', ' ', policy.backorder_limit ? ' ' : 'n', ' ', ' ', '\0'};
    upsert.execute(values, nulls);
    // The row, copied into the caller's memory context before SPI's goes away.
    const Datum row = pg_guard([] {
        return PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc));
    });
    spi::finish();
    return row;
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_set_sku_policy(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::set_sku_policy_body(fcinfo); });
}
