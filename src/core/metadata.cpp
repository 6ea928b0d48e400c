#include "core/metadata.hpp"

#include <string>

#include "core/error.hpp"

namespace inventory {

void validate_unit_cost(UnitCostShape shape, std::string_view shown) {
    if (shape == UnitCostShape::Absent || shape == UnitCostShape::NonNegativeNumber) return;
    constexpr std::size_t kShownMax = 40;
    std::string value(shown);
    if (shown.size() > kShownMax) {
        std::size_t cut = kShownMax;  // never inside a UTF-8 sequence
        while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
        value = std::string(shown.substr(0, cut)) + "...";
    }
    throw Error(ErrorCode::InvalidParameter,
                "metadata unit_cost must be a non-negative JSON number, not " + value,
                shape == UnitCostShape::NegativeNumber
                    ? "A cost per unit cannot be negative."
                    : "inventory_losses multiplies units by metadata.unit_cost.",
                "Pass the cost per unit as a number without currency, e.g. "
                "'{\"unit_cost\": 12.50}'; keep the currency in another key.");
}

}  // namespace inventory
