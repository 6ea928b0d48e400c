// inventory_sku_policy_trigger: after a SKU's policy changes, every level of the SKU gets the
// new policy copies and its available_to_sell recomputed, under the level row locks. It first
// takes the SKU's advisory lock, which a transaction creating a level of the SKU holds until it
// ends (pg/lock_order.hpp), so that no level is created with the old copies meanwhile.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/stripes.hpp"
#include "core/transition.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_sku_policy_trigger);
}

namespace inventory::pg {
namespace {

struct PolicyRow {
    std::string sku;
    Policy policy;
    std::int32_t stripes = 1;
};

PolicyRow read_policy(HeapTuple tuple, TupleDesc desc) {
    const auto column = [desc](const char* name) {
        const int number = SPI_fnumber(desc, name);
        if (number <= 0) {
            throw Error(ErrorCode::Internal,
                        std::string("inventory_sku_policies has no column ") + name);
        }
        return number;
    };
    const auto value = [&](const char* name) -> std::optional<Datum> {
        bool null = false;
        Datum datum = heap_getattr(tuple, column(name), desc, &null);
        if (null) return std::nullopt;
        return datum;
    };
    PolicyRow row;
    row.sku = spi::text_value(*value("sku"));
    row.policy.allow_backorder = DatumGetBool(*value("allow_backorder"));
    row.policy.safety_stock = DatumGetInt64(*value("safety_stock"));
    if (auto limit = value("backorder_limit")) row.policy.backorder_limit = DatumGetInt64(*limit);
    row.stripes = DatumGetInt32(*value("stripes"));
    return row;
}

// Under REPEATABLE READ and SERIALIZABLE the levels this transaction's snapshot shows must be
// all the SKU's levels: one created by a transaction that committed after the snapshot (it
// cannot still be running: it holds the SKU's advisory lock until it ends, and we hold it now)
// would keep the old copies. Re-reading it would act on a row the snapshot does not show, so
// this is a serialization failure, as PostgreSQL reports a row updated after the snapshot.
void require_no_new_levels(const std::string& sku) {
    static spi::Statement level_list(
        "SELECT pg_catalog.string_agg(warehouse_id::pg_catalog.text, ',' ORDER BY warehouse_id) "
        "FROM inventory.inventory_levels WHERE sku OPERATOR(pg_catalog.=) $1",
        {TEXTOID});
    const Datum values[] = {spi::text_datum(sku)};
    if (!changed_since_snapshot(level_list, values)) return;
    throw Error(ErrorCode::SerializationFailure,
                "could not serialize access: a concurrent transaction created a level of SKU \"" +
                    sku + "\"",
                "The policy change must reach every level of the SKU, and this transaction's "
                "snapshot does not show the new one.",
                "Retry the transaction.");
}

// `before`: the policy the levels had (nullopt for a SKU without a policy row).
void refresh_levels(const std::string& sku, const Policy& policy, std::int32_t stripes,
                    const std::optional<PolicyRow>& before) {
    validate_policy(policy);
    validate_stripe_count(stripes);
    require_no_new_levels(sku);
    const bool spread_before = before ? stripe_decides_allocation(before->policy) : true;
    // Every stripe the levels have, locked; then the ones the count adds, created and locked.
    LockedLevels levels = lock_sku_levels(sku);
    // The stock moves when the levels have other stripes than the count gives them, or when the
    // policy lets one stripe decide a sale again. A restore, which brings the stripe rows with
    // the ledger before the policy, finds them as the count gives them and moves nothing.
    bool restripe = !spread_before && stripe_decides_allocation(policy);
    for (const auto& [key, state] : levels) {
        if (state.stripes.empty()) continue;
        const std::int32_t rows = state.stripes.rbegin()->first + 1;
        restripe = restripe || rows != stripes;
    }
    if (restripe && std::any_of(levels.begin(), levels.end(), [&](const auto& entry) {
            return static_cast<std::int32_t>(entry.second.stripes.size()) < stripes;
        })) {
        add_stripes(sku, stripes);
        levels = lock_sku_levels(sku);
    }
    for (auto& [key, state] : levels) {
        const Level& level = state.level;
        const std::int32_t warehouse_id = key.warehouse_id;
        const Quantity available = available_to_sell(level, policy);
        const bool backordered = level.on_hand < level.reserved;
        if (backordered && !policy.allow_backorder) {
            throw Error(ErrorCode::PolicyConflict,
                        "SKU \"" + sku + "\" is backordered in warehouse " +
                            std::to_string(warehouse_id) + ": backorders cannot be forbidden",
                        "on_hand " + std::to_string(level.on_hand) + ", reserved " +
                            std::to_string(level.reserved) + ".",
                        "Receive stock or deallocate the backordered units first.");
        }
        if (policy.backorder_limit && available < -*policy.backorder_limit) {
            throw Error(ErrorCode::PolicyConflict,
                        "SKU \"" + sku + "\" has " + std::to_string(-available) +
                            " units backordered in warehouse " + std::to_string(warehouse_id) +
                            ", more than the backorder_limit " +
                            std::to_string(*policy.backorder_limit));
        }
        state.policy = policy;
        for (auto& [stripe, row] : state.stripes) row.dirty = true;
    }
    // A new stripe count (or a policy that spreads no longer, or again): the free stock moves
    // to the stripes the policy gives, recorded.
    if (restripe) restripe_levels(levels, stripes);
    // New policy copies and available_to_sell (the figures and version unless stock moved);
    // the change feed is notified: a policy change moves available_to_sell under the same
    // version (README).
    store_levels(levels);
}

Datum policy_trigger(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        throw Error(ErrorCode::Internal, "inventory_sku_policy_trigger: not called as trigger");
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_AFTER(data->tg_event) || !TRIGGER_FIRED_FOR_ROW(data->tg_event)) {
        throw Error(ErrorCode::Internal, "inventory_sku_policy_trigger must fire AFTER ... ROW");
    }
    const TupleDesc desc = RelationGetDescr(data->tg_relation);
    std::optional<PolicyRow> old_row;
    std::optional<PolicyRow> new_row;
    if (TRIGGER_FIRED_BY_DELETE(data->tg_event) || TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
        old_row = read_policy(data->tg_trigtuple, desc);
    }
    if (TRIGGER_FIRED_BY_INSERT(data->tg_event)) {
        new_row = read_policy(data->tg_trigtuple, desc);
    } else if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
        new_row = read_policy(data->tg_newtuple, desc);
    }

    spi::connect();
    // The SKUs' advisory locks before any level row (README: Locks), both at once in the one
    // order when an UPDATE renames the SKU.
    std::vector<std::string> skus;
    if (old_row) skus.push_back(old_row->sku);
    if (new_row) skus.push_back(new_row->sku);
    lock_skus(skus, SkuLockMode::ChangePolicy);
    // A SKU whose policy row went away (deleted, or renamed by an UPDATE) returns to defaults.
    if (old_row && (!new_row || new_row->sku != old_row->sku))
        refresh_levels(old_row->sku, {}, 1, old_row);
    if (new_row) {
        const bool same_sku = old_row && old_row->sku == new_row->sku;
        refresh_levels(new_row->sku, new_row->policy, new_row->stripes,
                       same_sku ? old_row : std::nullopt);
    }
    spi::finish();
    return PointerGetDatum(nullptr);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_sku_policy_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::policy_trigger(fcinfo); });
}
