#pragma once
#include "core/no_postgres.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace inventory {

using Uuid = std::array<std::uint8_t, 16>;

using RandomFill = std::function<void(std::span<std::uint8_t>)>;  // fills with random bytes

// Hands out bytes of a random source from a buffer filled in one call per `capacity` bytes, so
// that a source with a high fixed cost per call (the operating system's or OpenSSL's strong
// random generator) is paid once per several hundred ids instead of once per id. Every byte
// comes from the source and is handed out once; a request that does not fit in what is left
// refills the whole buffer (the few bytes left over are dropped, never reused). If the source
// throws, nothing is handed out and the next request tries the source again. Bytes not yet
// handed out live in process memory, as the state of any user-space random generator does.
class BufferedRandom {
  public:
    static constexpr std::size_t kDefaultCapacity = 4096;

    explicit BufferedRandom(RandomFill source, std::size_t capacity = kDefaultCapacity);

    void fill(std::span<std::uint8_t> out);

    // Calls of the source so far (for tests and diagnostics).
    [[nodiscard]] std::uint64_t refills() const { return refills_; }

  private:
    RandomFill source_;
    std::vector<std::uint8_t> buffer_;
    std::size_t next_;  // first byte not handed out; buffer_.size() when empty
    std::uint64_t refills_ = 0;
};

// Time-ordered UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, a 12-bit counter that
// keeps ids from one generator strictly increasing within a millisecond (method 1 of the RFC),
// the variant, and 62 random bits. If the clock steps back, the last timestamp is reused.
// Each id takes kRandomBytesPerId bytes from the random source: two that seed the counter when
// a new millisecond starts (11 bits used), then the eight bytes 8..15 of the id (62 bits used).
class Uuid7Generator {
  public:
    using Clock = std::function<std::uint64_t()>;  // Unix time in ms
    using RandomFill = inventory::RandomFill;
    static constexpr std::size_t kRandomBytesPerId = 10;

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
