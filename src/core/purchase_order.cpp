#include "core/purchase_order.hpp"

#include <string>

#include "core/error.hpp"
#include "core/event.hpp"

namespace inventory {
namespace {

std::string line_name(std::string_view po_ref, std::string_view sku) {
    return "purchase order " + std::string(po_ref) + " of " + std::string(sku);
}

}  // namespace

std::string_view to_string(PurchaseOrderStatus status) noexcept {
    switch (status) {
        case PurchaseOrderStatus::Open:
            return "OPEN";
        case PurchaseOrderStatus::Received:
            return "RECEIVED";
        case PurchaseOrderStatus::Cancelled:
            return "CANCELLED";
    }
    return "OPEN";
}

PurchaseOrderStatus parse_purchase_order_status(std::string_view text) {
    for (PurchaseOrderStatus status : {PurchaseOrderStatus::Open, PurchaseOrderStatus::Received,
                                       PurchaseOrderStatus::Cancelled}) {
        if (to_string(status) == text) return status;
    }
    throw Error(ErrorCode::Internal, "unknown purchase order status \"" + std::string(text) + "\"");
}

void validate_po_ref(std::string_view po_ref) {
    const std::size_t length = utf8_length(po_ref);
    if (length < 1 || length > kMaxPoRefLength || has_control_character(po_ref)) {
        throw Error(ErrorCode::InvalidIdentifier, "po_ref must be 1 to " +
                                                      std::to_string(kMaxPoRefLength) +
                                                      " characters without control characters");
    }
}

void validate_ordered_quantity(Quantity quantity) {
    if (quantity <= 0) {
        throw Error(ErrorCode::InvalidQuantity,
                    "quantity must be positive, not " + std::to_string(quantity));
    }
}

PurchaseOrderLine revised(const PurchaseOrderLine& line, std::string_view po_ref,
                          std::string_view sku, std::int32_t warehouse_id, Quantity quantity) {
    if (line.status != PurchaseOrderStatus::Open) {
        std::string status(to_string(line.status));
        for (char& c : status) c = static_cast<char>(c - 'A' + 'a');  // ASCII upper-case letters
        throw Error(ErrorCode::ReferenceClosed, line_name(po_ref, sku) + " is " + status);
    }
    if (line.warehouse_id != warehouse_id) {
        throw Error(ErrorCode::InvalidParameter, line_name(po_ref, sku) + " goes to warehouse " +
                                                     std::to_string(line.warehouse_id));
    }
    if (quantity < line.received) {
        throw Error(ErrorCode::InvalidQuantity, line_name(po_ref, sku) + ": " +
                                                    std::to_string(line.received) +
                                                    " units were received already");
    }
    PurchaseOrderLine after = line;
    after.ordered = quantity;
    after.status =
        line.received >= quantity ? PurchaseOrderStatus::Received : PurchaseOrderStatus::Open;
    return after;
}

void require_receivable(const PurchaseOrderLine& line, std::string_view po_ref,
                        std::string_view sku, bool retry) {
    if (line.status == PurchaseOrderStatus::Cancelled && !retry) {
        throw Error(ErrorCode::ReferenceClosed, line_name(po_ref, sku) + " is cancelled");
    }
}

PurchaseOrderLine after_receipt(const PurchaseOrderLine& line, Quantity quantity) {
    PurchaseOrderLine after = line;
    after.received = checked_add(line.received, quantity, "received");
    after.status =
        after.received >= line.ordered ? PurchaseOrderStatus::Received : PurchaseOrderStatus::Open;
    return after;
}

}  // namespace inventory
