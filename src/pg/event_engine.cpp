#include "pg/event_engine.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <span>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/stripes.hpp"
#include "core/transition.hpp"
#include "pg/array_builder.hpp"
#include "pg/direct_tables.hpp"
#include "pg/idempotency.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/reservations.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

namespace inventory::pg {
namespace {

// ---- helpers --------------------------------------------------------------------------------

bool same_jsonb(const std::optional<Datum>& a, const std::optional<Datum>& b) {
    if (!a || !b) return !a && !b;
    return pg_guard([&] { return DatumGetBool(DirectFunctionCall2(jsonb_eq, *a, *b)); });
}

// ---- step 1: idempotency keys ---------------------------------------------------------------

struct StoredKey {
    StoredEvent event;
    EventOutcome outcome;
    std::optional<Datum> metadata;
    std::optional<std::int32_t> in_warehouse;  // for a stored TRANSFER_OUT: its TRANSFER_IN
    EventOutcome in_outcome;
};

std::map<std::string, StoredKey> load_stored_keys(const std::set<std::string>& keys) {
    // Rare: the TRANSFER_IN legs of stored TRANSFER_OUTs.
    static spi::Statement find_in_legs(
        "SELECT related_event_id, id, warehouse_id, on_hand_after, reserved_after, "
        "       available_after "
        "FROM inventory.inventory_ledger WHERE related_event_id OPERATOR(pg_catalog.=) ANY ($1)",
        {UUIDARRAYOID});
    std::map<std::string, StoredKey> stored;
    std::map<UuidBytes, std::string> transfers;  // stored TRANSFER_OUT id -> its key
    for (auto& [key, row] : find_stored_keys(keys)) {
        StoredKey entry;
        entry.event = std::move(row.event);
        entry.outcome = {row.id, row.on_hand, row.reserved, row.available};
        entry.metadata = row.metadata;
        if (entry.event.event_type == "TRANSFER_OUT") transfers.emplace(row.id, key);
        stored.emplace(key, std::move(entry));
    }
    if (transfers.empty()) return stored;

    ArrayBuilder out_ids(UUIDOID);
    for (const auto& [id, key] : transfers) out_ids.add(uuid_datum(id));
    const Datum leg_values[] = {out_ids.build()};
    const std::uint64_t legs = find_in_legs.execute(leg_values, nullptr);
    for (std::uint64_t r = 0; r < legs; ++r) {
        StoredKey& entry = stored.at(transfers.at(uuid_bytes(spi::get_datum(r, 1))));
        entry.in_outcome.id = uuid_bytes(spi::get_datum(r, 2));
        entry.in_warehouse = spi::get_int32(r, 3);
        entry.in_outcome.on_hand = spi::get_int64(r, 4);
        entry.in_outcome.reserved = spi::get_int64(r, 5);
        entry.in_outcome.available = spi::get_int64(r, 6);
    }
    return stored;
}

StoredEvent as_stored(const PlannedEvent& event) {
    StoredEvent stored;
    stored.sku = event.request.sku;
    stored.warehouse_id = event.request.warehouse_id;
    stored.event_type = std::string(to_string(event.request.kind));
    stored.quantity = event.request.quantity;
    stored.reference_id = event.options.reference_id;
    stored.reason = event.request.reason;
    return stored;
}

enum class Disposition { Apply, ReplayStored, ReplayPlanned };

struct Decision {
    Disposition disposition = Disposition::Apply;
    std::size_t replay_of = 0;  // ReplayPlanned: the earlier event with the same key
};

// Which events are replays: of an event stored earlier, or of an earlier event of this plan.
std::vector<Decision> decide_replays(std::vector<PlannedEvent>& plan) {
    std::set<std::string> keys;
    for (const auto& event : plan) {
        if (event.options.idempotency_key && !event.out_leg)
            keys.insert(*event.options.idempotency_key);
    }
    std::vector<Decision> decisions(plan.size());
    if (keys.empty()) return decisions;
    const auto stored = load_stored_keys(keys);

    std::map<std::string, std::size_t> first_with_key;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        PlannedEvent& event = plan[i];
        if (event.out_leg) {  // a TRANSFER_IN follows its TRANSFER_OUT
            const Decision& out = decisions[*event.out_leg];
            decisions[i] = out;
            if (out.disposition == Disposition::ReplayPlanned) decisions[i].replay_of += 1;
            if (out.disposition == Disposition::ReplayStored) {
                const auto& entry = stored.at(*plan[*event.out_leg].options.idempotency_key);
                event.result.outcome = entry.in_outcome;
                event.result.replayed = true;
            }
            continue;
        }
        if (!event.options.idempotency_key) continue;
        const std::string& key = *event.options.idempotency_key;
        with_event_position(
            event.ordinal,
            [&] {
                if (auto earlier = first_with_key.find(key); earlier != first_with_key.end()) {
                    const PlannedEvent& first = plan[earlier->second];
                    StoredEvent previous = as_stored(first);
                    previous.same_metadata =
                        same_jsonb(first.options.metadata, event.options.metadata);
                    require_same_payload(key, previous, event.request, event.options,
                                         first.destination, event.destination);
                    decisions[i] = {Disposition::ReplayPlanned, earlier->second};
                    return;
                }
                first_with_key.emplace(key, i);
                if (auto found = stored.find(key); found != stored.end()) {
                    StoredEvent previous = found->second.event;
                    previous.same_metadata =
                        same_jsonb(found->second.metadata, event.options.metadata);
                    // Only a two-leg transfer names its destination; a dispatched TRANSFER_OUT's
                    // receipts arrive later, in parts, and are not part of its payload.
                    std::optional<std::int32_t> stored_destination;
                    if (previous.event_type == "TRANSFER_OUT" && event.destination)
                        stored_destination = found->second.in_warehouse;
                    require_same_payload(key, previous, event.request, event.options,
                                         stored_destination, event.destination);
                    decisions[i] = {Disposition::ReplayStored, 0};
                    event.result.outcome = found->second.outcome;
                    event.result.replayed = true;
                }
            },
            event.position);
    }
    return decisions;
}

// ---- step 2: level rows ---------------------------------------------------------------------

// What the plan needs held of each level it applies events to: of a striped level, one stripe
// for ALLOCATEs, the reservations' stripes for FULFILLs and DEALLOCATEs naming them, else all.
std::map<LevelKey, StripeNeeds> plan_needs(const std::vector<PlannedEvent>& plan,
                                           const std::vector<Decision>& decisions) {
    std::map<LevelKey, StripeNeeds> needs;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (decisions[i].disposition != Disposition::Apply) continue;
        const EventRequest& request = plan[i].request;
        const auto& reference = plan[i].options.reference_id;
        auto [entry, fresh] = needs.try_emplace({request.sku, request.warehouse_id});
        StripeNeeds& need = entry->second;
        if (fresh) need.whole = false;
        if (need.whole) continue;
        if (request.kind == EventKind::Allocate) {
            need.allocation = checked_add(need.allocation, request.quantity, "quantity");
            if (reference) need.allocating.push_back(*reference);
        } else if ((request.kind == EventKind::Fulfill || request.kind == EventKind::Deallocate) &&
                   reference) {
            need.named.push_back(*reference);
        } else {
            need.whole = true;
        }
        if (need.allocation > 0 && !need.named.empty()) need.whole = true;
    }
    return needs;
}

