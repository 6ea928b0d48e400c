// A thin RAII layer over hiredis (synchronous): one connection to a Redis server by Unix socket
// or TCP, binary-safe commands given as argument vectors, errors as RedisError.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace inventory::services {

struct RedisError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A reply, owned. Nested replies (arrays) are views into their parent.
class RedisReply {
  public:
    explicit RedisReply(redisReply* reply) : reply_(reply, &freeReplyObject) {}
    [[nodiscard]] const redisReply& operator*() const { return *reply_; }
    [[nodiscard]] const redisReply* operator->() const { return reply_.get(); }
    // Element `index` of an array reply as text; nullopt when it is nil or not there.
    [[nodiscard]] std::optional<std::string> element_text(std::size_t index) const;

  private:
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply_;
};

class RedisConnection {
  public:
    // `address` is "unix:/path/to/socket" or "host:port"; throws RedisError when it cannot
    // connect. The timeout bounds connecting and every command.
    explicit RedisConnection(const std::string& address, int timeout_ms = 2000);

    // Runs one command; throws RedisError on a connection error or an error reply.
    RedisReply command(const std::vector<std::string>& arguments);

    // The value of a string reply, nullopt for a nil reply.
    std::optional<std::string> get_string(const std::vector<std::string>& arguments);

    // The server's run_id (INFO server): a new one means the server restarted.
    std::string run_id();

  private:
    std::unique_ptr<redisContext, decltype(&redisFree)> context_;
};

}  // namespace inventory::services
