// Triggers on inventory_ledger. inventory_ledger_apply_trigger sees every appended row:
//  - a row of the event engine's INSERT (pg/event_engine.hpp) was checked, locked and computed
//    by the engine, which writes its levels and reservations itself: the trigger only lets the
//    rows it announced through;
//  - a row inserted directly (INSERT INTO inventory_ledger) is one event: validated, applied to
//    its level (locked or created through pg/level_store.hpp) and its reservation with the
//    core's rules, its computed columns filled in;
//  - a row that arrives with its computed columns (a restore) is verified and sets its level.
// inventory_ledger_immutable_trigger refuses every UPDATE, DELETE and TRUNCATE.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/transition.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/level_store.hpp"
#include "pg/reservations.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_ledger_apply_trigger);
PG_FUNCTION_INFO_V1(inventory_ledger_immutable_trigger);
}

namespace inventory::pg {
namespace {

// The ledger's columns by name, looked up once per call (the table may gain columns).
struct LedgerColumns {
    int sku, warehouse_id, event_type, quantity, reference_id, idempotency_key, reason;
    int on_hand_change, reserved_change, on_hand_after, reserved_after, available_after;
    int level_version, actor, metadata, expires_at, login, transaction_id, stripe;

    explicit LedgerColumns(TupleDesc desc)
        : sku(find(desc, "sku")),
          warehouse_id(find(desc, "warehouse_id")),
          event_type(find(desc, "event_type")),
          quantity(find(desc, "quantity")),
          reference_id(find(desc, "reference_id")),
          idempotency_key(find(desc, "idempotency_key")),
          reason(find(desc, "reason")),
          on_hand_change(find(desc, "on_hand_change")),
          reserved_change(find(desc, "reserved_change")),
          on_hand_after(find(desc, "on_hand_after")),
          reserved_after(find(desc, "reserved_after")),
          available_after(find(desc, "available_after")),
          level_version(find(desc, "level_version")),
          actor(find(desc, "actor")),
          metadata(find(desc, "metadata")),
          expires_at(SPI_fnumber(desc, "expires_at")),          // absent before 0.3.0
          login(SPI_fnumber(desc, "login")),                    // absent before 0.3.1
          transaction_id(SPI_fnumber(desc, "transaction_id")),  // absent before 0.3.1
          stripe(find(desc, "stripe")) {}

    static int find(TupleDesc desc, const char* name) {
        int number = SPI_fnumber(desc, name);
        if (number <= 0) {
            throw Error(ErrorCode::Internal, std::string("inventory_ledger has no column ") + name);
        }
        return number;
    }
};

class Row {
  public:
    Row(HeapTuple tuple, TupleDesc desc) : tuple_(tuple), desc_(desc) {}

    [[nodiscard]] std::optional<Datum> datum(int column) const {
        bool null = false;
        Datum value = heap_getattr(tuple_, column, desc_, &null);
        if (null) return std::nullopt;
        return value;
    }
    [[nodiscard]] std::optional<std::string> get_text(int column) const {
        auto value = datum(column);
        if (!value) return std::nullopt;
        return spi::text_value(*value);
    }
    [[nodiscard]] std::optional<std::int64_t> get_int64(int column) const {
        auto value = datum(column);
        if (!value) return std::nullopt;
        return DatumGetInt64(*value);
    }