// ---- step 3: stripes ------------------------------------------------------------------------

struct NewRow {
    const PlannedEvent* event;  // nullptr: a REBALANCE row
    LevelKey level;
    std::int16_t stripe;
    Transition transition;
    std::int64_t version;
    std::optional<UuidBytes> related;
};

// Appends a stripe's row for `t` (the changes and the stripe's figures after them) and applies
// it to the level in memory.
void record_on_stripe(std::vector<NewRow>& rows, const PlannedEvent* event, const LevelKey& key,
                      LockedLevel& level, std::int16_t stripe, Quantity on_hand_change,
                      Quantity reserved_change) {
    level.change(stripe, on_hand_change, reserved_change);
    StripeRow& row = level.stripes.at(stripe);
    row.version += 1;
    Transition t;
    t.on_hand_change = on_hand_change;
    t.reserved_change = reserved_change;
    t.after = row.level;
    t.available_after = available_to_sell(row.level, level.policy);
    rows.push_back({event, key, stripe, t, row.version, std::nullopt});
}

void record_moves(std::vector<NewRow>& rows, const LevelKey& key, LockedLevel& level,
                  const std::vector<StripeMove>& moves) {
    for (const StripeMove& move : moves) {
        record_on_stripe(rows, nullptr, key, level, move.stripe, move.on_hand_change,
                         move.reserved_change);
    }
}

