#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/purchase_order.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

PurchaseOrderLine Line(Quantity ordered, Quantity received = 0,
                       PurchaseOrderStatus status = PurchaseOrderStatus::Open) {
    return PurchaseOrderLine{31, ordered, received, status};
}

TEST(PurchaseOrder, StatusSpellings) {
    EXPECT_EQ(to_string(PurchaseOrderStatus::Cancelled), "CANCELLED");
    EXPECT_EQ(parse_purchase_order_status("OPEN"), PurchaseOrderStatus::Open);
    EXPECT_EQ(parse_purchase_order_status("RECEIVED"), PurchaseOrderStatus::Received);
    EXPECT_ERROR_CODE(ErrorCode::Internal, parse_purchase_order_status("open"));
}

TEST(PurchaseOrder, PoRef) {
    EXPECT_NO_THROW(validate_po_ref("PO-7"));
    EXPECT_NO_THROW(validate_po_ref(std::string(255, 'x')));
    // Characters, not bytes: 255 two-byte characters pass.
    std::string wide;
    for (int i = 0; i < 255; ++i) wide += "\xc3\xa9";
    EXPECT_NO_THROW(validate_po_ref(wide));
    auto error = test::CatchError([] { validate_po_ref(""); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::InvalidIdentifier);
    EXPECT_STREQ(error->what(), "po_ref must be 1 to 255 characters without control characters");
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_po_ref(std::string(256, 'x')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_po_ref("PO\t7"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_po_ref("PO\xc2\x85"));  // U+0085
}

TEST(PurchaseOrder, OrderedQuantity) {
    EXPECT_NO_THROW(validate_ordered_quantity(1));
    auto error = test::CatchError([] { validate_ordered_quantity(0); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::InvalidQuantity);
    EXPECT_STREQ(error->what(), "quantity must be positive, not 0");
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_ordered_quantity(-3));
}

TEST(PurchaseOrder, RevisedOpenLine) {
    const PurchaseOrderLine grown = revised(Line(20), "PO-7", "BOX", 31, 25);
    EXPECT_EQ(grown.ordered, 25);
    EXPECT_EQ(grown.status, PurchaseOrderStatus::Open);
    // Down to what arrived: the line is complete.
    const PurchaseOrderLine done = revised(Line(20, 15), "PO-7", "BOX", 31, 15);
    EXPECT_EQ(done.status, PurchaseOrderStatus::Received);
}

TEST(PurchaseOrder, RevisedRefusals) {
    auto closed = test::CatchError(
        [] { (void)revised(Line(20, 20, PurchaseOrderStatus::Received), "PO-7", "BOX", 31, 25); });
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code(), ErrorCode::ReferenceClosed);
    EXPECT_STREQ(closed->what(), "purchase order PO-7 of BOX is received");
    auto cancelled = test::CatchError(
        [] { (void)revised(Line(20, 0, PurchaseOrderStatus::Cancelled), "PO-7", "BOX", 31, 25); });
    ASSERT_TRUE(cancelled);
    EXPECT_STREQ(cancelled->what(), "purchase order PO-7 of BOX is cancelled");
    auto elsewhere = test::CatchError([] { (void)revised(Line(20), "PO-7", "BOX", 30, 25); });
    ASSERT_TRUE(elsewhere);
    EXPECT_EQ(elsewhere->code(), ErrorCode::InvalidParameter);
    EXPECT_STREQ(elsewhere->what(), "purchase order PO-7 of BOX goes to warehouse 31");
    auto fewer = test::CatchError([] { (void)revised(Line(20, 15), "PO-7", "BOX", 31, 10); });
    ASSERT_TRUE(fewer);
    EXPECT_EQ(fewer->code(), ErrorCode::InvalidQuantity);
    EXPECT_STREQ(fewer->what(), "purchase order PO-7 of BOX: 15 units were received already");
}

TEST(PurchaseOrder, CancelledLineTakesRetriesOnly) {
    const PurchaseOrderLine cancelled = Line(5, 2, PurchaseOrderStatus::Cancelled);
    auto error = test::CatchError([&] { require_receivable(cancelled, "PO-8", "BOX", false); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::ReferenceClosed);
    EXPECT_STREQ(error->what(), "purchase order PO-8 of BOX is cancelled");
    EXPECT_NO_THROW(require_receivable(cancelled, "PO-8", "BOX", true));
    EXPECT_NO_THROW(require_receivable(Line(5), "PO-8", "BOX", false));
    EXPECT_NO_THROW(require_receivable(Line(5, 5, PurchaseOrderStatus::Received), "P", "B", false));
}

TEST(PurchaseOrder, AfterReceipt) {
    const PurchaseOrderLine part = after_receipt(Line(25), 15);
    EXPECT_EQ(part.received, 15);
    EXPECT_EQ(part.status, PurchaseOrderStatus::Open);
    // More than ordered is recorded; the line is complete.
    const PurchaseOrderLine over = after_receipt(part, 12);
    EXPECT_EQ(over.received, 27);
    EXPECT_EQ(over.status, PurchaseOrderStatus::Received);
    EXPECT_ERROR_CODE(ErrorCode::OutOfRange,
                      after_receipt(Line(5, 1), std::numeric_limits<Quantity>::max()));
}

}  // namespace
}  // namespace inventory
