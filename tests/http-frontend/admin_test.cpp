// AdminHandler: the admin key (never a client's API key), the operator endpoints over a fake
// backend and gateway, parameter validation, and the status page assets.

#include "http-frontend/admin.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "http-frontend/routes.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;

constexpr std::string_view kAdminKey = "admin-secret-0123456789";

router::MessageId make_id(std::uint8_t n) {
    router::MessageId::Bytes b{};
    b[6] = 0x70;  // version 7
    b[8] = 0x80;  // variant
    b[15] = n;
    return router::MessageId(b);
}

class FakeGateway final : public router::GatewayApi {
public:
    std::vector<router::MessageStatus> messages;
    std::vector<router::MessageQuery> queries;

    std::vector<router::SubmitOutcome> submit(std::span<const router::SubmitRequest>) override {
        return {};
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId& id, std::optional<std::string_view> client) override {
        EXPECT_FALSE(client.has_value()) << "the admin view is not limited to one client";
        for (const auto& m : messages)
            if (m.id == id) return m;
        return Unexpected(router::QueryError{router::QueryErrc::not_found, ""});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery& q) override {
        queries.push_back(q);
        router::MessagePage page;
        for (const auto& m : messages) {
            if (q.state && m.state != *q.state) continue;
            if (q.after && !(*q.after < m.id)) continue;
            if (page.messages.size() == q.limit) {
                page.next = page.messages.back().id;
                break;
            }
            page.messages.push_back(m);
        }
        return page;
    }
    router::Backpressure backpressure() const override { return {}; }
};

class FakeBackend final : public AdminBackend {
public:
    std::map<std::string, bool, std::less<>> paused{{"mci", false}};
    std::vector<router::MessageId> retried;

    AdminStatus status() override {
        AdminStatus s;
        s.version = "test";
        s.node = "n1";
        s.backpressure = {true, 3, 100};
        s.lanes = {{"express", 1}, {"normal", 2}, {"bulk", 0}};
        AdminCarrier c;
        c.name = "mci";
        c.binds_configured = 2;
        c.binds_up = 2;
        c.send_rate = 12.5;
        s.carriers.push_back(c);
        AdminCarrier down = c;
        down.name = "tci";
        down.binds_up = 0;
        s.carriers.push_back(down);
        s.esme_sessions = {{"acme", "trx", 2}, {"acme", "tx", 0}, {"feed", "rx", 1}};
        return s;
    }
    Expected<AdminCarrier, AdminError> set_paused(std::string_view carrier, bool p) override {
        auto it = paused.find(carrier);
        if (it == paused.end()) return Unexpected(AdminError{AdminErrc::not_found, ""});
        it->second = p;
        AdminCarrier c;
        c.name = std::string(carrier);
        c.paused = p;
        c.binds_configured = c.binds_up = 1;
        return c;
    }
    RetryOutcome retry_dead_letter(const router::MessageId& id) override {
        retried.push_back(id);
        RetryOutcome r;
        r.id = id;
        if (id == make_id(9)) {
            r.error = "not a dead letter (DELIVERED)";
        } else {
            r.new_id = make_id(static_cast<std::uint8_t>(100 + retried.size()));
        }
        return r;
    }
};

struct Fixture : ::testing::Test {
    FakeGateway gateway;
    FakeBackend backend;
    router::InMemoryAlertLedger ledger;
    AdminHandler handler{AdminDeps{gateway, backend, sha256(kAdminKey), &ledger}};

    Response call(const std::string& method, const std::string& target,
                  std::string_view key = kAdminKey, std::string body = {}) {
        Request req{bhttp::string_to_verb(method), target, 11};
        if (!key.empty()) req.set(bhttp::field::authorization, "Bearer " + std::string(key));
        req.body() = std::move(body);
        req.prepare_payload();
        const auto [path, query] = split_target(target);
        const RouteMatch m = match_route(method, path);
        EXPECT_NE(m.route, nullptr) << method << " " << target;
        if (m.route == nullptr) return Response{};
        EXPECT_TRUE(is_admin_route(m.route->id));
        return handler.handle(req, m).response;
    }
    static json body(const Response& r) { return json::parse(r.body()); }
};

