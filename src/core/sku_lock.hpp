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

// The waiting line of a level's stripe row (pg/level_store.cpp, README: Locks). A transaction
// that has to wait for a stripe row held by another first queues on a transaction-scoped
// advisory lock of that row, so that a commit wakes the next transaction in line, which then
// finds the row free, instead of every waiter, which would all queue again on the row's new
// version. A striped level has one more line, of stripe kLevelLine, for the sales that find
// every stripe that could fill them held. In pg_locks: locktype advisory, classid and objid the
// high and low halves of the key below, objsubid kStripeLineClass (pg_advisory_lock's own forms
// are 1 and 2, so no SQL caller shares these locks).
inline constexpr std::uint16_t kStripeLineClass = 3;
inline constexpr std::int16_t kLevelLine = -1;  // no stripe row has it: stripes count from 0

// The 64-bit FNV-1a hash of the warehouse id (4 bytes), the stripe (2 bytes), both
// little-endian, then the SKU's bytes. Two rows of one database share a line only when their
// keys collide (one pair in 2^64).
[[nodiscard]] std::uint64_t stripe_line_key(std::string_view sku, std::int32_t warehouse_id,
                                            std::int16_t stripe) noexcept;

}  // namespace inventory
