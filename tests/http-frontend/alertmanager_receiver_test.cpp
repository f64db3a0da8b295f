#include "http-frontend/alertmanager_receiver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http-frontend/alertmanager_endpoint.hpp"
#include "router/directory/directory_resolver.hpp"
#include "router/directory/static_directory.hpp"
#include "tests/http-frontend/alertmanager_testdata.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records what it is asked to submit; accepts unless told otherwise.
class RecordingGateway final : public router::GatewayApi {
public:
    std::vector<router::SubmitRequest> submitted;
    std::optional<router::SubmitErrc> refuse;
    std::uint8_t next = 1;

    // router::GatewayApi
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        std::vector<router::SubmitOutcome> out;
        for (const auto& r : batch) {
            if (refuse) {
                out.emplace_back(Unexpected(router::SubmitError{*refuse, "refused", {}}));
                continue;
            }
            submitted.push_back(r);
            router::MessageId::Bytes b{};
            b[15] = next++;
            b[6] = 0x70;
            out.emplace_back(router::SubmitAccepted{router::MessageId(b), r.destination,
                                                    router::TextEncoding::gsm7, 1});
        }
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{router::QueryErrc::not_found, ""});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return router::MessagePage{};
    }
    router::Backpressure backpressure() const override { return {}; }
};

class FailingDirectory final : public router::Directory {
public:
    bool fail = false;
    std::string_view name() const override { return "kc"; }
    bool covers(std::string_view) const override { return true; }
    bool remote() const override { return true; }
    Expected<router::Members, router::DirectoryError> members(std::string_view) override {
        if (fail)
            return Unexpected(
                router::DirectoryError{router::DirectoryErrc::unavailable, "connect: refused"});
        return router::Members{{{"Kim", "+989123330000"}}, {}};
    }
};

struct Receiver : ::testing::Test {
    RecordingGateway gateway;
    router::PhoneNumberNormalizer normalizer{router::PhoneNumberConfig{}};
    router::StaticDirectory local{"local",
                                  {{"sre", {{"Ann", "+989121110001"}, {"Bob", "+989121110002"}}},
                                   {"dba", {{"Dee", "+989121110003"}, {"Ann", "+989121110001"}}}},
                                  normalizer};
    FailingDirectory remote;
    router::InMemoryDirectoryCache cache;
    router::InMemoryAlertLedger ledger;
    router::SystemTime now{std::chrono::hours(500000)};
    router::DirectoryResolver resolver{
        {{&local, std::chrono::minutes(5)}, {&remote, std::chrono::minutes(5)}}, cache, [this] {
            return now;
        }};
    prometheus::Registry registry;
    AlertMetrics metrics{registry};

    AlertReceiverSpec spec(std::string name, std::vector<std::string> groups) {
        AlertReceiverSpec s;
        s.name = std::move(name);
        s.groups = std::move(groups);
        s.sender = "Ops";
        return s;
    }
    std::unique_ptr<AlertmanagerReceiver> make(std::vector<AlertReceiverSpec> specs) {
        AlertmanagerConfig c;
        c.receivers = std::move(specs);
        return std::make_unique<AlertmanagerReceiver>(
            std::move(c), gateway, resolver, ledger, &metrics, [this] { return now; }, 42);
    }
    static json body_of(const WebhookResult& r) { return json::parse(r.body); }
    double counter(const std::string& family, const std::map<std::string, std::string>& labels) {
        for (const auto& f : registry.Collect()) {
            if (f.name != family) continue;
            for (const auto& m : f.metric) {
                bool all = true;
                for (const auto& [k, v] : labels) {
                    bool found = false;
                    for (const auto& l : m.label) found = found || (l.name == k && l.value == v);
                    all = all && found;
                }
                if (all) return m.counter.value;
            }
        }
        return 0;
    }
};

