#include "core/warehouse.hpp"

#include <algorithm>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/json_text.hpp"

namespace inventory {
namespace {

bool is_ascii_letter(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_ascii_alnum(char c) noexcept {
    return is_ascii_letter(c) || (c >= '0' && c <= '9');
}

std::string shown(std::string_view text) {
    return json_quote(text.substr(0, std::min<std::size_t>(text.size(), 40)));
}

}  // namespace

std::string normalize_country(std::string_view country, std::string_view field) {
    if (country.size() != 2 || !is_ascii_letter(country[0]) || !is_ascii_letter(country[1])) {
        throw Error(ErrorCode::InvalidParameter,
                    std::string(field) +
                        " must be an ISO 3166-1 alpha-2 code of two letters, not " + shown(country),
                    "", "For example US, DE or JP.");
    }
    return to_upper_ascii(country);
}

std::string normalize_ship_to(std::string_view ship_to) {
    if (ship_to.size() != 2 || !is_ascii_letter(ship_to[0]) || !is_ascii_letter(ship_to[1])) {
        throw Error(
            ErrorCode::InvalidParameter,
            "ship_to must be an ISO 3166-1 alpha-2 code, not \"" + std::string(ship_to) + "\"");
    }
    return to_upper_ascii(ship_to);
}

bool ship_to_is_warehouse_id(std::string_view ship_to) noexcept {
    return !ship_to.empty() && ship_to.size() <= 10 &&
           std::all_of(ship_to.begin(), ship_to.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void validate_warehouse_code(std::string_view code) {
    const bool valid = !code.empty() && code.size() <= 32 && is_ascii_alnum(code.front()) &&
                       std::all_of(code.begin(), code.end(), [](char c) {
                           return is_ascii_alnum(c) || c == '_' || c == '.' || c == '-';
                       });
    if (!valid) {
        throw Error(ErrorCode::InvalidParameter, "invalid warehouse code " + shown(code),
                    "A code has 1 to 32 letters, digits, \"_\", \".\" or \"-\" and starts with "
                    "a letter or a digit.",
                    "For example NYC-1.");
    }
}

void validate_warehouse_name(std::string_view name) {
    const std::size_t length = utf8_length(name);
    if (length < 1 || length > 200) {
        throw Error(ErrorCode::InvalidParameter,
                    "warehouse name must have 1 to 200 characters, not " + std::to_string(length));
    }
}

void validate_serving_priority(std::int32_t priority) {
    if (priority < 0) {
        throw Error(ErrorCode::InvalidParameter, "priority must not be negative",
                    "Lower is preferred; 100 is the default.");
    }
}

}  // namespace inventory
