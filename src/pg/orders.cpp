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
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/json_field.hpp"
#include "core/order_plan.hpp"
#include "core/warehouse.hpp"
#include "pg/arguments.hpp"
#include "pg/array_builder.hpp"
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
// Every lookup below is planned per call (spi::Statement::Planning::PerCall): inventory_orders,
// inventory_reservations and inventory_sku_policies start empty and grow, and a generic plan
// made while a table was tiny would keep scanning it whole.

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

// The lines in the canonical form inventory_orders.lines keeps: [{"line", "sku", "quantity"}].
Datum canonical_lines(const std::vector<OrderLine>& lines) {
    static spi::Statement build(
        "SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
        "         'line', u.line, 'sku', u.sku, 'quantity', u.quantity) ORDER BY u.n) "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "                pg_catalog.unnest($2::pg_catalog.text[]), "
        "                pg_catalog.unnest($3::pg_catalog.int8[])) "
        "     WITH ORDINALITY AS u(line, sku, quantity, n)",
        {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID});
    ArrayBuilder ids(TEXTOID), skus(TEXTOID), quantities(INT8OID);
    for (const OrderLine& line : lines) {
        ids.add(spi::text_datum(line.id));
        skus.add(spi::text_datum(line.sku));
        quantities.add(Int64GetDatum(line.quantity));
    }
    const Datum values[] = {ids.build(), skus.build(), quantities.build()};
    build.execute(values, nullptr, true);
    return spi::get_datum(0, 1);
}

// The order's row: true when it is new; false when the order_ref was allocated before.
bool record_order(const OrderRecord& order) {
    static spi::Statement insert(
        "INSERT INTO inventory.inventory_orders AS o "
        "  (order_ref, ship_to, warehouse_id, strategy, allow_split, expires_at, lines, metadata, "
        "   actor) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT ON CONSTRAINT inventory_orders_pkey DO NOTHING",
        {TEXTOID, TEXTOID, INT4OID, TEXTOID, BOOLOID, TIMESTAMPTZOID, JSONBOID, JSONBOID, TEXTOID});
    const Datum values[] = {order.order_ref,
                            order.ship_to,
                            Int32GetDatum(order.warehouse_id.value_or(0)),
                            order.strategy,
                            BoolGetDatum(order.allow_split),
                            TimestampTzGetDatum(order.expires_at.value_or(0)),
                            order.lines,
                            order.metadata.value_or(Datum{0}),
                            actor_name()};
    const char nulls[] = {' ',
                          order.ship_to == Datum{0} ? 'n' : ' ',
                          order.warehouse_id ? ' ' : 'n',
                          ' ',
                          ' ',
                          order.expires_at ? ' ' : 'n',
                          ' ',
                          order.metadata ? ' ' : 'n',
                          ' ',
                          '\0'};
    return insert.execute(values, nulls) == 1;
}

