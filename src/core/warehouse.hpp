// Warehouses and the countries they serve: the rules of their fields.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace inventory {

// An ISO 3166-1 alpha-2 country as stored: two ASCII letters, upper-cased whatever the locale
// ("us" is "US", also under a Turkish LC_CTYPE, where upper('i') is not 'I'). Anything else is
// Error(InvalidParameter) naming `field`.
[[nodiscard]] std::string normalize_country(std::string_view country,
                                            std::string_view field = "country");

// True when a ship-to argument is 1 to 10 ASCII digits: a warehouse id, never a country. A client
// that sends both arguments of inventory_ats untyped reaches its (sku, ship_to text) form even
// when it means inventory_ats(sku, warehouse_id).
[[nodiscard]] bool ship_to_is_warehouse_id(std::string_view ship_to) noexcept;

// A warehouse code: 1 to 32 ASCII letters, digits, "_", "." or "-", starting with a letter or a
// digit. Error(InvalidParameter) otherwise.
void validate_warehouse_code(std::string_view code);

// A warehouse name: 1 to 200 characters. Error(InvalidParameter) otherwise.
void validate_warehouse_name(std::string_view name);

// A serving priority: zero or more (lower is preferred). Error(InvalidParameter) otherwise.
void validate_serving_priority(std::int32_t priority);

}  // namespace inventory
