// The cache's side in Redis: the figures of the levels and of their SKUs, written only by a
// version-checked Lua script that also moves the stored feed position, so the position and the
// figures it describes change together or not at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/cache_layout.hpp"
#include "common/redis_client.hpp"

namespace inventory::services {

// One row of the change feed, figures as PostgreSQL's text (exact bigints).
struct LevelFigures {
    std::string sku;
    std::int32_t warehouse_id = 0;
    std::string on_hand, reserved, available_to_sell, version;
};

struct CacheState {
    std::optional<std::string> generation;  // absent: Redis lost the cache (or never had it)
    std::optional<std::string> position;    // the feed position the figures are complete up to
    std::optional<std::int64_t> synced_at_ms;
    std::optional<std::string> redis_run_id;
};

class LevelStore {
  public:
    LevelStore(RedisConnection& redis, CacheLayout layout);

    [[nodiscard]] CacheState read_state();

    // Starts a full resync: a new generation (which the state hash records at once, with the
    // Redis run_id) and returns it. Figures written under the old generation stay readable
    // until they are overwritten.
    std::string begin_resync(const std::string& run_id);

    // Writes `rows` (version 0: the level no longer exists) unless a stored level has a newer
    // version, and, when `position` is given, records it with synced_at_ms, all in one script.
    // False when the stored generation is not `generation` (Redis lost the cache, or another
    // resync began): nothing was written.
    bool apply(const std::string& generation, const std::vector<LevelFigures>& rows,
               const std::optional<std::string>& position, std::int64_t synced_at_ms);

    // The levels held now, as CacheLayout::level_member strings.
    std::vector<std::string> held_levels();

  private:
    RedisConnection& redis_;
    CacheLayout layout_;
    std::string script_sha_;
};

}  // namespace inventory::services
