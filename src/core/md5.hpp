// MD5 (RFC 1321) as lowercase hex, as PostgreSQL's md5(text) writes it. Used only to derive the
// extension's own idempotency keys (core/internal_key.hpp), which 0.3.x built with SQL md5():
// the keys must stay byte-identical so that a retry after an upgrade still replays.
#pragma once
#include "core/no_postgres.hpp"

#include <string>
#include <string_view>

namespace inventory {

[[nodiscard]] std::string md5_hex(std::string_view bytes);

}  // namespace inventory