TEST_F(Fixture, RefusesMissingAndWrongKeys) {
    EXPECT_EQ(call("GET", "/admin/v1/status", "").result_int(), 401U);
    const auto wrong = call("GET", "/admin/v1/status", "admin-secret-0123456780");
    EXPECT_EQ(wrong.result_int(), 401U);
    EXPECT_EQ(body(wrong)["error"]["code"], "unauthorized");
    EXPECT_NE(std::string(wrong[bhttp::field::www_authenticate]).find("invalid_token"),
              std::string::npos);
    EXPECT_TRUE(backend.retried.empty());
}

TEST_F(Fixture, WithoutAnAdminKeyEverythingButThePageIsForbidden) {
    AdminHandler off{AdminDeps{gateway, backend, std::nullopt}};
    Request req{bhttp::verb::get, "/admin/v1/status", 11};
    req.set(bhttp::field::authorization, "Bearer anything");
    const auto r = off.handle(req, match_route("GET", "/admin/v1/status")).response;
    EXPECT_EQ(r.result_int(), 403U);
    EXPECT_EQ(json::parse(r.body())["error"]["code"], "admin_disabled");
    Request page{bhttp::verb::get, "/ui/", 11};
    EXPECT_EQ(off.handle(page, match_route("GET", "/ui/")).response.result_int(), 200U);
}

TEST_F(Fixture, StatusReportsCarriersWithTheirBindState) {
    const auto r = call("GET", "/admin/v1/status");
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    const json s = body(r);
    EXPECT_EQ(s["backlog"], 3);
    EXPECT_EQ(s["backlog_limit"], 100);
    EXPECT_EQ(s["lanes"]["normal"], 2);
    ASSERT_EQ(s["carriers"].size(), 2U);
    EXPECT_EQ(s["carriers"][0]["state"], "bound");
    EXPECT_EQ(s["carriers"][0]["send_rate"], 12.5);
    EXPECT_EQ(s["carriers"][1]["state"], "down");
    EXPECT_TRUE(s["carriers"][1]["receipt_rate"].is_null());
    // The ESME sessions bound to the SMPP server side, as the backend lists them.
    ASSERT_EQ(s["esme_sessions"].size(), 3U);
    EXPECT_EQ(s["esme_sessions"][0],
              json({{"account", "acme"}, {"bind_type", "trx"}, {"bound", 2}}));
    EXPECT_EQ(s["esme_sessions"][1]["bound"], 0);
    EXPECT_EQ(s["esme_sessions"][2],
              json({{"account", "feed"}, {"bind_type", "rx"}, {"bound", 1}}));
}

TEST_F(Fixture, PausesAndResumesKnownCarriersOnly) {
    auto r = call("POST", "/admin/v1/binds/mci/pause");
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    EXPECT_EQ(body(r)["state"], "paused");
    EXPECT_TRUE(backend.paused["mci"]);
    r = call("POST", "/admin/v1/binds/mci/resume");
    EXPECT_EQ(body(r)["state"], "bound");
    EXPECT_FALSE(backend.paused["mci"]);
    EXPECT_EQ(call("POST", "/admin/v1/binds/nope/pause").result_int(), 404U);
}

TEST_F(Fixture, ShowsAnyClientsMessageWithHistory) {
    router::MessageStatus m;
    m.id = make_id(1);
    m.client = "someone-else";
    m.state = router::MessageState::delivered;
    m.history.push_back(
        {router::MessageState::sent, router::MessageState::delivered, {}, "mci", "DELIVRD"});
    gateway.messages.push_back(m);
    const auto r = call("GET", "/admin/v1/messages/" + m.id.to_string());
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    EXPECT_EQ(body(r)["client"], "someone-else");
    EXPECT_EQ(body(r)["history"][0]["detail"], "DELIVRD");
    EXPECT_EQ(call("GET", "/admin/v1/messages/not-an-id").result_int(), 404U);
    EXPECT_EQ(call("GET", "/admin/v1/messages/" + make_id(2).to_string()).result_int(), 404U);
}

