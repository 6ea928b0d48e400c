// inventory_ats (per SKU, per warehouse, per ship-to country) and inventory_availability: the
// reads that decide a checkout. In C++ so that their argument rules are the core's
// (core/warehouse.hpp) and their errors come from the error bridge, with no CONTEXT; each query
// is a statement prepared once per backend with a generic plan (pg/spi.hpp), an index probe of
// the levels by SKU. (A LANGUAGE sql function with a SET clause is never inlined and, in
// PostgreSQL 15, parses and plans its query at every call: half the calls per second.)
// The functions are STABLE: every query runs read-only on the calling statement's snapshot.
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/warehouse.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_ats);
PG_FUNCTION_INFO_V1(inventory_ats_in_warehouse);
PG_FUNCTION_INFO_V1(inventory_ats_for_ship_to);
PG_FUNCTION_INFO_V1(inventory_availability);
}

namespace inventory::pg {
namespace {

// A backordered warehouse counts 0 in a sum over warehouses.
Datum ats_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) null_argument("sku");
    static spi::Statement sum_levels(
        "SELECT coalesce(sum(greatest(l.available_to_sell, 0)), 0)::bigint "
        "FROM inventory.inventory_levels l WHERE l.sku = $1",
        {TEXTOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0)};
    sum_levels.execute(values, nullptr, /*read_only=*/true);
    const std::int64_t available = spi::get_int64(0, 1);
    spi::finish();
    PG_RETURN_INT64(available);
}

std::int64_t ats_in_warehouse(Datum sku, std::int32_t warehouse_id) {
    static spi::Statement read_level(
        "SELECT EXISTS (SELECT FROM inventory.inventory_warehouses w WHERE w.id = $2), "
        "       (SELECT l.available_to_sell FROM inventory.inventory_levels l "
        "         WHERE l.sku = $1 AND l.warehouse_id = $2)",
        {TEXTOID, INT4OID});
    spi::connect();
    const Datum values[] = {sku, Int32GetDatum(warehouse_id)};
    read_level.execute(values, nullptr, /*read_only=*/true);
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::UnknownWarehouse,
                    "unknown warehouse " + std::to_string(warehouse_id));
    }
    const std::int64_t available = spi::get_optional_int64(0, 2).value_or(0);
    spi::finish();
    return available;
}

Datum ats_in_warehouse_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "sku and warehouse_id must not be NULL");
    }
    PG_RETURN_INT64(ats_in_warehouse(PG_GETARG_DATUM(0), PG_GETARG_INT32(1)));
}

Datum ats_for_ship_to_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "sku and ship_to must not be NULL");
    }
    const std::string ship_to = *text_argument(fcinfo, 1);
    if (ship_to_is_warehouse_id(ship_to)) {
        // PostgreSQL's own cast: 22003 for digits beyond the integer range.
        const char* digits = ship_to.c_str();
        const std::int32_t warehouse_id = pg_guard([digits] {
            return DatumGetInt32(DirectFunctionCall1(int4in, CStringGetDatum(digits)));
        });
        PG_RETURN_INT64(ats_in_warehouse(PG_GETARG_DATUM(0), warehouse_id));
    }
    const std::string country = normalize_ship_to(ship_to);
    static spi::Statement sum_levels(
        "SELECT coalesce(sum(greatest(l.available_to_sell, 0)), 0)::bigint "
        "FROM inventory.inventory_levels l "
        "JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = l.warehouse_id "
        "WHERE l.sku = $1 AND c.country = $2",
        {TEXTOID, TEXTOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0), spi::text_datum(country)};
    sum_levels.execute(values, nullptr, /*read_only=*/true);
    const std::int64_t available = spi::get_int64(0, 1);
    spi::finish();
    PG_RETURN_INT64(available);
}

// inventory_availability(sku) and inventory_availability(sku, ship_to): ship_to NULL (or
// absent) is every warehouse.
Datum availability_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) null_argument("sku");
    const std::optional<std::string> ship_to =
        PG_NARGS() > 1 ? text_argument(fcinfo, 1) : std::nullopt;
    const std::optional<std::string> country =
        ship_to ? std::optional(normalize_ship_to(*ship_to)) : std::nullopt;
    static spi::Statement availability(
        "WITH positions AS ("
        "  SELECT p.*, w.code, w.country,"
        "         (SELECT coalesce(jsonb_agg(c.country ORDER BY c.country), '[]')"
        "            FROM inventory.inventory_warehouse_countries c"
        "           WHERE c.warehouse_id = p.warehouse_id) AS serves"
        "    FROM inventory.inventory_stock_positions p"
        "    JOIN inventory.inventory_warehouses w ON w.id = p.warehouse_id"
        "   WHERE p.sku = $1"
        "     AND ($2::text IS NULL OR EXISTS ("
        "           SELECT FROM inventory.inventory_warehouse_countries c"
        "            WHERE c.warehouse_id = p.warehouse_id AND c.country = $2))),"
        "countries AS ("
        "  SELECT c.country, sum(greatest(p.available_to_sell, 0))::bigint AS available"
        "    FROM positions p"
        "    JOIN inventory.inventory_warehouse_countries c ON c.warehouse_id = p.warehouse_id"
        "   WHERE $2::text IS NULL OR c.country = $2"
        "   GROUP BY c.country) "
        "SELECT jsonb_build_object("
        "         'sku', $1,"
        "         'available_to_sell', coalesce(sum(greatest(p.available_to_sell, 0)), 0),"
        "         'on_hand', coalesce(sum(p.on_hand), 0),"
        "         'reserved', coalesce(sum(p.reserved), 0),"
        "         'in_transit', coalesce(sum(p.in_transit), 0),"
        "         'incoming', coalesce(sum(p.incoming), 0),"
        "         'countries', coalesce((SELECT jsonb_object_agg(c.country, c.available)"
        "                                  FROM countries c), '{}'),"
        "         'warehouses', coalesce(jsonb_agg(jsonb_build_object("
        "             'warehouse_id', p.warehouse_id, 'code', p.code, 'country', p.country,"
        "             'serves', p.serves, 'on_hand', p.on_hand, 'reserved', p.reserved,"
        "             'available_to_sell', p.available_to_sell, 'in_transit', p.in_transit,"
        "             'incoming', p.incoming, 'next_expected_at', p.next_expected_at)"
        "             ORDER BY p.warehouse_id), '[]'::jsonb))"
        "   || CASE WHEN $2::text IS NULL THEN '{}'::jsonb"
        "           ELSE jsonb_build_object('ship_to', $2) END "
        "  FROM positions p",
        {TEXTOID, TEXTOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0), country ? spi::text_datum(*country) : Datum{0}};
    const char nulls[] = {' ', country ? ' ' : 'n', '\0'};
    availability.execute(values, nulls, /*read_only=*/true);
    const Datum result = spi::copy_out(spi::get_datum(0, 1), false, -1);
    spi::finish();
    return result;
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_ats(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::ats_body(fcinfo); });
}

extern "C" Datum inventory_ats_in_warehouse(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::ats_in_warehouse_body(fcinfo); });
}

extern "C" Datum inventory_ats_for_ship_to(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::ats_for_ship_to_body(fcinfo); });
}

extern "C" Datum inventory_availability(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::availability_body(fcinfo); });
}
