// inventory_apply_events(events jsonb): many events in one call, all or nothing, applied by the
// event engine (pg/event_engine.hpp), which locks every level row once in one global order
// before anything is written: two batches that touch the same SKUs in opposite orders wait for
// each other instead of deadlocking.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/json_field.hpp"
#include "core/json_text.hpp"
#include "pg/error_bridge.hpp"
#include "pg/json_input.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_apply_events);
}

namespace inventory::pg {
namespace {

// The keys of a batch element, in the order of Field.
constexpr std::array<std::string_view, 9> kKeys{"sku",      "warehouse_id", "event_type",
                                                "quantity", "reference_id", "idempotency_key",
                                                "reason",   "metadata",     "expires_at"};
enum Field {
    kSku,
    kWarehouse,
    kEventType,
    kQuantity,
    kReference,
    kKey,
    kReason,
    kMetadata,
    kExpires
};

[[noreturn]] void not_an_event_array() {
    throw Error(ErrorCode::InvalidParameter, "events must be a JSON array of event objects", "",
                "Pass for example '[{\"sku\": \"A\", \"warehouse_id\": 1, "
                "\"event_type\": \"RECEIVE\", \"quantity\": 5}]'.");
}

const char* known_keys_detail() {
    return "Keys are sku, warehouse_id, event_type, quantity, reference_id, idempotency_key, "
           "reason, metadata and expires_at.";
}

Jsonb* event_array(Datum events) {
    return pg_guard([events] { return DatumGetJsonbP(events); });
}

void require_event_array(Datum events) {
    Jsonb* root = event_array(events);
    if (!JB_ROOT_IS_ARRAY(root) || JB_ROOT_IS_SCALAR(root)) not_an_event_array();
}

// One element of the batch, walked once: every key is one of kKeys, each field of the JSON type
// its meaning asks for (core/json_field.hpp), then the event's own rules (build_request).
PlannedEvent read_item(std::int32_t ordinal, const JsonbValue& element) {
    if (element.type != jbvBinary || !JsonContainerIsObject(element.val.binary.data)) {
        throw Error(ErrorCode::InvalidParameter,
                    "event " + std::to_string(ordinal) + " is not an object of known keys",
                    known_keys_detail());
    }
    std::array<JsonField, kKeys.size()> fields;
    std::optional<Datum> metadata;
    JsonbContainer* container = element.val.binary.data;
    JsonbIterator* iterator = pg_guard([container] { return JsonbIteratorInit(container); });
    JsonbValue value;
    std::size_t field = kKeys.size();
    for (JsonbIteratorToken token = next_token(&iterator, &value); token != WJB_DONE;
         token = next_token(&iterator, &value)) {
        if (token == WJB_KEY) {
            const std::string_view key(value.val.string.val,
                                       static_cast<std::size_t>(value.val.string.len));
            field = static_cast<std::size_t>(std::find(kKeys.begin(), kKeys.end(), key) -
                                             kKeys.begin());
            if (field == kKeys.size()) {
                throw Error(ErrorCode::InvalidParameter,
                            "event " + std::to_string(ordinal) + " has an unknown key " +
                                json_quote(key.substr(0, 40)),
                            known_keys_detail());
            }
        } else if (token == WJB_VALUE) {
            fields[field] = json_field(value);
            if (field == kMetadata && value.type != jbvNull) {
                JsonbValue* whole = &value;
                metadata = pg_guard([whole] { return JsonbPGetDatum(JsonbValueToJsonb(whole)); });
            }
        }
    }
    return with_event_position(ordinal, [&] {
        PlannedEvent item;
        item.ordinal = ordinal;
        const std::string sku = *string_field("sku", fields[kSku], true);
        const std::int32_t warehouse_id = integer_field("warehouse_id", fields[kWarehouse]);
        const std::string event_type = *string_field("event_type", fields[kEventType], true);
        const Quantity quantity = quantity_field("quantity", fields[kQuantity]);
        item.options.reference_id = string_field("reference_id", fields[kReference], false);
        item.options.idempotency_key = string_field("idempotency_key", fields[kKey], false);
        item.options.reason = string_field("reason", fields[kReason], false);
        item.options.metadata = metadata;
        if (const auto expires = string_field("expires_at", fields[kExpires], false)) {
            const char* text = expires->c_str();
            item.options.expires_at = pg_guard([text] {
                return DatumGetTimestampTz(
                    DirectFunctionCall3(timestamptz_in, CStringGetDatum(text),
                                        ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
            });
        }
        validate_options(item.options);
        const EventKind kind = parse_event_kind(event_type, false);
        item.request = build_request(sku, warehouse_id, kind, quantity, item.options);
        return item;
    });
}

// The batch's elements in array order, parsed in C++ from the jsonb itself: no SQL.
std::vector<PlannedEvent> read_items(Datum events) {
    Jsonb* root = event_array(events);
    std::vector<PlannedEvent> items;
    items.reserve(static_cast<std::size_t>(JB_ROOT_COUNT(root)));
    JsonbContainer* container = &root->root;
    JsonbIterator* iterator = pg_guard([container] { return JsonbIteratorInit(container); });
    JsonbValue value;
    std::int32_t ordinal = 0;
    for (JsonbIteratorToken token = next_token(&iterator, &value); token != WJB_DONE;
         token = next_token(&iterator, &value)) {
        if (token == WJB_ELEM) items.push_back(read_item(++ordinal, value));
    }
    return items;
}

Datum apply_events_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) throw Error(ErrorCode::NullArgument, "events must not be NULL");
    const Datum events = PG_GETARG_DATUM(0);

    spi::connect();
    require_event_array(events);
    std::vector<PlannedEvent> plan = read_items(events);
    execute_plan(plan);
    spi::finish();

    for (const auto& event : plan) {
        const EventOutcome& outcome = event.result.outcome;
        const Datum values[] = {
            Int32GetDatum(event.ordinal),        uuid_datum(outcome.id),
            BoolGetDatum(event.result.replayed), Int64GetDatum(outcome.on_hand),
            Int64GetDatum(outcome.reserved),     Int64GetDatum(outcome.available)};
        const bool nulls[6] = {};
        append_result_row(fcinfo, values, nulls);
    }
    return end_result_rows(fcinfo);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_apply_events(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp(
        [&] { return inventory::pg::run_as_owner(fcinfo, inventory::pg::apply_events_body); });
}
