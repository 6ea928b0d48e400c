#include "pg/level_store.hpp"

#include <algorithm>
#include <iterator>
#include <ranges>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/transition.hpp"
#include "pg/array_builder.hpp"
#include "pg/change_feed.hpp"
#include "pg/lock_order.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_create_levels);
}

namespace inventory::pg {
namespace {

// Levels as two parallel arrays (text[] skus, int4[] warehouse ids), in the given order, for
// the statements that unnest them.
struct LevelArrays {
    Datum skus;
    Datum warehouses;
};

template <typename Keys>
LevelArrays level_arrays(const Keys& levels) {
    ArrayBuilder skus(TEXTOID);
    ArrayBuilder warehouses(INT4OID);
    for (const LevelKey& key : levels) {
        skus.add(spi::text_datum(key.sku));
        warehouses.add(Int32GetDatum(key.warehouse_id));
    }
    return {skus.build(), warehouses.build()};
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

// A level row's on_hand, reserved, version, safety_stock, allow_backorder, backorder_limit,
// from column `first` of SPI result row `row`.
LockedLevel locked_level(std::uint64_t row, int first) {
    LockedLevel state;
    state.level.on_hand = spi::get_int64(row, first);
    state.level.reserved = spi::get_int64(row, first + 1);
    state.version = spi::get_int64(row, first + 2);
    state.policy.safety_stock = spi::get_int64(row, first + 3);
    state.policy.allow_backorder = spi::get_bool(row, first + 4);
    state.policy.backorder_limit = spi::get_optional_int64(row, first + 5);
    return state;
}

// Locks the rows of `levels` that exist, in LevelKey order, and reads them into `levels`;
// returns how many it found.
std::size_t lock_existing(LockedLevels& levels) {
    // The arrays are in LevelKey order, and each element is an index probe (the LATERAL
    // subquery, which a generic plan cannot turn into a hash join over the whole table) that
    // locks the row it finds: the rows are locked in array order.
    static spi::Statement lock(
        "SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.version, l.safety_stock, "
        "       l.allow_backorder, l.backorder_limit "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "               pg_catalog.unnest($2::pg_catalog.int4[])) AS u(sku, wh) "
        "CROSS JOIN LATERAL (SELECT x.* FROM inventory.inventory_levels x "
        "                    WHERE x.sku OPERATOR(pg_catalog.=) u.sku "
        "                      AND x.warehouse_id OPERATOR(pg_catalog.=) u.wh "
        "                    FOR UPDATE) l",
        {TEXTARRAYOID, INT4ARRAYOID});
    static spi::Statement lock_one(
        "SELECT sku, warehouse_id, on_hand, reserved, version, safety_stock, allow_backorder, "
        "       backorder_limit "
        "FROM inventory.inventory_levels "
        "WHERE sku OPERATOR(pg_catalog.=) $1 AND warehouse_id OPERATOR(pg_catalog.=) $2 "
        "FOR UPDATE",
        {TEXTOID, INT4OID});
    std::uint64_t rows = 0;
    if (levels.size() == 1) {
        const LevelKey& key = levels.begin()->first;
        const Datum values[] = {spi::text_datum(key.sku), Int32GetDatum(key.warehouse_id)};
        rows = lock_one.execute(values, nullptr);
    } else {
        const LevelArrays arrays = level_arrays(std::views::keys(levels));
        const Datum values[] = {arrays.skus, arrays.warehouses};
        rows = lock.execute(values, nullptr);
    }
    for (std::uint64_t r = 0; r < rows; ++r) {
        levels.at({*spi::get_optional_text(r, 1), spi::get_int32(r, 2)}) = locked_level(r, 3);
    }
    return static_cast<std::size_t>(rows);
}

LockedLevels lock_levels(std::span<const LevelKey> keys, bool check_warehouses) {
    LockedLevels levels;
    for (const LevelKey& key : keys) levels.try_emplace(key);
    if (levels.empty()) return levels;
    std::vector<LevelKey> sorted;
    sorted.reserve(levels.size());
    for (const auto& entry : levels) sorted.push_back(entry.first);
    // Several levels: create the missing ones first (create_levels takes their SKUs' advisory
    // locks), so that no row is created, and no advisory lock taken, after a level row was
    // locked. One level: lock it, and create it only if it is missing.
    if (levels.size() > 1) create_levels(sorted, check_warehouses);
    if (lock_existing(levels) == levels.size()) return levels;
    create_levels(sorted, check_warehouses);
    if (lock_existing(levels) != levels.size()) {
        throw Error(ErrorCode::Internal, "inventory level rows vanished after they were created");
    }
    return levels;
}

using LevelEntry = LockedLevels::value_type;

// One UPDATE for a slice of the levels. Its generic plan finds each row by an index probe
// (LATERAL with LIMIT 1, as in create_levels) and updates it by its ctid, which cannot change
// under the row lock; a plain join would be planned as a hash join over the whole table.
void update_levels(std::span<const LevelEntry* const> levels) {
    static spi::Statement update(
        "UPDATE inventory.inventory_levels l "
        "SET on_hand = u.on_hand, reserved = u.reserved, available_to_sell = u.available, "
        "    version = u.version, safety_stock = u.safety_stock, "
        "    allow_backorder = u.allow_backorder, backorder_limit = u.backorder_limit, "
        "    updated_at = pg_catalog.now() "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "  pg_catalog.unnest($2::pg_catalog.int4[]), "
        "  pg_catalog.unnest($3::pg_catalog.int8[]), "
        "  pg_catalog.unnest($4::pg_catalog.int8[]), "
        "  pg_catalog.unnest($5::pg_catalog.int8[]), "
        "  pg_catalog.unnest($6::pg_catalog.int8[]), "
        "  pg_catalog.unnest($7::pg_catalog.int8[]), "
        "  pg_catalog.unnest($8::pg_catalog.bool[]), "
        "  pg_catalog.unnest($9::pg_catalog.int8[])) "
        "  AS u(sku, wh, on_hand, reserved, available, version, safety_stock, allow_backorder, "
        "       backorder_limit) "
        "CROSS JOIN LATERAL (SELECT x.ctid AS row_id FROM inventory.inventory_levels x "
        "                    WHERE x.sku OPERATOR(pg_catalog.=) u.sku "
        "                      AND x.warehouse_id OPERATOR(pg_catalog.=) u.wh LIMIT 1) x "
        "WHERE l.ctid OPERATOR(pg_catalog.=) x.row_id",
        {TEXTARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
         INT8ARRAYOID, BOOLARRAYOID, INT8ARRAYOID});
    static spi::Statement update_one(
        "UPDATE inventory.inventory_levels "
        "SET on_hand = $3, reserved = $4, available_to_sell = $5, version = $6, "
        "    safety_stock = $7, allow_backorder = $8, backorder_limit = $9, "
        "    updated_at = pg_catalog.now() "
        "WHERE sku OPERATOR(pg_catalog.=) $1 AND warehouse_id OPERATOR(pg_catalog.=) $2",
        {TEXTOID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, BOOLOID, INT8OID});
    ArrayBuilder skus(TEXTOID), warehouses(INT4OID), on_hand(INT8OID), reserved(INT8OID),
        available(INT8OID), versions(INT8OID), safety_stock(INT8OID), allow_backorder(BOOLOID),
        backorder_limit(INT8OID);
    for (const LevelEntry* entry : levels) {
        const auto& [key, state] = *entry;
        skus.add(spi::text_datum(key.sku));
        warehouses.add(Int32GetDatum(key.warehouse_id));
        on_hand.add(Int64GetDatum(state.level.on_hand));
        reserved.add(Int64GetDatum(state.level.reserved));
        available.add(Int64GetDatum(available_to_sell(state.level, state.policy)));
        versions.add(Int64GetDatum(state.version));
        safety_stock.add(Int64GetDatum(state.policy.safety_stock));
        allow_backorder.add(BoolGetDatum(state.policy.allow_backorder));
        backorder_limit.add_optional(state.policy.backorder_limit,
                                     [](Quantity limit) { return Int64GetDatum(limit); });
    }
    const ArrayBuilder* columns[] = {&skus,         &warehouses,      &on_hand,
                                     &reserved,     &available,       &versions,
                                     &safety_stock, &allow_backorder, &backorder_limit};
    const bool one_row = levels.size() == 1;
    Datum values[std::size(columns)];
    char nulls[std::size(columns)];
    bind_columns(columns, one_row, values, nulls);
    if ((one_row ? update_one : update).execute(values, nulls) != levels.size()) {
        throw Error(ErrorCode::Internal, "not every inventory level row was updated");
    }
}

}  // namespace

std::size_t create_levels(std::span<const LevelKey> levels, bool check_warehouses) {
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
    std::vector<LevelKey> missing;
    std::vector<std::string> skus;
    missing.reserve(rows);
    for (std::uint64_t r = 0; r < rows; ++r) {
        missing.push_back({*spi::get_optional_text(r, 1), spi::get_int32(r, 2)});
        skus.push_back(missing.back().sku);
    }
    const LevelArrays arrays = level_arrays(missing);
    if (check_warehouses) require_warehouses(arrays);

    // The SKUs' advisory locks, then the policies read on a snapshot taken after them.
    lock_skus(skus, SkuLockMode::CreateLevels);
    require_policies_unchanged(arrays.skus);
    const Datum values[] = {arrays.skus, arrays.warehouses};
    return static_cast<std::size_t>(create.execute(values, nullptr));
}

LockedLevels lock_levels(std::span<const LevelKey> levels) {
    return lock_levels(levels, /*check_warehouses=*/true);
}

LockedLevels lock_sku_levels(const std::string& sku) {
    static spi::Statement lock(
        "SELECT warehouse_id, on_hand, reserved, version, safety_stock, allow_backorder, "
        "       backorder_limit "
        "FROM inventory.inventory_levels "
        "WHERE sku OPERATOR(pg_catalog.=) $1 ORDER BY warehouse_id FOR UPDATE",
        {TEXTOID});
    const Datum values[] = {spi::text_datum(sku)};
    const std::uint64_t rows = lock.execute(values, nullptr);
    LockedLevels levels;
    for (std::uint64_t r = 0; r < rows; ++r) {
        levels.emplace(LevelKey{sku, spi::get_int32(r, 1)}, locked_level(r, 2));
    }
    return levels;
}

void store_levels(const LockedLevels& levels) {
    if (levels.empty()) return;
    // Slices keep each unnest() within work_mem.
    constexpr std::size_t kSlice = 2000;
    std::vector<const LevelEntry*> entries;
    entries.reserve(levels.size());
    for (const auto& entry : levels) entries.push_back(&entry);
    for (std::size_t from = 0; from < entries.size(); from += kSlice) {
        update_levels(std::span<const LevelEntry* const>(entries).subspan(
            from, std::min(kSlice, entries.size() - from)));
    }
    notify_levels_changed();
}

void restore_level(const LevelKey& key, const Level& after, std::int64_t version) {
    // No warehouse check: a restore loads the ledger before the warehouses (pg_dump orders
    // table data by name), and restored history names warehouses that existed.
    LockedLevels levels = lock_levels({&key, 1}, /*check_warehouses=*/false);
    LockedLevel& current = levels.begin()->second;
    if (current.version >= version) return;  // a later event of this level is already restored
    current.level = after;
    current.version = version;
    // The restored history proves the SKU allowed backorders then; the policy rows restored
    // after the ledger correct the copy.
    if (after.on_hand < after.reserved) current.policy.allow_backorder = true;
    store_levels(levels);
}

bool level_exists(const LevelKey& key) {
    static spi::Statement exists(
        "SELECT EXISTS (SELECT FROM inventory.inventory_levels l "
        "WHERE l.sku OPERATOR(pg_catalog.=) $1 AND l.warehouse_id OPERATOR(pg_catalog.=) $2)",
        {TEXTOID, INT4OID});
    spi::connect();  // nested: the callers may or may not be connected
    const Datum values[] = {spi::text_datum(key.sku), Int32GetDatum(key.warehouse_id)};
    exists.execute(values, nullptr, true);
    const bool found = spi::get_bool(0, 1);
    spi::finish();
    return found;
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
    std::vector<LevelKey> levels;
    levels.reserve(static_cast<std::size_t>(skus.count));
    for (int i = 0; i < skus.count; ++i) {
        if (skus.nulls[i] || warehouses.nulls[i]) {
            throw Error(ErrorCode::NullArgument,
                        "skus and warehouse_ids must not contain NULL (element " +
                            std::to_string(i + 1) + ")");
        }
        // The SKUs come from callers that validated them (the order code; a rebuild, from the
        // ledger): a SKU that an older version accepted must still get its level.
        levels.push_back(
            {spi::text_value(skus.elements[i]), DatumGetInt32(warehouses.elements[i])});
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
