#include "core/sku_lock.hpp"

#include <algorithm>

namespace inventory {
namespace {

constexpr std::uint32_t kFnvOffset = 2166136261u;

// 32-bit FNV-1a over `bytes`, continuing from `hash`.
std::uint32_t fnv1a(std::string_view bytes, std::uint32_t hash = kFnvOffset) noexcept {
    for (const char c : bytes) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 16777619u;
    }
    return hash;
}

}  // namespace

std::int32_t sku_lock_key(std::string_view sku) noexcept {
    std::uint32_t hash = fnv1a(sku);
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

std::uint32_t stripe_line_key(std::string_view sku, std::int16_t stripe) noexcept {
    // The stripe's two bytes, little-endian, after the SKU's: "A" stripe 1 is not "A\1" stripe 0
    // only by the hash, as is any pair of distinct rows.
    const auto number = static_cast<std::uint16_t>(stripe);
    const char bytes[] = {static_cast<char>(number & 0xFF), static_cast<char>(number >> 8)};
    return fnv1a(std::string_view(bytes, sizeof bytes), fnv1a(sku));
}

}  // namespace inventory
