// The lock order, the same on every path (README: Locks): ROW EXCLUSIVE on inventory_ledger
// first (a writer's own INSERT takes it; the event engine and inventory_create_levels() take it
// up front), then the SKUs' advisory locks (only when a level is created, and by a policy
// change), then one waiting line, a stripe row's or a striped level's (only to wait for rows
// held by others, and only while holding no level row), then
// level rows in (sku bytewise, warehouse) order (pg/level_store.hpp), then reservations.
// inventory_rebuild_levels() takes SHARE ROW EXCLUSIVE on the ledger (one rebuild at a time), then
// SHARE on inventory_sku_policies, then the levels.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {

// ROW EXCLUSIVE on inventory_ledger, the first lock of every writer.
void lock_ledger_for_writing();

// `mode` on the extension's table `table` (inventory_rebuild_levels: SHARE ROW EXCLUSIVE on
// inventory_ledger, then SHARE on inventory_sku_policies, then SHARE ROW EXCLUSIVE on
// inventory_level_stripes). No privilege check: the caller runs as the extension's owner.
void lock_table(const char* table, LOCKMODE mode);

// Takes the transaction-scoped advisory locks of the SKUs, in the one order (core/sku_lock.hpp):
// SHARE to create levels, EXCLUSIVE to change their policy.
enum class SkuLockMode { CreateLevels, ChangePolicy };
void lock_skus(std::span<const std::string> skus, SkuLockMode mode);

// The waiting line of a level's stripe row, or with kLevelLine of a striped level
// (core/sku_lock.hpp): join_stripe_line waits for it and holds it until the transaction ends,
// leave_stripe_line gives it up before. Taken between the SKU advisory locks and the rows, and
// only by a transaction that holds no level row yet.
void join_stripe_line(std::string_view sku, std::int32_t warehouse_id, std::int16_t stripe);
void leave_stripe_line(std::string_view sku, std::int32_t warehouse_id, std::int16_t stripe);

// Under REPEATABLE READ and SERIALIZABLE: true when `statement` (one row, one nullable text
// column) gives another result on a snapshot taken now than on the transaction's snapshot, that
// is, when that snapshot misses a committed change. Always false under READ COMMITTED.
[[nodiscard]] bool changed_since_snapshot(spi::Statement& statement, const Datum* values);

}  // namespace inventory::pg
