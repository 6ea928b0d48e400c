// The API's routes (README, "HTTP API"; services/http/openapi.json describes each one). A
// handler runs on a worker thread and may block there.
#pragma once

#include <cstdint>
#include <optional>

#include "http/gateway.hpp"
#include "http/request.hpp"

namespace inventory::services {

struct RouteOptions {
    // The warehouse of an adjust that names none (the chapter's call has no warehouse).
    std::optional<std::int32_t> default_warehouse_id;
};

class Routes {
  public:
    Routes(Gateway& gateway, RouteOptions options) : gateway_(gateway), options_(options) {}
    // Never throws: every failure becomes a JSON error response.
    ApiResponse handle(const ApiRequest& request) noexcept;

  private:
    ApiResponse route(const ApiRequest& request);
    ApiResponse availability(const ApiRequest& request, const std::string& key_sha256);
    ApiResponse cache_status(const std::string& key_sha256);
    ApiResponse adjust(const ApiRequest& request, const std::string& key_sha256);
    ApiResponse event(const ApiRequest& request, const std::string& key_sha256);
    ApiResponse batch(const ApiRequest& request, const std::string& key_sha256);
    ApiResponse allocate_order(const ApiRequest& request, const std::string& key_sha256);
    ApiResponse release_order(const ApiRequest& request, const std::string& order_ref,
                              const std::string& key_sha256);
    ApiResponse health();

    Gateway& gateway_;
    RouteOptions options_;
};

}  // namespace inventory::services
