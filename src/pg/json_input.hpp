// Reading jsonb arguments in C++ (inventory_apply_events' events, inventory_allocate_order's
// lines): walking a container and each value as the core's JsonField (core/json_field.hpp).
#pragma once

#include <string>

#include "core/json_field.hpp"
#include "pg/error_bridge.hpp"

namespace inventory::pg {

// The next token of a jsonb iterator, skipping nested containers (they come as jbvBinary).
[[nodiscard]] JsonbIteratorToken next_token(JsonbIterator** iterator, JsonbValue* value);

// A JSON value as the core's JsonField: its type and, for a string or a number, its text (a
// number's as numeric_out writes it: 1.0 stays "1.0", 1e3 is "1000").
[[nodiscard]] JsonField json_field(const JsonbValue& value);

// A JSON value as jsonb's text output writes it ("1", "\"1\"", "[1]", "null"), for messages.
[[nodiscard]] std::string json_text(const JsonbValue& value);

}  // namespace inventory::pg
