// The change feed: the NOTIFY (GUC inventory.notify), the feed marks and their triggers, and
// inventory_level_changes(position).
#include "pg/change_feed.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/feed_position.hpp"
#include "pg/arguments.hpp"
#include "pg/error_bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_level_changes);
PG_FUNCTION_INFO_V1(inventory_feed_levels_trigger);
PG_FUNCTION_INFO_V1(inventory_feed_policy_trigger);
}

namespace inventory::pg {
namespace {
// GUC inventory.notify, off by default: a transaction that NOTIFYs holds PostgreSQL's global
// notification lock through its commit, so committing writers queue behind each other
// (test/bench/README.md measured 0.39x of the reference at 8 clients with it on).
bool notify_enabled = false;

// The (sub)transaction that queued the last notification. PostgreSQL folds duplicates itself,
// but only after comparing each one with the queue; this skips the call for every further
// change of the same subtransaction. A subtransaction that rolls back drops its notification,
// and what follows runs under another SubTransactionId, so it queues a new one.
LocalTransactionId notified_lxid = InvalidLocalTransactionId;
SubTransactionId notified_subxid = InvalidSubTransactionId;
}  // namespace

void define_change_feed_settings() {
    DefineCustomBoolVariable(
        "inventory.notify",
        "Sends a NOTIFY without payload on channel inventory_levels at the commit of a "
        "transaction that changed levels.",
        "Consumers in inventory_reader then call inventory.inventory_level_changes(position); "
        "checkout decisions still read inventory_ats().",
        &notify_enabled, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("inventory");
}

void notify_levels_changed() {
    if (!notify_enabled) return;
    const LocalTransactionId lxid = MyProc->lxid;
    const SubTransactionId subxid = GetCurrentSubTransactionId();
    if (lxid == notified_lxid && subxid == notified_subxid) return;
    pg_guard([] { Async_Notify(kChangeFeedChannel, ""); });
    notified_lxid = lxid;
    notified_subxid = subxid;
}

void mark_levels_changed(const std::optional<std::string>& sku,
                         std::optional<std::int32_t> warehouse_id) {
    static spi::Statement insert_mark(
        "INSERT INTO inventory.inventory_feed_marks (sku, warehouse_id) VALUES ($1, $2)",
        {TEXTOID, INT4OID});
    const Datum values[] = {sku ? spi::text_datum(*sku) : Datum{0},
                            Int32GetDatum(warehouse_id.value_or(0))};
    const char nulls[] = {sku ? ' ' : 'n', warehouse_id ? ' ' : 'n', '\0'};
    insert_mark.execute(values, nulls);
}

namespace {

// The position: "<system identifier>/<database oid>/<pg_snapshot>" (core/feed_position.hpp). A
// row is new to a consumer when the transaction that wrote it is not visible in the snapshot
// of its previous position: a transaction that commits late is returned by the next call,
// however early it wrote.
std::string this_origin() {
    return feed_origin(static_cast<std::int64_t>(GetSystemIdentifier()), MyDatabaseId);
}

// The full state and the position that goes with it (one statement: one snapshot); one row
// with a NULL sku when there are no levels.
void return_full_state(FunctionCallInfo fcinfo, const std::string& origin) {
    static spi::Statement full_state(
        "WITH snap AS MATERIALIZED (SELECT $1 || '/' || pg_current_snapshot()::text AS pos),"
        "state AS ("
        "  SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version"
        "    FROM inventory.inventory_levels l) "
        "SELECT s.*, snap.pos FROM state s, snap "
        "UNION ALL "
        "SELECT NULL, NULL, NULL, NULL, NULL, NULL, snap.pos FROM snap "
        " WHERE NOT EXISTS (SELECT FROM state)",
        {TEXTOID});
    const Datum values[] = {spi::text_datum(origin)};
    spi::return_rows(fcinfo, full_state.execute(values, nullptr));
}

// The snapshot of a well-formed position, as PostgreSQL reads it; a snapshot it refuses
// (xmin after xmax, say) is an invalid position.
Datum seen_snapshot(const FeedPosition& position, const std::string& since) {
    const char* text = position.snapshot.c_str();
    try {
        return pg_guard(
            [text] { return DirectFunctionCall1(pg_snapshot_in, CStringGetDatum(text)); });
    } catch (const PgError& e) {
        if (e.data()->sqlerrcode != ERRCODE_INVALID_TEXT_REPRESENTATION) throw;
    }
    throw invalid_feed_position(since);
}

// Changed since `seen`: the levels of ledger rows and marks of transactions that the snapshot
// did not see (at or after its xmin, not visible in it) and that this statement's snapshot sees
// (MVCC shows only those; the upper bound keeps out transaction ids copied in by a restore).
// Each changed level is read by its key (a LATERAL probe of the level view, which sums the
// level's stripes through their primary key's prefix: a poll never reads all levels); one that
// no longer exists reads as empty, as inventory_ats() reads it. The levels of a policy mark (a
// SKU) and whether a level exists are read from the stripe rows themselves (a join into the
// grouping view would aggregate every level first). After a rebuild (a mark without a SKU):
// every level, and the changed ones that no longer exist.
void return_changes(FunctionCallInfo fcinfo, Datum seen, const std::string& origin) {
    static spi::Statement changes(
        "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS cur),"
        "marks AS MATERIALIZED ("
        "  SELECT m.sku, m.warehouse_id"
        "    FROM inventory.inventory_feed_marks m, snap"
        "   WHERE m.transaction_id >= pg_snapshot_xmin($1)"
        "     AND m.transaction_id < pg_snapshot_xmax(snap.cur)"
        "     AND NOT pg_visible_in_snapshot(m.transaction_id, $1)),"
        "changed AS ("
        "  SELECT g.sku, g.warehouse_id"
        "    FROM inventory.inventory_ledger g, snap"
        "   WHERE g.transaction_id >= pg_snapshot_xmin($1)"
        "     AND g.transaction_id < pg_snapshot_xmax(snap.cur)"
        "     AND NOT pg_visible_in_snapshot(g.transaction_id, $1)"
        "  UNION"
        "  SELECT m.sku, m.warehouse_id FROM marks m WHERE m.warehouse_id IS NOT NULL"
        "  UNION"
        "  SELECT l.sku, l.warehouse_id"
        "    FROM marks m JOIN inventory.inventory_level_stripes l ON l.sku = m.sku"
        "   WHERE m.warehouse_id IS NULL),"
        "result AS ("
        "  SELECT c.sku, c.warehouse_id, coalesce(l.on_hand, 0), coalesce(l.reserved, 0),"
        "         coalesce(l.available_to_sell, 0), coalesce(l.version, 0)"
        "    FROM changed c"
        "    LEFT JOIN LATERAL ("
        "          SELECT l.on_hand, l.reserved, l.available_to_sell, l.version"
        "            FROM inventory.inventory_levels l"
        "           WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id LIMIT 1) l ON true"
        "   WHERE NOT EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)"
        "  UNION ALL"
        "  SELECT l.sku, l.warehouse_id, l.on_hand, l.reserved, l.available_to_sell, l.version"
        "    FROM inventory.inventory_levels l"
        "   WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)"
        "  UNION ALL"
        "  SELECT c.sku, c.warehouse_id, 0, 0, 0, 0"
        "    FROM changed c"
        "   WHERE EXISTS (SELECT FROM marks m WHERE m.sku IS NULL)"
        "     AND NOT EXISTS (SELECT FROM inventory.inventory_level_stripes l"
        "                      WHERE l.sku = c.sku AND l.warehouse_id = c.warehouse_id)) "
        "SELECT r.*, $2 || '/' || snap.cur::text FROM result r, snap "
        "UNION ALL "
        "SELECT NULL, NULL, NULL, NULL, NULL, NULL, $2 || '/' || snap.cur::text FROM snap "
        " WHERE NOT EXISTS (SELECT FROM result)",
        {PG_SNAPSHOTOID, TEXTOID});
    const Datum values[] = {seen, spi::text_datum(origin)};
    spi::return_rows(fcinfo, changes.execute(values, nullptr));
}

Datum level_changes_body(FunctionCallInfo fcinfo) {
    const std::string origin = this_origin();
    spi::connect();
    if (PG_ARGISNULL(0)) {
        return_full_state(fcinfo, origin);
    } else {
        const std::string since = *text_argument(fcinfo, 0);
        const FeedPosition position = parse_feed_position(since);
        const Datum seen = seen_snapshot(position, since);
        // A snapshot later than the current one was taken by another server.
        static spi::Statement from_the_future(
            "SELECT pg_snapshot_xmax($1) > pg_snapshot_xmax(pg_current_snapshot())",
            {PG_SNAPSHOTOID});
        const Datum values[] = {seen};
        from_the_future.execute(values, nullptr);
        require_feed_origin(position, origin, spi::get_bool(0, 1));
        return_changes(fcinfo, seen, origin);
    }
    spi::finish();
    return Datum{0};
}

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* name) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        throw Error(ErrorCode::Internal, std::string(name) + ": not called as trigger");
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_AFTER(data->tg_event) || !TRIGGER_FIRED_FOR_ROW(data->tg_event)) {
        throw Error(ErrorCode::Internal, std::string(name) + " must fire AFTER ... FOR EACH ROW");
    }
    return data;
}

