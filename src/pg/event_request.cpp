#include "pg/event_request.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/metadata.hpp"
#include "pg/level_store.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {

void validate_options(const EventOptions& options, KeyOrigin origin, RowOrigin row) {
    if (options.reference_id) validate_identifier("reference_id", *options.reference_id);
    if (options.idempotency_key) {
        validate_identifier("idempotency_key", *options.idempotency_key);
        if (origin == KeyOrigin::Caller &&
            options.idempotency_key->starts_with(kInternalKeyPrefix)) {
            throw Error(ErrorCode::InvalidIdentifier,
                        "idempotency keys starting with \"" + std::string(kInternalKeyPrefix) +
                            "\" are reserved for the extension",
                        "", "Choose another prefix.");
        }
    }
    if (options.expires_at && !options.reference_id) {
        throw Error(ErrorCode::InvalidParameter, "expires_at needs a reference_id",
                    "A hold that expires is a reservation, and a reservation is named by the "
                    "reference_id of its ALLOCATE.",
                    "Pass the order line as reference_id, e.g. 'ORDER-1001/1'.");
    }
    if (options.metadata) {
        const Datum metadata = *options.metadata;
        const bool is_object = pg_guard([metadata] {
            Jsonb* value = DatumGetJsonbP(metadata);
            return JB_ROOT_IS_OBJECT(value) && !JB_ROOT_IS_SCALAR(value);
        });
        if (!is_object) {
            throw Error(ErrorCode::InvalidParameter, "metadata must be a JSON object", "",
                        "Pass for example '{\"order\": \"A-1001\"}'::jsonb, or NULL.");
        }
        if (row == RowOrigin::RestoredHistory) return;
        // The views read metadata.unit_cost as a number: classify it here, the rule is the core's.
        std::string shown;
        const UnitCostShape unit_cost = pg_guard([metadata, &shown] {
            Jsonb* value = DatumGetJsonbP(metadata);
            JsonbValue key;
            key.type = jbvString;
            key.val.string.val = const_cast<char*>("unit_cost");
            key.val.string.len = 9;
            JsonbValue* found = findJsonbValueFromContainer(&value->root, JB_FOBJECT, &key);
            if (found == nullptr) return UnitCostShape::Absent;
            if (found->type == jbvNumeric) {
                const Datum zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
                const bool negative = DatumGetBool(
                    DirectFunctionCall2(numeric_lt, NumericGetDatum(found->val.numeric), zero));
                if (!negative) return UnitCostShape::NonNegativeNumber;
            }
            char* text = JsonbToCString(nullptr, &JsonbValueToJsonb(found)->root, 64);
            shown = text;
            pfree(text);
            return found->type == jbvNumeric ? UnitCostShape::NegativeNumber
                                             : UnitCostShape::NotANumber;
        });
        validate_unit_cost(unit_cost, shown);
    }
}

void require_nfc_sku(std::string_view sku) {
    if (std::all_of(sku.begin(), sku.end(), [](char c) { return (c & 0x80) == 0; })) return;
    const Datum text = spi::text_datum(sku);
    const bool nfc = pg_guard([text] {
        if (GetDatabaseEncoding() != PG_UTF8) return true;  // normalization needs UTF-8
        return DatumGetBool(
            DirectFunctionCall2(unicode_is_normalized, text, CStringGetTextDatum("NFC")));
    });
    if (nfc) return;
    const std::string normalized = spi::text_value(pg_guard([text] {
        return DirectFunctionCall2(unicode_normalize_func, text, CStringGetTextDatum("NFC"));
    }));
    throw Error(ErrorCode::InvalidSku,
                "SKU " + json_quote(sku) + " is not in Unicode normalization form NFC",
                "The same characters can be written in more than one way (\"e\" followed by "
                "a combining accent, or \"\u00e9\"); a SKU uses the composed form, so that "
                "the two spellings are one stock record.",
                "Send normalize(sku, NFC): " + json_quote(normalized) + ".");
}

void check_sku(std::string_view sku) {
    validate_sku(sku);
    require_nfc_sku(sku);
}

namespace {

bool passes_recorded_sku_rules(std::string_view sku) {
    try {
        validate_sku(sku, SkuRules::Recorded);
        return true;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::InvalidSku) throw;
        return false;
    }
}

}  // namespace

EventRequest build_request(const std::string& sku, std::int32_t warehouse_id, EventKind kind,
                           std::int64_t quantity, const EventOptions& args, SkuRules sku_rules) {
    std::optional<std::string_view> reason;
    if (args.reason) reason = *args.reason;
    EventRequest request;
    try {
        request = make_request(sku, warehouse_id, kind, quantity, reason, sku_rules);
        if (sku_rules == SkuRules::Current) require_nfc_sku(sku);
    } catch (const Error& e) {
        // A stock record that 0.3.0 created under its rules: events on it stay possible, so
        // that its stock can be moved to the right SKU and its reservations end. No new level
        // (in another warehouse either) is created for it.
        if (sku_rules != SkuRules::Current || e.code() != ErrorCode::InvalidSku ||
            !passes_recorded_sku_rules(sku) || !level_exists({sku, warehouse_id})) {
            throw;
        }
        request = make_request(sku, warehouse_id, kind, quantity, reason, SkuRules::Recorded);
    }
    if (args.expires_at && kind != EventKind::Allocate) {
        throw Error(ErrorCode::InvalidParameter, "expires_at applies to ALLOCATE only",
                    std::string(to_string(kind)) + " does not create a reservation.");
    }
    return request;
}

}  // namespace inventory::pg
