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
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_apply_event);
PG_FUNCTION_INFO_V1(inventory_transfer);
}

namespace inventory::pg {
namespace {

using UuidBytes = std::array<unsigned char, UUID_LEN>;

// Arguments shared by both functions, in their SQL order after the event-specific ones.
struct CommonArguments {
    std::optional<std::string> reference_id;
    std::optional<std::string> idempotency_key;
    std::optional<std::string> reason;
    std::optional<Datum> metadata;  // a jsonb object
};

struct EventOutcome {
    UuidBytes id{};
    std::int64_t on_hand = 0;
    std::int64_t reserved = 0;
    std::int64_t available = 0;
};

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

CommonArguments common_arguments(FunctionCallInfo fcinfo, int first) {
    CommonArguments args;
    args.reference_id = text_argument(fcinfo, first);
    if (args.reference_id) validate_identifier("reference_id", *args.reference_id);
    args.idempotency_key = text_argument(fcinfo, first + 1);
    if (args.idempotency_key) validate_identifier("idempotency_key", *args.idempotency_key);
    args.reason = text_argument(fcinfo, first + 2);
    if (!PG_ARGISNULL(first + 3)) {
        const Datum metadata = PG_GETARG_DATUM(first + 3);
        const bool is_object = pg_guard([metadata] {
            Jsonb* value = DatumGetJsonbP(metadata);
            return JB_ROOT_IS_OBJECT(value) && !JB_ROOT_IS_SCALAR(value);
        });
        if (!is_object) {
            throw Error(ErrorCode::InvalidParameter, "metadata must be a JSON object",
                        "", "Pass for example '{\"order\": \"A-1001\"}'::jsonb, or NULL.");
        }
        args.metadata = metadata;
    }
    return args;
}

EventRequest build_request(const std::string& sku, std::int32_t warehouse_id, EventKind kind,
                           std::int64_t quantity, const CommonArguments& args) {
    std::optional<std::string_view> reason;
    if (args.reason) reason = *args.reason;
    return make_request(sku, warehouse_id, kind, quantity, reason);
}

// Serializes requests that carry the same idempotency key, so that the second one waits for
// the first to commit (then replays it) or roll back (then applies itself).
void lock_idempotency_key(const std::string& key) {
    constexpr std::int32_t kLockSpace = 0x494E56;  // "INV": first key of the advisory lock
    const auto hash = static_cast<std::int32_t>(DatumGetUInt32(
        hash_any(reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()))));
    pg_guard([hash] {
        DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kLockSpace),
                            Int32GetDatum(hash));
    });
}

// The event an idempotency key already names, as stored.
struct StoredEvent {
    EventOutcome outcome;
    std::string sku;
    std::int32_t warehouse_id = 0;
    std::string event_type;
    std::int64_t quantity = 0;
    std::optional<std::string> reference_id;
    std::optional<std::string> reason;
    bool same_metadata = false;
};

UuidBytes uuid_bytes(Datum value) {
    UuidBytes bytes{};
    const auto* uuid = DatumGetUUIDP(value);
    std::copy(std::begin(uuid->data), std::end(uuid->data), bytes.begin());
    return bytes;
}

std::optional<StoredEvent> find_by_key(const std::string& key, const CommonArguments& args) {
    static spi::Statement find(
        "SELECT id, sku, warehouse_id, event_type, quantity, reference_id, reason, "
        "       metadata IS NOT DISTINCT FROM $2, on_hand_after, reserved_after, available_after "
        "FROM inventory.inventory_ledger WHERE idempotency_key OPERATOR(pg_catalog.=) $1",
        {TEXTOID, JSONBOID});
    const Datum values[] = {spi::text_datum(key), args.metadata.value_or(Datum{0})};
    const char nulls[] = {' ', args.metadata ? ' ' : 'n'};
    if (find.execute(values, nulls) == 0) return std::nullopt;
    StoredEvent stored;
    stored.outcome.id = uuid_bytes(spi::get_datum(0, 1));
    stored.sku = *spi::get_optional_text(0, 2);
    stored.warehouse_id = spi::get_int32(0, 3);
    stored.event_type = *spi::get_optional_text(0, 4);
    stored.quantity = spi::get_int64(0, 5);
    stored.reference_id = spi::get_optional_text(0, 6);
    stored.reason = spi::get_optional_text(0, 7);
    stored.same_metadata = spi::get_bool(0, 8);
    stored.outcome.on_hand = spi::get_int64(0, 9);
    stored.outcome.reserved = spi::get_int64(0, 10);
    stored.outcome.available = spi::get_int64(0, 11);
    return stored;
}

