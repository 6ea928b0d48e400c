// Striped levels: a hot SKU's stock in a warehouse is held in up to kMaxStripes rows that are
// locked independently (README: Flash sales). The arithmetic of choosing and filling stripes;
// the rows themselves are pg/level_store.hpp's.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <map>
#include <vector>

#include "core/level.hpp"
#include "core/quantity.hpp"

namespace inventory {

inline constexpr std::int32_t kMaxStripes = 64;

// Throws Error(InvalidParameter) unless 1 <= stripes <= kMaxStripes.
void validate_stripe_count(std::int32_t stripes);

// Units of a stripe that no reservation holds: on_hand - reserved (negative when backordered).
[[nodiscard]] Quantity free_units(const Level& stripe) noexcept;

// Whether one stripe can decide an ALLOCATE alone. Without safety stock and backorders every
// stripe has free_units >= 0 and the level's available_to_sell is their sum, so a stripe that
// can fill the request proves the level can. Safety stock and backorders apply to the level's
// total: every stripe is needed then.
[[nodiscard]] bool stripe_decides_allocation(const Policy& policy) noexcept;

// A move of free units into or out of one stripe (a REBALANCE row): positive into it.
struct StripeMove {
    std::int16_t stripe = 0;
    Quantity on_hand_change = 0;
    Quantity reserved_change = 0;
};

// The moves that gather into stripe 0 what the other stripes hold beyond their reservations:
// their free units, and with `unassigned_reserved` their reserved units no reservation holds
// (per stripe; those move with their on_hand). Moves out first (stripe order), then the one
// move into stripe 0; none when there is nothing to gather.
[[nodiscard]] std::vector<StripeMove> gather_into_first(
    const std::map<std::int16_t, Level>& stripes,
    const std::map<std::int16_t, Quantity>& unassigned_reserved = {});

// The moves that spread the free units of stripe 0 evenly over stripes 0..count-1 (the first
// ones get one more when it does not divide), leaving each stripe's reservations where they
// are: moves out of stripe 0 first, then into each stripe that gets units. Only stripe 0 may
// hold free units before; none when stripe 0 has none to give or count is 1.
[[nodiscard]] std::vector<StripeMove> spread_from_first(
    const std::map<std::int16_t, Level>& stripes, std::int32_t count);

}  // namespace inventory
