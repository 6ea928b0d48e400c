// The engine behind inventory_apply_event, inventory_transfer and inventory_apply_events: it
// takes a plan of events and applies it set-wise, on the direct write path
// (pg/direct_tables.hpp), without SQL but to create a missing level:
//   0. takes ROW EXCLUSIVE on the ledger, the first lock of every writer (pg/lock_order.hpp);
//   1. reads the stored events of the plan's idempotency keys, one probe of the unique index per
//      key (sorted), waiting for a key another transaction has in flight, and decides which
//      events are replays (pg/idempotency.hpp);
//   2. locks every level row the rest touches, once, in one global order (SKU bytewise, then
//      warehouse id), creating missing rows with the SKU's policy first (pg/level_store.hpp,
//      lock_levels), then reads the reservations the events touch (pg/reservations.hpp);
//   3. applies the core's rules event by event in plan order, in memory;
//   4. appends the new ledger rows (one insert, or a multi-insert as COPY does), writes the
//      changed reservations and the new version of every touched level (store_levels).
// Requires an SPI connection (for a level to create). All or nothing: any error aborts the
// caller's statement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "pg/event_request.hpp"
#include "pg/level_store.hpp"
#include "pg/uuid.hpp"

namespace inventory::pg {

// An event as applied (or as first applied, for a replay): its id and the level after it.
struct EventOutcome {
    UuidBytes id{};
    std::int64_t on_hand = 0;
    std::int64_t reserved = 0;
    std::int64_t available = 0;
};

struct AppliedEvent {
    EventOutcome outcome;
    bool replayed = false;
};

struct PlannedEvent {
    std::int32_t ordinal = 0;        // position shown in error messages ("event 3: ..."); 0 = none
    const char* position = "event";  // what the ordinal counts: "line" for an order's lines
    EventRequest request;
    EventOptions options;  // a transfer's key and reference are on both legs; the key is stored
                           // on the TRANSFER_OUT row only
    std::optional<std::int32_t> destination;  // TRANSFER_OUT: the TRANSFER_IN's warehouse
    std::optional<std::size_t> out_leg;       // TRANSFER_IN: index of its TRANSFER_OUT
    std::optional<UuidBytes> related_event;   // TRANSFER_IN of a dispatched transfer: its
                                              // TRANSFER_OUT, written earlier
    AppliedEvent result;                      // filled by execute_plan
};

// Runs fn; an error it raises gets "<position> N: " in front of its message (N > 0 only; "event
// N: " by default, "line N: " for an order), with its SQLSTATE, detail and hint unchanged.
template <typename Fn>
auto with_event_position(std::int32_t ordinal, Fn&& fn, const char* position = "event") {
    if (ordinal <= 0) return fn();
    try {
        return fn();
    } catch (const Error& e) {
        throw Error(e.code(),
                    std::string(position) + " " + std::to_string(ordinal) + ": " + e.what(),
                    e.detail(), e.hint(), e.where());
    } catch (const PgError& e) {
        ErrorData* data = e.data();
        data->message =
            pg_guard([&] { return psprintf("%s %d: %s", position, ordinal, data->message); });
        throw;
    }
}

// Appends a transfer as two planned events (TRANSFER_OUT, then TRANSFER_IN).
void plan_transfer(std::vector<PlannedEvent>& plan, std::int32_t ordinal,
                   const EventRequest& out_request, const EventRequest& in_request,
                   const EventOptions& options);

// Applies the plan; each event's `result` holds its outcome afterwards.
void execute_plan(std::vector<PlannedEvent>& plan);

// A SKU's stripe count changed (the policy trigger): the free stock of each of `levels` (held
// whole) spreads again over `stripes` stripes, draining those beyond (not with safety stock or
// backorders: it stays where it is), recorded as REBALANCE rows; the caller stores the levels.
void restripe_levels(LockedLevels& levels, std::int32_t stripes);

// Applies a plan of one event and returns its outcome.
inline AppliedEvent execute_one(PlannedEvent event) {
    std::vector<PlannedEvent> plan{std::move(event)};
    execute_plan(plan);
    return plan[0].result;
}

}  // namespace inventory::pg