TEST_F(Receiver, SendsTheRenderedTextToEveryGroupMemberOnceInTheAlertLane) {
    auto r = make({spec("sms-gateway", {"sre", "dba"})});
    const auto res = r->handle(testdata::payload("firing.json"));
    ASSERT_EQ(res.status, 200U) << res.body;
    EXPECT_EQ(body_of(res)["outcome"], "sent");
    EXPECT_EQ(body_of(res)["messages"], 3);
    ASSERT_EQ(gateway.submitted.size(), 3U);  // Ann is in both groups: once
    std::vector<std::string> to;
    for (const auto& s : gateway.submitted) to.push_back(s.destination);
    EXPECT_THAT(to, ElementsAre("+989121110001", "+989121110002", "+989121110003"));
    const auto& m = gateway.submitted[0];
    EXPECT_EQ(m.text, "[FIRING:1] DiskFull db1:9100 \xE2\x80\x94 Disk almost full");
    EXPECT_EQ(m.priority, router::Priority::express);
    EXPECT_EQ(m.client, "alertmanager");
    EXPECT_EQ(m.sender, "Ops");
    EXPECT_THAT(m.client_ref, HasSubstr("alert:"));

    // The record: GET /v1/alerts/{id}.
    const auto id = body_of(res)["id"].get<std::string>();
    const auto got = r->get(id, nullptr);
    ASSERT_EQ(got.status, 200U);
    const auto rec = body_of(got);
    EXPECT_EQ(rec["receiver"], "sms-gateway");
    EXPECT_EQ(rec["status"], "firing");
    EXPECT_EQ(rec["text"], m.text);
    ASSERT_EQ(rec["messages"].size(), 3U);
    EXPECT_EQ(rec["messages"][0]["to"], "+989121110001");
    EXPECT_EQ(rec["messages"][0]["recipient"], "Ann");
    EXPECT_EQ(rec["messages"][0]["message_id"].get<std::string>().size(), 36U);
    EXPECT_EQ(counter("bindery_alerts_received_total",
                      {{"receiver", "sms-gateway"}, {"status", "firing"}}),
              1);
    EXPECT_EQ(counter("bindery_alert_recipients_resolved_total", {{"receiver", "sms-gateway"}}), 3);
    EXPECT_EQ(r->get(id, &gateway.submitted[0].sender).status, 404U);  // another client's view
}

TEST_F(Receiver, AReplayWithinTheWindowIsRecordedAsADuplicateAndNotSent) {
    auto r = make({spec("sms-gateway", {"sre"})});
    const auto first = r->handle(testdata::payload("firing.json"));
    ASSERT_EQ(body_of(first)["outcome"], "sent");
    now += std::chrono::seconds(30);
    const auto again = r->handle(testdata::payload("firing.json"));
    ASSERT_EQ(again.status, 200U);
    EXPECT_EQ(body_of(again)["outcome"], "duplicate");
    EXPECT_EQ(body_of(again)["duplicate_of"], body_of(first)["id"]);
    EXPECT_EQ(gateway.submitted.size(), 2U);

    // The resolved notification of the same group is a different notification.
    const auto resolved = r->handle(testdata::payload("resolved.json"));
    EXPECT_EQ(body_of(resolved)["outcome"], "sent");
    EXPECT_EQ(gateway.submitted.size(), 4U);
    EXPECT_THAT(gateway.submitted.back().text, HasSubstr("[RESOLVED:1] DiskFull"));

    // Past the window the same firing notification (a repeat_interval re-send) pages again.
    now += std::chrono::minutes(11);
    EXPECT_EQ(body_of(r->handle(testdata::payload("firing.json")))["outcome"], "sent");
    EXPECT_EQ(gateway.submitted.size(), 6U);
}

TEST_F(Receiver, LabelFiltersSelectAlertsAndAnEmptySelectionSendsNothing) {
    auto s = spec("sms.gateway", {"sre"});
    s.match_labels = {{"severity", "critical"}};
    auto r = make({s});
    // truncated.json: n1 (warning, firing) and n2 (critical, resolved): only n2 passes the filter,
    // so the message is a RESOLVED one.
    const auto res = r->handle(testdata::payload("truncated.json"));
    ASSERT_EQ(res.status, 200U);
    ASSERT_EQ(gateway.submitted.size(), 2U);
    EXPECT_EQ(gateway.submitted[0].text, "[RESOLVED:1] NodeDown n2 \xE2\x80\x94 node n2 down");
    const auto rec = body_of(r->get(body_of(res)["id"].get<std::string>(), nullptr));
    EXPECT_EQ(rec["alerts"]["truncated"], 3);
    EXPECT_THAT(rec["notes"][0].get<std::string>(), HasSubstr("3 alerts truncated"));

    s.match_labels = {{"severity", "page"}};
    auto none = make({s});
    const auto filtered = none->handle(testdata::payload("truncated.json"));
    EXPECT_EQ(body_of(filtered)["outcome"], "filtered");
    EXPECT_EQ(gateway.submitted.size(), 2U);
}

