// Input that lies (issue 10): typed batch fields, whole quantities, look-alike SKUs, ASCII case
// folding independent of the locale, warehouse fields, and where an Error was constructed.
#include <gtest/gtest.h>

#include <clocale>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/json_field.hpp"
#include "core/warehouse.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

// ---- whole_number ----------------------------------------------------------------------------

TEST(WholeNumber, AcceptsWholeNumbersInBigintRange) {
    EXPECT_EQ(whole_number("5"), 5);
    EXPECT_EQ(whole_number("0"), 0);
    EXPECT_EQ(whole_number("-4"), -4);
    EXPECT_EQ(whole_number("+7"), 7);
    EXPECT_EQ(whole_number("1.0"), 1);
    EXPECT_EQ(whole_number("12.000"), 12);
    EXPECT_EQ(whole_number("-0.0"), 0);
    EXPECT_EQ(whole_number("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(whole_number("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(whole_number("000000000000000000000042"), 42);
}

TEST(WholeNumber, RefusesFractionsRangeAndNonNumbers) {
    for (std::string_view text : {"1.5",
                                  "0.001",
                                  "-2.50",
                                  "9223372036854775808",
                                  "-9223372036854775809",
                                  "99999999999999999999999",
                                  "",
                                  "-",
                                  "+",
                                  ".5",
                                  "5.",
                                  "1e3",
                                  "NaN",
                                  "Infinity",
                                  "1 ",
                                  " 1",
                                  "0x10",
                                  "1,0",
                                  "--1",
                                  "1.0.0"}) {
        EXPECT_FALSE(whole_number(text).has_value()) << '"' << text << '"';
    }
}

// ---- typed fields --------------------------------------------------------------------------

JsonField Field(JsonType type, std::string text = {}) {
    return JsonField{type, std::move(text)};
}

TEST(JsonFields, StringFieldTakesStringsOnly) {
    EXPECT_EQ(string_field("sku", Field(JsonType::String, "A"), true), "A");
    EXPECT_EQ(string_field("reason", Field(JsonType::Null), false), std::nullopt);
    EXPECT_ERROR_CODE(ErrorCode::NullArgument, string_field("sku", Field(JsonType::Null), true));
    for (const JsonType type :
         {JsonType::Number, JsonType::Boolean, JsonType::Array, JsonType::Object}) {
        EXPECT_ERROR_CODE(
            ErrorCode::InvalidParameter,
            string_field("sku", Field(type, type == JsonType::Number ? "123" : ""), true))
            << json_type_name(type);
        EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                          string_field("reference_id", Field(type, "5"), false));
    }
}

TEST(JsonFields, QuantityIsAWholeJsonNumber) {
    EXPECT_EQ(quantity_field("quantity", Field(JsonType::Number, "5")), 5);
    EXPECT_EQ(quantity_field("quantity", Field(JsonType::Number, "1.0")), 1);
    EXPECT_EQ(quantity_field("quantity", Field(JsonType::Number, "-4")), -4);
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      quantity_field("quantity", Field(JsonType::Number, "1.5")));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      quantity_field("quantity", Field(JsonType::Number, "9223372036854775808")));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      quantity_field("quantity", Field(JsonType::String, "5")));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      quantity_field("quantity", Field(JsonType::Boolean)));
    EXPECT_ERROR_CODE(ErrorCode::InvalidQuantity,
                      quantity_field("quantity", Field(JsonType::Array)));
    EXPECT_ERROR_CODE(ErrorCode::NullArgument, quantity_field("quantity", Field(JsonType::Null)));
}

TEST(JsonFields, QuantityMessageShowsTheValue) {
    const auto error =
        test::CatchError([] { (void)quantity_field("quantity", Field(JsonType::String, "5")); });
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(std::string(error->what()), "quantity must be a whole number, not \"5\"");
}

TEST(JsonFields, IntegerFieldIsInIntegerRange) {
    EXPECT_EQ(integer_field("warehouse_id", Field(JsonType::Number, "7")), 7);
    EXPECT_EQ(integer_field("warehouse_id", Field(JsonType::Number, "2147483647")), 2147483647);
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      integer_field("warehouse_id", Field(JsonType::Number, "2147483648")));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      integer_field("warehouse_id", Field(JsonType::Number, "1.5")));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter,
                      integer_field("warehouse_id", Field(JsonType::String, "1")));
    EXPECT_ERROR_CODE(ErrorCode::NullArgument,
                      integer_field("warehouse_id", Field(JsonType::Null)));
}

// ---- look-alike SKUs -----------------------------------------------------------------------

// The UTF-8 encoding of one code point.
std::string Utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    return out;
}

// Bidirectional controls and zero-width (invisible) characters: refused anywhere.
constexpr char32_t kAnywhere[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D,
                                  0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0x200C,
                                  0x200D, 0x2060, 0xFEFF, 0x00AD, 0x2028, 0x2029};

