// Ledger ids: uuid values as bytes and back, and the backend's UUIDv7 generator (the core's
// Uuid7Generator with the system clock and PostgreSQL's strong random source).
#pragma once

#include <array>

#include "pg/error_bridge.hpp"

namespace inventory::pg {

using UuidBytes = std::array<unsigned char, UUID_LEN>;

[[nodiscard]] UuidBytes uuid_bytes(Datum value);
[[nodiscard]] Datum uuid_datum(const UuidBytes& bytes);

// The next id of this backend: time-ordered, strictly increasing within the backend.
[[nodiscard]] UuidBytes next_uuidv7();

}  // namespace inventory::pg
