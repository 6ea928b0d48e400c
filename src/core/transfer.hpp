// Transfers with goods in transit (inventory_transfers): a dispatch takes the units out of the
// source (TRANSFER_OUT), receipts book them into the destination (TRANSFER_IN), in parts, never
// more than is still in transit. The rules a dispatch and a receipt follow, on one transfer
// line (transfer_ref, sku).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/quantity.hpp"

namespace inventory {

enum class TransferStatus {
    InTransit,  // units are on their way
    Received,   // every unit was booked in
};

// Spelling stored in inventory_transfers.status, e.g. "IN_TRANSIT".
[[nodiscard]] std::string_view to_string(TransferStatus status) noexcept;
// Throws Error(Internal) for an unknown spelling.
[[nodiscard]] TransferStatus parse_transfer_status(std::string_view text);

// A transfer line as stored.
struct Transfer {
    std::int32_t from_warehouse_id = 0;
    std::int32_t to_warehouse_id = 0;
    Quantity quantity = 0;
    Quantity received = 0;
    TransferStatus status = TransferStatus::InTransit;

    [[nodiscard]] Quantity in_transit() const { return quantity - received; }
};

// A transfer stays between two warehouses: InvalidParameter for one warehouse.
void check_transfer_route(std::int32_t from_warehouse_id, std::int32_t to_warehouse_id);

// A dispatch of a transfer line that exists must be the same dispatch (a retry): otherwise
// IdempotencyConflict, with what the stored one moves in the detail.
void require_same_dispatch(const Transfer& stored, std::string_view transfer_ref,
                           std::string_view sku, std::int32_t from_warehouse_id,
                           std::int32_t to_warehouse_id, Quantity quantity);

// The IdempotencyConflict of a dispatch that lost the race to create the line to another
// dispatch of the same transfer line (to another warehouse).
[[noreturn]] void dispatched_differently(std::string_view transfer_ref, std::string_view sku);

// The units a new receipt books: `requested`, or all that is in transit when none is given.
// ReferenceClosed once the line is received in full; InvalidQuantity beyond what is in
// transit. (A quantity that is not positive is the TRANSFER_IN event's own error.)
[[nodiscard]] Quantity receipt_units(const Transfer& transfer, std::optional<Quantity> requested,
                                     std::string_view transfer_ref, std::string_view sku);

// The line after a receipt of `units` (checked by receipt_units): RECEIVED once nothing is left
// in transit.
[[nodiscard]] Transfer after_receipt(const Transfer& transfer, Quantity units);

}  // namespace inventory
