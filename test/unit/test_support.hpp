// Shared helpers for the core's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/transition.hpp"

namespace inventory::test {

// Runs `body` and succeeds only if it throws inventory::Error with exactly `expected`.
template <typename Body>
::testing::AssertionResult ThrowsCode(ErrorCode expected, Body&& body) {
    try {
        std::forward<Body>(body)();
    } catch (const Error& e) {
        if (e.code() == expected) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "threw " << sqlstate(e.code()) << " (" << condition_name(e.code())
               << "): " << e.what() << "; expected " << sqlstate(expected) << " ("
               << condition_name(expected) << ")";
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw a non-inventory exception: " << e.what()
                                             << "; expected " << sqlstate(expected);
    } catch (...) {
        return ::testing::AssertionFailure()
               << "threw an unknown exception; expected " << sqlstate(expected);
    }
    return ::testing::AssertionFailure() << "did not throw; expected " << sqlstate(expected) << " ("
                                         << condition_name(expected) << ")";
}

// Runs `body` and returns the inventory::Error it throws (a failure is recorded if it does not).
template <typename Body>
std::optional<Error> CatchError(Body&& body) {
    try {
        std::forward<Body>(body)();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected an inventory::Error";
    return std::nullopt;
}

}  // namespace inventory::test

// EXPECT_ERROR_CODE(ErrorCode::X, expression): the expression throws inventory::Error with code X.
// The expression is variadic so that braced initialisers with commas need no extra parentheses.
#define EXPECT_ERROR_CODE(code, ...) \
    EXPECT_TRUE(::inventory::test::ThrowsCode((code), [&] { (void)(__VA_ARGS__); }))

namespace inventory::test {

inline constexpr std::string_view kSku = "SKU-1";
inline constexpr std::int32_t kWarehouse = 1;

inline EventRequest Request(EventKind kind, Quantity quantity,
                            std::optional<std::string_view> reason = std::nullopt) {
    return make_request(kSku, kWarehouse, kind, quantity, reason);
}

// ADJUST needs a reason; every other kind is applied without one unless given.
inline Transition Apply(Level before, EventKind kind, Quantity quantity, Policy policy = {},
                        std::optional<std::string_view> reason = std::nullopt) {
    if (kind == EventKind::Adjust && !reason) reason = "CORRECTION";
    return compute_transition(before, policy, Request(kind, quantity, reason));
}

inline Policy Backorders(std::optional<Quantity> limit = std::nullopt, Quantity safety = 0) {
    Policy policy;
    policy.allow_backorder = true;
    policy.backorder_limit = limit;
    policy.safety_stock = safety;
    return policy;
}

inline Policy SafetyStock(Quantity safety) {
    Policy policy;
    policy.safety_stock = safety;
    return policy;
}

}  // namespace inventory::test
