#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/transition.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

using test::Apply;
using test::Backorders;
using test::Request;
using test::SafetyStock;

constexpr Quantity kMax = std::numeric_limits<Quantity>::max();
constexpr Quantity kMin = std::numeric_limits<Quantity>::min();

// Checks a successful transition completely: the changes, the level after, and that
// available_after is available_to_sell of that level.
void ExpectTransition(const Transition& t, Quantity on_hand_change, Quantity reserved_change,
                      Level after, Quantity available_after, const Policy& policy = {}) {
    EXPECT_EQ(t.on_hand_change, on_hand_change);
    EXPECT_EQ(t.reserved_change, reserved_change);
    EXPECT_EQ(t.after.on_hand, after.on_hand);
    EXPECT_EQ(t.after.reserved, after.reserved);
    EXPECT_EQ(t.available_after, available_after);
    EXPECT_EQ(t.available_after, available_to_sell(t.after, policy));
}

// ---- available_to_sell ----------------------------------------------------------------------

TEST(AvailableToSell, IsFreeStockWithoutSafetyStock) {
    EXPECT_EQ(available_to_sell({10, 3}, {}), 7);
    EXPECT_EQ(available_to_sell({10, 10}, {}), 0);
    EXPECT_EQ(available_to_sell({0, 0}, {}), 0);
    EXPECT_EQ(available_to_sell({kMax, 0}, {}), kMax);
    EXPECT_EQ(available_to_sell({kMax, kMax}, {}), 0);
}

TEST(AvailableToSell, HoldsBackSafetyStock) {
    EXPECT_EQ(available_to_sell({10, 3}, SafetyStock(2)), 5);
    EXPECT_EQ(available_to_sell({10, 3}, SafetyStock(7)), 0);
    EXPECT_EQ(available_to_sell({10, 3}, SafetyStock(8)), 0);  // never below zero for safety
    EXPECT_EQ(available_to_sell({kMax, 0}, SafetyStock(kMax)), 0);
}

TEST(AvailableToSell, BackorderedLevelIsNegativeFreeStock) {
    // free < 0: safety stock is not subtracted again, the backorder shows as it is.
    EXPECT_EQ(available_to_sell({2, 5}, {}), -3);
    EXPECT_EQ(available_to_sell({2, 5}, SafetyStock(100)), -3);
    EXPECT_EQ(available_to_sell({0, kMax}, Backorders()), -kMax);
}

TEST(AvailableToSell, CorruptLevelOverflowIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, available_to_sell({kMin, 1}, {}));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, available_to_sell({kMax, -1}, {}));
}

// ---- validate_policy ------------------------------------------------------------------------

TEST(ValidatePolicy, AcceptsValidPolicies) {
    EXPECT_NO_THROW(validate_policy({}));
    EXPECT_NO_THROW(validate_policy(SafetyStock(5)));
    EXPECT_NO_THROW(validate_policy(Backorders()));
    EXPECT_NO_THROW(validate_policy(Backorders(0)));
    EXPECT_NO_THROW(validate_policy(Backorders(kMax, kMax)));
}

TEST(ValidatePolicy, RefusesNegativeSafetyStock) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_policy(SafetyStock(-1)));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_policy(SafetyStock(kMin)));
}

TEST(ValidatePolicy, RefusesNegativeBackorderLimit) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_policy(Backorders(-1)));
}

TEST(ValidatePolicy, RefusesLimitWithoutBackorders) {
    Policy policy;
    policy.backorder_limit = 10;
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_policy(policy));
    policy.backorder_limit = 0;
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_policy(policy));
}

// ---- RECEIVE / TRANSFER_IN ------------------------------------------------------------------

TEST(Receive, AddsToOnHand) {
    ExpectTransition(Apply({5, 2}, EventKind::Receive, 3), 3, 0, {8, 2}, 6);
}

