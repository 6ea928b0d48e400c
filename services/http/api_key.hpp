// API keys on the HTTP side: taken from the request, hashed with SHA-256 (OpenSSL), and, for
// cached reads only, remembered for a few seconds. Writes and checkout decisions always look
// the key up in the database, in their own transaction. A key is never logged.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace inventory::services {

// The key of "Authorization: Bearer <key>" or else of "X-Api-Key: <key>"; nullopt when neither
// holds one of the extension's well-formed keys (core/api_key.hpp).
[[nodiscard]] std::optional<std::string> api_key_from_headers(std::string_view authorization,
                                                              std::string_view x_api_key);

// SHA-256 of the key's bytes in lower-case hex: what inventory_api_key_role() is given.
[[nodiscard]] std::string api_key_sha256_hex(std::string_view key);

// Roles of keys recently seen in the database, for at most `ttl`; ttl 0 remembers nothing.
class RecentKeys {
  public:
    explicit RecentKeys(std::chrono::milliseconds ttl) : ttl_(ttl) {}
    [[nodiscard]] std::optional<std::string> role_of(const std::string& key_sha256);
    void remember(const std::string& key_sha256, const std::string& role);
    void forget(const std::string& key_sha256);

  private:
    struct Entry {
        std::string role;
        std::chrono::steady_clock::time_point seen;
    };
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace inventory::services
