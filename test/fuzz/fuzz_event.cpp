// libFuzzer target for the event rules: decodes a level, a policy, an event type, a quantity, a
// reason and a SKU from the input, runs them through make_request + validate_policy +
// compute_transition and checks the invariants of every accepted event. inventory::Error is the
// only exception the core may throw; anything else escapes and is reported by libFuzzer, and an
// invariant violation traps. On levels the database can hold, the outcome (refusal code or changes)
// is also compared with an independent 128-bit model of the rules. Build: cmake -DINVENTORY_FUZZ=ON
// -DINVENTORY_UNIT_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "core/event.hpp"
#include "core/json_field.hpp"
#include "core/quantity.hpp"
#include "core/transition.hpp"

namespace {

using inventory::Error;
using inventory::ErrorCode;
using inventory::EventKind;
using inventory::EventRequest;
using inventory::Level;
using inventory::Policy;
using inventory::Quantity;
using inventory::Transition;

constexpr Quantity kMax = std::numeric_limits<Quantity>::max();
constexpr Quantity kMin = std::numeric_limits<Quantity>::min();

using inventory::fuzz::Violation;

// Consumes the input front to back; once it is exhausted every read returns zeros.
class Reader {
  public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t Byte() {
        if (pos_ >= size_) return 0;
        return data_[pos_++];
    }

    std::uint64_t U64() {
        std::uint64_t value = 0;
        for (int i = 0; i < 8; ++i) value = (value << 8) | Byte();
        return value;
    }

    bool Bool() { return (Byte() & 1) != 0; }

    // A quantity biased towards the interesting places: small values and both bigint ends.
    Quantity Qty() {
        const std::uint8_t mode = Byte();
        const std::uint8_t small = Byte();
        switch (mode % 6) {
            case 0:
                return small;
            case 1:
                return -static_cast<Quantity>(small);
            case 2:
                return kMax - small;
            case 3:
                return kMin + small;
            case 4:
                return static_cast<Quantity>((static_cast<std::uint64_t>(small) << 8) | Byte());
            default:
                return static_cast<Quantity>(U64());
        }
    }

