#include "pg/level_store.hpp"

#include <algorithm>
#include <iterator>
#include <ranges>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/quantity.hpp"
#include "core/sku_lock.hpp"
#include "core/stripes.hpp"
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
    "safety_stock", "allow_backorder", "backorder_limit", "available_to_sell", "updated_at",
    "stripe",       "stripe_count"};
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
    kUpdatedAt,
    kStripe,
    kStripeCount
};
int column(LevelColumn c) {
    return level_columns(direct::TableId::Levels, c);
}

constexpr const char* kStripesIndex = "inventory_level_stripes_pkey";

std::int16_t stripe_of(TupleTableSlot* slot) {
    return DatumGetInt16(direct::get(slot, column(kStripe)));
}

// The stripe row in `slot`.
StripeRow read_stripe(TupleTableSlot* slot) {
    StripeRow stripe;
    stripe.level.on_hand = DatumGetInt64(direct::get(slot, column(kOnHand)));
    stripe.level.reserved = DatumGetInt64(direct::get(slot, column(kReserved)));
    stripe.version = DatumGetInt64(direct::get(slot, column(kVersion)));
    stripe.count = DatumGetInt16(direct::get(slot, column(kStripeCount)));
    stripe.row = slot->tts_tid;
    return stripe;
}

Policy read_policy_copies(TupleTableSlot* slot) {
    Policy policy;
    policy.safety_stock = DatumGetInt64(direct::get(slot, column(kSafetyStock)));
    policy.allow_backorder = DatumGetBool(direct::get(slot, column(kAllowBackorder)));
    if (!direct::is_null(slot, column(kBackorderLimit)))
        policy.backorder_limit = DatumGetInt64(direct::get(slot, column(kBackorderLimit)));
    return policy;
}

bool holds_key(TupleTableSlot* slot, const LevelKey& key, std::int16_t stripe) {
    return DatumGetInt32(direct::get(slot, column(kWarehouse))) == key.warehouse_id &&
           stripe_of(slot) == stripe && spi::text_value(direct::get(slot, column(kSku))) == key.sku;
}

constexpr Oid kLevelKeyEquality[] = {F_TEXTEQ, F_INT4EQ};

// The stripe rows this transaction has written, and where their latest versions are. Locking
// such a stripe again needs no index probe: the version is this transaction's own, which no
// other transaction can lock or change before it ends, and an index probe would walk the whole
// HOT chain of the versions this transaction wrote (one per event, none prunable yet). Checked
// before use (written_by_us_and_current); forgotten when a subtransaction aborts, when the
// levels table is invalidated and when the transaction ends (direct::on_writes_undone).
// `whole`: every stripe of the level was held when they were written, so the rows are all of
// the level's stripes (a stripe is only created under the SKU's advisory lock, which a policy
// change takes; it then locks every stripe, which this transaction holds).
struct WrittenLevel {
    std::map<std::int16_t, ItemPointerData> rows;
    bool whole = false;
};
std::map<LevelKey, WrittenLevel> written_levels;

void forget_written_levels() {
    written_levels.clear();
}

// The stripe's latest version if this transaction wrote it and nobody changed it since.
std::optional<StripeRow> written_stripe(const LevelKey& key, std::int16_t stripe,
                                        const ItemPointerData& tid, Policy* policy) {
    const direct::ScratchSlot scratch(direct::TableId::Levels);
    TupleTableSlot* slot = scratch.get();
    std::optional<StripeRow> row;
    if (direct::fetch_version(direct::TableId::Levels, tid, slot) &&
        direct::written_by_us_and_current(slot) && holds_key(slot, key, stripe)) {
        row = read_stripe(slot);
        row->held = true;
        if (policy != nullptr) *policy = read_policy_copies(slot);
    }
    return row;
}

