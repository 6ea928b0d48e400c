// The HTTP server: Boost.Beast over Asio. One thread runs the event loop (accepting, reading,
// writing); each request is handed to a pool of worker threads, where Routes may block on the
// database or Redis, and its response is posted back to the connection's executor.
#pragma once

#include <cstdint>
#include <string>

#include "http/routes.hpp"

namespace inventory::services {

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port (printed at start)
    int workers = 4;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_queued = 4096;  // requests waiting for a worker beyond this: 503
};

// Serves until SIGINT or SIGTERM. Prints "listening on ADDRESS:PORT" on standard output once
// it accepts connections.
void serve(const ServerOptions& options, Routes& routes);

}  // namespace inventory::services