// A column of a trigger's row; nullopt when NULL.
std::optional<Datum> column(TriggerData* data, HeapTuple tuple, const char* name) {
    const TupleDesc desc = RelationGetDescr(data->tg_relation);
    struct Value {
        Datum datum;
        bool null;
    };
    const Value value = pg_guard([desc, tuple, name] {
        const int number = SPI_fnumber(desc, name);
        if (number <= 0) elog(ERROR, "inventory: the trigger's table has no column %s", name);
        Value v{Datum{0}, false};
        v.datum = heap_getattr(tuple, number, desc, &v.null);
        return v;
    });
    if (value.null) return std::nullopt;
    return value.datum;
}

std::optional<std::string> text_column(TriggerData* data, HeapTuple tuple, const char* name) {
    const std::optional<Datum> value = column(data, tuple, name);
    if (!value) return std::nullopt;
    return spi::text_value(*value);
}

// AFTER DELETE on inventory_level_stripes: the level of a deleted stripe row (a rebuild removes
// stripe rows without ledger rows) reads as what its other stripes hold, or as empty when none
// is left, to the consumers.
Datum feed_levels_trigger(FunctionCallInfo fcinfo) {
    TriggerData* data = trigger_data(fcinfo, "inventory_feed_levels_trigger");
    const std::optional<Datum> warehouse = column(data, data->tg_trigtuple, "warehouse_id");
    spi::connect();
    mark_levels_changed(text_column(data, data->tg_trigtuple, "sku"),
                        warehouse ? std::optional(DatumGetInt32(*warehouse)) : std::nullopt);
    spi::finish();
    return PointerGetDatum(nullptr);
}

