#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/stripes.hpp"

namespace inventory {
namespace {

using Stripes = std::map<std::int16_t, Level>;

// Applies moves to the stripes; every stripe must stay at or above its reservations.
Stripes Apply(Stripes stripes, const std::vector<StripeMove>& moves) {
    for (const StripeMove& move : moves) {
        Level& level = stripes.at(move.stripe);
        level.on_hand += move.on_hand_change;
        level.reserved += move.reserved_change;
        EXPECT_GE(level.on_hand, 0) << "stripe " << move.stripe;
        EXPECT_GE(level.reserved, 0) << "stripe " << move.stripe;
    }
    return stripes;
}

Quantity Sum(const Stripes& stripes, bool reserved = false) {
    Quantity sum = 0;
    for (const auto& [stripe, level] : stripes) sum += reserved ? level.reserved : level.on_hand;
    return sum;
}

TEST(StripeCount, OneToSixtyFour) {
    EXPECT_NO_THROW(validate_stripe_count(1));
    EXPECT_NO_THROW(validate_stripe_count(kMaxStripes));
    for (const std::int32_t bad : {0, -1, kMaxStripes + 1}) {
        try {
            validate_stripe_count(bad);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        }
    }
}

TEST(StripeDecidesAllocation, OnlyWithoutSafetyStockAndBackorders) {
    EXPECT_TRUE(stripe_decides_allocation({}));
    EXPECT_FALSE(stripe_decides_allocation({1, false, std::nullopt}));
    EXPECT_FALSE(stripe_decides_allocation({0, true, std::nullopt}));
}

TEST(SpreadEvenly, SplitsFreeUnitsFirstStripesGetTheRest) {
    const Stripes before{{0, {10, 0}}, {1, {0, 0}}, {2, {0, 0}}, {3, {0, 0}}};
    const Stripes after = Apply(before, spread_evenly(before, 4));
    EXPECT_EQ(after.at(0).on_hand, 3);
    EXPECT_EQ(after.at(1).on_hand, 3);
    EXPECT_EQ(after.at(2).on_hand, 2);
    EXPECT_EQ(after.at(3).on_hand, 2);
    EXPECT_EQ(Sum(after), 10);
}

TEST(SpreadEvenly, LeavesReservationsWhereTheyAre) {
    const Stripes before{{0, {5, 5}}, {1, {9, 1}}};
    const Stripes after = Apply(before, spread_evenly(before, 2));
    EXPECT_EQ(after.at(0).reserved, 5);
    EXPECT_EQ(after.at(1).reserved, 1);
    EXPECT_EQ(after.at(0).on_hand - after.at(0).reserved, 4);
    EXPECT_EQ(after.at(1).on_hand - after.at(1).reserved, 4);
}

TEST(SpreadEvenly, DrainsStripesBeyondTheCount) {
    const Stripes before{{0, {1, 0}}, {1, {1, 0}}, {2, {4, 2}}, {3, {2, 0}}};
    const Stripes after = Apply(before, spread_evenly(before, 2));
    EXPECT_EQ(after.at(2).on_hand, 2);  // its reservation stays
    EXPECT_EQ(after.at(3).on_hand, 0);
    EXPECT_EQ(Sum(after), 8);
    EXPECT_EQ(after.at(0).on_hand + after.at(1).on_hand, 6);
}

TEST(SpreadEvenly, NothingWhenEvenOrBackordered) {
    EXPECT_TRUE(spread_evenly({{0, {2, 0}}, {1, {2, 0}}}, 2).empty());
    EXPECT_TRUE(spread_evenly({{0, {0, 3}}, {1, {2, 0}}}, 2).empty());
    EXPECT_TRUE(spread_evenly({{0, {7, 0}}}, 1).empty());
}

TEST(SpreadEvenly, NothingWhileEachStripeHoldsHalfItsShare) {
    EXPECT_TRUE(spread_evenly({{0, {4, 0}}, {1, {2, 0}}, {2, {3, 0}}}, 3).empty());
    EXPECT_FALSE(spread_evenly({{0, {5, 0}}, {1, {1, 0}}, {2, {3, 0}}}, 3).empty());
    EXPECT_FALSE(spread_evenly({{0, {4, 0}}, {1, {4, 0}}, {2, {1, 0}}}, 2).empty());  // drains 2
}

TEST(SpreadEvenly, MovesOutBeforeMovesIn) {
    const Stripes before{{0, {0, 0}}, {1, {6, 0}}, {2, {0, 0}}};
    const auto moves = spread_evenly(before, 3);
    ASSERT_EQ(moves.size(), 3u);
    EXPECT_EQ(moves[0].stripe, 1);
    EXPECT_LT(moves[0].on_hand_change, 0);
    EXPECT_GT(moves[1].on_hand_change, 0);
    EXPECT_GT(moves[2].on_hand_change, 0);
}

TEST(GatherInto, TakesAsFewAsNeededInStripeOrder) {
    const Stripes before{{0, {1, 1}}, {1, {2, 0}}, {2, {5, 1}}, {3, {3, 0}}};
    const Stripes after = Apply(before, gather_into(before, 0, 5));
    EXPECT_EQ(after.at(0).on_hand, 6);
    EXPECT_EQ(after.at(1).on_hand, 0);
    EXPECT_EQ(after.at(2).on_hand, 2);  // 3 of its 4 free units moved, its reservation stays
    EXPECT_EQ(after.at(3).on_hand, 3);  // not needed
    EXPECT_EQ(Sum(after), Sum(before));
}

TEST(GatherInto, FewerWhenTheOthersHoldLess) {
    const Stripes before{{0, {0, 0}}, {1, {2, 2}}, {2, {1, 0}}};
    const Stripes after = Apply(before, gather_into(before, 1, 10));
    EXPECT_EQ(after.at(1).on_hand, 3);
    EXPECT_EQ(after.at(2).on_hand, 0);
    EXPECT_TRUE(gather_into({{0, {3, 3}}, {1, {1, 1}}}, 0, 1).empty());
}

TEST(GatherIntoFirst, MovesFreeAndUnassignedReserved) {
    const Stripes before{{0, {2, 0}}, {1, {5, 3}}, {2, {4, 4}}};
    // Stripe 1 holds 3 reserved, 1 of them for a reservation; stripe 2 holds 4 for reservations.
    const std::map<std::int16_t, Quantity> unassigned{{0, 0}, {1, 2}, {2, 0}};
    const Stripes after = Apply(before, gather_into_first(before, unassigned));
    EXPECT_EQ(after.at(1).on_hand, 1);
    EXPECT_EQ(after.at(1).reserved, 1);
    EXPECT_EQ(after.at(2).on_hand, 4);
    EXPECT_EQ(after.at(0).on_hand, 6);
    EXPECT_EQ(after.at(0).reserved, 2);
    EXPECT_EQ(Sum(after), Sum(before));
    EXPECT_EQ(Sum(after, true), Sum(before, true));
}

}  // namespace
}  // namespace inventory
