#include "pg/level_store.hpp"

#include <algorithm>
#include <iterator>
#include <ranges>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/transition.hpp"
#include "pg/array_builder.hpp"
#include "pg/change_feed.hpp"
#include "pg/direct_tables.hpp"
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

// The columns the level store reads and writes, by name.
direct::Columns level_columns{
    "sku",          "warehouse_id",    "on_hand",         "reserved",          "version",
    "safety_stock", "allow_backorder", "backorder_limit", "available_to_sell", "updated_at"};
enum LevelColumn : std::size_t {
    kSku,
    kWarehouse,
    kOnHand,
    kReserved,
    kVersion,
    kSafetyStock,
    kAllowBackorder,
    kBackorderLimit,
    kAvailable,
    kUpdatedAt
};
int column(LevelColumn c) {
    return level_columns(direct::TableId::Levels, c);
}

// The level row in `slot`.
LockedLevel read_level(TupleTableSlot* slot) {
    LockedLevel state;
    state.level.on_hand = DatumGetInt64(direct::get(slot, column(kOnHand)));
    state.level.reserved = DatumGetInt64(direct::get(slot, column(kReserved)));
    state.version = DatumGetInt64(direct::get(slot, column(kVersion)));
    state.policy.safety_stock = DatumGetInt64(direct::get(slot, column(kSafetyStock)));
    state.policy.allow_backorder = DatumGetBool(direct::get(slot, column(kAllowBackorder)));
    if (!direct::is_null(slot, column(kBackorderLimit)))
        state.policy.backorder_limit = DatumGetInt64(direct::get(slot, column(kBackorderLimit)));
    state.row = slot->tts_tid;
    return state;
}

bool holds_key(TupleTableSlot* slot, const LevelKey& key) {
    return DatumGetInt32(direct::get(slot, column(kWarehouse))) == key.warehouse_id &&
           spi::text_value(direct::get(slot, column(kSku))) == key.sku;
}

constexpr Oid kLevelKeyEquality[] = {F_TEXTEQ, F_INT4EQ};

// The level rows this transaction has written, and where their latest version is. Locking
// such a level again needs no index probe: the version is this transaction's own, which no
// other transaction can lock or change before it ends, and an index probe would walk the whole
// HOT chain of the versions this transaction wrote (one per event, none prunable yet). Checked
// before use (written_by_us_and_current); forgotten when a subtransaction aborts, when the
// levels table is invalidated and when the transaction ends (direct::on_writes_undone).
std::map<LevelKey, ItemPointerData> written_levels;

void forget_written_levels() {
    written_levels.clear();
}

// The level's latest version if this transaction wrote it, into `slot`.
std::optional<LockedLevel> written_level(const LevelKey& key) {
    const auto found = written_levels.find(key);
    if (found == written_levels.end()) return std::nullopt;
    TupleTableSlot* slot = direct::scan_slot(direct::TableId::Levels);
    std::optional<LockedLevel> level;
    try {
        if (direct::fetch_version(direct::TableId::Levels, found->second, slot) &&
            direct::written_by_us_and_current(slot) && holds_key(slot, key)) {
            level = read_level(slot);
        }
    } catch (...) {
        direct::release(slot);
        throw;
    }
    direct::release(slot);
    if (!level) written_levels.erase(found);
    return level;
}

// Finds the level's row through the primary key on the statement's snapshot and, with Lock,
// locks it FOR UPDATE (under READ COMMITTED its latest version, the key rechecked when the lock
// followed an update; a row deleted meanwhile counts as missing; with skip_locked a row another
// transaction holds counts as missing too). nullopt when it is missing.
std::optional<LockedLevel> find_level(const LevelKey& key, LevelRead mode,
                                      const direct::Statement& statement,
                                      bool skip_locked = false) {
    if (mode == LevelRead::Lock) {
        if (auto level = written_level(key)) return level;
    }
    const Datum values[] = {spi::text_datum(key.sku), Int32GetDatum(key.warehouse_id)};
    direct::IndexProbe probe(direct::TableId::Levels, "inventory_levels_pkey", values,
                             kLevelKeyEquality, statement);
    if (!probe.next()) return std::nullopt;
    TupleTableSlot* slot = probe.slot();
    if (mode == LevelRead::Lock) {
        ItemPointerData row = slot->tts_tid;
        const direct::LockResult lock =
            direct::lock_row(direct::TableId::Levels, &row, slot, statement, skip_locked);
        if (!lock.locked) return std::nullopt;
        if (lock.followed && !holds_key(slot, key)) return std::nullopt;
    }
    return read_level(slot);
}

