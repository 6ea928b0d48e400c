// A stock record: inventory_levels holds one row per (SKU, warehouse), named by a LevelKey, with
// its figures (Level) and the copy of its SKU's selling policy (Policy). The arithmetic on them
// is core/transition.hpp; reading, locking and writing the rows is pg/level_store.hpp.
#pragma once
#include "core/no_postgres.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "core/quantity.hpp"

namespace inventory {

// The (sku, warehouse) a level, an event or a reservation belongs to. Ordered by SKU bytewise
// (std::string compares its chars as unsigned char, as COLLATE "C" does), then by warehouse id:
// the one order in which level rows are locked (README: Locks).
struct LevelKey {
    std::string sku;
    std::int32_t warehouse_id = 0;
    auto operator<=>(const LevelKey&) const = default;
};

// One row of inventory_levels, as far as the arithmetic is concerned.
struct Level {
    Quantity on_hand = 0;
    Quantity reserved = 0;
};

// Per-SKU selling policy (inventory_sku_policies). No row means the defaults below.
struct Policy {
    Quantity safety_stock = 0;  // units per warehouse held back from available_to_sell
    bool allow_backorder = false;
    std::optional<Quantity> backorder_limit;  // with backorders: how far below zero; none = any

    friend bool operator==(const Policy&, const Policy&) = default;
};

}  // namespace inventory