// Raises IV002 unless the stored event has exactly the requested payload.
void require_same_payload(const std::string& key, const StoredEvent& stored,
                          const EventRequest& request, const CommonArguments& args,
                          const std::optional<std::int32_t>& stored_destination = std::nullopt,
                          const std::optional<std::int32_t>& destination = std::nullopt) {
    std::vector<std::string> differences;
    if (stored.sku != request.sku) differences.emplace_back("sku");
    if (stored.warehouse_id != request.warehouse_id) differences.emplace_back("warehouse_id");
    if (stored.event_type != to_string(request.kind)) differences.emplace_back("event_type");
    if (stored.quantity != request.quantity) differences.emplace_back("quantity");
    if (stored.reference_id != args.reference_id) differences.emplace_back("reference_id");
    if (stored.reason != request.reason) differences.emplace_back("reason");
    if (!stored.same_metadata) differences.emplace_back("metadata");
    if (stored_destination != destination) differences.emplace_back("to_warehouse_id");
    if (differences.empty()) return;
    std::string fields;
    for (const auto& field : differences) fields += (fields.empty() ? "" : ", ") + field;
    throw Error(ErrorCode::IdempotencyConflict,
                "idempotency key \"" + key + "\" was already used for a different event",
                "The key belongs to a " + stored.event_type + " of " +
                    std::to_string(stored.quantity) + " units of SKU \"" + stored.sku +
                    "\" in warehouse " + std::to_string(stored.warehouse_id) +
                    "; this request differs in " + fields + ".",
                "Use a new idempotency key for a new request.");
}

EventOutcome insert_event(const EventRequest& request, const CommonArguments& args,
                          bool with_key, const std::optional<UuidBytes>& related_event) {
    static spi::Statement insert(
        "INSERT INTO inventory.inventory_ledger "
        "  (sku, warehouse_id, event_type, quantity, reference_id, idempotency_key, reason, "
        "   metadata, related_event_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "RETURNING id, on_hand_after, reserved_after, available_after",
        {TEXTOID, INT4OID, TEXTOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, UUIDOID});
    const bool has_key = with_key && args.idempotency_key.has_value();
    pg_uuid_t related{};
    if (related_event) std::copy(related_event->begin(), related_event->end(), related.data);
    const Datum values[] = {
        spi::text_datum(request.sku),
        Int32GetDatum(request.warehouse_id),
        spi::text_datum(to_string(request.kind)),
        Int64GetDatum(request.quantity),
        args.reference_id ? spi::text_datum(*args.reference_id) : Datum{0},
        has_key ? spi::text_datum(*args.idempotency_key) : Datum{0},
        request.reason ? spi::text_datum(*request.reason) : Datum{0},
        args.metadata.value_or(Datum{0}),
        UUIDPGetDatum(&related),
    };
    const char nulls[] = {' ',
                          ' ',
                          ' ',
                          ' ',
                          args.reference_id ? ' ' : 'n',
                          has_key ? ' ' : 'n',
                          request.reason ? ' ' : 'n',
                          args.metadata ? ' ' : 'n',
                          related_event ? ' ' : 'n',
                          '\0'};
    try {
        insert.execute(values, nulls);
    } catch (const PgError& e) {
        // Under REPEATABLE READ or SERIALIZABLE a key committed by a concurrent transaction is
        // invisible to our snapshot: the lookup missed it and the unique index caught it.
        const ErrorData* data = e.data();
        if (has_key && data->sqlerrcode == ERRCODE_UNIQUE_VIOLATION &&
            data->constraint_name != nullptr &&
            std::string(data->constraint_name) == "inventory_ledger_idempotency_key_key") {
            throw Error(ErrorCode::SerializationFailure,
                        "could not serialize access: idempotency key \"" +
                            *args.idempotency_key + "\" was used by a concurrent transaction",
                        "", "Retry the transaction; it will return the other event.");
        }
        throw;
    }
    EventOutcome outcome;
    outcome.id = uuid_bytes(spi::get_datum(0, 1));
    outcome.on_hand = spi::get_int64(0, 2);
    outcome.reserved = spi::get_int64(0, 3);
    outcome.available = spi::get_int64(0, 4);
    return outcome;
}

Datum uuid_datum(const UuidBytes& bytes) {
    return pg_guard([&bytes] {
        auto* uuid = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
        std::copy(bytes.begin(), bytes.end(), uuid->data);
        return UUIDPGetDatum(uuid);
    });
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
    const CommonArguments args = common_arguments(fcinfo, 4);
    const EventRequest request = build_request(sku, warehouse_id, kind, quantity, args);

    EventOutcome outcome;
    bool replayed = false;
    spi::connect();
    if (args.idempotency_key) {
        lock_idempotency_key(*args.idempotency_key);
        if (auto stored = find_by_key(*args.idempotency_key, args)) {
            require_same_payload(*args.idempotency_key, *stored, request, args);
            outcome = stored->outcome;
            replayed = true;
        }
    }
    if (!replayed) outcome = insert_event(request, args, true, std::nullopt);
    spi::finish();

    const Datum values[] = {uuid_datum(outcome.id), BoolGetDatum(replayed),
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
                                               const CommonArguments& args) {
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
    const CommonArguments args = common_arguments(fcinfo, 4);
    if (from_id == to_id) {
        throw Error(ErrorCode::InvalidParameter,
                    "cannot transfer within one warehouse (" + std::to_string(from_id) + ")",
                    "", "from_warehouse_id and to_warehouse_id must differ.");
    }
    const EventRequest out_request =
        build_request(sku, from_id, EventKind::TransferOut, quantity, args);
    const EventRequest in_request =
        build_request(sku, to_id, EventKind::TransferIn, quantity, args);

    std::optional<TransferOutcome> outcome;
    spi::connect();
    if (args.idempotency_key) {
        lock_idempotency_key(*args.idempotency_key);
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

    const Datum values[] = {uuid_datum(outcome->out.id),          uuid_datum(outcome->in.id),
                            BoolGetDatum(outcome->replayed),      Int64GetDatum(outcome->out.on_hand),
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
