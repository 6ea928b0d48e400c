#include "core/order_plan.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/ascii.hpp"
#include "core/error.hpp"

namespace inventory {
namespace {

constexpr Quantity kMaxQuantity = std::numeric_limits<Quantity>::max();

// a + b for non-negative quantities, capped at the largest quantity (a bound, not a figure).
Quantity capped_add(Quantity a, Quantity b) noexcept {
    return a > kMaxQuantity - b ? kMaxQuantity : a + b;
}

// Units a level can sell to this order: its available_to_sell, never below zero; none without
// a level.
Quantity sellable(const std::optional<CandidateLevel>& level) {
    if (!level) return 0;
    const Quantity available = available_to_sell(level->level, level->policy);
    return available > 0 ? available : 0;
}

// What a SKU may still take in the order being planned.
struct SkuState {
    std::vector<Quantity> free;    // per candidate: sellable units left
    bool can_backorder = false;    // in the first candidate
    std::optional<Quantity> room;  // backorder units left there; nullopt: no limit
    bool first_level_exists = false;
};

SkuState initial_state(const SkuStock& stock, std::size_t candidates) {
    if (stock.levels.size() != candidates) {
        throw Error(ErrorCode::Internal, "the order's stock does not name every candidate");
    }
    SkuState state;
    state.free.reserve(candidates);
    for (const auto& level : stock.levels) state.free.push_back(sellable(level));
    // The engine's rule (core/transition.hpp) on the level in the first candidate, or, while it
    // does not exist, on an empty level under the SKU's policy.
    const std::optional<CandidateLevel>& first = stock.levels.front();
    state.first_level_exists = first.has_value();
    const Policy& policy = first ? first->policy : stock.policy;
    state.can_backorder = policy.allow_backorder;
    state.room = backorder_allowance(first ? first->level : Level{}, policy);
    return state;
}

std::string sellable_detail(const OrderRequest& request, const std::vector<Quantity>& free,
                            const SkuState& before) {
    std::string detail = "Sellable now in the ";
    detail += request.ship_to ? "warehouses that ship to " + *request.ship_to : "warehouse";
    detail += ": ";
    for (std::size_t k = 0; k < free.size(); ++k) {
        if (k > 0) detail += ", ";
        detail += std::to_string(free[k]) + " in warehouse " +
                  std::to_string(request.candidates[k].warehouse_id);
    }
    detail += ".";
    if (before.can_backorder && before.room) {
        detail += " Backorders may take " + std::to_string(*before.room) + " more in warehouse " +
                  std::to_string(request.candidates.front().warehouse_id) + ".";
    }
    return detail;
}

[[noreturn]] void insufficient_stock(const OrderRequest& request, const OrderLine& line,
                                     const SkuState& before) {
    throw Error(ErrorCode::InsufficientStock,
                "insufficient stock for line " + line.id + " of order " + request.order_ref + ": " +
                    std::to_string(line.quantity) + " units of " + line.sku + " requested",
                sellable_detail(request, before.free, before),
                request.allow_split ? "Nothing was reserved."
                                    : "Nothing was reserved; allow_split => true may fill it from "
                                      "several warehouses.");
}

// What a short line could get as the order stands: all candidates with a split, the best one
// without, plus what a backorder may take in the first candidate.
Quantity could_get(const OrderRequest& request, const SkuState& before) {
    const std::vector<Quantity>& free = before.free;
    Quantity units = 0;
    if (request.allow_split) {
        for (Quantity f : free) units = checked_add(units, f, "available units");
    } else {
        units = *std::max_element(free.begin(), free.end());
    }
    if (!before.can_backorder) return units;
    // A line with a backorder and no limit is never short.
    const Quantity room = before.room.value_or(0);
    if (request.allow_split) return checked_add(units, room, "available units");
    return std::max(units, checked_add(free.front(), room, "available units"));
}

}  // namespace

void validate_order_ref(std::string_view order_ref) {
    const std::size_t length = utf8_length(order_ref);
    if (length < 1 || length > kMaxOrderRefLength || has_control_character(order_ref)) {
        throw Error(ErrorCode::InvalidIdentifier, "order_ref must be 1 to " +
                                                      std::to_string(kMaxOrderRefLength) +
                                                      " characters without control characters");
    }
}

bool valid_order_line_id(std::string_view line_id) noexcept {
    const std::size_t length = utf8_length(line_id);
    return length >= 1 && length <= kMaxOrderLineIdLength && !has_control_character(line_id) &&
           line_id.find('/') == std::string_view::npos;
}

std::string order_line_reference(std::string_view order_ref, std::string_view line_id) {
    std::string reference(order_ref);
    reference += '/';
    reference += line_id;
    return reference;
}

std::string_view to_string(AllocationStrategy strategy) noexcept {
    switch (strategy) {
        case AllocationStrategy::Priority:
            return "PRIORITY";
        case AllocationStrategy::MostStock:
            return "MOST_STOCK";
    }
    return "PRIORITY";
}

AllocationStrategy parse_allocation_strategy(std::string_view text) {
    const std::string upper = to_upper_ascii(text);
    for (AllocationStrategy strategy :
         {AllocationStrategy::Priority, AllocationStrategy::MostStock}) {
        if (upper == to_string(strategy)) return strategy;
    }
    throw Error(ErrorCode::InvalidParameter,
                "unknown allocation strategy \"" + std::string(text) + "\"", "",
                "Use PRIORITY or MOST_STOCK.");
}

bool draws_before(AllocationStrategy strategy, const RankedCandidate& a,
                  const RankedCandidate& b) noexcept {
    switch (strategy) {
        case AllocationStrategy::Priority:
            if (a.priority != b.priority) return a.priority < b.priority;
            if (a.sellable != b.sellable) return a.sellable > b.sellable;
            return a.warehouse_id < b.warehouse_id;
        case AllocationStrategy::MostStock:
            if (a.sellable != b.sellable) return a.sellable > b.sellable;
            if (a.priority != b.priority) return a.priority < b.priority;
            return a.warehouse_id < b.warehouse_id;
    }
    return false;
}

OnShortage parse_on_shortage(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    if (lower == "error") return OnShortage::Error;
    if (lower == "report") return OnShortage::Report;
    throw Error(ErrorCode::InvalidParameter,
                "on_shortage must be 'error' or 'report', not \"" + std::string(text) + "\"", "",
                "'report' reserves nothing and returns one row per short line instead of raising "
                "IV001.");
}

OrderPlan plan_order(const OrderRequest& request) {
    if (request.candidates.empty()) {
        throw Error(ErrorCode::NoServingWarehouse,
                    "no warehouse ships to " + request.ship_to.value_or("the order"), "",
                    "Let a warehouse serve it with inventory.inventory_serve_country().");
    }
    const std::size_t candidates = request.candidates.size();
    std::map<std::string, SkuState> skus;
    for (const auto& [sku, stock] : request.stock)
        skus.emplace(sku, initial_state(stock, candidates));

    OrderPlan plan;
    std::vector<std::size_t> ranks(candidates);
    std::vector<RankedCandidate> ranked(candidates);
    for (std::size_t i = 0; i < request.lines.size(); ++i) {
        const OrderLine& line = request.lines[i];
        const auto found = skus.find(line.sku);
        if (found == skus.end()) throw Error(ErrorCode::Internal, "no stock for a line's SKU");
        SkuState& sku = found->second;
        const SkuState before = sku;
        const std::size_t plan_start = plan.allocations.size();
        Quantity remaining = line.quantity;

        // Warehouses to draw from, best first.
        for (std::size_t k = 0; k < candidates; ++k) {
            ranked[k] = {request.candidates[k].warehouse_id, request.candidates[k].priority,
                         sku.free[k]};
        }
        std::iota(ranks.begin(), ranks.end(), std::size_t{0});
        std::stable_sort(ranks.begin(), ranks.end(), [&](std::size_t a, std::size_t b) {
            return draws_before(request.strategy, ranked[a], ranked[b]);
        });
        for (std::size_t k : ranks) {
            if (remaining == 0) break;
            const Quantity free = sku.free[k];
            if (free == 0 || (!request.allow_split && free < remaining)) continue;
            const Quantity take = std::min(free, remaining);
            plan.allocations.push_back({i, request.candidates[k].warehouse_id, take});
            sku.free[k] -= take;
            remaining -= take;
        }

        // Backorders: the rest waits in the first candidate, within its backorder allowance (one
        // ALLOCATE that takes what is sellable there first).
        bool needs_first_level = false;
        if (remaining > 0 && sku.can_backorder) {
            const Quantity first_free = sku.free.front();
            const Quantity take =
                sku.room ? std::min(remaining, capped_add(first_free, *sku.room)) : remaining;
            if (take > 0) {
                needs_first_level = !sku.first_level_exists;
                plan.allocations.push_back({i, request.candidates.front().warehouse_id, take});
                sku.free.front() = std::max<Quantity>(first_free - take, 0);
                if (sku.room) *sku.room -= std::max<Quantity>(take - first_free, 0);
                remaining -= take;
            }
        }

        if (remaining == 0) {
            if (needs_first_level) plan.missing_levels.insert(line.sku);
            continue;
        }
        if (request.on_shortage == OnShortage::Error) insufficient_stock(request, line, before);
        // The line takes nothing: its SKU's figures are as they were before it.
        plan.shortages.push_back({i, could_get(request, before)});
        sku = before;
        plan.allocations.resize(plan_start);
    }
    if (!plan.shortages.empty()) {  // nothing is reserved, and no level is needed
        plan.allocations.clear();
        plan.missing_levels.clear();
    }
    return plan;
}

}  // namespace inventory
