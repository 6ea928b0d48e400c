// inventory_allocate_order and inventory_release_order: orders in C++.
//
// An allocation checks the request (the core's rules: core/order_plan.hpp, core/event.hpp,
// core/warehouse.hpp), records the order (its order_ref makes the call idempotent: a retry
// returns the first result), reads the candidate warehouses, takes the locks in the one global
// order (README: Locks) - the ledger's ROW EXCLUSIVE, then the SKUs' advisory locks only where a
// backorder needs a new level, then the candidate level rows - plans the order on the locked
// levels (core/order_plan.hpp plan_order) and writes its ALLOCATEs as one plan of the event
// engine (pg/event_engine.hpp), which checks each again; the reservation book records the
// order on each reservation it creates. A release is one plan of DEALLOCATEs of what each of
// the order's reservations still holds. Errors name the order's lines ("line N: ..."), never
// the engine's events.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/json_field.hpp"
#include "core/order_plan.hpp"
#include "core/warehouse.hpp"
#include "pg/arguments.hpp"
#include "pg/direct_tables.hpp"
#include "pg/error_bridge.hpp"
#include "pg/event_engine.hpp"
#include "pg/event_request.hpp"
#include "pg/json_input.hpp"
#include "pg/level_store.hpp"
#include "pg/lock_order.hpp"
#include "pg/results.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/uuid.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(inventory_allocate_order);
PG_FUNCTION_INFO_V1(inventory_release_order);
}

