#include "core/event.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "core/ascii.hpp"
#include "core/error.hpp"

namespace inventory {
namespace {

struct KindName {
    EventKind kind;
    std::string_view name;
};

constexpr std::array<KindName, 10> kKindNames{{
    {EventKind::Receive, "RECEIVE"},
    {EventKind::Allocate, "ALLOCATE"},
    {EventKind::Deallocate, "DEALLOCATE"},
    {EventKind::Fulfill, "FULFILL"},
    {EventKind::Return, "RETURN"},
    {EventKind::Adjust, "ADJUST"},
    {EventKind::Count, "COUNT"},
    {EventKind::TransferOut, "TRANSFER_OUT"},
    {EventKind::TransferIn, "TRANSFER_IN"},
    {EventKind::Rebalance, "REBALANCE"},
}};

constexpr std::array<std::string_view, 9> kAdjustmentReasons{
    "DAMAGED", "SHRINKAGE", "THEFT",  "CORRECTION", "OFFLINE_SALE",
    "EXPIRED", "FOUND",     "SAMPLE", "OTHER",
};

struct CodePoint {
    char32_t value;      // U+FFFD for a byte that does not start a valid UTF-8 sequence
    std::size_t length;  // bytes
};

// The code point at the start of `text` (not empty). Invalid sequences decode as U+FFFD, one
// byte long: they are not the characters checked here.
CodePoint decode_utf8(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    char32_t value = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
    } else {
        return {0xFFFD, 1};
    }
    if (text.size() < length) return {0xFFFD, 1};
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return {0xFFFD, 1};
        value = (value << 6) | (byte(i) & 0x3F);
    }
    return {value, length};
}

// The start of the last code point of `text` (not empty).
std::size_t last_code_point(std::string_view text) noexcept {
    std::size_t i = text.size() - 1;
    while (i > 0 && text.size() - i < 4 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
        --i;
    }
    return i;
}

struct Range {
    char32_t first;
    char32_t last;
};

bool in_ranges(char32_t c, std::span<const Range> ranges) noexcept {
    return std::any_of(ranges.begin(), ranges.end(),
                       [c](const Range& r) { return c >= r.first && c <= r.last; });
}

// Bidirectional controls: they reorder what is shown, so two different SKUs can look the same.
constexpr std::array<Range, 4> kBidiControls{{
    {0x061C, 0x061C},  // ARABIC LETTER MARK
    {0x200E, 0x200F},  // LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    {0x202A, 0x202E},  // embeddings, overrides, POP DIRECTIONAL FORMATTING
    {0x2066, 0x2069},  // isolates, POP DIRECTIONAL ISOLATE
}};

// Characters that show nothing: zero-width space, non-joiner and joiner, word joiner, the
// invisible operators, the byte-order mark (ZERO WIDTH NO-BREAK SPACE), the soft hyphen and the
// Mongolian vowel separator.
constexpr std::array<Range, 6> kInvisible{{
    {0x00AD, 0x00AD},
    {0x180E, 0x180E},
    {0x200B, 0x200D},
    {0x2060, 0x2064},
    {0xFEFF, 0xFEFF},
    {0x2028, 0x2029},  // LINE SEPARATOR, PARAGRAPH SEPARATOR: invisible line breaks, like \n
}};

