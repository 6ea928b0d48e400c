#pragma once
#include "core/no_postgres.hpp"

#include <optional>

#include "core/event.hpp"
#include "core/level.hpp"
#include "core/quantity.hpp"

namespace inventory {

// available_to_sell of a level under a policy.
// free = on_hand - reserved. When free >= 0, safety stock is held back: max(free - safety, 0).
// When free < 0 (only possible with backorders) it is free itself: the backordered units.
[[nodiscard]] Quantity available_to_sell(const Level& level, const Policy& policy);

// How many units ALLOCATE may take beyond available_to_sell: 0 without backorders, the limit
// less what is already backordered with one, unbounded (nullopt) without a limit.
[[nodiscard]] std::optional<Quantity> backorder_allowance(const Level& level, const Policy& policy);

// The effect of one event: the changes written to the ledger and the level afterwards.
struct Transition {
    Quantity on_hand_change = 0;
    Quantity reserved_change = 0;
    Level after;
    Quantity available_after = 0;
};

// What one event does to a level under its policy (the lifecycle rules), computed in memory:
// the callers lock the level and write the result. Throws Error with
//  InsufficientStock    ALLOCATE beyond available_to_sell (with backorders: beyond the sellable
//                       units plus the backorder_limit less what is already backordered),
//                       TRANSFER_OUT beyond unreserved stock, FULFILL beyond on_hand,
//                       ADJUST/COUNT that would take on_hand below zero or below reserved;
//  InsufficientReserved DEALLOCATE or FULFILL beyond reserved;
//  OutOfRange           any level that would leave bigint.
// The request must come from make_request (validated quantity and reason).
[[nodiscard]] Transition compute_transition(const Level& before, const Policy& policy,
                                            const EventRequest& request);

// A ledger row that arrives with its computed columns already filled (a restore): its recorded
// changes and after-values.
struct RecordedEvent {
    Quantity on_hand_change = 0;
    Quantity reserved_change = 0;
    Level after;
};

// Checks that a recorded row is one the rules could have produced: its changes are what its
// event type and quantity imply, and the level before and after it are valid. Policy at the time
// is not known, so backorders are assumed allowed. A COUNT's on_hand change follows from the
// level's total, which a stripe's row does not show: only its reserved change is checked; a
// REBALANCE's reserved change must be part of its on_hand change. Throws
// Error(InvalidParameter).
void verify_recorded(const EventRequest& request, const RecordedEvent& recorded);

// Checks a policy's own values. Throws Error(InvalidParameter).
void validate_policy(const Policy& policy);

}  // namespace inventory
