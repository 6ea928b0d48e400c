#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/quantity.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

constexpr Quantity kMax = std::numeric_limits<Quantity>::max();
constexpr Quantity kMin = std::numeric_limits<Quantity>::min();

TEST(CheckedAdd, AddsInRange) {
    EXPECT_EQ(checked_add(2, 3, "x"), 5);
    EXPECT_EQ(checked_add(-7, 3, "x"), -4);
    EXPECT_EQ(checked_add(kMax - 1, 1, "x"), kMax);
    EXPECT_EQ(checked_add(kMin + 1, -1, "x"), kMin);
    EXPECT_EQ(checked_add(kMin, kMax, "x"), -1);
}

TEST(CheckedAdd, OverflowIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_add(kMax, 1, "on_hand"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_add(kMax, kMax, "on_hand"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_add(kMin, -1, "on_hand"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_add(kMin, kMin, "on_hand"));
}

TEST(CheckedAdd, MessageNamesTheValueAndBigint) {
    const auto error = test::CatchError([] { (void)checked_add(kMax, 1, "reserved"); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(std::string(error->what()).find("reserved"), std::string::npos) << error->what();
    EXPECT_NE(std::string(error->what()).find("bigint"), std::string::npos) << error->what();
    // The detail shows the exact result that did not fit.
    EXPECT_NE(error->detail().find("9223372036854775808"), std::string::npos) << error->detail();
}

TEST(CheckedSub, SubtractsInRange) {
    EXPECT_EQ(checked_sub(5, 8, "x"), -3);
    EXPECT_EQ(checked_sub(-1, kMax, "x"), kMin);
    EXPECT_EQ(checked_sub(kMax, kMax, "x"), 0);
    EXPECT_EQ(checked_sub(kMin, kMin, "x"), 0);
    EXPECT_EQ(checked_sub(0, kMax, "x"), -kMax);
}

TEST(CheckedSub, OverflowIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_sub(kMin, 1, "x"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_sub(0, kMin, "x"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_sub(kMax, -1, "x"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_sub(kMax, kMin, "x"));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_sub(kMin, kMax, "x"));
}

TEST(CheckedNeg, NegatesInRange) {
    EXPECT_EQ(checked_neg(0, "x"), 0);
    EXPECT_EQ(checked_neg(5, "x"), -5);
    EXPECT_EQ(checked_neg(-5, "x"), 5);
    EXPECT_EQ(checked_neg(kMax, "x"), kMin + 1);
    EXPECT_EQ(checked_neg(kMin + 1, "x"), kMax);
}

TEST(CheckedNeg, MinimumIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, checked_neg(kMin, "backordered units"));
}

}  // namespace
}  // namespace inventory
