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

// The moves that bring `units` more free units into `target` from the other stripes that have
// free units, in stripe order, as few as it takes: moves out first, then the one move in. Fewer
// than `units` when the others do not hold that many.
[[nodiscard]] std::vector<StripeMove> gather_into(const std::map<std::int16_t, Level>& stripes,
                                                  std::int16_t target, Quantity units);

// The moves that spread the level's free units evenly over stripes 0..count-1 (the first ones
// get one more when it does not divide) and drain the stripes from `count` on, leaving every
// stripe's reservations where they are: moves out first (stripe order), then moves in. None
// while every stripe below `count` holds at least half its even share and none from `count` on
// holds free units (sales keep their stripes; a spread costs ledger rows), and none when a
// stripe is backordered (free units below zero).
[[nodiscard]] std::vector<StripeMove> spread_evenly(const std::map<std::int16_t, Level>& stripes,
                                                    std::int32_t count);

}  // namespace inventory
