#include "pg/event_writer.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "core/json_text.hpp"
#include "core/metadata.hpp"
#include "pg/level_store.hpp"
#include "pg/roles.hpp"
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

namespace {

// The transaction, other than ours, that has inserted the scan key's value into the ledger and
// not yet committed or rolled back; InvalidTransactionId if there is none. Looks through the
// unique index with a dirty snapshot, as PostgreSQL's own unique checks do. C only.
TransactionId inflight_inserter(IndexScanDesc scan, ScanKeyData* key, SnapshotData* dirty,
                                TupleTableSlot* slot) {
    index_rescan(scan, key, 1, nullptr, 0);
    while (index_getnext_slot(scan, ForwardScanDirection, slot)) {
        if (TransactionIdIsValid(dirty->xmin)) return dirty->xmin;
    }
    return InvalidTransactionId;
}

}  // namespace

void wait_for_inflight_keys(const std::set<std::string>& keys) {
    if (keys.empty()) return;
    std::vector<Datum> key_datums;
    key_datums.reserve(keys.size());
    for (const auto& key : keys) key_datums.push_back(spi::text_datum(key));
    pg_guard([&key_datums] {
        const Oid schema = get_namespace_oid("inventory", false);
        const Oid ledger_oid = get_relname_relid("inventory_ledger", schema);
        const Oid index_oid = get_relname_relid("inventory_ledger_idempotency_key_key", schema);
        if (!OidIsValid(ledger_oid) || !OidIsValid(index_oid)) {
            elog(ERROR, "inventory: ledger or its idempotency index is missing");
        }
        Relation ledger = table_open(ledger_oid, AccessShareLock);
        Relation index = index_open(index_oid, AccessShareLock);
        SnapshotData dirty;
        InitDirtySnapshot(dirty);
        IndexScanDesc scan = index_beginscan(ledger, index, &dirty, 1, 0);
        TupleTableSlot* slot = table_slot_create(ledger, nullptr);
        for (const Datum key_datum : key_datums) {  // the keys are sorted: one global order
            ScanKeyData key;
            ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_TEXTEQ, key_datum);
            key.sk_collation = index->rd_indcollation[0];
            for (;;) {
                const TransactionId inserter = inflight_inserter(scan, &key, &dirty, slot);
                if (!TransactionIdIsValid(inserter)) break;
                XactLockTableWait(inserter, ledger, nullptr, XLTW_InsertIndex);
            }
        }
        ExecDropSingleTupleTableSlot(slot);
        index_endscan(scan);
        index_close(index, NoLock);
        table_close(ledger, NoLock);
    });
}

UuidBytes uuid_bytes(Datum value) {
    UuidBytes bytes{};
    const auto* uuid = DatumGetUUIDP(value);
    std::copy(std::begin(uuid->data), std::end(uuid->data), bytes.begin());
    return bytes;
}

void require_same_payload(const std::string& key, const StoredEvent& stored,
                          const EventRequest& request, const EventOptions& args,
                          const std::optional<std::int32_t>& stored_destination,
                          const std::optional<std::int32_t>& destination) {
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

namespace {

Datum user_name_datum(Oid role) {
    return pg_guard([role] { return CStringGetTextDatum(GetUserNameFromId(role, false)); });
}

}  // namespace

Datum actor_name() {
    return user_name_datum(current_caller().role);
}

Datum login_name() {
    return user_name_datum(current_caller().login);
}

Datum uuid_datum(const UuidBytes& bytes) {
    return pg_guard([&bytes] {
        auto* uuid = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
        std::copy(bytes.begin(), bytes.end(), uuid->data);
        return UUIDPGetDatum(uuid);
    });
}

}  // namespace inventory::pg