TEST_F(Receiver, ResolvedNotificationsAreSentOnlyWhenWanted) {
    auto s = spec("sms-gateway", {"sre"});
    s.send_resolved = false;
    auto r = make({s});
    const auto res = r->handle(testdata::payload("resolved.json"));
    EXPECT_EQ(res.status, 200U);
    EXPECT_EQ(body_of(res)["outcome"], "not_wanted");
    EXPECT_TRUE(gateway.submitted.empty());
}

TEST_F(Receiver, TagsAndTheTemplateAndSegmentLimitComeFromTheReceiver) {
    auto s = spec("sms-gateway", {"sre"});
    s.tags = {"alerts"};
    s.max_segments = 1;
    s.text = *AlertTemplate::compile("{{status}} {{alertname}}: " + std::string(300, 'z'));
    auto r = make({s});
    ASSERT_EQ(r->handle(testdata::payload("firing.json")).status, 200U);
    ASSERT_FALSE(gateway.submitted.empty());
    EXPECT_THAT(gateway.submitted[0].tags, ElementsAre("alerts"));
    EXPECT_EQ(gateway.submitted[0].text.size(), 160U);
    EXPECT_EQ(gateway.submitted[0].text.substr(0, 16), "FIRING DiskFull:");
    EXPECT_EQ(gateway.submitted[0].text.substr(157), "...");
}

TEST_F(Receiver, UnparsablePayloadsAre400WithTheReasonAndUnknownReceivers422) {
    auto r = make({spec("sms-gateway", {"sre"})});
    const auto bad = r->handle("{\"version\":\"4\"");
    EXPECT_EQ(bad.status, 400U);
    EXPECT_EQ(body_of(bad)["error"]["code"], "invalid_payload");
    EXPECT_EQ(body_of(bad)["error"]["message"], "body is not valid JSON");
    auto other = make({spec("someone-else", {"sre"})});
    const auto unknown = other->handle(testdata::payload("firing.json"));
    EXPECT_EQ(unknown.status, 422U);
    EXPECT_THAT(body_of(unknown)["error"]["message"].get<std::string>(), HasSubstr("sms-gateway"));
    EXPECT_TRUE(gateway.submitted.empty());
}

TEST_F(Receiver, ADirectoryOutageUsesTheCachedMembersAndWithoutThemAsksForARetry) {
    auto r = make({spec("sms-gateway", {"oncall"})});
    ASSERT_EQ(body_of(r->handle(testdata::payload("firing.json")))["outcome"], "sent");
    EXPECT_EQ(gateway.submitted.back().destination, "+989123330000");

    remote.fail = true;
    now += std::chrono::hours(1);  // cache expired, directory down: stale answer
    const auto stale = r->handle(testdata::payload("resolved.json"));
    ASSERT_EQ(stale.status, 200U);
    EXPECT_EQ(gateway.submitted.size(), 2U);
    const auto rec = body_of(r->get(body_of(stale)["id"].get<std::string>(), nullptr));
    EXPECT_THAT(rec["notes"][0].get<std::string>(), HasSubstr("stale directory answer"));
    EXPECT_EQ(
        counter("bindery_directory_lookups_total", {{"directory", "kc"}, {"source", "stale"}}), 1);
    EXPECT_EQ(
        counter("bindery_directory_errors_total", {{"directory", "kc"}, {"code", "unavailable"}}),
        1);

    auto fresh = make({spec("other", {"never-cached"})});
    std::string body = testdata::payload("firing.json");
    body.replace(body.find("\"sms-gateway\""), 13, "\"other\"");
    const auto retry = fresh->handle(body);
    EXPECT_EQ(retry.status, 503U);
    EXPECT_EQ(body_of(retry)["error"]["code"], "directory_unavailable");
}

TEST_F(Receiver, AGatewayRefusingEverythingTransientlyIs503AndNotRecordedAsSent) {
    auto r = make({spec("sms-gateway", {"sre"})});
    gateway.refuse = router::SubmitErrc::backlog_full;
    EXPECT_EQ(r->handle(testdata::payload("firing.json")).status, 503U);
    gateway.refuse.reset();
    // The retry is not a duplicate: nothing was sent.
    const auto ok = r->handle(testdata::payload("firing.json"));
    EXPECT_EQ(body_of(ok)["outcome"], "sent");
    EXPECT_EQ(gateway.submitted.size(), 2U);
}

