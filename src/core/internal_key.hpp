// The extension's own idempotency keys: every key that starts with kInternalKeyPrefix belongs
// to the extension, which derives it from the request; a caller may not use one (IV010,
// pg/event_writer.hpp validate_options with KeyOrigin::Caller).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace inventory {

inline constexpr std::string_view kInternalKeyPrefix = "inventory:";

[[nodiscard]] inline bool is_internal_key(std::string_view key) noexcept {
    return key.starts_with(kInternalKeyPrefix);
}

// The key of a transfer's dispatch (its TRANSFER_OUT): one per transfer, SKU and destination, so
// that a retried or concurrent dispatch of the same route replays the first, and the engine
// compares the rest of the payload (source, quantity, reason, metadata). Byte-identical to the
// key 0.3.x built in SQL: 'inventory:dispatch:' || md5(transfer_ref || chr(31) || sku || chr(31)
// || to_warehouse_id::text).
[[nodiscard]] std::string dispatch_key(std::string_view transfer_ref, std::string_view sku,
                                       std::int32_t to_warehouse_id);

}  // namespace inventory
