#pragma once
#include "core/no_postgres.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace inventory {

using Uuid = std::array<std::uint8_t, 16>;

// Time-ordered UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, a 12-bit counter that
// keeps ids from one generator strictly increasing within a millisecond (method 1 of the RFC),
// the variant, and 62 random bits. If the clock steps back, the last timestamp is reused.
class Uuid7Generator {
  public:
    using Clock = std::function<std::uint64_t()>;                     // Unix time in ms
    using RandomFill = std::function<void(std::span<std::uint8_t>)>;  // fills with random bytes

    Uuid7Generator(Clock clock, RandomFill random);

    [[nodiscard]] Uuid next();

  private:
    Clock clock_;
    RandomFill random_;
    std::uint64_t last_ms_ = 0;
    std::uint16_t counter_ = 0;
};

// 8-4-4-4-12 lower-case hex.
[[nodiscard]] std::string to_string(const Uuid& uuid);

}  // namespace inventory
