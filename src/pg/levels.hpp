// Access to inventory_levels rows for the triggers and functions that write events, and the one
// place that creates levels (README: Locks).
//
// Lock order, the same on every path: ROW EXCLUSIVE on inventory_ledger first (a writer's own
// INSERT takes it; the event engine and inventory_create_levels() take it up front), then the
// SKUs' advisory locks (only when a level is created, and by a policy change), then level rows,
// then reservations. inventory_rebuild_levels() takes SHARE ROW EXCLUSIVE on the ledger (one
// rebuild at a time), then SHARE on inventory_sku_policies, then the levels.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/transition.hpp"
#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {

struct LockedLevel {
    Level level;
    Policy policy;  // the copy kept in the level row
    std::int64_t version = 0;
};

using LevelId = std::pair<std::string, std::int32_t>;  // (sku, warehouse_id)

// Levels as two parallel arrays (text[] skus, int4[] warehouse ids), in the given order, for
// the statements that unnest them.
struct LevelArrays {
    Datum skus;
    Datum warehouses;
};
[[nodiscard]] LevelArrays level_arrays(std::span<const LevelId> levels);

// Under REPEATABLE READ and SERIALIZABLE: true when `statement` (one row, one nullable text
// column) gives another result on a snapshot taken now than on the transaction's snapshot, that
// is, when that snapshot misses a committed change. Always false under READ COMMITTED.
[[nodiscard]] bool changed_since_snapshot(spi::Statement& statement, const Datum* values);

// ROW EXCLUSIVE on inventory_ledger, the first lock of every writer.
void lock_ledger_for_writing();

// Takes the transaction-scoped advisory locks of the SKUs, in the one order (core/sku_lock.hpp):
// SHARE to create levels, EXCLUSIVE to change their policy.
enum class SkuLockMode { CreateLevels, ChangePolicy };
void lock_skus(std::span<const std::string> skus, SkuLockMode mode);

// Creates those of `levels` that do not exist yet, empty, each with the copies of its SKU's
// policy (the defaults when the SKU has none), and returns how many it created. Only when one
// is missing it takes the SKUs' advisory locks first and reads the policies after them (under
// READ COMMITTED with a new snapshot); under REPEATABLE READ and SERIALIZABLE it throws
// SerializationFailure when a policy of those SKUs changed after the transaction's snapshot.
// check_warehouses: Error(UnknownWarehouse) for a missing level's warehouse that does not exist.
// Requires an SPI connection.
std::size_t create_levels(std::span<const LevelId> levels, bool check_warehouses = true);

// Locks the level row of (sku, warehouse) FOR UPDATE, creating it (create_levels) if it does not
// exist. Throws Error(UnknownWarehouse) for a warehouse id that does not exist.
// Requires an SPI connection.
[[nodiscard]] LockedLevel lock_level(std::string_view sku, std::int32_t warehouse_id);

// Writes the level after one more event.
void store_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                 Quantity available_to_sell, std::int64_t version);

// Sets the level to a restored row's after-values unless it already holds a later version.
void restore_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                   std::int64_t version);

}  // namespace inventory::pg
