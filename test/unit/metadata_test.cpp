#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/metadata.hpp"
#include "test_support.hpp"

namespace inventory {
namespace {

using test::ThrowsCode;

TEST(ValidateUnitCost, AcceptsAbsentAndNonNegativeNumbers) {
    EXPECT_NO_THROW(validate_unit_cost(UnitCostShape::Absent, ""));
    EXPECT_NO_THROW(validate_unit_cost(UnitCostShape::NonNegativeNumber, "0"));
    EXPECT_NO_THROW(validate_unit_cost(UnitCostShape::NonNegativeNumber, "12.50"));
}

TEST(ValidateUnitCost, RefusesTextAndOtherJsonKinds) {
    EXPECT_TRUE(ThrowsCode(ErrorCode::InvalidParameter,
                           [] { validate_unit_cost(UnitCostShape::NotANumber, "\"12,50 EUR\""); }));
    EXPECT_TRUE(ThrowsCode(ErrorCode::InvalidParameter,
                           [] { validate_unit_cost(UnitCostShape::NotANumber, "null"); }));
}

TEST(ValidateUnitCost, RefusesNegativeNumbers) {
    EXPECT_TRUE(ThrowsCode(ErrorCode::InvalidParameter,
                           [] { validate_unit_cost(UnitCostShape::NegativeNumber, "-1"); }));
}

TEST(ValidateUnitCost, MessageQuotesTheValueShortened) {
    try {
        validate_unit_cost(UnitCostShape::NotANumber, "\"12,50 EUR\"");
        FAIL() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "metadata unit_cost must be a non-negative JSON number, not \"12,50 EUR\"");
    }
    try {
        validate_unit_cost(UnitCostShape::NotANumber, std::string(100, 'x'));
        FAIL() << "did not throw";
    } catch (const Error& e) {
        EXPECT_EQ(
            std::string(e.what()).size(),
            std::string("metadata unit_cost must be a non-negative JSON number, not ").size() + 40 +
                3);
    }
}

TEST(ValidateUnitCost, ShortensOnACharacterBoundary) {
    // 39 bytes, then two two-byte characters: byte 40 is inside the first one.
    const std::string utf8 = "\"" + std::string(38, 'x') + "\xc3\xa9\xc3\xa9\"";
    try {
        validate_unit_cost(UnitCostShape::NotANumber, utf8);
        FAIL() << "did not throw";
    } catch (const Error& e) {
        const std::string message(e.what());
        EXPECT_EQ(message.substr(message.size() - 4), "x...");
    }
}

}  // namespace
}  // namespace inventory
