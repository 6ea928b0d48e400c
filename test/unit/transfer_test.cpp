#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "core/error.hpp"
#include "core/transfer.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

Transfer InTransit(Quantity quantity, Quantity received = 0) {
    return Transfer{30, 31, quantity, received, TransferStatus::InTransit};
}

TEST(Transfer, StatusSpellings) {
    EXPECT_EQ(to_string(TransferStatus::InTransit), "IN_TRANSIT");
    EXPECT_EQ(parse_transfer_status("RECEIVED"), TransferStatus::Received);
    EXPECT_ERROR_CODE(ErrorCode::Internal, parse_transfer_status("received"));
}

TEST(Transfer, RouteNeedsTwoWarehouses) {
    EXPECT_NO_THROW(check_transfer_route(30, 31));
    auto error = test::CatchError([] { check_transfer_route(30, 30); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::InvalidParameter);
    EXPECT_STREQ(error->what(), "cannot transfer within one warehouse (30)");
}

TEST(Transfer, RetriedDispatchMustBeTheSame) {
    const Transfer stored = InTransit(6);
    EXPECT_NO_THROW(require_same_dispatch(stored, "T-1", "BOX", 30, 31, 6));
    auto error = test::CatchError([&] { require_same_dispatch(stored, "T-1", "BOX", 30, 31, 5); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::IdempotencyConflict);
    EXPECT_STREQ(error->what(), "transfer T-1 of BOX was already dispatched differently");
    EXPECT_EQ(error->detail(), "It moves 6 units from warehouse 30 to warehouse 31.");
    EXPECT_ERROR_CODE(ErrorCode::IdempotencyConflict,
                      require_same_dispatch(stored, "T-1", "BOX", 31, 30, 6));
    EXPECT_ERROR_CODE(ErrorCode::IdempotencyConflict,
                      require_same_dispatch(stored, "T-1", "BOX", 30, 32, 6));
    EXPECT_ERROR_CODE(ErrorCode::IdempotencyConflict, dispatched_differently("T-1", "BOX"));
}

TEST(Transfer, ReceiptTakesWhatIsInTransitByDefault) {
    EXPECT_EQ(receipt_units(InTransit(6, 4), std::nullopt, "T-1", "BOX"), 2);
    EXPECT_EQ(receipt_units(InTransit(6, 4), 1, "T-1", "BOX"), 1);
    EXPECT_EQ(receipt_units(InTransit(6), 6, "T-1", "BOX"), 6);
}

TEST(Transfer, ReceiptNeverBeyondInTransit) {
    auto error = test::CatchError([] { (void)receipt_units(InTransit(6, 4), 3, "T-1", "BOX"); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::InvalidQuantity);
    EXPECT_STREQ(error->what(), "cannot receive 3 units of transfer T-1 of BOX: 2 in transit");
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      receipt_units(InTransit(6), std::numeric_limits<Quantity>::max(), "T", "B"));
}

TEST(Transfer, ReceiptOfAReceivedLineIsClosed) {
    Transfer done = InTransit(6, 6);
    done.status = TransferStatus::Received;
    auto error = test::CatchError([&] { (void)receipt_units(done, std::nullopt, "T-1", "BOX"); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::ReferenceClosed);
    EXPECT_STREQ(error->what(), "transfer T-1 of BOX has been received in full");
}

TEST(Transfer, NonPositiveUnitsAreLeftToTheEvent) {
    // TRANSFER_IN's own rule reports them (IV004 "TRANSFER_IN quantity must be positive").
    EXPECT_EQ(receipt_units(InTransit(6), 0, "T-1", "BOX"), 0);
    EXPECT_EQ(receipt_units(InTransit(6), -1, "T-1", "BOX"), -1);
}

TEST(Transfer, AfterReceipt) {
    const Transfer part = after_receipt(InTransit(6), 4);
    EXPECT_EQ(part.received, 4);
    EXPECT_EQ(part.in_transit(), 2);
    EXPECT_EQ(part.status, TransferStatus::InTransit);
    const Transfer full = after_receipt(part, 2);
    EXPECT_EQ(full.received, 6);
    EXPECT_EQ(full.in_transit(), 0);
    EXPECT_EQ(full.status, TransferStatus::Received);
}

}  // namespace
}  // namespace inventory
