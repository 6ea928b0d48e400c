// Purchase orders (inventory_purchase_orders): one line per (po_ref, sku) expected in one
// warehouse. What is ordered and not yet received counts as incoming while the line is OPEN;
// receipts are RECEIVE events. The rules a line follows when it is expected (again), received
// and cancelled.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string_view>

#include "core/quantity.hpp"

namespace inventory {

enum class PurchaseOrderStatus {
    Open,       // expected; ordered - received (if positive) is incoming
    Received,   // at least what was ordered arrived
    Cancelled,  // nothing more is expected
};

// Spelling stored in inventory_purchase_orders.status, e.g. "OPEN".
[[nodiscard]] std::string_view to_string(PurchaseOrderStatus status) noexcept;
// Throws Error(Internal) for an unknown spelling.
[[nodiscard]] PurchaseOrderStatus parse_purchase_order_status(std::string_view text);

inline constexpr std::size_t kMaxPoRefLength = 255;

// A line as stored.
struct PurchaseOrderLine {
    std::int32_t warehouse_id = 0;
    Quantity ordered = 0;
    Quantity received = 0;
    PurchaseOrderStatus status = PurchaseOrderStatus::Open;
};

// po_ref is 1..255 characters without control characters: InvalidIdentifier.
void validate_po_ref(std::string_view po_ref);

// What a line orders is positive: InvalidQuantity.
void validate_ordered_quantity(Quantity quantity);

// The line after it is expected again with `quantity` to `warehouse_id`: only an OPEN line
// changes (ReferenceClosed otherwise), it keeps its warehouse (InvalidParameter), and it never
// orders less than has arrived (InvalidQuantity). It is RECEIVED when that much arrived already.
[[nodiscard]] PurchaseOrderLine revised(const PurchaseOrderLine& line, std::string_view po_ref,
                                        std::string_view sku, std::int32_t warehouse_id,
                                        Quantity quantity);

// A new receipt on a CANCELLED line is refused (ReferenceClosed); `retry`: the receipt's
// idempotency key is in the ledger already, so the event replays (or conflicts) whatever
// happened to the line since.
void require_receivable(const PurchaseOrderLine& line, std::string_view po_ref,
                        std::string_view sku, bool retry);

// The line after `quantity` more arrived: RECEIVED once at least what was ordered arrived (a
// supplier may send more than ordered; it is recorded).
[[nodiscard]] PurchaseOrderLine after_receipt(const PurchaseOrderLine& line, Quantity quantity);

}  // namespace inventory
