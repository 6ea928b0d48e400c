#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

constexpr Quantity kMax = std::numeric_limits<Quantity>::max();
constexpr Quantity kMin = std::numeric_limits<Quantity>::min();

const std::vector<EventKind> kAllKinds{
    EventKind::Receive, EventKind::Allocate,    EventKind::Deallocate,
    EventKind::Fulfill, EventKind::Return,      EventKind::Adjust,
    EventKind::Count,   EventKind::TransferOut, EventKind::TransferIn,
};

std::string Repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out.append(unit);
    return out;
}

// Structural UTF-8 check (lead byte, then the right number of continuation bytes).
bool IsValidUtf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        if (lead < 0x80) {
            extra = 0;
        } else if ((lead & 0xE0) == 0xC0) {
            extra = 1;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
        } else {
            return false;
        }
        if (i + extra >= text.size()) return false;  // sequence cut off at the end
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        i += extra + 1;
    }
    return true;
}

// ---- to_string / parse_event_kind ----------------------------------------------------------

TEST(EventKindName, CanonicalSpellings) {
    EXPECT_EQ(to_string(EventKind::Receive), "RECEIVE");
    EXPECT_EQ(to_string(EventKind::Allocate), "ALLOCATE");
    EXPECT_EQ(to_string(EventKind::Deallocate), "DEALLOCATE");
    EXPECT_EQ(to_string(EventKind::Fulfill), "FULFILL");
    EXPECT_EQ(to_string(EventKind::Return), "RETURN");
    EXPECT_EQ(to_string(EventKind::Adjust), "ADJUST");
    EXPECT_EQ(to_string(EventKind::Count), "COUNT");
    EXPECT_EQ(to_string(EventKind::TransferOut), "TRANSFER_OUT");
    EXPECT_EQ(to_string(EventKind::TransferIn), "TRANSFER_IN");
}

TEST(ParseEventKind, RoundTripsEveryKindWhenLegsAreAllowed) {
    for (EventKind kind : kAllKinds) {
        EXPECT_EQ(parse_event_kind(to_string(kind), true), kind) << to_string(kind);
    }
}

TEST(ParseEventKind, RoundTripsApplicationKinds) {
    for (EventKind kind : kAllKinds) {
        if (kind == EventKind::TransferOut || kind == EventKind::TransferIn) continue;
        EXPECT_EQ(parse_event_kind(to_string(kind), false), kind) << to_string(kind);
    }
}

TEST(ParseEventKind, IsCaseInsensitive) {
    EXPECT_EQ(parse_event_kind("receive", false), EventKind::Receive);
    EXPECT_EQ(parse_event_kind("ReCeIvE", false), EventKind::Receive);
    EXPECT_EQ(parse_event_kind("allocate", false), EventKind::Allocate);
    EXPECT_EQ(parse_event_kind("Deallocate", false), EventKind::Deallocate);
    EXPECT_EQ(parse_event_kind("fulFILL", false), EventKind::Fulfill);
    EXPECT_EQ(parse_event_kind("return", false), EventKind::Return);
    EXPECT_EQ(parse_event_kind("adjust", false), EventKind::Adjust);
    EXPECT_EQ(parse_event_kind("count", false), EventKind::Count);
    EXPECT_EQ(parse_event_kind("transfer_out", true), EventKind::TransferOut);
    EXPECT_EQ(parse_event_kind("Transfer_In", true), EventKind::TransferIn);
}

TEST(ParseEventKind, TransferLegsAreRefusedOnTheirOwn) {
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("TRANSFER_OUT", false));
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("transfer_out", false));
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("TRANSFER_IN", false));
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("transfer_in", false));
}

TEST(ParseEventKind, RefusedTransferLegPointsToInventoryTransfer) {
    const auto error = test::CatchError([] { (void)parse_event_kind("transfer_out", false); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->hint().find("inventory_transfer"), std::string::npos) << error->hint();
}

TEST(ParseEventKind, PlainTransferIsAlwaysRefused) {
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("TRANSFER", false));
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind("transfer", true));
    const auto error = test::CatchError([] { (void)parse_event_kind("Transfer", false); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->hint().find("inventory_transfer"), std::string::npos) << error->hint();
}

TEST(ParseEventKind, UnknownTypesAreRefused) {
    for (std::string_view text : {"", "SHIP", "RECEIVED", "RECEIV", " RECEIVE", "RECEIVE ",
                                  "RE CEIVE", "TRANSFER_", "UNKNOWN", "ADJUSTMENT"}) {
        EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, parse_event_kind(text, true))
            << '"' << text << '"';
    }
    // An embedded NUL is not a terminator.
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType,
                      parse_event_kind(std::string_view("RECEIVE\0X", 9), true));
}

