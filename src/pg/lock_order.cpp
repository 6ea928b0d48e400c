#include "pg/lock_order.hpp"

#include <cstdint>

#include "core/sku_lock.hpp"

namespace inventory::pg {

bool changed_since_snapshot(spi::Statement& statement, const Datum* values) {
    if (!IsolationUsesXactSnapshot()) return false;  // each statement takes a new snapshot
    statement.execute(values, nullptr);
    const auto seen = spi::get_optional_text(0, 1);
    statement.execute_on_latest_snapshot(values, nullptr);
    return spi::get_optional_text(0, 1) != seen;
}

void lock_table(const char* table, LOCKMODE mode) {
    pg_guard([table, mode] {
        const Oid schema = get_namespace_oid("inventory", false);
        const Oid relation = get_relname_relid(table, schema);
        if (!OidIsValid(relation)) elog(ERROR, "inventory: table %s is missing", table);
        LockRelationOid(relation, mode);
    });
}

void lock_ledger_for_writing() {
    lock_table("inventory_ledger", RowExclusiveLock);
}

void lock_skus(std::span<const std::string> skus, SkuLockMode mode) {
    const bool exclusive = mode == SkuLockMode::ChangePolicy;
    for (const std::int32_t key : sku_lock_keys(skus)) {
        pg_guard([key, exclusive] {
            DirectFunctionCall2(
                exclusive ? pg_advisory_xact_lock_int4 : pg_advisory_xact_lock_shared_int4,
                Int32GetDatum(kSkuLockClass), Int32GetDatum(key));
        });
    }
}

namespace {

LOCKTAG stripe_line(std::string_view sku, std::int32_t warehouse_id, std::int16_t stripe) {
    const std::uint64_t key = stripe_line_key(sku, warehouse_id, stripe);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(key >> 32),
                         static_cast<uint32>(key), kStripeLineClass);
    return tag;
}

}  // namespace

void join_stripe_line(std::string_view sku, std::int32_t warehouse_id, std::int16_t stripe) {
    const LOCKTAG tag = stripe_line(sku, warehouse_id, stripe);
    pg_guard([&tag] { (void)LockAcquire(&tag, ExclusiveLock, false, false); });
}

void leave_stripe_line(std::string_view sku, std::int32_t warehouse_id, std::int16_t stripe) {
    const LOCKTAG tag = stripe_line(sku, warehouse_id, stripe);
    pg_guard([&tag] {
        if (!LockRelease(&tag, ExclusiveLock, false))
            elog(ERROR, "inventory: left a waiting line this transaction did not hold");
    });
}

}  // namespace inventory::pg
