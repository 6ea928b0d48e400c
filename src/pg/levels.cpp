#include "pg/levels.hpp"

#include <string>

#include "core/error.hpp"
#include "core/sku_lock.hpp"
#include "pg/array_builder.hpp"
#include "pg/change_feed.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_create_levels);
}

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

// An index probe per warehouse, as the statements of create_levels() below.
void require_warehouses(const LevelArrays& arrays) {
    static spi::Statement unknown_warehouse(
        "SELECT w FROM pg_catalog.unnest($1::pg_catalog.int4[]) AS w "
        "LEFT JOIN LATERAL (SELECT true AS found FROM inventory.inventory_warehouses x "
        "                   WHERE x.id OPERATOR(pg_catalog.=) w LIMIT 1) x ON true "
        "WHERE x.found IS NULL "
        "ORDER BY w LIMIT 1",
        {INT4ARRAYOID});
    const Datum values[] = {arrays.warehouses};
    if (unknown_warehouse.execute(values, nullptr, true) > 0) {
        throw Error(ErrorCode::UnknownWarehouse,
                    "unknown warehouse " + std::to_string(spi::get_int32(0, 1)), "",
                    "Create it with inventory.inventory_create_warehouse(code, name, country).");
    }
}

// Under REPEATABLE READ and SERIALIZABLE a new level must copy the policy the transaction's
// snapshot shows: if a policy row of these SKUs was inserted, updated or deleted by a
// transaction that committed after that snapshot (it cannot still be running: its trigger holds
// the SKU's advisory lock, which we hold now), the copy would be stale.
void require_policies_unchanged(Datum skus) {
    static spi::Statement policy_rows(
        "SELECT pg_catalog.string_agg(p.ctid::pg_catalog.text, ',' ORDER BY p.ctid) "
        "FROM inventory.inventory_sku_policies p WHERE p.sku OPERATOR(pg_catalog.=) ANY ($1)",
        {TEXTARRAYOID});
    const Datum values[] = {skus};
    if (!changed_since_snapshot(policy_rows, values)) return;
    throw Error(ErrorCode::SerializationFailure,
                "could not serialize access: the policy of a SKU whose level this transaction "
                "creates was changed by a concurrent transaction",
                "A new level copies its SKU's policy, and this transaction's snapshot no longer "
                "shows the current one.",
                "Retry the transaction.");
}

}  // namespace

LevelArrays level_arrays(std::span<const LevelId> levels) {
    ArrayBuilder skus(TEXTOID);
    ArrayBuilder warehouses(INT4OID);
    for (const auto& [sku, warehouse_id] : levels) {
        skus.add(spi::text_datum(sku));
        warehouses.add(Int32GetDatum(warehouse_id));
    }
    return {skus.build(), warehouses.build()};
}

bool changed_since_snapshot(spi::Statement& statement, const Datum* values) {
    if (!IsolationUsesXactSnapshot()) return false;  // each statement takes a new snapshot
    statement.execute(values, nullptr);
    const auto seen = spi::get_optional_text(0, 1);
    statement.execute_on_latest_snapshot(values, nullptr);
    return spi::get_optional_text(0, 1) != seen;
}

void lock_ledger_for_writing() {
    pg_guard([] {
        const Oid schema = get_namespace_oid("inventory", false);
        const Oid ledger = get_relname_relid("inventory_ledger", schema);
        if (!OidIsValid(ledger)) elog(ERROR, "inventory: table inventory_ledger is missing");
        LockRelationOid(ledger, RowExclusiveLock);
    });
}

void lock_skus(std::span<const std::string> skus, SkuLockMode mode) {
    const bool exclusive = mode == SkuLockMode::ChangePolicy;
    for (const std::int32_t key : sku_lock_keys(skus)) {
        pg_guard([key, exclusive] {
            DirectFunctionCall2(
                exclusive ? pg_advisory_xact_lock_int4 : pg_advisory_xact_lock_shared_int4,
                Int32GetDatum(kSkuLockClass), Int32GetDatum(key));
        });
    }
}

