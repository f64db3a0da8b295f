// Prepaid credit over real HTTP on 127.0.0.1: the server in front of a real Router and
// InMemoryStore (RouterGateway), so cost, hold, 402 and balance are the router's and the store's.
#include <thread>

#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http-frontend/admin.hpp"
#include "http-frontend/admin_credits.hpp"
#include "http-frontend/server.hpp"
#include "router/core/router.hpp"

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAdminKey = "admin-key-0123456789abcdef";

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

class NoBackend final : public AdminBackend {
public:
    AdminStatus status() override { return {}; }
    Expected<AdminCarrier, AdminError> set_paused(std::string_view, bool) override {
        return Unexpected(AdminError{AdminErrc::not_found, ""});
    }
    RetryOutcome retry_dead_letter(const router::MessageId& id) override { return RetryOutcome{id, {}, "no"}; }
};

Expected<router::TextPlan, std::string> ten_bytes_a_segment(std::string_view text,
                                                            std::optional<router::TextEncoding>) {
    return router::TextPlan{router::TextEncoding::gsm7, static_cast<std::uint32_t>((text.size() + 9) / 10)};
}

class CreditsHttpTest : public ::testing::Test {
protected:
    void SetUp() override {
        router::RouterConfig c;
        c.acceptance.numbers.default_region = "IR";
        c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
        c.routing.default_route = "main";
        c.credits.default_price = 4;
        c.credits.prices = {{"+98912", "", 3}};
        c.credits.currency = "IRR";
        c.seed = 3;
        router_ = std::make_unique<router::Router>(std::move(c), store_, ten_bytes_a_segment);
        gateway_ = std::make_unique<router::RouterGateway>(
            *router_, [] { return Clock::now(); }, [] { return router::SystemClock::now(); });
        ASSERT_TRUE(store_.credit_open("acme", 10, router::CaptureOn::delivered, router::SystemClock::now()));
        clients_.add_key("acme-key", ClientInfo{"acme", {"*"}, RateLimit{1000, 1000}});
        clients_.add_key("free-key", ClientInfo{"free", {"*"}, RateLimit{1000, 1000}});
        ServerConfig config;
        config.listen_address = "127.0.0.1";
        config.port = 0;
        config.worker_threads = 2;
        server_ = std::make_unique<HttpServer>(io_, config,
                                               ApiDeps{*gateway_, clients_, idempotency_, metrics_, readiness_});
        server_->set_admin(std::make_shared<AdminHandler>(AdminDeps{*gateway_, backend_, sha256(kAdminKey)}));
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
    Reply send(const std::string& key, const std::string& body, std::string_view target = "/v1/messages") {
        return call(server_->port(), "POST", target, body, key);
    }
    Reply get(const std::string& key, std::string_view target) {
        return call(server_->port(), "GET", target, {}, key);
    }

    router::InMemoryStore store_;
    std::unique_ptr<router::Router> router_;
    std::unique_ptr<router::RouterGateway> gateway_;
    NoBackend backend_;
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
    std::vector<std::thread> threads_;
    InMemoryClientRegistry clients_;
    InMemoryIdempotencyStore idempotency_;
    Metrics metrics_;
    ReadinessRegistry readiness_;
    std::unique_ptr<HttpServer> server_;
};

TEST_F(CreditsHttpTest, AcceptedMessagesCarryTheirCostAndHoldIt) {
    // 12 bytes: 2 segments x 3 (+98912) = 6; 1 segment x 4 (default) = 4.
    const auto r = send("free-key", R"({"to":["+989121234567","+4915112345678"],"from":"ACME","text":"twelve bytes"})");
    ASSERT_EQ(r.status, 202u) << r.body.dump();
    ASSERT_EQ(r.body["messages"].size(), 2u);
    EXPECT_EQ(r.body["messages"][0]["segments"], 2);
    EXPECT_EQ(r.body["messages"][0]["cost"], 6);
    EXPECT_EQ(r.body["messages"][1]["cost"], 8);   // 12 bytes, 2 segments x 4
    EXPECT_EQ(r.body["cost"], 14);
}

TEST_F(CreditsHttpTest, BalanceShowsHeldCreditAndA402NamesTheReasonWithNothingStored) {
    auto r = send("acme-key", R"({"to":"+989121234567","from":"ACME","text":"hi"})");
    ASSERT_EQ(r.status, 202u) << r.body.dump();
    EXPECT_EQ(r.body["messages"][0]["cost"], 3);

    auto b = get("acme-key", "/v1/balance");
    ASSERT_EQ(b.status, 200u) << b.body.dump();
    EXPECT_EQ(b.body["client"], "acme");
    EXPECT_EQ(b.body["unlimited"], false);
    EXPECT_EQ(b.body["balance"], 7);
    EXPECT_EQ(b.body["held"], 3);
    EXPECT_EQ(b.body["capture"], "delivered");
    EXPECT_EQ(b.body["currency"], "IRR");

    // 3 recipients x 3 = 9 > 7: the whole request is refused, none of it stored.
    r = send("acme-key", R"({"to":["+989121234567","+989121234568","+989121234569"],"from":"ACME","text":"hi"})");
    ASSERT_EQ(r.status, 402u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "insufficient_credit");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("balance 7, needs 9"), std::string::npos)
        << r.body.dump();
    EXPECT_EQ(r.body["rejected"].size(), 3u);
    b = get("acme-key", "/v1/balance");
    EXPECT_EQ(b.body["balance"], 7);
    EXPECT_EQ(b.body["held"], 3);
    EXPECT_EQ(get("acme-key", "/v1/messages").body["messages"].size(), 1u);

