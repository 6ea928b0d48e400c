// Access to inventory_levels rows for the triggers and functions that write events.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/transition.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

struct LockedLevel {
    Level level;
    Policy policy;  // the copy kept in the level row
    std::int64_t version = 0;
};

// Locks the level row of (sku, warehouse) FOR UPDATE, creating it (with the SKU's policy) if it
// does not exist. Throws Error(UnknownWarehouse) for a warehouse id that does not exist.
// Requires an SPI connection.
[[nodiscard]] LockedLevel lock_level(std::string_view sku, std::int32_t warehouse_id);

// Writes the level after one more event.
void store_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                 Quantity available_to_sell, std::int64_t version);

// Sets the level to a restored row's after-values unless it already holds a later version.
void restore_level(std::string_view sku, std::int32_t warehouse_id, const Level& after,
                   std::int64_t version);

}  // namespace inventory::pg