std::map<std::int16_t, Level> stripe_figures(const LockedLevel& level) {
    std::map<std::int16_t, Level> figures;
    for (const auto& [stripe, row] : level.stripes) figures.emplace(stripe, row.level);
    return figures;
}

// A striped level held whole whose plan has a FULFILL or DEALLOCATE naming no reservation:
// before its first event, what the other stripes hold beyond their reservations, and the
// reserved units no reservation holds, gather in stripe 0, which then carries those events.
void gather_unassigned(std::vector<NewRow>& rows, const LevelKey& key, LockedLevel& level,
                       const std::map<std::int16_t, Quantity>& held) {
    std::map<std::int16_t, Quantity> unassigned;
    for (const auto& [stripe, row] : level.stripes) {
        const auto found = held.find(stripe);
        unassigned[stripe] = row.level.reserved - (found == held.end() ? 0 : found->second);
    }
    record_moves(rows, key, level, gather_into_first(stripe_figures(level), unassigned));
}

// Before an event decided on the total of a striped level held whole: free units move from the
// other stripes into the one that carries the event, as many as it takes (with backorders all
// of them, so that only that stripe goes below zero).
void fund(std::vector<NewRow>& rows, const LevelKey& key, LockedLevel& level, std::int16_t stripe,
          const Transition& t) {
    const Quantity free_after =
        free_units(level.stripes.at(stripe).level) + t.on_hand_change - t.reserved_change;
    if (free_after >= 0) return;
    const Quantity units = level.policy.allow_backorder ? level.level.on_hand : -free_after;
    record_moves(rows, key, level, gather_into(stripe_figures(level), stripe, units));
}

// The stripe an event of a level held in part takes: its reservation's, or a held stripe that
// can fill the allocation (lock_levels found one for all of the plan's allocations).
std::int16_t stripe_for(const PlannedEvent& event, const LevelKey& key, const LockedLevel& level,
                        const ReservationBook& book) {
    const auto& reference = event.options.reference_id;
    if (reference && event.request.kind != EventKind::Allocate) {
        const auto stripe = book.stripe_of({*reference, key});
        if (stripe && level.stripes.contains(*stripe) && level.stripes.at(*stripe).held)
            return *stripe;
    } else {
        for (const auto& [stripe, row] : level.stripes) {
            if (row.held && free_units(row.level) >= event.request.quantity) return stripe;
        }
    }
    // A reservation created or moved meanwhile by a concurrent transaction.
    throw Error(ErrorCode::SerializationFailure,
                "could not serialize access: a reservation of SKU \"" + key.sku +
                    "\" in warehouse " + std::to_string(key.warehouse_id) +
                    " changed while its stripe was locked",
                "", "Retry the transaction.");
}