std::size_t create_levels(std::span<const LevelId> levels, bool check_warehouses) {
    if (levels.empty()) return 0;
    // Both statements keep one generic plan for the life of the backend, planned while the
    // tables may be empty. Written as LATERAL probes with LIMIT 1, that plan is an index probe
    // per requested level; as a plain anti-join or join it would be a hash join over a
    // sequential scan of the whole table, for every call (and, under SERIALIZABLE, a predicate
    // lock on the whole table, so that any two transactions creating levels conflict).
    static spi::Statement find_missing(
        "SELECT u.sku, u.wh "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "               pg_catalog.unnest($2::pg_catalog.int4[])) AS u(sku, wh) "
        "LEFT JOIN LATERAL (SELECT true AS found FROM inventory.inventory_levels l "
        "                   WHERE l.sku OPERATOR(pg_catalog.=) u.sku "
        "                     AND l.warehouse_id OPERATOR(pg_catalog.=) u.wh LIMIT 1) x ON true "
        "WHERE x.found IS NULL "
        "GROUP BY u.sku, u.wh ORDER BY u.sku COLLATE pg_catalog.\"C\", u.wh",
        {TEXTARRAYOID, INT4ARRAYOID});
    // A new level starts empty, with the copies of the SKU's policy its CHECK constraints need.
    static spi::Statement create(
        "INSERT INTO inventory.inventory_levels "
        "  (sku, warehouse_id, safety_stock, allow_backorder, backorder_limit) "
        "SELECT u.sku, u.wh, COALESCE(p.safety_stock, 0), COALESCE(p.allow_backorder, false), "
        "       p.backorder_limit "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "               pg_catalog.unnest($2::pg_catalog.int4[])) AS u(sku, wh) "
        "LEFT JOIN LATERAL (SELECT q.safety_stock, q.allow_backorder, q.backorder_limit "
        "                   FROM inventory.inventory_sku_policies q "
        "                   WHERE q.sku OPERATOR(pg_catalog.=) u.sku LIMIT 1) p ON true "
        "ORDER BY u.sku COLLATE pg_catalog.\"C\", u.wh "
        "ON CONFLICT (sku, warehouse_id) DO NOTHING",
        {TEXTARRAYOID, INT4ARRAYOID});

    const LevelArrays all = level_arrays(levels);
    const Datum all_values[] = {all.skus, all.warehouses};
    const std::uint64_t rows = find_missing.execute(all_values, nullptr);
    if (rows == 0) return 0;  // every level exists: no lock, the common case
    std::vector<LevelId> missing;
    std::vector<std::string> skus;
    missing.reserve(rows);
    for (std::uint64_t r = 0; r < rows; ++r) {
        missing.emplace_back(*spi::get_optional_text(r, 1), spi::get_int32(r, 2));
        skus.push_back(missing.back().first);
    }
    const LevelArrays arrays = level_arrays(missing);
    if (check_warehouses) require_warehouses(arrays);

    // The SKUs' advisory locks, then the policies read on a snapshot taken after them.
    lock_skus(skus, SkuLockMode::CreateLevels);
    require_policies_unchanged(arrays.skus);
    const Datum values[] = {arrays.skus, arrays.warehouses};
    return static_cast<std::size_t>(create.execute(values, nullptr));
}

LockedLevel lock_level(std::string_view sku, std::int32_t warehouse_id) {
    const Datum sku_datum = spi::text_datum(sku);
    LockedLevel locked;
    if (select_for_update(sku_datum, warehouse_id, locked)) return locked;
    const LevelId id{std::string(sku), warehouse_id};
    create_levels({&id, 1});
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
    notify_levels_changed();
}

void restore_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                   std::int64_t version) {
    const Datum sku_datum = spi::text_datum(sku);
    LockedLevel current;
    if (!select_for_update(sku_datum, warehouse_id, current)) {
        // No warehouse check: a restore loads the ledger before the warehouses (pg_dump orders
        // table data by name), and restored history names warehouses that existed.
        const LevelId id{std::string(sku), warehouse_id};
        create_levels({&id, 1}, /*check_warehouses=*/false);
        if (!select_for_update(sku_datum, warehouse_id, current)) {
            throw Error(ErrorCode::Internal, "inventory level row vanished after it was created");
        }
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

namespace {

struct ArrayContents {
    Datum* elements;
    bool* nulls;
    int count;
    int dimensions;
};

ArrayContents array_contents(Datum array, Oid element_type) {
    return pg_guard([array, element_type] {
        ArrayType* a = DatumGetArrayTypeP(array);
        int16 length;
        bool by_value;
        char align;
        get_typlenbyvalalign(element_type, &length, &by_value, &align);
        ArrayContents out{nullptr, nullptr, 0, ARR_NDIM(a)};
        deconstruct_array(a, element_type, length, by_value, align, &out.elements, &out.nulls,
                          &out.count);
        return out;
    });
}

// inventory_create_levels(skus text[], warehouse_ids integer[]): create_levels() for the order
// code, pairing the arrays element by element.
Datum create_levels_function(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        throw Error(ErrorCode::NullArgument, "skus and warehouse_ids must not be NULL");
    }
    const ArrayContents skus = array_contents(PG_GETARG_DATUM(0), TEXTOID);
    const ArrayContents warehouses = array_contents(PG_GETARG_DATUM(1), INT4OID);
    if (skus.dimensions > 1 || warehouses.dimensions > 1 || skus.count != warehouses.count) {
        throw Error(ErrorCode::InvalidParameter,
                    "skus and warehouse_ids must be one-dimensional arrays of the same length",
                    "Element i of both names one level.");
    }
    std::vector<LevelId> levels;
    levels.reserve(static_cast<std::size_t>(skus.count));
    for (int i = 0; i < skus.count; ++i) {
        if (skus.nulls[i] || warehouses.nulls[i]) {
            throw Error(ErrorCode::NullArgument,
                        "skus and warehouse_ids must not contain NULL (element " +
                            std::to_string(i + 1) + ")");
        }
        // The SKUs come from callers that validated them (the order code; a rebuild, from the
        // ledger): a SKU that an older version accepted must still get its level.
        levels.emplace_back(spi::text_value(skus.elements[i]),
                            DatumGetInt32(warehouses.elements[i]));
    }
    lock_ledger_for_writing();
    spi::connect();
    create_levels(levels);
    spi::finish();
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_create_levels(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::create_levels_function(fcinfo); });
}