namespace inventory::pg {
namespace {

// ---- the lines ----------------------------------------------------------------------------------

[[noreturn]] void not_a_line_array() {
    throw Error(
        ErrorCode::InvalidParameter,
        "lines must be a non-empty JSON array of {\"sku\", \"quantity\", \"line\"} objects");
}

std::string line_prefix(std::size_t position) {
    return "line " + std::to_string(position) + ": ";
}

// One line, checked as 0.3.1 did, in this order: its shape, its SKU (the core's rules and NFC),
// its quantity, its line id.
OrderLine read_line(std::size_t position, const JsonbValue& element) {
    const auto not_an_object = [position] {
        throw Error(ErrorCode::InvalidParameter,
                    "line " + std::to_string(position) +
                        " is not an object of the keys line, sku and quantity");
    };
    if (element.type != jbvBinary || !JsonContainerIsObject(element.val.binary.data)) {
        not_an_object();
    }
    std::optional<JsonbValue> sku, quantity, line;
    JsonbContainer* container = element.val.binary.data;
    JsonbIterator* iterator = pg_guard([container] { return JsonbIteratorInit(container); });
    JsonbValue value;
    std::optional<JsonbValue>* field = nullptr;
    bool unknown_key = false;
    for (JsonbIteratorToken token = next_token(&iterator, &value); token != WJB_DONE;
         token = next_token(&iterator, &value)) {
        if (token == WJB_KEY) {
            const std::string_view key(value.val.string.val,
                                       static_cast<std::size_t>(value.val.string.len));
            field = key == "sku"        ? &sku
                    : key == "quantity" ? &quantity
                    : key == "line"     ? &line
                                        : nullptr;
            if (field == nullptr) unknown_key = true;
        } else if (token == WJB_VALUE && field != nullptr) {
            *field = value;
        }
    }
    if (unknown_key) not_an_object();

    const JsonField sku_field = sku ? json_field(*sku) : JsonField{};
    if (sku_field.type == JsonType::Null) {
        throw Error(ErrorCode::NullArgument, line_prefix(position) + "sku must not be NULL");
    }
    if (sku_field.type != JsonType::String) {
        throw Error(ErrorCode::InvalidParameter, line_prefix(position) + "sku must be a string");
    }
    check_sku(sku_field.text);

    const JsonField quantity_field = quantity ? json_field(*quantity) : JsonField{};
    std::optional<Quantity> units;
    if (quantity_field.type == JsonType::Number) units = whole_number(quantity_field.text);
    if (!units || *units < 1) {
        throw Error(ErrorCode::InvalidQuantity,
                    line_prefix(position) + "quantity must be a positive whole number, not " +
                        (quantity ? json_text(*quantity) : "null"));
    }

    std::string id = std::to_string(position);
    if (line) {
        const JsonField line_field = json_field(*line);
        const bool text_or_number =
            line_field.type == JsonType::String || line_field.type == JsonType::Number;
        if (!text_or_number || !valid_order_line_id(line_field.text)) {
            throw Error(ErrorCode::InvalidParameter,
                        line_prefix(position) + "line must be a string or number of 1 to " +
                            std::to_string(kMaxOrderLineIdLength) + " characters, without \"/\"");
        }
        id = line_field.text;
    }
    return OrderLine{std::move(id), sku_field.text, *units};
}

std::vector<OrderLine> read_lines(Datum lines) {
    Jsonb* root = pg_guard([lines] { return DatumGetJsonbP(lines); });
    if (!JB_ROOT_IS_ARRAY(root) || JB_ROOT_IS_SCALAR(root) || JB_ROOT_COUNT(root) == 0) {
        not_a_line_array();
    }
    const std::size_t count = JB_ROOT_COUNT(root);
    if (count > kMaxOrderLines) {
        throw Error(ErrorCode::ProgramLimitExceeded,
                    "an order may have at most " + std::to_string(kMaxOrderLines) +
                        " lines, this one has " + std::to_string(count),
                    "",
                    "Split it into several orders (each order_ref is reserved all or nothing).");
    }
    std::vector<OrderLine> out;
    out.reserve(count);
    JsonbContainer* container = &root->root;
    JsonbIterator* iterator = pg_guard([container] { return JsonbIteratorInit(container); });
    JsonbValue value;
    for (JsonbIteratorToken token = next_token(&iterator, &value); token != WJB_DONE;
         token = next_token(&iterator, &value)) {
        if (token == WJB_ELEM) out.push_back(read_line(out.size() + 1, value));
    }
    std::set<std::string> ids;
    for (const OrderLine& line : out) {
        if (!ids.insert(line.id).second) {
            throw Error(ErrorCode::InvalidParameter, "line ids must be unique within an order");
        }
    }
    return out;
}

// ---- the order's rows ---------------------------------------------------------------------------
//
// On the direct path (pg/direct_tables.hpp): every lookup is an index probe, the order's row is
// inserted and updated as the executor would, and nothing is planned per call or per session.

direct::Columns order_columns{"order_ref",   "ship_to",    "warehouse_id", "strategy",
                              "allow_split", "expires_at", "lines",        "metadata",
                              "allocation",  "actor",      "created_at",   "login"};
enum OrderColumn : std::size_t {
    kRef,
    kShipTo,
    kWarehouse,
    kStrategy,
    kAllowSplit,
    kExpiresAt,
    kLines,
    kMetadata,
    kAllocation,
    kActor,
    kCreatedAt,
    kLogin
};
int order_column(OrderColumn c) {
    return order_columns(direct::TableId::Orders, c);
}
constexpr const char* kOrderKey = "inventory_orders_pkey";
constexpr Oid kTextEquality[] = {F_TEXTEQ};
constexpr Oid kInt4Equality[] = {F_INT4EQ};

// One row of inventory_allocate_order's result.
struct OrderRow {
    std::string line;
    std::string sku;
    std::optional<std::int32_t> warehouse_id;
    Quantity quantity = 0;
    std::optional<std::string> reference_id;
    std::optional<UuidBytes> event_id;
    bool replayed = false;
    std::optional<Quantity> requested, available, shortage;
};

struct OrderRecord {
    Datum order_ref;
    Datum ship_to;  // (Datum)0 when null
    std::optional<std::int32_t> warehouse_id;
    Datum strategy;
    bool allow_split;
    std::optional<std::int64_t> expires_at;
    Datum lines;  // canonical jsonb
    std::optional<Datum> metadata;
};

// A jsonb array of objects, built as jsonb_agg(jsonb_build_object(...)) builds it (the keys of
// an object are sorted when it ends, whatever order they were added in), or with `array` false
// one object, as jsonb_build_object(...).
class JsonbObjects {
  public:
    explicit JsonbObjects(bool array = true) : array_(array) {
        if (array_) push(WJB_BEGIN_ARRAY, nullptr);
    }
    void begin() { push(WJB_BEGIN_OBJECT, nullptr); }
    void end() { last_ = push(WJB_END_OBJECT, nullptr); }
    void text(const char* key, std::string_view value) {
        add_key(key);
        JsonbValue v{};
        v.type = jbvString;
        v.val.string.len = static_cast<int>(value.size());
        v.val.string.val =
            pg_guard([value] { return pnstrdup(value.data(), static_cast<Size>(value.size())); });
        push(WJB_VALUE, &v);
    }
    void number(const char* key, std::int64_t value) {
        add_key(key);
        JsonbValue v{};
        v.type = jbvNumeric;
        v.val.numeric = pg_guard([value] { return int64_to_numeric(value); });
        push(WJB_VALUE, &v);
    }
    Datum finish() {
        JsonbValue* root = array_ ? push(WJB_END_ARRAY, nullptr) : last_;
        return pg_guard([root] { return JsonbPGetDatum(JsonbValueToJsonb(root)); });
    }

