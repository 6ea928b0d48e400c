// Fields of a request given as JSON (the elements of inventory_apply_events): which JSON type
// each field must have, and the whole-number rule for quantities. The same rules and SQLSTATEs
// as inventory_allocate_order's lines: a missing or null required field is 22004, a field of
// the wrong JSON type 22023, a quantity that is not a whole number in bigint range IV004.
// (metadata, an object or null, is checked by the event options' own rule, as for every entry
// point.)
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/quantity.hpp"

namespace inventory {

enum class JsonType { Null, String, Number, Boolean, Array, Object };

// "null", "string", "number", "boolean", "array" or "object", as jsonb_typeof() says.
[[nodiscard]] std::string_view json_type_name(JsonType type) noexcept;

// One field's value: its JSON type and, for a string, its contents, for a number, its decimal
// text (e.g. "5", "-4", "1.0", "1.5"); empty for the other types. A missing key is Null.
struct JsonField {
    JsonType type = JsonType::Null;
    std::string text;
};

// The value of decimal text (an optional sign, digits, an optional fraction, no exponent) when
// it is a whole number in bigint range: "5", "-4", "1.0", "+7.000" are; "1.5", "1e3",
// "9223372036854775808", "", "NaN" are not.
[[nodiscard]] std::optional<std::int64_t> whole_number(std::string_view decimal) noexcept;

// A field meant as text (sku, event_type, reference_id, ...): a JSON string. Null gives
// nullopt, or Error(NullArgument) when `required`; any other type Error(InvalidParameter).
[[nodiscard]] std::optional<std::string> string_field(std::string_view name, const JsonField& field,
                                                      bool required);

// A quantity: a JSON number that is a whole number in bigint range (1.0 is 1; 1.5, "5" and
// true are refused with Error(InvalidQuantity)); Null gives Error(NullArgument).
[[nodiscard]] Quantity quantity_field(std::string_view name, const JsonField& field);

// An integer id (warehouse_id): a JSON number that is a whole number in integer range, else
// Error(InvalidParameter); Null gives Error(NullArgument).
[[nodiscard]] std::int32_t integer_field(std::string_view name, const JsonField& field);

}  // namespace inventory
