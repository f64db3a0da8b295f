// Prepaid credit over real HTTP on 127.0.0.1: the server in front of a real Router and
// InMemoryStore (RouterGateway), so cost, hold, 402 and balance are the router's and the store's.
#include "http-frontend/admin.hpp"
#include "http-frontend/admin_credits.hpp"
#include "router_backed_server.hpp"

namespace bindery::http {
namespace {

using test::call;
using test::Reply;

constexpr const char* kAdminKey = "admin-key-0123456789abcdef";

class NoBackend final : public AdminBackend {
public:
    AdminStatus status() override { return {}; }
    Expected<AdminCarrier, AdminError> set_paused(std::string_view, bool) override {
        return Unexpected(AdminError{AdminErrc::not_found, ""});
    }
    RetryOutcome retry_dead_letter(const router::MessageId& id) override {
        return RetryOutcome{id, {}, "no"};
    }
};

Expected<router::TextPlan, std::string> ten_bytes_a_segment(std::string_view text,
                                                            std::optional<router::TextEncoding>) {
    return router::TextPlan{router::TextEncoding::gsm7,
                            static_cast<std::uint32_t>((text.size() + 9) / 10)};
}

class CreditsHttpTest : public test::RouterBackedServer {
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
        ASSERT_TRUE(store_.credit_open("acme", 10, router::CaptureOn::delivered,
                                       router::SystemClock::now()));
        clients_.add_key("acme-key", ClientInfo{"acme", {"*"}, RateLimit{1000, 1000}});
        clients_.add_key("free-key", ClientInfo{"free", {"*"}, RateLimit{1000, 1000}});
        start(std::move(c), ten_bytes_a_segment, {}, [this](HttpServer& server) {
            server.set_admin(
                std::make_shared<AdminHandler>(AdminDeps{*gateway_, backend_, sha256(kAdminKey)}));
        });
    }
    Reply send(const std::string& key, const std::string& body,
               std::string_view target = "/v1/messages") {
        return request("POST", target, body, key);
    }
    Reply get(const std::string& key, std::string_view target) {
        return request("GET", target, {}, key);
    }

    NoBackend backend_;
};

TEST_F(CreditsHttpTest, AcceptedMessagesCarryTheirCostAndHoldIt) {
    // 12 bytes: 2 segments x 3 (+98912) = 6; 1 segment x 4 (default) = 4.
    const auto r =
        send("free-key",
             R"({"to":["+989121234567","+4915112345678"],"from":"ACME","text":"twelve bytes"})");
    ASSERT_EQ(r.status, 202u) << r.body.dump();
    ASSERT_EQ(r.body["messages"].size(), 2u);
    EXPECT_EQ(r.body["messages"][0]["segments"], 2);
    EXPECT_EQ(r.body["messages"][0]["cost"], 6);
    EXPECT_EQ(r.body["messages"][1]["cost"], 8);  // 12 bytes, 2 segments x 4
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
    r = send(
        "acme-key",
        R"({"to":["+989121234567","+989121234568","+989121234569"],"from":"ACME","text":"hi"})");
    ASSERT_EQ(r.status, 402u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "insufficient_credit");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("balance 7, needs 9"),
              std::string::npos)
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
    ASSERT_EQ(
        send(
            "acme-key",
            R"({"to":["+989121234567","+989121234568","+989121234569","+989121234560"],"from":"A","text":"hi"})")
            .status,
        402u);
    // A client's API key cannot top up.
    EXPECT_EQ(
        call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":100})", "acme-key")
            .status,
        401u);
    auto r = call(server_->port(), "POST", "/admin/v1/credits/acme",
                  R"({"amount":100,"note":"invoice 12"})", kAdminKey);
    ASSERT_EQ(r.status, 200u) << r.body.dump();
    EXPECT_EQ(r.body["balance"], 110);
    EXPECT_EQ(
        send(
            "acme-key",
            R"({"to":["+989121234567","+989121234568","+989121234569","+989121234560"],"from":"A","text":"hi"})")
            .status,
        202u);
    r = call(server_->port(), "GET", "/admin/v1/credits/acme", {}, kAdminKey);
    ASSERT_EQ(r.status, 200u) << r.body.dump();
    EXPECT_EQ(r.body["balance"], 98);
    EXPECT_EQ(r.body["held"], 12);
    ASSERT_EQ(r.body["ledger"].size(), 6u);  // initial, top-up, 4 holds
    EXPECT_EQ(r.body["ledger"][1]["kind"], "topup");
    EXPECT_EQ(r.body["ledger"][1]["note"], "invoice 12");
    EXPECT_TRUE(r.body["ledger"][1]["message_id"].is_null());
    EXPECT_EQ(r.body["ledger"][2]["kind"], "hold");
    EXPECT_EQ(r.body["ledger"][2]["amount"], 3);
    EXPECT_TRUE(r.body["ledger"][2]["message_id"].is_string());
    // Paging.
    const auto seq = r.body["ledger"][3]["seq"].get<std::uint64_t>();
    r = call(server_->port(), "GET",
             "/admin/v1/credits/acme?after=" + std::to_string(seq) + "&limit=1", {}, kAdminKey);
    ASSERT_EQ(r.status, 200u);
    ASSERT_EQ(r.body["ledger"].size(), 1u);
    EXPECT_GT(r.body["ledger"][0]["seq"].get<std::uint64_t>(), seq);
    EXPECT_FALSE(r.body["next_after"].is_null());
    // A correction below zero is refused; bad bodies are 400.
    r = call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":-99})", kAdminKey);
    EXPECT_EQ(r.status, 422u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "insufficient_credit");
    EXPECT_EQ(call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":0})", kAdminKey)
                  .status,
              400u);
    EXPECT_EQ(
        call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":"5"})", kAdminKey)
            .status,
        400u);
    EXPECT_EQ(
        call(server_->port(), "POST", "/admin/v1/credits/acme", R"({"amount":5,"x":1})", kAdminKey)
            .status,
        400u);
    EXPECT_EQ(call(server_->port(), "GET", "/admin/v1/credits/acme?limit=0", {}, kAdminKey).status,
              400u);
    // A top-up of an unlimited client makes it metered.
    r = call(server_->port(), "POST", "/admin/v1/credits/free", R"({"amount":5})", kAdminKey);
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.body["unlimited"], false);
    EXPECT_EQ(
        send("free-key", R"({"to":"+4915112345678","from":"X","text":"two segments"})").status,
        402u);
}

}  // namespace
}  // namespace bindery::http
