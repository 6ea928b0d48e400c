// The API's errors: an HTTP status, the SQLSTATE that decided it (the extension's own, or one
// of PostgreSQL's for what the HTTP layer refuses itself), and PostgreSQL's message, detail and
// hint, sent as {"error": {...}}.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/pg_client.hpp"

namespace inventory::services {

struct ApiError : std::runtime_error {
    ApiError(int status, std::string sqlstate, std::string message, std::string detail = {},
             std::string hint = {})
        : std::runtime_error(message),
          status(status),
          sqlstate(std::move(sqlstate)),
          detail(std::move(detail)),
          hint(std::move(hint)) {}
    int status;
    std::string sqlstate;
    std::string detail;
    std::string hint;
};

// The status for a SQLSTATE: 409 insufficient stock and other conflicts with the current
// state, 422 bad input, 403 forbidden, 404 an unknown reference, 401 an unknown key, 503 the
// database unavailable, 500 anything else.
[[nodiscard]] int http_status_for_sqlstate(std::string_view sqlstate);

[[nodiscard]] ApiError api_error_from(const PgError& error);

// The JSON body of an error response.
[[nodiscard]] std::string error_body(const ApiError& error);

// The errors the HTTP layer raises itself, before the database sees the request.
[[nodiscard]] ApiError bad_input(std::string message);        // 422, 22023
[[nodiscard]] ApiError missing_input(std::string message);    // 422, 22004
[[nodiscard]] ApiError malformed_input(std::string message);  // 422, 22P02
[[nodiscard]] ApiError unknown_api_key();                     // 401, 28000

}  // namespace inventory::services
