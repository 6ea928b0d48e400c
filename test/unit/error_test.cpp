#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace inventory {
namespace {

struct Documented {
    ErrorCode code;
    std::string_view sqlstate;
    std::string_view condition;
};

// Every ErrorCode with the SQLSTATE documented next to it in error.hpp.
const std::vector<Documented>& AllCodes() {
    static const std::vector<Documented> codes{
        {ErrorCode::NullArgument, "22004", "null_value_not_allowed"},
        {ErrorCode::InvalidParameter, "22023", "invalid_parameter_value"},
        {ErrorCode::OutOfRange, "22003", "numeric_value_out_of_range"},
        {ErrorCode::InsufficientStock, "IV001", "insufficient_stock"},
        {ErrorCode::IdempotencyConflict, "IV002", "idempotency_conflict"},
        {ErrorCode::UnknownWarehouse, "IV003", "unknown_warehouse"},
        {ErrorCode::InvalidQuantity, "IV004", "invalid_quantity"},
        {ErrorCode::UnknownEventType, "IV005", "unknown_event_type"},
        {ErrorCode::InvalidReason, "IV006", "invalid_reason"},
        {ErrorCode::InsufficientReserved, "IV007", "insufficient_reserved"},
        {ErrorCode::LedgerImmutable, "IV008", "ledger_immutable"},
        {ErrorCode::InvalidSku, "IV009", "invalid_sku"},
        {ErrorCode::InvalidIdentifier, "IV010", "invalid_identifier"},
        {ErrorCode::PolicyConflict, "IV011", "policy_conflict"},
        {ErrorCode::ForbiddenForRole, "IV012", "forbidden_for_role"},
        {ErrorCode::ReferenceNotFound, "IV013", "reference_not_found"},
        {ErrorCode::ReservationExpired, "IV014", "reservation_expired"},
        {ErrorCode::ReferenceClosed, "IV015", "reference_closed"},
        {ErrorCode::NoServingWarehouse, "IV016", "no_serving_warehouse"},
        {ErrorCode::ProgramLimitExceeded, "54000", "program_limit_exceeded"},
        {ErrorCode::UpgradeRequired, "55000", "object_not_in_prerequisite_state"},
        {ErrorCode::StockRecordsExist, "23503", "foreign_key_violation"},
        {ErrorCode::SerializationFailure, "40001", "serialization_failure"},
        {ErrorCode::FeatureNotSupported, "0A000", "feature_not_supported"},
        {ErrorCode::Internal, "XX000", "internal_error"},
    };
    return codes;
}

TEST(ErrorCodes, TableCoversEveryEnumerator) {
    // Internal is the last enumerator; the table must list 0..Internal exactly once each.
    std::set<int> seen;
    for (const auto& entry : AllCodes()) seen.insert(static_cast<int>(entry.code));
    EXPECT_EQ(seen.size(), AllCodes().size());
    EXPECT_EQ(static_cast<int>(AllCodes().size()), static_cast<int>(ErrorCode::Internal) + 1);
    EXPECT_EQ(*seen.begin(), 0);
    EXPECT_EQ(*seen.rbegin(), static_cast<int>(ErrorCode::Internal));
}

TEST(ErrorCodes, SqlstateMatchesTheDocumentation) {
    for (const auto& entry : AllCodes()) {
        EXPECT_EQ(sqlstate(entry.code), entry.sqlstate) << entry.condition;
    }
}

TEST(ErrorCodes, ConditionNameMatchesTheDocumentation) {
    for (const auto& entry : AllCodes()) {
        EXPECT_EQ(condition_name(entry.code), entry.condition) << entry.sqlstate;
    }
}

TEST(ErrorCodes, SqlstatesAreDistinctFiveCharacterCodes) {
    std::set<std::string_view> states;
    for (const auto& entry : AllCodes()) {
        const std::string_view state = sqlstate(entry.code);
        ASSERT_EQ(state.size(), 5u) << state;
        EXPECT_TRUE(std::all_of(state.begin(), state.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        })) << state;
        EXPECT_TRUE(states.insert(state).second) << "duplicate SQLSTATE " << state;
    }
}

TEST(ErrorCodes, ConditionNamesAreDistinctIdentifiers) {
    std::set<std::string_view> names;
    for (const auto& entry : AllCodes()) {
        const std::string_view name = condition_name(entry.code);
        ASSERT_FALSE(name.empty());
        EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || c == '_';
        })) << name;
        EXPECT_TRUE(names.insert(name).second) << "duplicate condition name " << name;
    }
}

TEST(ErrorCodes, ExtensionCodesUseTheIvClass) {
    // The extension's own conditions live in class IV so they cannot collide with PostgreSQL's.
    for (const auto& entry : AllCodes()) {
        const std::string_view state = sqlstate(entry.code);
        const bool builtin = state == "22004" || state == "22023" || state == "22003" ||
                             state == "23503" || state == "40001" || state == "54000" ||
                             state == "55000" || state == "0A000" || state == "XX000";
        EXPECT_TRUE(builtin || state.substr(0, 2) == "IV") << state;
    }
}

TEST(ErrorCodes, OutOfEnumValueFallsBackToInternal) {
    const auto bogus = static_cast<ErrorCode>(1000);
    EXPECT_EQ(sqlstate(bogus), "XX000");
    EXPECT_EQ(condition_name(bogus), "internal_error");
}

TEST(ErrorClass, KeepsCodeMessageDetailAndHint) {
    const Error error(ErrorCode::InsufficientStock, "not enough", "on_hand 1", "receive more");
    EXPECT_EQ(error.code(), ErrorCode::InsufficientStock);
    EXPECT_STREQ(error.what(), "not enough");
    EXPECT_EQ(error.detail(), "on_hand 1");
    EXPECT_EQ(error.hint(), "receive more");
}

TEST(ErrorClass, DetailAndHintDefaultToEmpty) {
    const Error error(ErrorCode::Internal, "boom");
    EXPECT_EQ(error.code(), ErrorCode::Internal);
    EXPECT_TRUE(error.detail().empty());
    EXPECT_TRUE(error.hint().empty());
}

TEST(ErrorClass, IsCaughtAsRuntimeError) {
    try {
        throw Error(ErrorCode::InvalidSku, "bad sku");
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "bad sku");
        return;
    }
    FAIL() << "inventory::Error is not a std::runtime_error";
}

}  // namespace
}  // namespace inventory
