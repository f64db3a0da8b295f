// DELETE /v1/messages/{id} over real HTTP on 127.0.0.1, in front of a real Router and
// InMemoryStore (RouterGateway): 200 with CANCELLED, 404, 409 not_cancellable, credit released.
#include <thread>
#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp uses std::exchange without it (g++ 12)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http-frontend/server.hpp"
#include "router/core/router.hpp"

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

struct Reply {
    unsigned status = 0;
    json body;
};

Reply call(std::uint16_t port, std::string_view method, std::string_view target, std::string body,
           std::string key) {
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb({method.data(), method.size()}),
                                           {target.data(), target.size()}, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + key);
    if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return Reply{res.result_int(), json::parse(res.body(), nullptr, false)};
}

// Takes every send at once (the carrier accepted it).
class AcceptingProvider final : public router::Provider {
public:
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    router::ProviderHealth health() const override { return {true, 0, 100}; }
    void send(router::OutboundMessage m, std::function<void(router::SendResult)> done) override {
        ++sends;
        done(router::SendResult{{m.id.to_string()}, {}});
    }
    std::atomic<int> sends{0};
};

Expected<router::TextPlan, std::string> one_segment(std::string_view, std::optional<router::TextEncoding>) {
    return router::TextPlan{router::TextEncoding::gsm7, 1};
}

class CancelHttpTest : public ::testing::Test {
protected:
    void SetUp() override {
        router::RouterConfig c;
        c.acceptance.numbers.default_region = "IR";
        c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
        c.routing.default_route = "main";
        c.credits.default_price = 3;
        c.seed = 5;
        router_ = std::make_unique<router::Router>(std::move(c), store_, one_segment);
        router_->add_provider(smsc_);
        gateway_ = std::make_unique<router::RouterGateway>(
            *router_, [] { return Clock::now(); }, [] { return router::SystemClock::now(); });
        ASSERT_TRUE(store_.credit_open("acme", 10, router::CaptureOn::delivered, router::SystemClock::now()));
        clients_.add_key("acme-key", ClientInfo{"acme", {"*"}, RateLimit{1000, 1000}});
        clients_.add_key("other-key", ClientInfo{"other", {"*"}, RateLimit{1000, 1000}});
        ServerConfig config;
        config.listen_address = "127.0.0.1";
        config.port = 0;
        config.worker_threads = 2;
        server_ = std::make_unique<HttpServer>(io_, config,
                                               ApiDeps{*gateway_, clients_, idempotency_, metrics_, readiness_});
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
    Reply request(std::string_view method, std::string_view target, std::string body = {},
                  std::string key = "acme-key") {
        return call(server_->port(), method, target, std::move(body), std::move(key));
    }
    std::string send_one() {
        const auto r = request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":"hi"})");
        EXPECT_EQ(r.status, 202u) << r.body.dump();
        return r.body["messages"][0]["id"].get<std::string>();
    }
    // The router is not driven by a thread here: the test polls it (dispatch, results).
    void poll() { router_->poll(Clock::now(), router::SystemClock::now()); }

    router::InMemoryStore store_;
    AcceptingProvider smsc_;
    std::unique_ptr<router::Router> router_;
    std::unique_ptr<router::RouterGateway> gateway_;
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
    std::vector<std::thread> threads_;
    InMemoryClientRegistry clients_;
    InMemoryIdempotencyStore idempotency_;
    Metrics metrics_;
    ReadinessRegistry readiness_;
    std::unique_ptr<HttpServer> server_;
};

TEST_F(CancelHttpTest, AQueuedMessageIsCancelledWithItsStatusAndItsCreditReleased) {
    const auto id = send_one();
    auto b = request("GET", "/v1/balance");
    EXPECT_EQ(b.body["held"], 3);
    const auto r = request("DELETE", "/v1/messages/" + id);
    ASSERT_EQ(r.status, 200u) << r.body.dump();
    EXPECT_EQ(r.body["id"], id);
    EXPECT_EQ(r.body["state"], "CANCELLED");
    ASSERT_FALSE(r.body["history"].empty());
    EXPECT_EQ(r.body["history"].back()["from"], "QUEUED");
    EXPECT_EQ(r.body["history"].back()["to"], "CANCELLED");
    EXPECT_EQ(request("GET", "/v1/messages/" + id).body["state"], "CANCELLED");
    b = request("GET", "/v1/balance");
    EXPECT_EQ(b.body["balance"], 10);
    EXPECT_EQ(b.body["held"], 0);
    poll();
    EXPECT_EQ(smsc_.sends.load(), 0);
    // Filter by state works for the new state too.
    const auto listed = request("GET", "/v1/messages?state=CANCELLED");
    ASSERT_EQ(listed.status, 200u) << listed.body.dump();
    ASSERT_EQ(listed.body["messages"].size(), 1u);
}

TEST_F(CancelHttpTest, UnknownMalformedAndOtherClientsIdsAre404) {
    const auto id = send_one();
    auto r = request("DELETE", "/v1/messages/0190c0de-0000-7000-8000-000000000001");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body["error"]["code"], "not_found");
    EXPECT_EQ(request("DELETE", "/v1/messages/not-an-id").status, 404u);
    r = request("DELETE", "/v1/messages/" + id, {}, "other-key");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(request("GET", "/v1/messages/" + id).body["state"], "QUEUED");
    EXPECT_EQ(request("DELETE", "/v1/messages/" + id, {}, "no-such-key").status, 401u);
}

TEST_F(CancelHttpTest, AMessageWithTheCarrierOrAlreadyFinalIs409) {
    const auto sent = send_one();
    poll();   // dispatched; the provider accepted it at once
    poll();   // its result: SENT
    ASSERT_EQ(request("GET", "/v1/messages/" + sent).body["state"], "SENT");
    auto r = request("DELETE", "/v1/messages/" + sent);
    EXPECT_EQ(r.status, 409u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "not_cancellable");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("SENT"), std::string::npos);

    const auto other = send_one();
    ASSERT_EQ(request("DELETE", "/v1/messages/" + other).status, 200u);
    r = request("DELETE", "/v1/messages/" + other);   // not idempotent: already final
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(r.body["error"]["code"], "not_cancellable");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("CANCELLED"), std::string::npos);
}

}  // namespace
}  // namespace bindery::http