// The whole level from the rows this transaction wrote, when it wrote all of them.
std::optional<LockedLevel> written_level(const LevelKey& key) {
    const auto found = written_levels.find(key);
    if (found == written_levels.end() || !found->second.whole) return std::nullopt;
    LockedLevel level;
    for (const auto& [stripe, tid] : found->second.rows) {
        auto row = written_stripe(key, stripe, tid, &level.policy);
        if (!row) {
            written_levels.erase(found);
            return std::nullopt;
        }
        level.stripes.emplace(stripe, *row);
    }
    level.whole = true;
    level.total();
    return level;
}

// The level's stripe rows through the primary key on the statement's snapshot, unlocked, with
// their policy copies (those of the first row: the policy trigger writes all of them at once).
// nullopt when the level has none.
std::optional<LockedLevel> probe_level(const LevelKey& key, const direct::Statement& statement) {
    const Datum values[] = {spi::text_datum(key.sku), Int32GetDatum(key.warehouse_id)};
    direct::IndexProbe probe(direct::TableId::Levels, kStripesIndex, values, kLevelKeyEquality,
                             statement);
    std::optional<LockedLevel> level;
    while (probe.next()) {
        TupleTableSlot* slot = probe.slot();
        if (!level) {
            level.emplace();
            level->policy = read_policy_copies(slot);
        }
        level->stripes.emplace(stripe_of(slot), read_stripe(slot));
    }
    if (level) level->total();
    return level;
}

// The local transaction that last locked a level row here (lock_stripe, lock_stripe_that_fills).
LocalTransactionId rows_locked_in = InvalidLocalTransactionId;

bool holds_a_level_row() {
    return rows_locked_in == MyProc->lxid || !written_levels.empty();
}

// Locks a stripe row for a transaction that holds no level row yet: at once if it is free,
// else after waiting in the row's line (core/sku_lock.hpp), where a commit wakes only the next
// transaction, which then finds the row free. Waiting on the row itself, every waiter would
// wake at each commit and queue again on the new version: with a hot SKU's many checkouts
// those wake-ups took most of the two cores. The line is held until the transaction ends (the
// caller leaves it when the row turns out gone). Why it cannot deadlock: README, Locks.
direct::LockResult lock_in_line(const LevelKey& key, std::int16_t stripe, ItemPointerData& tid,
                                TupleTableSlot* slot, const direct::Statement& statement,
                                bool& in_line) {
    ItemPointerData read = tid;
    const direct::LockResult free =
        direct::lock_row(direct::TableId::Levels, &tid, slot, statement, /*skip_locked=*/true);
    if (free.locked || free.deleted) return free;
    join_stripe_line(key.sku, key.warehouse_id, stripe);
    in_line = true;
    // The attempt above may have followed the update chain before it found the row held: the
    // row locked is then a later version than the one read, whose key the caller checks again.
    direct::LockResult lock = direct::lock_row(direct::TableId::Levels, &tid, slot, statement);
    if (lock.locked && !ItemPointerEquals(&read, &tid)) lock.followed = true;
    return lock;
}

// Locks one stripe FOR UPDATE (with skip_locked: unless another transaction holds it) and
// refreshes it to the version locked (under READ COMMITTED the latest). False when it is
// skipped or was deleted meanwhile.
bool lock_stripe(const LevelKey& key, std::int16_t stripe, StripeRow& row,
                 const direct::Statement& statement, bool skip_locked, Policy* policy = nullptr) {
    if (row.held) return true;
    if (const auto found = written_levels.find(key); found != written_levels.end()) {
        if (const auto tid = found->second.rows.find(stripe); tid != found->second.rows.end()) {
            if (auto written = written_stripe(key, stripe, tid->second, policy)) {
                row = *written;
                return true;
            }
        }
    }
    const direct::ScratchSlot scratch(direct::TableId::Levels);
    TupleTableSlot* slot = scratch.get();
    ItemPointerData tid = row.row;
    if (!direct::fetch_version(direct::TableId::Levels, tid, slot)) return false;
    bool in_line = false;
    const direct::LockResult lock =
        skip_locked || holds_a_level_row()
            ? direct::lock_row(direct::TableId::Levels, &tid, slot, statement, skip_locked)
            : lock_in_line(key, stripe, tid, slot, statement, in_line);
    if (!lock.locked || (lock.followed && !holds_key(slot, key, stripe))) {
        if (in_line) leave_stripe_line(key.sku, key.warehouse_id, stripe);
        return false;
    }
    rows_locked_in = MyProc->lxid;
    row = read_stripe(slot);
    row.held = true;
    if (policy != nullptr) *policy = read_policy_copies(slot);
    return true;
}

