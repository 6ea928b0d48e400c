#include "cache/follower.hpp"

#include <algorithm>
#include <thread>
#include <unordered_set>
#include <utility>

#include "common/log.hpp"

namespace inventory::services {
namespace {
constexpr std::string_view kProgram = "inventory-cache";

// The feed with the database's clock at the statement's start: everything committed before
// that instant is in the rows (the snapshot is taken after it), so it is how fresh they are.
const std::string kFeedQuery =
    "SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, version, next_position, "
    "(extract(epoch FROM pg_catalog.statement_timestamp()) * 1000)::bigint "
    "FROM inventory.inventory_level_changes($1)";

void log(const std::string& message) {
    log_line(kProgram, message);
}
}  // namespace

Follower::Follower(FollowerOptions options, const std::atomic<bool>& stopping)
    : options_(std::move(options)), stopping_(stopping) {}

void Follower::connect() {
    store_.reset();
    redis_.reset();
    pg_.reset();
    pg_ = std::make_unique<PgConnection>(options_.database);
    pg_->exec("SET application_name = 'inventory-cache'");
    pg_->exec("LISTEN inventory_levels");
    redis_ = std::make_unique<RedisConnection>(options_.redis);
    store_ = std::make_unique<LevelStore>(*redis_, options_.layout);

    const CacheState state = store_->read_state();
    const std::string run_id = redis_->run_id();
    if (!state.generation) return resync("Redis holds no cache (first start, or it lost its data)");
    if (state.redis_run_id != run_id) return resync("Redis restarted (its run_id changed)");
    if (!state.position) return resync("no stored position (a resync did not finish)");
    const std::int64_t age_ms = unix_ms_now() - state.synced_at_ms.value_or(0);
    if (age_ms > options_.max_lag_seconds * 1000LL)
        return resync("the stored position is " + std::to_string(age_ms / 1000) + " s old");
    generation_ = *state.generation;
    position_ = *state.position;
    synced_at_ms_ = state.synced_at_ms.value_or(0);
    log("resuming from the stored position (" + std::to_string(age_ms) + " ms old)");
}

void Follower::resync(const std::string& why) {
    log("full resync: " + why);
    ++resyncs_;
    generation_ = store_->begin_resync(redis_->run_id());
    if (!copy_feed(std::nullopt))
        throw RedisError(
            "the cache's generation changed during a resync (a second inventory-cache?)");
}

bool Follower::copy_feed(const std::optional<std::string>& since) {
    PgResult result = pg_->exec(kFeedQuery, {since});
    std::vector<LevelFigures> rows;
    rows.reserve(result.rows());
    std::string next_position = since.value_or("");
    std::int64_t synced_at_ms = synced_at_ms_;
    for (int row = 0; row < result.rows(); ++row) {
        next_position = std::string(result.text(row, 6));
        synced_at_ms = std::stoll(std::string(result.text(row, 7)));
        if (result.is_null(row, 0)) continue;  // nothing changed
        rows.push_back({std::string(result.text(row, 0)),
                        static_cast<std::int32_t>(std::stol(std::string(result.text(row, 1)))),
                        std::string(result.text(row, 2)), std::string(result.text(row, 3)),
                        std::string(result.text(row, 4)), std::string(result.text(row, 5))});
    }
    if (!since) {
        // The full state: a level Redis holds that the database no longer has is removed.
        std::unordered_set<std::string> current;
        for (const auto& row : rows)
            current.insert(CacheLayout::level_member(row.sku, row.warehouse_id));
        for (const auto& member : store_->held_levels()) {
            if (current.contains(member)) continue;
            const auto colon = member.find(':');
            rows.push_back({member.substr(colon + 1),
                            static_cast<std::int32_t>(std::stol(member.substr(0, colon))), "0", "0",
                            "0", "0"});
        }
    }
    // The position moves with the last chunk only: a crash between chunks resumes from the old
    // one and writes them again (a write of the same version changes nothing).
    const std::size_t chunk = std::max<std::size_t>(options_.chunk_rows, 1);
    std::size_t start = 0;
    do {
        const std::size_t end = std::min(rows.size(), start + chunk);
        const std::vector<LevelFigures> part(rows.begin() + static_cast<std::ptrdiff_t>(start),
                                             rows.begin() + static_cast<std::ptrdiff_t>(end));
        const bool last = end == rows.size();
        if (!store_->apply(generation_, part,
                           last ? std::optional<std::string>(next_position) : std::nullopt,
                           synced_at_ms))
            return false;
        start = end;
    } while (start < rows.size());
    position_ = next_position;
    synced_at_ms_ = synced_at_ms;
    applied_rows_ += rows.size();
    last_lag_ms_ = unix_ms_now() - synced_at_ms;
    return true;
}

void Follower::follow_once() {
    try {
        if (!copy_feed(position_))
            resync("the cache's marker is gone or changed (Redis lost its data?)");
    } catch (const PgError& error) {
        if (error.sqlstate != "22023") throw;
        resync(std::string("the database refused the stored position: ") + error.what());
    }
}

void Follower::report(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report_ < std::chrono::seconds(options_.report_seconds)) return;
    last_report_ = now;
    const std::int64_t age_ms = unix_ms_now() - synced_at_ms_;
    log("lag " + std::to_string(last_lag_ms_) + " ms at the last write, data " +
        std::to_string(age_ms) + " ms old, " + std::to_string(applied_rows_) + " level writes, " +
        std::to_string(resyncs_) + " full resyncs");
    redis_->command({"HSET", options_.layout.state_key(), "lag_ms", std::to_string(last_lag_ms_),
                     "level_writes", std::to_string(applied_rows_), "resyncs",
                     std::to_string(resyncs_), "reported_at_ms", std::to_string(unix_ms_now())});
}

void Follower::run() {
    bool connected = false;
    while (!stopping_) {
        try {
            if (!connected) {
                connect();
                connected = true;
                report(true);
            }
            follow_once();
            report(false);
            if (pg_->wait_readable(options_.poll_ms)) pg_->take_notifications();
        } catch (const std::exception& error) {
            log(std::string("waiting to reconnect: ") + error.what());
            connected = false;
            for (int i = 0; i < 10 && !stopping_; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    log("stopped");
}

}  // namespace inventory::services
