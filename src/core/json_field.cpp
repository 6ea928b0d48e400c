#include "core/json_field.hpp"

#include <limits>

#include "core/error.hpp"
#include "core/json_text.hpp"

namespace inventory {
namespace {

// The value as a JSON literal for an error message: a string quoted, a number as given.
std::string shown(const JsonField& field) {
    switch (field.type) {
        case JsonType::String: {
            constexpr std::size_t kShown = 40;
            std::string text = field.text;
            if (text.size() > kShown) {
                std::size_t cut = kShown;
                while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
                text = text.substr(0, cut) + "...";
            }
            return json_quote(text);
        }
        case JsonType::Number:
            return field.text.size() > 40 ? field.text.substr(0, 40) + "..." : field.text;
        default:
            return "a JSON " + std::string(json_type_name(field.type));
    }
}

[[noreturn]] void null_field(std::string_view name) {
    throw Error(ErrorCode::NullArgument, std::string(name) + " must not be NULL");
}

}  // namespace

std::string_view json_type_name(JsonType type) noexcept {
    switch (type) {
        case JsonType::Null:
            return "null";
        case JsonType::String:
            return "string";
        case JsonType::Number:
            return "number";
        case JsonType::Boolean:
            return "boolean";
        case JsonType::Array:
            return "array";
        case JsonType::Object:
            return "object";
    }
    return "value";
}

std::optional<std::int64_t> whole_number(std::string_view decimal) noexcept {
    bool negative = false;
    if (!decimal.empty() && (decimal.front() == '-' || decimal.front() == '+')) {
        negative = decimal.front() == '-';
        decimal.remove_prefix(1);
    }
    std::string_view digits = decimal;
    std::string_view fraction;
    if (const auto point = decimal.find('.'); point != std::string_view::npos) {
        digits = decimal.substr(0, point);
        fraction = decimal.substr(point + 1);
        if (fraction.empty()) return std::nullopt;
    }
    if (digits.empty()) return std::nullopt;
    for (const char c : fraction) {
        if (c != '0') return std::nullopt;  // a non-zero fraction, or not a digit at all
    }
    // The magnitude, up to 2^63 (the magnitude of bigint's minimum).
    constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
    std::uint64_t magnitude = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (magnitude > (kLimit - digit) / 10) return std::nullopt;
        magnitude = magnitude * 10 + digit;
    }
    if (negative) {
        if (magnitude == kLimit) return std::numeric_limits<std::int64_t>::min();
        return -static_cast<std::int64_t>(magnitude);
    }
    if (magnitude == kLimit) return std::nullopt;
    return static_cast<std::int64_t>(magnitude);
}

std::optional<std::string> string_field(std::string_view name, const JsonField& field,
                                        bool required) {
    if (field.type == JsonType::Null) {
        if (required) null_field(name);
        return std::nullopt;
    }
    if (field.type != JsonType::String) {
        throw Error(ErrorCode::InvalidParameter,
                    std::string(name) + " must be a JSON string, not " + shown(field));
    }
    return field.text;
}

Quantity quantity_field(std::string_view name, const JsonField& field) {
    if (field.type == JsonType::Null) null_field(name);
    std::optional<std::int64_t> value;
    if (field.type == JsonType::Number) value = whole_number(field.text);
    if (!value) {
        throw Error(ErrorCode::InvalidQuantity,
                    std::string(name) + " must be a whole number, not " + shown(field),
                    "A quantity is a JSON number without a fraction, in bigint range.");
    }
    return *value;
}

std::int32_t integer_field(std::string_view name, const JsonField& field) {
    if (field.type == JsonType::Null) null_field(name);
    std::optional<std::int64_t> value;
    if (field.type == JsonType::Number) value = whole_number(field.text);
    if (!value || *value < std::numeric_limits<std::int32_t>::min() ||
        *value > std::numeric_limits<std::int32_t>::max()) {
        throw Error(ErrorCode::InvalidParameter,
                    std::string(name) + " must be an integer, not " + shown(field));
    }
    return static_cast<std::int32_t>(*value);
}

}  // namespace inventory
