// A request and a response as the routes see them, apart from Beast: what a handler needs and
// what the unit tests can build by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inventory::services {

struct ApiRequest {
    std::string method;  // "GET", "POST", ...
    std::string path;    // decoded, without the query
    std::map<std::string, std::string> query;
    std::string authorization;
    std::string x_api_key;
    std::optional<std::string> idempotency_key;
    std::string body;
};

struct ApiResponse {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

// Splits a request target into its decoded path and query parameters ('+' is a space).
// Throws ApiError (422) for a malformed percent escape or a parameter given twice.
void parse_target(std::string_view target, ApiRequest& request);

}  // namespace inventory::services
