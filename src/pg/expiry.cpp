// Expiry of reservation holds (README: Orders, reservations and holds):
//  - inventory_expire_reservations(max_reservations, skip_locked), a function that runs in the
//    caller's transaction: the first due reservations (SKU bytewise, warehouse, reference), their
//    levels locked in the global order (waiting, or passing over levels others hold with
//    skip_locked), each reservation read again under its level's lock (a FULFILL or another run
//    that got there first has taken its units), and one DEALLOCATE of reason EXPIRED per
//    reservation still held, applied as one plan by the event engine;
//  - inventory_expire_reservations_in_batches(batch_size, max_batches), a procedure that calls
//    the function with skip_locked, batch_size at a time, and commits after each batch, so that
//    no level stays locked longer than one batch. A batch that meets 40001 or 40P01 is rolled
//    back (a subtransaction, as PL/pgSQL's exception block) and the next one runs in a new
//    transaction with a new snapshot. PostgreSQL forbids COMMIT in SECURITY DEFINER procedures and
//    in procedures with SET clauses: it is SECURITY INVOKER, its one statement fully qualified,
//    and the rights are checked by the function it calls (EXECUTE, then its caller check).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/reservation.hpp"
#include "pg/arguments.hpp"
#include "pg/direct_tables.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_expire_reservations);
PG_FUNCTION_INFO_V1(inventory_expire_reservations_in_batches);
}

namespace inventory::pg {
namespace {

struct Due {
    std::string reference_id;
    std::string sku;
    std::int32_t warehouse_id = 0;
    Quantity held = 0;
    std::int16_t stripe = 0;  // of the level, that holds the reservation
};

// On the direct path (pg/direct_tables.hpp): the due reservations through the partial index
// inventory_reservations_expiry_idx (expires_at, of the ACTIVE ones), their levels through the
// levels' primary key, each reservation again through its own. Nothing is planned.
direct::Columns reservation_columns{"reference_id", "sku",        "warehouse_id", "held",
                                    "status",       "expires_at", "stripe"};
enum ReservationColumn : std::size_t {
    kReference,
    kSku,
    kWarehouse,
    kHeld,
    kStatus,
    kExpiresAt,
    kStripe
};
int column(ReservationColumn c) {
    return reservation_columns(direct::TableId::Reservations, c);
}
constexpr Oid kReservationKey[] = {F_TEXTEQ, F_TEXTEQ, F_INT4EQ};

// Whether the reservation in `slot` is held and its hold ended at `run_at`.
bool due_at(TupleTableSlot* slot, Datum run_at) {
    if (spi::text_value(direct::get(slot, column(kStatus))) != "ACTIVE") return false;
    if (direct::is_null(slot, column(kExpiresAt))) return false;
    return DatumGetTimestampTz(direct::get(slot, column(kExpiresAt))) <=
           DatumGetTimestampTz(run_at);
}

bool before(const Due& x, const Due& y) {  // SKU bytewise, warehouse, reference bytewise
    return std::tie(x.sku, x.warehouse_id, x.reference_id) <
           std::tie(y.sku, y.warehouse_id, y.reference_id);
}

// The first `limit` reservations whose hold ended at `run_at`, in the global order. With
// skip_locked, only those whose level (of a striped level: the stripe that holds it) no other
// transaction holds, locked on the way (never waiting), as SELECT ... ORDER BY ... LIMIT ...
// FOR UPDATE OF l SKIP LOCKED does.
std::vector<Due> select_due(Datum run_at, std::int32_t limit, bool skip_locked) {
    const direct::Statement statement;
    std::vector<Due> due;
    {
        direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_expiry_idx",
                                 run_at, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE, statement);
        while (probe.next()) {
            TupleTableSlot* slot = probe.slot();
            if (!due_at(slot, run_at)) continue;
            due.push_back({spi::text_value(direct::get(slot, column(kReference))),
                           spi::text_value(direct::get(slot, column(kSku))),
                           DatumGetInt32(direct::get(slot, column(kWarehouse))), 0,
                           DatumGetInt16(direct::get(slot, column(kStripe)))});
        }
    }
    std::sort(due.begin(), due.end(), before);
    std::vector<Due> out;
    for (Due& d : due) {
        if (out.size() >= static_cast<std::size_t>(limit)) break;
        if (skip_locked && !try_lock_level({d.sku, d.warehouse_id}, d.stripe, statement)) continue;
        out.push_back(std::move(d));
    }
    return out;
}

// Those of `due` still held and due, read under their levels' locks, in the order of `due`.
std::vector<Due> still_due(const std::vector<Due>& due, Datum run_at) {
    const direct::Statement statement;
    std::vector<Due> out;
    for (const Due& d : due) {
        const Datum key[] = {spi::text_datum(d.reference_id), spi::text_datum(d.sku),
                             Int32GetDatum(d.warehouse_id)};
        direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_pkey", key,
                                 kReservationKey, statement);
        if (!probe.next() || !due_at(probe.slot(), run_at)) continue;
        out.push_back({d.reference_id, d.sku, d.warehouse_id,
                       DatumGetInt64(direct::get(probe.slot(), column(kHeld)))});
    }
    return out;
}

