#include "common/redis_client.hpp"

#include <sys/time.h>

#include <string_view>

namespace inventory::services {
namespace {
timeval to_timeval(int timeout_ms) {
    return timeval{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
}
}  // namespace

std::optional<std::string> RedisReply::element_text(std::size_t index) const {
    if (reply_->type != REDIS_REPLY_ARRAY || index >= reply_->elements) return std::nullopt;
    const redisReply* element = reply_->element[index];
    if (element->type != REDIS_REPLY_STRING) return std::nullopt;
    return std::string(element->str, element->len);
}

RedisConnection::RedisConnection(const std::string& address, int timeout_ms)
    : context_(nullptr, &redisFree) {
    const timeval timeout = to_timeval(timeout_ms);
    constexpr std::string_view kUnix = "unix:";
    if (address.starts_with(kUnix)) {
        context_.reset(redisConnectUnixWithTimeout(address.substr(kUnix.size()).c_str(), timeout));
    } else {
        const auto colon = address.rfind(':');
        if (colon == std::string::npos)
            throw RedisError("Redis address is not host:port: " + address);
        const int port = std::stoi(address.substr(colon + 1));
        context_.reset(redisConnectWithTimeout(address.substr(0, colon).c_str(), port, timeout));
    }
    if (!context_) throw RedisError("cannot allocate a Redis connection");
    if (context_->err)
        throw RedisError("cannot connect to Redis at " + address + ": " + context_->errstr);
    if (redisSetTimeout(context_.get(), timeout) != REDIS_OK)
        throw RedisError("cannot set the Redis timeout");
}

RedisReply RedisConnection::command(const std::vector<std::string>& arguments) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    argv.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const auto& argument : arguments) {
        argv.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (raw == nullptr) throw RedisError(std::string("Redis connection lost: ") + context_->errstr);
    RedisReply reply(raw);
    if (reply->type == REDIS_REPLY_ERROR)
        throw RedisError("Redis: " + std::string(reply->str, reply->len));
    return reply;
}

std::optional<std::string> RedisConnection::get_string(const std::vector<std::string>& arguments) {
    RedisReply reply = command(arguments);
    if (reply->type == REDIS_REPLY_NIL) return std::nullopt;
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS)
        return std::string(reply->str, reply->len);
    if (reply->type == REDIS_REPLY_INTEGER) return std::to_string(reply->integer);
    throw RedisError("Redis: unexpected reply type to " + arguments.front());
}

std::string RedisConnection::run_id() {
    const auto info = get_string({"INFO", "server"}).value_or("");
    constexpr std::string_view kField = "run_id:";
    const auto at = info.find(kField);
    if (at == std::string::npos) throw RedisError("Redis INFO server has no run_id");
    const auto start = at + kField.size();
    return info.substr(start, info.find_first_of("\r\n", start) - start);
}

}  // namespace inventory::services