// Format characters, separators and non-ASCII spaces: refused at either end.
constexpr char32_t kEdges[] = {0x00A0, 0x1680, 0x2000, 0x2001,  0x2005,  0x2009, 0x200A,
                               0x202F, 0x205F, 0x3000, 0x2028,  0x2029,  0xFEFF, 0x0600,
                               0x06DD, 0x180E, 0xFFF9, 0xE0001, 0xE007F, 0x1D173};

TEST(LookAlikeSkus, RefusesBidiAndInvisibleCharactersAnywhere) {
    for (const char32_t c : kAnywhere) {
        const std::string ch = Utf8(c);
        for (const std::string& sku : {"AB" + ch + "C", ch + "ABC", "ABC" + ch}) {
            EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(sku)) << std::hex << unsigned(c);
        }
    }
}

TEST(LookAlikeSkus, RefusesFormatSeparatorAndSpaceCharactersAtTheEdges) {
    for (const char32_t c : kEdges) {
        const std::string ch = Utf8(c);
        EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(ch + "ABC"))
            << std::hex << unsigned(c);
        EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC" + ch))
            << std::hex << unsigned(c);
        EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku(ch)) << std::hex << unsigned(c);
    }
}

TEST(LookAlikeSkus, AcceptsSpacesInsideAndOrdinaryCharacters) {
    for (const char32_t c : {0x00A0, 0x2009, 0x3000, 0x0600}) {
        EXPECT_NO_THROW(validate_sku("AB" + Utf8(c) + "C")) << std::hex << unsigned(c);
    }
    EXPECT_NO_THROW(validate_sku("caf\xC3\xA9"));                       // café
    EXPECT_NO_THROW(validate_sku("\xE5\x95\x86\xE5\x93\x81-1"));        // 商品-1
    EXPECT_NO_THROW(validate_sku("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"));  // שלום (right-to-left)
    EXPECT_NO_THROW(validate_sku("MUG-\xF0\x9F\x98\x80"));              // an emoji
    EXPECT_NO_THROW(validate_sku("\xC3\xA9"));                          // é alone
}

TEST(LookAlikeSkus, MessageNamesTheCodePoint) {
    const auto error = test::CatchError([] {
        validate_sku(
            "AB\xE2\x80\x8B"
            "C");
    });
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(std::string(error->what()).find("U+200B"), std::string::npos) << error->what();
    const auto edge = test::CatchError([] { validate_sku("ABC\xC2\xA0"); });
    ASSERT_TRUE(edge.has_value());
    EXPECT_NE(std::string(edge->what()).find("ends with U+00A0"), std::string::npos)
        << edge->what();
}

TEST(LookAlikeSkus, RecordedHistoryKeepsTheOldRules) {
    // Restored rows are judged by the rules they were written under (0.3.0).
    EXPECT_NO_THROW(
        validate_sku("AB\xE2\x80\x8B"
                     "C",
                     SkuRules::Recorded));
    EXPECT_NO_THROW(
        validate_sku("\xE3\x80\x80"
                     "ABC",
                     SkuRules::Recorded));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC ", SkuRules::Recorded));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("ABC\xC2\xA0", SkuRules::Recorded));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("AB\tC", SkuRules::Recorded));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku, validate_sku("", SkuRules::Recorded));
    EXPECT_ERROR_CODE(ErrorCode::InvalidSku,
                      (void)make_request("AB\xE2\x80\x8B"
                                         "C",
                                         1, EventKind::Receive, 1, std::nullopt));
    EXPECT_NO_THROW(
        (void)make_request("AB\xE2\x80\x8B"
                           "C",
                           1, EventKind::Receive, 1, std::nullopt, SkuRules::Recorded));
}

TEST(LookAlikeSkus, ToleratesInvalidUtf8) {
    // Not a code point checked here; the database's encoding validation owns invalid bytes.
    EXPECT_NO_THROW(
        validate_sku("AB\xFF"
                     "C"));
    EXPECT_NO_THROW(validate_sku("ABC\xE2\x80"));
}

// ---- ASCII case folding --------------------------------------------------------------------

TEST(AsciiFolding, FoldsOnlyAsciiLetters) {
    EXPECT_EQ(to_upper_ascii("receive"), "RECEIVE");
    EXPECT_EQ(to_upper_ascii("Offline_Sale-1"), "OFFLINE_SALE-1");
    // Dotless i (U+0131) and é stay as they are: only a-z are letters here.
    EXPECT_EQ(to_upper_ascii("\xC4\xB1\xC3\xA9"), "\xC4\xB1\xC3\xA9");
    EXPECT_ERROR_CODE(ErrorCode::UnknownEventType, (void)parse_event_kind("rece\xC4\xB1ve", false));
}