// A retry: the first allocation's rows, if the request is the same (expires_at is not compared:
// a retry computes now() + interval anew, and the first call's hold stands).
std::vector<OrderRow> replay_order(const OrderRecord& order, const std::string& order_ref) {
    // Planned per call: inventory_orders starts empty and grows with every order.
    static spi::Statement stored(
        // The comparison once (OFFSET 0 keeps it out of the per-row select list).
        "SELECT o.same, a.v OPERATOR(pg_catalog.->>) 'line', a.v OPERATOR(pg_catalog.->>) 'sku', "
        "       (a.v OPERATOR(pg_catalog.->>) 'warehouse_id')::pg_catalog.int4, "
        "       (a.v OPERATOR(pg_catalog.->>) 'quantity')::pg_catalog.int8, "
        "       a.v OPERATOR(pg_catalog.->>) 'reference_id', "
        "       (a.v OPERATOR(pg_catalog.->>) 'event_id')::pg_catalog.uuid "
        "FROM (SELECT (s.ship_to, s.warehouse_id, s.strategy, s.allow_split, s.lines, "
        "              s.metadata) "
        "               IS NOT DISTINCT FROM ($2::pg_catalog.text, $3::pg_catalog.int4, "
        "                 $4::pg_catalog.text, $5::pg_catalog.bool, $6::pg_catalog.jsonb, "
        "                 $7::pg_catalog.jsonb) AS same, s.allocation "
        "      FROM inventory.inventory_orders s "
        "      WHERE s.order_ref OPERATOR(pg_catalog.=) $1 OFFSET 0) o "
        "LEFT JOIN LATERAL pg_catalog.jsonb_array_elements(o.allocation) WITH ORDINALITY "
        "     AS a(v, n) ON true "
        "ORDER BY a.n",
        {TEXTOID, TEXTOID, INT4OID, TEXTOID, BOOLOID, JSONBOID, JSONBOID},
        spi::Statement::Planning::PerCall);
    const Datum values[] = {order.order_ref,
                            order.ship_to,
                            Int32GetDatum(order.warehouse_id.value_or(0)),
                            order.strategy,
                            BoolGetDatum(order.allow_split),
                            order.lines,
                            order.metadata.value_or(Datum{0})};
    const char nulls[] = {' ',
                          order.ship_to == Datum{0} ? 'n' : ' ',
                          order.warehouse_id ? ' ' : 'n',
                          ' ',
                          ' ',
                          ' ',
                          order.metadata ? ' ' : 'n',
                          '\0'};
    const std::uint64_t rows = stored.execute(values, nulls);
    if (rows == 0) {
        throw Error(ErrorCode::SerializationFailure,
                    "could not serialize access: order " + order_ref +
                        " was allocated by a concurrent transaction",
                    "", "Retry the transaction.");
    }
    if (!spi::get_bool(0, 1)) {
        throw Error(ErrorCode::IdempotencyConflict,
                    "order " + order_ref + " was already allocated with a different request", "",
                    "Allocate a changed order under a new order_ref, or release it first.");
    }
    std::vector<OrderRow> out;
    for (std::uint64_t r = 0; r < rows; ++r) {
        if (spi::is_null(r, 2)) continue;  // no allocation stored
        OrderRow row;
        row.line = *spi::get_optional_text(r, 2);
        row.sku = *spi::get_optional_text(r, 3);
        row.warehouse_id = spi::get_int32(r, 4);
        row.quantity = spi::get_int64(r, 5);
        row.reference_id = spi::get_optional_text(r, 6);
        row.event_id = uuid_bytes(spi::get_datum(r, 7));
        row.replayed = true;
        out.push_back(std::move(row));
    }
    return out;
}

void forget_order(Datum order_ref) {
    static spi::Statement remove(
        "DELETE FROM inventory.inventory_orders o WHERE o.order_ref OPERATOR(pg_catalog.=) $1",
        {TEXTOID}, spi::Statement::Planning::PerCall);
    const Datum values[] = {order_ref};
    remove.execute(values, nullptr);
}

