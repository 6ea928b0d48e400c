// inventory-http: the source chapter's HTTP API over the extension (see README, "Cache and HTTP
// API"; GET /api/openapi.json describes every route).
#include <charconv>
#include <csignal>
#include <cstdio>
#include <exception>

#include "common/log.hpp"
#include "common/options.hpp"
#include "http/server.hpp"

int main(int argc, char** argv) {
    // hiredis writes to a socket Redis may have closed: an error, not a signal that kills us.
    std::signal(SIGPIPE, SIG_IGN);
    using namespace inventory::services;
    try {
        const Options options(
            argc, argv,
            {{"database", "",
              "libpq connection string of the gateway's login role ('' : PG* variables)"},
             {"redis", "127.0.0.1:6379",
              "the Redis that inventory-cache fills: host:port or unix:/path"},
             {"prefix",
              "inventory:", "prefix of the cache's Redis keys (as given to inventory-cache)"},
             {"listen", "127.0.0.1:8080", "address:port to serve on (port 0: any free port)"},
             {"workers", "4", "worker threads, each with one database connection"},
             {"default-warehouse", "", "warehouse id of an adjust that names none"},
             {"key-cache-seconds", "10",
              "how long cached reads trust a key without asking the database"},
             {"statement-timeout-ms", "10000", "statement_timeout of the database connections"}});
        if (options.help_requested()) {
            std::fputs(options.usage("inventory-http").c_str(), stdout);
            return 0;
        }
        GatewayOptions gateway_options;
        gateway_options.database = options.text("database");
        gateway_options.redis = options.text("redis");
        gateway_options.layout.prefix = options.text("prefix");
        gateway_options.key_cache_ttl =
            std::chrono::seconds(options.integer("key-cache-seconds", 0, 3600));
        gateway_options.statement_timeout_ms =
            static_cast<int>(options.integer("statement-timeout-ms", 0, 3600 * 1000));
        RouteOptions route_options;
        if (!options.text("default-warehouse").empty())
            route_options.default_warehouse_id =
                static_cast<std::int32_t>(options.integer("default-warehouse", 1, 2147483647));

        ServerOptions server_options;
        const std::string& listen = options.text("listen");
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos)
            throw std::invalid_argument("--listen must be address:port, not \"" + listen + "\"");
        server_options.address = listen.substr(0, colon);
        const std::string port = listen.substr(colon + 1);
        unsigned parsed_port = 0;
        const auto [end, error] =
            std::from_chars(port.data(), port.data() + port.size(), parsed_port);
        if (port.empty() || error != std::errc() || end != port.data() + port.size() ||
            parsed_port > 65535)
            throw std::invalid_argument("--listen must end in a port from 0 to 65535");
        server_options.port = static_cast<std::uint16_t>(parsed_port);
        server_options.workers = static_cast<int>(options.integer("workers", 1, 256));

        Gateway gateway(gateway_options);
        Routes routes(gateway, route_options);
        serve(server_options, routes);
        return 0;
    } catch (const std::exception& error) {
        log_line("inventory-http", error.what());
        return 2;
    }
}
