#include "core/reservation.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace inventory {
namespace {

std::string quoted(std::string_view reference_id) {
    return "\"" + std::string(reference_id) + "\"";
}

std::string describe(const EventRequest& request, std::string_view reference_id) {
    return "reservation " + quoted(reference_id) + " of SKU " + quoted(request.sku) +
           " in warehouse " + std::to_string(request.warehouse_id);
}

std::string holding_detail(const Reservation& r) {
    return "It was allocated " + std::to_string(r.quantity) + ", fulfilled " +
           std::to_string(r.fulfilled) + ", released " + std::to_string(r.released) +
           " and holds " + std::to_string(r.held()) + " (" + std::string(to_string(r.status)) +
           ").";
}

ReservationStatus closing_status(const Reservation& r, const EventRequest& request) {
    if (request.kind == EventKind::Deallocate && request.reason == kExpiryReason) {
        return ReservationStatus::Expired;
    }
    return r.fulfilled > 0 ? ReservationStatus::Fulfilled : ReservationStatus::Released;
}

}  // namespace

std::string_view to_string(ReservationStatus status) noexcept {
    switch (status) {
        case ReservationStatus::Active:
            return "ACTIVE";
        case ReservationStatus::Fulfilled:
            return "FULFILLED";
        case ReservationStatus::Released:
            return "RELEASED";
        case ReservationStatus::Expired:
            return "EXPIRED";
    }
    return "ACTIVE";
}

ReservationStatus parse_reservation_status(std::string_view text) {
    for (auto status : {ReservationStatus::Active, ReservationStatus::Fulfilled,
                        ReservationStatus::Released, ReservationStatus::Expired}) {
        if (text == to_string(status)) return status;
    }
    throw Error(ErrorCode::Internal, "unknown reservation status " + std::string(text));
}

bool touches_reservations(EventKind kind, bool has_reference) noexcept {
    return (kind == EventKind::Allocate && has_reference) || kind == EventKind::Fulfill ||
           kind == EventKind::Deallocate;
}

Reservation apply_to_reservation(const std::optional<Reservation>& existing,
                                 const EventRequest& request, std::string_view reference_id,
                                 std::optional<Timestamp> expires_at, Timestamp now) {
    const Quantity q = request.quantity;
    if (expires_at && request.kind != EventKind::Allocate) {
        throw Error(ErrorCode::InvalidParameter, "expires_at applies to ALLOCATE only");
    }
    if (request.kind == EventKind::Allocate) {
        if (expires_at && *expires_at <= now) {
            throw Error(
                ErrorCode::InvalidParameter,
                "expires_at of " + describe(request, reference_id) + " is not in the future", "",
                "Pass a time after now(), for example now() + interval '15 minutes'.");
        }
        if (!existing) {
            return Reservation{q, 0, 0, expires_at, ReservationStatus::Active};
        }
        if (existing->status != ReservationStatus::Active) {
            throw Error(ErrorCode::ReferenceClosed, describe(request, reference_id) + " is closed",
                        holding_detail(*existing), "Allocate under a new reference_id.");
        }
        if (existing->expired_at(now)) {
            throw Error(ErrorCode::ReservationExpired,
                        describe(request, reference_id) + " has expired", holding_detail(*existing),
                        "Release it (DEALLOCATE) and allocate under a new reference_id.");
        }
        Reservation grown = *existing;
        grown.quantity = checked_add(grown.quantity, q, "reservation quantity");
        // The whole hold lasts as long as its longest part; no expiry is the longest.
        if (!grown.expires_at || !expires_at) {
            grown.expires_at.reset();
        } else {
            grown.expires_at = std::max(*grown.expires_at, *expires_at);
        }
        return grown;
    }

    if (!existing) {
        throw Error(ErrorCode::ReferenceNotFound, "no " + describe(request, reference_id),
                    "FULFILL and DEALLOCATE with a reference_id take units from the reservation an "
                    "ALLOCATE with the same reference_id, SKU and warehouse made.",
                    "Check the reference_id, or leave it out to use reserved units no "
                    "reservation holds.");
    }
    const std::string verb = request.kind == EventKind::Fulfill ? "fulfill" : "release";
    if (request.kind == EventKind::Fulfill && existing->expired_at(now)) {
        throw Error(ErrorCode::ReservationExpired,
                    "cannot fulfill " + describe(request, reference_id) + ": its hold has expired",
                    holding_detail(*existing), "Allocate the units again before shipping them.");
    }
    if (q > existing->held()) {
        throw Error(ErrorCode::InsufficientReserved,
                    "cannot " + verb + " " + std::to_string(q) + " units of " +
                        describe(request, reference_id) + ": it holds " +
                        std::to_string(existing->held()),
                    holding_detail(*existing));
    }
    Reservation after = *existing;
    if (request.kind == EventKind::Fulfill) {
        after.fulfilled += q;
    } else {
        after.released += q;
    }
    if (after.held() == 0) after.status = closing_status(after, request);
    return after;
}

void check_unassigned_reserved(const EventRequest& request, Quantity level_reserved,
                               Quantity held_by_reservations) {
    const Quantity unassigned = level_reserved - held_by_reservations;
    // Beyond the level's reserved units altogether, the level's own rule reports it.
    if (request.quantity <= unassigned || request.quantity > level_reserved) return;
    const std::string verb = request.kind == EventKind::Fulfill ? "fulfill" : "deallocate";
    throw Error(ErrorCode::InsufficientReserved,
                "cannot " + verb + " " + std::to_string(request.quantity) + " units of SKU " +
                    quoted(request.sku) + " in warehouse " + std::to_string(request.warehouse_id) +
                    " without a reference_id: only " +
                    std::to_string(unassigned > 0 ? unassigned : Quantity{0}) +
                    " reserved units belong to no reservation",
                std::to_string(held_by_reservations) + " of its " + std::to_string(level_reserved) +
                    " reserved units are held by reservations.",
                "Name the reservation's reference_id.");
}

}  // namespace inventory