TEST(Receive, RespectsSafetyStockInAvailable) {
    ExpectTransition(Apply({0, 0}, EventKind::Receive, 10, SafetyStock(4)), 10, 0, {10, 0}, 6,
                     SafetyStock(4));
}

TEST(Receive, FillsABackorder) {
    ExpectTransition(Apply({0, 5}, EventKind::Receive, 3, Backorders()), 3, 0, {3, 5}, -2,
                     Backorders());
}

TEST(Receive, ReachesTheBigintMaximum) {
    ExpectTransition(Apply({kMax - 1, 0}, EventKind::Receive, 1), 1, 0, {kMax, 0}, kMax);
}

TEST(Receive, BeyondBigintIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({kMax, 0}, EventKind::Receive, 1));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({1, 0}, EventKind::Receive, kMax));
}

TEST(TransferIn, AddsToOnHand) {
    ExpectTransition(Apply({5, 2}, EventKind::TransferIn, 3), 3, 0, {8, 2}, 6);
}

TEST(TransferIn, BeyondBigintIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({kMax, 3}, EventKind::TransferIn, 1));
}

// ---- ALLOCATE -------------------------------------------------------------------------------

TEST(Allocate, ReservesWithinAvailable) {
    ExpectTransition(Apply({10, 2}, EventKind::Allocate, 5), 0, 5, {10, 7}, 3);
}

TEST(Allocate, ReservesExactlyAvailable) {
    ExpectTransition(Apply({10, 2}, EventKind::Allocate, 8), 0, 8, {10, 10}, 0);
}

TEST(Allocate, BeyondAvailableIsInsufficientStock) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 2}, EventKind::Allocate, 9));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({0, 0}, EventKind::Allocate, 1));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 10}, EventKind::Allocate, 1));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 0}, EventKind::Allocate, kMax));
}

TEST(Allocate, InsufficientStockDetailShowsTheLevel) {
    const auto error = test::CatchError([] { (void)Apply({10, 2}, EventKind::Allocate, 9); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->detail().find("on_hand 10, reserved 2, available_to_sell 8"),
              std::string::npos)
        << error->detail();
    EXPECT_NE(std::string(error->what()).find("SKU-1"), std::string::npos) << error->what();
}

TEST(Allocate, SafetyStockIsHeldBack) {
    ExpectTransition(Apply({10, 0}, EventKind::Allocate, 7, SafetyStock(3)), 0, 7, {10, 7}, 0,
                     SafetyStock(3));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 0}, EventKind::Allocate, 8, SafetyStock(3)));
}

TEST(Allocate, SafetyStockAboveFreeStockLeavesNothingToAllocate) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 4}, EventKind::Allocate, 1, SafetyStock(6)));
}

TEST(Allocate, BackordersWithoutLimitAllowAnyQuantity) {
    ExpectTransition(Apply({0, 0}, EventKind::Allocate, 1000, Backorders()), 0, 1000, {0, 1000},
                     -1000, Backorders());
    ExpectTransition(Apply({3, 5}, EventKind::Allocate, 4, Backorders()), 0, 4, {3, 9}, -6,
                     Backorders());
    ExpectTransition(Apply({0, 0}, EventKind::Allocate, kMax, Backorders()), 0, kMax, {0, kMax},
                     -kMax, Backorders());
}

TEST(Allocate, BackordersWithoutLimitStillCannotOverflowReserved) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange,
                      Apply({0, kMax}, EventKind::Allocate, 1, Backorders()));
}

TEST(Allocate, BackorderLimitFromZeroStock) {
    ExpectTransition(Apply({0, 0}, EventKind::Allocate, 10, Backorders(10)), 0, 10, {0, 10}, -10,
                     Backorders(10));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({0, 0}, EventKind::Allocate, 11, Backorders(10)));
}

TEST(Allocate, BackorderLimitAddsToAvailable) {
    ExpectTransition(Apply({5, 0}, EventKind::Allocate, 15, Backorders(10)), 0, 15, {5, 15}, -10,
                     Backorders(10));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({5, 0}, EventKind::Allocate, 16, Backorders(10)));
}

