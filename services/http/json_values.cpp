#include "http/json_values.hpp"

#include <algorithm>

#include "http/api_error.hpp"

namespace inventory::services {
namespace {
constexpr unsigned kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kJsonOid = 114,
                   kJsonbOid = 3802;

std::string_view type_name(JsonType type) {
    switch (type) {
        case JsonType::String:
            return "a string";
        case JsonType::Integer:
            return "a whole number";
        case JsonType::Boolean:
            return "true or false";
        case JsonType::Any:
            break;
    }
    return "a value";
}
}  // namespace

nlohmann::json parse_object_body(const std::string& body) {
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) throw malformed_input("the request body is not valid JSON");
    if (!parsed.is_object()) throw bad_input("the request body must be a JSON object");
    return parsed;
}

void require_known_keys(const nlohmann::json& object,
                        std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            throw bad_input("unknown field \"" + key + "\"");
    }
}

bool has_value_of(const nlohmann::json& object, std::string_view key, JsonType type,
                  bool required) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        if (required) throw missing_input("\"" + std::string(key) + "\" is required");
        return false;
    }
    const bool fits = type == JsonType::Any || (type == JsonType::String && found->is_string()) ||
                      (type == JsonType::Integer && found->is_number_integer()) ||
                      (type == JsonType::Boolean && found->is_boolean());
    if (!fits)
        throw bad_input("\"" + std::string(key) + "\" must be " + std::string(type_name(type)));
    return true;
}

nlohmann::json row_object(const PgResult& result, int row) {
    nlohmann::json object = nlohmann::json::object();
    for (int column = 0; column < result.columns(); ++column) {
        const std::string name(result.column_name(column));
        if (result.is_null(row, column)) {
            object[name] = nullptr;
            continue;
        }
        const std::string text(result.text(row, column));
        switch (result.type(column)) {
            case kInt8Oid:
            case kInt2Oid:
            case kInt4Oid:
                object[name] = std::stoll(text);
                break;
            case kBoolOid:
                object[name] = text == "t";
                break;
            case kJsonOid:
            case kJsonbOid:
                object[name] = nlohmann::json::parse(text);
                break;
            default:
                object[name] = text;
        }
    }
    return object;
}

std::string dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace inventory::services
