// inventory_create_warehouse, inventory_serve_country and inventory_stop_serving_country: in C++
// so that their fields follow the core's rules (core/warehouse.hpp: 22023 with a clear message
// instead of a table's CHECK violation, countries upper-cased in ASCII whatever the locale) and
// their errors show none of their internal SQL as CONTEXT (pg/error_bridge.hpp). A duplicate
// code or id stays the unique index's own 23505, with its constraint name.
// inventory_warehouse_guard_trigger keeps a warehouse that holds stock records from going away
// or being renumbered; the countries it serves follow it.
#include <cstdint>
#include <optional>
#include <string>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/warehouse.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"
#include "pg/warehouses.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_create_warehouse);
PG_FUNCTION_INFO_V1(inventory_serve_country);
PG_FUNCTION_INFO_V1(inventory_stop_serving_country);
PG_FUNCTION_INFO_V1(inventory_warehouse_guard_trigger);
}

namespace inventory::pg {

void require_warehouse(std::int32_t warehouse_id) {
    static spi::Statement exists(
        "SELECT EXISTS (SELECT FROM inventory.inventory_warehouses w "
        "               WHERE w.id OPERATOR(pg_catalog.=) $1)",
        {INT4OID});
    const Datum id[] = {Int32GetDatum(warehouse_id)};
    exists.execute(id, nullptr, true);
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::UnknownWarehouse,
                    "unknown warehouse " + std::to_string(warehouse_id));
    }
}

namespace {

Datum create_warehouse_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
        throw Error(ErrorCode::NullArgument, "code, name and country must not be NULL");
    }
    const std::string code = *text_argument(fcinfo, 0);
    const std::string name = *text_argument(fcinfo, 1);
    validate_warehouse_code(code);
    validate_warehouse_name(name);
    const std::string country = normalize_country(*text_argument(fcinfo, 2));
    static spi::Statement insert_warehouse(
        "INSERT INTO inventory.inventory_warehouses (id, code, name, country) "
        "VALUES (coalesce($1, pg_catalog.nextval("
        "  'inventory.inventory_warehouses_id_seq'::pg_catalog.regclass)::integer), $2, $3, $4) "
        "RETURNING id",
        {INT4OID, TEXTOID, TEXTOID, TEXTOID});
    static spi::Statement insert_country(
        "INSERT INTO inventory.inventory_warehouse_countries (warehouse_id, country) "
        "VALUES ($1, $2)",
        {INT4OID, TEXTOID});
    spi::connect();
    const Datum country_datum = spi::text_datum(country);
    const Datum values[] = {PG_ARGISNULL(3) ? Datum{0} : PG_GETARG_DATUM(3), spi::text_datum(code),
                            spi::text_datum(name), country_datum};
    const char nulls[] = {PG_ARGISNULL(3) ? 'n' : ' ', ' ', ' ', ' ', '\0'};
    insert_warehouse.execute(values, nulls);
    const std::int32_t id = spi::get_int32(0, 1);
    const Datum country_values[] = {Int32GetDatum(id), country_datum};
    insert_country.execute(country_values, nullptr);
    spi::finish();
    return Int32GetDatum(id);
}

Datum serve_country_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
        throw Error(ErrorCode::NullArgument, "warehouse_id, country and priority must not be NULL");
    }
    const std::int32_t warehouse_id = PG_GETARG_INT32(0);
    const std::string country = normalize_country(*text_argument(fcinfo, 1));
    const std::int32_t priority = PG_GETARG_INT32(2);
    validate_serving_priority(priority);
    static spi::Statement upsert(
        "INSERT INTO inventory.inventory_warehouse_countries AS c (warehouse_id, country, "
        "priority) "
        "VALUES ($1, $2, $3) "
        "ON CONFLICT ON CONSTRAINT inventory_warehouse_countries_pkey "
        "DO UPDATE SET priority = EXCLUDED.priority",
        {INT4OID, TEXTOID, INT4OID});
    spi::connect();
    require_warehouse(warehouse_id);
    const Datum values[] = {Int32GetDatum(warehouse_id), spi::text_datum(country),
                            Int32GetDatum(priority)};
    upsert.execute(values, nullptr);
    spi::finish();
    PG_RETURN_VOID();
}