// Where each unit was reserved, as inventory_orders.allocation keeps it.
void store_allocation(Datum order_ref, const std::vector<OrderRow>& rows) {
    static spi::Statement update(
        "UPDATE inventory.inventory_orders o SET allocation = ("
        "  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
        "           'line', u.line, 'sku', u.sku, 'warehouse_id', u.wh, 'quantity', u.quantity, "
        "           'reference_id', u.reference_id, 'event_id', u.event_id) ORDER BY u.n) "
        "  FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]), "
        "                  pg_catalog.unnest($3::pg_catalog.text[]), "
        "                  pg_catalog.unnest($4::pg_catalog.int4[]), "
        "                  pg_catalog.unnest($5::pg_catalog.int8[]), "
        "                  pg_catalog.unnest($6::pg_catalog.text[]), "
        "                  pg_catalog.unnest($7::pg_catalog.uuid[])) "
        "       WITH ORDINALITY AS u(line, sku, wh, quantity, reference_id, event_id, n)) "
        "WHERE o.order_ref OPERATOR(pg_catalog.=) $1",
        {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
         UUIDARRAYOID},
        spi::Statement::Planning::PerCall);
    ArrayBuilder lines(TEXTOID), skus(TEXTOID), warehouses(INT4OID), quantities(INT8OID),
        references(TEXTOID), events(UUIDOID);
    for (const OrderRow& row : rows) {
        lines.add(spi::text_datum(row.line));
        skus.add(spi::text_datum(row.sku));
        warehouses.add(Int32GetDatum(*row.warehouse_id));
        quantities.add(Int64GetDatum(row.quantity));
        references.add(spi::text_datum(*row.reference_id));
        events.add(uuid_datum(*row.event_id));
    }
    const Datum values[] = {order_ref,          lines.build(),      skus.build(),
                            warehouses.build(), quantities.build(), references.build(),
                            events.build()};
    if (update.execute(values, nullptr) != 1) {
        throw Error(ErrorCode::Internal, "the order's row vanished while it was allocated");
    }
}

// ---- candidates and their stock -----------------------------------------------------------------

std::vector<CandidateWarehouse> candidate_warehouses(const std::optional<std::string>& ship_to,
                                                     std::optional<std::int32_t> fixed) {
    static spi::Statement serving(
        "SELECT c.warehouse_id, c.priority FROM inventory.inventory_warehouse_countries c "
        "WHERE c.country OPERATOR(pg_catalog.=) $1 ORDER BY c.priority, c.warehouse_id",
        {TEXTOID}, spi::Statement::Planning::PerCall);
    static spi::Statement warehouse(
        "SELECT w.id, 0 FROM inventory.inventory_warehouses w "
        "WHERE w.id OPERATOR(pg_catalog.=) $1",
        {INT4OID}, spi::Statement::Planning::PerCall);
    std::uint64_t rows = 0;
    if (fixed) {
        const Datum values[] = {Int32GetDatum(*fixed)};
        rows = warehouse.execute(values, nullptr, true);
        if (rows == 0) {
            throw Error(ErrorCode::UnknownWarehouse, "unknown warehouse " + std::to_string(*fixed));
        }
    } else {
        const Datum values[] = {spi::text_datum(*ship_to)};
        rows = serving.execute(values, nullptr, true);
    }
    std::vector<CandidateWarehouse> out;
    for (std::uint64_t r = 0; r < rows; ++r) {
        out.push_back({spi::get_int32(r, 1), spi::get_int32(r, 2)});
    }
    return out;  // none: plan_order raises IV016
}

