#pragma once
#include "core/no_postgres.hpp"

#include <string_view>

namespace inventory {

// What an event's metadata holds under "unit_cost", the one key the views read (inventory_losses
// values units at it). The glue classifies the jsonb value; the rule is here.
enum class UnitCostShape {
    Absent,             // no "unit_cost" key
    NonNegativeNumber,  // a JSON number >= 0: accepted
    NegativeNumber,     // a JSON number < 0
    NotANumber,         // a string, boolean, null, array or object
};

// Refuses (InvalidParameter, 22023) metadata whose "unit_cost" is present and not a
// non-negative JSON number; `shown` is the value as JSON text, quoted in the message.
void validate_unit_cost(UnitCostShape shape, std::string_view shown);

}  // namespace inventory
