// JSON on the HTTP side (nlohmann::json): request bodies checked for their shape, and result
// rows turned into objects by their column types. Numbers that reach the database are passed
// as the request's own JSON text (jsonb keeps them exact), never re-printed from a double.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/pg_client.hpp"

namespace inventory::services {

// The body as a JSON object; ApiError 422 when it is not JSON (22P02) or not an object (22023).
[[nodiscard]] nlohmann::json parse_object_body(const std::string& body);

// ApiError 422 (22023) naming the first key of `object` not in `allowed`.
void require_known_keys(const nlohmann::json& object,
                        std::initializer_list<std::string_view> allowed);

enum class JsonType { String, Integer, Boolean, Any };
// Whether `object` holds `key` with a value other than null; ApiError 422 when the value is not
// of `type` (22023), or when it is absent and `required` (22004).
bool has_value_of(const nlohmann::json& object, std::string_view key, JsonType type,
                  bool required = false);

// Row `row` of `result` as an object: integers and booleans as JSON numbers and booleans, json
// and jsonb parsed, NULL as null, anything else as a string.
[[nodiscard]] nlohmann::json row_object(const PgResult& result, int row);

[[nodiscard]] std::string dump(const nlohmann::json& value);

}  // namespace inventory::services
