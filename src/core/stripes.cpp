#include "core/stripes.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace inventory {

void validate_stripe_count(std::int32_t stripes) {
    if (stripes < 1 || stripes > kMaxStripes) {
        throw Error(ErrorCode::InvalidParameter,
                    "stripes must be between 1 and " + std::to_string(kMaxStripes) + ", not " +
                        std::to_string(stripes),
                    "",
                    "1 is a level in one row; a hot SKU takes as many sales at once as it "
                    "has stripes.");
    }
}

Quantity free_units(const Level& stripe) noexcept {
    return stripe.on_hand - stripe.reserved;
}

bool stripe_decides_allocation(const Policy& policy) noexcept {
    return policy.safety_stock == 0 && !policy.allow_backorder;
}

std::vector<StripeMove> gather_into_first(const std::map<std::int16_t, Level>& stripes,
                                          const std::map<std::int16_t, Quantity>& unassigned) {
    std::vector<StripeMove> moves;
    StripeMove into{0, 0, 0};
    for (const auto& [stripe, level] : stripes) {
        if (stripe == 0) continue;
        const auto found = unassigned.find(stripe);
        const Quantity reserved = found == unassigned.end() ? 0 : found->second;
        const Quantity units = free_units(level) + reserved;
        if (units <= 0) continue;
        moves.push_back({stripe, -units, -reserved});
        into.on_hand_change += units;
        into.reserved_change += reserved;
    }
    if (into.on_hand_change != 0) moves.push_back(into);
    return moves;
}

std::vector<StripeMove> gather_into(const std::map<std::int16_t, Level>& stripes,
                                    std::int16_t target, Quantity units) {
    std::vector<StripeMove> moves;
    Quantity gathered = 0;
    for (const auto& [stripe, level] : stripes) {
        if (gathered >= units) break;
        if (stripe == target) continue;
        const Quantity free = free_units(level);
        if (free <= 0) continue;
        const Quantity taken = std::min(free, units - gathered);
        moves.push_back({stripe, -taken, 0});
        gathered += taken;
    }
    if (gathered > 0) moves.push_back({target, gathered, 0});
    return moves;
}

std::vector<StripeMove> spread_evenly(const std::map<std::int16_t, Level>& stripes,
                                      std::int32_t count) {
    std::vector<StripeMove> moves;
    Quantity free = 0;
    std::int32_t receiving = 0;  // the stripes below count that exist
    for (const auto& [stripe, level] : stripes) {
        if (free_units(level) < 0) return moves;
        free += free_units(level);
        if (stripe < count) ++receiving;
    }
    if (receiving == 0) return moves;
    const Quantity share = free / receiving;
    const Quantity rest = free % receiving;
    const bool balanced = std::all_of(stripes.begin(), stripes.end(), [&](const auto& entry) {
        const Quantity units = free_units(entry.second);
        return entry.first < count ? units * 2 >= share : units == 0;
    });
    if (balanced) return moves;
    std::vector<StripeMove> in;
    std::int32_t position = 0;
    for (const auto& [stripe, level] : stripes) {
        Quantity goal = 0;
        if (stripe < count) goal = share + (position++ < rest ? 1 : 0);
        const Quantity change = goal - free_units(level);
        if (change < 0) moves.push_back({stripe, change, 0});
        if (change > 0) in.push_back({stripe, change, 0});
    }
    moves.insert(moves.end(), in.begin(), in.end());
    return moves;
}

}  // namespace inventory
