#include "core/event.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/error.hpp"

namespace inventory {
namespace {

struct KindName {
    EventKind kind;
    std::string_view name;
};

constexpr std::array<KindName, 9> kKindNames{{
    {EventKind::Receive, "RECEIVE"},
    {EventKind::Allocate, "ALLOCATE"},
    {EventKind::Deallocate, "DEALLOCATE"},
    {EventKind::Fulfill, "FULFILL"},
    {EventKind::Return, "RETURN"},
    {EventKind::Adjust, "ADJUST"},
    {EventKind::Count, "COUNT"},
    {EventKind::TransferOut, "TRANSFER_OUT"},
    {EventKind::TransferIn, "TRANSFER_IN"},
}};

constexpr std::array<std::string_view, 9> kAdjustmentReasons{
    "DAMAGED", "SHRINKAGE", "THEFT",  "CORRECTION", "OFFLINE_SALE",
    "EXPIRED", "FOUND",     "SAMPLE", "OTHER",
};

std::string to_upper_ascii(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

// C0 controls, DEL, and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F).
bool has_control_character(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) return true;
        if (c == 0xC2 && i + 1 < text.size()) {
            const auto next = static_cast<unsigned char>(text[i + 1]);
            if (next >= 0x80 && next <= 0x9F) return true;
        }
    }
    return false;
}

// A space or a no-break space (U+00A0) at either end.
bool has_blank_edge(std::string_view text) noexcept {
    constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
    return text.front() == ' ' || text.back() == ' ' || text.starts_with(kNoBreakSpace) ||
           text.ends_with(kNoBreakSpace);
}

// At most 40 bytes of `text`, cut on a UTF-8 character boundary, in quotes.
std::string quoted_prefix(std::string_view text) {
    constexpr std::size_t kShown = 40;
    std::size_t cut = std::min(text.size(), kShown);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    std::string out = "\"";
    out.append(text.substr(0, cut));
    if (cut < text.size()) out.append("...");
    out.append("\"");
    return out;
}

}  // namespace

std::string_view to_string(EventKind kind) noexcept {
    for (const auto& entry : kKindNames) {
        if (entry.kind == kind) return entry.name;
    }
    return "UNKNOWN";
}

EventKind parse_event_kind(std::string_view text, bool allow_transfer_legs) {
    const std::string upper = to_upper_ascii(text);
    for (const auto& entry : kKindNames) {
        if (entry.name != upper) continue;
        const bool is_leg =
            entry.kind == EventKind::TransferOut || entry.kind == EventKind::TransferIn;
        if (is_leg && !allow_transfer_legs) {
            throw Error(ErrorCode::UnknownEventType,
                        "event type " + upper + " cannot be applied on its own",
                        "Transfer legs are written in pairs by inventory_transfer().",
                        "Call inventory.inventory_transfer(sku, from_warehouse_id, "
                        "to_warehouse_id, quantity).");
        }
        return entry.kind;
    }
    if (upper == "TRANSFER") {
        throw Error(ErrorCode::UnknownEventType,
                    "event type TRANSFER needs a source and a destination warehouse", "",
                    "Call inventory.inventory_transfer(sku, from_warehouse_id, "
                    "to_warehouse_id, quantity).");
    }
    throw Error(ErrorCode::UnknownEventType, "unknown event type " + quoted_prefix(text), "",
                "Event types are RECEIVE, ALLOCATE, DEALLOCATE, FULFILL, RETURN, ADJUST "
                "and COUNT; transfers use inventory_transfer().");
}