Datum stop_serving_country_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "warehouse_id and country must not be NULL");
    }
    static spi::Statement remove(
        "DELETE FROM inventory.inventory_warehouse_countries c "
        "WHERE c.warehouse_id OPERATOR(pg_catalog.=) $1 AND c.country OPERATOR(pg_catalog.=) $2",
        {INT4OID, TEXTOID});
    spi::connect();
    const Datum values[] = {PG_GETARG_DATUM(0),
                            spi::text_datum(to_upper_ascii(*text_argument(fcinfo, 1)))};
    const bool removed = remove.execute(values, nullptr) > 0;
    spi::finish();
    PG_RETURN_BOOL(removed);
}

// BEFORE DELETE OR UPDATE OF id ON inventory_warehouses, FOR EACH ROW. Runs as the caller (who
// may change warehouses): its ledger is permanent, so a warehouse that levels, ledger rows,
// incoming transfers, purchase orders or orders name keeps its id (23503). Otherwise the
// countries it serves are deleted with it or follow its new id.
Datum warehouse_guard_trigger(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        throw Error(ErrorCode::Internal,
                    "inventory_warehouse_guard_trigger: not called as trigger");
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    const bool deleting = TRIGGER_FIRED_BY_DELETE(data->tg_event);
    if (!TRIGGER_FIRED_BEFORE(data->tg_event) || !TRIGGER_FIRED_FOR_ROW(data->tg_event) ||
        !(deleting || TRIGGER_FIRED_BY_UPDATE(data->tg_event))) {
        throw Error(ErrorCode::Internal,
                    "inventory_warehouse_guard_trigger must fire BEFORE UPDATE OR DELETE ... ROW");
    }
    const TupleDesc desc = RelationGetDescr(data->tg_relation);
    const auto id_of = [desc](HeapTuple tuple) {
        return pg_guard([desc, tuple] {
            bool null = false;
            const Datum id = heap_getattr(tuple, SPI_fnumber(desc, "id"), desc, &null);
            if (null) elog(ERROR, "inventory: a warehouse without id");
            return DatumGetInt32(id);
        });
    };
    const std::int32_t old_id = id_of(data->tg_trigtuple);
    const Datum keep = PointerGetDatum(deleting ? data->tg_trigtuple : data->tg_newtuple);
    if (!deleting && id_of(data->tg_newtuple) == old_id) return keep;

    static spi::Statement has_stock_records(
        "SELECT EXISTS (SELECT FROM inventory.inventory_level_stripes l "
        "               WHERE l.warehouse_id OPERATOR(pg_catalog.=) $1)"
        "    OR EXISTS (SELECT FROM inventory.inventory_ledger g "
        "               WHERE g.warehouse_id OPERATOR(pg_catalog.=) $1)"
        "    OR EXISTS (SELECT FROM inventory.inventory_transfers t "
        "               WHERE t.to_warehouse_id OPERATOR(pg_catalog.=) $1)"
        "    OR EXISTS (SELECT FROM inventory.inventory_purchase_orders p "
        "               WHERE p.warehouse_id OPERATOR(pg_catalog.=) $1)"
        "    OR EXISTS (SELECT FROM inventory.inventory_orders o "
        "               WHERE o.warehouse_id OPERATOR(pg_catalog.=) $1)",
        {INT4OID});
    static spi::Statement delete_countries(
        "DELETE FROM inventory.inventory_warehouse_countries c "
        "WHERE c.warehouse_id OPERATOR(pg_catalog.=) $1",
        {INT4OID});
    static spi::Statement move_countries(
        "UPDATE inventory.inventory_warehouse_countries c SET warehouse_id = $2 "
        "WHERE c.warehouse_id OPERATOR(pg_catalog.=) $1",
        {INT4OID, INT4OID});
    spi::connect();
    const Datum values[] = {Int32GetDatum(old_id),
                            Int32GetDatum(deleting ? 0 : id_of(data->tg_newtuple))};
    has_stock_records.execute(values, nullptr);
    if (spi::get_bool(0, 1)) {
        throw Error(ErrorCode::StockRecordsExist,
                    "warehouse " + std::to_string(old_id) + " has stock records and cannot be " +
                        (deleting ? "deleted" : "renumbered"),
                    "", "Its ledger is permanent; leave the warehouse in place.");
    }
    (deleting ? delete_countries : move_countries).execute(values, nullptr);
    spi::finish();
    return keep;
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_create_warehouse(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::create_warehouse_body(fcinfo); });
}

extern "C" Datum inventory_serve_country(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::serve_country_body(fcinfo); });
}

extern "C" Datum inventory_stop_serving_country(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::stop_serving_country_body(fcinfo); });
}

extern "C" Datum inventory_warehouse_guard_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::warehouse_guard_trigger(fcinfo); });
}