// Locks one stripe, SKIP LOCKED, only in a version that can fill `units`: a version a committed
// transaction updated is not followed but read first, so that a stripe that turns out too small
// is never held. Holding one would put this transaction out of stripe order when it then takes
// the whole level, and two such transactions would deadlock. Leaves `row` as last read; Busy
// when another transaction holds the stripe (`holder`, InvalidTransactionId when several share
// it), Unfit when it is too small or gone (held, if an earlier event of this transaction wrote
// it).
enum class StripeTake { Locked, Busy, Unfit };
StripeTake lock_stripe_that_fills(const LevelKey& key, std::int16_t stripe, StripeRow& row,
                                  Quantity units, const Policy& policy,
                                  const direct::Statement& statement, TransactionId& holder) {
    constexpr int kVersions = 16;  // a stripe updated this often meanwhile is busy: skip it
    ItemPointerData tid = row.row;
    for (int version = 0; version < kVersions; ++version) {
        const direct::ScratchSlot scratch(direct::TableId::Levels);
        TupleTableSlot* slot = scratch.get();
        if (!direct::fetch_version(direct::TableId::Levels, tid, slot) ||
            !holds_key(slot, key, stripe)) {
            return StripeTake::Unfit;
        }
        row = read_stripe(slot);
        // A version this transaction wrote is held already (by an earlier event).
        row.held = direct::written_by_us_and_current(slot);
        // A policy changed meanwhile (safety stock, backorders) may need the whole level.
        if (free_units(row.level) < units || read_policy_copies(slot) != policy) {
            return StripeTake::Unfit;
        }
        // The version read is the one locked, or none: what was just read is what is held.
        const direct::LockResult lock =
            direct::lock_row(direct::TableId::Levels, &tid, slot, statement,
                             /*skip_locked=*/true, /*this_version_only=*/true);
        if (lock.locked) {
            rows_locked_in = MyProc->lxid;
            row.held = true;
            return StripeTake::Locked;
        }
        if (lock.deleted) return StripeTake::Unfit;
        if (!lock.newer) {
            holder = lock.holder;
            return StripeTake::Busy;
        }
        tid = *lock.newer;
    }
    return StripeTake::Busy;
}

// Locks every stripe of the level that is not held, in stripe order (waiting). Under READ
// COMMITTED a lock may have waited for a policy change that added stripes, which the locked
// versions count: the level is then probed again on a new snapshot for the new ones.
bool lock_all_stripes(const LevelKey& key, LockedLevel& level) {
    for (;;) {
        bool more = false;
        {
            const direct::Statement statement;
            for (auto& [stripe, row] : level.stripes) {
                if (row.held) continue;
                if (!lock_stripe(key, stripe, row, statement, false, &level.policy)) return false;
                more = more || static_cast<std::size_t>(row.count) > level.stripes.size();
            }
        }
        level.whole = true;
        level.total();
        if (!more || IsolationUsesXactSnapshot()) return true;
        const direct::Statement statement;
        const auto again = probe_level(key, statement);
        if (!again) return false;
        bool added = false;
        for (const auto& [stripe, row] : again->stripes) {
            if (level.stripes.try_emplace(stripe, row).second) added = true;
        }
        if (!added) return true;
    }
}

// Finds the level and, with Lock, locks it whole. nullopt when it is missing (or was deleted
// while it was locked).
std::optional<LockedLevel> find_level(const LevelKey& key, LevelRead mode) {
    if (mode == LevelRead::Lock) {
        if (auto level = written_level(key)) return level;
    }
    std::optional<LockedLevel> level;
    {
        const direct::Statement statement;
        level = probe_level(key, statement);
    }
    if (!level || mode == LevelRead::Peek) return level;
    if (!lock_all_stripes(key, *level)) return std::nullopt;
    return level;
}

