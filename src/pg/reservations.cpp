#include "pg/reservations.hpp"

#include "core/error.hpp"
#include "pg/array_builder.hpp"
#include "pg/event_engine.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {
namespace {

std::optional<Timestamp> timestamp_column(std::uint64_t row, int column) {
    if (spi::is_null(row, column)) return std::nullopt;
    return DatumGetTimestampTz(spi::get_datum(row, column));
}

void load_reservations(std::map<ReservationKey, std::optional<Reservation>>& reservations) {
    // Planned per call: inventory_reservations starts empty and grows with every order, and a
    // generic plan made while it was tiny would scan it whole on every event.
    static spi::Statement find(
        "SELECT r.reference_id, r.sku, r.warehouse_id, r.quantity, r.fulfilled, r.released, "
        "       r.expires_at, r.status "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "                pg_catalog.unnest($2::pg_catalog.text[]), "
        "                pg_catalog.unnest($3::pg_catalog.int4[])) AS k(reference_id, sku, wh) "
        "CROSS JOIN LATERAL ("
        "  SELECT x.reference_id, x.sku, x.warehouse_id, x.quantity, x.fulfilled, x.released, "
        "         x.expires_at, x.status "
        "  FROM inventory.inventory_reservations x "
        "  WHERE x.reference_id OPERATOR(pg_catalog.=) k.reference_id "
        "    AND x.sku OPERATOR(pg_catalog.=) k.sku "
        "    AND x.warehouse_id OPERATOR(pg_catalog.=) k.wh OFFSET 0) r",
        {TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID}, spi::Statement::Planning::PerCall);
    // The one-key case (one event) binds the key itself: cheaper to plan than the arrays.
    static spi::Statement find_one(
        "SELECT reference_id, sku, warehouse_id, quantity, fulfilled, released, expires_at, "
        "       status "
        "FROM inventory.inventory_reservations "
        "WHERE reference_id OPERATOR(pg_catalog.=) $1 AND sku OPERATOR(pg_catalog.=) $2 "
        "  AND warehouse_id OPERATOR(pg_catalog.=) $3",
        {TEXTOID, TEXTOID, INT4OID}, spi::Statement::Planning::PerCall);
    ArrayBuilder references(TEXTOID), skus(TEXTOID), warehouses(INT4OID);
    for (const auto& [key, value] : reservations) {
        references.add(spi::text_datum(key.reference_id));
        skus.add(spi::text_datum(key.level.sku));
        warehouses.add(Int32GetDatum(key.level.warehouse_id));
    }
    std::uint64_t rows = 0;
    if (reservations.size() == 1) {
        const Datum values[] = {references.first(), skus.first(), warehouses.first()};
        rows = find_one.execute(values, nullptr);
    } else {
        const Datum values[] = {references.build(), skus.build(), warehouses.build()};
        rows = find.execute(values, nullptr);
    }
    for (std::uint64_t r = 0; r < rows; ++r) {
        ReservationKey key{*spi::get_optional_text(r, 1),
                           {*spi::get_optional_text(r, 2), spi::get_int32(r, 3)}};
        Reservation reservation;
        reservation.quantity = spi::get_int64(r, 4);
        reservation.fulfilled = spi::get_int64(r, 5);
        reservation.released = spi::get_int64(r, 6);
        reservation.expires_at = timestamp_column(r, 7);
        reservation.status = parse_reservation_status(*spi::get_optional_text(r, 8));
        reservations[key] = reservation;
    }
}

void load_held(std::map<LevelKey, Quantity>& held) {
    // A correlated subquery per level, probing the partial index on active reservations;
    // planned per call like `find` above.
    static spi::Statement sum(
        "SELECT k.sku, k.wh, "
        "  (SELECT COALESCE(pg_catalog.sum(r.quantity - r.fulfilled - r.released), "
        "0)::pg_catalog.int8 "
        "   FROM inventory.inventory_reservations r "
        "   WHERE r.sku OPERATOR(pg_catalog.=) k.sku "
        "     AND r.warehouse_id OPERATOR(pg_catalog.=) k.wh "
        "     AND r.status OPERATOR(pg_catalog.=) 'ACTIVE') "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "                pg_catalog.unnest($2::pg_catalog.int4[])) AS k(sku, wh)",
        {TEXTARRAYOID, INT4ARRAYOID}, spi::Statement::Planning::PerCall);
    ArrayBuilder skus(TEXTOID), warehouses(INT4OID);
    for (const auto& [level, total] : held) {
        skus.add(spi::text_datum(level.sku));
        warehouses.add(Int32GetDatum(level.warehouse_id));
    }
    const Datum values[] = {skus.build(), warehouses.build()};
    const std::uint64_t rows = sum.execute(values, nullptr);
    for (std::uint64_t r = 0; r < rows; ++r) {
        held[{*spi::get_optional_text(r, 1), spi::get_int32(r, 2)}] = spi::get_int64(r, 3);
    }
}

}  // namespace

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
    if (!reservations_.empty()) load_reservations(reservations_);
    if (!held_.empty()) load_held(held_);
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
    static spi::Statement upsert(
        "INSERT INTO inventory.inventory_reservations AS r "
        "  (reference_id, sku, warehouse_id, quantity, fulfilled, released, expires_at, status, "
        "   order_ref) "
        "SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "  pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.int4[]), "
        "  pg_catalog.unnest($4::pg_catalog.int8[]), pg_catalog.unnest($5::pg_catalog.int8[]), "
        "  pg_catalog.unnest($6::pg_catalog.int8[]), "
        "  pg_catalog.unnest($7::pg_catalog.timestamptz[]), "
        "  pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.text[])) "
        "ON CONFLICT (reference_id, sku, warehouse_id) DO UPDATE "
        "SET quantity = EXCLUDED.quantity, fulfilled = EXCLUDED.fulfilled, "
        "    released = EXCLUDED.released, expires_at = EXCLUDED.expires_at, "
        "    status = EXCLUDED.status, updated_at = pg_catalog.now()",
        {TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
         TIMESTAMPTZARRAYOID, TEXTARRAYOID, TEXTARRAYOID});
    ArrayBuilder references(TEXTOID), skus(TEXTOID), warehouses(INT4OID), quantities(INT8OID),
        fulfilled(INT8OID), released(INT8OID), expiries(TIMESTAMPTZOID), statuses(TEXTOID),
        orders(TEXTOID);
    for (const ReservationKey& key : changed_) {
        const Reservation& r = *reservations_.at(key);
        references.add(spi::text_datum(key.reference_id));
        skus.add(spi::text_datum(key.level.sku));
        warehouses.add(Int32GetDatum(key.level.warehouse_id));
        quantities.add(Int64GetDatum(r.quantity));
        fulfilled.add(Int64GetDatum(r.fulfilled));
        released.add(Int64GetDatum(r.released));
        expiries.add_optional(r.expires_at, [](Timestamp t) { return TimestampTzGetDatum(t); });
        statuses.add(spi::text_datum(to_string(r.status)));
        const auto order = order_refs_.find(key);
        if (order == order_refs_.end()) {
            orders.add_null();
        } else {
            orders.add(spi::text_datum(order->second));
        }
    }
    // One reservation (one event): bind the values themselves, as the ledger INSERT does.
    static spi::Statement upsert_one(
        "INSERT INTO inventory.inventory_reservations AS r "
        "  (reference_id, sku, warehouse_id, quantity, fulfilled, released, expires_at, status, "
        "   order_ref) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (reference_id, sku, warehouse_id) DO UPDATE "
        "SET quantity = EXCLUDED.quantity, fulfilled = EXCLUDED.fulfilled, "
        "    released = EXCLUDED.released, expires_at = EXCLUDED.expires_at, "
        "    status = EXCLUDED.status, updated_at = pg_catalog.now()",
        {TEXTOID, TEXTOID, INT4OID, INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID});
    const ArrayBuilder* columns[] = {&references, &skus,     &warehouses, &quantities, &fulfilled,
                                     &released,   &expiries, &statuses,   &orders};
    constexpr int kColumns = 9;
    Datum values[kColumns];
    char nulls[kColumns];
    const bool one_row = changed_.size() == 1;
    bind_columns(columns, one_row, values, nulls);
    (one_row ? upsert_one : upsert).execute(values, nulls);
}

}  // namespace inventory::pg
