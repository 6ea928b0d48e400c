// The HTTP API's way into the database and the cache. Each worker thread owns one PostgreSQL
// and one Redis connection (made when first needed, remade when lost), so a request's blocking
// calls run on that thread, never on the event loop. A request runs as its key's role: inside
// its own transaction, SET LOCAL ROLE to what inventory_api_key_role() returns, so the role
// ends with the transaction, also when it fails.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/cache_layout.hpp"
#include "common/pg_client.hpp"
#include "common/redis_client.hpp"
#include "http/api_key.hpp"

namespace inventory::services {

struct GatewayOptions {
    std::string database;  // libpq connection string of the gateway's login role
    std::string redis = "127.0.0.1:6379";
    CacheLayout layout;
    std::chrono::milliseconds key_cache_ttl{10000};
    int statement_timeout_ms = 10000;
    int serialization_retries = 3;
};

class Gateway {
  public:
    explicit Gateway(GatewayOptions options);

    // Runs `work` in a transaction as the role of the key with this SHA-256 (hex). Throws
    // ApiError: 401 for an unknown or revoked key, the mapped status for a database error
    // (after retrying a serialization failure or deadlock), 503 when the database is away.
    void as_key(const std::string& key_sha256, const std::function<void(PgConnection&)>& work);

    // The role of a key for a cached read: remembered for key_cache_ttl, else looked up.
    std::string role_for_cached_read(const std::string& key_sha256);

    // This thread's Redis connection; nullptr while Redis cannot be reached.
    RedisConnection* redis();
    // Drops this thread's Redis connection after an error; the next call reconnects.
    void redis_failed();

    [[nodiscard]] const CacheLayout& layout() const { return options_.layout; }

    // SELECT 1 on this thread's connection: whether the database answers.
    bool database_answers();

  private:
    PgConnection& database();
    // In the open transaction, as inventory_reader: the key's role, or nullopt.
    std::optional<std::string> lookup_role(PgConnection& db, const std::string& key_sha256);

    GatewayOptions options_;
    RecentKeys recent_keys_;
};

}  // namespace inventory::services
