// The backend's UUIDv7 generator (the core's Uuid7Generator with the system clock and
// PostgreSQL's strong random source).
#pragma once

#include "pg/event_writer.hpp"

namespace inventory::pg {

// The next id of this backend: time-ordered, strictly increasing within the backend.
[[nodiscard]] UuidBytes next_uuidv7();

}  // namespace inventory::pg