// Where the backend starts looking for a free stripe: sessions spread over a level's stripes.
std::size_t first_candidate(std::size_t stripes) {
    return static_cast<std::size_t>(MyProcPid) % stripes;
}

// The held stripe whose holder to wait for: a working one, else one that cannot be told (several
// share the stripe), else the first, idle in transaction. The line waits behind whomever its head
// waits for, and a transaction left open could hold it for long.
using BusyStripe = std::pair<TransactionId, ItemPointerData>;
const BusyStripe& holder_to_wait_for(const std::vector<BusyStripe>& busy) {
    const BusyStripe* unknown = nullptr;
    for (const BusyStripe& candidate : busy) {
        const direct::HolderActivity activity = direct::holder_activity(candidate.first);
        if (activity == direct::HolderActivity::Working) return candidate;
        if (activity == direct::HolderActivity::Unknown && unknown == nullptr) unknown = &candidate;
    }
    return unknown != nullptr ? *unknown : busy.front();
}

// A striped level's stripe that can fill `units`: the held ones first, then, SKIP LOCKED, the
// others that the probe showed with enough free units, from this session's own starting point. When
// all of those are held by other transactions it waits for one holder to end (holder_to_wait_for),
// holding no stripe of the level (a wait for its row lock would keep it, out of stripe order, if it
// then turned out too small), and looks again on a new snapshot. It never holds a stripe that
// cannot fill `units` (lock_stripe_that_fills). False when none could: the caller then takes the
// whole level. A transaction that holds no level row waits in the level's line (kLevelLine), looks
// again at its head, and only then waits for a holder: a commit then wakes the line's head alone
// instead of every sale that found the stripes held, all but one of which would find them held
// again. It leaves the line as soon as it holds a stripe, or gives up.
bool take_free_stripe(const LevelKey& key, LockedLevel& level, Quantity units) {
    constexpr int kLooks = 64;  // then the whole level: the stripes are not emptying by waiting
    bool in_line = false;
    const auto done = [&](bool taken) {
        if (in_line) leave_stripe_line(key.sku, key.warehouse_id, kLevelLine);
        return taken;
    };
    for (int look = 0; look < kLooks; ++look) {
        bool holds_one = false;
        for (const auto& [stripe, row] : level.stripes) {
            if (row.held && free_units(row.level) >= units) return done(true);
            holds_one = holds_one || row.held;
        }
        std::vector<std::int16_t> order;
        for (const auto& [stripe, row] : level.stripes) order.push_back(stripe);
        const std::size_t start = first_candidate(order.size());
        std::vector<BusyStripe> busy;
        {
            const direct::Statement statement;
            for (std::size_t i = 0; i < order.size(); ++i) {
                const std::int16_t stripe = order[(start + i) % order.size()];
                StripeRow& row = level.stripes.at(stripe);
                if (row.held || free_units(row.level) < units) continue;
                TransactionId holder = InvalidTransactionId;
                const StripeTake take = lock_stripe_that_fills(key, stripe, row, units,
                                                               level.policy, statement, holder);
                level.total();
                if (take == StripeTake::Locked) return done(true);
                if (take == StripeTake::Busy) busy.emplace_back(holder, row.row);
                holds_one = holds_one || row.held;
            }
        }
        if (busy.empty() || holds_one || IsolationUsesXactSnapshot()) return done(false);
        if (!in_line && !holds_a_level_row()) {
            join_stripe_line(key.sku, key.warehouse_id, kLevelLine);
            in_line = true;
        } else {
            const auto& [holder, row] = holder_to_wait_for(busy);
            direct::wait_for_transaction(direct::TableId::Levels, holder, row);
        }
        // The stripes as they are now.
        const direct::Statement statement;
        auto again = probe_level(key, statement);
        if (!again) return done(false);
        level = std::move(*again);
    }
    return done(false);
}

