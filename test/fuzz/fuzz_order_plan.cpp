// libFuzzer target for the order planner (core/order_plan.hpp): decodes candidate warehouses,
// the stock of a few SKUs there (levels that are valid rows, or absent), the SKUs' policies and
// an order's lines, plans the order and checks
//  * that the plan equals the one of an independent model below (written from the rules in
//    README's Orders section, in 128-bit arithmetic, without the core's helpers): the same
//    ALLOCATEs, the same short lines with the same figures, the same levels to create, or the same
//    IV001 for the same line;
//  * that the event engine's own rule (core/transition.hpp compute_transition) accepts every
//    planned ALLOCATE in plan order on the levels (an absent level: empty, under the SKU's policy);
//  * that every line is reserved whole, without a split from one warehouse (plus its backorder).
// inventory::Error is the only exception the core may throw. A mismatch traps.
// Build: cmake -DINVENTORY_FUZZ=ON -DINVENTORY_UNIT_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "core/event.hpp"
#include "core/order_plan.hpp"
#include "core/transition.hpp"

namespace {

using namespace inventory;
using Wide = __int128;

using inventory::fuzz::Violation;

class Reader {
  public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    // Mostly small quantities, where the rules interact; now and then a large one.
    Quantity Amount() {
        const std::uint8_t b = Byte();
        if (b < 240) return b % 12;
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
        return static_cast<Quantity>(v >> (1 + (b % 8) * 4));
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

Policy ReadPolicy(Reader& in) {
    Policy policy;
    const std::uint8_t b = in.Byte();
    policy.safety_stock = (b & 1) ? in.Amount() : 0;
    policy.allow_backorder = (b & 2) != 0;
    if (policy.allow_backorder && (b & 4)) policy.backorder_limit = in.Amount();
    return policy;
}

// A row the table's constraints and the engine allow: backordered units only with backorders,
// and within the limit.
std::optional<CandidateLevel> ReadLevel(Reader& in, const Policy& sku_policy) {
    const std::uint8_t b = in.Byte();
    if (b % 4 == 0) return std::nullopt;
    CandidateLevel level;
    level.policy = (b & 4) ? ReadPolicy(in) : sku_policy;
    level.level.on_hand = in.Amount();
    level.level.reserved = in.Amount();
    const Wide backordered = Wide{level.level.reserved} - level.level.on_hand;
    if (backordered > 0) {
        const bool fits =
            level.policy.allow_backorder &&
            (!level.policy.backorder_limit || backordered <= *level.policy.backorder_limit);
        if (!fits) level.level.reserved = level.level.on_hand;
    }
    return level;
}

// ---- the model ----------------------------------------------------------------------------------

struct ModelSku {
    std::vector<Wide> free;
    bool backorders = false;
    bool unlimited = false;
    Wide room = 0;
    bool first_exists = false;
};

struct ModelResult {
    bool error = false;  // IV001 for line `error_line`
    std::size_t error_line = 0;
    std::vector<std::tuple<std::size_t, std::int32_t, Wide>> allocations;
    std::vector<std::pair<std::size_t, Wide>> shortages;
    std::set<std::string> missing;
};

Wide ModelSellable(const CandidateLevel& l) {
    const Wide free = Wide{l.level.on_hand} - l.level.reserved;
    if (free < 0) return 0;
    const Wide after_safety = free - l.policy.safety_stock;
    return after_safety > 0 ? after_safety : 0;
}

ModelResult Model(const OrderRequest& r) {
    ModelResult out;
    std::map<std::string, ModelSku> skus;
    for (const auto& [name, stock] : r.stock) {
        ModelSku s;
        for (const auto& level : stock.levels) s.free.push_back(level ? ModelSellable(*level) : 0);
        const auto& first = stock.levels[0];
        const Policy p = first ? first->policy : stock.policy;
        const Wide on_hand = first ? first->level.on_hand : 0;
        const Wide reserved = first ? first->level.reserved : 0;
        s.first_exists = first.has_value();
        s.backorders = p.allow_backorder;
        s.unlimited = p.allow_backorder && !p.backorder_limit;
        if (p.allow_backorder && p.backorder_limit) {
            const Wide backordered = reserved > on_hand ? reserved - on_hand : 0;
            s.room = std::max<Wide>(Wide{*p.backorder_limit} - backordered, 0);
        }
        skus[name] = s;
    }
    const std::size_t n = r.candidates.size();
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const OrderLine& line = r.lines[i];
        ModelSku& s = skus.at(line.sku);
        const ModelSku saved = s;
        const std::size_t mark = out.allocations.size();
        // Rank by a key tuple: smaller is better.
        std::vector<std::tuple<Wide, Wide, Wide, std::size_t>> keys;
        for (std::size_t k = 0; k < n; ++k) {
            const Wide pr = r.candidates[k].priority, id = r.candidates[k].warehouse_id;
            if (r.strategy == AllocationStrategy::Priority) {
                keys.emplace_back(pr, -s.free[k], id, k);
            } else {
                keys.emplace_back(-s.free[k], pr, id, k);
            }
        }
        std::sort(keys.begin(), keys.end());
        Wide left = line.quantity;
        for (const auto& key : keys) {
            const std::size_t k = std::get<3>(key);
            if (left == 0 || s.free[k] == 0) continue;
            if (!r.allow_split && s.free[k] < left) continue;
            const Wide take = std::min(s.free[k], left);
            out.allocations.emplace_back(i, r.candidates[k].warehouse_id, take);
            s.free[k] -= take;
            left -= take;
        }
        bool needs_level = false;
        if (left > 0 && s.backorders) {
            const Wide take = s.unlimited ? left : std::min(left, s.free[0] + s.room);
            if (take > 0) {
                needs_level = !s.first_exists;
                out.allocations.emplace_back(i, r.candidates[0].warehouse_id, take);
                if (!s.unlimited) s.room -= std::max<Wide>(take - s.free[0], 0);
                s.free[0] = std::max<Wide>(s.free[0] - take, 0);
                left -= take;
            }
        }
        if (left == 0) {
            if (needs_level) out.missing.insert(line.sku);
            continue;
        }
        if (r.on_shortage == OnShortage::Error) {
            out.error = true;
            out.error_line = i;
            return out;
        }
        Wide could = 0;
        for (Wide f : saved.free) could = r.allow_split ? could + f : std::max(could, f);
        if (saved.backorders) {
            could =
                r.allow_split ? could + saved.room : std::max(could, saved.free[0] + saved.room);
        }
        out.shortages.emplace_back(i, could);
        s = saved;
        out.allocations.resize(mark);
    }
    if (!out.shortages.empty()) {
        out.allocations.clear();
        out.missing.clear();
    }
    return out;
}

// The engine's rule accepts each planned ALLOCATE in order.
void CheckEngineAccepts(const OrderRequest& r, const OrderPlan& plan) {
    std::map<std::pair<std::string, std::int32_t>, CandidateLevel> levels;
    for (const auto& [sku, stock] : r.stock) {
        for (std::size_t k = 0; k < r.candidates.size(); ++k) {
            CandidateLevel level =
                stock.levels[k] ? *stock.levels[k] : CandidateLevel{Level{}, stock.policy};
            levels[{sku, r.candidates[k].warehouse_id}] = level;
        }
    }
    std::vector<Wide> per_line(r.lines.size(), 0);
    std::map<std::size_t, std::set<std::int32_t>> warehouses;
    for (const PlannedAllocation& a : plan.allocations) {
        FUZZ_CHECK(a.line < r.lines.size());
        FUZZ_CHECK(a.quantity > 0);
        CandidateLevel& level = levels.at({r.lines[a.line].sku, a.warehouse_id});
        const EventRequest event = make_request(r.lines[a.line].sku, a.warehouse_id,
                                                EventKind::Allocate, a.quantity, std::nullopt);
        try {
            level.level = compute_transition(level.level, level.policy, event).after;
        } catch (const Error& e) {
            // A level beyond bigint is the engine's 22003 in the database too.
            if (e.code() == ErrorCode::OutOfRange) return;
            std::fprintf(stderr, "%s: %s\n", e.what(), e.detail().c_str());
            Violation("the engine refuses a planned ALLOCATE");
        }
        per_line[a.line] += a.quantity;
        warehouses[a.line].insert(a.warehouse_id);
    }
    if (!plan.allocations.empty()) {
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            FUZZ_CHECK(per_line[i] == r.lines[i].quantity);
            if (!r.allow_split) {
                // One warehouse, plus the first candidate for a backorder.
                std::set<std::int32_t> others = warehouses[i];
                others.erase(r.candidates[0].warehouse_id);
                FUZZ_CHECK(others.size() <= 1);
                FUZZ_CHECK(others.empty() || warehouses[i].size() == 1);
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in(data, size);
    OrderRequest r;
    r.order_ref = "O";
    const std::uint8_t flags = in.Byte();
    r.strategy = (flags & 1) ? AllocationStrategy::MostStock : AllocationStrategy::Priority;
    r.allow_split = (flags & 2) != 0;
    r.on_shortage = (flags & 4) ? OnShortage::Report : OnShortage::Error;
    if (flags & 8) r.ship_to = "US";
    const std::size_t candidates = (flags >> 4) % 5;  // 0: nobody serves the country
    std::set<std::int32_t> ids;
    for (std::size_t k = 0; k < candidates; ++k) {
        std::int32_t id = 1 + in.Byte() % 8;
        while (ids.contains(id)) ++id;
        ids.insert(id);
        r.candidates.push_back({id, static_cast<std::int32_t>(in.Byte() % 3)});
    }
    std::sort(r.candidates.begin(), r.candidates.end(), [](const auto& a, const auto& b) {
        return std::tie(a.priority, a.warehouse_id) < std::tie(b.priority, b.warehouse_id);
    });
    const std::size_t sku_count = 1 + in.Byte() % 3;
    for (std::size_t s = 0; s < sku_count; ++s) {
        SkuStock stock;
        stock.policy = ReadPolicy(in);
        for (std::size_t k = 0; k < candidates; ++k)
            stock.levels.push_back(ReadLevel(in, stock.policy));
        r.stock["S" + std::to_string(s)] = stock;
    }
    const std::size_t lines = 1 + in.Byte() % 6;
    for (std::size_t i = 0; i < lines; ++i) {
        Quantity q = in.Amount();
        if (q == 0) q = 1;
        r.lines.push_back({std::to_string(i + 1), "S" + std::to_string(in.Byte() % sku_count), q});
    }

    OrderPlan plan;
    try {
        plan = plan_order(r);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NoServingWarehouse) {
            FUZZ_CHECK(candidates == 0);
            return 0;
        }
        if (e.code() == ErrorCode::OutOfRange) return 0;  // a figure beyond bigint
        FUZZ_CHECK(e.code() == ErrorCode::InsufficientStock);
        FUZZ_CHECK(candidates > 0);
        const ModelResult model = Model(r);
        FUZZ_CHECK(model.error);
        const std::string expected =
            "insufficient stock for line " + r.lines[model.error_line].id + " of order O:";
        FUZZ_CHECK(std::string(e.what()).starts_with(expected));
        return 0;
    }
    FUZZ_CHECK(candidates > 0);
    const ModelResult model = Model(r);
    FUZZ_CHECK(!model.error);
    FUZZ_CHECK(model.allocations.size() == plan.allocations.size());
    for (std::size_t i = 0; i < plan.allocations.size(); ++i) {
        const auto& [line, warehouse, quantity] = model.allocations[i];
        FUZZ_CHECK(plan.allocations[i].line == line);
        FUZZ_CHECK(plan.allocations[i].warehouse_id == warehouse);
        FUZZ_CHECK(Wide{plan.allocations[i].quantity} == quantity);
    }
    FUZZ_CHECK(model.shortages.size() == plan.shortages.size());
    for (std::size_t i = 0; i < plan.shortages.size(); ++i) {
        FUZZ_CHECK(plan.shortages[i].line == model.shortages[i].first);
        FUZZ_CHECK(Wide{plan.shortages[i].available} == model.shortages[i].second);
        FUZZ_CHECK(plan.shortages[i].available < r.lines[plan.shortages[i].line].quantity);
    }
    FUZZ_CHECK(plan.shortages.empty() || plan.allocations.empty());
    FUZZ_CHECK(model.missing == plan.missing_levels);
    CheckEngineAccepts(r, plan);
    return 0;
}