  private:
    HeapTuple tuple_;
    TupleDesc desc_;
};

[[noreturn]] void null_column(const char* column) {
    throw Error(ErrorCode::NullArgument, std::string(column) + " must not be NULL",
                "Every ledger event names a sku, a warehouse_id, an event_type and a quantity.");
}

struct RowEvent {
    EventRequest request;
    EventOptions options;
};

// A restored row (computed columns given) is history: its SKU is held to the rules it was
// written under (SkuRules::Recorded), so that a dump of a database with SKUs that 0.3.0 accepted
// and 0.3.1 refuses restores.
RowEvent event_from_row(const Row& row, const LedgerColumns& columns, SkuRules sku_rules) {
    const auto sku = row.get_text(columns.sku);
    if (!sku) null_column("sku");
    const auto warehouse = row.datum(columns.warehouse_id);
    if (!warehouse) null_column("warehouse_id");
    const auto event_type = row.get_text(columns.event_type);
    if (!event_type) null_column("event_type");
    const auto quantity = row.get_int64(columns.quantity);
    if (!quantity) null_column("quantity");
    const auto reason = row.get_text(columns.reason);
    EventOptions options;
    options.reference_id = row.get_text(columns.reference_id);
    options.idempotency_key = row.get_text(columns.idempotency_key);
    options.metadata = row.datum(columns.metadata);
    if (columns.expires_at > 0) {
        if (auto expires_at = row.datum(columns.expires_at)) {
            options.expires_at = DatumGetTimestampTz(*expires_at);
        }
    }
    options.reason = reason;
    // Restored rows carry the extension's keys, and the metadata they were written with.
    validate_options(
        options, KeyOrigin::Extension,
        sku_rules == SkuRules::Recorded ? RowOrigin::RestoredHistory : RowOrigin::NewEvent);

    const EventKind kind = parse_event_kind(*event_type, /*allow_transfer_legs=*/true);
    return {build_request(*sku, DatumGetInt32(*warehouse), kind, *quantity, options, sku_rules),
            options};
}

// A row that already carries its computed columns: all of them or none may be given.
std::optional<RecordedEvent> recorded_values(const Row& row, const LedgerColumns& columns,
                                             std::optional<std::int64_t>& level_version) {
    const std::array<int, 6> computed{columns.on_hand_change,  columns.reserved_change,
                                      columns.on_hand_after,   columns.reserved_after,
                                      columns.available_after, columns.level_version};
    int given = 0;
    for (int column : computed) given += row.datum(column).has_value() ? 1 : 0;
    if (given == 0) return std::nullopt;
    if (given != static_cast<int>(computed.size())) {
        throw Error(ErrorCode::InvalidParameter,
                    "the computed columns of inventory_ledger are filled in by the extension",
                    "Leave on_hand_change, reserved_change, on_hand_after, reserved_after, "
                    "available_after and level_version out; only a restore supplies all of them.",
                    "Append events with inventory.inventory_apply_event().");
    }
    RecordedEvent recorded;
    recorded.on_hand_change = *row.get_int64(columns.on_hand_change);
    recorded.reserved_change = *row.get_int64(columns.reserved_change);
    recorded.after.on_hand = *row.get_int64(columns.on_hand_after);
    recorded.after.reserved = *row.get_int64(columns.reserved_after);
    level_version = row.get_int64(columns.level_version);
    return recorded;
}

// This transaction's top-level id as an xid8 Datum, as pg_current_xact_id() gives it.
Datum current_xid8() {
    return pg_guard([] { return FullTransactionIdGetDatum(GetTopFullTransactionId()); });
}

void require_restore_privilege(Relation ledger) {
    const bool allowed = pg_guard([ledger] {
        return superuser() || pg_class_ownercheck(RelationGetRelid(ledger), GetUserId());
    });
    if (!allowed) {
        throw Error(ErrorCode::InvalidParameter,
                    "only the owner of inventory_ledger may insert rows with computed columns",
                    "Rows with their computed columns filled are restored history.",
                    "Append events with inventory.inventory_apply_event().");
    }
}

struct ColumnUpdate {
    int column;
    Datum value;
};

HeapTuple modified_tuple(Relation rel, HeapTuple tuple, const ColumnUpdate* updates, int count) {
    return pg_guard([&] {
        int columns[16];
        Datum values[16];
        bool nulls[16] = {};
        for (int i = 0; i < count; ++i) {
            columns[i] = updates[i].column;
            values[i] = updates[i].value;
        }
        return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), count, columns, values,
                                         nulls);
    });
}