    // Up to `max` raw bytes (the length comes from the input too).
    std::string_view Bytes(std::size_t max) {
        std::size_t length = Byte();
        if (max > 255) length = (length << 8) | Byte();
        length %= max + 1;
        if (length > size_ - pos_) length = size_ - pos_;
        const std::string_view out(reinterpret_cast<const char*>(data_ + pos_), length);
        pos_ += length;
        return out;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

// A spelling from `words` in a case chosen by the input, or raw bytes.
std::string Word(Reader& in, const std::string_view* words, std::size_t count,
                 std::size_t raw_max) {
    const std::uint8_t pick = in.Byte();
    if (pick >= 0xE0) return std::string(in.Bytes(raw_max));
    std::string out(words[pick % count]);
    const std::uint8_t case_mask = in.Byte();
    for (std::size_t i = 0; i < out.size(); ++i) {
        if ((case_mask >> (i % 8)) & 1) {
            const char c = out[i];
            if (c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

constexpr std::array<std::string_view, 13> kKinds{
    "RECEIVE",      "ALLOCATE",    "DEALLOCATE", "FULFILL",   "RETURN",    "ADJUST", "COUNT",
    "TRANSFER_OUT", "TRANSFER_IN", "TRANSFER",   "REBALANCE", "UNKNOWN_X", "",
};

constexpr std::array<std::string_view, 13> kReasons{
    "RESTOCK", "DAMAGED", "SHRINKAGE", "THEFT",    "CORRECTION", "OFFLINE_SALE", "EXPIRED", "FOUND",
    "SAMPLE",  "OTHER",   "broken",    " DAMAGED", "",
};

// Look-alikes among them: a zero-width space inside, a trailing no-break space, a leading
// right-to-left override, a decomposed "e" + combining acute (NFC is checked in the database).
constexpr std::array<std::string_view, 8> kSkus{
    "SKU-1",         "TSHIRT-M",          "A",           "caf\xC3\xA9", "SKU\xE2\x80\x8B-1",
    "SKU-1\xC2\xA0", "\xE2\x80\xAESKU-1", "cafe\xCC\x81"};

// An independent byte-level model of a few look-alike rules: the UTF-8 of characters refused
// anywhere, and of spaces refused at the ends.
bool HasRefusedLookAlike(std::string_view sku) {
    constexpr std::array<std::string_view, 19> kAnywhere{
        "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x80\x8E", "\xE2\x80\x8F",
        "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
        "\xE2\x81\xA0", "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",
        "\xEF\xBB\xBF", "\xD8\x9C",     "\xC2\xAD",     "\xE2\x80\xA8"};
    for (const auto bad : kAnywhere) {
        if (sku.find(bad) != std::string_view::npos) return true;
    }
    constexpr std::array<std::string_view, 4> kEdges{"\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xAF",
                                                     "\xE2\x80\x83"};
    for (const auto bad : kEdges) {
        if (sku.starts_with(bad) || sku.ends_with(bad)) return true;
    }
    return false;
}

// An independent model of whole_number(): [+-]digits[.zeros], its value in bigint range.
std::optional<std::int64_t> WholeNumberModel(std::string_view text) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    const std::size_t digits_start = i;
    __int128 value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        value = value * 10 + (text[i++] - '0');
        if (value > (static_cast<__int128>(1) << 64)) value = static_cast<__int128>(1) << 64;
    }
    if (i == digits_start) return std::nullopt;
    if (i < text.size()) {
        if (text[i++] != '.' || i == text.size()) return std::nullopt;
        for (; i < text.size(); ++i) {
            if (text[i] != '0') return std::nullopt;
        }
    }
    if (negative) value = -value;
    if (value < kMin || value > kMax) return std::nullopt;
    return static_cast<std::int64_t>(value);
}

bool IsValidCode(ErrorCode code) {
    return inventory::sqlstate(code).size() == 5 && !inventory::condition_name(code).empty();
}

// The expected (on_hand_change, reserved_change) of an accepted event, from its kind alone.
void CheckChangeShape(const EventRequest& request, const Level& before, const Transition& t) {
    const Quantity q = request.quantity;
    switch (request.kind) {
        case EventKind::Receive:
        case EventKind::TransferIn:
        case EventKind::Adjust:
        case EventKind::Rebalance:  // one stripe's signed share of a move between stripes
            FUZZ_CHECK(t.on_hand_change == q && t.reserved_change == 0);
            break;
        case EventKind::Return:
            FUZZ_CHECK(request.reason == "RESTOCK" || request.reason == "DAMAGED");
            FUZZ_CHECK(t.on_hand_change == (request.reason == "DAMAGED" ? 0 : q));
            FUZZ_CHECK(t.reserved_change == 0);
            break;
        case EventKind::Allocate:
            FUZZ_CHECK(t.on_hand_change == 0 && t.reserved_change == q);
            break;
        case EventKind::Deallocate:
            FUZZ_CHECK(t.on_hand_change == 0 && t.reserved_change == -q);
            FUZZ_CHECK(q <= before.reserved);
            break;
        case EventKind::Fulfill:
            FUZZ_CHECK(t.on_hand_change == -q && t.reserved_change == -q);
            FUZZ_CHECK(q <= before.reserved && q <= before.on_hand);
            break;
        case EventKind::TransferOut:
            FUZZ_CHECK(t.on_hand_change == -q && t.reserved_change == 0);
            break;
        case EventKind::Count:
            FUZZ_CHECK(t.after.on_hand == q && t.reserved_change == 0);
            break;
    }
}

// An independent model of the rules in 128-bit arithmetic, for levels the database can hold:
// what compute_transition must do with `request`. Either a refusal code or the two changes.
struct Outcome {
    std::optional<ErrorCode> refusal;
    Quantity on_hand_change = 0;
    Quantity reserved_change = 0;
};

Outcome Model(const Level& before, const Policy& policy, const EventRequest& request) {
    using Wide = __int128;
    const Wide on_hand = before.on_hand;
    const Wide reserved = before.reserved;
    const Wide q = request.quantity;
    const Wide free = on_hand - reserved;
    const Wide held = free - policy.safety_stock;
    const Wide available = free < 0 ? free : (held > 0 ? held : 0);
    Wide d_on_hand = 0;
    Wide d_reserved = 0;
    const auto refuse = [](ErrorCode code) { return Outcome{code, 0, 0}; };

    switch (request.kind) {
        case EventKind::Receive:
        case EventKind::TransferIn:
        case EventKind::Adjust:
        case EventKind::Rebalance:
            d_on_hand = q;
            break;
        case EventKind::Return:
            d_on_hand = request.reason == "DAMAGED" ? 0 : q;
            break;
        case EventKind::Allocate:
            if (!policy.allow_backorder) {
                if (q > available) return refuse(ErrorCode::InsufficientStock);
            } else if (policy.backorder_limit) {
                const Wide backordered = free < 0 ? -free : 0;
                const Wide left = *policy.backorder_limit - backordered;
                const Wide sellable = available > 0 ? available : 0;
                if (q > sellable + (left > 0 ? left : 0)) {
                    return refuse(ErrorCode::InsufficientStock);
                }
            }
            d_reserved = q;
            break;
        case EventKind::Deallocate:
            if (q > reserved) return refuse(ErrorCode::InsufficientReserved);
            d_reserved = -q;
            break;
        case EventKind::Fulfill:
            if (q > reserved) return refuse(ErrorCode::InsufficientReserved);
            if (q > on_hand) return refuse(ErrorCode::InsufficientStock);
            d_on_hand = -q;
            d_reserved = -q;
            break;
        case EventKind::TransferOut:
            if (q > free) return refuse(ErrorCode::InsufficientStock);
            d_on_hand = -q;
            break;
        case EventKind::Count:
            d_on_hand = q - on_hand;
            break;
    }
    const Wide after_on_hand = on_hand + d_on_hand;
    const Wide after_reserved = reserved + d_reserved;
    if (after_on_hand > kMax || after_on_hand < kMin || after_reserved > kMax ||
        after_reserved < kMin) {
        return refuse(ErrorCode::OutOfRange);
    }
    if (d_on_hand < 0) {
        // A loss may not take on_hand below zero, below the reservations without backorders,
        // or leave more backordered than the backorder limit.
        if (after_on_hand < 0) return refuse(ErrorCode::InsufficientStock);
        if (!policy.allow_backorder && after_on_hand < after_reserved) {
            return refuse(ErrorCode::InsufficientStock);
        }
        if (policy.allow_backorder && policy.backorder_limit &&
            after_reserved - after_on_hand > *policy.backorder_limit) {
            return refuse(ErrorCode::InsufficientStock);
        }
    }
    return Outcome{std::nullopt, static_cast<Quantity>(d_on_hand),
                   static_cast<Quantity>(d_reserved)};
}

void Run(Reader& in) {
    // The policy.
    Policy policy;
    policy.safety_stock = in.Qty();
    policy.allow_backorder = in.Bool();
    if (in.Bool()) policy.backorder_limit = in.Qty();

    // The level: usually one the database can hold under this policy (non-negative, on_hand >=
    // reserved without backorders, no more backordered than the limit: IV011 keeps it so),
    // sometimes raw values, on which only arithmetic safety is checked.
    Level before;
    before.on_hand = in.Qty();
    before.reserved = in.Qty();
    const bool raw_level = (in.Byte() & 0x0F) == 0;
    if (!raw_level) {
        if (before.on_hand < 0) before.on_hand = before.on_hand == kMin ? 0 : -before.on_hand;
        if (before.reserved < 0) before.reserved = before.reserved == kMin ? 0 : -before.reserved;
    }

    const bool allow_legs = in.Bool();
    const std::string kind_text = Word(in, kKinds.data(), kKinds.size(), 20);
    const Quantity quantity = in.Qty();
    std::optional<std::string> reason;
    if (in.Bool()) reason = Word(in, kReasons.data(), kReasons.size(), 300);
    const std::string sku = Word(in, kSkus.data(), kSkus.size(), 1100);
    if (reason) FUZZ_CHECK(inventory::whole_number(*reason) == WholeNumberModel(*reason));
    const std::int32_t warehouse = static_cast<std::int32_t>(static_cast<std::uint32_t>(in.U64()));

    // Stage by stage, each may only throw its own error codes.
    EventKind kind;
    try {
        kind = inventory::parse_event_kind(kind_text, allow_legs);
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ErrorCode::UnknownEventType);
        return;
    }
    FUZZ_CHECK(inventory::to_string(kind) != "UNKNOWN");
    FUZZ_CHECK(allow_legs || (kind != EventKind::TransferOut && kind != EventKind::TransferIn));

    EventRequest request;
    try {
        request = inventory::make_request(
            sku, warehouse, kind, quantity,
            reason ? std::optional<std::string_view>(*reason) : std::nullopt);
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ErrorCode::InvalidSku || e.code() == ErrorCode::InvalidQuantity ||
                   e.code() == ErrorCode::InvalidReason);
        return;
    }
    FUZZ_CHECK(request.sku == sku && request.kind == kind && request.quantity == quantity);
    FUZZ_CHECK(!HasRefusedLookAlike(request.sku));
    FUZZ_CHECK(request.warehouse_id == warehouse);

    try {
        inventory::validate_policy(policy);
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ErrorCode::InvalidParameter);
        return;
    }
    FUZZ_CHECK(policy.safety_stock >= 0);
    FUZZ_CHECK(!policy.backorder_limit || (policy.allow_backorder && *policy.backorder_limit >= 0));

    bool valid_level = false;
    if (!raw_level) {
        if (!policy.allow_backorder && before.on_hand < before.reserved) {
            std::swap(before.on_hand, before.reserved);
        }
        // More backordered (reserved - on_hand) than the limit allows: reserve fewer. No
        // overflow: on_hand + limit < reserved here.
        if (policy.backorder_limit && before.reserved > before.on_hand &&
            before.reserved - before.on_hand > *policy.backorder_limit) {
            before.reserved = before.on_hand + *policy.backorder_limit;
        }
        valid_level = before.on_hand >= 0 && before.reserved >= 0 &&
                      (policy.allow_backorder || before.on_hand >= before.reserved);
    }

    const std::optional<Outcome> expected =
        valid_level ? std::optional<Outcome>(Model(before, policy, request)) : std::nullopt;

    Transition t;
    try {
        t = inventory::compute_transition(before, policy, request);
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ErrorCode::InsufficientStock ||
                   e.code() == ErrorCode::InsufficientReserved ||
                   e.code() == ErrorCode::OutOfRange);
        FUZZ_CHECK(IsValidCode(e.code()));
        FUZZ_CHECK(e.what()[0] != '\0');
        if (expected) {
            // Refused exactly when, and with the code, the model refuses.
            FUZZ_CHECK(expected->refusal.has_value());
            FUZZ_CHECK(*expected->refusal == e.code());
        }
        return;
    }
    if (expected) {
        FUZZ_CHECK(!expected->refusal.has_value());
        FUZZ_CHECK(t.on_hand_change == expected->on_hand_change);
        FUZZ_CHECK(t.reserved_change == expected->reserved_change);
    }

