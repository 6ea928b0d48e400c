#include "http/server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "common/log.hpp"
#include "http/api_error.hpp"

namespace inventory::services {
namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Shared {
    Routes& routes;
    net::thread_pool& workers;
    const ServerOptions& options;
    std::atomic<std::size_t> queued{0};
};

ApiRequest to_api_request(const http::request<http::string_body>& message) {
    ApiRequest request;
    request.method = std::string(message.method_string());
    request.authorization = std::string(message[http::field::authorization]);
    request.x_api_key = std::string(message["X-Api-Key"]);
    if (message.find("Idempotency-Key") != message.end())
        request.idempotency_key = std::string(message["Idempotency-Key"]);
    request.body = message.body();
    parse_target(std::string_view(message.target().data(), message.target().size()), request);
    return request;
}

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

    void start() { read(); }

  private:
    void read() {
        parser_.emplace();
        parser_->body_limit(shared_.options.max_body_bytes);
        stream_.expires_after(std::chrono::seconds(60));
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code error, std::size_t) {
        if (error == http::error::end_of_stream || error == beast::error::timeout) return close();
        if (error == http::error::body_limit) {
            keep_alive_ = false;
            return write({413,
                          error_body(ApiError(413, "54000", "the request body is too large")),
                          "application/json",
                          {}});
        }
        if (error) return close();
        http::request<http::string_body> message = parser_->release();
        keep_alive_ = message.keep_alive();
        version_ = message.version();
        ApiRequest request;
        try {
            request = to_api_request(message);
        } catch (const ApiError& bad) {
            return write({bad.status, error_body(bad), "application/json", {}});
        }
        if (shared_.queued.fetch_add(1) >= shared_.options.max_queued) {
            shared_.queued.fetch_sub(1);
            ApiResponse busy{503,
                             error_body(ApiError(503, "53000", "too many requests waiting")),
                             "application/json",
                             {{"Retry-After", "1"}}};
            return write(std::move(busy));
        }
        // The blocking part runs on a worker; the response comes back to this connection's
        // executor (the event loop), which alone touches the stream.
        net::post(shared_.workers, [self = shared_from_this(), request = std::move(request)] {
            ApiResponse response = self->shared_.routes.handle(request);
            self->shared_.queued.fetch_sub(1);
            net::post(self->stream_.get_executor(),
                      [self, response = std::move(response)]() mutable {
                          self->write(std::move(response));
                      });
        });
    }

    void write(ApiResponse api) {
        response_ = {};
        response_.version(version_);
        response_.result(static_cast<http::status>(api.status));
        response_.set(http::field::server, "inventory-http");
        response_.set(http::field::content_type, api.content_type);
        response_.set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : api.headers) response_.set(name, value);
        response_.keep_alive(keep_alive_);
        response_.body() = std::move(api.body);
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code error, std::size_t) {
        if (error || !keep_alive_) return close();
        read();
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    Shared& shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    bool keep_alive_ = false;
    unsigned version_ = 11;
};

void accept(tcp::acceptor& acceptor, Shared& shared) {
    acceptor.async_accept(net::make_strand(acceptor.get_executor()),
                          [&acceptor, &shared](beast::error_code error, tcp::socket socket) {
                              if (!error)
                                  std::make_shared<Session>(std::move(socket), shared)->start();
                              if (acceptor.is_open()) accept(acceptor, shared);
                          });
}
}  // namespace

void serve(const ServerOptions& options, Routes& routes) {
    net::io_context loop(1);
    net::thread_pool workers(static_cast<std::size_t>(options.workers));
    Shared shared{routes, workers, options};

    const tcp::endpoint endpoint(net::ip::make_address(options.address), options.port);
    tcp::acceptor acceptor(loop);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    accept(acceptor, shared);

    net::signal_set signals(loop, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) {
        log_line("inventory-http", "stopping");
        beast::error_code ignored;
        acceptor.close(ignored);
        loop.stop();
    });

    const auto bound = acceptor.local_endpoint();
    std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), bound.port());
    std::fflush(stdout);
    loop.run();
    workers.join();
}

}  // namespace inventory::services
