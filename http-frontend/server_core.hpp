#pragma once
// Internal to the server: the state shared by the listener and every connection. Connections
// hold it by shared_ptr, so it outlives HttpServer while handlers are still completing.

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/logger.h>

#include "http-frontend/api_handler.hpp"
#include "http-frontend/server_config.hpp"
#include "router/api/submit_batcher.hpp"

namespace bindery::http {

// What the server can do to a live connection.
class ConnectionHandle {
public:
    virtual ~ConnectionHandle() = default;
    virtual void close_from_server() = 0;
};

struct ServerCore {
    ServerCore(boost::asio::io_context& io_context, ServerConfig cfg, ApiDeps deps);

    boost::asio::io_context& io;
    ServerConfig config;
    ApiDeps deps;
    ApiHandler handler;
    boost::asio::thread_pool workers;
    std::unique_ptr<router::SubmitBatcher> batcher;  // config.async_submit
    std::optional<boost::asio::ssl::context> tls;
    std::shared_ptr<spdlog::logger> access_log;
    std::shared_ptr<spdlog::logger> log;

    std::atomic<std::size_t> active{0};
    std::atomic<bool> stopping{false};
    // Set when the HttpServer is destroyed: a connection that ends afterwards (its last handler
    // destroyed with the io_context, after the deps it was given may have gone) must not touch
    // them. Before 2026-11-25 release() decremented the metrics' gauge there: a write into freed
    // memory at every shutdown that left a connection's handler queued.
    std::atomic<bool> detached{false};
    std::mutex connections_mutex;
    std::list<std::weak_ptr<ConnectionHandle>> connections;

    // Registers a new connection; false (and nothing registered) when at the limit.
    bool try_admit();
    void track(const std::shared_ptr<ConnectionHandle>& c);
    void release();  // a connection ended
};

// "X-Request-Id" from the client when sane (1..128 of [A-Za-z0-9._:-]), else a fresh 128-bit
// hex id.
std::string request_id_for(std::string_view from_client);

}  // namespace bindery::http
