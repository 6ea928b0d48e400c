// Warehouses as the writers see them (pg/warehouses.cpp).
#pragma once

#include <cstdint>

namespace inventory::pg {

// Error(UnknownWarehouse) "unknown warehouse N" unless the warehouse exists. Requires SPI.
void require_warehouse(std::int32_t warehouse_id);

}  // namespace inventory::pg