  private:
    void add_key(const char* key) {
        JsonbValue k{};
        k.type = jbvString;
        k.val.string.len = static_cast<int>(std::strlen(key));
        k.val.string.val = const_cast<char*>(key);
        push(WJB_KEY, &k);
    }
    JsonbValue* push(JsonbIteratorToken token, JsonbValue* value) {
        JsonbParseState** state = &state_;
        return pg_guard([state, token, value] { return pushJsonbValue(state, token, value); });
    }
    JsonbParseState* state_ = nullptr;
    JsonbValue* last_ = nullptr;
    bool array_;
};

// The lines in the canonical form inventory_orders.lines keeps: [{"line", "sku", "quantity"}].
Datum canonical_lines(const std::vector<OrderLine>& lines) {
    JsonbObjects out;
    for (const OrderLine& line : lines) {
        out.begin();
        out.text("line", line.id);
        out.text("sku", line.sku);
        out.number("quantity", line.quantity);
        out.end();
    }
    return out.finish();
}

// The order's row: true when it is new; false when the order_ref was allocated before (INSERT
// ... ON CONFLICT DO NOTHING: a concurrent allocation of it is waited for).
bool record_order(const OrderRecord& order) {
    const direct::Statement statement;
    direct::NewRow row(direct::TableId::Orders);
    row.set(order_column(kRef), order.order_ref);
    if (order.ship_to != Datum{0}) row.set(order_column(kShipTo), order.ship_to);
    if (order.warehouse_id) row.set(order_column(kWarehouse), Int32GetDatum(*order.warehouse_id));
    row.set(order_column(kStrategy), order.strategy);
    row.set(order_column(kAllowSplit), BoolGetDatum(order.allow_split));
    if (order.expires_at) row.set(order_column(kExpiresAt), TimestampTzGetDatum(*order.expires_at));
    row.set(order_column(kLines), order.lines);
    row.set_optional(order_column(kMetadata), order.metadata);
    row.set(order_column(kActor), actor_name());
    // The columns' defaults: now() and inventory_login().
    row.set(order_column(kCreatedAt),
            TimestampTzGetDatum(pg_guard([] { return GetCurrentTransactionStartTimestamp(); })));
    row.set(order_column(kLogin), login_name());
    return direct::insert_row_unless_conflict(row, statement);
}

bool same_optional_text(TupleTableSlot* slot, int column, Datum value) {
    const bool null = direct::is_null(slot, column);
    if (null || value == Datum{0}) return null && value == Datum{0};
    return spi::text_value(direct::get(slot, column)) == spi::text_value(value);
}

bool same_optional_jsonb(TupleTableSlot* slot, int column, const std::optional<Datum>& value) {
    const bool null = direct::is_null(slot, column);
    if (null || !value) return null && !value;
    const Datum stored = direct::get(slot, column);
    const Datum given = *value;
    return pg_guard(
        [stored, given] { return DatumGetBool(DirectFunctionCall2(jsonb_eq, stored, given)); });
}

// A retry: the first allocation's rows, if the request is the same (expires_at is not compared:
// a retry computes now() + interval anew, and the first call's hold stands).
std::vector<OrderRow> replay_order(const OrderRecord& order, const std::string& order_ref) {
    std::optional<bool> same;
    std::optional<Datum> allocation;
    {
        const direct::Statement statement;
        direct::IndexProbe probe(direct::TableId::Orders, kOrderKey, {&order.order_ref, 1},
                                 kTextEquality, statement);
        if (probe.next()) {
            TupleTableSlot* slot = probe.slot();
            const bool same_warehouse =
                direct::is_null(slot, order_column(kWarehouse))
                    ? !order.warehouse_id
                    : order.warehouse_id &&
                          DatumGetInt32(direct::get(slot, order_column(kWarehouse))) ==
                              *order.warehouse_id;
            same =
                same_optional_text(slot, order_column(kShipTo), order.ship_to) && same_warehouse &&
                same_optional_text(slot, order_column(kStrategy), order.strategy) &&
                DatumGetBool(direct::get(slot, order_column(kAllowSplit))) == order.allow_split &&
                same_optional_jsonb(slot, order_column(kLines), order.lines) &&
                same_optional_jsonb(slot, order_column(kMetadata), order.metadata);
            if (!direct::is_null(slot, order_column(kAllocation))) {
                const Datum stored = direct::get(slot, order_column(kAllocation));
                allocation = pg_guard([stored] { return datumCopy(stored, false, -1); });
            }
        }
    }
    if (!same) {
        throw Error(ErrorCode::SerializationFailure,
                    "could not serialize access: order " + order_ref +
                        " was allocated by a concurrent transaction",
                    "", "Retry the transaction.");
    }
    if (!*same) {
        throw Error(ErrorCode::IdempotencyConflict,
                    "order " + order_ref + " was already allocated with a different request", "",
                    "Allocate a changed order under a new order_ref, or release it first.");
    }
    std::vector<OrderRow> out;
    if (!allocation) return out;  // no allocation stored
    // No table: one plan for every call.
    static spi::Statement elements(
        "SELECT a.v OPERATOR(pg_catalog.->>) 'line', a.v OPERATOR(pg_catalog.->>) 'sku', "
        "       (a.v OPERATOR(pg_catalog.->>) 'warehouse_id')::pg_catalog.int4, "
        "       (a.v OPERATOR(pg_catalog.->>) 'quantity')::pg_catalog.int8, "
        "       a.v OPERATOR(pg_catalog.->>) 'reference_id', "
        "       (a.v OPERATOR(pg_catalog.->>) 'event_id')::pg_catalog.uuid "
        "FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS a(v, n) "
        "ORDER BY a.n",
        {JSONBOID});
    const Datum values[] = {*allocation};
    const std::uint64_t rows = elements.execute(values, nullptr, true);
    for (std::uint64_t r = 0; r < rows; ++r) {
        OrderRow row;
        row.line = *spi::get_optional_text(r, 1);
        row.sku = *spi::get_optional_text(r, 2);
        row.warehouse_id = spi::get_int32(r, 3);
        row.quantity = spi::get_int64(r, 4);
        row.reference_id = spi::get_optional_text(r, 5);
        row.event_id = uuid_bytes(spi::get_datum(r, 6));
        row.replayed = true;
        out.push_back(std::move(row));
    }
    return out;
}

// The order's row this call inserted, as a DELETE of it would find it.
void forget_order(Datum order_ref) {
    const direct::Statement statement;
    std::optional<ItemPointerData> tid;
    {
        direct::IndexProbe probe(direct::TableId::Orders, kOrderKey, {&order_ref, 1}, kTextEquality,
                                 statement);
        if (probe.next()) tid = probe.slot()->tts_tid;
    }
    if (tid) direct::delete_row(direct::TableId::Orders, *tid, statement);
}

// Where each unit was reserved, as inventory_orders.allocation keeps it.
void store_allocation(Datum order_ref, const std::vector<OrderRow>& rows) {
    JsonbObjects allocation;
    for (const OrderRow& row : rows) {
        allocation.begin();
        allocation.text("line", row.line);
        allocation.text("sku", row.sku);
        allocation.number("warehouse_id", *row.warehouse_id);
        allocation.number("quantity", row.quantity);
        allocation.text("reference_id", *row.reference_id);
        const Datum id = uuid_datum(*row.event_id);
        allocation.text("event_id", pg_guard([id] {
                            return DatumGetCString(DirectFunctionCall1(uuid_out, id));
                        }));
        allocation.end();
    }
    const Datum value = allocation.finish();
    const direct::Statement statement;
    ItemPointerData tid;
    {
        direct::IndexProbe probe(direct::TableId::Orders, kOrderKey, {&order_ref, 1}, kTextEquality,
                                 statement);
        if (!probe.next()) {
            throw Error(ErrorCode::Internal, "the order's row vanished while it was allocated");
        }
        tid = probe.slot()->tts_tid;
        if (!direct::lock_row(direct::TableId::Orders, &tid, probe.slot(), statement).locked) {
            throw Error(ErrorCode::Internal, "the order's row vanished while it was allocated");
        }
    }
    direct::NewRow row(direct::TableId::Orders);
    direct::load_current(row, tid);
    row.set(order_column(kAllocation), value);
    direct::update_row(row, &tid, statement);
}

// ---- candidates and their stock -----------------------------------------------------------------

std::vector<CandidateWarehouse> candidate_warehouses(const std::optional<std::string>& ship_to,
                                                     std::optional<std::int32_t> fixed) {
    static direct::Columns serving{"warehouse_id", "priority"};
    // Read as a read-only SPI call reads: on the calling statement's snapshot.
    const direct::Statement statement{direct::Statement::CallerSnapshot{}};
    std::vector<CandidateWarehouse> out;
    if (fixed) {
        const Datum key = Int32GetDatum(*fixed);
        direct::IndexProbe probe(direct::TableId::Warehouses, "inventory_warehouses_pkey",
                                 {&key, 1}, kInt4Equality, statement);
        if (!probe.next()) {
            throw Error(ErrorCode::UnknownWarehouse, "unknown warehouse " + std::to_string(*fixed));
        }
        out.push_back({*fixed, 0});
        return out;
    }
    const Datum key = spi::text_datum(*ship_to);
    // (country, priority, warehouse_id): the country's warehouses in the order of the plan.
    direct::IndexProbe probe(direct::TableId::WarehouseCountries,
                             "inventory_warehouse_countries_country_idx", {&key, 1}, kTextEquality,
                             statement);
    while (probe.next()) {
        const auto id = serving(direct::TableId::WarehouseCountries, 0);
        const auto priority = serving(direct::TableId::WarehouseCountries, 1);
        out.push_back({DatumGetInt32(direct::get(probe.slot(), id)),
                       DatumGetInt32(direct::get(probe.slot(), priority))});
    }
    return out;  // none: plan_order raises IV016
}

// The SKUs' policies (the defaults without a row).
std::map<std::string, Policy> sku_policies(const std::set<std::string>& skus) {
    std::map<std::string, Policy> out;
    for (auto& [sku, row] : read_sku_policies(skus)) out.emplace(sku, row.policy);
    return out;
}

// Every (SKU, candidate) level the order may draw on, as read with `mode`, into the request.
void read_stock(OrderRequest& request, const std::map<std::string, Policy>& policies,
                LevelRead mode) {
    std::vector<LevelKey> ids;
    for (const auto& [sku, policy] : policies) {
        for (const CandidateWarehouse& c : request.candidates) ids.push_back({sku, c.warehouse_id});
    }
    const auto levels = read_existing_levels(ids, mode);
    request.stock.clear();
    for (const auto& [sku, policy] : policies) {
        SkuStock& stock = request.stock[sku];
        stock.policy = policy;
        for (const CandidateWarehouse& c : request.candidates) {
            const auto found = levels.find(LevelKey{sku, c.warehouse_id});
            if (found == levels.end()) {
                stock.levels.emplace_back(std::nullopt);
            } else {
                stock.levels.emplace_back(
                    CandidateLevel{found->second.level, found->second.policy});
            }
        }
    }
}

// A SKU that allows backorders and has no level in the first candidate may need one.
bool backorder_may_need_a_level(const OrderRequest& request) {
    for (const auto& [sku, stock] : request.stock) {
        if (stock.policy.allow_backorder && !stock.levels.front()) return true;
    }
    return false;
}

// Plans the order on its locked levels. Levels a backorder needs are created first, before any
// level row is locked (their SKUs' advisory locks come before level rows): a first plan on
// unlocked reads finds them.
OrderPlan plan_on_locked_levels(OrderRequest& request) {
    std::set<std::string> skus;
    for (const OrderLine& line : request.lines) skus.insert(line.sku);
    const auto policies = sku_policies(skus);
    if (request.candidates.empty()) return plan_order(request);  // IV016

    lock_ledger_for_writing();
    // Only a SKU that allows backorders can need a level created: without one, the unlocked
    // first read has nothing to find (the locked read below reads the same rows).
    const bool backorders = std::any_of(policies.begin(), policies.end(),
                                        [](const auto& p) { return p.second.allow_backorder; });
    if (backorders) read_stock(request, policies, LevelRead::Peek);
    if (backorders && backorder_may_need_a_level(request)) {
        OrderRequest probe = request;
        probe.on_shortage = OnShortage::Report;
        const OrderPlan first = plan_order(probe);
        std::vector<LevelKey> missing;
        for (const std::string& sku : first.missing_levels) {
            missing.push_back({sku, request.candidates.front().warehouse_id});
        }
        if (!missing.empty()) (void)create_levels(missing);
    }
    read_stock(request, policies, LevelRead::Lock);
    OrderPlan plan = plan_order(request);
    if (!plan.missing_levels.empty()) {
        throw Error(ErrorCode::SerializationFailure,
                    "could not serialize access: stock of " + *plan.missing_levels.begin() +
                        " changed while order " + request.order_ref + " was planned",
                    "", "Retry the transaction.");
    }
    return plan;
}

// An order's references are new: a reservation already under one of them (made by a plain
// ALLOCATE) belongs to something else, and the order must not add to it. Read after the level
// locks on a new snapshot (not read-only: under READ COMMITTED the call's own snapshot predates
// the lock waits, and would miss a plain ALLOCATE that committed meanwhile).
void require_new_references(const OrderRequest& request) {
    const direct::Statement statement;
    bool taken = false;
    for (const OrderLine& line : request.lines) {
        const Datum reference = spi::text_datum(order_line_reference(request.order_ref, line.id));
        // The primary key (reference_id, sku, warehouse_id) by its first column.
        direct::IndexProbe probe(direct::TableId::Reservations, "inventory_reservations_pkey",
                                 {&reference, 1}, kTextEquality, statement);
        if (probe.next()) {
            taken = true;
            break;
        }
    }
    if (taken) {
        throw Error(ErrorCode::IdempotencyConflict,
                    "a reservation already uses a reference_id of order " + request.order_ref +
                        " (order_ref/line)",
                    "",
                    "Use another order_ref; plain ALLOCATEs should not use order_ref/line "
                    "references.");
    }
}

// Each line's ALLOCATE metadata: the order's metadata with the order and the line.
std::vector<Datum> line_metadata(const OrderRequest& request,
                                 const std::optional<Datum>& metadata) {
    std::vector<Datum> out;
    out.reserve(request.lines.size());
    for (const OrderLine& line : request.lines) {
        // jsonb_concat(COALESCE(metadata, '{}'), jsonb_build_object('order_ref', ..., 'line', ...))
        JsonbObjects own(false);
        own.begin();
        own.text("order_ref", request.order_ref);
        own.text("line", line.id);
        own.end();
        const Datum added = own.finish();
        if (!metadata) {
            out.push_back(added);
            continue;
        }
        const Datum base = *metadata;
        out.push_back(
            pg_guard([base, added] { return DirectFunctionCall2(jsonb_concat, base, added); }));
    }
    return out;
}

// ---- results ------------------------------------------------------------------------------------

Datum emit_order_rows(FunctionCallInfo fcinfo, const std::vector<OrderRow>& rows) {
    for (const OrderRow& row : rows) {
        Datum values[10] = {};
        bool nulls[10] = {};
        values[0] = spi::text_datum(row.line);
        values[1] = spi::text_datum(row.sku);
        nulls[2] = !row.warehouse_id;
        values[2] = Int32GetDatum(row.warehouse_id.value_or(0));
        values[3] = Int64GetDatum(row.quantity);
        nulls[4] = !row.reference_id;
        if (row.reference_id) values[4] = spi::text_datum(*row.reference_id);
        nulls[5] = !row.event_id;
        if (row.event_id) values[5] = uuid_datum(*row.event_id);
        values[6] = BoolGetDatum(row.replayed);
        const std::optional<Quantity>* figures[] = {&row.requested, &row.available, &row.shortage};
        for (int i = 0; i < 3; ++i) {
            nulls[7 + i] = !*figures[i];
            values[7 + i] = Int64GetDatum(figures[i]->value_or(0));
        }
        append_result_row(fcinfo, values, nulls);
    }
    return end_result_rows(fcinfo);
}

// ---- inventory_allocate_order -------------------------------------------------------------------

Datum allocate_order_body(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(5) || PG_ARGISNULL(6) ||
        PG_ARGISNULL(8)) {
        throw Error(ErrorCode::NullArgument,
                    "order_ref, lines, allow_split, strategy and on_shortage must not be NULL");
    }
    if (PG_ARGISNULL(2) == PG_ARGISNULL(3)) {
        throw Error(ErrorCode::InvalidParameter,
                    "pass exactly one of ship_to and fixed_warehouse_id", "",
                    "ship_to chooses among the warehouses that serve the country; "
                    "fixed_warehouse_id names one.");
    }
    OrderRequest request;
    std::optional<std::int32_t> fixed;
    if (PG_ARGISNULL(3)) {
        request.ship_to = normalize_country(*text_argument(fcinfo, 2), "ship_to");
    } else {
        fixed = PG_GETARG_INT32(3);
    }
    request.strategy = parse_allocation_strategy(*text_argument(fcinfo, 6));
    request.on_shortage = parse_on_shortage(*text_argument(fcinfo, 8));
    request.order_ref = *text_argument(fcinfo, 0);
    validate_order_ref(request.order_ref);
    EventOptions order_options;  // what every line's ALLOCATE shares
    if (!PG_ARGISNULL(7)) order_options.metadata = PG_GETARG_DATUM(7);
    validate_options(order_options);
    if (!PG_ARGISNULL(4)) order_options.expires_at = PG_GETARG_TIMESTAMPTZ(4);
    order_options.order_ref = request.order_ref;
    request.allow_split = PG_GETARG_BOOL(5);
    request.lines = read_lines(PG_GETARG_DATUM(1));

