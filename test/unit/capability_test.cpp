#include <gtest/gtest.h>

#include "core/capability.hpp"
#include "core/json_text.hpp"

namespace inventory {
namespace {

TEST(Capability, ApplicationsSellWarehousesStock) {
    EXPECT_EQ(required_capability(EventKind::Allocate), Capability::Sell);
    EXPECT_EQ(required_capability(EventKind::Deallocate), Capability::Sell);
    EXPECT_EQ(required_capability(EventKind::Fulfill), Capability::Sell);
    for (EventKind kind : {EventKind::Receive, EventKind::Return, EventKind::Adjust,
                           EventKind::Count, EventKind::TransferOut, EventKind::TransferIn}) {
        EXPECT_EQ(required_capability(kind), Capability::Warehouse) << to_string(kind);
    }
}

TEST(Capability, RoleNames) {
    EXPECT_EQ(role_for(Capability::Sell), "inventory_app");
    EXPECT_EQ(role_for(Capability::Warehouse), "inventory_warehouse");
}

TEST(JsonQuote, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(json_quote("SKU-1"), "\"SKU-1\"");
    EXPECT_EQ(json_quote("a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(json_quote("a\\b"), "\"a\\\\b\"");
    EXPECT_EQ(json_quote("a\nb\tc"), "\"a\\nb\\tc\"");
    EXPECT_EQ(json_quote(std::string("a\x01z")), "\"a\\u0001z\"");
    EXPECT_EQ(json_quote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace inventory
