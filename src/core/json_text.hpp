#pragma once
#include "core/no_postgres.hpp"

#include <string>
#include <string_view>

namespace inventory {

// `text` as a JSON string literal, quotes included (RFC 8259 escaping).
[[nodiscard]] std::string json_quote(std::string_view text);

}  // namespace inventory
