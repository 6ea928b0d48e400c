#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/uuid7.hpp"

namespace inventory {
namespace {

// A generator whose clock and random bytes the test controls.
struct Harness {
    std::uint64_t now_ms = 0x0123456789ABull;
    std::uint8_t fill = 0x00;  // every random byte, unless `rng` is set
    bool use_rng = false;
    std::mt19937 rng{12345};

    Uuid7Generator Make() {
        return Uuid7Generator([this] { return now_ms; },
                              [this](std::span<std::uint8_t> bytes) {
                                  for (auto& b : bytes) {
                                      b = use_rng ? static_cast<std::uint8_t>(rng()) : fill;
                                  }
                              });
    }
};

std::uint64_t TimestampOf(const Uuid& id) {
    std::uint64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[static_cast<std::size_t>(i)];
    return ms;
}

unsigned CounterOf(const Uuid& id) {
    return ((id[6] & 0x0Fu) << 8) | id[7];
}

TEST(Uuid7, VersionNibbleIsSeven) {
    for (std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x5A}}) {
        Harness h;
        h.fill = fill;
        auto gen = h.Make();
        for (int i = 0; i < 3; ++i) EXPECT_EQ(gen.next()[6] >> 4, 7) << int(fill);
    }
}

TEST(Uuid7, VariantBitsAreOneZero) {
    for (std::uint8_t fill :
         {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x7F}, std::uint8_t{0xC0}}) {
        Harness h;
        h.fill = fill;
        auto gen = h.Make();
        EXPECT_EQ(gen.next()[8] & 0xC0, 0x80) << int(fill);
    }
}

TEST(Uuid7, TimestampBytesAreTheClockBigEndian) {
    Harness h;
    auto gen = h.Make();
    const Uuid id = gen.next();
    EXPECT_EQ(id[0], 0x01);
    EXPECT_EQ(id[1], 0x23);
    EXPECT_EQ(id[2], 0x45);
    EXPECT_EQ(id[3], 0x67);
    EXPECT_EQ(id[4], 0x89);
    EXPECT_EQ(id[5], 0xAB);

    h.now_ms = 1'700'000'000'123ull;  // a realistic Unix time in ms
    EXPECT_EQ(TimestampOf(gen.next()), 1'700'000'000'123ull);
}

TEST(Uuid7, RandomBitsAreKept) {
    Harness h;
    h.use_rng = true;
    std::mt19937 copy = h.rng;  // the same stream the generator will see
    auto gen = h.Make();
    const Uuid id = gen.next();
    // The ten bytes of one id: two for the counter seed, then bytes 8..15.
    std::array<std::uint8_t, Uuid7Generator::kRandomBytesPerId> expected{};
    for (auto& b : expected) b = static_cast<std::uint8_t>(copy());
    EXPECT_EQ(CounterOf(id), ((expected[0] << 8 | expected[1]) & 0x07FFu));
    EXPECT_EQ(id[8] & 0x3F, expected[2] & 0x3F);
    for (std::size_t i = 9; i < 16; ++i) EXPECT_EQ(id[i], expected[i - 6]) << i;
}

TEST(Uuid7, TakesTenRandomBytesPerId) {
    std::vector<std::size_t> requests;
    Uuid7Generator gen([] { return std::uint64_t{42}; },
                       [&](std::span<std::uint8_t> bytes) {
                           requests.push_back(bytes.size());
                           std::fill(bytes.begin(), bytes.end(), std::uint8_t{0x33});
                       });
    for (int i = 0; i < 5; ++i) (void)gen.next();
    EXPECT_EQ(requests, std::vector<std::size_t>(5, Uuid7Generator::kRandomBytesPerId));
}

TEST(Uuid7, NewMillisecondSeedsTheCounterInTheLowerHalf) {
    Harness h;
    h.fill = 0xFF;
    auto gen = h.Make();
    const Uuid id = gen.next();
    // Seeded from random bits but below 0x800, so at least 2048 ids fit in one millisecond.
    EXPECT_EQ(CounterOf(id), 0x7FFu);
}

TEST(Uuid7, StrictlyIncreasingWithinOneMillisecond) {
    Harness h;
    h.use_rng = true;
    auto gen = h.Make();
    Uuid previous = gen.next();
    std::set<Uuid> seen{previous};
    for (int i = 1; i < 10000; ++i) {
        const Uuid id = gen.next();
        ASSERT_LT(previous, id) << "id " << i << ": " << to_string(previous) << " then "
                                << to_string(id);
        ASSERT_GE(TimestampOf(id), h.now_ms);
        ASSERT_EQ(id[6] >> 4, 7);
        ASSERT_EQ(id[8] & 0xC0, 0x80);
        seen.insert(id);
        previous = id;
    }
    EXPECT_EQ(seen.size(), 10000u);
}

