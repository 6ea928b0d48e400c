#include "core/transition.hpp"

#include <string>

#include "core/error.hpp"

namespace inventory {
namespace {

std::string describe(const EventRequest& request) {
    return "SKU \"" + request.sku + "\" in warehouse " + std::to_string(request.warehouse_id);
}

std::string level_detail(const Level& level, const Policy& policy, Quantity available) {
    std::string detail = "on_hand " + std::to_string(level.on_hand) + ", reserved " +
                         std::to_string(level.reserved) + ", available_to_sell " +
                         std::to_string(available);
    if (policy.safety_stock > 0) detail += ", safety_stock " + std::to_string(policy.safety_stock);
    return detail + ".";
}

void require_on_hand_covers_reservations(const Level& after, const Policy& policy,
                                         const Level& before, const EventRequest& request) {
    if (after.on_hand < 0) {
        throw Error(ErrorCode::InsufficientStock,
                    "insufficient stock: " + std::string(to_string(request.kind)) + " would take " +
                        "on_hand of " + describe(request) + " below zero",
                    level_detail(before, policy, available_to_sell(before, policy)));
    }
    if (!policy.allow_backorder && after.on_hand < after.reserved) {
        throw Error(ErrorCode::InsufficientStock,
                    "insufficient stock: " + std::string(to_string(request.kind)) +
                        " would leave " + "on_hand of " + describe(request) +
                        " below its reservations",
                    level_detail(before, policy, available_to_sell(before, policy)),
                    "Deallocate the reservations that can no longer be shipped first.");
    }
    const Quantity backordered = checked_sub(after.reserved, after.on_hand, "backordered units");
    if (policy.allow_backorder && policy.backorder_limit && backordered > *policy.backorder_limit) {
        throw Error(ErrorCode::InsufficientStock,
                    "insufficient stock: " + std::string(to_string(request.kind)) +
                        " would leave " + std::to_string(backordered) + " units of " +
                        describe(request) + " backordered, more than its backorder_limit " +
                        std::to_string(*policy.backorder_limit),
                    level_detail(before, policy, available_to_sell(before, policy)),
                    "Deallocate the reservations that can no longer be shipped first.");
    }
}

}  // namespace

std::optional<Quantity> backorder_allowance(const Level& level, const Policy& policy) {
    if (!policy.allow_backorder) return Quantity{0};
    if (!policy.backorder_limit) return std::nullopt;
    const Quantity free = checked_sub(level.on_hand, level.reserved, "free stock");
    const Quantity backordered = free < 0 ? checked_neg(free, "backordered units") : 0;
    const Quantity left = checked_sub(*policy.backorder_limit, backordered, "backorder allowance");
    return left > 0 ? left : 0;
}

Quantity available_to_sell(const Level& level, const Policy& policy) {
    const Quantity free = checked_sub(level.on_hand, level.reserved, "available_to_sell");
    if (free < 0) return free;
    const Quantity held = checked_sub(free, policy.safety_stock, "available_to_sell");
    return held > 0 ? held : 0;
}

void validate_policy(const Policy& policy) {
    if (policy.safety_stock < 0) {
        throw Error(ErrorCode::InvalidParameter, "safety_stock must not be negative");
    }
    if (policy.backorder_limit && *policy.backorder_limit < 0) {
        throw Error(ErrorCode::InvalidParameter, "backorder_limit must not be negative");
    }
    if (policy.backorder_limit && !policy.allow_backorder) {
        throw Error(ErrorCode::InvalidParameter, "backorder_limit needs allow_backorder", "",
                    "Set allow_backorder to true, or pass NULL as backorder_limit.");
    }
}

Transition compute_transition(const Level& before, const Policy& policy,
                              const EventRequest& request) {
    const Quantity q = request.quantity;
    const Quantity available = available_to_sell(before, policy);
    Transition t;

    switch (request.kind) {
        case EventKind::Receive:
        case EventKind::TransferIn:
            t.on_hand_change = q;
            break;

        case EventKind::Return:
            // A damaged return is recorded but adds no sellable stock.
            t.on_hand_change = request.reason == "DAMAGED" ? 0 : q;
            break;

        case EventKind::Allocate: {
            // Sellable stock first, then whatever backorder capacity is left.
            const auto allowance = backorder_allowance(before, policy);
            const Quantity sellable = available > 0 ? available : 0;
            // Written so that it cannot overflow: the subtraction runs only when q > sellable.
            const bool fits = !allowance || q <= sellable || q - sellable <= *allowance;
            if (!fits) {
                throw Error(ErrorCode::InsufficientStock,
                            "insufficient stock to allocate " + std::to_string(q) + " units of " +
                                describe(request),
                            level_detail(before, policy, available));
            }
            t.reserved_change = q;
            break;
        }

        case EventKind::Deallocate:
            if (q > before.reserved) {
                throw Error(ErrorCode::InsufficientReserved,
                            "cannot deallocate " + std::to_string(q) + " units of " +
                                describe(request) + ": only " + std::to_string(before.reserved) +
                                " reserved",
                            level_detail(before, policy, available));
            }
            t.reserved_change = -q;
            break;

        case EventKind::Fulfill:
            if (q > before.reserved) {
                throw Error(ErrorCode::InsufficientReserved,
                            "cannot fulfill " + std::to_string(q) + " units of " +
                                describe(request) + ": only " + std::to_string(before.reserved) +
                                " reserved",
                            level_detail(before, policy, available),
                            "Allocate units before fulfilling them.");
            }
            if (q > before.on_hand) {
                throw Error(ErrorCode::InsufficientStock,
                            "cannot fulfill " + std::to_string(q) + " units of " +
                                describe(request) + ": only " + std::to_string(before.on_hand) +
                                " on hand",
                            level_detail(before, policy, available),
                            "Backordered units ship once they are received.");
            }
            t.on_hand_change = -q;
            t.reserved_change = -q;
            break;

        case EventKind::TransferOut: {
            const Quantity unreserved = checked_sub(before.on_hand, before.reserved, "stock");
            if (q > unreserved) {
                throw Error(ErrorCode::InsufficientStock,
                            "insufficient stock to transfer " + std::to_string(q) + " units of " +
                                describe(request),
                            level_detail(before, policy, available),
                            "Only unreserved units can leave a warehouse.");
            }
            t.on_hand_change = -q;
            break;
        }

        case EventKind::Adjust:
        case EventKind::Rebalance:
            t.on_hand_change = q;
            break;

        case EventKind::Count:
            // The counted quantity is the truth; the ledger records the delta that gets there.
            t.on_hand_change = checked_sub(q, before.on_hand, "COUNT change");
            break;
    }

    t.after.on_hand = checked_add(before.on_hand, t.on_hand_change, "on_hand");
    t.after.reserved = checked_add(before.reserved, t.reserved_change, "reserved");
    if (t.on_hand_change < 0) require_on_hand_covers_reservations(t.after, policy, before, request);
    t.available_after = available_to_sell(t.after, policy);
    return t;
}

void verify_recorded(const EventRequest& request, const RecordedEvent& recorded) {
    const auto refuse = [&](const std::string& why) {
        throw Error(ErrorCode::InvalidParameter,
                    "recorded " + std::string(to_string(request.kind)) + " event of " +
                        describe(request) + " is inconsistent: " + why,
                    "A ledger row inserted with its computed columns filled must be one the "
                    "inventory rules produced (as in a restore).");
    };
    Level before;
    try {
        before.on_hand = checked_sub(recorded.after.on_hand, recorded.on_hand_change, "on_hand");
        before.reserved =
            checked_sub(recorded.after.reserved, recorded.reserved_change, "reserved");
    } catch (const Error&) {
        refuse("the level before it is out of range for type bigint");
    }
    if (before.on_hand < 0 || before.reserved < 0 || recorded.after.on_hand < 0 ||
        recorded.after.reserved < 0) {
        refuse("a level before or after it is negative");
    }
    // A REBALANCE moves on_hand, and with it reserved units no reservation holds, in one
    // direction: the reserved change is a part of the on_hand change.
    if (request.kind == EventKind::Rebalance) {
        const bool same_direction =
            (recorded.reserved_change >= 0) == (recorded.on_hand_change >= 0) ||
            recorded.reserved_change == 0;
        const Quantity moved =
            recorded.on_hand_change < 0 ? -recorded.on_hand_change : recorded.on_hand_change;
        const Quantity reserved =
            recorded.reserved_change < 0 ? -recorded.reserved_change : recorded.reserved_change;
        if (recorded.on_hand_change != request.quantity || !same_direction || reserved > moved) {
            refuse(
                "a REBALANCE row's on_hand change is its quantity, and its reserved change a "
                "part of it in the same direction");
        }
        return;
    }
    // A COUNT's quantity is the level's counted total; on a striped level its row is one
    // stripe's, whose before-figures are not the level's: its on_hand change cannot be checked
    // against the quantity from the row alone, its reserved change can.
    if (request.kind == EventKind::Count) {
        if (recorded.reserved_change != 0) refuse("a COUNT does not change reserved");
        return;
    }
    Policy permissive;
    permissive.allow_backorder = true;
    Transition expected;
    try {
        expected = compute_transition(before, permissive, request);
    } catch (const Error& e) {
        refuse(e.what());
    }
    if (expected.on_hand_change != recorded.on_hand_change ||
        expected.reserved_change != recorded.reserved_change) {
        refuse("its changes (on_hand " + std::to_string(recorded.on_hand_change) + ", reserved " +
               std::to_string(recorded.reserved_change) + ") are not what quantity " +
               std::to_string(request.quantity) + " implies");
    }
}

}  // namespace inventory
