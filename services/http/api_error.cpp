#include "http/api_error.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "http/json_values.hpp"

namespace inventory::services {
namespace {
struct StatusRule {
    std::string_view sqlstate;  // a full SQLSTATE, or a two-character class
    int status;
};

// The extension's codes (README, "SQLSTATEs") first, then PostgreSQL's classes.
constexpr std::array kRules{
    StatusRule{"IV001", 409},  // insufficient stock
    StatusRule{"IV002", 409},  // idempotency key or reference reused for another request
    StatusRule{"IV003", 422},  // unknown warehouse
    StatusRule{"IV004", 422},  // invalid quantity
    StatusRule{"IV005", 422},  // unknown event type
    StatusRule{"IV006", 422},  // invalid reason
    StatusRule{"IV007", 409},  // insufficient reserved
    StatusRule{"IV008", 403},  // the ledger is immutable
    StatusRule{"IV009", 422},  // invalid SKU
    StatusRule{"IV010", 422},  // invalid identifier
    StatusRule{"IV011", 409},  // a policy the current levels break
    StatusRule{"IV012", 403},  // forbidden for the key's role
    StatusRule{"IV013", 404},  // unknown reservation, order, transfer or key
    StatusRule{"IV014", 409},  // reservation expired
    StatusRule{"IV015", 409},  // reference closed
    StatusRule{"IV016", 422},  // no warehouse serves the country
    StatusRule{"42501", 403},  // insufficient privilege
    StatusRule{"28000", 401},  // unknown or revoked API key
    StatusRule{"40001", 409},  // serialization failure (retried first)
    StatusRule{"40P01", 409},  // deadlock (retried first)
    StatusRule{"23505", 409},  // unique violation
    StatusRule{"57014", 503},  // query cancelled (statement timeout)
    StatusRule{"55P03", 503},  // lock not available (lock timeout)
    StatusRule{"22", 422},     // data exception: bad input
    StatusRule{"23", 422},     // integrity constraint violation
    StatusRule{"08", 503},     // connection exception
    StatusRule{"53", 503},     // insufficient resources (too many connections)
    StatusRule{"57", 503},     // operator intervention (shutdown)
};
}  // namespace

int http_status_for_sqlstate(std::string_view sqlstate) {
    for (const auto& rule : kRules) {
        if (rule.sqlstate.size() == 5 ? sqlstate == rule.sqlstate
                                      : sqlstate.starts_with(rule.sqlstate))
            return rule.status;
    }
    return 500;
}

ApiError api_error_from(const PgError& error) {
    return ApiError(http_status_for_sqlstate(error.sqlstate), error.sqlstate, error.what(),
                    error.detail, error.hint);
}

std::string error_body(const ApiError& error) {
    nlohmann::json body = {
        {"status", error.status}, {"sqlstate", error.sqlstate}, {"message", error.what()}};
    if (!error.detail.empty()) body["detail"] = error.detail;
    if (!error.hint.empty()) body["hint"] = error.hint;
    return dump(nlohmann::json{{"error", body}});
}

ApiError bad_input(std::string message) {
    return ApiError(422, "22023", std::move(message));
}
ApiError missing_input(std::string message) {
    return ApiError(422, "22004", std::move(message));
}
ApiError malformed_input(std::string message) {
    return ApiError(422, "22P02", std::move(message));
}
ApiError unknown_api_key() {
    return ApiError(401, "28000", "unknown or revoked API key", {},
                    "Send the key as \"Authorization: Bearer ivk_...\" or \"X-Api-Key\".");
}

}  // namespace inventory::services