TEST(ParseEventKind, UnknownTypeMessageQuotesAShortPrefix) {
    const std::string long_text(200, 'Z');
    const auto error = test::CatchError([&] { (void)parse_event_kind(long_text, false); });
    ASSERT_TRUE(error.has_value());
    const std::string message = error->what();
    EXPECT_NE(message.find("\"" + std::string(40, 'Z') + "...\""), std::string::npos) << message;
    EXPECT_EQ(message.find(std::string(41, 'Z')), std::string::npos) << message;
}

TEST(IsValidUtf8Helper, SeesCutSequences) {
    EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    EXPECT_FALSE(IsValidUtf8("caf\xC3"));
    EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
    EXPECT_FALSE(IsValidUtf8("\xA9"));
}

// Core bug (see the report): error messages quote the first 40 bytes of the offending text, which
// can cut a multibyte character in half and put invalid UTF-8 into the SQL error message.
TEST(ErrorMessages, QuotedPrefixIsCutOnACharacterBoundary) {
    const std::string prefix(39, 'A');
    const auto sku_error = test::CatchError([&] { validate_sku(prefix + "\xC3\xA9 "); });
    ASSERT_TRUE(sku_error.has_value());
    EXPECT_TRUE(IsValidUtf8(sku_error->what())) << sku_error->what();

    const auto kind_error =
        test::CatchError([&] { (void)parse_event_kind(prefix + "\xE2\x82\xAC", false); });
    ASSERT_TRUE(kind_error.has_value());
    EXPECT_TRUE(IsValidUtf8(kind_error->what())) << kind_error->what();

    const auto reason_error = test::CatchError(
        [&] { (void)normalize_reason(EventKind::Adjust, prefix + "\xF0\x9F\x98\x80"); });
    ASSERT_TRUE(reason_error.has_value());
    EXPECT_TRUE(IsValidUtf8(reason_error->what())) << reason_error->what();
}

// ---- utf8_length ----------------------------------------------------------------------------

TEST(Utf8Length, CountsCharactersNotBytes) {
    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("abc"), 3u);
    EXPECT_EQ(utf8_length("\xC3\xA9"), 1u);          // é
    EXPECT_EQ(utf8_length("\xE2\x82\xAC"), 1u);      // €
    EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1u);  // 😀
    EXPECT_EQ(utf8_length("a\xC3\xA9\xE2\x82\xAC"
                          "b"),
              4u);  // aé€b
}

// ---- validate_sku ---------------------------------------------------------------------------

TEST(ValidateSku, AcceptsOrdinarySkus) {
    EXPECT_NO_THROW(validate_sku("A"));
    EXPECT_NO_THROW(validate_sku("SKU-123"));
    EXPECT_NO_THROW(validate_sku("TEE SHIRT/RED/XL"));  // inner blanks are fine
    EXPECT_NO_THROW(validate_sku("caf\xC3\xA9"));
}

TEST(ValidateSku, RefusesEmpty) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(""));
}

TEST(ValidateSku, AcceptsExactly255AsciiCharacters) {
    EXPECT_NO_THROW(validate_sku(std::string(255, 'X')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(std::string(256, 'X')));
}

TEST(ValidateSku, CountsMultibyteCharactersAsOne) {
    const std::string two_byte_255 = Repeat("\xC3\xA9", 255);           // 510 bytes
    const std::string four_byte_255 = Repeat("\xF0\x9F\x98\x80", 255);  // 1020 bytes
    EXPECT_NO_THROW(validate_sku(two_byte_255));
    EXPECT_NO_THROW(validate_sku(four_byte_255));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(two_byte_255 + "\xC3\xA9"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(four_byte_255 + "x"));
    // 254 ASCII characters plus one 3-byte character is 255 characters in 257 bytes.
    EXPECT_NO_THROW(validate_sku(std::string(254, 'A') + "\xE2\x82\xAC"));
}

TEST(ValidateSku, TooLongMessageGivesTheCharacterCount) {
    const auto error = test::CatchError([] { validate_sku(Repeat("\xC3\xA9", 256)); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(std::string(error->what()).find("256 characters"), std::string::npos)
        << error->what();
}

TEST(ValidateSku, RefusesControlCharacters) {
    for (std::string_view sku : {"AB\tC", "AB\nC",
                                 "\x01"
                                 "ABC",
                                 "ABC\x1F",
                                 "AB\x7F"
                                 "C",
                                 "ABC\r"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(sku)) << '"' << sku << '"';
    }
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(std::string_view("AB\0C", 4)));
}

TEST(ValidateSku, RefusesUnicodeControlCharacters) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("AB\xC2\x85"
                                                          "C"));            // U+0085 NEL
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC\xC2\x9F"));  // U+009F
    EXPECT_NO_THROW(validate_sku("CAF\xC3\xA9"));                           // é is fine
    EXPECT_NO_THROW(
        validate_sku("A\xC2\xA0"
                     "B"));  // a no-break space inside is fine
}

