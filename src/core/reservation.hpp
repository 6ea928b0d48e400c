// Reservations: the units an ALLOCATE with a reference_id holds for one order line on one
// (sku, warehouse) level, and the rules FULFILL and DEALLOCATE follow when they name it.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/quantity.hpp"

namespace inventory {

enum class ReservationStatus {
    Active,     // holds units
    Fulfilled,  // closed; some units shipped
    Released,   // closed; nothing shipped, released by DEALLOCATE
    Expired,    // closed by inventory_expire_reservations (DEALLOCATE with reason EXPIRED)
};

// Spelling stored in inventory_reservations.status, e.g. "ACTIVE".
[[nodiscard]] std::string_view to_string(ReservationStatus status) noexcept;
// Throws Error(Internal) for an unknown spelling.
[[nodiscard]] ReservationStatus parse_reservation_status(std::string_view text);

// Timestamps are microseconds on any fixed epoch; only their order matters here.
using Timestamp = std::int64_t;

// The reason a DEALLOCATE carries when expiry releases a hold.
inline constexpr std::string_view kExpiryReason = "EXPIRED";

struct Reservation {
    Quantity quantity = 0;   // allocated in total
    Quantity fulfilled = 0;  // shipped from it
    Quantity released = 0;   // given back (cancelled or expired)
    std::optional<Timestamp> expires_at;
    ReservationStatus status = ReservationStatus::Active;

    [[nodiscard]] Quantity held() const { return quantity - fulfilled - released; }
    [[nodiscard]] bool expired_at(Timestamp now) const {
        return status == ReservationStatus::Active && expires_at && *expires_at <= now;
    }
};

// What an event does to the reservation its reference_id names on its level.
//  ALLOCATE creates the reservation, or adds to an active one; the hold then ends at the later
//           of the two ends, and never when either part has none. A closed or expired
//           reservation is not reopened: ReferenceClosed, ReservationExpired. expires_at must lie
//           after `now`: InvalidParameter.
//  FULFILL  takes from what it holds: ReferenceNotFound without one, ReservationExpired once its
//           hold has ended, InsufficientReserved beyond what it holds.
//  DEALLOCATE gives back what it holds (also after expiry): ReferenceNotFound,
//  InsufficientReserved.
// When nothing is left held the reservation closes: EXPIRED when the last release carried reason
// EXPIRED, FULFILLED when anything shipped, RELEASED otherwise.
[[nodiscard]] Reservation apply_to_reservation(const std::optional<Reservation>& existing,
                                               const EventRequest& request,
                                               std::string_view reference_id,
                                               std::optional<Timestamp> expires_at, Timestamp now);

// Whether an event takes part in reservations: ALLOCATE with a reference_id, and every
// FULFILL and DEALLOCATE.
[[nodiscard]] bool touches_reservations(EventKind kind, bool has_reference) noexcept;

// A FULFILL or DEALLOCATE without a reference_id may take only the level's reserved units that
// no reservation holds. Throws Error(InsufficientReserved) naming the held units otherwise (a
// quantity beyond all of the level's reserved units is left to compute_transition's own error).
void check_unassigned_reserved(const EventRequest& request, Quantity level_reserved,
                               Quantity held_by_reservations);

}  // namespace inventory
