#pragma once
#include "core/no_postgres.hpp"

#include <string>
#include <string_view>

namespace inventory {

// `text` with the ASCII letters a-z upper-cased and every other byte unchanged. Independent of
// the C library's locale: std::toupper would follow LC_CTYPE, and under a Turkish locale 'i'
// is not 'I', so 'receive' would be no event type at all.
[[nodiscard]] std::string to_upper_ascii(std::string_view text);

}  // namespace inventory
