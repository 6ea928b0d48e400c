#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/quantity.hpp"

namespace inventory {

enum class EventKind {
    Receive,      // +on_hand
    Allocate,     // +reserved
    Deallocate,   // -reserved
    Fulfill,      // -on_hand, -reserved
    Return,       // +on_hand (RESTOCK) or no sellable change (DAMAGED)
    Adjust,       // signed on_hand change, reason required
    Count,        // counted on_hand; the change is computed
    TransferOut,  // -on_hand at the source, written only by inventory_transfer
    TransferIn,   // +on_hand at the destination, written only by inventory_transfer
    Rebalance,    // signed on_hand change of one stripe of a level (with the reserved units no
                  // reservation holds, when those move too), written only by the event engine
                  // when it moves stock between the stripes of a level: a move sums to zero
};

// Canonical spelling stored in the ledger, e.g. "RECEIVE", "TRANSFER_OUT".
[[nodiscard]] std::string_view to_string(EventKind kind) noexcept;

// Parses an event type case-insensitively. Throws Error(UnknownEventType) for anything else.
// TRANSFER_OUT / TRANSFER_IN are only accepted when `allow_engine_rows` is set: they come in
// pairs and are written by inventory_transfer(), never one at a time by an application;
// REBALANCE too (the engine writes it, a restore reads it back).
[[nodiscard]] EventKind parse_event_kind(std::string_view text, bool allow_engine_rows);

inline constexpr std::size_t kMaxSkuLength = 255;
inline constexpr std::size_t kMaxIdentifierLength = 255;
inline constexpr std::size_t kMaxReasonLength = 255;

// Whether text has a C0 control, DEL, or a C1 control (U+0080..U+009F).
[[nodiscard]] bool has_control_character(std::string_view text) noexcept;

// Number of characters in a UTF-8 string (continuation bytes are not counted).
[[nodiscard]] std::size_t utf8_length(std::string_view text) noexcept;

// Which SKU rules apply. Current: every rule below. Recorded: the rules of 0.3.0 only (length,
// control characters, a blank or no-break space at either end), for restored history: a ledger
// row that 0.3.0 accepted is restored as it was, while new events on its SKU are refused.
enum class SkuRules { Current, Recorded };

// A SKU is 1..255 characters, with no control characters and no leading or trailing blank, so
// that "ABC" and "ABC " can never become two stock records; and, so that two SKUs never look
// the same (SkuRules::Current): no bidirectional control and no invisible character anywhere
// (zero-width characters, the byte-order mark, the soft hyphen, line and paragraph separators),
// no format character (Cf), separator or space other than U+0020 at either end. Throws
// Error(InvalidSku). Unicode normalization (NFC) is checked in the database (pg/event_request.hpp,
// check_sku).
void validate_sku(std::string_view sku, SkuRules rules = SkuRules::Current);

// reference_id and idempotency_key: 1..255 characters, no control characters.
// Throws Error(InvalidIdentifier) naming `field`.
void validate_identifier(std::string_view field, std::string_view value);

// Validates `quantity` for `kind` (positive magnitudes; ADJUST and REBALANCE non-zero; COUNT
// non-negative).
// Throws Error(InvalidQuantity).
void validate_quantity(EventKind kind, Quantity quantity);

// Returns the reason to store: RETURN defaults to RESTOCK and accepts RESTOCK or DAMAGED, ADJUST
// requires one of the adjustment reasons, other kinds take an optional free-text reason.
// Codes are matched case-insensitively and stored upper-case. Throws Error(InvalidReason).
[[nodiscard]] std::optional<std::string> normalize_reason(EventKind kind,
                                                          std::optional<std::string_view> reason);

// The reasons ADJUST accepts, as documented in README.md.
[[nodiscard]] bool is_adjustment_reason(std::string_view upper_reason) noexcept;

// What a caller asks for: one event on one (sku, warehouse) level. Build it with make_request,
// which validates every field.
struct EventRequest {
    std::string sku;
    std::int32_t warehouse_id = 0;
    EventKind kind = EventKind::Receive;
    Quantity quantity = 0;
    std::optional<std::string> reason;  // normalized
};

[[nodiscard]] EventRequest make_request(std::string_view sku, std::int32_t warehouse_id,
                                        EventKind kind, Quantity quantity,
                                        std::optional<std::string_view> reason,
                                        SkuRules sku_rules = SkuRules::Current);

}  // namespace inventory
