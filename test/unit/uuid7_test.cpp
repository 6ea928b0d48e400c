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
    std::array<std::uint8_t, 16> expected{};
    for (auto& b : expected) b = static_cast<std::uint8_t>(copy());
    EXPECT_EQ(id[8] & 0x3F, expected[8] & 0x3F);
    for (std::size_t i = 9; i < 16; ++i) EXPECT_EQ(id[i], expected[i]) << i;
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

}  // namespace
}  // namespace inventory
