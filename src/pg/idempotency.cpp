#include "pg/idempotency.hpp"

#include <vector>

#include "core/error.hpp"
#include "pg/direct_tables.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {
namespace {

direct::Columns key_columns{
    "idempotency_key", "id",     "sku",      "warehouse_id",  "event_type",     "quantity",
    "reference_id",    "reason", "metadata", "on_hand_after", "reserved_after", "available_after"};
enum KeyColumn : std::size_t {
    kKey,
    kId,
    kSku,
    kWarehouse,
    kEventType,
    kQuantity,
    kReference,
    kReason,
    kMetadata,
    kOnHandAfter,
    kReservedAfter,
    kAvailableAfter
};
int column(KeyColumn c) {
    return key_columns(direct::TableId::Ledger, c);
}
constexpr Oid kTextEquality[] = {F_TEXTEQ};

std::optional<std::string> optional_text(TupleTableSlot* slot, KeyColumn c) {
    if (direct::is_null(slot, column(c))) return std::nullopt;
    return spi::text_value(direct::get(slot, column(c)));
}

StoredKeyRow read_row(TupleTableSlot* slot) {
    StoredKeyRow row;
    row.event.sku = spi::text_value(direct::get(slot, column(kSku)));
    row.event.warehouse_id = DatumGetInt32(direct::get(slot, column(kWarehouse)));
    row.event.event_type = spi::text_value(direct::get(slot, column(kEventType)));
    row.event.quantity = DatumGetInt64(direct::get(slot, column(kQuantity)));
    row.event.reference_id = optional_text(slot, kReference);
    row.event.reason = optional_text(slot, kReason);
    row.id = uuid_bytes(direct::get(slot, column(kId)));
    row.on_hand = DatumGetInt64(direct::get(slot, column(kOnHandAfter)));
    row.reserved = DatumGetInt64(direct::get(slot, column(kReservedAfter)));
    row.available = DatumGetInt64(direct::get(slot, column(kAvailableAfter)));
    if (!direct::is_null(slot, column(kMetadata))) {
        const Datum metadata = direct::get(slot, column(kMetadata));
        row.metadata = pg_guard([metadata] { return datumCopy(metadata, false, -1); });
    }
    return row;
}

// The row `key` names, waiting first for another transaction that has it uncommitted.
std::optional<StoredKeyRow> probe_key(Datum key, const direct::Statement& statement) {
    for (;;) {
        TransactionId inserter = InvalidTransactionId;
        std::optional<StoredKeyRow> found;
        {  // the scan ends (its buffer pins dropped) before any wait
            direct::IndexProbe probe(direct::TableId::Ledger, kIdempotencyKeyIndex, {&key, 1},
                                     kTextEquality, statement,
                                     direct::IndexProbe::Visibility::Dirty);
            while (probe.next()) {
                inserter = probe.inserter_in_progress();
                if (TransactionIdIsValid(inserter)) break;
                // Committed (or ours). A transaction snapshot that misses it sees no stored event,
                // as a read on it would: the level lock or the unique index then raises 40001.
                if (IsolationUsesXactSnapshot() &&
                    !direct::visible(direct::TableId::Ledger, probe.slot(), statement)) {
                    continue;
                }
                found = read_row(probe.slot());
            }
        }
        if (!TransactionIdIsValid(inserter)) return found;
        pg_guard([inserter] { XactLockTableWait(inserter, nullptr, nullptr, XLTW_InsertIndex); });
    }
}

}  // namespace

std::map<std::string, StoredKeyRow> find_stored_keys(const std::set<std::string>& keys) {
    std::map<std::string, StoredKeyRow> stored;
    if (keys.empty()) return stored;
    // Under READ COMMITTED the rows of the transactions waited for are committed when the
    // probe returns: what follows (the level locks) takes a new snapshot anyway.
    const direct::Statement statement;
    for (const std::string& key : keys) {  // sorted: one global order of waits
        const Datum value = spi::text_datum(key);
        if (auto row = probe_key(value, statement)) stored.emplace(key, std::move(*row));
        if (IsolationIsSerializable()) {
            // The predicate lock a reader of this key takes (the dirty probe takes none).
            direct::IndexProbe read(direct::TableId::Ledger, kIdempotencyKeyIndex, {&value, 1},
                                    kTextEquality, statement);
            while (read.next()) {
            }
        }
    }
    return stored;
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

std::optional<std::int64_t> quantity_of_stored_key(const std::optional<std::string>& key) {
    if (!key) return std::nullopt;
    const direct::Statement statement;
    const Datum value = spi::text_datum(*key);
    direct::IndexProbe probe(direct::TableId::Ledger, kIdempotencyKeyIndex, {&value, 1},
                             kTextEquality, statement);
    if (!probe.next()) return std::nullopt;
    return DatumGetInt64(direct::get(probe.slot(), column(kQuantity)));
}

}  // namespace inventory::pg
