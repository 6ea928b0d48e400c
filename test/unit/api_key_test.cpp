#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "core/api_key.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

std::array<std::uint8_t, kApiKeyRandomBytes> Bytes(std::uint8_t first, std::uint8_t rest) {
    std::array<std::uint8_t, kApiKeyRandomBytes> bytes{};
    bytes.fill(rest);
    bytes[0] = first;
    return bytes;
}

TEST(ApiKey, FormatIsPrefixAndLowerHexOfEveryByte) {
    const std::string key = format_api_key(Bytes(0xA5, 0x0F));
    EXPECT_EQ(key.size(), kApiKeyLength);
    EXPECT_EQ(key.substr(0, 6), "ivk_a5");
    std::string rest;
    for (std::size_t i = 1; i < kApiKeyRandomBytes; ++i) rest += "0f";
    EXPECT_EQ(key.substr(6), rest);
    EXPECT_TRUE(is_well_formed_api_key(key));
    EXPECT_NE(format_api_key(Bytes(0x00, 0x00)), format_api_key(Bytes(0x01, 0x00)));
}

TEST(ApiKey, LookAlikesAreNotWellFormed) {
    const std::string key = format_api_key(Bytes(0x12, 0x34));
    EXPECT_FALSE(is_well_formed_api_key(""));
    EXPECT_FALSE(is_well_formed_api_key(key.substr(0, key.size() - 1)));  // short
    EXPECT_FALSE(is_well_formed_api_key(key + "0"));                      // long
    std::string upper = key;
    upper[10] = 'A';
    EXPECT_FALSE(is_well_formed_api_key(upper));  // upper-case hex
    std::string prefix = key;
    prefix[0] = 'I';
    EXPECT_FALSE(is_well_formed_api_key(prefix));
    std::string blank = key;
    blank[20] = ' ';
    EXPECT_FALSE(is_well_formed_api_key(blank));
}

TEST(ApiKey, Labels) {
    validate_api_key_label("warehouse scanner NYC-1");
    validate_api_key_label(std::string(200, 'x'));
    validate_api_key_label("Lager München");  // characters, not bytes
    EXPECT_TRUE(test::ThrowsCode(ErrorCode::InvalidParameter, [] { validate_api_key_label(""); }));
    EXPECT_TRUE(test::ThrowsCode(ErrorCode::InvalidParameter,
                                 [] { validate_api_key_label(std::string(201, 'x')); }));
    EXPECT_TRUE(
        test::ThrowsCode(ErrorCode::InvalidParameter, [] { validate_api_key_label("tab\there"); }));
}

}  // namespace
}  // namespace inventory
