#include "core/sku_lock.hpp"

#include <algorithm>

namespace inventory {

std::int32_t sku_lock_key(std::string_view sku) noexcept {
    std::uint32_t hash = 2166136261u;
    for (const char c : sku) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 16777619u;
    }
    // Fold all four bytes into one: the low byte of FNV-1a alone depends only on the low bytes.
    hash ^= hash >> 16;
    hash ^= hash >> 8;
    return static_cast<std::int32_t>(hash % static_cast<std::uint32_t>(kSkuLockBuckets));
}

std::vector<std::int32_t> sku_lock_keys(std::span<const std::string> skus) {
    std::vector<std::int32_t> keys;
    keys.reserve(skus.size());
    for (const auto& sku : skus) keys.push_back(sku_lock_key(sku));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

}  // namespace inventory