TEST(Allocate, BackorderLimitWithSafetyStock) {
    // available 5 - 2 = 3, plus 3 units of backorder allowance.
    const Policy policy = Backorders(3, 2);
    ExpectTransition(Apply({5, 0}, EventKind::Allocate, 6, policy), 0, 6, {5, 6}, -1, policy);
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({5, 0}, EventKind::Allocate, 7, policy));
}

TEST(Allocate, ZeroBackorderLimitBehavesLikeNoBackorders) {
    ExpectTransition(Apply({4, 0}, EventKind::Allocate, 4, Backorders(0)), 0, 4, {4, 4}, 0,
                     Backorders(0));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({4, 0}, EventKind::Allocate, 5, Backorders(0)));
}

TEST(Allocate, BackorderLimitAlreadyUsedUp) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({0, 10}, EventKind::Allocate, 1, Backorders(10)));
    // The limit was lowered below what is already backordered.
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({0, 20}, EventKind::Allocate, 1, Backorders(10)));
}

TEST(Allocate, BackorderLimitCountsWhatIsAlreadyBackordered) {
    // 6 of the 10 allowed units are backordered: 5 more would be 11.
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({0, 6}, EventKind::Allocate, 5, Backorders(10)));
}

// Only the sellable units (never a negative available_to_sell) add to the remaining allowance:
// the backordered units must not be counted twice.
TEST(Allocate, BackorderLimitAllowsTheRemainder) {
    ExpectTransition(Apply({0, 6}, EventKind::Allocate, 4, Backorders(10)), 0, 4, {0, 10}, -10,
                     Backorders(10));
    ExpectTransition(Apply({2, 5}, EventKind::Allocate, 7, Backorders(10)), 0, 7, {2, 12}, -10,
                     Backorders(10));
}

// Core bug (see the report): available_to_sell + allowance is computed with checked_add, so a
// huge on_hand with a backorder limit makes every ALLOCATE fail with OutOfRange.
TEST(Allocate, BackorderLimitWithHugeStockDoesNotOverflow) {
    ExpectTransition(Apply({kMax, 0}, EventKind::Allocate, 1, Backorders(1)), 0, 1, {kMax, 1},
                     kMax - 1, Backorders(1));
}

// ---- DEALLOCATE -----------------------------------------------------------------------------

TEST(Deallocate, ReleasesReservations) {
    ExpectTransition(Apply({10, 5}, EventKind::Deallocate, 3), 0, -3, {10, 2}, 8);
    ExpectTransition(Apply({10, 5}, EventKind::Deallocate, 5), 0, -5, {10, 0}, 10);
}

TEST(Deallocate, ReleasesABackorder) {
    ExpectTransition(Apply({0, 5}, EventKind::Deallocate, 5, Backorders()), 0, -5, {0, 0}, 0,
                     Backorders());
}

TEST(Deallocate, BeyondReservedIsInsufficientReserved) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply({10, 5}, EventKind::Deallocate, 6));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply({10, 0}, EventKind::Deallocate, 1));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved,
                      Apply({10, 5}, EventKind::Deallocate, kMax, Backorders()));
}

// ---- FULFILL --------------------------------------------------------------------------------

TEST(Fulfill, ShipsReservedUnits) {
    ExpectTransition(Apply({10, 5}, EventKind::Fulfill, 5), -5, -5, {5, 0}, 5);
    ExpectTransition(Apply({10, 5}, EventKind::Fulfill, 2), -2, -2, {8, 3}, 5);
}

TEST(Fulfill, SafetyStockDoesNotBlockShipping) {
    ExpectTransition(Apply({5, 5}, EventKind::Fulfill, 5, SafetyStock(100)), -5, -5, {0, 0}, 0,
                     SafetyStock(100));
}