TEST(Uuid7, CounterOverflowBorrowsTheNextMillisecond) {
    Harness h;
    h.fill = 0xFF;  // counter seed 0x7FF: 2048 increments reach 0xFFF
    auto gen = h.Make();
    const std::uint64_t t = h.now_ms;
    Uuid id{};
    for (unsigned k = 0; k <= 0x800; ++k) {
        id = gen.next();
        ASSERT_EQ(TimestampOf(id), t) << k;
        ASSERT_EQ(CounterOf(id), 0x7FFu + k) << k;
    }
    EXPECT_EQ(CounterOf(id), 0xFFFu);

    const Uuid borrowed = gen.next();
    EXPECT_EQ(TimestampOf(borrowed), t + 1);
    EXPECT_EQ(CounterOf(borrowed), 0u);
    EXPECT_LT(id, borrowed);

    // The real clock catching up with the borrowed millisecond keeps counting, no reseed.
    h.now_ms = t + 1;
    const Uuid caught_up = gen.next();
    EXPECT_EQ(TimestampOf(caught_up), t + 1);
    EXPECT_EQ(CounterOf(caught_up), 1u);
    EXPECT_LT(borrowed, caught_up);

    // A later millisecond reseeds.
    h.now_ms = t + 2;
    const Uuid later = gen.next();
    EXPECT_EQ(TimestampOf(later), t + 2);
    EXPECT_EQ(CounterOf(later), 0x7FFu);
    EXPECT_LT(caught_up, later);
}

TEST(Uuid7, ClockSteppingBackwardsStillIncreases) {
    Harness h;
    h.use_rng = true;
    h.now_ms = 1'000'000;
    auto gen = h.Make();
    const Uuid first = gen.next();
    h.now_ms = 999'000;  // one second back
    Uuid previous = first;
    for (int i = 0; i < 5000; ++i) {  // more than 4096: the counter is exhausted at least once
        const Uuid id = gen.next();
        ASSERT_LT(previous, id) << i;
        ASSERT_GE(TimestampOf(id), 1'000'000u) << "the last timestamp is reused, never the clock";
        previous = id;
    }
    h.now_ms = 1'000'500;
    const Uuid forward = gen.next();
    EXPECT_EQ(TimestampOf(forward), 1'000'500u);
    EXPECT_LT(previous, forward);
}

TEST(Uuid7, AdvancingClockIncreasesAcrossMilliseconds) {
    Harness h;
    h.use_rng = true;
    auto gen = h.Make();
    Uuid previous = gen.next();
    for (int i = 0; i < 1000; ++i) {
        if (i % 7 == 0) ++h.now_ms;
        const Uuid id = gen.next();
        ASSERT_LT(previous, id) << i;
        previous = id;
    }
}

TEST(Uuid7, FailingRandomSourceLeavesTheGeneratorUsable) {
    bool fail = false;
    std::uint64_t now = 5000;
    Uuid7Generator gen([&] { return now; },
                       [&](std::span<std::uint8_t> bytes) {
                           if (fail) throw std::runtime_error("no entropy");
                           std::fill(bytes.begin(), bytes.end(), std::uint8_t{0x11});
                       });
    const Uuid first = gen.next();
    fail = true;
    EXPECT_THROW((void)gen.next(), std::runtime_error);
    fail = false;
    const Uuid second = gen.next();
    EXPECT_LT(first, second);
    EXPECT_EQ(CounterOf(second), CounterOf(first) + 1);
}

TEST(Uuid7ToString, FormatsLowerCaseHexWithHyphens) {
    Uuid id{};
    for (std::size_t i = 0; i < id.size(); ++i) {
        id[i] = static_cast<std::uint8_t>(0x01 + 0x22 * i);  // 01 23 45 67 89 ab cd ef 11 ...
    }
    EXPECT_EQ(to_string(id), "01234567-89ab-cdef-1133-557799bbddff");
}

