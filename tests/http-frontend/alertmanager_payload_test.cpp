#include "http-frontend/alertmanager_payload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http-frontend/time_format.hpp"
#include "tests/http-frontend/alertmanager_testdata.hpp"

namespace bindery::http {
namespace {

using ::testing::HasSubstr;

TEST(AlertmanagerPayload, ParsesTheCapturedFiringNotification) {
    auto p = parse_alertmanager_payload(testdata::payload("firing.json"));
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->version, "4");
    EXPECT_EQ(p->receiver, "sms-gateway");
    EXPECT_EQ(p->status, "firing");
    EXPECT_EQ(p->group_key, "{}:{alertname=\"DiskFull\"}");
    EXPECT_EQ(p->external_url, "http://vm:19093");
    EXPECT_EQ(p->truncated_alerts, 0U);
    EXPECT_EQ(p->group_labels.at("alertname"), "DiskFull");
    EXPECT_EQ(p->common_annotations.at("summary"), "Disk almost full");
    ASSERT_EQ(p->alerts.size(), 1U);
    const auto& a = p->alerts[0];
    EXPECT_TRUE(a.firing());
    EXPECT_EQ(a.fingerprint, "efb0c6c488e007da");
    EXPECT_EQ(a.labels.at("instance"), "db1:9100");
    EXPECT_EQ(format_rfc3339(a.starts_at), "2026-11-22T11:06:17.485Z");
    EXPECT_FALSE(a.ends_at);  // Go's zero time while firing
    EXPECT_EQ(a.generator_url, "http://prom.local/graph?g0.expr=up");
}

TEST(AlertmanagerPayload, ParsesTheCapturedResolvedNotification) {
    auto p = parse_alertmanager_payload(testdata::payload("resolved.json"));
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->status, "resolved");
    ASSERT_EQ(p->alerts.size(), 1U);
    EXPECT_FALSE(p->alerts[0].firing());
    ASSERT_TRUE(p->alerts[0].ends_at);
    EXPECT_EQ(format_rfc3339(*p->alerts[0].ends_at), "2026-11-22T11:06:35.000Z");
}

TEST(AlertmanagerPayload, ParsesSeveralAlertsAndGoEscapes) {
    auto p = parse_alertmanager_payload(testdata::payload("two_alerts.json"));
    ASSERT_TRUE(p) << p.error();
    ASSERT_EQ(p->alerts.size(), 2U);
    EXPECT_EQ(p->alerts[0].annotations.at("summary"), "error rate 7% > 5%");
    EXPECT_EQ(p->alerts[0].generator_url, "http://prom.local/graph?g0.expr=rate&x=1");
    EXPECT_EQ(p->alerts[1].fingerprint, "2222222222222222");
    EXPECT_EQ(p->common_labels.count("instance"), 0U);
    EXPECT_TRUE(p->common_annotations.empty());
}

TEST(AlertmanagerPayload, ReadsTruncatedAlertsMixedStatesAndUndoesQuoteMeta) {
    auto p = parse_alertmanager_payload(testdata::payload("truncated.json"));
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->receiver, "sms.gateway");
    EXPECT_EQ(p->truncated_alerts, 3U);
    ASSERT_EQ(p->alerts.size(), 2U);
    EXPECT_TRUE(p->alerts[0].firing());
    EXPECT_FALSE(p->alerts[1].firing());
}

TEST(AlertmanagerPayload, DerivesAStableFingerprintWhenNoneIsSent) {
    const std::string body =
        R"({"version":"4","groupKey":"k","receiver":"r","status":"firing","alerts":[)"
        R"({"status":"firing","labels":{"b":"2","a":"1"},"startsAt":"2026-01-01T00:00:00Z"}]})";
    auto p = parse_alertmanager_payload(body);
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->alerts[0].fingerprint.size(), 16U);
    auto again = parse_alertmanager_payload(body);
    EXPECT_EQ(again->alerts[0].fingerprint, p->alerts[0].fingerprint);
}

TEST(AlertmanagerPayload, RefusesWhatItCannotUseWithTheFieldNamed) {
    struct Case {
        std::string body;
        std::string error;
    };
    const std::string head = R"({"version":"4","groupKey":"k","receiver":"r","status":"firing",)";
    const std::string alert_ok =
        R"({"status":"firing","labels":{"a":"1"},"startsAt":"2026-01-01T00:00:00Z"})";
    const Case cases[] = {
        {"not json", "body is not valid JSON"},
        {"[]", "body: expected a JSON object"},
        {R"({"version":"3","groupKey":"k","receiver":"r","status":"firing","alerts":[]})",
         "version: expected \"4\", got \"3\""},
        {R"({"groupKey":"k"})", "version: missing"},
        {head + R"("alerts":[]})", "alerts: empty"},
        {head + R"("alerts":{}})", "alerts: expected an array"},
        {R"({"version":"4","groupKey":"k","receiver":"r","status":"burning","alerts":[]})",
         "status: expected"},
        {head + R"("alerts":[)" + alert_ok +
             R"(,{"status":"x","labels":{"a":"1"},"startsAt":"2026-01-01T00:00:00Z"}]})",
         "alerts[1].status: expected \"firing\" or \"resolved\""},
        {head +
             R"("alerts":[{"status":"firing","labels":{"a":1},"startsAt":"2026-01-01T00:00:00Z"}]})",
         "alerts[0].labels.a: expected a string"},
        {head + R"("alerts":[{"status":"firing","labels":{},"startsAt":"2026-01-01T00:00:00Z"}]})",
         "alerts[0].labels: empty"},
        {head + R"("alerts":[{"status":"firing","labels":{"a":"1"},"startsAt":"yesterday"}]})",
         "alerts[0].startsAt: not an RFC 3339 time"},
        {head + R"("truncatedAlerts":-1,"alerts":[)" + alert_ok + "]}",
         "truncatedAlerts: expected a non-negative integer"},
        {head + R"("commonLabels":[],"alerts":[)" + alert_ok + "]}",
         "commonLabels: expected an object of strings"},
    };
    for (const auto& c : cases) {
        auto p = parse_alertmanager_payload(c.body);
        ASSERT_FALSE(p) << c.body;
        EXPECT_THAT(p.error(), HasSubstr(c.error)) << c.body;
    }
    PayloadLimits limits;
    limits.max_alerts = 1;
    auto many = parse_alertmanager_payload(
        head + R"("alerts":[)" + alert_ok + "," + alert_ok + "]}", limits);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error(), "alerts: more than 1 alerts");
}

TEST(AlertmanagerPayload, UnquoteMetaUndoesGoRegexpQuoting) {
    EXPECT_EQ(unquote_meta(R"(prod\.app\+1\(x\))"), "prod.app+1(x)");
    EXPECT_EQ(unquote_meta(R"(a\\b)"), R"(a\b)");
    EXPECT_EQ(unquote_meta(R"(plain-name)"), "plain-name");
    EXPECT_EQ(unquote_meta("trailing\\"), "trailing\\");
}

}  // namespace
}  // namespace bindery::http
