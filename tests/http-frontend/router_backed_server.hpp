#pragma once
// Test support: the HTTP server on 127.0.0.1 in front of a real Router and InMemoryStore
// (RouterGateway), and a one-request blocking client. Used by the tests whose answers must be the
// router's and the store's (credits, cancelling) rather than a fake gateway's.
#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http-frontend/server.hpp"
#include "router/core/router.hpp"

namespace bindery::http::test {

struct Reply {
    unsigned status = 0;
    nlohmann::json body;  // discarded (is_discarded()) when the body is not JSON
};

// One request on a fresh connection, `key` as a Bearer token; a JSON body gets its content type.
inline Reply call(std::uint16_t port, std::string_view method, std::string_view target,
                  std::string body, const std::string& key) {
    namespace net = boost::asio;
    namespace bhttp = boost::beast::http;
    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{
        bhttp::string_to_verb({method.data(), method.size()}), {target.data(), target.size()}, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + key);
    if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return Reply{res.result_int(), nlohmann::json::parse(res.body(), nullptr, false)};
}

// The fixture: a derived SetUp() fills `config` and calls start(). The router is not driven by a
// thread: tests poll it when they need dispatch.
class RouterBackedServer : public ::testing::Test {
protected:
    // `add_providers` runs on the new router before the gateway exists; `before_start` on the
    // server before it listens (admin handler, ...).
    void start(router::RouterConfig config, router::TextPlanner planner,
               const std::function<void(router::Router&)>& add_providers = {},
               const std::function<void(HttpServer&)>& before_start = {}) {
        router_ = std::make_unique<router::Router>(std::move(config), store_, std::move(planner));
        if (add_providers) add_providers(*router_);
        gateway_ = std::make_unique<router::RouterGateway>(
            *router_, [] { return Clock::now(); }, [] { return router::SystemClock::now(); });
        ServerConfig sc;
        sc.listen_address = "127.0.0.1";
        sc.port = 0;
        sc.worker_threads = 2;
        server_ = std::make_unique<HttpServer>(
            io_, sc, ApiDeps{*gateway_, clients_, idempotency_, metrics_, readiness_});
        if (before_start) before_start(*server_);
        server_->start();
        for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    void TearDown() override {
        if (server_) server_->stop();
        work_.reset();
        io_.stop();
        for (auto& t : threads_) t.join();
        server_.reset();
    }
    Reply request(std::string_view method, std::string_view target, std::string body,
                  const std::string& key) {
        return call(server_->port(), method, target, std::move(body), key);
    }
    void poll() { router_->poll(Clock::now(), router::SystemClock::now()); }

    router::InMemoryStore store_;
    std::unique_ptr<router::Router> router_;
    std::unique_ptr<router::RouterGateway> gateway_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    std::vector<std::thread> threads_;
    InMemoryClientRegistry clients_;
    InMemoryIdempotencyStore idempotency_;
    Metrics metrics_;
    ReadinessRegistry readiness_;
    std::unique_ptr<HttpServer> server_;
};

}  // namespace bindery::http::test