TEST(Fulfill, BeyondReservedIsInsufficientReserved) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply({10, 5}, EventKind::Fulfill, 6));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientReserved, Apply({10, 0}, EventKind::Fulfill, 1));
}

TEST(Fulfill, BackorderedUnitsBeyondOnHandAreInsufficientStock) {
    // 5 reserved but only 3 on hand: the 2 backordered units cannot ship yet.
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({3, 5}, EventKind::Fulfill, 4, Backorders()));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({0, 5}, EventKind::Fulfill, 1, Backorders()));
}

TEST(Fulfill, BeyondOnHandSaysBackordersShipWhenReceived) {
    const auto error = test::CatchError([] {
        (void)Apply({3, 5}, EventKind::Fulfill, 4, Backorders());
    });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::InsufficientStock);
    EXPECT_NE(std::string(error->what()).find("only 3 on hand"), std::string::npos)
        << error->what();
    EXPECT_NE(error->hint().find("received"), std::string::npos) << error->hint();
}

TEST(Fulfill, BackorderedLevelShipsWhatIsOnHand) {
    ExpectTransition(Apply({3, 5}, EventKind::Fulfill, 3, Backorders()), -3, -3, {0, 2}, -2,
                     Backorders());
}

// ---- RETURN ---------------------------------------------------------------------------------

TEST(Return, RestockAddsToOnHandByDefault) {
    ExpectTransition(Apply({5, 1}, EventKind::Return, 2), 2, 0, {7, 1}, 6);
    ExpectTransition(Apply({5, 1}, EventKind::Return, 2, {}, "restock"), 2, 0, {7, 1}, 6);
}

TEST(Return, DamagedIsRecordedWithoutChangingStock) {
    ExpectTransition(Apply({5, 1}, EventKind::Return, 2, {}, "DAMAGED"), 0, 0, {5, 1}, 4);
    ExpectTransition(Apply({5, 1}, EventKind::Return, 2, {}, "damaged"), 0, 0, {5, 1}, 4);
}

TEST(Return, RestockBeyondBigintIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({kMax, 0}, EventKind::Return, 1));
}

TEST(Return, DamagedAtTheBigintMaximumIsFine) {
    ExpectTransition(Apply({kMax, 0}, EventKind::Return, kMax, {}, "DAMAGED"), 0, 0, {kMax, 0},
                     kMax);
}

// ---- ADJUST ---------------------------------------------------------------------------------

TEST(Adjust, PositiveAddsToOnHand) {
    ExpectTransition(Apply({10, 2}, EventKind::Adjust, 5, {}, "FOUND"), 5, 0, {15, 2}, 13);
}

TEST(Adjust, NegativeRemovesFromOnHand) {
    ExpectTransition(Apply({10, 2}, EventKind::Adjust, -3, {}, "SHRINKAGE"), -3, 0, {7, 2}, 5);
    ExpectTransition(Apply({10, 0}, EventKind::Adjust, -10, {}, "THEFT"), -10, 0, {0, 0}, 0);
}

TEST(Adjust, BelowZeroIsInsufficientStock) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 0}, EventKind::Adjust, -11));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({3, 0}, EventKind::Adjust, -4, Backorders()));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({0, 0}, EventKind::Adjust, kMin));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({kMax, 0}, EventKind::Adjust, kMin));
}

TEST(Adjust, BelowReservedWithoutBackordersIsInsufficientStock) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 5}, EventKind::Adjust, -6));
    ExpectTransition(Apply({10, 5}, EventKind::Adjust, -5), -5, 0, {5, 5}, 0);
}

TEST(Adjust, BelowReservedWithBackordersIsAllowed) {
    ExpectTransition(Apply({10, 5}, EventKind::Adjust, -6, Backorders()), -6, 0, {4, 5}, -1,
                     Backorders());
}