// The SKUs' policies (the defaults without a row).
std::map<std::string, Policy> sku_policies(const std::set<std::string>& skus) {
    static spi::Statement read(
        "SELECT p.sku, p.safety_stock, p.allow_backorder, p.backorder_limit "
        "FROM inventory.inventory_sku_policies p WHERE p.sku OPERATOR(pg_catalog.=) ANY ($1)",
        {TEXTARRAYOID}, spi::Statement::Planning::PerCall);
    std::map<std::string, Policy> out;
    for (const std::string& sku : skus) out.emplace(sku, Policy{});
    ArrayBuilder names(TEXTOID);
    for (const std::string& sku : skus) names.add(spi::text_datum(sku));
    const Datum values[] = {names.build()};
    const std::uint64_t rows = read.execute(values, nullptr, true);
    for (std::uint64_t r = 0; r < rows; ++r) {
        Policy& policy = out.at(*spi::get_optional_text(r, 1));
        policy.safety_stock = spi::get_int64(r, 2);
        policy.allow_backorder = spi::get_bool(r, 3);
        policy.backorder_limit = spi::get_optional_int64(r, 4);
    }
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
    read_stock(request, policies, LevelRead::Peek);
    if (backorder_may_need_a_level(request)) {
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
    static spi::Statement taken(
        "SELECT EXISTS (SELECT FROM inventory.inventory_reservations r "
        "               WHERE r.reference_id OPERATOR(pg_catalog.=) ANY ($1))",
        {TEXTARRAYOID}, spi::Statement::Planning::PerCall);
    ArrayBuilder references(TEXTOID);
    for (const OrderLine& line : request.lines) {
        references.add(spi::text_datum(order_line_reference(request.order_ref, line.id)));
    }
    const Datum values[] = {references.build()};
    taken.execute(values, nullptr);
    if (spi::get_bool(0, 1)) {
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
    static spi::Statement build(
        "SELECT pg_catalog.jsonb_concat(COALESCE($1, '{}'::pg_catalog.jsonb), "
        "         pg_catalog.jsonb_build_object('order_ref', $2::pg_catalog.text, 'line', u.line)) "
        "FROM pg_catalog.unnest($3::pg_catalog.text[]) WITH ORDINALITY AS u(line, n) "
        "ORDER BY u.n",
        {JSONBOID, TEXTOID, TEXTARRAYOID});
    ArrayBuilder ids(TEXTOID);
    for (const OrderLine& line : request.lines) ids.add(spi::text_datum(line.id));
    const Datum values[] = {metadata.value_or(Datum{0}), spi::text_datum(request.order_ref),
                            ids.build()};
    const char nulls[] = {metadata ? ' ' : 'n', ' ', ' ', '\0'};
    const std::uint64_t rows = build.execute(values, nulls, true);
    std::vector<Datum> out;
    for (std::uint64_t r = 0; r < rows; ++r) out.push_back(spi::get_datum(r, 1));
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

Datum release_order_body(FunctionCallInfo fcinfo) {
    const std::string order_ref = required_text(fcinfo, 0, "order_ref");
    const std::optional<std::string> reason = text_argument(fcinfo, 1);
    // Planned per call, as the reservation book's lookups: the table grows with every order.
    static spi::Statement levels_of(
        "SELECT DISTINCT r.sku, r.warehouse_id FROM inventory.inventory_reservations r "
        "WHERE r.order_ref OPERATOR(pg_catalog.=) $1",
        {TEXTOID}, spi::Statement::Planning::PerCall);
    // Every reservation of the order, open or not (the open ones are picked below): a condition
    // on status would let the planner walk the partial index of all open reservations instead
    // of the order's index.
    static spi::Statement holding(
        "SELECT r.reference_id, r.sku, r.warehouse_id, r.held, "
        "       r.status OPERATOR(pg_catalog.=) 'ACTIVE' "
        "FROM inventory.inventory_reservations r "
        "WHERE r.order_ref OPERATOR(pg_catalog.=) $1 "
        "ORDER BY r.sku COLLATE pg_catalog.\"C\", r.warehouse_id, "
        "         r.reference_id COLLATE pg_catalog.\"C\"",
        {TEXTOID}, spi::Statement::Planning::PerCall);

    spi::connect();
    const Datum values[] = {spi::text_datum(order_ref)};
    const std::uint64_t level_count = levels_of.execute(values, nullptr, true);
    if (level_count == 0) {
        throw Error(ErrorCode::ReferenceNotFound, "no reservations for order " + order_ref);
    }
    std::vector<LevelKey> levels;
    for (std::uint64_t r = 0; r < level_count; ++r) {
        levels.push_back({*spi::get_optional_text(r, 1), spi::get_int32(r, 2)});
    }
    // Lock the order's levels first (global order), then read what its reservations still hold.
    lock_ledger_for_writing();
    (void)read_existing_levels(levels, LevelRead::Lock);
    const std::uint64_t count = holding.execute(values, nullptr);
    std::vector<Release> releases;
    for (std::uint64_t r = 0; r < count; ++r) {
        if (!spi::get_bool(r, 5)) continue;  // closed: nothing left to release
        releases.push_back({*spi::get_optional_text(r, 1), *spi::get_optional_text(r, 2),
                            spi::get_int32(r, 3), spi::get_int64(r, 4)});
    }
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