// Applies one event to its level in memory and appends its ledger row (and, on a striped level,
// the REBALANCE rows it needs); returns the level after it.
void apply_event(std::vector<NewRow>& rows, PlannedEvent& event, const LevelKey& key,
                 LockedLevel& level, ReservationBook& book, std::set<LevelKey>& whole) {
    const EventRequest& request = event.request;
    const auto& reference = event.options.reference_id;
    const std::optional<ReservationKey> reservation =
        reference ? std::optional<ReservationKey>(ReservationKey{*reference, key}) : std::nullopt;
    if (level.stripes.size() == 1) {  // not striped: the level is its one row
        const std::int16_t stripe = level.stripes.begin()->first;
        const Transition t = compute_transition(level.level, level.policy, request);
        if (reservation) book.place(*reservation, stripe);
        record_on_stripe(rows, &event, key, level, stripe, t.on_hand_change, t.reserved_change);
        return;
    }
    if (!level.whole) {  // one stripe decides: the core's rules on it alone
        const std::int16_t stripe = stripe_for(event, key, level, book);
        const Transition t =
            compute_transition(level.stripes.at(stripe).level, level.policy, request);
        if (reservation) book.place(*reservation, stripe);
        record_on_stripe(rows, &event, key, level, stripe, t.on_hand_change, t.reserved_change);
        return;
    }
    // Held whole: decided on the total, carried by stripe 0 or the reservation's stripe.
    if (whole.insert(key).second) {
        if (const auto held = book.held_by_stripe(key)) gather_unassigned(rows, key, level, *held);
    }
    const Transition t = compute_transition(level.level, level.policy, request);
    std::int16_t stripe = 0;
    if (reservation) {
        if (const auto held = book.stripe_of(*reservation)) stripe = *held;
        if (!level.stripes.contains(stripe)) stripe = 0;
        book.place(*reservation, stripe);
    }
    fund(rows, key, level, stripe, t);
    record_on_stripe(rows, &event, key, level, stripe, t.on_hand_change, t.reserved_change);
}

// Spreads the free units of a striped level held whole evenly over the stripes its policy
// gives it, so that the next sales find a stripe each. Not with safety stock or backorders:
// those apply to the total, every ALLOCATE then holds the whole level and takes the units it
// needs from wherever they are.
void spread(std::vector<NewRow>& rows, const LevelKey& key, LockedLevel& level,
            std::int32_t stripes) {
    if (!stripe_decides_allocation(level.policy)) return;
    record_moves(rows, key, level, spread_evenly(stripe_figures(level), stripes));
}

// After a plan's events, each striped level it held whole is spread again.
void spread(std::vector<NewRow>& rows, LockedLevels& levels, const std::set<LevelKey>& whole) {
    std::set<std::string> skus;
    for (const LevelKey& key : whole) skus.insert(key.sku);
    if (skus.empty()) return;
    const auto policies = read_sku_policies(skus, PolicySnapshot::Latest);
    for (const LevelKey& key : whole)
        spread(rows, key, levels.at(key), policies.at(key.sku).stripes);
}

direct::Columns ledger_columns{"id",
                               "sku",
                               "warehouse_id",
                               "event_type",
                               "quantity",
                               "on_hand_change",
                               "reserved_change",
                               "on_hand_after",
                               "reserved_after",
                               "available_after",
                               "level_version",
                               "reference_id",
                               "idempotency_key",
                               "reason",
                               "metadata",
                               "related_event_id",
                               "expires_at",
                               "actor",
                               "login",
                               "created_at",
                               "transaction_id",
                               "stripe"};
enum LedgerColumn : std::size_t {
    kId,
    kSku,
    kWarehouse,
    kEventType,
    kQuantity,
    kOnHandChange,
    kReservedChange,
    kOnHandAfter,
    kReservedAfter,
    kAvailableAfter,
    kLevelVersion,
    kReference,
    kKey,
    kReason,
    kMetadata,
    kRelated,
    kExpires,
    kActor,
    kLogin,
    kCreatedAt,
    kTransaction,
    kStripe
};