TEST(Adjust, LossBeyondTheBackorderLimitIsInsufficientStock) {
    // 10 reserved, limit 5: on_hand may drop to 5 (5 backordered) but not to 4.
    ExpectTransition(Apply({10, 10}, EventKind::Adjust, -5, Backorders(5)), -5, 0, {5, 10}, -5,
                     Backorders(5));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 10}, EventKind::Adjust, -6, Backorders(5)));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 10}, EventKind::Adjust, -1, Backorders(0)));
}

TEST(Adjust, BeyondBigintIsOutOfRange) {
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({kMax, 0}, EventKind::Adjust, 1));
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({1, 0}, EventKind::Adjust, kMax));
}

// ---- COUNT ----------------------------------------------------------------------------------

TEST(Count, UpRecordsThePositiveDelta) {
    ExpectTransition(Apply({10, 2}, EventKind::Count, 15), 5, 0, {15, 2}, 13);
}

TEST(Count, DownRecordsTheNegativeDelta) {
    ExpectTransition(Apply({10, 2}, EventKind::Count, 7), -3, 0, {7, 2}, 5);
}

TEST(Count, UnchangedRecordsZero) {
    ExpectTransition(Apply({10, 2}, EventKind::Count, 10), 0, 0, {10, 2}, 8);
}

TEST(Count, ZeroEmptiesTheShelf) {
    ExpectTransition(Apply({10, 0}, EventKind::Count, 0), -10, 0, {0, 0}, 0);
    ExpectTransition(Apply({0, 0}, EventKind::Count, 0), 0, 0, {0, 0}, 0);
}

TEST(Count, BelowReservedWithoutBackordersIsInsufficientStock) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 5}, EventKind::Count, 4));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 5}, EventKind::Count, 0));
    ExpectTransition(Apply({10, 5}, EventKind::Count, 5), -5, 0, {5, 5}, 0);
}

TEST(Count, BelowReservedWithBackordersIsAllowed) {
    ExpectTransition(Apply({10, 5}, EventKind::Count, 4, Backorders()), -6, 0, {4, 5}, -1,
                     Backorders());
    ExpectTransition(Apply({10, 5}, EventKind::Count, 0, Backorders()), -10, 0, {0, 5}, -5,
                     Backorders());
}

TEST(Count, LossBeyondTheBackorderLimitIsInsufficientStock) {
    ExpectTransition(Apply({10, 10}, EventKind::Count, 5, Backorders(5)), -5, 0, {5, 10}, -5,
                     Backorders(5));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 10}, EventKind::Count, 4, Backorders(5)));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({10, 10}, EventKind::Count, 0, Backorders(9)));
    // Counting up is never refused for the limit.
    ExpectTransition(Apply({5, 10}, EventKind::Count, 6, Backorders(5)), 1, 0, {6, 10}, -4,
                     Backorders(5));
}

TEST(Count, ExtremesDoNotOverflow) {
    ExpectTransition(Apply({kMax, 0}, EventKind::Count, 0), -kMax, 0, {0, 0}, 0);
    ExpectTransition(Apply({0, 0}, EventKind::Count, kMax), kMax, 0, {kMax, 0}, kMax);
}

TEST(Count, DeltaOverflowOnACorruptLevelIsOutOfRange) {
    // Valid levels are never negative; if one is, the delta is still checked.
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange, Apply({-1, 0}, EventKind::Count, kMax));
}

// ---- TRANSFER_OUT ---------------------------------------------------------------------------

TEST(TransferOut, MovesUnreservedStock) {
    ExpectTransition(Apply({10, 3}, EventKind::TransferOut, 7), -7, 0, {3, 3}, 0);
    ExpectTransition(Apply({10, 3}, EventKind::TransferOut, 2), -2, 0, {8, 3}, 5);
}

TEST(TransferOut, BeyondUnreservedIsInsufficientStock) {
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({10, 3}, EventKind::TransferOut, 8));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock, Apply({0, 0}, EventKind::TransferOut, 1));
    EXPECT_ERROR_CODE(ErrorCode::InsufficientStock,
                      Apply({2, 5}, EventKind::TransferOut, 1, Backorders()));
}

