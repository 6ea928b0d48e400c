#include "http/routes.hpp"

#include <charconv>
#include <string_view>

#include "common/log.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "http/api_error.hpp"
#include "http/api_key.hpp"
#include "http/json_values.hpp"
#include "http/openapi.hpp"

namespace inventory::services {
namespace {
using nlohmann::json;

ApiResponse json_response(int status, const json& body) {
    return {status, dump(body), "application/json", {}};
}

std::string require_key(const ApiRequest& request) {
    const auto key = api_key_from_headers(request.authorization, request.x_api_key);
    if (!key) throw unknown_api_key();
    return api_key_sha256_hex(*key);
}

std::optional<std::string> query_value(const ApiRequest& request, const std::string& name) {
    const auto found = request.query.find(name);
    if (found == request.query.end()) return std::nullopt;
    return found->second;
}

std::optional<std::int32_t> query_warehouse(const ApiRequest& request) {
    const auto text = query_value(request, "warehouse_id");
    if (!text) return std::nullopt;
    std::int32_t value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (text->empty() || error != std::errc() || end != text->data() + text->size())
        throw malformed_input("warehouse_id must be a whole number in integer range, not \"" +
                              text->substr(0, 40) + "\"");
    return value;
}

bool query_flag(const ApiRequest& request, const std::string& name) {
    const auto text = query_value(request, name);
    if (!text || *text == "false" || *text == "0") return false;
    if (*text == "true" || *text == "1" || text->empty()) return true;
    throw malformed_input(name + " must be true or false");
}

// The SKU rules of the extension (core/event.hpp), for a read that does not reach it.
void check_sku(const std::string& sku) {
    try {
        inventory::validate_sku(sku);
    } catch (const inventory::Error& error) {
        throw ApiError(422, std::string(inventory::sqlstate(error.code())), error.what(),
                       error.detail(), error.hint());
    }
}

std::int64_t as_integer(const std::optional<std::string>& text) {
    return text ? std::stoll(*text) : 0;
}

// The rows of a result as an array of objects.
json rows_array(const PgResult& result) {
    json rows = json::array();
    for (int row = 0; row < result.rows(); ++row) rows.push_back(row_object(result, row));
    return rows;
}
}  // namespace

ApiResponse Routes::handle(const ApiRequest& request) noexcept {
    try {
        return route(request);
    } catch (const ApiError& error) {
        ApiResponse response{error.status, error_body(error), "application/json", {}};
        if (error.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
        if (error.status == 503) response.headers.emplace_back("Retry-After", "1");
        return response;
    } catch (const std::exception& error) {
        log_line("inventory-http", std::string("internal error: ") + error.what());
        return {500, error_body(ApiError(500, "XX000", "internal error")), "application/json", {}};
    }
}

ApiResponse Routes::route(const ApiRequest& request) {
    const std::string& path = request.path;
    const bool get = request.method == "GET", post = request.method == "POST";
    auto method_not_allowed = [](std::string_view allowed) {
        ApiResponse response{
            405, error_body(ApiError(405, "42601", "method not allowed")), "application/json", {}};
        response.headers.emplace_back("Allow", std::string(allowed));
        return response;
    };
    if (path == "/healthz") return get ? health() : method_not_allowed("GET");
    if (path == "/api/openapi.json")
        return get ? ApiResponse{200, std::string(openapi_document()), "application/json", {}}
                   : method_not_allowed("GET");
    if (path == "/api/inventory/availability")
        return get ? availability(request, require_key(request)) : method_not_allowed("GET");
    if (path == "/api/cache/status")
        return get ? cache_status(require_key(request)) : method_not_allowed("GET");
    if (path == "/api/inventory/adjust")
        return post ? adjust(request, require_key(request)) : method_not_allowed("POST");
    if (path == "/api/inventory/events")
        return post ? event(request, require_key(request)) : method_not_allowed("POST");
    if (path == "/api/inventory/batches")
        return post ? batch(request, require_key(request)) : method_not_allowed("POST");
    if (path == "/api/orders")
        return post ? allocate_order(request, require_key(request)) : method_not_allowed("POST");
    constexpr std::string_view kOrders = "/api/orders/", kRelease = "/release";
    if (path.starts_with(kOrders) && path.ends_with(kRelease) &&
        path.size() > kOrders.size() + kRelease.size()) {
        const std::string order_ref =
            path.substr(kOrders.size(), path.size() - kOrders.size() - kRelease.size());
        return post ? release_order(request, order_ref, require_key(request))
                    : method_not_allowed("POST");
    }
    return {404,
            error_body(ApiError(404, "42704", "no such route: " + path.substr(0, 100))),
            "application/json",
            {}};
}

ApiResponse Routes::availability(const ApiRequest& request, const std::string& key_sha256) {
    const auto sku = query_value(request, "sku");
    if (!sku) throw missing_input("the query parameter sku is required");
    const auto warehouse_id = query_warehouse(request);
    const auto ship_to = query_value(request, "ship_to");
    const bool consistent = query_flag(request, "consistent");
    if (warehouse_id && ship_to) throw bad_input("give warehouse_id or ship_to, not both");

    json body = {{"sku", *sku}};
    if (warehouse_id) body["warehouse_id"] = *warehouse_id;
    if (ship_to) body["ship_to"] = *ship_to;

    // From the cache unless the caller asks for the database, or the cache cannot answer
    // (Redis away, or no complete copy yet). Serving rules (ship_to) are not cached.
    std::string fallback;
    if (!consistent && !ship_to) {
        check_sku(*sku);
        gateway_.role_for_cached_read(key_sha256);  // 401 for an unknown or revoked key
        if (RedisConnection* redis = gateway_.redis()) {
            try {
                const CacheLayout& layout = gateway_.layout();
                RedisReply state = redis->command(
                    {"HMGET", layout.state_key(), "generation", "position", "synced_at_ms"});
                const auto synced_at = state.element_text(2);
                if (state.element_text(0) && state.element_text(1) && synced_at) {
                    RedisReply figures =
                        redis->command({"HMGET",
                                        warehouse_id ? layout.level_key(*sku, *warehouse_id)
                                                     : layout.sku_key(*sku),
                                        "on_hand", "reserved", "available_to_sell", "version"});
                    body["available_to_sell"] = as_integer(figures.element_text(2));
                    body["on_hand"] = as_integer(figures.element_text(0));
                    body["reserved"] = as_integer(figures.element_text(1));
                    body["version"] = as_integer(figures.element_text(3));
                    body["source"] = "cache";
                    const std::int64_t synced_at_ms = std::stoll(*synced_at);
                    body["synced_at_ms"] = synced_at_ms;
                    body["age_ms"] = std::max<std::int64_t>(0, unix_ms_now() - synced_at_ms);
                    return json_response(200, body);
                }
                fallback = "the cache holds no complete copy yet";
            } catch (const RedisError& error) {
                gateway_.redis_failed();
                fallback = std::string("the cache is unavailable: ") + error.what();
            }
        } else {
            fallback = "the cache is unavailable";
        }
    }
    gateway_.as_key(key_sha256, [&](PgConnection& db) {
        if (warehouse_id) {
            PgResult level = db.exec(
                "SELECT on_hand, reserved, available_to_sell, version FROM "
                "inventory.inventory_levels WHERE sku = $1 AND warehouse_id = $2",
                {*sku, std::to_string(*warehouse_id)});
            // No row: the level does not exist, and reads as empty, version 0 (as the cache).
            for (int column = 0; column < level.columns(); ++column)
                body[std::string(level.column_name(column))] =
                    level.rows() ? std::stoll(std::string(level.text(0, column))) : 0;
        } else {
            PgResult result =
                ship_to
                    ? db.exec("SELECT inventory.inventory_availability($1, $2)", {*sku, *ship_to})
                    : db.exec("SELECT inventory.inventory_availability($1)", {*sku});
            const json detail = json::parse(result.text(0, 0));
            body["available_to_sell"] = detail.at("available_to_sell");
            body["on_hand"] = detail.at("on_hand");
            body["reserved"] = detail.at("reserved");
            body["availability"] = detail;
        }
    });
    body["source"] = "database";
    if (!fallback.empty()) body["fallback"] = fallback;
    return json_response(200, body);
}

ApiResponse Routes::cache_status(const std::string& key_sha256) {
    gateway_.role_for_cached_read(key_sha256);
    RedisConnection* redis = gateway_.redis();
    if (!redis) throw ApiError(503, "08006", "the cache is unavailable");
    try {
        RedisReply state = redis->command({"HGETALL", gateway_.layout().state_key()});
        json body = json::object();
        for (std::size_t i = 0; i + 1 < state->elements; i += 2) {
            const std::string name = *state.element_text(i);
            const std::string value = *state.element_text(i + 1);
            if (name == "generation" || name == "position" || name == "redis_run_id")
                body[name] = value;
            else
                body[name] = std::stoll(value);
        }
        body["ready"] = body.contains("generation") && body.contains("position");
        if (body.contains("synced_at_ms"))
            body["age_ms"] = unix_ms_now() - body["synced_at_ms"].get<std::int64_t>();
        return json_response(200, body);
    } catch (const RedisError& error) {
        gateway_.redis_failed();
        throw ApiError(503, "08006", std::string("the cache is unavailable: ") + error.what());
    }
}

ApiResponse Routes::adjust(const ApiRequest& request, const std::string& key_sha256) {
    const json body = parse_object_body(request.body);
    require_known_keys(body,
                       {"sku", "change", "reason", "warehouse_id", "reference_id", "metadata"});
    // The chapter's reason RESTOCK is a RECEIVE of `change` units; any other reason is an
    // ADJUST by `change` with that reason. The extension checks every value, as given.
    static const std::string kSql =
        "SELECT r.event_id, b.event_type, r.replayed, r.on_hand, r.reserved, r.available_to_sell "
        "FROM (SELECT $1::jsonb AS body, CASE WHEN $1::jsonb -> 'reason' = '\"RESTOCK\"'::jsonb "
        "THEN 'RECEIVE' ELSE 'ADJUST' END AS event_type) AS b, "
        "LATERAL inventory.inventory_apply_events(pg_catalog.jsonb_build_array("
        "pg_catalog.jsonb_build_object('sku', b.body -> 'sku', "
        "'warehouse_id', COALESCE(b.body -> 'warehouse_id', $2::jsonb), "
        "'event_type', b.event_type, 'quantity', b.body -> 'change', "
        "'reason', CASE b.event_type WHEN 'ADJUST' THEN b.body -> 'reason' END, "
        "'reference_id', b.body -> 'reference_id', 'metadata', b.body -> 'metadata', "
        "'idempotency_key', $3::text))) AS r";
    json result;
    gateway_.as_key(key_sha256, [&](PgConnection& db) {
        const std::optional<std::string> warehouse =
            options_.default_warehouse_id
                ? std::optional(std::to_string(*options_.default_warehouse_id))
                : std::nullopt;
        result = row_object(db.exec(kSql, {request.body, warehouse, request.idempotency_key}), 0);
    });
    result["sku"] = body.value("sku", json());
    return json_response(200, result);
}

ApiResponse Routes::event(const ApiRequest& request, const std::string& key_sha256) {
    const json body = parse_object_body(request.body);
    if (request.idempotency_key && has_value_of(body, "idempotency_key", JsonType::String) &&
        body["idempotency_key"].get<std::string>() != *request.idempotency_key)
        throw bad_input("the Idempotency-Key header and the body's idempotency_key differ");
    static const std::string kSql =
        "SELECT event_id, replayed, on_hand, reserved, available_to_sell "
        "FROM inventory.inventory_apply_events(pg_catalog.jsonb_build_array(CASE WHEN $2::text "
        "IS NULL THEN $1::jsonb ELSE $1::jsonb || pg_catalog.jsonb_build_object("
        "'idempotency_key', $2::text) END))";
    json result;
    gateway_.as_key(key_sha256, [&](PgConnection& db) {
        result = row_object(db.exec(kSql, {request.body, request.idempotency_key}), 0);
    });
    return json_response(200, result);
}

ApiResponse Routes::batch(const ApiRequest& request, const std::string& key_sha256) {
    const json body = parse_object_body(request.body);
    require_known_keys(body, {"events"});
    has_value_of(body, "events", JsonType::Any, true);
    // With an Idempotency-Key header, an event that has no key of its own gets
    // "<header>/<its ordinal>", so the batch replays as a whole.
    static const std::string kSql =
        "SELECT ordinal, event_id, replayed, on_hand, reserved, available_to_sell "
        "FROM inventory.inventory_apply_events(COALESCE((SELECT pg_catalog.jsonb_agg(CASE WHEN "
        "$2::text IS NULL OR pg_catalog.jsonb_typeof(e) <> 'object' OR e ? 'idempotency_key' "
        "THEN e ELSE e || pg_catalog.jsonb_build_object('idempotency_key', "
        "$2::text || '/' || n) END ORDER BY n) FROM pg_catalog.jsonb_array_elements("
        "$1::jsonb -> 'events') WITH ORDINALITY AS t(e, n)), '[]'::jsonb))";
    json results;
    gateway_.as_key(key_sha256, [&](PgConnection& db) {
        results = rows_array(db.exec(kSql, {request.body, request.idempotency_key}));
    });
    return json_response(200, json{{"results", results}});
}

ApiResponse Routes::allocate_order(const ApiRequest& request, const std::string& key_sha256) {
    const json body = parse_object_body(request.body);
    require_known_keys(body, {"order_ref", "lines", "ship_to", "fixed_warehouse_id", "expires_at",
                              "allow_split", "strategy", "metadata", "on_shortage"});
    has_value_of(body, "order_ref", JsonType::String, true);
    has_value_of(body, "lines", JsonType::Any, true);
    // Only the arguments the request gives, by name: the function's own defaults apply to the
    // rest. Values come from the body as jsonb, so numbers stay exact.
    std::string arguments = "order_ref => b ->> 'order_ref', lines => b -> 'lines'";
    struct Argument {
        std::string_view name;
        JsonType type;
        std::string_view expression;
    };
    static constexpr Argument kOptional[] = {
        {"ship_to", JsonType::String, "b ->> 'ship_to'"},
        {"fixed_warehouse_id", JsonType::Integer, "(b ->> 'fixed_warehouse_id')::integer"},
        {"expires_at", JsonType::String, "(b ->> 'expires_at')::timestamptz"},
        {"allow_split", JsonType::Boolean, "(b -> 'allow_split')::boolean"},
        {"strategy", JsonType::String, "b ->> 'strategy'"},
        {"metadata", JsonType::Any, "b -> 'metadata'"},
        {"on_shortage", JsonType::String, "b ->> 'on_shortage'"},
    };
    for (const auto& argument : kOptional) {
        if (has_value_of(body, argument.name, argument.type))
            arguments +=
                ", " + std::string(argument.name) + " => " + std::string(argument.expression);
    }
    const std::string sql =
        "SELECT r.* FROM (SELECT $1::jsonb AS b) AS body, "
        "LATERAL inventory.inventory_allocate_order(" +
        arguments + ") AS r";
    json lines;
    gateway_.as_key(key_sha256,
                    [&](PgConnection& db) { lines = rows_array(db.exec(sql, {request.body})); });
    return json_response(200, json{{"order_ref", body["order_ref"]}, {"lines", lines}});
}

ApiResponse Routes::release_order(const ApiRequest& request, const std::string& order_ref,
                                  const std::string& key_sha256) {
    json body = json::object();
    if (!request.body.empty()) {
        body = parse_object_body(request.body);
        require_known_keys(body, {"reason"});
    }
    const bool has_reason = has_value_of(body, "reason", JsonType::String);
    const std::string sql =
        std::string("SELECT * FROM inventory.inventory_release_order(order_ref => $1") +
        (has_reason ? ", reason => $2)" : ")");
    json released;
    gateway_.as_key(key_sha256, [&](PgConnection& db) {
        PgParams params{order_ref};
        if (has_reason) params.emplace_back(body["reason"].get<std::string>());
        released = rows_array(db.exec(sql, params));
    });
    return json_response(200, json{{"order_ref", order_ref}, {"released", released}});
}

ApiResponse Routes::health() {
    const bool database = gateway_.database_answers();
    bool cache = false;
    if (RedisConnection* redis = gateway_.redis()) {
        try {
            cache = redis->get_string({"PING"}) == "PONG";
        } catch (const RedisError&) {
            gateway_.redis_failed();
        }
    }
    return json_response(database ? 200 : 503, json{{"database", database}, {"cache", cache}});
}

}  // namespace inventory::services
