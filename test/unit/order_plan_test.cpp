#include "core/order_plan.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

using test::Backorders;
using test::CatchError;

CandidateLevel Stocked(Quantity on_hand, Quantity reserved = 0, Policy policy = {}) {
    return CandidateLevel{Level{on_hand, reserved}, policy};
}

// An order among candidates (warehouse id, priority); every SKU's levels are set with Stock().
struct Order {
    OrderRequest request;

    explicit Order(std::vector<CandidateWarehouse> candidates,
                   std::optional<std::string> ship_to = "US") {
        request.order_ref = "O-1";
        request.ship_to = std::move(ship_to);
        request.candidates = std::move(candidates);
    }
    Order& Line(const std::string& sku, Quantity quantity, std::string id = {}) {
        if (id.empty()) id = std::to_string(request.lines.size() + 1);
        request.lines.push_back({id, sku, quantity});
        request.stock.try_emplace(sku).first->second.levels.resize(request.candidates.size());
        return *this;
    }
    Order& Stock(const std::string& sku, std::vector<std::optional<CandidateLevel>> levels,
                 Policy policy = {}) {
        request.stock[sku] = SkuStock{std::move(levels), policy};
        return *this;
    }
    Order& Split() {
        request.allow_split = true;
        return *this;
    }
    Order& Strategy(AllocationStrategy strategy) {
        request.strategy = strategy;
        return *this;
    }
    Order& Report() {
        request.on_shortage = OnShortage::Report;
        return *this;
    }
    [[nodiscard]] OrderPlan Plan() const { return plan_order(request); }
};

using Allocations = std::vector<std::tuple<std::size_t, std::int32_t, Quantity>>;

Allocations Of(const OrderPlan& plan) {
    Allocations out;
    for (const auto& a : plan.allocations) out.emplace_back(a.line, a.warehouse_id, a.quantity);
    return out;
}

// New York (priority 10) and California (100) serve the US, as in sql/17_orders.sql.
const std::vector<CandidateWarehouse> kUs{{20, 10}, {21, 100}};

TEST(OrderPlan, PriorityTakesTheFirstWarehouseThatHoldsTheWholeLine) {
    Order order(kUs);
    order.Line("SHIRT", 3).Line("MUG", 3).Line("SHIRT", 4);
    order.Stock("SHIRT", {Stocked(5), Stocked(10)}).Stock("MUG", {Stocked(3), std::nullopt});
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 20, 3}, {1, 20, 3}, {2, 21, 4}}));
}

TEST(OrderPlan, MostStockTakesTheWarehouseWithMostSellableUnits) {
    Order order(kUs);
    order.Line("SHIRT", 1).Stock("SHIRT", {Stocked(2), Stocked(6)});
    EXPECT_EQ(Of(order.Strategy(AllocationStrategy::MostStock).Plan()), (Allocations{{0, 21, 1}}));
    EXPECT_EQ(Of(order.Strategy(AllocationStrategy::Priority).Plan()), (Allocations{{0, 20, 1}}));
}

TEST(OrderPlan, APriorityTieGoesToMoreStockThenToTheLowerId) {
    Order order({{10, 100}, {21, 100}});
    order.Line("MUG", 1).Stock("MUG", {Stocked(1), Stocked(4)});
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 21, 1}}));
    order.Stock("MUG", {Stocked(4), Stocked(4)});
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 10, 1}}));
}

TEST(OrderPlan, ComparatorsOrderTheirKeys) {
    const RankedCandidate near_small{1, 10, 2}, far_big{2, 100, 9}, near_big{3, 10, 9};
    EXPECT_TRUE(draws_before(AllocationStrategy::Priority, near_small, far_big));
    EXPECT_TRUE(draws_before(AllocationStrategy::Priority, near_big, near_small));
    EXPECT_TRUE(draws_before(AllocationStrategy::MostStock, far_big, near_small));
    EXPECT_TRUE(draws_before(AllocationStrategy::MostStock, near_big, far_big));
    EXPECT_FALSE(draws_before(AllocationStrategy::MostStock, near_big, near_big));
}