TEST_F(Receiver, ListsRecordsNewestFirst) {
    auto r = make({spec("sms-gateway", {"sre"})});
    r->handle(testdata::payload("firing.json"));
    now += std::chrono::seconds(1);
    r->handle(testdata::payload("resolved.json"));
    const auto page = body_of(r->list(std::nullopt, 10, nullptr));
    ASSERT_EQ(page["alerts"].size(), 2U);
    EXPECT_EQ(page["alerts"][0]["status"], "resolved");
    EXPECT_EQ(page["alerts"][1]["status"], "firing");
}

TEST(AlertDedupKey, DependsOnStatusAndFingerprintsNotOnAlertOrder) {
    AlertmanagerAlert a;
    a.fingerprint = "1";
    a.status = "firing";
    AlertmanagerAlert b;
    b.fingerprint = "2";
    b.status = "firing";
    const auto k1 = alert_dedup_key("r", "g", false, {&a, &b});
    EXPECT_EQ(k1, alert_dedup_key("r", "g", false, {&b, &a}));
    EXPECT_NE(k1, alert_dedup_key("r", "g", true, {&a, &b}));
    EXPECT_NE(k1, alert_dedup_key("r", "g", false, {&a}));
    EXPECT_NE(k1, alert_dedup_key("r", "g2", false, {&a, &b}));
    EXPECT_EQ(k1.size(), 64U);
}

// Endpoint authentication.
TEST_F(Receiver, TheWebhookAcceptsOnlyTheConfiguredBearerTokenOrBasicCredentials) {
    auto r = make({spec("sms-gateway", {"sre"})});
    AlertmanagerEndpoint bearer(*r, {"tok123", "", ""}, nullptr);
    EXPECT_TRUE(bearer.webhook_authorized("Bearer tok123"));
    EXPECT_TRUE(bearer.webhook_authorized("bearer tok123"));
    EXPECT_FALSE(bearer.webhook_authorized("Bearer tok1234"));
    EXPECT_FALSE(bearer.webhook_authorized(""));
    EXPECT_FALSE(bearer.webhook_authorized("Basic YWxlcnRtYW5hZ2VyOnMzY3JldA=="));

    AlertmanagerEndpoint basic(*r, {"", "alertmanager", "s3cret"}, nullptr);
    EXPECT_TRUE(
        basic.webhook_authorized("Basic YWxlcnRtYW5hZ2VyOnMzY3JldA=="));  // alertmanager:s3cret
    EXPECT_FALSE(basic.webhook_authorized("Basic YWxlcnRtYW5hZ2VyOnMzY3JldDE="));
    EXPECT_FALSE(basic.webhook_authorized("Basic !!!"));
    EXPECT_FALSE(basic.webhook_authorized("Bearer s3cret"));

    AlertmanagerEndpoint open(*r, {}, nullptr);
    EXPECT_TRUE(open.webhook_authorized(""));

    Request req{boost::beast::http::verb::post, "/v1/alertmanager", 11};
    req.set(boost::beast::http::field::content_type, "application/json");
    req.body() = testdata::payload("firing.json");
    EXPECT_EQ(bearer.webhook(req).response.result_int(), 401U);
    req.set(boost::beast::http::field::authorization, "Bearer tok123");
    EXPECT_EQ(bearer.webhook(req).response.result_int(), 200U);
    req.set(boost::beast::http::field::content_type, "text/plain");
    EXPECT_EQ(bearer.webhook(req).response.result_int(), 415U);
}

TEST(Base64, DecodesPaddedTextAndRefusesTheRest) {
    EXPECT_EQ(base64_decode("YWxlcnRtYW5hZ2VyOnMzY3JldA=="), "alertmanager:s3cret");
    EXPECT_EQ(base64_decode("YWJj"), "abc");
    EXPECT_EQ(base64_decode("YWI="), "ab");
    EXPECT_EQ(base64_decode(""), "");
    EXPECT_FALSE(base64_decode("YWJ"));
    EXPECT_FALSE(base64_decode("Y=Jj"));
    EXPECT_FALSE(base64_decode("YW=j"));
}

}  // namespace
}  // namespace bindery::http
