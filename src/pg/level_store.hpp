// The level store: the one place that reads, locks, creates and writes the rows of the levels
// (inventory_level_stripes: one per stripe; inventory_levels is their sum) for the event engine,
// the ledger trigger and the order code. Rows are found through the primary key, locked and
// updated on the direct path (pg/direct_tables.hpp); only a missing level or stripe is created
// with SQL. The lock order of pg/lock_order.hpp holds: levels are locked in LevelKey order (SKU
// bytewise, then warehouse), the stripes of one level in stripe order (a sale that finds a
// stripe free takes it without waiting), and the SKUs' advisory locks a new level needs are
// taken before any level row is locked. create_levels and lock_levels require an SPI
// connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/level.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

namespace direct {
class Statement;
}

// One stripe row of a level (inventory_level_stripes; an unstriped level has stripe 0 only):
// its figures, its version (the level_version of its last event) and where its version is.
struct StripeRow {
    Level level;
    std::int64_t version = 0;
    std::int16_t count = 1;  // how many stripe rows its level had when the row was written
    // Where the read or locked version of the row is (the direct path updates it there);
    // store_levels moves it to the version it writes.
    mutable ItemPointerData row{};
    bool held = false;   // locked FOR UPDATE by this transaction: its figures are current
    bool dirty = false;  // changed in memory: store_levels writes it
};
using Stripes = std::map<std::int16_t, StripeRow>;

// A level as read or locked: its stripes, their total and the copy of its SKU's policy kept in
// the rows. `level` is the sum of `stripes` (held ones current, others as last read); `whole`
// says that every stripe row is held, so that `level` is exact.
struct LockedLevel {
    Level level;
    Policy policy;
    Stripes stripes;
    bool whole = false;
    // Sums the stripes into `level`.
    void total();
    // The stripe's figures change by (on_hand, reserved); marks it dirty and keeps the total.
    void change(std::int16_t stripe, Quantity on_hand_change, Quantity reserved_change);
};
using LockedLevels = std::map<LevelKey, LockedLevel>;

// What the event engine needs held of a level before it applies a plan's events to it. Only a
// striped level is locked in part; any other is locked whole whatever this says.
struct StripeNeeds {
    // > 0: the events are ALLOCATEs of this many units in all: one stripe that can fill them,
    // taken SKIP LOCKED, is enough when the level's policy has neither safety stock nor
    // backorders and none of `allocating` names a reservation that exists.
    Quantity allocation = 0;
    std::vector<std::string> allocating;
    // The events are FULFILLs and DEALLOCATEs of these reservations: their stripes, waited for
    // in stripe order, are enough.
    std::vector<std::string> named;
    // Every stripe (any other event, or a mix).
    bool whole = true;
};
// The stripe of a reservation that exists (read without locks), for StripeNeeds.
using ReservationStripe =
    std::function<std::optional<std::int16_t>(const LevelKey&, const std::string& reference)>;

// This library writes the 0.5.0 schema (stripe rows, the ledger's stripe column): a database
// whose extension is not updated yet gets one clear error (UpgradeRequired) instead of a
// missing-relation error from the middle of a statement.
void require_current_schema();

// Creates those of `levels` that do not exist yet, empty, each with the copies of its SKU's
// policy (the defaults when the SKU has none), and returns how many it created. Only when one
// is missing it takes the SKUs' advisory locks first and reads the policies after them (under
// READ COMMITTED with a new snapshot); under REPEATABLE READ and SERIALIZABLE it throws
// SerializationFailure when a policy of those SKUs changed after the transaction's snapshot.
// check_warehouses: Error(UnknownWarehouse) for a missing level's warehouse that does not exist.
std::size_t create_levels(std::span<const LevelKey> levels, bool check_warehouses = true);

// Locks every stripe row of `levels` FOR UPDATE, levels in LevelKey order and the stripes of
// each in stripe order, creating the missing levels first (create_levels; Error(UnknownWarehouse)
// for a warehouse that does not exist), and returns each one whole. Duplicates are fine.
[[nodiscard]] LockedLevels lock_levels(std::span<const LevelKey> levels);

// The event engine's lock: as lock_levels, but of a striped level only what `needs` asks for:
// one stripe that can fill the allocation (SKIP LOCKED, never waiting; held stripes first),
// else the stripes named, else every stripe. A level that is not striped is locked whole.
[[nodiscard]] LockedLevels lock_levels(const std::map<LevelKey, StripeNeeds>& levels,
                                       const ReservationStripe& reservation_stripe);

// Gives each level of the SKU (of one warehouse, if given) the stripe rows 0..stripes-1 it
// lacks: empty, with the policy copies of its stripe 0 and the level's new count of stripes.
// Under the SKU's advisory lock (a policy change) or the level's locks (a restore).
void add_stripes(const std::string& sku, std::int32_t stripes,
                 std::optional<std::int32_t> warehouse = std::nullopt);

// Locks every stripe of `level` that is not held yet, in stripe order (waiting), and makes it
// whole: the engine, when a plan needs more of a level than it locked.
void lock_whole(const LevelKey& key, LockedLevel& level);

// A SKU's policy row: what the levels copy, and into how many stripes they are split.
struct SkuPolicy {
    Policy policy;
    std::int32_t stripes = 1;
};

// The SKUs' policies from inventory_sku_policies (the defaults without a row), one
// primary-key probe each: on the caller's snapshot (an order plans on what its caller sees),
// or with Latest on a new one that also sees what this transaction wrote so far (the spread
// after a plan, which may follow a policy change in the same statement).
enum class PolicySnapshot { Caller, Latest };
[[nodiscard]] std::map<std::string, SkuPolicy> read_sku_policies(
    const std::set<std::string>& skus, PolicySnapshot snapshot = PolicySnapshot::Caller);

// Locks the level's stripe `stripe` FOR UPDATE SKIP LOCKED within `statement` (expiry's
// skip_locked, for a reservation that stripe holds): false when another transaction holds it or
// it does not exist. Never waits.
[[nodiscard]] bool try_lock_level(const LevelKey& key, std::int16_t stripe,
                                  const direct::Statement& statement);

// Locks every level of one SKU FOR UPDATE, in warehouse order (the policy trigger, which holds
// the SKU's EXCLUSIVE advisory lock: no level of the SKU can be created meanwhile).
[[nodiscard]] LockedLevels lock_sku_levels(const std::string& sku);

// The rows that exist among `levels` (absent ones are not created), for a caller that plans
// events on them before it writes them (pg/orders.cpp): Lock locks them FOR UPDATE in LevelKey
// order, as lock_levels does; Peek reads them without locks, to find which levels a plan needs
// created before any row is locked.
enum class LevelRead { Lock, Peek };
[[nodiscard]] LockedLevels read_existing_levels(std::span<const LevelKey> levels, LevelRead mode);

// Writes each dirty stripe's figures, version and policy copies and the available_to_sell they
// give, and queues the change-feed notification (nothing when no stripe is dirty). Every dirty
// stripe must be held.
void store_levels(const LockedLevels& levels);

// A restored ledger row (pg_restore, logical replication): sets its stripe to the row's
// after-values and version unless the stripe already holds a later version, creating the level
// (and the stripe) without a warehouse check (a restore loads the ledger before the warehouses).
void restore_level(const LevelKey& key, std::int16_t stripe, const Level& after,
                   std::int64_t version);

// Whether the level exists, without locking it. Connects to SPI itself (nested), so that it
// serves callers with and without a connection (build_request).
[[nodiscard]] bool level_exists(const LevelKey& key);

}  // namespace inventory::pg