// Under a Turkish LC_CTYPE std::toupper('i') is not 'I'. The locale is built by
// test/locale/run.sh (localedef); without it this test has nothing to prove.
TEST(AsciiFolding, IndependentOfTheTurkishLocale) {
    const char* previous = std::setlocale(LC_CTYPE, nullptr);
    const std::string saved = previous != nullptr ? previous : "C";
    if (std::setlocale(LC_CTYPE, "tr_TR.UTF-8") == nullptr &&
        std::setlocale(LC_CTYPE, "tr_TR.utf8") == nullptr &&
        std::setlocale(LC_CTYPE, "tr_TR.ISO-8859-9") == nullptr) {
        GTEST_SKIP() << "no Turkish locale; test/locale/run.sh checks the database side";
    }
    EXPECT_EQ(parse_event_kind("receive", false), EventKind::Receive);
    EXPECT_EQ(parse_event_kind("Deallocate", false), EventKind::Deallocate);
    EXPECT_EQ(normalize_reason(EventKind::Adjust, "shrinkage"), "SHRINKAGE");
    EXPECT_EQ(normalize_reason(EventKind::Adjust, "offline_sale"), "OFFLINE_SALE");
    EXPECT_EQ(normalize_reason(EventKind::Return, "restock"), "RESTOCK");
    EXPECT_EQ(normalize_country("it"), "IT");
    std::setlocale(LC_CTYPE, saved.c_str());
}

// ---- warehouses ----------------------------------------------------------------------------

TEST(Warehouse, CountryIsTwoAsciiLettersUpperCased) {
    EXPECT_EQ(normalize_country("us"), "US");
    EXPECT_EQ(normalize_country("De"), "DE");
    EXPECT_EQ(normalize_country("it"), "IT");
    for (std::string_view bad : {"USA", "U", "", "U1", "  ", "\xC3\x9CS", "u s"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, (void)normalize_country(bad))
            << '"' << bad << '"';
    }
}

TEST(Warehouse, ShipToIsTwoAsciiLettersOrAWarehouseId) {
    EXPECT_EQ(normalize_ship_to("us"), "US");
    EXPECT_EQ(normalize_ship_to("De"), "DE");
    for (std::string_view bad : {"USA", "U", "", "U1", "\xC3\x9CS", "u s", "12"}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, (void)normalize_ship_to(bad))
            << '"' << bad << '"';
    }
    const auto error = test::CatchError([] { (void)normalize_ship_to("Mexico"); });
    ASSERT_TRUE(error);
    EXPECT_STREQ(error->what(), "ship_to must be an ISO 3166-1 alpha-2 code, not \"Mexico\"");
    EXPECT_TRUE(ship_to_is_warehouse_id("7"));
    EXPECT_TRUE(ship_to_is_warehouse_id("9999999999"));  // the cast to integer then refuses it
    EXPECT_FALSE(ship_to_is_warehouse_id("12345678901"));
    EXPECT_FALSE(ship_to_is_warehouse_id(""));
    EXPECT_FALSE(ship_to_is_warehouse_id("1a"));
    EXPECT_FALSE(ship_to_is_warehouse_id("-1"));
}

TEST(Warehouse, CodeAndName) {
    EXPECT_NO_THROW(validate_warehouse_code("NYC-1"));
    EXPECT_NO_THROW(validate_warehouse_code("a.b_c-9"));
    EXPECT_NO_THROW(validate_warehouse_code(std::string(32, 'X')));
    for (const std::string& bad : {std::string(""), std::string("-NYC"), std::string("NYC 1"),
                                   std::string(33, 'X'), std::string("N\xC3\xBC")}) {
        EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_warehouse_code(bad)) << bad;
    }
    EXPECT_NO_THROW(validate_warehouse_name("New York"));
    EXPECT_NO_THROW(validate_warehouse_name(std::string(200, 'x')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_warehouse_name(""));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_warehouse_name(std::string(201, 'x')));
    EXPECT_ERROR_CODE(ErrorCode::InvalidParameter, validate_serving_priority(-1));
    EXPECT_NO_THROW(validate_serving_priority(0));
}

// ---- where an Error was constructed ----------------------------------------------------------

TEST(ErrorLocation, IsWhereTheErrorWasConstructed) {
    const Error here(ErrorCode::Internal, "x");
    const auto line = __LINE__ - 1;
    EXPECT_EQ(here.where().line(), static_cast<unsigned>(line));
    EXPECT_TRUE(std::string_view(here.where().file_name()).ends_with("input_test.cpp"));

    const auto thrown = test::CatchError([] { validate_sku(""); });
    ASSERT_TRUE(thrown.has_value());
    EXPECT_TRUE(std::string_view(thrown->where().file_name()).ends_with("event.cpp"))
        << thrown->where().file_name();
    EXPECT_EQ(std::string_view(thrown->where().function_name()), "validate_sku");
}

}  // namespace
}  // namespace inventory
