// inventory-cache: keeps the available-to-sell figures of every level, and of every SKU, in
// Redis, following the extension's change feed (see README, "Cache and HTTP API").
#include <csignal>
#include <cstdio>
#include <exception>

#include "cache/follower.hpp"
#include "common/log.hpp"
#include "common/options.hpp"

namespace {
std::atomic<bool> stopping{false};
extern "C" void request_stop(int) {
    stopping = true;
}
}  // namespace

int main(int argc, char** argv) {
    // hiredis writes to a socket Redis may have closed: an error, not a signal that kills us.
    std::signal(SIGPIPE, SIG_IGN);
    using namespace inventory::services;
    try {
        const Options options(
            argc, argv,
            {{"database", "",
              "libpq connection string of a role in inventory_reader ('' : PG* variables)"},
             {"redis", "127.0.0.1:6379", "Redis server: host:port or unix:/path/to/socket"},
             {"prefix", "inventory:", "prefix of every Redis key the cache writes"},
             {"poll-ms", "100",
              "longest wait between two polls of the feed (a NOTIFY wakes it sooner)"},
             {"max-lag-seconds", "300",
              "resync in full at start when the stored position is older"},
             {"report-seconds", "10", "how often the lag is printed and stored"}});
        if (options.help_requested()) {
            std::fputs(options.usage("inventory-cache").c_str(), stdout);
            return 0;
        }
        FollowerOptions follower;
        follower.database = options.text("database");
        follower.redis = options.text("redis");
        follower.layout.prefix = options.text("prefix");
        follower.poll_ms = static_cast<int>(options.integer("poll-ms", 1, 60000));
        follower.max_lag_seconds =
            static_cast<int>(options.integer("max-lag-seconds", 1, 7 * 24 * 3600));
        follower.report_seconds = static_cast<int>(options.integer("report-seconds", 1, 3600));
        std::signal(SIGTERM, request_stop);
        std::signal(SIGINT, request_stop);
        Follower(follower, stopping).run();
        return 0;
    } catch (const std::exception& error) {
        log_line("inventory-cache", error.what());
        return 2;
    }
}