TEST_F(Fixture, DeadLetterListIsFilteredAndParametersAreChecked) {
    for (std::uint8_t i = 1; i <= 5; ++i) {
        router::MessageStatus m;
        m.id = make_id(i);
        m.state = i % 2 == 1 ? router::MessageState::dead_letter : router::MessageState::delivered;
        gateway.messages.push_back(m);
    }
    const auto r = call("GET", "/admin/v1/dlq?limit=2");
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    const json page = body(r);
    ASSERT_EQ(page["messages"].size(), 2U);
    EXPECT_EQ(page["messages"][0]["state"], "DEAD_LETTER");
    EXPECT_EQ(page["next"], make_id(3).to_string());
    EXPECT_EQ(call("GET", "/admin/v1/dlq?limit=0").result_int(), 400U);
    EXPECT_EQ(call("GET", "/admin/v1/dlq?limit=abc").result_int(), 400U);
    EXPECT_EQ(call("GET", "/admin/v1/dlq?state=DELIVERED").result_int(), 400U);  // not a dlq filter
    EXPECT_EQ(call("GET", "/admin/v1/messages?since=5x&recent=3").result_int(), 400U);
}

TEST_F(Fixture, RecentMessagesAreTheNewestFirst) {
    for (std::uint8_t i = 1; i <= 7; ++i) {
        router::MessageStatus m;
        m.id = make_id(i);
        gateway.messages.push_back(m);
    }
    const auto r = call("GET", "/admin/v1/messages?recent=3&since=1h");
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    const json page = body(r);
    ASSERT_EQ(page["messages"].size(), 3U);
    EXPECT_EQ(page["messages"][0]["id"], make_id(7).to_string());
    EXPECT_EQ(page["messages"][2]["id"], make_id(5).to_string());
    EXPECT_FALSE(page["truncated"]);
    ASSERT_FALSE(gateway.queries.empty());
    EXPECT_TRUE(gateway.queries.front().accepted_from.has_value());
}

TEST_F(Fixture, RetryReportsEachDeadLetter) {
    const std::string body_text =
        json{{"ids", {make_id(1).to_string(), make_id(9).to_string()}}}.dump();
    const auto r = call("POST", "/admin/v1/dlq/retry", kAdminKey, body_text);
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    const json out = body(r);
    ASSERT_EQ(out["retried"].size(), 1U);
    EXPECT_EQ(out["retried"][0]["id"], make_id(1).to_string());
    ASSERT_EQ(out["failed"].size(), 1U);
    EXPECT_EQ(out["failed"][0]["error"], "not a dead letter (DELIVERED)");
    EXPECT_EQ(call("POST", "/admin/v1/dlq/retry", kAdminKey, "{").result_int(), 400U);
    EXPECT_EQ(call("POST", "/admin/v1/dlq/retry", kAdminKey, R"({"ids":["x"]})").result_int(),
              422U);
    EXPECT_EQ(call("POST", "/admin/v1/dlq/retry", kAdminKey, R"({})").result_int(), 422U);
    EXPECT_EQ(backend.retried.size(), 2U);
}

router::AlertRecord alert_record(std::uint8_t n, std::string client, std::string message_id) {
    router::AlertRecord r;
    r.id = make_id(n);
    r.receiver = "oncall";
    r.status = "firing";
    r.group_key = "{}:{alertname=\"BinderyCarrierDown\"}";
    r.client = std::move(client);
    r.firing = 1;
    r.text = "[FIRING] BinderyCarrierDown";
    r.messages.push_back({"Ann", "+989121110001", std::move(message_id), ""});
    r.messages.push_back({"Bob", "+989121110002", "", "backlog full"});
    return r;
}