// Unicode general categories Cf (format), Zs (space separators other than U+0020), Zl and Zp
// (line and paragraph separators), as of Unicode 15. Refused at either end of a SKU.
constexpr std::array<Range, 24> kFormatOrSpace{{
    {0x00A0, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
    {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
    {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},   {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
}};

std::string code_point_name(char32_t c) {
    static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    std::string digits;
    for (char32_t v = c; v != 0 || digits.size() < 4; v >>= 4)
        digits.insert(digits.begin(), kHex[v & 0xF]);
    return "U+" + digits;
}

// At most 40 bytes of `text`, cut on a UTF-8 character boundary, in quotes. The characters a
// SKU may not have (bidirectional controls, invisible, format and non-ASCII space characters)
// are shown by their code point, <U+200B>: raw, they would hide or reorder the message itself.
std::string quoted_prefix(std::string_view text) {
    constexpr std::size_t kShown = 40;
    std::size_t cut = std::min(text.size(), kShown);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    std::string out = "\"";
    const std::string_view shown = text.substr(0, cut);
    for (std::size_t i = 0; i < shown.size();) {
        const CodePoint c = decode_utf8(shown.substr(i));
        if (c.value > 0x7F &&
            (in_ranges(c.value, kFormatOrSpace) || in_ranges(c.value, kInvisible))) {
            out += "<" + code_point_name(c.value) + ">";
        } else {
            out.append(shown.substr(i, c.length));
        }
        i += c.length;
    }
    if (cut < text.size()) out.append("...");
    out.append("\"");
    return out;
}

}  // namespace

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

std::string_view to_string(EventKind kind) noexcept {
    for (const auto& entry : kKindNames) {
        if (entry.kind == kind) return entry.name;
    }
    return "UNKNOWN";
}

EventKind parse_event_kind(std::string_view text, bool allow_engine_rows) {
    const std::string upper = to_upper_ascii(text);
    for (const auto& entry : kKindNames) {
        if (entry.name != upper) continue;
        if (entry.kind == EventKind::Rebalance && !allow_engine_rows) {
            throw Error(ErrorCode::UnknownEventType,
                        "event type REBALANCE cannot be applied on its own",
                        "REBALANCE rows record stock the engine moves between the stripes of a "
                        "level.",
                        "Set a SKU's stripes with inventory.inventory_set_sku_policy(sku, "
                        "stripes => n).");
        }
        const bool is_leg =
            entry.kind == EventKind::TransferOut || entry.kind == EventKind::TransferIn;
        if (is_leg && !allow_engine_rows) {
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

void validate_sku(std::string_view sku, SkuRules rules) {
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
    if (sku.front() == ' ' || sku.back() == ' ') {
        throw Error(ErrorCode::InvalidSku,
                    "SKU " + quoted_prefix(sku) + " has a leading or trailing blank", "",
                    "Trim the SKU: \"ABC\" and \"ABC \" would otherwise be two stock records.");
    }
    if (rules == SkuRules::Recorded) {
        constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
        if (sku.starts_with(kNoBreakSpace) || sku.ends_with(kNoBreakSpace)) {
            throw Error(ErrorCode::InvalidSku,
                        "SKU " + quoted_prefix(sku) + " has a leading or trailing blank");
        }
        return;
    }
    for (std::size_t i = 0; i < sku.size();) {
        const CodePoint c = decode_utf8(sku.substr(i));
        const bool bidi = in_ranges(c.value, kBidiControls);
        if (bidi || in_ranges(c.value, kInvisible)) {
            throw Error(
                ErrorCode::InvalidSku,
                "SKU " + quoted_prefix(sku) + " contains " + code_point_name(c.value) +
                    (bidi ? ", a bidirectional control character"
                     : (c.value == 0x2028 || c.value == 0x2029) ? ", a line or paragraph separator"
                                                                : ", an invisible character"),
                "", "Remove it: the SKU would look like another one and be a second stock record.");
        }
        i += c.length;
    }
    const char32_t first = decode_utf8(sku).value;
    const char32_t last = decode_utf8(sku.substr(last_code_point(sku))).value;
    for (const char32_t edge : {first, last}) {
        if (in_ranges(edge, kFormatOrSpace)) {
            throw Error(
                ErrorCode::InvalidSku,
                "SKU " + quoted_prefix(sku) + (edge == first ? " starts" : " ends") + " with " +
                    code_point_name(edge) + ", a space, separator or format character",
                "", "Trim it: the SKU would look like another one and be a second stock record.");
        }
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
        case EventKind::Rebalance:
            if (quantity == 0) {
                throw Error(ErrorCode::InvalidQuantity, kind_name + " quantity must not be zero",
                            kind_name + " takes the signed change of on_hand.");
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
                          Quantity quantity, std::optional<std::string_view> reason,
                          SkuRules sku_rules) {
    validate_sku(sku, sku_rules);
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