// (max_reservations, skip_locked) -> TABLE (reference_id, sku, warehouse_id, released, event_id)
Datum expire_reservations_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_GETARG_INT32(0) < 1) {
        throw Error(ErrorCode::InvalidParameter, "max_reservations must be a positive number");
    }
    const bool skip_locked = required_bool(fcinfo, 1, "skip_locked");
    const std::int32_t limit = PG_GETARG_INT32(0);
    const Datum run_at = TimestampTzGetDatum(GetCurrentTimestamp());  // clock time, a value

    spi::connect();
    lock_ledger_for_writing();
    const std::vector<Due> due = select_due(run_at, limit, skip_locked);
    if (!skip_locked && !due.empty()) {
        // Waiting for other transactions, in the global order (pg/level_store.hpp).
        std::vector<LevelKey> levels;
        levels.reserve(due.size());
        for (const Due& d : due) levels.push_back({d.sku, d.warehouse_id});
        (void)lock_levels(levels);
    }
    const std::vector<Due> released = due.empty() ? due : still_due(due, run_at);
    std::vector<PlannedEvent> plan;
    plan.reserve(released.size());
    for (const Due& d : released) {
        PlannedEvent event;
        event.options.reference_id = d.reference_id;
        event.options.reason = std::string(kExpiryReason);
        event.request =
            build_request(d.sku, d.warehouse_id, EventKind::Deallocate, d.held, event.options);
        plan.push_back(std::move(event));
    }
    if (!plan.empty()) execute_plan(plan);
    spi::finish();

    for (std::size_t i = 0; i < released.size(); ++i) {
        const Due& d = released[i];
        const Datum values[] = {spi::text_datum(d.reference_id), spi::text_datum(d.sku),
                                Int32GetDatum(d.warehouse_id), Int64GetDatum(d.held),
                                uuid_datum(plan[i].result.outcome.id)};
        const bool nulls[] = {false, false, false, false, false};
        append_result_row(fcinfo, values, nulls);
    }
    return end_result_rows(fcinfo);
}

// One batch in a subtransaction: how many reservations it released, or nullopt when it met a
// serialization failure or a deadlock (rolled back; the next batch retries in a new transaction).
std::optional<std::int64_t> run_batch(std::int32_t batch_size) {
    static spi::Statement batch(
        "SELECT pg_catalog.count(*) "
        "FROM inventory.inventory_expire_reservations($1, skip_locked => true)",
        {INT4OID});
    const MemoryContext context = CurrentMemoryContext;
    const ResourceOwner owner = CurrentResourceOwner;
    pg_guard([context] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(context);
    });
    bool retry = false;
    try {
        const Datum values[] = {Int32GetDatum(batch_size)};
        batch.execute(values, nullptr);
        const std::int64_t released = spi::get_int64(0, 1);
        pg_guard([context, owner] {
            ReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
        });
        return released;
    } catch (const PgError& e) {
        const int code = e.data()->sqlerrcode;
        if (code != ERRCODE_T_R_SERIALIZATION_FAILURE && code != ERRCODE_T_R_DEADLOCK_DETECTED) {
            throw;  // the transaction's abort ends the subtransaction
        }
        retry = true;
    }
    // Outside the handler: rolling back runs PostgreSQL code that may raise.
    if (retry) {
        pg_guard([context, owner] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
        });
    }
    return std::nullopt;
}

// CALL inventory_expire_reservations_in_batches(batch_size, max_batches)
Datum expire_in_batches_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_GETARG_INT32(0) < 1 || PG_GETARG_INT32(1) < 1) {
        throw Error(ErrorCode::InvalidParameter,
                    "batch_size and max_batches must be positive numbers");
    }
    const std::int32_t batch_size = PG_GETARG_INT32(0);
    const std::int32_t max_batches = PG_GETARG_INT32(1);
    // Inside a transaction block CALL is atomic: the first COMMIT is PostgreSQL's 2D000.
    const bool nonatomic = fcinfo->context != nullptr && IsA(fcinfo->context, CallContext) &&
                           !castNode(CallContext, fcinfo->context)->atomic;
    pg_guard([nonatomic] {
        if (SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0) != SPI_OK_CONNECT)
            elog(ERROR, "inventory: SPI_connect failed");
    });
    for (std::int32_t batches = 1;; ++batches) {
        const std::optional<std::int64_t> released = run_batch(batch_size);
        pg_guard([] { SPI_commit(); });
        // A short batch: nothing more is due that nobody else holds.
        if (batches >= max_batches || (released && *released < batch_size)) break;
    }
    spi::finish();
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_expire_reservations(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_expire_reservations",
                                                    inventory::pg::expire_reservations_body);
    });
}

extern "C" Datum inventory_expire_reservations_in_batches(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] { return inventory::pg::expire_in_batches_body(fcinfo); });
}
