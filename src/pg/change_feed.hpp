// The change feed: on commit, a NOTIFY on channel "inventory_levels" for every level a
// transaction changed, with a small JSON payload
//   {"sku": ..., "warehouse_id": ..., "on_hand": ..., "reserved": ...,
//    "available_to_sell": ..., "version": ...}
// so that an external cache can keep up. Only while the GUC inventory.notify is on (default off).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/transition.hpp"

namespace inventory::pg {

inline constexpr const char* kChangeFeedChannel = "inventory_levels";

// Defines the GUC inventory.notify; called once from _PG_init.
void define_change_feed_settings();

// Queues the notification (PostgreSQL sends it at commit, drops it on rollback).
void notify_level_change(std::string_view sku, std::int32_t warehouse_id, const Level& level,
                         Quantity available_to_sell, std::int64_t version);

}  // namespace inventory::pg