TEST(OrderPlan, WithoutASplitALineNeedsOneWarehouseThatHoldsItAll) {
    Order order(kUs);
    order.Line("SHIRT", 7).Stock("SHIRT", {Stocked(2), Stocked(5)});
    const auto error = CatchError([&] { (void)order.Plan(); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::InsufficientStock);
    EXPECT_STREQ(error->what(),
                 "insufficient stock for line 1 of order O-1: 7 units of SHIRT requested");
    EXPECT_EQ(error->detail(),
              "Sellable now in the warehouses that ship to US: 2 in warehouse 20, 5 in "
              "warehouse 21.");
    EXPECT_EQ(error->hint(),
              "Nothing was reserved; allow_split => true may fill it from several warehouses.");
    EXPECT_EQ(Of(order.Split().Plan()), (Allocations{{0, 20, 2}, {0, 21, 5}}));
}

TEST(OrderPlan, SellableUnitsHonourReservationsAndSafetyStock) {
    Policy safety;
    safety.safety_stock = 2;
    Order order({{1, 0}}, std::nullopt);
    order.Line("A", 3).Stock("A", {Stocked(10, 5, safety)});
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 1, 3}}));
    order.request.lines[0].quantity = 4;
    const auto error = CatchError([&] { (void)order.Plan(); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->detail(), "Sellable now in the warehouse: 3 in warehouse 1.");
    EXPECT_EQ(error->hint(),
              "Nothing was reserved; allow_split => true may fill it from "
              "several warehouses.");
}

TEST(OrderPlan, LinesOfOneSkuShareItsStock) {
    Order order(kUs);
    order.Line("SOCK", 4).Line("SOCK", 2).Stock("SOCK", {Stocked(3), Stocked(2)}).Split().Report();
    const OrderPlan plan = order.Plan();
    EXPECT_TRUE(plan.allocations.empty());
    ASSERT_EQ(plan.shortages.size(), 1u);
    EXPECT_EQ(plan.shortages[0].line, 1u);
    EXPECT_EQ(plan.shortages[0].available, 1);
}

TEST(OrderPlan, AShortLineTakesNothingAndTheNextLinesArePlannedOn) {
    // sql/22_orders_hardening.sql: without a split a line gets at most one warehouse's stock.
    Order order({{60, 1}, {61, 2}}, "PT");
    order.Line("CAP", 1).Line("SOCK", 4).Line("SOCK", 3, "x").Line("NONE", 1);
    order.Stock("CAP", {std::nullopt, Stocked(10)})
        .Stock("SOCK", {Stocked(3), Stocked(2)})
        .Stock("NONE", {std::nullopt, std::nullopt})
        .Report();
    const OrderPlan plan = order.Plan();
    EXPECT_TRUE(plan.allocations.empty());
    ASSERT_EQ(plan.shortages.size(), 2u);
    EXPECT_EQ(plan.shortages[0].line, 1u);
    EXPECT_EQ(plan.shortages[0].available, 3);
    EXPECT_EQ(plan.shortages[1].line, 3u);
    EXPECT_EQ(plan.shortages[1].available, 0);
}

TEST(OrderPlan, BackordersWaitInTheFirstCandidateWithinTheLimit) {
    // The SKU's policy allows 5; the level there does not exist yet.
    Order order(kUs);
    order.Line("PRE", 3).Stock("PRE", {std::nullopt, std::nullopt}, Backorders(5));
    const OrderPlan plan = order.Plan();
    EXPECT_EQ(Of(plan), (Allocations{{0, 20, 3}}));
    EXPECT_EQ(plan.missing_levels, (std::set<std::string>{"PRE"}));

    // Once it exists with 3 backordered, 2 more fit.
    order.Stock("PRE", {Stocked(0, 3, Backorders(5)), std::nullopt}, Backorders(5));
    const auto error = CatchError([&] { (void)order.Plan(); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->detail(),
              "Sellable now in the warehouses that ship to US: 0 in warehouse 20, 0 in "
              "warehouse 21. Backorders may take 2 more in warehouse 20.");
    order.request.lines[0].quantity = 2;
    const OrderPlan fits = order.Plan();
    EXPECT_EQ(Of(fits), (Allocations{{0, 20, 2}}));
    EXPECT_TRUE(fits.missing_levels.empty());
}

TEST(OrderPlan, StockElsewhereNeedsNoBackorderLevel) {
    Order order({{60, 1}, {61, 2}}, "PT");
    order.Line("PRE", 2).Stock("PRE", {std::nullopt, Stocked(5, 0, Backorders(20))},
                               Backorders(20));
    const OrderPlan plan = order.Plan();
    EXPECT_EQ(Of(plan), (Allocations{{0, 61, 2}}));
    EXPECT_TRUE(plan.missing_levels.empty());
    order.request.lines[0].quantity = 10;
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 60, 10}}));
}

