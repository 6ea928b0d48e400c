// The change feed: while the GUC inventory.notify is on (default off), a transaction that
// changes levels sends one NOTIFY on channel "inventory_levels" at its commit (never before,
// never on rollback). The notification carries no payload: PostgreSQL has no privilege on
// channels, so anyone who can connect may LISTEN. A consumer in inventory_reader then fetches
// what changed with inventory.inventory_level_changes(position) (pg/change_feed.cpp), which also
// works without notifications (missed ones, restarts). Levels that change without a ledger row
// (a policy change, a rebuild, a deleted level) are marked in inventory_feed_marks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace inventory::pg {

inline constexpr const char* kChangeFeedChannel = "inventory_levels";

// Defines the GUC inventory.notify; called once from _PG_init.
void define_change_feed_settings();

// Queues the notification that levels changed (PostgreSQL sends it at commit, drops it on
// rollback), at most once per (sub)transaction. Which levels changed, and their figures, are
// not sent: the consumers ask inventory_level_changes().
void notify_levels_changed();

// Marks levels as changed without a ledger row, for inventory_level_changes(): one level (sku and
// warehouse), every level of a SKU (sku only) or every level (neither: a rebuild). Requires an SPI
// connection.
void mark_levels_changed(const std::optional<std::string>& sku,
                         std::optional<std::int32_t> warehouse_id);

}  // namespace inventory::pg
