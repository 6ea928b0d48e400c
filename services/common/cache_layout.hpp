// Where inventory-cache keeps its figures in Redis, read by inventory-http: one place for the
// key names. Every key starts with a prefix ("inventory:" by default):
//   <prefix>level:<warehouse_id>:<sku>  hash on_hand, reserved, available_to_sell, version
//   <prefix>sku:<sku>                   hash of the same over the SKU's warehouses
//   <prefix>levels                      set of "<warehouse_id>:<sku>", the levels held
//   <prefix>cache:state                 hash generation, position, synced_at_ms, redis_run_id
// The state hash is the marker: a Redis that lost its data has no generation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace inventory::services {

struct CacheLayout {
    std::string prefix = "inventory:";

    [[nodiscard]] std::string level_key(std::string_view sku, std::int32_t warehouse_id) const {
        return prefix + "level:" + std::to_string(warehouse_id) + ":" + std::string(sku);
    }
    [[nodiscard]] std::string sku_key(std::string_view sku) const {
        return prefix + "sku:" + std::string(sku);
    }
    [[nodiscard]] std::string levels_key() const { return prefix + "levels"; }
    [[nodiscard]] std::string state_key() const { return prefix + "cache:state"; }
    // The member of levels_key() for a level.
    [[nodiscard]] static std::string level_member(std::string_view sku, std::int32_t warehouse_id) {
        return std::to_string(warehouse_id) + ":" + std::string(sku);
    }
};

// The fields of every figure hash, in this order.
inline constexpr std::string_view kFigureFields[] = {"on_hand", "reserved", "available_to_sell",
                                                     "version"};

}  // namespace inventory::services
