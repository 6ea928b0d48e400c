// The lock that serializes creating a SKU's levels with changing the SKU's policy: a
// transaction-scoped advisory lock per SKU (a SKU without a policy row has no row to lock).
// In pg_locks: locktype advisory, classid kSkuLockClass, objid the SKU's key, objsubid 2 (the
// two-integer form of pg_advisory_xact_lock).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/no_postgres.hpp"

namespace inventory {

// The first key of every SKU lock: "INVP" in ASCII.
inline constexpr std::int32_t kSkuLockClass = 0x494E5650;

// The second key: a 32-bit FNV-1a hash of the SKU's bytes. Two SKUs may share a key; that only
// makes them wait for each other.
[[nodiscard]] std::int32_t sku_lock_key(std::string_view sku) noexcept;

// The keys to lock for these SKUs, in the one order every path takes them: ascending, each once.
// (Ordering by key rather than by SKU keeps the order total when two SKUs share a key.)
[[nodiscard]] std::vector<std::int32_t> sku_lock_keys(std::span<const std::string> skus);

}  // namespace inventory