TEST(TransferOut, SafetyStockCanBeTransferred) {
    ExpectTransition(Apply({10, 0}, EventKind::TransferOut, 10, SafetyStock(8)), -10, 0, {0, 0}, 0,
                     SafetyStock(8));
}

// ---- verify_recorded ------------------------------------------------------------------------

RecordedEvent Recorded(Quantity on_hand_change, Quantity reserved_change, Level after) {
    RecordedEvent recorded;
    recorded.on_hand_change = on_hand_change;
    recorded.reserved_change = reserved_change;
    recorded.after = after;
    return recorded;
}

TEST(VerifyRecorded, AcceptsWhatComputeTransitionProduces) {
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Receive, 5), Recorded(5, 0, {15, 2})));
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Fulfill, 2), Recorded(-2, -2, {8, 0})));
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Count, 4), Recorded(-6, 0, {4, 0})));
    EXPECT_NO_THROW(
        verify_recorded(Request(EventKind::Return, 3, "DAMAGED"), Recorded(0, 0, {1, 0})));
}

TEST(VerifyRecorded, AssumesBackordersAreAllowed) {
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Allocate, 50), Recorded(0, 50, {0, 50})));
}

TEST(VerifyRecorded, RefusesChangesTheQuantityDoesNotImply) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Receive, 5), Recorded(6, 0, {16, 0})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Receive, 5), Recorded(5, 1, {15, 1})));
    EXPECT_ERROR_CODE(
        ErrorCode::InvalidParameter,
        verify_recorded(Request(EventKind::Return, 3, "DAMAGED"), Recorded(3, 0, {3, 0})));
}

TEST(VerifyRecorded, ACountOfAStripeChecksItsReservedChangeOnly) {
    // The level counted 1 unit; its stripe 0 held 3 of the 4 units it had: -3 on that stripe.
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Count, 1), Recorded(-3, 0, {0, 0})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Count, 1), Recorded(-3, 1, {0, 1})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Count, 1), Recorded(-3, 0, {-1, 0})));
}

TEST(VerifyRecorded, ARebalanceMovesOnHandAndPartOfItReservedOneWay) {
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Rebalance, -4), Recorded(-4, 0, {1, 0})));
    EXPECT_NO_THROW(verify_recorded(Request(EventKind::Rebalance, 5), Recorded(5, 2, {9, 2})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Rebalance, 5), Recorded(4, 0, {9, 0})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Rebalance, -5), Recorded(-5, 2, {1, 3})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Rebalance, 2), Recorded(2, 3, {5, 3})));
}

TEST(VerifyRecorded, RefusesNegativeLevels) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Receive, 5), Recorded(5, 0, {-1, 0})));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::Receive, 5), Recorded(5, 0, {3, 0})));
}

TEST(VerifyRecorded, RefusesWhatTheRulesWouldRefuse) {
    // Before (5, 5): nothing is unreserved, so TRANSFER_OUT 3 is refused even though every
    // level is non-negative.
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      verify_recorded(Request(EventKind::TransferOut, 3), Recorded(-3, 0, {2, 5})));
    // DEALLOCATE beyond reserved leaves a negative reservation.
    EXPECT_ERROR_CODE(
        ErrorCode::InvalidParameter,
        verify_recorded(Request(EventKind::Deallocate, 5), Recorded(0, -5, {10, -1})));
}

TEST(VerifyRecorded, OverflowingRowIsRefused) {
    // before = after - change does not fit a bigint: inconsistent history, InvalidParameter.
    const auto error = test::CatchError([] {
        verify_recorded(Request(EventKind::Adjust, -5, "OTHER"), Recorded(-5, 0, {kMax, 0}));
    });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::InvalidParameter) << sqlstate(error->code());
}

}  // namespace
}  // namespace inventory