    // after == before + changes, exactly, with no wrap.
    Quantity on_hand_sum = 0;
    Quantity reserved_sum = 0;
    FUZZ_CHECK(!__builtin_add_overflow(before.on_hand, t.on_hand_change, &on_hand_sum));
    FUZZ_CHECK(!__builtin_add_overflow(before.reserved, t.reserved_change, &reserved_sum));
    FUZZ_CHECK(t.after.on_hand == on_hand_sum);
    FUZZ_CHECK(t.after.reserved == reserved_sum);
    FUZZ_CHECK(t.available_after == inventory::available_to_sell(t.after, policy));
    CheckChangeShape(request, before, t);

    if (!valid_level) return;

    FUZZ_CHECK(t.after.on_hand >= 0);
    FUZZ_CHECK(t.after.reserved >= 0);
    if (!policy.allow_backorder) {
        FUZZ_CHECK(t.after.on_hand >= t.after.reserved);
        FUZZ_CHECK(t.available_after >= 0);
    }
    if (policy.backorder_limit) {
        // No event leaves more backordered than the limit (the levels' CHECK enforces it too).
        FUZZ_CHECK(t.after.reserved - t.after.on_hand <= *policy.backorder_limit);
    }
    if (kind == EventKind::Allocate && !policy.allow_backorder) {
        FUZZ_CHECK(request.quantity <= inventory::available_to_sell(before, policy));
    }
    if (kind == EventKind::TransferOut) FUZZ_CHECK(t.after.on_hand >= t.after.reserved);

    // A ledger row with these figures is one verify_recorded (the restore check) accepts.
    inventory::RecordedEvent recorded;
    recorded.on_hand_change = t.on_hand_change;
    recorded.reserved_change = t.reserved_change;
    recorded.after = t.after;
    try {
        inventory::verify_recorded(request, recorded);
    } catch (const Error&) {
        Violation("verify_recorded refused a row compute_transition produced");
    }
}

}  // namespace

// -fsanitize=undefined only prints a report and carries on by default; make every report a
// crash so that the fuzzer stops on it.
extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in(data, size);
    Run(in);
    return 0;
}
