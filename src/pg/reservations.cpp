#include "pg/reservations.hpp"

#include "core/error.hpp"
#include "pg/direct_tables.hpp"
#include "pg/event_engine.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {
namespace {

direct::Columns reservation_columns{"reference_id", "sku",        "warehouse_id", "order_ref",
                                    "quantity",     "fulfilled",  "released",     "expires_at",
                                    "status",       "created_at", "updated_at",   "stripe"};
enum ReservationColumn : std::size_t {
    kReference,
    kSku,
    kWarehouse,
    kOrder,
    kQuantity,
    kFulfilled,
    kReleased,
    kExpires,
    kStatus,
    kCreatedAt,
    kUpdatedAt,
    kStripe
};
int column(ReservationColumn c) {
    return reservation_columns(direct::TableId::Reservations, c);
}

Reservation read_reservation(TupleTableSlot* slot) {
    Reservation reservation;
    reservation.quantity = DatumGetInt64(direct::get(slot, column(kQuantity)));
    reservation.fulfilled = DatumGetInt64(direct::get(slot, column(kFulfilled)));
    reservation.released = DatumGetInt64(direct::get(slot, column(kReleased)));
    if (!direct::is_null(slot, column(kExpires)))
        reservation.expires_at = DatumGetTimestampTz(direct::get(slot, column(kExpires)));
    reservation.status =
        parse_reservation_status(spi::text_value(direct::get(slot, column(kStatus))));
    return reservation;
}

std::int16_t stripe_of_row(TupleTableSlot* slot) {
    return DatumGetInt16(direct::get(slot, column(kStripe)));
}

constexpr Oid kKeyEquality[] = {F_TEXTEQ, F_TEXTEQ, F_INT4EQ};

// One primary-key probe per reservation, on a snapshot taken after the level locks (which
// serialize the reservations of a level; of a striped level, its stripe's lock those of the
// reservations it holds).
void load_reservations(std::map<ReservationKey, std::optional<Reservation>>& reservations,
                       std::map<ReservationKey, ItemPointerData>& rows,
                       std::map<ReservationKey, std::int16_t>& stripes) {
    const direct::Statement statement;
    for (auto& [key, value] : reservations) {
        const Datum values[] = {spi::text_datum(key.reference_id), spi::text_datum(key.level.sku),
                                Int32GetDatum(key.level.warehouse_id)};
        direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_pkey",
                                 values, kKeyEquality, statement);
        if (!probe.next()) continue;
        value = read_reservation(probe.slot());
        rows[key] = probe.slot()->tts_tid;
        stripes[key] = stripe_of_row(probe.slot());
    }
}

// What the active reservations of each level hold, in total and per stripe, through the
// partial index on them.
void load_held(std::map<LevelKey, Quantity>& held,
               std::map<LevelKey, std::map<std::int16_t, Quantity>>& by_stripe) {
    const direct::Statement statement;
    constexpr Oid equality[] = {F_TEXTEQ, F_INT4EQ};
    for (auto& [level, total] : held) {
        const Datum values[] = {spi::text_datum(level.sku), Int32GetDatum(level.warehouse_id)};
        direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_active_idx",
                                 values, equality, statement);
        Quantity sum = 0;
        auto& stripes = by_stripe[level];
        while (probe.next()) {
            const Reservation reservation = read_reservation(probe.slot());
            if (reservation.status != ReservationStatus::Active) continue;
            sum += reservation.held();
            stripes[stripe_of_row(probe.slot())] += reservation.held();
        }
        total = sum;
    }
}

// A new reservation. On a striped level two first ALLOCATEs under one reference can run at
// once, each on its own stripe: the primary key stops the second, which is a retry (it then
// finds the reservation), not an error of the caller's.
void insert_new(direct::NewRow& row, const direct::Statement& statement) {
    try {
        direct::insert_row(row, statement);
    } catch (const PgError& e) {
        const ErrorData* data = e.data();
        if (data->sqlerrcode == ERRCODE_UNIQUE_VIOLATION && data->constraint_name != nullptr &&
            std::string(data->constraint_name) == "inventory_reservations_pkey") {
            throw Error(ErrorCode::SerializationFailure,
                        "could not serialize access: a concurrent transaction created the same "
                        "reservation",
                        "", "Retry the transaction; it will add to that reservation.");
        }
        throw;
    }
}

}  // namespace

std::optional<std::int16_t> reservation_stripe(const LevelKey& level,
                                               const std::string& reference_id) {
    const direct::Statement statement;
    const Datum values[] = {spi::text_datum(reference_id), spi::text_datum(level.sku),
                            Int32GetDatum(level.warehouse_id)};
    direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_pkey", values,
                             kKeyEquality, statement);
    if (!probe.next()) return std::nullopt;
    return stripe_of_row(probe.slot());
}

