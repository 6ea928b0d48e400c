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

std::uint64_t stripe_line_key(std::string_view sku, std::int32_t warehouse_id,
                              std::int16_t stripe) noexcept {
    const auto warehouse = static_cast<std::uint32_t>(warehouse_id);
    const auto number = static_cast<std::uint16_t>(stripe);
    const std::uint8_t prefix[] = {
        static_cast<std::uint8_t>(warehouse),       static_cast<std::uint8_t>(warehouse >> 8),
        static_cast<std::uint8_t>(warehouse >> 16), static_cast<std::uint8_t>(warehouse >> 24),
        static_cast<std::uint8_t>(number),          static_cast<std::uint8_t>(number >> 8)};
    std::uint64_t hash = 14695981039346656037ull;
    const auto mix = [&hash](std::uint8_t byte) {
        hash ^= byte;
        hash *= 1099511628211ull;
    };
    for (const std::uint8_t byte : prefix) mix(byte);
    for (const char c : sku) mix(static_cast<std::uint8_t>(c));
    return hash;
}

}  // namespace inventory
