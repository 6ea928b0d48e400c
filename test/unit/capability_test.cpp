#include <gtest/gtest.h>

#include "core/capability.hpp"
#include "core/json_text.hpp"

namespace inventory {
namespace {

TEST(Capability, ApplicationsSellWarehousesStockBothShip) {
    const RoleSet app = GroupRole::App;
    const RoleSet warehouse = GroupRole::Warehouse;
    EXPECT_EQ(roles_for(EventKind::Allocate), app);
    EXPECT_EQ(roles_for(EventKind::Deallocate), app);
    EXPECT_EQ(roles_for(EventKind::Fulfill), app | warehouse);
    for (EventKind kind : {EventKind::Receive, EventKind::Return, EventKind::Adjust,
                           EventKind::Count, EventKind::TransferOut, EventKind::TransferIn}) {
        EXPECT_EQ(roles_for(kind), warehouse) << to_string(kind);
        EXPECT_FALSE(roles_for(kind).contains(GroupRole::App)) << to_string(kind);
    }
}

TEST(Capability, EveryEventTypeHasARole) {
    for (EventKind kind : {EventKind::Receive, EventKind::Allocate, EventKind::Deallocate,
                           EventKind::Fulfill, EventKind::Return, EventKind::Adjust,
                           EventKind::Count, EventKind::TransferOut, EventKind::TransferIn}) {
        EXPECT_FALSE(roles_for(kind).empty()) << to_string(kind);
    }
}

TEST(Capability, FunctionsThatCheckTheirCaller) {
    const RoleSet app = GroupRole::App;
    const RoleSet warehouse = GroupRole::Warehouse;
    for (const char* name :
         {"inventory_allocate_order", "inventory_release_order", "inventory_expire_reservations"}) {
        EXPECT_EQ(roles_for_function(name), app) << name;
    }
    for (const char* name :
         {"inventory_adjust", "inventory_dispatch_transfer", "inventory_receive_transfer",
          "inventory_expect_purchase_order", "inventory_receive_purchase_order",
          "inventory_cancel_purchase_order"}) {
        EXPECT_EQ(roles_for_function(name), warehouse) << name;
    }
    // Not in the table: the caller of such a function is refused (fail closed).
    EXPECT_EQ(roles_for_function("inventory_adjust_body"), std::nullopt);
    EXPECT_EQ(roles_for_function("inventory_create_warehouse"), std::nullopt);
    EXPECT_EQ(roles_for_function(""), std::nullopt);
}

TEST(Capability, RoleNames) {
    EXPECT_EQ(role_name(GroupRole::App), "inventory_app");
    EXPECT_EQ(role_name(GroupRole::Warehouse), "inventory_warehouse");
    EXPECT_EQ(role_names(roles_for(EventKind::Fulfill)), "inventory_app or inventory_warehouse");
    EXPECT_EQ(role_names(roles_for(EventKind::Receive)), "inventory_warehouse");
    EXPECT_EQ(role_names(RoleSet{}), "");
    EXPECT_TRUE(RoleSet{}.empty());
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