TEST(Uuid7ToString, AllZeroAndAllOnes) {
    Uuid zero{};
    EXPECT_EQ(to_string(zero), "00000000-0000-0000-0000-000000000000");
    Uuid ones{};
    ones.fill(0xFF);
    EXPECT_EQ(to_string(ones), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(Uuid7ToString, GeneratedIdShowsVersionAndVariant) {
    Harness h;
    h.use_rng = true;
    auto gen = h.Make();
    for (int i = 0; i < 100; ++i) {
        const std::string text = to_string(gen.next());
        ASSERT_EQ(text.size(), 36u);
        for (std::size_t pos : {8u, 13u, 18u, 23u}) EXPECT_EQ(text[pos], '-') << text;
        EXPECT_EQ(text[14], '7') << text;
        EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
        EXPECT_TRUE(std::all_of(text.begin(), text.end(), [](char c) {
            return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) << text;
        EXPECT_EQ(text.substr(0, 8) + text.substr(9, 4), "0123456789ab") << text;
    }
}

// A source that counts: byte k of its output stream is k mod 256 (k counted over all calls), so
// a test sees which bytes of the stream were handed out.
struct CountingSource {
    std::uint64_t produced = 0;
    std::vector<std::size_t> calls;
    bool fail = false;

    RandomFill Fill() {
        return [this](std::span<std::uint8_t> bytes) {
            if (fail) throw std::runtime_error("no entropy");
            calls.push_back(bytes.size());
            for (auto& b : bytes) b = static_cast<std::uint8_t>(produced++);
        };
    }
};

std::vector<std::uint8_t> Take(BufferedRandom& random, std::size_t n) {
    std::vector<std::uint8_t> out(n, 0xEE);
    random.fill(out);
    return out;
}

std::vector<std::uint8_t> Stream(std::uint64_t from, std::size_t n) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(from + i));
    return out;
}

TEST(BufferedRandom, OneSourceCallFillsTheWholeBufferAndServesItInOrder) {
    CountingSource source;
    BufferedRandom random(source.Fill(), 30);
    EXPECT_EQ(random.refills(), 0u);  // nothing is read before the first request
    EXPECT_EQ(Take(random, 10), Stream(0, 10));
    EXPECT_EQ(Take(random, 10), Stream(10, 10));
    EXPECT_EQ(Take(random, 10), Stream(20, 10));
    EXPECT_EQ(source.calls, std::vector<std::size_t>{30});
    EXPECT_EQ(random.refills(), 1u);
    EXPECT_EQ(Take(random, 10), Stream(30, 10));  // buffer used up: the next fill
    EXPECT_EQ(source.calls, (std::vector<std::size_t>{30, 30}));
}

TEST(BufferedRandom, ARequestThatDoesNotFitDropsTheRestAndNeverReusesBytes) {
    CountingSource source;
    BufferedRandom random(source.Fill(), 25);
    EXPECT_EQ(Take(random, 10), Stream(0, 10));
    EXPECT_EQ(Take(random, 10), Stream(10, 10));
    // 5 bytes left, 10 asked for: bytes 20..24 are dropped, the next fill serves 25..34.
    EXPECT_EQ(Take(random, 10), Stream(25, 10));
    EXPECT_EQ(random.refills(), 2u);
}

TEST(BufferedRandom, ARequestLargerThanTheBufferGoesStraightToTheSource) {
    CountingSource source;
    BufferedRandom random(source.Fill(), 8);
    EXPECT_EQ(Take(random, 3), Stream(0, 3));
    EXPECT_EQ(Take(random, 20), Stream(8, 20));
    EXPECT_EQ(Take(random, 3), Stream(3, 3));  // the buffer is still served after it
    EXPECT_EQ(source.calls, (std::vector<std::size_t>{8, 20}));
}

TEST(BufferedRandom, AFailingSourceHandsOutNothingAndIsTriedAgain) {
    CountingSource source;
    BufferedRandom random(source.Fill(), 16);
    EXPECT_EQ(Take(random, 10), Stream(0, 10));
    source.fail = true;
    std::vector<std::uint8_t> out(10, 0xEE);
    EXPECT_THROW(random.fill(out), std::runtime_error);
    EXPECT_EQ(out, std::vector<std::uint8_t>(10, 0xEE));
    EXPECT_THROW(random.fill(out), std::runtime_error);  // still nothing buffered
    source.fail = false;
    EXPECT_EQ(Take(random, 4), Stream(16, 4));  // bytes 10..15 were dropped, never handed out
    EXPECT_EQ(random.refills(), 2u);
}

TEST(BufferedRandom, GeneratorReadsTheSourceOncePerFourHundredIds) {
    CountingSource source;
    BufferedRandom random(source.Fill());
    std::uint64_t now = 1'700'000'000'000ull;
    Uuid7Generator gen([&] { return now; }, [&](std::span<std::uint8_t> b) { random.fill(b); });
    const std::size_t per_fill =
        BufferedRandom::kDefaultCapacity / Uuid7Generator::kRandomBytesPerId;
    ASSERT_EQ(per_fill, 409u);
    Uuid previous = gen.next();
    std::set<Uuid> seen{previous};
    for (std::size_t i = 1; i < 3 * per_fill; ++i) {
        if (i % 100 == 0) ++now;
        const Uuid id = gen.next();
        ASSERT_LT(previous, id) << i;
        seen.insert(id);
        previous = id;
    }
    EXPECT_EQ(seen.size(), 3 * per_fill);
    EXPECT_EQ(random.refills(), 3u);
    (void)gen.next();
    EXPECT_EQ(random.refills(), 4u);
    EXPECT_EQ(source.calls, std::vector<std::size_t>(4, BufferedRandom::kDefaultCapacity));
}

TEST(BufferedRandom, BufferedIdsKeepDistinctRandomTails) {
    // Ids in one millisecond differ in their counter; their random tails come from distinct
    // stretches of the source stream (no byte is handed out twice).
    CountingSource source;
    BufferedRandom random(source.Fill(), 100);
    Uuid7Generator gen([] { return std::uint64_t{7}; },
                       [&](std::span<std::uint8_t> b) { random.fill(b); });
    const Uuid a = gen.next();
    const Uuid b = gen.next();
    EXPECT_EQ(a[15], 9);   // stream bytes 0..9
    EXPECT_EQ(b[15], 19);  // stream bytes 10..19
    EXPECT_EQ(b[9], 13);
}

}  // namespace
}  // namespace inventory
