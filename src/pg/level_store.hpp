// The level store: the one place that reads, locks, creates and writes inventory_levels rows
// for the event engine, the ledger trigger and the order code. Rows are found through the
// primary key, locked and updated on the direct path (pg/direct_tables.hpp); only a missing
// level is created with SQL. The lock order of pg/lock_order.hpp holds: level rows are locked
// in LevelKey order (SKU bytewise, then warehouse), and the SKUs' advisory locks a new level
// needs are taken before any level row is locked. create_levels and lock_levels require an SPI
// connection.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "core/level.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

namespace direct {
class Statement;
}

// A level row as locked: its figures, the copy of its SKU's policy kept in the row, and its
// version (the level_version of its last event).
struct LockedLevel {
    Level level;
    Policy policy;
    std::int64_t version = 0;
    // Where the locked version of the row is (the direct path updates it there); store_levels
    // moves it to the version it writes.
    mutable ItemPointerData row{};
};
using LockedLevels = std::map<LevelKey, LockedLevel>;

// Creates those of `levels` that do not exist yet, empty, each with the copies of its SKU's
// policy (the defaults when the SKU has none), and returns how many it created. Only when one
// is missing it takes the SKUs' advisory locks first and reads the policies after them (under
// READ COMMITTED with a new snapshot); under REPEATABLE READ and SERIALIZABLE it throws
// SerializationFailure when a policy of those SKUs changed after the transaction's snapshot.
// check_warehouses: Error(UnknownWarehouse) for a missing level's warehouse that does not exist.
std::size_t create_levels(std::span<const LevelKey> levels, bool check_warehouses = true);

// Locks the level rows of `levels` FOR UPDATE in LevelKey order, creating the missing ones
// first (create_levels; Error(UnknownWarehouse) for a warehouse that does not exist), and
// returns each one's state. Duplicates in `levels` are fine.
[[nodiscard]] LockedLevels lock_levels(std::span<const LevelKey> levels);

// Locks the level FOR UPDATE SKIP LOCKED within `statement` (expiry's skip_locked): false when
// another transaction holds it or it does not exist. Never waits.
[[nodiscard]] bool try_lock_level(const LevelKey& key, const direct::Statement& statement);

// Locks every level of one SKU FOR UPDATE, in warehouse order (the policy trigger, which holds
// the SKU's EXCLUSIVE advisory lock: no level of the SKU can be created meanwhile).
[[nodiscard]] LockedLevels lock_sku_levels(const std::string& sku);

// The rows that exist among `levels` (absent ones are not created), for a caller that plans
// events on them before it writes them (pg/orders.cpp): Lock locks them FOR UPDATE in LevelKey
// order, as lock_levels does; Peek reads them without locks, to find which levels a plan needs
// created before any row is locked.
enum class LevelRead { Lock, Peek };
[[nodiscard]] LockedLevels read_existing_levels(std::span<const LevelKey> levels, LevelRead mode);

// Writes each level's figures, version and policy copies and the available_to_sell they give,
// and queues the change-feed notification (nothing for no levels). Every level must be locked
// (lock_levels, lock_sku_levels).
void store_levels(const LockedLevels& levels);

// A restored ledger row (pg_restore, logical replication): sets its level to the row's
// after-values and version unless the level already holds a later version, creating the level
// without a warehouse check (a restore loads the ledger before the warehouses).
void restore_level(const LevelKey& key, const Level& after, std::int64_t version);

// Whether the level exists, without locking it. Connects to SPI itself (nested), so that it
// serves callers with and without a connection (build_request).
[[nodiscard]] bool level_exists(const LevelKey& key);

}  // namespace inventory::pg
