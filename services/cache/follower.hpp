// inventory-cache's loop: follows inventory_level_changes from the position stored in Redis and
// writes what it returns, resyncing in full when Redis lost the cache, restarted, or the stored
// position is too old or refused.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cache/level_store.hpp"
#include "common/cache_layout.hpp"
#include "common/pg_client.hpp"
#include "common/redis_client.hpp"

namespace inventory::services {

struct FollowerOptions {
    std::string database;  // libpq connection string
    std::string redis = "127.0.0.1:6379";
    CacheLayout layout;
    int poll_ms = 100;             // longest wait between polls (a NOTIFY wakes it earlier)
    int max_lag_seconds = 300;     // a stored position older than this: resync in full
    int report_seconds = 10;       // how often the lag is printed
    std::size_t chunk_rows = 500;  // levels per Lua call
};

class Follower {
  public:
    Follower(FollowerOptions options, const std::atomic<bool>& stopping);
    // Runs until `stopping`; reconnects to PostgreSQL and Redis whenever they go away.
    void run();

  private:
    void connect();
    void resync(const std::string& why);
    void follow_once();
    // Reads the feed from `since` (nullopt: the full state) and writes it in chunks; the last
    // chunk moves the position. False when the generation changed underway.
    bool copy_feed(const std::optional<std::string>& since);
    void report(bool force);

    FollowerOptions options_;
    const std::atomic<bool>& stopping_;
    std::unique_ptr<PgConnection> pg_;
    std::unique_ptr<RedisConnection> redis_;
    std::unique_ptr<LevelStore> store_;
    std::string generation_;
    std::string position_;
    std::int64_t synced_at_ms_ = 0;
    std::uint64_t applied_rows_ = 0;
    std::uint64_t resyncs_ = 0;
    std::int64_t last_lag_ms_ = 0;
    std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace inventory::services