TEST(ValidateSku, RefusesLeadingOrTrailingNoBreakSpace) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC\xC2\xA0"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("\xC2\xA0"
                                                          "ABC"));
}

TEST(ValidateSku, RefusesLeadingOrTrailingBlank) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(" ABC"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC "));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(" "));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("  ABC  "));
}

// ---- validate_identifier --------------------------------------------------------------------

TEST(ValidateIdentifier, AcceptsOrdinaryValues) {
    EXPECT_NO_THROW(validate_identifier("reference_id", "order-42"));
    EXPECT_NO_THROW(validate_identifier("idempotency_key", "5b0c1f3e-7d"));
    EXPECT_NO_THROW(validate_identifier("reference_id", "x"));
}

TEST(ValidateIdentifier, RefusesEmptyAndNamesTheField) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_identifier("reference_id", ""));
    const auto error = test::CatchError([] { validate_identifier("idempotency_key", ""); });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(std::string(error->what()).find("idempotency_key"), std::string::npos)
        << error->what();
}

TEST(ValidateIdentifier, LengthLimitCountsCharacters) {
    EXPECT_NO_THROW(validate_identifier("reference_id", std::string(255, 'r')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier,
                      validate_identifier("reference_id", std::string(256, 'r')));
    EXPECT_NO_THROW(validate_identifier("reference_id", Repeat("\xE2\x82\xAC", 255)));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier,
                      validate_identifier("reference_id", Repeat("\xE2\x82\xAC", 256)));
}

TEST(ValidateIdentifier, RefusesControlCharacters) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_identifier("reference_id", "a\tb"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_identifier("reference_id", "ab\n"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier, validate_identifier("reference_id", "a\x7F"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidIdentifier,
                      validate_identifier("reference_id", std::string_view("a\0b", 3)));
}

// ---- validate_quantity ----------------------------------------------------------------------

TEST(ValidateQuantity, MagnitudeKindsNeedAPositiveQuantity) {
    for (EventKind kind : kAllKinds) {
        if (kind == EventKind::Adjust || kind == EventKind::Count) continue;
        SCOPED_TRACE(std::string(to_string(kind)));
        EXPECT_NO_THROW(validate_quantity(kind, 1));
        EXPECT_NO_THROW(validate_quantity(kind, kMax));
        EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(kind, 0));
        EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(kind, -1));
        EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(kind, kMin));
    }
}

TEST(ValidateQuantity, AdjustTakesANonZeroSignedChange) {
    EXPECT_NO_THROW(validate_quantity(EventKind::Adjust, 1));
    EXPECT_NO_THROW(validate_quantity(EventKind::Adjust, -1));
    EXPECT_NO_THROW(validate_quantity(EventKind::Adjust, kMax));
    EXPECT_NO_THROW(validate_quantity(EventKind::Adjust, kMin));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(EventKind::Adjust, 0));
}

TEST(ValidateQuantity, CountTakesANonNegativeCount) {
    EXPECT_NO_THROW(validate_quantity(EventKind::Count, 0));
    EXPECT_NO_THROW(validate_quantity(EventKind::Count, 7));
    EXPECT_NO_THROW(validate_quantity(EventKind::Count, kMax));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(EventKind::Count, -1));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity, validate_quantity(EventKind::Count, kMin));
}

// ---- normalize_reason -----------------------------------------------------------------------

TEST(NormalizeReason, ReturnDefaultsToRestock) {
    EXPECT_EQ(normalize_reason(EventKind::Return, std::nullopt),
              std::optional<std::string>("RESTOCK"));
}

TEST(NormalizeReason, ReturnDispositionsAreCaseInsensitive) {
    EXPECT_EQ(normalize_reason(EventKind::Return, "restock"), "RESTOCK");
    EXPECT_EQ(normalize_reason(EventKind::Return, "ReStOcK"), "RESTOCK");
    EXPECT_EQ(normalize_reason(EventKind::Return, "damaged"), "DAMAGED");
    EXPECT_EQ(normalize_reason(EventKind::Return, "DAMAGED"), "DAMAGED");
}

TEST(NormalizeReason, ReturnRefusesOtherDispositions) {
    for (std::string_view reason : {"BROKEN", "SHRINKAGE", "RESTOCK ", " DAMAGED", "restocked"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(EventKind::Return, reason))
            << '"' << reason << '"';
    }
}