Datum apply_trigger(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        throw Error(ErrorCode::Internal, "inventory_ledger_apply_trigger: not called as trigger");
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(data->tg_event) || !TRIGGER_FIRED_FOR_ROW(data->tg_event) ||
        !TRIGGER_FIRED_BY_INSERT(data->tg_event)) {
        throw Error(ErrorCode::Internal,
                    "inventory_ledger_apply_trigger must fire BEFORE INSERT FOR EACH ROW");
    }
    require_current_schema();
    Relation rel = data->tg_relation;
    HeapTuple tuple = data->tg_trigtuple;
    const LedgerColumns columns(RelationGetDescr(rel));
    const Row row(tuple, RelationGetDescr(rel));

    std::optional<std::int64_t> recorded_version;
    const auto recorded = recorded_values(row, columns, recorded_version);
    const RowEvent event =
        event_from_row(row, columns, recorded ? SkuRules::Recorded : SkuRules::Current);
    const EventRequest& request = event.request;

    // Level work runs inside SPI; the new tuple is built after SPI_finish, in the trigger's
    // own memory context, which outlives this call.
    Transition t;
    std::int64_t version = 0;
    const LevelKey key{request.sku, request.warehouse_id};
    spi::connect();
    const auto stripe_value = row.datum(columns.stripe);
    if (!stripe_value) null_column("stripe");
    std::int16_t stripe = DatumGetInt16(*stripe_value);
    if (recorded) {
        require_restore_privilege(rel);
        verify_recorded(request, *recorded);
        restore_level(key, stripe, recorded->after, *recorded_version);
    } else {
        if (request.kind == EventKind::Rebalance) {
            throw Error(ErrorCode::UnknownEventType,
                        "a REBALANCE row cannot be inserted without its computed columns",
                        "REBALANCE rows record stock the engine moves between the stripes of a "
                        "level; only a restore inserts them, with their after-values.");
        }
        // A FULFILL or DEALLOCATE naming a reservation takes from the stripe that holds it.
        const auto& reference = event.options.reference_id;
        if (reference &&
            (request.kind == EventKind::Fulfill || request.kind == EventKind::Deallocate)) {
            if (const auto holding = reservation_stripe(key, *reference)) {
                if (stripe != 0 && stripe != *holding) {
                    throw Error(ErrorCode::InvalidParameter,
                                "reservation \"" + *reference + "\" is held in stripe " +
                                    std::to_string(*holding) + ", not in stripe " +
                                    std::to_string(stripe),
                                "", "Leave stripe out: the row takes the reservation's stripe.");
                }
                stripe = *holding;
            }
        }
        LockedLevels levels = lock_levels({&key, 1});
        LockedLevel& locked = levels.at(key);
        const auto held = locked.stripes.find(stripe);
        if (held == locked.stripes.end()) {
            throw Error(ErrorCode::InvalidParameter,
                        "the level of SKU \"" + key.sku + "\" in warehouse " +
                            std::to_string(key.warehouse_id) + " has no stripe " +
                            std::to_string(stripe),
                        "A row inserted directly applies to the stripe it names (0 by default).");
        }
        // Restored rows leave reservations alone: pg_dump carries inventory_reservations itself.
        // A schema older than 0.3.0 (no expires_at column yet) has no reservations.
        if (columns.expires_at > 0) {
            const ReservationTouch touch{&event.request, &event.options};
            ReservationBook book;
            book.load({touch});
            book.apply(touch, locked.level.reserved);
            if (event.options.reference_id) book.place({*event.options.reference_id, key}, stripe);
            book.write();
        }
        // A row inserted directly is one event on the stripe it names, decided on that stripe.
        t = compute_transition(held->second.level, locked.policy, request);
        locked.change(stripe, t.on_hand_change, t.reserved_change);
        version = ++held->second.version;
        store_levels(levels);
    }
    spi::finish();

    const Datum event_type = spi::text_datum(to_string(request.kind));
    const Datum reason = request.reason ? spi::text_datum(*request.reason) : Datum{0};
    const int reason_updates = request.reason ? 1 : 0;
    HeapTuple result = nullptr;
    // The change feed reads transaction_id: it names the transaction that appended the row here,
    // whatever the INSERT gave (a restore or a logical-replication subscriber copies another
    // server's ids, which would hide the row from the feed).
    const std::optional<ColumnUpdate> appended_by =
        columns.transaction_id > 0
            ? std::optional<ColumnUpdate>(ColumnUpdate{columns.transaction_id, current_xid8()})
            : std::nullopt;
    if (recorded) {
        ColumnUpdate updates[] = {
            {columns.event_type, event_type}, {columns.reason, reason}, {columns.reason, reason}};
        int count = 1 + reason_updates;
        if (appended_by) updates[count++] = *appended_by;
        result = modified_tuple(rel, tuple, updates, count);
    } else {
        // The role that acted and the login, whatever the INSERT gave (the reason goes last).
        ColumnUpdate updates[] = {
            {columns.on_hand_change, Int64GetDatum(t.on_hand_change)},
            {columns.reserved_change, Int64GetDatum(t.reserved_change)},
            {columns.on_hand_after, Int64GetDatum(t.after.on_hand)},
            {columns.reserved_after, Int64GetDatum(t.after.reserved)},
            {columns.available_after, Int64GetDatum(t.available_after)},
            {columns.level_version, Int64GetDatum(version)},
            {columns.stripe, Int16GetDatum(stripe)},
            {columns.actor, actor_name()},
            {columns.event_type, event_type},
            {columns.login, Datum{0}},
            {columns.reason, reason},
            {columns.reason, reason},
        };
        int count = 9;
        if (columns.login > 0) updates[count++] = {columns.login, login_name()};
        if (appended_by) updates[count++] = *appended_by;
        if (request.reason) updates[count++] = {columns.reason, reason};
        result = modified_tuple(rel, tuple, updates, count);
    }
    return PointerGetDatum(result);
}

Datum immutable_trigger(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        throw Error(ErrorCode::Internal,
                    "inventory_ledger_immutable_trigger: not called as trigger");
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    const char* operation = TRIGGER_FIRED_BY_UPDATE(data->tg_event)   ? "UPDATE"
                            : TRIGGER_FIRED_BY_DELETE(data->tg_event) ? "DELETE"
                                                                      : "TRUNCATE";
    throw Error(ErrorCode::LedgerImmutable,
                std::string("inventory_ledger is append-only: ") + operation + " is not allowed",
                "Ledger events are immutable; levels are the sum of the ledger.",
                "Record a compensating event (for example ADJUST with reason CORRECTION).");
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_ledger_apply_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::apply_trigger(fcinfo); });
}

extern "C" Datum inventory_ledger_immutable_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::immutable_trigger(fcinfo); });
}
