#include "core/transfer.hpp"

#include <string>

#include "core/error.hpp"

namespace inventory {
namespace {

std::string line_name(std::string_view transfer_ref, std::string_view sku) {
    return "transfer " + std::string(transfer_ref) + " of " + std::string(sku);
}

}  // namespace

std::string_view to_string(TransferStatus status) noexcept {
    return status == TransferStatus::Received ? "RECEIVED" : "IN_TRANSIT";
}

TransferStatus parse_transfer_status(std::string_view text) {
    if (text == "IN_TRANSIT") return TransferStatus::InTransit;
    if (text == "RECEIVED") return TransferStatus::Received;
    throw Error(ErrorCode::Internal, "unknown transfer status \"" + std::string(text) + "\"");
}

void check_transfer_route(std::int32_t from_warehouse_id, std::int32_t to_warehouse_id) {
    if (from_warehouse_id == to_warehouse_id) {
        throw Error(
            ErrorCode::InvalidParameter,
            "cannot transfer within one warehouse (" + std::to_string(from_warehouse_id) + ")", "",
            "from_warehouse_id and to_warehouse_id must differ.");
    }
}

void require_same_dispatch(const Transfer& stored, std::string_view transfer_ref,
                           std::string_view sku, std::int32_t from_warehouse_id,
                           std::int32_t to_warehouse_id, Quantity quantity) {
    if (stored.from_warehouse_id == from_warehouse_id &&
        stored.to_warehouse_id == to_warehouse_id && stored.quantity == quantity) {
        return;
    }
    throw Error(ErrorCode::IdempotencyConflict,
                line_name(transfer_ref, sku) + " was already dispatched differently",
                "It moves " + std::to_string(stored.quantity) + " units from warehouse " +
                    std::to_string(stored.from_warehouse_id) + " to warehouse " +
                    std::to_string(stored.to_warehouse_id) + ".");
}

void dispatched_differently(std::string_view transfer_ref, std::string_view sku) {
    throw Error(ErrorCode::IdempotencyConflict,
                line_name(transfer_ref, sku) + " was already dispatched differently");
}

Quantity receipt_units(const Transfer& transfer, std::optional<Quantity> requested,
                       std::string_view transfer_ref, std::string_view sku) {
    if (transfer.status == TransferStatus::Received) {
        throw Error(ErrorCode::ReferenceClosed,
                    line_name(transfer_ref, sku) + " has been received in full");
    }
    const Quantity units = requested.value_or(transfer.in_transit());
    if (units > transfer.in_transit()) {
        throw Error(ErrorCode::InvalidQuantity, "cannot receive " + std::to_string(units) +
                                                    " units of " + line_name(transfer_ref, sku) +
                                                    ": " + std::to_string(transfer.in_transit()) +
                                                    " in transit");
    }
    return units;
}

Transfer after_receipt(const Transfer& transfer, Quantity units) {
    Transfer after = transfer;
    after.received = checked_add(transfer.received, units, "received");
    if (after.received == after.quantity) after.status = TransferStatus::Received;
    return after;
}

}  // namespace inventory