TEST(NormalizeReason, AdjustRequiresAReason) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(EventKind::Adjust, std::nullopt));
}

TEST(NormalizeReason, AdjustAcceptsEveryDocumentedReasonCaseInsensitively) {
    for (std::string_view reason : {"DAMAGED", "SHRINKAGE", "THEFT", "CORRECTION", "OFFLINE_SALE",
                                    "EXPIRED", "FOUND", "SAMPLE", "OTHER"}) {
        EXPECT_EQ(normalize_reason(EventKind::Adjust, reason), std::string(reason));
        std::string lower(reason);
        for (char& c : lower) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        EXPECT_EQ(normalize_reason(EventKind::Adjust, lower), std::string(reason)) << lower;
    }
}

TEST(NormalizeReason, AdjustRefusesUnlistedReasons) {
    for (std::string_view reason : {"RESTOCK", "LOST", "CORRECTION ", "offline sale", "misc"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(EventKind::Adjust, reason))
            << '"' << reason << '"';
    }
}

TEST(NormalizeReason, OtherKindsTakeOptionalFreeTextVerbatim) {
    for (EventKind kind :
         {EventKind::Receive, EventKind::Allocate, EventKind::Deallocate, EventKind::Fulfill,
          EventKind::Count, EventKind::TransferOut, EventKind::TransferIn}) {
        SCOPED_TRACE(std::string(to_string(kind)));
        EXPECT_EQ(normalize_reason(kind, std::nullopt), std::nullopt);
        EXPECT_EQ(normalize_reason(kind, "Supplier PO 17"), "Supplier PO 17");
        EXPECT_EQ(normalize_reason(kind, "damaged"),
                  "damaged");  // not a code here: not upper-cased
    }
}

TEST(NormalizeReason, EmptyReasonIsRefusedForEveryKind) {
    for (EventKind kind : kAllKinds) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(kind, "")) << to_string(kind);
    }
}

TEST(NormalizeReason, TooLongReasonIsRefused) {
    EXPECT_EQ(normalize_reason(EventKind::Receive, std::string(255, 'r')), std::string(255, 'r'));
    EXPECT_NO_THROW((void)normalize_reason(EventKind::Receive, Repeat("\xC3\xA9", 255)));
    for (EventKind kind : kAllKinds) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(kind, std::string(256, 'r')))
            << to_string(kind);
    }
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason,
                      normalize_reason(EventKind::Receive, Repeat("\xC3\xA9", 256)));
}

TEST(NormalizeReason, ControlCharactersAreRefused) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(EventKind::Receive, "a\nb"));
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason, normalize_reason(EventKind::Return, "DAMAGED\t"));
}

TEST(IsAdjustmentReason, MatchesUpperCaseCodesOnly) {
    EXPECT_TRUE(is_adjustment_reason("SHRINKAGE"));
    EXPECT_TRUE(is_adjustment_reason("OFFLINE_SALE"));
    EXPECT_FALSE(is_adjustment_reason("shrinkage"));
    EXPECT_FALSE(is_adjustment_reason("RESTOCK"));
    EXPECT_FALSE(is_adjustment_reason(""));
}

// ---- make_request ---------------------------------------------------------------------------

TEST(MakeRequest, FillsEveryField) {
    const EventRequest request = make_request("SKU-9", 42, EventKind::Adjust, -3, "theft");
    EXPECT_EQ(request.sku, "SKU-9");
    EXPECT_EQ(request.warehouse_id, 42);
    EXPECT_EQ(request.kind, EventKind::Adjust);
    EXPECT_EQ(request.quantity, -3);
    EXPECT_EQ(request.reason, "THEFT");
}

TEST(MakeRequest, NormalizesTheReturnDefault) {
    const EventRequest request = make_request("SKU-9", 1, EventKind::Return, 2, std::nullopt);
    EXPECT_EQ(request.reason, "RESTOCK");
}

TEST(MakeRequest, ValidatesEachField) {
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku,
                      make_request("", 1, EventKind::Receive, 1, std::nullopt));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku,
                      make_request("SKU ", 1, EventKind::Receive, 1, std::nullopt));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      make_request("SKU", 1, EventKind::Receive, 0, std::nullopt));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      make_request("SKU", 1, EventKind::Count, -1, std::nullopt));
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason,
                      make_request("SKU", 1, EventKind::Adjust, 5, std::nullopt));
    EXPECT_ERROR_CODE(ErrorCode::InvalidReason,
                      make_request("SKU", 1, EventKind::Return, 5, "lost"));
}

}  // namespace
}  // namespace inventory