// Locks the rows of `levels` that exist, in LevelKey order (the map's), and reads them into
// `levels` (Peek: reads them without locks); returns how many it found. `found`, if given,
// collects their keys. One statement: one snapshot for all of them.
std::size_t lock_existing(LockedLevels& levels, LevelRead mode = LevelRead::Lock,
                          std::set<LevelKey>* found = nullptr) {
    const direct::Statement statement;
    std::size_t count = 0;
    for (auto& [key, state] : levels) {
        auto level = find_level(key, mode, statement);
        if (!level) continue;
        state = *level;
        ++count;
        if (found != nullptr) found->insert(key);
    }
    return count;
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

// Writes each level's figures, version, policy copies and available_to_sell as a new version
// of its locked row, on the direct path: the other columns as they are.
void update_levels(std::span<const LevelEntry* const> levels) {
    direct::on_writes_undone(forget_written_levels);
    const direct::Statement statement;
    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    for (const LevelEntry* entry : levels) {
        const LockedLevel& state = entry->second;
        direct::NewRow row(direct::TableId::Levels);
        direct::load_current(row, state.row);
        row.set(column(kOnHand), Int64GetDatum(state.level.on_hand));
        row.set(column(kReserved), Int64GetDatum(state.level.reserved));
        row.set(column(kAvailable), Int64GetDatum(available_to_sell(state.level, state.policy)));
        row.set(column(kVersion), Int64GetDatum(state.version));
        row.set(column(kSafetyStock), Int64GetDatum(state.policy.safety_stock));
        row.set(column(kAllowBackorder), BoolGetDatum(state.policy.allow_backorder));
        if (state.policy.backorder_limit) {
            row.set(column(kBackorderLimit), Int64GetDatum(*state.policy.backorder_limit));
        } else {
            row.set_null(column(kBackorderLimit));
        }
        row.set(column(kUpdatedAt), now);
        direct::update_row(row, &state.row, statement);
        written_levels.insert_or_assign(entry->first, state.row);
    }
}

}  // namespace

LockedLevels read_existing_levels(std::span<const LevelKey> keys, LevelRead mode) {
    LockedLevels levels;
    for (const LevelKey& key : keys) levels.try_emplace(key);
    if (levels.empty()) return levels;
    std::set<LevelKey> found;
    (void)lock_existing(levels, mode, &found);
    std::erase_if(levels, [&](const auto& entry) { return !found.contains(entry.first); });
    return levels;
}

std::size_t create_levels(std::span<const LevelKey> levels, bool check_warehouses) {
    if (levels.empty()) return 0;
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

    // Which levels are missing: a primary-key probe each, without locks.
    LockedLevels wanted;
    for (const LevelKey& key : levels) wanted.try_emplace(key);
    std::set<LevelKey> existing;
    if (lock_existing(wanted, LevelRead::Peek, &existing) == wanted.size()) {
        return 0;  // every level exists: no lock, the common case
    }
    std::vector<LevelKey> missing;  // in LevelKey order, as the map holds them
    std::vector<std::string> skus;
    for (const auto& entry : wanted) {
        if (existing.contains(entry.first)) continue;
        missing.push_back(entry.first);
        skus.push_back(entry.first.sku);
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

bool try_lock_level(const LevelKey& key, const direct::Statement& statement) {
    return find_level(key, LevelRead::Lock, statement, /*skip_locked=*/true).has_value();
}

LockedLevels lock_sku_levels(const std::string& sku) {
    // The primary key's first column: the SKU's rows in warehouse order.
    const direct::Statement statement;
    std::vector<std::int32_t> warehouses;
    {
        const Datum values[] = {spi::text_datum(sku)};
        const Oid equality[] = {F_TEXTEQ};
        direct::IndexProbe probe(direct::TableId::Levels, "inventory_levels_pkey", values, equality,
                                 statement);
        while (probe.next()) {
            warehouses.push_back(DatumGetInt32(direct::get(probe.slot(), column(kWarehouse))));
        }
    }
    LockedLevels levels;
    for (const std::int32_t warehouse : warehouses) {
        const LevelKey key{sku, warehouse};
        if (auto level = find_level(key, LevelRead::Lock, statement)) levels.emplace(key, *level);
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