    // Query parameters are refused, not ignored.
    EXPECT_EQ(get("acme-key", "/v1/balance?client=other").status, 400u);
    EXPECT_EQ(get("nobody", "/v1/balance").status, 401u);
}

TEST_F(CreditsHttpTest, AnUnmeteredClientIsUnlimitedButStillSeesTheCost) {
    const auto r = send("free-key", R"({"to":"+4915112345678","from":"X","text":"hi"})");
    ASSERT_EQ(r.status, 202u);
    EXPECT_EQ(r.body["messages"][0]["cost"], 4);
    const auto b = get("free-key", "/v1/balance");
    ASSERT_EQ(b.status, 200u);
    EXPECT_EQ(b.body["unlimited"], true);
    EXPECT_TRUE(b.body["balance"].is_null());
    EXPECT_TRUE(b.body["held"].is_null());
}

TEST_F(CreditsHttpTest, TheOperatorTopsUpWithTheAdminKeyAndSeesTheLedger) {
    ASSERT_EQ(send("acme-key", R"({"to":["+989121234567","+989121234568","+989121234569","+989121234560"],"from":"A","text":"hi"})").status,
              402u);
    // A client's API key cannot top up.
    EXPECT_EQ(call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":100})", "acme-key").status, 401u);
    auto r = call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":100,"note":"invoice 12"})", kAdminKey);
    ASSERT_EQ(r.status, 200u) << r.body.dump();
    EXPECT_EQ(r.body["balance"], 110);
    EXPECT_EQ(send("acme-key", R"({"to":["+989121234567","+989121234568","+989121234569","+989121234560"],"from":"A","text":"hi"})").status,
              202u);
    r = call(server_->port(), "GET", "/admin/v1/credits/acme", {}, kAdminKey);
    ASSERT_EQ(r.status, 200u) << r.body.dump();
    EXPECT_EQ(r.body["balance"], 98);
    EXPECT_EQ(r.body["held"], 12);
    ASSERT_EQ(r.body["ledger"].size(), 6u);   // initial, top-up, 4 holds
    EXPECT_EQ(r.body["ledger"][1]["kind"], "topup");
    EXPECT_EQ(r.body["ledger"][1]["note"], "invoice 12");
    EXPECT_TRUE(r.body["ledger"][1]["message_id"].is_null());
    EXPECT_EQ(r.body["ledger"][2]["kind"], "hold");
    EXPECT_EQ(r.body["ledger"][2]["amount"], 3);
    EXPECT_TRUE(r.body["ledger"][2]["message_id"].is_string());
    // Paging.
    const auto seq = r.body["ledger"][3]["seq"].get<std::uint64_t>();
    r = call(server_->port(), "GET", "/admin/v1/credits/acme?after=" + std::to_string(seq) + "&limit=1", {}, kAdminKey);
    ASSERT_EQ(r.status, 200u);
    ASSERT_EQ(r.body["ledger"].size(), 1u);
    EXPECT_GT(r.body["ledger"][0]["seq"].get<std::uint64_t>(), seq);
    EXPECT_FALSE(r.body["next_after"].is_null());
    // A correction below zero is refused; bad bodies are 400.
    r = call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":-99})", kAdminKey);
    EXPECT_EQ(r.status, 422u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "insufficient_credit");
    EXPECT_EQ(call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":0})", kAdminKey).status, 400u);
    EXPECT_EQ(call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":"5"})", kAdminKey).status, 400u);
    EXPECT_EQ(call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":5,"x":1})", kAdminKey).status, 400u);
    EXPECT_EQ(call(server_->port(), "GET", "/admin/v1/credits/acme?limit=0", {}, kAdminKey).status, 400u);
    // A top-up of an unlimited client makes it metered.
    r = call(server_->port(), "POST", "/admin/v1/credits/free", R"({"amount":5})", kAdminKey);
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.body["unlimited"], false);
    EXPECT_EQ(send("free-key", R"({"to":"+4915112345678","from":"X","text":"two segments"})").status, 402u);
}

}  // namespace
}  // namespace bindery::http
