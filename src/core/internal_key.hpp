// The extension's own idempotency keys: every key that starts with kInternalKeyPrefix belongs
// to the extension, which derives it from the request; a caller may not use one (IV010,
// pg/event_writer.hpp validate_options with KeyOrigin::Caller).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace inventory {

inline constexpr std::string_view kInternalKeyPrefix = "inventory:";

[[nodiscard]] inline bool is_internal_key(std::string_view key) noexcept {
    return key.starts_with(kInternalKeyPrefix);
}

// The key of a transfer's dispatch (its TRANSFER_OUT): one per transfer, SKU and destination, so
// that a retried or concurrent dispatch of the same route replays the first, and the engine
// compares the rest of the payload (source, quantity, reason, metadata). The same key 0.3.x
// built in SQL, 'inventory:dispatch:' || md5(transfer_ref || chr(31) || sku || chr(31) ||
// to_warehouse_id::text), so that a dispatch retried across the upgrade replays: `md5_hex` is
// PostgreSQL's MD5 as lowercase hex (the glue passes it; the core hashes nothing itself).
using Md5Hex = std::function<std::string(std::string_view)>;
[[nodiscard]] std::string dispatch_key(std::string_view transfer_ref, std::string_view sku,
                                       std::int32_t to_warehouse_id, const Md5Hex& md5_hex);

}  // namespace inventory
