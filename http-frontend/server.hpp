#pragma once
// The HTTP front end: a Beast server on the caller's io_context (any number of threads may run
// it). Keep-alive and pipelining (requests answered in order, one at a time per connection),
// header/body limits, timeouts, optional TLS, a bound on open connections, X-Request-Id on every
// response, one access-log line and one metrics observation per request. Handlers that may block
// run on a small worker pool and post their response back to the connection's strand.
//
//   bindery::http::HttpServer server(io, config, {gateway, clients, idempotency, metrics,
//   readiness}); server.start();          // throws std::system_error / std::runtime_error on a
//   startup failure
//   ...
//   server.stop();           // stop accepting, close connections, wait for the workers

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "http-frontend/api_handler.hpp"
#include "http-frontend/server_config.hpp"

namespace bindery::http {

struct ServerCore;
class Listener;

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, ServerConfig config, ApiDeps deps);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The operator endpoint and status page (/admin/v1, /ui); call before start(). Without it
    // those paths answer 404.
    void set_admin(std::shared_ptr<AdminHandler> admin);
    void start();
    void stop();
    // The bound port (after start()); useful with port 0.
    std::uint16_t port() const noexcept;
    std::size_t active_connections() const noexcept;

private:
    std::shared_ptr<ServerCore> core_;
    std::shared_ptr<Listener> listener_;
    std::uint16_t port_ = 0;
};

}  // namespace bindery::http
