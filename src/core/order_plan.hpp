// The order planner: which warehouse reserves how many units of each line of an order, as a pure
// function of the order and of the stock its candidate warehouses have (read by the glue,
// pg/orders.cpp, under the level locks). It decides nothing else: the glue writes the plan's
// ALLOCATEs through the event engine, which checks each one again.
//
// A line is filled from its candidate warehouses best first (AllocationStrategy: an enum value
// and its comparator); without allow_split one warehouse must hold the whole line. What no
// warehouse has may be backordered in the first candidate, as far as the SKU's backorder rules
// there allow. A line that still is short takes nothing (its SKU's figures are as before it):
// with OnShortage::Error the first one raises IV001, with OnShortage::Report each is returned
// with what it could get, and the lines after it are planned on.
#pragma once
#include "core/no_postgres.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/quantity.hpp"
#include "core/transition.hpp"

namespace inventory {

// ---- identifiers of an order ------------------------------------------------------------------

// An order's reservations are named order_ref/line, a reference_id (kMaxIdentifierLength).
inline constexpr std::size_t kMaxOrderRefLength = 200;
inline constexpr std::size_t kMaxOrderLineIdLength = 50;
static_assert(kMaxOrderRefLength + 1 + kMaxOrderLineIdLength <= kMaxIdentifierLength);

// At most this many lines: the order's levels stay locked while it is planned and written.
inline constexpr std::size_t kMaxOrderLines = 1000;

// order_ref: 1..200 characters, no control characters. Error(InvalidIdentifier).
void validate_order_ref(std::string_view order_ref);

// Whether a line id is acceptable: 1..50 characters, no control character and no "/" (so that
// order_ref/line names one line of one order).
[[nodiscard]] bool valid_order_line_id(std::string_view line_id) noexcept;

// The reference_id of a line's reservations: order_ref/line.
[[nodiscard]] std::string order_line_reference(std::string_view order_ref,
                                               std::string_view line_id);

// ---- strategies -------------------------------------------------------------------------------

enum class AllocationStrategy { Priority, MostStock };

// "PRIORITY", "MOST_STOCK": the spelling stored in inventory_orders.strategy.
[[nodiscard]] std::string_view to_string(AllocationStrategy strategy) noexcept;

// Case-insensitive (ASCII). Error(InvalidParameter) for anything else.
[[nodiscard]] AllocationStrategy parse_allocation_strategy(std::string_view text);

// A candidate warehouse of a line as its strategy sees it.
struct RankedCandidate {
    std::int32_t warehouse_id = 0;
    std::int32_t priority = 0;  // serving priority, lower is preferred
    Quantity sellable = 0;      // units the line's SKU can still sell there in this order
};

// True when `a` is to be drawn from before `b`. PRIORITY: serving priority, then most sellable
// units, then warehouse id. MOST_STOCK: most sellable units, then priority, then id.
[[nodiscard]] bool draws_before(AllocationStrategy strategy, const RankedCandidate& a,
                                const RankedCandidate& b) noexcept;

// ---- the plan ---------------------------------------------------------------------------------

enum class OnShortage { Error, Report };

// 'error' or 'report', case-insensitive (ASCII). Error(InvalidParameter) for anything else.
[[nodiscard]] OnShortage parse_on_shortage(std::string_view text);

struct OrderLine {
    std::string id;  // the caller's line id, or its position
    std::string sku;
    Quantity quantity = 0;  // positive
};

struct CandidateWarehouse {
    std::int32_t warehouse_id = 0;
    std::int32_t priority = 0;
};

// A level of a candidate warehouse as read (under its row lock, for the final plan), or absent.
struct CandidateLevel {
    Level level;
    Policy policy;  // the copy kept in the level row
};

// What a SKU of the order may take, per candidate.
struct SkuStock {
    std::vector<std::optional<CandidateLevel>> levels;  // one per candidate, in candidate order
    Policy policy;  // the SKU's policy (inventory_sku_policies; the defaults without a row): what
                    // a backorder may take in the first candidate while its level is absent
};

struct OrderRequest {
    std::string order_ref;
    std::optional<std::string> ship_to;  // the country, or none for a fixed warehouse
    std::vector<OrderLine> lines;
    std::vector<CandidateWarehouse> candidates;  // best first: (priority, warehouse id)
    std::map<std::string, SkuStock> stock;       // every SKU of the lines
    AllocationStrategy strategy = AllocationStrategy::Priority;
    bool allow_split = false;
    OnShortage on_shortage = OnShortage::Error;
};

// One ALLOCATE to make.
struct PlannedAllocation {
    std::size_t line = 0;  // index into OrderRequest::lines
    std::int32_t warehouse_id = 0;
    Quantity quantity = 0;
};

// A line that cannot be filled (OnShortage::Report).
struct ShortLine {
    std::size_t line = 0;
    Quantity available = 0;  // what it could get as the order stands
};

struct OrderPlan {
    std::vector<PlannedAllocation> allocations;  // in line order; empty when a line is short
    std::vector<ShortLine> shortages;            // in line order
    // SKUs whose planned backorder needs their level in the first candidate, which is absent:
    // the glue creates those levels (before locking any) and plans again.
    std::set<std::string> missing_levels;
};

// Plans the order. Throws Error(NoServingWarehouse) when there is no candidate, and
// Error(InsufficientStock) for the first short line with OnShortage::Error.
[[nodiscard]] OrderPlan plan_order(const OrderRequest& request);

}  // namespace inventory
