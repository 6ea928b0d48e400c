#include "pg/idempotency.hpp"

#include <vector>

#include "core/error.hpp"
#include "pg/spi.hpp"

namespace inventory::pg {
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
    // Planned per call: the ledger starts empty, and a plan made then would scan it whole.
    static spi::Statement read(
        "SELECT quantity FROM inventory.inventory_ledger "
        "WHERE idempotency_key OPERATOR(pg_catalog.=) $1",
        {TEXTOID}, spi::Statement::Planning::PerCall);
    const Datum values[] = {spi::text_datum(*key)};
    if (read.execute(values, nullptr) == 0) return std::nullopt;
    return spi::get_int64(0, 1);
}

}  // namespace inventory::pg