std::optional<std::int16_t> ReservationBook::stripe_of(const ReservationKey& key) const {
    const auto found = stripes_.find(key);
    if (found == stripes_.end()) return std::nullopt;
    return found->second;
}

void ReservationBook::place(const ReservationKey& key, std::int16_t stripe) {
    stripes_.try_emplace(key, stripe);
}

std::optional<std::map<std::int16_t, Quantity>> ReservationBook::held_by_stripe(
    const LevelKey& level) const {
    const auto found = held_by_stripe_.find(level);
    if (found == held_by_stripe_.end()) return std::nullopt;
    return found->second;
}

void ReservationBook::load(const std::vector<ReservationTouch>& touches) {
    for (const ReservationTouch& touch : touches) {
        const EventRequest& request = *touch.request;
        if (!touches_reservations(request.kind, touch.options->reference_id.has_value())) continue;
        if (touch.options->reference_id) {
            reservations_.try_emplace(
                ReservationKey{*touch.options->reference_id, {request.sku, request.warehouse_id}});
        } else {
            held_.try_emplace({request.sku, request.warehouse_id}, 0);
        }
    }
    if (reservations_.empty() && held_.empty()) return;
    now_ = GetCurrentTimestamp();  // cannot fail
    if (!reservations_.empty()) load_reservations(reservations_, rows_, stripes_);
    if (!held_.empty()) load_held(held_, held_by_stripe_);
}

void ReservationBook::apply(const ReservationTouch& touch, Quantity level_reserved) {
    const EventRequest& request = *touch.request;
    const EventOptions& options = *touch.options;
    if (!touches_reservations(request.kind, options.reference_id.has_value())) return;
    const LevelKey level{request.sku, request.warehouse_id};
    auto held = held_.find(level);
    if (!options.reference_id) {
        if (request.kind == EventKind::Allocate) return;  // an unnamed hold: the level's alone
        if (held == held_.end()) throw Error(ErrorCode::Internal, "reservation totals not loaded");
        check_unassigned_reserved(request, level_reserved, held->second);
        return;
    }
    const ReservationKey key{*options.reference_id, level};
    auto entry = reservations_.find(key);
    if (entry == reservations_.end()) throw Error(ErrorCode::Internal, "reservation not loaded");
    const Quantity held_before = entry->second ? entry->second->held() : 0;
    if (!entry->second && options.order_ref) order_refs_.try_emplace(key, *options.order_ref);
    entry->second =
        apply_to_reservation(entry->second, request, key.reference_id, options.expires_at, now_);
    if (held != held_.end()) held->second += entry->second->held() - held_before;
    changed_.insert(key);
}

void ReservationBook::write() const {
    if (changed_.empty()) return;
    // A reservation that exists gets a new row version, a new one a row: no upsert is needed,
    // the level locks keep any other writer of these reservations out.
    const direct::Statement statement;
    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    for (const ReservationKey& key : changed_) {
        const Reservation& r = *reservations_.at(key);
        direct::NewRow row(direct::TableId::Reservations);
        const auto existing = rows_.find(key);
        if (existing != rows_.end()) {
            direct::load_current(row, existing->second);
        } else {
            row.set(column(kReference), spi::text_datum(key.reference_id));
            row.set(column(kSku), spi::text_datum(key.level.sku));
            row.set(column(kWarehouse), Int32GetDatum(key.level.warehouse_id));
            const auto order = order_refs_.find(key);
            if (order != order_refs_.end()) {
                row.set(column(kOrder), spi::text_datum(order->second));
            }
            row.set(column(kCreatedAt), now);
            const auto stripe = stripes_.find(key);
            row.set(column(kStripe), Int16GetDatum(stripe == stripes_.end() ? 0 : stripe->second));
        }
        row.set(column(kQuantity), Int64GetDatum(r.quantity));
        row.set(column(kFulfilled), Int64GetDatum(r.fulfilled));
        row.set(column(kReleased), Int64GetDatum(r.released));
        if (r.expires_at) {
            row.set(column(kExpires), TimestampTzGetDatum(*r.expires_at));
        } else {
            row.set_null(column(kExpires));
        }
        row.set(column(kStatus), spi::text_datum(to_string(r.status)));
        row.set(column(kUpdatedAt), now);
        if (existing != rows_.end()) {
            ItemPointerData tid = existing->second;
            direct::update_row(row, &tid, statement);
        } else {
            insert_new(row, statement);
        }
    }
}

}  // namespace inventory::pg
