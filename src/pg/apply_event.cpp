// inventory_apply_event and inventory_transfer: validate the request, resolve its idempotency
// key, and append the ledger rows (the ledger trigger does the level arithmetic).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "pg/error_bridge.hpp"
#include "pg/levels.hpp"
#include "pg/event_writer.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_apply_event);
PG_FUNCTION_INFO_V1(inventory_transfer);
}

namespace inventory::pg {
namespace {

[[noreturn]] void null_argument(const char* name) {
    throw Error(ErrorCode::NullArgument, std::string(name) + " must not be NULL");
}

std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return std::nullopt;
    return spi::text_value(PG_GETARG_DATUM(n));
}

std::string required_text(FunctionCallInfo fcinfo, int n, const char* name) {
    auto value = text_argument(fcinfo, n);
    if (!value) null_argument(name);
    return *value;
}

std::int32_t required_int32(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n)) null_argument(name);
    return PG_GETARG_INT32(n);
}

std::int64_t required_int64(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n)) null_argument(name);
    return PG_GETARG_INT64(n);
}

EventOptions common_arguments(FunctionCallInfo fcinfo, int first) {
    EventOptions args;
    args.reference_id = text_argument(fcinfo, first);
    args.idempotency_key = text_argument(fcinfo, first + 1);
    args.reason = text_argument(fcinfo, first + 2);
    if (!PG_ARGISNULL(first + 3)) args.metadata = PG_GETARG_DATUM(first + 3);
    validate_options(args);
    return args;
}

// Forms the function's result row (its OUT parameters) in the caller's memory context.
Datum result_row(FunctionCallInfo fcinfo, const Datum* values, int count) {
    return pg_guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
            elog(ERROR, "inventory: function must return a composite type");
        }
        desc = BlessTupleDesc(desc);
        if (desc->natts != count) elog(ERROR, "inventory: unexpected result column count");
        bool nulls[8] = {};
        return HeapTupleGetDatum(heap_form_tuple(desc, const_cast<Datum*>(values), nulls));
    });
}

Datum apply_event_body(FunctionCallInfo fcinfo) {
    const std::string sku = required_text(fcinfo, 0, "sku");
    const std::int32_t warehouse_id = required_int32(fcinfo, 1, "warehouse_id");
    const std::string event_type = required_text(fcinfo, 2, "event_type");
    const std::int64_t quantity = required_int64(fcinfo, 3, "quantity");
    const EventKind kind = parse_event_kind(event_type, /*allow_transfer_legs=*/false);
    const EventOptions args = common_arguments(fcinfo, 4);
    const EventRequest request = build_request(sku, warehouse_id, kind, quantity, args);

    spi::connect();
    if (args.idempotency_key) wait_for_inflight_key(*args.idempotency_key);
    const AppliedEvent applied = apply_or_replay(request, args);
    spi::finish();

    const EventOutcome& outcome = applied.outcome;
    const Datum values[] = {uuid_datum(outcome.id), BoolGetDatum(applied.replayed),
                            Int64GetDatum(outcome.on_hand), Int64GetDatum(outcome.reserved),
                            Int64GetDatum(outcome.available)};
    return result_row(fcinfo, values, 5);
}

struct TransferOutcome {
    EventOutcome out;
    EventOutcome in;
    bool replayed = false;
};

std::optional<TransferOutcome> replay_transfer(const std::string& key,
                                               const EventRequest& out_request,
                                               std::int32_t to_warehouse_id,
                                               const EventOptions& args) {
    auto stored = find_by_key(key, args);
    if (!stored) return std::nullopt;
    static spi::Statement find_in_leg(
        "SELECT id, warehouse_id, on_hand_after, reserved_after, available_after "
        "FROM inventory.inventory_ledger WHERE related_event_id OPERATOR(pg_catalog.=) $1",
        {UUIDOID});
    std::optional<std::int32_t> stored_destination;
    TransferOutcome outcome;
    if (stored->event_type == "TRANSFER_OUT") {
        pg_uuid_t id{};
        std::copy(stored->outcome.id.begin(), stored->outcome.id.end(), id.data);
        const Datum values[] = {UUIDPGetDatum(&id)};
        if (find_in_leg.execute(values, nullptr) == 1) {
            outcome.in.id = uuid_bytes(spi::get_datum(0, 1));
            stored_destination = spi::get_int32(0, 2);
            outcome.in.on_hand = spi::get_int64(0, 3);
            outcome.in.reserved = spi::get_int64(0, 4);
            outcome.in.available = spi::get_int64(0, 5);
        }
    }
    require_same_payload(key, *stored, out_request, args, stored_destination, to_warehouse_id);
    outcome.out = stored->outcome;
    outcome.replayed = true;
    return outcome;
}

Datum transfer_body(FunctionCallInfo fcinfo) {
    const std::string sku = required_text(fcinfo, 0, "sku");
    const std::int32_t from_id = required_int32(fcinfo, 1, "from_warehouse_id");
    const std::int32_t to_id = required_int32(fcinfo, 2, "to_warehouse_id");
    const std::int64_t quantity = required_int64(fcinfo, 3, "quantity");
    const EventOptions args = common_arguments(fcinfo, 4);
    if (from_id == to_id) {
        throw Error(ErrorCode::InvalidParameter,
                    "cannot transfer within one warehouse (" + std::to_string(from_id) + ")", "",
                    "from_warehouse_id and to_warehouse_id must differ.");
    }
    const EventRequest out_request =
        build_request(sku, from_id, EventKind::TransferOut, quantity, args);
    const EventRequest in_request =
        build_request(sku, to_id, EventKind::TransferIn, quantity, args);

    std::optional<TransferOutcome> outcome;
    spi::connect();
    if (args.idempotency_key) {
        wait_for_inflight_key(*args.idempotency_key);
        outcome = replay_transfer(*args.idempotency_key, out_request, to_id, args);
    }
    if (!outcome) {
        // Both level rows are locked in warehouse order before either event is written, so
        // two opposite transfers of one SKU cannot deadlock.
        (void)lock_level(sku, std::min(from_id, to_id));
        (void)lock_level(sku, std::max(from_id, to_id));
        TransferOutcome applied;
        applied.out = insert_event(out_request, args, true, std::nullopt);
        applied.in = insert_event(in_request, args, false, applied.out.id);
        outcome = applied;
    }
    spi::finish();

    const Datum values[] = {
        uuid_datum(outcome->out.id),           uuid_datum(outcome->in.id),
        BoolGetDatum(outcome->replayed),       Int64GetDatum(outcome->out.on_hand),
        Int64GetDatum(outcome->out.available), Int64GetDatum(outcome->in.on_hand),
        Int64GetDatum(outcome->in.available)};
    return result_row(fcinfo, values, 7);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_apply_event(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::apply_event_body(fcinfo); });
}

extern "C" Datum inventory_transfer(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::transfer_body(fcinfo); });
}
