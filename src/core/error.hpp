#pragma once
#include "core/no_postgres.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace inventory {

// Every error the extension reports. Each maps to one documented SQLSTATE (README.md).
enum class ErrorCode {
    NullArgument,          // 22004
    InvalidParameter,      // 22023
    OutOfRange,            // 22003
    InsufficientStock,     // IV001
    IdempotencyConflict,   // IV002
    UnknownWarehouse,      // IV003
    InvalidQuantity,       // IV004
    UnknownEventType,      // IV005
    InvalidReason,         // IV006
    InsufficientReserved,  // IV007
    LedgerImmutable,       // IV008
    InvalidSku,            // IV009
    InvalidIdentifier,     // IV010
    PolicyConflict,        // IV011
    ForbiddenForRole,      // IV012
    ReferenceNotFound,     // IV013: no reservation, transfer or purchase order by that reference
    ReservationExpired,    // IV014
    ReferenceClosed,       // IV015: the reservation, transfer or purchase order is closed
    NoServingWarehouse,    // IV016: no warehouse serves the ship-to country
    ProgramLimitExceeded,  // 54000: an order with more lines than it may have
    UpgradeRequired,       // 55000: the database's extension schema is older than the library
    StockRecordsExist,     // 23503: a warehouse with stock records cannot go or be renumbered
    SerializationFailure,  // 40001: retry the transaction
    FeatureNotSupported,   // 0A000: a table carries what the engine's direct write path cannot run
    Internal,              // XX000
};

// The five-character SQLSTATE of a code, e.g. "IV001".
[[nodiscard]] std::string_view sqlstate(ErrorCode code) noexcept;

// The condition name documented next to the SQLSTATE, e.g. "insufficient_stock".
[[nodiscard]] std::string_view condition_name(ErrorCode code) noexcept;

// Where an Error was constructed: std::source_location's interface, built on the compiler
// builtins that std::source_location uses, because clang 14 (the fuzz build) has no
// <source_location>. As a default argument, current() is the caller's place.
class SourceLocation {
  public:
    [[nodiscard]] static constexpr SourceLocation current(
        const char* file = __builtin_FILE(), unsigned line = __builtin_LINE(),
        const char* function = __builtin_FUNCTION()) noexcept {
        return SourceLocation(file, line, function);
    }
    [[nodiscard]] constexpr const char* file_name() const noexcept { return file_; }
    [[nodiscard]] constexpr unsigned line() const noexcept { return line_; }
    [[nodiscard]] constexpr const char* function_name() const noexcept { return function_; }

  private:
    constexpr SourceLocation(const char* file, unsigned line, const char* function) noexcept
        : file_(file), line_(line), function_(function) {}
    const char* file_;  // static strings
    unsigned line_;
    const char* function_;
};

// An error with its SQLSTATE code, message, detail and hint. `where` defaults to the place the
// Error is constructed (file, line, function): the error bridge reports it as the error's LOCATION
// (file, line and function), so a report names the real place of the throw. Pass another Error's
// where() when re-throwing it with a changed message.
class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, std::string message, std::string detail = {}, std::string hint = {},
          SourceLocation where = SourceLocation::current())
        : std::runtime_error(std::move(message)),
          code_(code),
          detail_(std::move(detail)),
          hint_(std::move(hint)),
          where_(where) {}

    [[nodiscard]] ErrorCode code() const noexcept { return code_; }
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }
    [[nodiscard]] const std::string& hint() const noexcept { return hint_; }
    [[nodiscard]] const SourceLocation& where() const noexcept { return where_; }

  private:
    ErrorCode code_;
    std::string detail_;
    std::string hint_;
    SourceLocation where_;
};

}  // namespace inventory