// Every column of one new ledger row, the defaults' values included: the direct path
// evaluates no DEFAULT.
void fill_row(const NewRow& row, Datum actor, Datum login, Datum transaction,
              TupleTableSlot* slot) {
    const Transition& t = row.transition;
    const auto set = [slot](LedgerColumn c, Datum value) {
        direct::set_column(slot, ledger_columns(direct::TableId::Ledger, c), value);
    };
    const auto set_optional = [slot](LedgerColumn c, const std::optional<Datum>& value) {
        direct::set_optional_column(slot, ledger_columns(direct::TableId::Ledger, c), value);
    };
    const auto text = [](const std::optional<std::string>& value) -> std::optional<Datum> {
        if (!value) return std::nullopt;
        return spi::text_datum(*value);
    };
    set(kSku, spi::text_datum(row.level.sku));
    set(kWarehouse, Int32GetDatum(row.level.warehouse_id));
    set(kStripe, Int16GetDatum(row.stripe));
    set(kOnHandChange, Int64GetDatum(t.on_hand_change));
    set(kReservedChange, Int64GetDatum(t.reserved_change));
    set(kOnHandAfter, Int64GetDatum(t.after.on_hand));
    set(kReservedAfter, Int64GetDatum(t.after.reserved));
    set(kAvailableAfter, Int64GetDatum(t.available_after));
    set(kLevelVersion, Int64GetDatum(row.version));
    set(kActor, actor);
    set(kLogin, login);
    // clock_timestamp(), under the level's row lock: it increases along each level's history.
    set(kCreatedAt, TimestampTzGetDatum(GetCurrentTimestamp()));
    set(kTransaction, transaction);
    if (row.event == nullptr) {  // REBALANCE: its quantity is the stripe's on_hand change
        set(kId, uuid_datum(next_uuidv7()));
        set(kEventType, spi::text_datum(to_string(EventKind::Rebalance)));
        set(kQuantity, Int64GetDatum(t.on_hand_change));
        for (const LedgerColumn c : {kReference, kKey, kReason, kMetadata, kRelated, kExpires})
            set_optional(c, std::nullopt);
        return;
    }
    const PlannedEvent& event = *row.event;
    set(kId, uuid_datum(event.result.outcome.id));
    set(kEventType, spi::text_datum(to_string(event.request.kind)));
    set(kQuantity, Int64GetDatum(event.request.quantity));
    set_optional(kReference, text(event.options.reference_id));
    // A transfer's key is stored on its TRANSFER_OUT.
    set_optional(kKey, event.out_leg ? std::nullopt : text(event.options.idempotency_key));
    set_optional(kReason, text(event.request.reason));
    set_optional(kMetadata, event.options.metadata);
    std::optional<Datum> related;
    if (row.related) related = uuid_datum(*row.related);
    set_optional(kRelated, related);
    std::optional<Datum> expires;
    if (event.options.expires_at) expires = TimestampTzGetDatum(*event.options.expires_at);
    set_optional(kExpires, expires);
}

// Appends the new rows to the ledger on the direct path: one row with table_tuple_insert, more
// with table_multi_insert, as COPY writes them; the ledger's BEFORE trigger does not fire (the
// engine has applied the rows).
void insert_rows(std::span<const NewRow> rows, Datum actor, Datum login) {
    const Datum transaction =
        pg_guard([] { return FullTransactionIdGetDatum(GetTopFullTransactionId()); });
    try {
        const direct::Statement statement;
        if (rows.size() == 1) {
            direct::NewRow row(direct::TableId::Ledger);
            fill_row(rows[0], actor, login, transaction, row.slot());
            direct::insert_row(row, statement);
            return;
        }
        direct::BulkInsert bulk(direct::TableId::Ledger, statement);
        for (const NewRow& row : rows) fill_row(row, actor, login, transaction, bulk.add());
        bulk.flush();
    } catch (const PgError& e) {
        // Under REPEATABLE READ or SERIALIZABLE a key committed by a concurrent transaction is
        // invisible to our snapshot: the lookup missed it and the unique index caught it. The
        // same happens at any level when two requests pass the key probe at once.
        const ErrorData* data = e.data();
        if (data->sqlerrcode == ERRCODE_UNIQUE_VIOLATION && data->constraint_name != nullptr &&
            std::string(data->constraint_name) == kIdempotencyKeyIndex) {
            throw Error(ErrorCode::SerializationFailure,
                        "could not serialize access: an idempotency key of this request was used "
                        "by a concurrent transaction",
                        "", "Retry the transaction; it will return the other event.");
        }
        throw;
    }
}

}  // namespace