TEST_F(Fixture, ListsAlertNotificationsOfEveryClientNewestFirst) {
    ASSERT_TRUE(ledger.record(alert_record(1, "ops", "")));
    ASSERT_TRUE(ledger.record(alert_record(2, "other-client", "")));
    ASSERT_TRUE(ledger.record(alert_record(3, "ops", "")));
    auto r = call("GET", "/admin/v1/alerts?limit=2");
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    json page = body(r);
    EXPECT_TRUE(page["enabled"]);
    ASSERT_EQ(page["alerts"].size(), 2U);
    EXPECT_EQ(page["alerts"][0]["id"], make_id(3).to_string());
    EXPECT_EQ(page["alerts"][1]["client"], "other-client");
    EXPECT_EQ(page["alerts"][0]["messages"].size(), 2U);
    ASSERT_TRUE(page["next_cursor"].is_string());
    r = call("GET", "/admin/v1/alerts?limit=2&cursor=" + page["next_cursor"].get<std::string>());
    page = body(r);
    ASSERT_EQ(page["alerts"].size(), 1U);
    EXPECT_EQ(page["alerts"][0]["id"], make_id(1).to_string());
    EXPECT_TRUE(page["next_cursor"].is_null());

    EXPECT_EQ(call("GET", "/admin/v1/alerts", "").result_int(), 401U);
    EXPECT_EQ(call("GET", "/admin/v1/alerts?limit=0").result_int(), 400U);
    EXPECT_EQ(call("GET", "/admin/v1/alerts?limit=201").result_int(), 400U);
    EXPECT_EQ(call("GET", "/admin/v1/alerts?cursor=nope").result_int(), 400U);
    EXPECT_EQ(call("GET", "/admin/v1/alerts?client=ops").result_int(), 400U);
}

TEST_F(Fixture, AlertNotificationShowsEachMessagesStateNow) {
    router::MessageStatus m;
    m.id = make_id(40);
    m.state = router::MessageState::delivered;
    m.provider = "mci";
    gateway.messages.push_back(m);
    ASSERT_TRUE(ledger.record(alert_record(5, "ops", m.id.to_string())));
    const auto r = call("GET", "/admin/v1/alerts/" + make_id(5).to_string());
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    const json a = body(r);
    EXPECT_EQ(a["receiver"], "oncall");
    ASSERT_EQ(a["messages"].size(), 2U);
    EXPECT_EQ(a["messages"][0]["state"], "DELIVERED");
    EXPECT_EQ(a["messages"][0]["provider"], "mci");
    EXPECT_TRUE(a["messages"][1]["state"].is_null());  // refused: no message
    EXPECT_EQ(a["messages"][1]["error"], "backlog full");
    EXPECT_EQ(call("GET", "/admin/v1/alerts/" + make_id(6).to_string()).result_int(), 404U);
    EXPECT_EQ(call("GET", "/admin/v1/alerts/not-an-id").result_int(), 404U);
}

TEST_F(Fixture, AlertsSayWhenAlertingIsDisabled) {
    AdminHandler off{AdminDeps{gateway, backend, sha256(kAdminKey)}};
    Request req{bhttp::verb::get, "/admin/v1/alerts", 11};
    req.set(bhttp::field::authorization, "Bearer " + std::string(kAdminKey));
    const auto r = off.handle(req, match_route("GET", "/admin/v1/alerts")).response;
    ASSERT_EQ(r.result_int(), 200U) << r.body();
    EXPECT_FALSE(json::parse(r.body())["enabled"]);
    EXPECT_TRUE(json::parse(r.body())["alerts"].empty());
}

TEST_F(Fixture, ServesThePageAndItsAssetsWithoutAKey) {
    for (const char* path : {"/ui", "/ui/", "/ui/index.html", "/ui/app.js", "/ui/style.css"}) {
        const auto r = call("GET", path, "");
        EXPECT_EQ(r.result_int(), 200U) << path;
        EXPECT_NE(std::string(r["Content-Security-Policy"]).find("default-src 'none'"),
                  std::string::npos);
    }
    EXPECT_NE(call("GET", "/ui/", "").body().find("<script src=\"/ui/app.js\">"),
              std::string::npos);
    EXPECT_EQ(std::string(call("GET", "/ui/app.js", "")[bhttp::field::content_type]),
              "text/javascript; charset=utf-8");
    EXPECT_EQ(call("GET", "/ui/secret.txt", "").result_int(), 404U);
}

}  // namespace
}  // namespace bindery::http