    std::vector<OrderRow> rows;
    spi::connect();
    const std::string strategy(to_string(request.strategy));
    OrderRecord record{spi::text_datum(request.order_ref),
                       request.ship_to ? spi::text_datum(*request.ship_to) : Datum{0},
                       fixed,
                       spi::text_datum(strategy),
                       request.allow_split,
                       order_options.expires_at,
                       canonical_lines(request.lines),
                       order_options.metadata};
    if (!record_order(record)) {
        rows = replay_order(record, request.order_ref);
        spi::finish();
        return emit_order_rows(fcinfo, rows);
    }

    request.candidates = candidate_warehouses(request.ship_to, fixed);
    const OrderPlan plan = plan_on_locked_levels(request);
    if (!plan.shortages.empty()) {
        // on_shortage => 'report': nothing is reserved, and the order_ref stays free.
        forget_order(record.order_ref);
        spi::finish();
        for (const ShortLine& s : plan.shortages) {
            const OrderLine& line = request.lines[s.line];
            OrderRow row;
            row.line = line.id;
            row.sku = line.sku;
            row.requested = line.quantity;
            row.available = s.available;
            row.shortage = line.quantity - s.available;
            rows.push_back(std::move(row));
        }
        return emit_order_rows(fcinfo, rows);
    }