void plan_transfer(std::vector<PlannedEvent>& plan, std::int32_t ordinal,
                   const EventRequest& out_request, const EventRequest& in_request,
                   const EventOptions& options) {
    PlannedEvent out;
    out.ordinal = ordinal;
    out.request = out_request;
    out.options = options;
    out.destination = in_request.warehouse_id;
    plan.push_back(std::move(out));
    PlannedEvent in;
    in.ordinal = ordinal;
    in.request = in_request;
    in.options = options;
    in.out_leg = plan.size() - 1;
    plan.push_back(std::move(in));
}

void restripe_levels(LockedLevels& levels, std::int32_t stripes) {
    const direct::Use direct_path;
    lock_ledger_for_writing();
    std::vector<NewRow> rows;
    for (auto& [key, level] : levels) {
        if (!level.whole) throw Error(ErrorCode::Internal, "restripe_levels: level not held whole");
        if (level.stripes.size() > 1) spread(rows, key, level, stripes);
    }
    if (!rows.empty()) insert_rows(rows, actor_name(), login_name());
}

void execute_plan(std::vector<PlannedEvent>& plan) {
    require_current_schema();
    const direct::Use direct_path;  // the tables' references, taken once for the whole plan
    // The first lock of every writer (README: Locks): a rebuild's SHARE lock then waits for this
    // plan, or this plan for the rebuild, before either holds a level.
    lock_ledger_for_writing();
    // Once per event type: the first event of a type the caller may not write is the one named.
    std::set<EventKind> allowed;
    for (const PlannedEvent& event : plan) {
        if (allowed.contains(event.request.kind)) continue;
        with_event_position(
            event.ordinal, [&] { require_capability(event.request.kind); }, event.position);
        allowed.insert(event.request.kind);
    }
    const std::vector<Decision> decisions = decide_replays(plan);
    LockedLevels levels = lock_levels(plan_needs(plan, decisions), reservation_stripe);

    // Reservations are read once the level rows are locked: those locks serialize them.
    ReservationBook book;
    {
        std::vector<ReservationTouch> applied;
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (decisions[i].disposition == Disposition::Apply)
                applied.push_back({&plan[i].request, &plan[i].options});
        }
        book.load(applied);
    }

    std::vector<NewRow> rows;
    std::set<LevelKey> whole;  // striped levels held whole: spread again at the end
    for (std::size_t i = 0; i < plan.size(); ++i) {
        PlannedEvent& event = plan[i];
        if (decisions[i].disposition == Disposition::ReplayStored) continue;
        if (decisions[i].disposition == Disposition::ReplayPlanned) {
            event.result.outcome = plan[decisions[i].replay_of].result.outcome;
            event.result.replayed = true;
            continue;
        }
        const LevelKey key{event.request.sku, event.request.warehouse_id};
        LockedLevel& level = levels.at(key);
        event.result.outcome.id = next_uuidv7();
        event.result.replayed = false;
        with_event_position(
            event.ordinal,
            [&] {
                // The reservation's own rules first: their errors name the order line.
                book.apply({&event.request, &event.options}, level.level.reserved);
                apply_event(rows, event, key, level, book, whole);
            },
            event.position);
        // The level's totals after the event (of a level held in part: its other stripes as
        // last read).
        event.result.outcome.on_hand = level.level.on_hand;
        event.result.outcome.reserved = level.level.reserved;
        event.result.outcome.available = available_to_sell(level.level, level.policy);
        std::optional<UuidBytes> related;
        if (event.out_leg) related = plan[*event.out_leg].result.outcome.id;
        if (event.related_event) related = event.related_event;
        rows.back().related = related;
    }
    if (rows.empty()) return;
    spread(rows, levels, whole);

    insert_rows(rows, actor_name(), login_name());
    book.write();
    store_levels(levels);
}

}  // namespace inventory::pg
