// inventory_reservations as the event engine and the ledger trigger keep it: what each
// ALLOCATE with a reference_id holds, and what FULFILL and DEALLOCATE may still take.
//
// Every change of a reservation is an event on its (sku, warehouse) level, and every event holds
// the lock of the level's row that holds the reservation (of a striped level, its stripe's,
// inventory_reservations.stripe): that lock serializes the reservation, so reservations are read
// without locks of their own, after the level's rows are locked. Two first ALLOCATEs of one new
// reference on two stripes meet at the primary key (40001).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/level.hpp"
#include "core/reservation.hpp"
#include "pg/event_request.hpp"
#include "pg/postgres_headers.hpp"

namespace inventory::pg {

// A reservation: the reference_id of its ALLOCATE on one level.
struct ReservationKey {
    std::string reference_id;
    LevelKey level;
    auto operator<=>(const ReservationKey&) const = default;
};

// One event as the book needs it.
struct ReservationTouch {
    const EventRequest* request;
    const EventOptions* options;
};

// The stripe of the reservation (reference_id, level) if it exists, read without locks on a new
// snapshot: where the engine must lock before it reads the reservation under that lock.
[[nodiscard]] std::optional<std::int16_t> reservation_stripe(const LevelKey& level,
                                                             const std::string& reference_id);

class ReservationBook {
  public:
    // Reads the reservations the events name and, for levels where an event names none, the units
    // reservations hold there, and takes the time the rules compare holds with. Events that do
    // not touch reservations cost nothing. Requires SPI and the events' level locks.
    void load(const std::vector<ReservationTouch>& touches);

    // Applies one event (in plan order) in memory; `level_reserved` is the level's reserved
    // before it. Does nothing for an event that does not touch reservations. Throws the core's
    // errors.
    void apply(const ReservationTouch& touch, Quantity level_reserved);

    // The stripe that holds a reservation the events name (after load; for one apply() created:
    // where place() put it); nullopt for one that does not exist.
    [[nodiscard]] std::optional<std::int16_t> stripe_of(const ReservationKey& key) const;
    // Puts a reservation that apply() created on `stripe`.
    void place(const ReservationKey& key, std::int16_t stripe);
    // Per stripe of a level whose unnamed events load() read the totals for: the units its
    // active reservations hold there (nullopt for another level).
    [[nodiscard]] std::optional<std::map<std::int16_t, Quantity>> held_by_stripe(
        const LevelKey& level) const;

    // Writes every reservation apply() changed on the direct path (pg/direct_tables.hpp).
    // A reservation created by an event with an order_ref (an order's ALLOCATE) records that
    // order; a reservation's order is never changed afterwards.
    void write() const;

  private:
    std::map<ReservationKey, std::optional<Reservation>> reservations_;
    std::map<ReservationKey, ItemPointerData> rows_;  // where the existing ones are
    std::set<ReservationKey> changed_;
    std::map<ReservationKey, std::string> order_refs_;  // the order of a reservation it creates
    std::map<LevelKey, Quantity> held_;                 // per level, if needed
    std::map<LevelKey, std::map<std::int16_t, Quantity>> held_by_stripe_;  // the same per stripe
    std::map<ReservationKey, std::int16_t> stripes_;                       // where each one is held
    Timestamp now_ = 0;  // clock time, microseconds since 2000, taken by load()
};

}  // namespace inventory::pg
