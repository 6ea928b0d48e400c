#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string_view>

namespace inventory {

using Quantity = std::int64_t;  // a bigint in SQL

// Overflow-checked arithmetic on quantities. The sum is computed in a checked 128-bit integer
// (Boost.Multiprecision) and narrowed back to bigint; a result outside bigint throws
// Error(OutOfRange) naming `what`, it never wraps.
[[nodiscard]] Quantity checked_add(Quantity a, Quantity b, std::string_view what);
[[nodiscard]] Quantity checked_sub(Quantity a, Quantity b, std::string_view what);
[[nodiscard]] Quantity checked_neg(Quantity a, std::string_view what);

}  // namespace inventory