    require_new_references(request);
    const std::vector<Datum> metadata = line_metadata(request, order_options.metadata);
    // One ALLOCATE per line and warehouse, all or nothing; the reference names order and line.
    std::vector<PlannedEvent> events;
    events.reserve(plan.allocations.size());
    for (const PlannedAllocation& a : plan.allocations) {
        const OrderLine& line = request.lines[a.line];
        PlannedEvent event;
        event.ordinal = static_cast<std::int32_t>(a.line + 1);
        event.position = "line";
        event.options = order_options;
        event.options.reference_id = order_line_reference(request.order_ref, line.id);
        event.options.metadata = metadata.at(a.line);
        with_event_position(
            event.ordinal,
            [&] {
                validate_options(event.options, KeyOrigin::Extension);
                event.request = build_request(line.sku, a.warehouse_id, EventKind::Allocate,
                                              a.quantity, event.options);
            },
            event.position);
        events.push_back(std::move(event));
    }
    execute_plan(events);
    for (std::size_t i = 0; i < events.size(); ++i) {
        const OrderLine& line = request.lines[plan.allocations[i].line];
        OrderRow row;
        row.line = line.id;
        row.sku = line.sku;
        row.warehouse_id = plan.allocations[i].warehouse_id;
        row.quantity = plan.allocations[i].quantity;
        row.reference_id = events[i].options.reference_id;
        row.event_id = events[i].result.outcome.id;
        rows.push_back(std::move(row));
    }
    store_allocation(record.order_ref, rows);
    spi::finish();
    return emit_order_rows(fcinfo, rows);
}

// ---- inventory_release_order --------------------------------------------------------------------

struct Release {
    std::string reference_id;
    std::string sku;
    std::int32_t warehouse_id = 0;
    Quantity held = 0;
};

// The order's reservations through inventory_reservations_order_idx.
direct::Columns reservation_columns{"reference_id", "sku", "warehouse_id", "held", "status"};
int reservation_column(std::size_t i) {
    return reservation_columns(direct::TableId::Reservations, i);
}
constexpr const char* kOrderIndex = "inventory_reservations_order_idx";

Datum release_order_body(FunctionCallInfo fcinfo) {
    const std::string order_ref = required_text(fcinfo, 0, "order_ref");
    const std::optional<std::string> reason = text_argument(fcinfo, 1);

    spi::connect();
    const Datum key = spi::text_datum(order_ref);
    std::vector<LevelKey> levels;
    {
        // The order's levels, as a read-only call sees them (the calling statement's snapshot).
        const direct::Statement statement{direct::Statement::CallerSnapshot{}};
        direct::IndexProbe probe(direct::TableId::Reservations, kOrderIndex, {&key, 1},
                                 kTextEquality, statement);
        std::set<std::pair<std::string, std::int32_t>> distinct;
        while (probe.next()) {
            distinct.emplace(spi::text_value(direct::get(probe.slot(), reservation_column(1))),
                             DatumGetInt32(direct::get(probe.slot(), reservation_column(2))));
        }
        for (const auto& [sku, warehouse] : distinct) levels.push_back({sku, warehouse});
    }
    if (levels.empty()) {
        throw Error(ErrorCode::ReferenceNotFound, "no reservations for order " + order_ref);
    }
    // Lock the order's levels first (global order), then read what its reservations still hold.
    lock_ledger_for_writing();
    (void)read_existing_levels(levels, LevelRead::Lock);
    std::vector<Release> releases;
    {
        // A new statement: under READ COMMITTED it sees what committed while the locks waited.
        const direct::Statement statement;
        direct::IndexProbe probe(direct::TableId::Reservations, kOrderIndex, {&key, 1},
                                 kTextEquality, statement);
        while (probe.next()) {
            TupleTableSlot* slot = probe.slot();
            if (spi::text_value(direct::get(slot, reservation_column(4))) != "ACTIVE") {
                continue;  // closed: nothing left to release
            }
            releases.push_back({spi::text_value(direct::get(slot, reservation_column(0))),
                                spi::text_value(direct::get(slot, reservation_column(1))),
                                DatumGetInt32(direct::get(slot, reservation_column(2))),
                                DatumGetInt64(direct::get(slot, reservation_column(3)))});
        }
    }
    // SKU bytewise, warehouse, reference bytewise.
    std::sort(releases.begin(), releases.end(), [](const Release& x, const Release& y) {
        return std::tie(x.sku, x.warehouse_id, x.reference_id) <
               std::tie(y.sku, y.warehouse_id, y.reference_id);
    });
    // One plan: a DEALLOCATE of what each reservation still holds.
    std::vector<PlannedEvent> events;
    for (const Release& release : releases) {
        PlannedEvent event;
        event.options.reference_id = release.reference_id;
        event.options.reason = reason;
        event.request = build_request(release.sku, release.warehouse_id, EventKind::Deallocate,
                                      release.held, event.options);
        events.push_back(std::move(event));
    }
    if (!events.empty()) execute_plan(events);
    spi::finish();

    for (std::size_t i = 0; i < releases.size(); ++i) {
        const Release& release = releases[i];
        Datum row[5] = {spi::text_datum(release.reference_id), spi::text_datum(release.sku),
                        Int32GetDatum(release.warehouse_id), Int64GetDatum(release.held),
                        uuid_datum(events[i].result.outcome.id)};
        const bool nulls[5] = {};
        append_result_row(fcinfo, row, nulls);
    }
    return end_result_rows(fcinfo);
}

}  // namespace
}  // namespace inventory::pg

extern "C" Datum inventory_allocate_order(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_allocate_order",
                                                    inventory::pg::allocate_order_body);
    });
}

extern "C" Datum inventory_release_order(PG_FUNCTION_ARGS) {
    return inventory::pg::call_cpp([&] {
        return inventory::pg::run_function_as_owner(fcinfo, "inventory_release_order",
                                                    inventory::pg::release_order_body);
    });
}