std::size_t utf8_length(std::string_view text) noexcept {
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

void validate_sku(std::string_view sku) {
    if (sku.empty()) {
        throw Error(ErrorCode::InvalidSku, "SKU must not be empty");
    }
    const std::size_t length = utf8_length(sku);
    if (length > kMaxSkuLength) {
        throw Error(ErrorCode::InvalidSku,
                    "SKU is too long: " + std::to_string(length) + " characters",
                    "A SKU has at most " + std::to_string(kMaxSkuLength) + " characters.");
    }
    if (has_control_character(sku)) {
        throw Error(ErrorCode::InvalidSku,
                    "SKU " + quoted_prefix(sku) + " contains a control character");
    }
    if (has_blank_edge(sku)) {
        throw Error(ErrorCode::InvalidSku,
                    "SKU " + quoted_prefix(sku) + " has a leading or trailing blank", "",
                    "Trim the SKU: \"ABC\" and \"ABC \" would otherwise be two stock records.");
    }
}

void validate_identifier(std::string_view field, std::string_view value) {
    const std::string name(field);
    if (value.empty()) {
        throw Error(ErrorCode::InvalidIdentifier, name + " must not be empty", "",
                    "Pass NULL when there is no " + name + ".");
    }
    const std::size_t length = utf8_length(value);
    if (length > kMaxIdentifierLength) {
        throw Error(ErrorCode::InvalidIdentifier,
                    name + " is too long: " + std::to_string(length) + " characters",
                    "At most " + std::to_string(kMaxIdentifierLength) + " characters.");
    }
    if (has_control_character(value)) {
        throw Error(ErrorCode::InvalidIdentifier, name + " contains a control character");
    }
}

void validate_quantity(EventKind kind, Quantity quantity) {
    const std::string kind_name(to_string(kind));
    switch (kind) {
        case EventKind::Adjust:
            if (quantity == 0) {
                throw Error(ErrorCode::InvalidQuantity, "ADJUST quantity must not be zero",
                            "ADJUST takes the signed change of on_hand.");
            }
            return;
        case EventKind::Count:
            if (quantity < 0) {
                throw Error(ErrorCode::InvalidQuantity,
                            "COUNT quantity must not be negative, got " + std::to_string(quantity),
                            "COUNT takes the counted physical on_hand.");
            }
            return;
        default:
            if (quantity <= 0) {
                throw Error(
                    ErrorCode::InvalidQuantity,
                    kind_name + " quantity must be positive, got " + std::to_string(quantity),
                    kind_name + " takes a positive number of units.");
            }
            return;
    }
}

bool is_adjustment_reason(std::string_view upper_reason) noexcept {
    return std::find(kAdjustmentReasons.begin(), kAdjustmentReasons.end(), upper_reason) !=
           kAdjustmentReasons.end();
}

std::optional<std::string> normalize_reason(EventKind kind,
                                            std::optional<std::string_view> reason) {
    if (reason && reason->empty()) {
        throw Error(ErrorCode::InvalidReason, "reason must not be empty", "",
                    "Pass NULL when there is no reason.");
    }
    if (reason && utf8_length(*reason) > kMaxReasonLength) {
        throw Error(ErrorCode::InvalidReason, "reason is too long",
                    "At most " + std::to_string(kMaxReasonLength) + " characters.");
    }
    if (reason && has_control_character(*reason)) {
        throw Error(ErrorCode::InvalidReason, "reason contains a control character");
    }
    switch (kind) {
        case EventKind::Return: {
            if (!reason) return std::string("RESTOCK");
            std::string upper = to_upper_ascii(*reason);
            if (upper != "RESTOCK" && upper != "DAMAGED") {
                throw Error(ErrorCode::InvalidReason,
                            "invalid RETURN disposition " + quoted_prefix(*reason), "",
                            "A RETURN's reason is RESTOCK (adds to on_hand, the default) or "
                            "DAMAGED (recorded, adds no sellable stock).");
            }
            return upper;
        }
        case EventKind::Adjust: {
            if (!reason) {
                throw Error(ErrorCode::InvalidReason, "ADJUST requires a reason", "",
                            "Reasons are DAMAGED, SHRINKAGE, THEFT, CORRECTION, OFFLINE_SALE, "
                            "EXPIRED, FOUND, SAMPLE and OTHER.");
            }
            std::string upper = to_upper_ascii(*reason);
            if (!is_adjustment_reason(upper)) {
                throw Error(ErrorCode::InvalidReason,
                            "invalid ADJUST reason " + quoted_prefix(*reason), "",
                            "Reasons are DAMAGED, SHRINKAGE, THEFT, CORRECTION, OFFLINE_SALE, "
                            "EXPIRED, FOUND, SAMPLE and OTHER.");
            }
            return upper;
        }
        default:
            if (!reason) return std::nullopt;
            return std::string(*reason);
    }
}

EventRequest make_request(std::string_view sku, std::int32_t warehouse_id, EventKind kind,
                          Quantity quantity, std::optional<std::string_view> reason) {
    validate_sku(sku);
    validate_quantity(kind, quantity);
    EventRequest request;
    request.sku = std::string(sku);
    request.warehouse_id = warehouse_id;
    request.kind = kind;
    request.quantity = quantity;
    request.reason = normalize_reason(kind, reason);
    return request;
}

}  // namespace inventory
