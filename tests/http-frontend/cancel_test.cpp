// DELETE /v1/messages/{id} over real HTTP on 127.0.0.1, in front of a real Router and
// InMemoryStore (RouterGateway): 200 with CANCELLED, 404, 409 not_cancellable, credit released.
#include <atomic>

#include "router_backed_server.hpp"

namespace bindery::http {
namespace {

using test::Reply;

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

Expected<router::TextPlan, std::string> one_segment(std::string_view,
                                                    std::optional<router::TextEncoding>) {
    return router::TextPlan{router::TextEncoding::gsm7, 1};
}

class CancelHttpTest : public test::RouterBackedServer {
protected:
    void SetUp() override {
        router::RouterConfig c;
        c.acceptance.numbers.default_region = "IR";
        c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
        c.routing.default_route = "main";
        c.credits.default_price = 3;
        c.seed = 5;
        ASSERT_TRUE(store_.credit_open("acme", 10, router::CaptureOn::delivered,
                                       router::SystemClock::now()));
        clients_.add_key("acme-key", ClientInfo{"acme", {"*"}, RateLimit{1000, 1000}});
        clients_.add_key("other-key", ClientInfo{"other", {"*"}, RateLimit{1000, 1000}});
        start(std::move(c), one_segment, [this](router::Router& r) { r.add_provider(smsc_); });
    }
    void TearDown() override {
        RouterBackedServer::TearDown();
        gateway_.reset();
        router_.reset();  // before smsc_, which it holds by reference
    }
    Reply request(std::string_view method, std::string_view target, std::string body = {},
                  const std::string& key = "acme-key") {
        return RouterBackedServer::request(method, target, std::move(body), key);
    }
    std::string send_one() {
        const auto r =
            request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":"hi"})");
        EXPECT_EQ(r.status, 202u) << r.body.dump();
        return r.body["messages"][0]["id"].get<std::string>();
    }

    AcceptingProvider smsc_;
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
    poll();  // dispatched; the provider accepted it at once
    poll();  // its result: SENT
    ASSERT_EQ(request("GET", "/v1/messages/" + sent).body["state"], "SENT");
    auto r = request("DELETE", "/v1/messages/" + sent);
    EXPECT_EQ(r.status, 409u) << r.body.dump();
    EXPECT_EQ(r.body["error"]["code"], "not_cancellable");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("SENT"), std::string::npos);

    const auto other = send_one();
    ASSERT_EQ(request("DELETE", "/v1/messages/" + other).status, 200u);
    r = request("DELETE", "/v1/messages/" + other);  // not idempotent: already final
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(r.body["error"]["code"], "not_cancellable");
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("CANCELLED"), std::string::npos);
}

}  // namespace
}  // namespace bindery::http
