// inventory_apply_event, inventory_transfer and the transfer legs: read and validate the
// request, then hand it to the event engine (pg/event_engine.hpp) as a plan of one event, or
// two for a transfer, which resolves its idempotency key, applies the rules to the locked
// levels and writes the ledger rows, the levels and the reservations.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/transfer.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_apply_event);
PG_FUNCTION_INFO_V1(inventory_transfer);
PG_FUNCTION_INFO_V1(inventory_append_transfer_leg);
PG_FUNCTION_INFO_V1(inventory_validate_sku);
PG_FUNCTION_INFO_V1(inventory_validate_idempotency_key);
PG_FUNCTION_INFO_V1(inventory_sku_problem);
}

namespace inventory::pg {
namespace {

// reference_id, idempotency_key, reason, metadata and, where the function has it, expires_at.
EventOptions common_arguments(FunctionCallInfo fcinfo, int first, bool with_expiry,
                              KeyOrigin origin = KeyOrigin::Caller) {
    EventOptions args;
    args.reference_id = text_argument(fcinfo, first);
    args.idempotency_key = text_argument(fcinfo, first + 1);
    args.reason = text_argument(fcinfo, first + 2);
    if (!PG_ARGISNULL(first + 3)) args.metadata = PG_GETARG_DATUM(first + 3);
    // PG_NARGS: a database not yet updated to 0.3.0 still declares the shorter signature.
    if (with_expiry && PG_NARGS() > first + 4 && !PG_ARGISNULL(first + 4)) {
        args.expires_at = PG_GETARG_TIMESTAMPTZ(first + 4);
    }
    validate_options(args, origin);
    return args;
}

// Applies one event and returns (event_id, replayed, on_hand, reserved, available_to_sell).
Datum apply_single(FunctionCallInfo fcinfo, PlannedEvent event) {
    std::vector<PlannedEvent> plan{std::move(event)};
    spi::connect();
    execute_plan(plan);
    spi::finish();

    const AppliedEvent& applied = plan[0].result;
    const EventOutcome& outcome = applied.outcome;
    const Datum values[] = {uuid_datum(outcome.id), BoolGetDatum(applied.replayed),
                            Int64GetDatum(outcome.on_hand), Int64GetDatum(outcome.reserved),
                            Int64GetDatum(outcome.available)};
    return result_row(fcinfo, values, nullptr, 5);
}

// The two single-event entry points, and so what each takes:
//   ApplicationEvent (inventory_apply_event): the application's event types, expires_at as
//     ninth argument, the caller's idempotency key;
//   TransferLeg (inventory_append_transfer_leg, which 0.4.0 no longer declares: it serves the
//     PL/pgSQL transfer code of a 0.3.x database not yet updated): TRANSFER_OUT or TRANSFER_IN
//     only, no expires_at (the ninth argument is the related event), a key the extension derived.
enum class SingleEvent { ApplicationEvent, TransferLeg };

// The event of a function whose arguments start (sku, warehouse_id, event_type, quantity,
// reference_id, idempotency_key, reason, metadata[, expires_at]).
PlannedEvent single_event(FunctionCallInfo fcinfo, SingleEvent entry) {
    const bool leg = entry == SingleEvent::TransferLeg;
    const std::string sku = required_text(fcinfo, 0, "sku");
    const std::int32_t warehouse_id = required_int32(fcinfo, 1, "warehouse_id");
    const std::string event_type = required_text(fcinfo, 2, "event_type");
    const std::int64_t quantity = required_int64(fcinfo, 3, "quantity");
    const EventKind kind = parse_event_kind(event_type, /*allow_transfer_legs=*/leg);
    if (leg && kind != EventKind::TransferOut && kind != EventKind::TransferIn) {
        throw Error(ErrorCode::InvalidParameter, "a transfer leg is TRANSFER_OUT or TRANSFER_IN");
    }
    PlannedEvent event;
    event.options = common_arguments(fcinfo, 4, /*with_expiry=*/!leg,
                                     leg ? KeyOrigin::Extension : KeyOrigin::Caller);
    event.request = build_request(sku, warehouse_id, kind, quantity, event.options);
    return event;
}

Datum apply_event_body(FunctionCallInfo fcinfo) {
    return apply_single(fcinfo, single_event(fcinfo, SingleEvent::ApplicationEvent));
}

Datum transfer_body(FunctionCallInfo fcinfo) {
    const std::string sku = required_text(fcinfo, 0, "sku");
    const std::int32_t from_id = required_int32(fcinfo, 1, "from_warehouse_id");
    const std::int32_t to_id = required_int32(fcinfo, 2, "to_warehouse_id");
    const std::int64_t quantity = required_int64(fcinfo, 3, "quantity");
    const EventOptions args = common_arguments(fcinfo, 4, /*with_expiry=*/false);
    check_transfer_route(from_id, to_id);
    const EventRequest out_request =
        build_request(sku, from_id, EventKind::TransferOut, quantity, args);
    const EventRequest in_request =
        build_request(sku, to_id, EventKind::TransferIn, quantity, args);

    // Both level rows are locked in one global order before either event is written, so two
    // opposite transfers of one SKU cannot deadlock.
    std::vector<PlannedEvent> plan;
    plan_transfer(plan, 0, out_request, in_request, args);
    spi::connect();
    execute_plan(plan);
    spi::finish();

    const EventOutcome& out = plan[0].result.outcome;
    const EventOutcome& in = plan[1].result.outcome;
    const Datum values[] = {uuid_datum(out.id),
                            uuid_datum(in.id),
                            BoolGetDatum(plan[0].result.replayed),
                            Int64GetDatum(out.on_hand),
                            Int64GetDatum(out.available),
                            Int64GetDatum(in.on_hand),
                            Int64GetDatum(in.available)};
    return result_row(fcinfo, values, nullptr, 7);
}

// One leg of a transfer that travels: TRANSFER_OUT at dispatch, TRANSFER_IN (naming its
// TRANSFER_OUT) at receipt, as 0.3.x's PL/pgSQL transfer functions wrote them. 0.4.0 has no SQL
// function for it (pg/transfers.cpp plans the legs itself); the symbol stays for the upgrade
// path (inventory--0.2.0--0.3.0.sql declares it) and for a 0.3.x database not yet updated.
Datum transfer_leg_body(FunctionCallInfo fcinfo) {
    // Internal: its callers pass their own derived keys.
    PlannedEvent event = single_event(fcinfo, SingleEvent::TransferLeg);
    if (!PG_ARGISNULL(8)) event.related_event = uuid_bytes(PG_GETARG_DATUM(8));
    return apply_single(fcinfo, std::move(event));
}

Datum validate_sku_body(FunctionCallInfo fcinfo) {
    check_sku(required_text(fcinfo, 0, "sku"));
    PG_RETURN_VOID();
}

// The caller's rules for an idempotency key, reserved prefix included (0.3.x's PL/pgSQL writers
// checked their callers' keys with it; the C++ writers call validate_options themselves).
Datum validate_idempotency_key_body(FunctionCallInfo fcinfo) {
    EventOptions options;
    options.idempotency_key = text_argument(fcinfo, 0);
    validate_options(options, KeyOrigin::Caller);
    PG_RETURN_VOID();
}

// inventory_sku_problem(sku): NULL for a SKU the ledger accepts, else why it is refused.
Datum sku_problem_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) throw Error(ErrorCode::NullArgument, "sku must not be NULL");
    const std::string sku = spi::text_value(PG_GETARG_DATUM(0));
    try {
        check_sku(sku);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::InvalidSku) throw;
        return spi::text_datum(e.what());
    }
    fcinfo->isnull = true;
    return Datum{0};
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_apply_event(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::apply_event_body); });
}

extern "C" Datum inventory_transfer(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::transfer_body); });
}

extern "C" Datum inventory_append_transfer_leg(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::transfer_leg_body); });
}

extern "C" Datum inventory_sku_problem(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::sku_problem_body(fcinfo); });
}

extern "C" Datum inventory_validate_sku(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::validate_sku_body(fcinfo); });
}

extern "C" Datum inventory_validate_idempotency_key(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::validate_idempotency_key_body(fcinfo); });
}
