// The lock that serializes creating a SKU's levels with changing the SKU's policy: a
// transaction-scoped advisory lock per SKU (a SKU without a policy row has no row to lock).
// Creating levels takes it in SHARE mode (creators never wait for each other), changing a policy
// in EXCLUSIVE mode. The SKUs are hashed into kSkuLockBuckets keys, so that one transaction
// holds at most that many of these locks however many SKUs it creates or changes (PostgreSQL's
// lock table is small); two SKUs that share a key only make a policy change and a level creation
// wait for each other. In pg_locks: locktype advisory, classid kSkuLockClass, objid the key,
// objsubid 2 (the two-integer form of pg_advisory_xact_lock).
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
inline constexpr std::int32_t kSkuLockBuckets = 256;

// The second key, 0 .. kSkuLockBuckets - 1: the 32-bit FNV-1a hash of the SKU's bytes, folded.
[[nodiscard]] std::int32_t sku_lock_key(std::string_view sku) noexcept;

// The keys to lock for these SKUs, in the one order every path takes them: ascending, each once.
// (Ordering by key rather than by SKU keeps the order total when two SKUs share a key.)
[[nodiscard]] std::vector<std::int32_t> sku_lock_keys(std::span<const std::string> skus);

}  // namespace inventory
