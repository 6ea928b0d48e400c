#include "core/stripes.hpp"

#include <string>

#include "core/error.hpp"

namespace inventory {

void validate_stripe_count(std::int32_t stripes) {
    if (stripes < 1 || stripes > kMaxStripes) {
        throw Error(ErrorCode::InvalidParameter,
                    "stripes must be between 1 and " + std::to_string(kMaxStripes) + ", not " +
                        std::to_string(stripes),
                    "", "1 is a level in one row; a hot SKU takes as many sales at once as it "
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

std::vector<StripeMove> spread_from_first(const std::map<std::int16_t, Level>& stripes,
                                          std::int32_t count) {
    std::vector<StripeMove> moves;
    const auto first = stripes.find(0);
    if (count <= 1 || first == stripes.end()) return moves;
    const Quantity free = free_units(first->second);
    if (free <= 0) return moves;
    const Quantity share = free / count;
    const Quantity rest = free % count;
    std::vector<StripeMove> into;
    Quantity given = 0;
    for (std::int16_t stripe = 1; stripe < count; ++stripe) {
        if (!stripes.contains(stripe)) continue;
        const Quantity units = share + (stripe < rest ? 1 : 0);
        if (units == 0) continue;
        into.push_back({stripe, units, 0});
        given += units;
    }
    if (given == 0) return moves;
    moves.push_back({0, -given, 0});
    moves.insert(moves.end(), into.begin(), into.end());
    return moves;
}

}  // namespace inventory
