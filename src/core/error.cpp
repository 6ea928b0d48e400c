#include "core/error.hpp"

namespace inventory {

std::string_view sqlstate(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::NullArgument:
            return "22004";
        case ErrorCode::InvalidParameter:
            return "22023";
        case ErrorCode::OutOfRange:
            return "22003";
        case ErrorCode::InsufficientStock:
            return "IV001";
        case ErrorCode::IdempotencyConflict:
            return "IV002";
        case ErrorCode::UnknownWarehouse:
            return "IV003";
        case ErrorCode::InvalidQuantity:
            return "IV004";
        case ErrorCode::UnknownEventType:
            return "IV005";
        case ErrorCode::InvalidReason:
            return "IV006";
        case ErrorCode::InsufficientReserved:
            return "IV007";
        case ErrorCode::LedgerImmutable:
            return "IV008";
        case ErrorCode::InvalidSku:
            return "IV009";
        case ErrorCode::InvalidIdentifier:
            return "IV010";
        case ErrorCode::PolicyConflict:
            return "IV011";
        case ErrorCode::ForbiddenForRole:
            return "IV012";
        case ErrorCode::ReferenceNotFound:
            return "IV013";
        case ErrorCode::ReservationExpired:
            return "IV014";
        case ErrorCode::ReferenceClosed:
            return "IV015";
        case ErrorCode::NoServingWarehouse:
            return "IV016";
        case ErrorCode::ProgramLimitExceeded:
            return "54000";
        case ErrorCode::UpgradeRequired:
            return "55000";
        case ErrorCode::StockRecordsExist:
            return "23503";
        case ErrorCode::SerializationFailure:
            return "40001";
        case ErrorCode::FeatureNotSupported:
            return "0A000";
        case ErrorCode::Internal:
            return "XX000";
    }
    return "XX000";
}

std::string_view condition_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::NullArgument:
            return "null_value_not_allowed";
        case ErrorCode::InvalidParameter:
            return "invalid_parameter_value";
        case ErrorCode::OutOfRange:
            return "numeric_value_out_of_range";
        case ErrorCode::InsufficientStock:
            return "insufficient_stock";
        case ErrorCode::IdempotencyConflict:
            return "idempotency_conflict";
        case ErrorCode::UnknownWarehouse:
            return "unknown_warehouse";
        case ErrorCode::InvalidQuantity:
            return "invalid_quantity";
        case ErrorCode::UnknownEventType:
            return "unknown_event_type";
        case ErrorCode::InvalidReason:
            return "invalid_reason";
        case ErrorCode::InsufficientReserved:
            return "insufficient_reserved";
        case ErrorCode::LedgerImmutable:
            return "ledger_immutable";
        case ErrorCode::InvalidSku:
            return "invalid_sku";
        case ErrorCode::InvalidIdentifier:
            return "invalid_identifier";
        case ErrorCode::PolicyConflict:
            return "policy_conflict";
        case ErrorCode::ForbiddenForRole:
            return "forbidden_for_role";
        case ErrorCode::ReferenceNotFound:
            return "reference_not_found";
        case ErrorCode::ReservationExpired:
            return "reservation_expired";
        case ErrorCode::ReferenceClosed:
            return "reference_closed";
        case ErrorCode::NoServingWarehouse:
            return "no_serving_warehouse";
        case ErrorCode::ProgramLimitExceeded:
            return "program_limit_exceeded";
        case ErrorCode::UpgradeRequired:
            return "object_not_in_prerequisite_state";
        case ErrorCode::StockRecordsExist:
            return "foreign_key_violation";
        case ErrorCode::SerializationFailure:
            return "serialization_failure";
        case ErrorCode::FeatureNotSupported:
            return "feature_not_supported";
        case ErrorCode::Internal:
            return "internal_error";
    }
    return "internal_error";
}

}  // namespace inventory
