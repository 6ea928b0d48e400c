#include "core/feed_position.hpp"

#include <algorithm>

namespace inventory {
namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// The first `limit` characters of UTF-8 text (a character's continuation bytes stay with it).
std::string_view first_characters(std::string_view text, std::size_t limit) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        if (starts_character && characters++ == limit) return text.substr(0, i);
    }
    return text;
}

// Consumes one or more digits from `text` at `at`; false if there are none.
bool digits(std::string_view text, std::size_t& at) {
    const std::size_t start = at;
    while (at < text.size() && is_digit(text[at])) ++at;
    return at > start;
}

bool literal(std::string_view text, std::size_t& at, char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
}

}  // namespace

std::string feed_origin(std::int64_t system_identifier, std::uint32_t database) {
    return std::to_string(system_identifier) + "/" + std::to_string(database);
}

Error invalid_feed_position(std::string_view position, SourceLocation where) {
    return Error(
        ErrorCode::InvalidParameter,
        "invalid change feed position \"" + std::string(first_characters(position, 100)) + "\"", "",
        "Pass the next_position of the previous call, or NULL for the full state.", where);
}

FeedPosition parse_feed_position(std::string_view position) {
    std::size_t at = 0;
    bool valid = digits(position, at) && literal(position, at, '/') && digits(position, at);
    const std::size_t origin_end = at;
    valid = valid && literal(position, at, '/');
    const std::size_t snapshot_start = at;
    valid = valid && digits(position, at) && literal(position, at, ':') && digits(position, at) &&
            literal(position, at, ':');
    if (valid && at < position.size()) {
        valid = digits(position, at);
        while (valid && at < position.size())
            valid = literal(position, at, ',') && digits(position, at);
    }
    if (!valid) throw invalid_feed_position(position);
    return FeedPosition{std::string(position.substr(0, origin_end)),
                        std::string(position.substr(snapshot_start))};
}

void require_feed_origin(const FeedPosition& position, std::string_view origin,
                         bool from_the_future) {
    if (position.origin == origin && !from_the_future) return;
    throw Error(ErrorCode::InvalidParameter, "change feed position belongs to another database",
                "The database was restored or copied, or the position is from another server.",
                "Start again from the full state: since => NULL.");
}

}  // namespace inventory