TEST(OrderPlan, ABackorderTakesTheSellableUnitsFirst) {
    // 1 on hand, a limit of 2: a line gets at most 3; two lines share the allowance.
    const Policy limit = Backorders(2);
    Order order({{60, 0}}, std::nullopt);
    order.Line("LIM", 10).Stock("LIM", {Stocked(1, 0, limit)}, limit).Report();
    OrderPlan plan = order.Plan();
    ASSERT_EQ(plan.shortages.size(), 1u);
    EXPECT_EQ(plan.shortages[0].available, 3);

    order.request.lines = {{"1", "LIM", 2}, {"2", "LIM", 2}};
    plan = order.Plan();
    ASSERT_EQ(plan.shortages.size(), 1u);
    EXPECT_EQ(plan.shortages[0].line, 1u);
    EXPECT_EQ(plan.shortages[0].available, 1);

    order.request.lines = {{"1", "LIM", 3}};
    EXPECT_EQ(Of(order.Plan()), (Allocations{{0, 60, 3}}));
}

TEST(OrderPlan, AShortLineLeavesItsSkuAsItWas) {
    // Line 1 would backorder 2 and then be short; line 2 still sees the whole allowance.
    const Policy limit = Backorders(2);
    Order order({{1, 0}}, std::nullopt);
    order.Line("B", 5).Line("B", 2).Stock("B", {Stocked(0, 0, limit)}, limit).Report();
    const OrderPlan plan = order.Plan();
    ASSERT_EQ(plan.shortages.size(), 1u);
    EXPECT_EQ(plan.shortages[0].line, 0u);
    EXPECT_EQ(plan.shortages[0].available, 2);
}

TEST(OrderPlan, NoCandidateIsNoServingWarehouse) {
    Order order({}, "FR");
    order.request.lines.push_back({"1", "A", 1});
    const auto error = CatchError([&] { (void)order.Plan(); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::NoServingWarehouse);
    EXPECT_STREQ(error->what(), "no warehouse ships to FR");
}

TEST(OrderPlan, UnlimitedBackordersAreNeverShort) {
    Order order(kUs);
    order.Line("U", 1'000'000).Stock("U", {Stocked(1, 0, Backorders()), Stocked(7)}, Backorders());
    EXPECT_EQ(Of(order.Split().Plan()), (Allocations{{0, 20, 1}, {0, 21, 7}, {0, 20, 999'992}}));
}

TEST(OrderPlan, Identifiers) {
    EXPECT_NO_THROW(validate_order_ref(std::string(200, 'a')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_order_ref(std::string(201, 'a')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_order_ref(""));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_order_ref("a\tb"));
    EXPECT_NO_THROW(validate_order_ref("\u00e9"));
    EXPECT_TRUE(valid_order_line_id(std::string(50, 'x')));
    EXPECT_FALSE(valid_order_line_id(std::string(51, 'x')));
    EXPECT_FALSE(valid_order_line_id(""));
    EXPECT_FALSE(valid_order_line_id("1/2"));
    EXPECT_FALSE(valid_order_line_id("a\nb"));
    EXPECT_EQ(order_line_reference("W-1", "2"), "W-1/2");
    // The longest order_ref and line id still make a valid reference_id.
    EXPECT_NO_THROW(validate_identifier(
        "reference_id", order_line_reference(std::string(200, 'a'), std::string(50, 'b'))));
}

TEST(OrderPlan, Parsing) {
    EXPECT_EQ(parse_allocation_strategy("most_stock"), AllocationStrategy::MostStock);
    EXPECT_EQ(parse_allocation_strategy("Priority"), AllocationStrategy::Priority);
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, parse_allocation_strategy("CHEAPEST"));
    EXPECT_EQ(parse_on_shortage("REPORT"), OnShortage::Report);
    EXPECT_EQ(parse_on_shortage("error"), OnShortage::Error);
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, parse_on_shortage("ignore"));
}

}  // namespace
}  // namespace inventory