// Locks a level as the engine needs it (see StripeNeeds); nullopt when it is missing.
std::optional<LockedLevel> lock_level_for(const LevelKey& key, const StripeNeeds& needs,
                                          const ReservationStripe& reservation_stripe) {
    if (auto level = written_level(key)) return level;
    std::optional<LockedLevel> level;
    {
        const direct::Statement statement;
        level = probe_level(key, statement);
    }
    if (!level) return std::nullopt;
    const bool striped = level->stripes.size() > 1;
    if (striped && !needs.whole) {
        const auto none_exists = [&] {
            return std::none_of(needs.allocating.begin(), needs.allocating.end(),
                                [&](const std::string& reference) {
                                    return reservation_stripe(key, reference).has_value();
                                });
        };
        if (needs.allocation > 0 && needs.named.empty() &&
            stripe_decides_allocation(level->policy) && none_exists() &&
            take_free_stripe(key, *level, needs.allocation)) {
            return level;
        }
        std::set<std::int16_t> stripes;
        bool known = needs.allocation == 0 && !needs.named.empty();
        for (const std::string& reference : needs.named) {
            const auto stripe = reservation_stripe(key, reference);
            if (!stripe) known = false;
            if (stripe) stripes.insert(*stripe);
        }
        if (known) {
            const direct::Statement statement;
            bool all = true;
            for (const std::int16_t stripe : stripes) {
                const auto row = level->stripes.find(stripe);
                if (row == level->stripes.end() ||
                    !lock_stripe(key, stripe, row->second, statement, false)) {
                    all = false;
                    break;
                }
            }
            level->total();
            if (all) return level;
        }
    }
    if (!lock_all_stripes(key, *level)) return std::nullopt;
    return level;
}

// Locks the levels that exist, in LevelKey order (the map's), and reads them into `levels`
// (Peek: reads them without locks); returns how many it found. `found`, if given, collects
// their keys.
std::size_t lock_existing(LockedLevels& levels, LevelRead mode = LevelRead::Lock,
                          std::set<LevelKey>* found = nullptr) {
    std::size_t count = 0;
    for (auto& [key, state] : levels) {
        auto level = find_level(key, mode);
        if (!level) continue;
        state = std::move(*level);
        ++count;
        if (found != nullptr) found->insert(key);
    }
    return count;
}

template <typename Lock>
LockedLevels lock_creating(std::span<const LevelKey> keys, bool check_warehouses, Lock lock) {
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
    const auto lock_all = [&] {
        std::size_t count = 0;
        for (auto& [key, state] : levels) {
            if (auto level = lock(key)) {
                state = std::move(*level);
                ++count;
            }
        }
        return count;
    };
    if (lock_all() == levels.size()) return levels;
    create_levels(sorted, check_warehouses);
    if (lock_all() != levels.size()) {
        throw Error(ErrorCode::Internal, "inventory level rows vanished after they were created");
    }
    return levels;
}

LockedLevels lock_levels(std::span<const LevelKey> keys, bool check_warehouses) {
    return lock_creating(keys, check_warehouses,
                         [](const LevelKey& key) { return find_level(key, LevelRead::Lock); });
}

using LevelEntry = LockedLevels::value_type;

