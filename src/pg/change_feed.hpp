// The change feed: while the GUC inventory.notify is on (default off), a transaction that
// changes levels sends one NOTIFY on channel "inventory_levels" at its commit (never before,
// never on rollback). The notification carries no payload: PostgreSQL has no privilege on
// channels, so anyone who can connect may LISTEN. A consumer in inventory_reader then fetches
// what changed with inventory.inventory_level_changes(position) (updates/0.3.0--0.3.1/
// 40-change-feed.sql), which also works without notifications (missed ones, restarts).
#pragma once

namespace inventory::pg {

inline constexpr const char* kChangeFeedChannel = "inventory_levels";

// Defines the GUC inventory.notify; called once from _PG_init.
void define_change_feed_settings();

// Queues the notification that levels changed (PostgreSQL sends it at commit, drops it on
// rollback), at most once per (sub)transaction. Which levels changed, and their figures, are
// not sent: the consumers ask inventory_level_changes().
void notify_levels_changed();

}  // namespace inventory::pg