// AFTER INSERT, UPDATE or DELETE on inventory_sku_policies: a policy change moves
// available_to_sell of every level of the SKU without a ledger row (an UPDATE that renames the
// SKU, of both SKUs).
Datum feed_policy_trigger(FunctionCallInfo fcinfo) {
    TriggerData* data = trigger_data(fcinfo, "inventory_feed_policy_trigger");
    const bool insert = TRIGGER_FIRED_BY_INSERT(data->tg_event);
    const bool update = TRIGGER_FIRED_BY_UPDATE(data->tg_event);
    std::optional<std::string> old_sku;
    std::optional<std::string> new_sku;
    if (!insert) old_sku = text_column(data, data->tg_trigtuple, "sku");
    if (insert) new_sku = text_column(data, data->tg_trigtuple, "sku");
    if (update) new_sku = text_column(data, data->tg_newtuple, "sku");
    spi::connect();
    if (!insert) mark_levels_changed(old_sku, std::nullopt);
    if (insert || (update && new_sku != old_sku)) mark_levels_changed(new_sku, std::nullopt);
    spi::finish();
    return PointerGetDatum(nullptr);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_level_changes(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::level_changes_body(fcinfo); });
}

extern "C" Datum inventory_feed_levels_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::feed_levels_trigger(fcinfo); });
}

extern "C" Datum inventory_feed_policy_trigger(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::feed_policy_trigger(fcinfo); });
}