// Writes each dirty stripe's figures, version, policy copies and available_to_sell as a new
// version of its locked row, on the direct path: the other columns as they are.
void update_levels(std::span<const LevelEntry* const> levels) {
    direct::on_writes_undone(forget_written_levels);
    const direct::Statement statement;
    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    for (const LevelEntry* entry : levels) {
        const LockedLevel& state = entry->second;
        WrittenLevel& written = written_levels[entry->first];
        for (const auto& [stripe, stripe_row] : state.stripes) {
            if (!stripe_row.dirty) continue;
            if (!stripe_row.held) throw Error(ErrorCode::Internal, "level stripe not locked");
            direct::NewRow row(direct::TableId::Levels);
            direct::load_current(row, stripe_row.row);
            row.set(column(kOnHand), Int64GetDatum(stripe_row.level.on_hand));
            row.set(column(kReserved), Int64GetDatum(stripe_row.level.reserved));
            row.set(column(kAvailable),
                    Int64GetDatum(available_to_sell(stripe_row.level, state.policy)));
            row.set(column(kVersion), Int64GetDatum(stripe_row.version));
            row.set(column(kSafetyStock), Int64GetDatum(state.policy.safety_stock));
            row.set(column(kAllowBackorder), BoolGetDatum(state.policy.allow_backorder));
            if (state.policy.backorder_limit) {
                row.set(column(kBackorderLimit), Int64GetDatum(*state.policy.backorder_limit));
            } else {
                row.set_null(column(kBackorderLimit));
            }
            row.set(column(kUpdatedAt), now);
            if (state.whole) {
                row.set(column(kStripeCount),
                        Int16GetDatum(static_cast<std::int16_t>(state.stripes.size())));
            }
            direct::update_row(row, &stripe_row.row, statement);
            written.rows.insert_or_assign(stripe, stripe_row.row);
        }
        // Rows written while the level was held whole are all its stripes.
        if (state.whole && written.rows.size() == state.stripes.size()) written.whole = true;
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
    // A new level starts empty, with the copies of the SKU's policy its CHECK constraints need,
    // in as many stripe rows as the policy gives it.
    static spi::Statement create(
        "INSERT INTO inventory.inventory_level_stripes "
        "  (sku, warehouse_id, stripe, stripe_count, safety_stock, allow_backorder, "
        "   backorder_limit) "
        "SELECT u.sku, u.wh, n.stripe::pg_catalog.int2, COALESCE(p.stripes, 1)::pg_catalog.int2, "
        "       COALESCE(p.safety_stock, 0), "
        "       COALESCE(p.allow_backorder, false), p.backorder_limit "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "               pg_catalog.unnest($2::pg_catalog.int4[])) AS u(sku, wh) "
        "LEFT JOIN LATERAL (SELECT q.safety_stock, q.allow_backorder, q.backorder_limit, "
        "                          q.stripes "
        "                   FROM inventory.inventory_sku_policies q "
        "                   WHERE q.sku OPERATOR(pg_catalog.=) u.sku LIMIT 1) p ON true "
        "CROSS JOIN LATERAL pg_catalog.generate_series(0, "
        "   COALESCE(p.stripes, 1) OPERATOR(pg_catalog.-) 1) AS n(stripe) "
        "ORDER BY u.sku COLLATE pg_catalog.\"C\", u.wh, n.stripe "
        "ON CONFLICT (sku, warehouse_id, stripe) DO NOTHING",
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
    (void)create.execute(values, nullptr);
    return missing.size();
}

LockedLevels lock_levels(std::span<const LevelKey> levels) {
    return lock_levels(levels, /*check_warehouses=*/true);
}

void require_current_schema() {
    static Oid checked_ledger = InvalidOid;  // backend-local: the ledger found current
    const bool current = pg_guard([] {
        const Oid schema = get_namespace_oid("inventory", true);
        const Oid ledger =
            OidIsValid(schema) ? get_relname_relid("inventory_ledger", schema) : InvalidOid;
        if (!OidIsValid(ledger)) return true;  // the statements themselves will say what is wrong
        if (ledger == checked_ledger) return true;
        if (get_attnum(ledger, "stripe") == InvalidAttrNumber) return false;
        checked_ledger = ledger;
        return true;
    });
    if (current) return;
    throw Error(ErrorCode::UpgradeRequired,
                "the inventory extension in this database is older than its library",
                "The library writes the striped levels of version 0.5.0.",
                "Run ALTER EXTENSION inventory UPDATE in this database.");
}

LockedLevels lock_levels(const std::map<LevelKey, StripeNeeds>& needs,
                         const ReservationStripe& reservation_stripe) {
    std::vector<LevelKey> keys;
    keys.reserve(needs.size());
    for (const auto& entry : needs) keys.push_back(entry.first);
    return lock_creating(keys, /*check_warehouses=*/true, [&](const LevelKey& key) {
        return lock_level_for(key, needs.at(key), reservation_stripe);
    });
}

void lock_whole(const LevelKey& key, LockedLevel& level) {
    if (level.whole) return;
    if (!lock_all_stripes(key, level)) {
        throw Error(ErrorCode::SerializationFailure,
                    "could not serialize access: a stripe of the level of SKU \"" + key.sku +
                        "\" in warehouse " + std::to_string(key.warehouse_id) +
                        " was removed concurrently",
                    "", "Retry the transaction.");
    }
}

bool try_lock_level(const LevelKey& key, std::int16_t stripe, const direct::Statement& statement) {
    auto level = probe_level(key, statement);
    if (!level) return false;
    const auto row = level->stripes.find(stripe);
    return row != level->stripes.end() &&
           lock_stripe(key, stripe, row->second, statement, /*skip_locked=*/true);
}

LockedLevels lock_sku_levels(const std::string& sku) {
    // The primary key's first column: the SKU's rows in warehouse order.
    std::set<std::int32_t> warehouses;
    {
        const direct::Statement statement;
        const Datum values[] = {spi::text_datum(sku)};
        const Oid equality[] = {F_TEXTEQ};
        direct::IndexProbe probe(direct::TableId::Levels, kStripesIndex, values, equality,
                                 statement);
        while (probe.next()) {
            warehouses.insert(DatumGetInt32(direct::get(probe.slot(), column(kWarehouse))));
        }
    }
    LockedLevels levels;
    for (const std::int32_t warehouse : warehouses) {
        const LevelKey key{sku, warehouse};
        if (auto level = find_level(key, LevelRead::Lock)) levels.emplace(key, std::move(*level));
    }
    return levels;
}

void store_levels(const LockedLevels& levels) {
    if (levels.empty()) return;
    // Slices keep each unnest() within work_mem.
    constexpr std::size_t kSlice = 2000;
    std::vector<const LevelEntry*> entries;
    entries.reserve(levels.size());
    bool dirty = false;
    for (const auto& entry : levels) {
        entries.push_back(&entry);
        for (const auto& [stripe, row] : entry.second.stripes) dirty = dirty || row.dirty;
    }
    if (!dirty) return;
    for (std::size_t from = 0; from < entries.size(); from += kSlice) {
        update_levels(std::span<const LevelEntry* const>(entries).subspan(
            from, std::min(kSlice, entries.size() - from)));
    }
    notify_levels_changed();
}

void restore_level(const LevelKey& key, std::int16_t stripe, const Level& after,
                   std::int64_t version) {
    // No warehouse check: a restore loads the ledger before the warehouses (pg_dump orders
    // table data by name), and restored history names warehouses that existed.
    LockedLevels levels = lock_levels({&key, 1}, /*check_warehouses=*/false);
    if (!levels.begin()->second.stripes.contains(stripe)) {
        // A stripe the current policy does not give the level (the policy rows are restored
        // after the ledger): created like its stripe 0, under the level's locks.
        add_stripes(key.sku, stripe + 1, key.warehouse_id);
        forget_written_levels();
        levels = lock_levels({&key, 1}, /*check_warehouses=*/false);
    }
    LockedLevel& current = levels.begin()->second;
    StripeRow& row = current.stripes.at(stripe);
    if (row.version >= version) return;  // a later event of this stripe is already restored
    if (static_cast<std::size_t>(row.count) != current.stripes.size()) {
        for (auto& [n, other] : current.stripes) other.dirty = true;  // their count, everywhere
    }
    row.level = after;
    row.version = version;
    row.dirty = true;
    current.total();
    // The restored history proves the SKU allowed backorders then; the policy rows restored
    // after the ledger correct the copy.
    if (after.on_hand < after.reserved) current.policy.allow_backorder = true;
    if (current.policy.allow_backorder) {
        for (auto& [n, other] : current.stripes) other.dirty = true;  // the copies, everywhere
    }
    store_levels(levels);
}

void add_stripes(const std::string& sku, std::int32_t stripes,
                 std::optional<std::int32_t> warehouse) {
    static spi::Statement add(
        "INSERT INTO inventory.inventory_level_stripes "
        "  (sku, warehouse_id, stripe, stripe_count, safety_stock, allow_backorder, "
        "   backorder_limit) "
        "SELECT l.sku, l.warehouse_id, n.stripe::pg_catalog.int2, $2::pg_catalog.int2, "
        "       l.safety_stock, l.allow_backorder, l.backorder_limit "
        "FROM inventory.inventory_level_stripes l "
        "CROSS JOIN LATERAL pg_catalog.generate_series(1, $2 OPERATOR(pg_catalog.-) 1) AS "
        "n(stripe) "
        "WHERE l.sku OPERATOR(pg_catalog.=) $1 AND l.stripe OPERATOR(pg_catalog.=) 0 "
        "  AND ($3::pg_catalog.int4 IS NULL OR l.warehouse_id OPERATOR(pg_catalog.=) $3) "
        "ORDER BY l.warehouse_id, n.stripe "
        "ON CONFLICT (sku, warehouse_id, stripe) DO NOTHING",
        {TEXTOID, INT4OID, INT4OID});
    if (stripes <= 1) return;
    const Datum values[] = {spi::text_datum(sku), Int32GetDatum(stripes),
                            Int32GetDatum(warehouse.value_or(0))};
    const char nulls[] = {' ', ' ', warehouse ? ' ' : 'n', '\0'};
    (void)add.execute(values, nulls);
}

std::map<std::string, SkuPolicy> read_sku_policies(const std::set<std::string>& skus,
                                                   PolicySnapshot snapshot) {
    static direct::Columns columns{"safety_stock", "allow_backorder", "backorder_limit", "stripes"};
    const auto column = [](std::size_t i) { return columns(direct::TableId::SkuPolicies, i); };
    const std::optional<direct::Statement> caller =
        snapshot == PolicySnapshot::Caller
            ? std::optional<direct::Statement>(std::in_place, direct::Statement::CallerSnapshot{})
            : std::nullopt;
    const std::optional<direct::Statement> latest =
        snapshot == PolicySnapshot::Latest ? std::optional<direct::Statement>(std::in_place)
                                           : std::nullopt;
    const direct::Statement& statement = caller ? *caller : *latest;
    std::map<std::string, SkuPolicy> out;
    for (const std::string& sku : skus) {
        SkuPolicy& entry = out.emplace(sku, SkuPolicy{}).first->second;
        const Datum key = spi::text_datum(sku);
        constexpr Oid equality[] = {F_TEXTEQ};
        direct::IndexProbe probe(direct::TableId::SkuPolicies, "inventory_sku_policies_pkey",
                                 {&key, 1}, equality, statement);
        if (!probe.next()) continue;
        TupleTableSlot* slot = probe.slot();
        entry.policy.safety_stock = DatumGetInt64(direct::get(slot, column(0)));
        entry.policy.allow_backorder = DatumGetBool(direct::get(slot, column(1)));
        if (!direct::is_null(slot, column(2)))
            entry.policy.backorder_limit = DatumGetInt64(direct::get(slot, column(2)));
        entry.stripes = DatumGetInt32(direct::get(slot, column(3)));
    }
    return out;
}

// The level's figures are bigint like its rows': a total beyond it is an error, never a wrap.
void LockedLevel::total() {
    level = Level{};
    for (const auto& [stripe, row] : stripes) {
        level.on_hand = checked_add(level.on_hand, row.level.on_hand, "on_hand");
        level.reserved = checked_add(level.reserved, row.level.reserved, "reserved");
    }
}

void LockedLevel::change(std::int16_t stripe, Quantity on_hand_change, Quantity reserved_change) {
    StripeRow& row = stripes.at(stripe);
    row.level.on_hand = checked_add(row.level.on_hand, on_hand_change, "on_hand");
    row.level.reserved = checked_add(row.level.reserved, reserved_change, "reserved");
    row.dirty = true;
    level.on_hand = checked_add(level.on_hand, on_hand_change, "on_hand");
    level.reserved = checked_add(level.reserved, reserved_change, "reserved");
}

bool level_exists(const LevelKey& key) {
    static spi::Statement exists(
        "SELECT EXISTS (SELECT FROM inventory.inventory_level_stripes l "
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
