// The change feed's position (inventory_level_changes): "<system identifier>/<database oid>/
// <pg_snapshot>". The first two parts, the origin, refuse a position of another database (a
// restore, a copy, another server); the snapshot says which transactions the consumer has seen.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace inventory {

struct FeedPosition {
    std::string origin;    // "<system identifier>/<database oid>"
    std::string snapshot;  // "xmin:xmax:xip,...", as pg_snapshot's text form
};

// The origin of this database's positions.
[[nodiscard]] std::string feed_origin(std::int64_t system_identifier, std::uint32_t database);

// Splits a position given back by a consumer. Error(InvalidParameter) unless it has the form
// digits/digits/digits:digits:[digits[,digits]...].
[[nodiscard]] FeedPosition parse_feed_position(std::string_view position);

// The error for a position whose snapshot PostgreSQL refuses (xmin after xmax, say): the same
// as for a malformed one, showing the first 100 characters of the position.
[[nodiscard]] Error invalid_feed_position(std::string_view position,
                                          SourceLocation where = SourceLocation::current());

// Error(InvalidParameter) when the position comes from another database: another origin, or a
// snapshot whose xmax is later than the current one's (`from_the_future`).
void require_feed_origin(const FeedPosition& position, std::string_view origin,
                         bool from_the_future);

}  // namespace inventory
