#include "http-frontend/alertmanager_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smpp/codec/text/segment.hpp"
#include "tests/http-frontend/alertmanager_testdata.hpp"

namespace bindery::http {
namespace {

using ::testing::HasSubstr;

AlertContext context_of(const AlertmanagerPayload& p) {
    AlertContext c;
    c.payload = &p;
    for (const auto& a : p.alerts) {
        if (a.firing())
            ++c.firing;
        else
            ++c.resolved_count;
    }
    c.resolved = c.firing == 0;
    for (const auto& a : p.alerts) {
        if (a.firing() != c.resolved) c.alerts.push_back(&a);
    }
    return c;
}

TEST(AlertTemplate, DefaultTextReadsLikeTheIssueExample) {
    auto p = parse_alertmanager_payload(testdata::payload("two_alerts.json"));
    ASSERT_TRUE(p);
    auto t = AlertTemplate::compile(kDefaultAlertTemplate);
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->render(context_of(*p)),
              "[FIRING:2] HighErrorRate prod-companyapp2 \xE2\x80\x94 error rate 7% > 5%");
}

TEST(AlertTemplate, DefaultTextOfAResolvedNotification) {
    auto p = parse_alertmanager_payload(testdata::payload("resolved.json"));
    ASSERT_TRUE(p);
    auto t = AlertTemplate::compile(kDefaultAlertTemplate);
    EXPECT_EQ(t->render(context_of(*p)),
              "[RESOLVED:1] DiskFull db1:9100 \xE2\x80\x94 Disk almost full");
}

TEST(AlertTemplate, SectionsDropTheirTextWhenTheValueIsEmpty) {
    auto p = parse_alertmanager_payload(testdata::payload("two_alerts.json"));
    auto t = AlertTemplate::compile(
        "{{alertname}}{{#annotations.runbook}} see {{annotations.runbook}}{{/annotations.runbook}}"
        "{{^truncated}} (all){{/truncated}} team={{group_labels.team}} n={{firing}}/{{resolved}} "
        "since {{starts_at}} on {{common_labels.job}} via {{receiver}} {{labels.instance}}");
    ASSERT_TRUE(t) << t.error();
    // labels.instance differs between the alerts: the first alert's value.
    EXPECT_EQ(
        t->render(context_of(*p)),
        "HighErrorRate (all) team=sre n=2/0 since 2026-11-22 11:09 UTC on prod-companyapp2 via "
        "prod-companyapp2-critical-sre app2-a:8080");
}

TEST(AlertTemplate, RefusesUnknownNamesAndUnbalancedSections) {
    EXPECT_THAT(AlertTemplate::compile("{{statuz}}").error(), HasSubstr("unknown name \"statuz\""));
    EXPECT_THAT(AlertTemplate::compile("{{#summary}} x").error(), HasSubstr("is not closed"));
    EXPECT_THAT(AlertTemplate::compile("x {{/summary}}").error(), HasSubstr("closes nothing"));
    EXPECT_THAT(AlertTemplate::compile("{{#summary}}{{/scope}}").error(),
                HasSubstr("closes {{#summary}}"));
    EXPECT_THAT(AlertTemplate::compile("{{summary").error(), HasSubstr("without"));
    EXPECT_THAT(AlertTemplate::compile("{{labels.}}").error(), HasSubstr("unknown name"));
    EXPECT_TRUE(AlertTemplate::compile("no placeholders at all"));
    EXPECT_TRUE(AlertTemplate::compile("{{ status }}"));
}

TEST(TrimToSegments, LeavesTextThatFitsAlone) {
    EXPECT_EQ(trim_to_segments("short", 1), "short");
    const std::string exactly(160, 'a');
    EXPECT_EQ(trim_to_segments(exactly, 1), exactly);
}

TEST(TrimToSegments, CutsGsmTextWithThreeDotsToTheSegmentLimit) {
    const std::string text(400, 'x');
    const auto one = trim_to_segments(text, 1);
    EXPECT_EQ(one, std::string(157, 'x') + "...");
    EXPECT_EQ(sms_segments(one), 1U);
    const auto two = trim_to_segments(text, 2);
    EXPECT_EQ(two.size(), 306U);  // 2 x 153 septets
    EXPECT_EQ(two.substr(303), "...");
    EXPECT_EQ(sms_segments(two), 2U);
}

TEST(TrimToSegments, NeverSplitsAGsmEscapePair) {
    // '{' costs two septets: a cut may not leave half of it.
    std::string text(156, 'a');
    text += "{{{{{{{{";
    const auto out = trim_to_segments(text, 1);
    EXPECT_EQ(sms_segments(out), 1U);
    auto count = smpp::count_segments(out);
    ASSERT_TRUE(count);
    EXPECT_LE(count->units, 160U);
    EXPECT_EQ(out.substr(out.size() - 3), "...");
    EXPECT_EQ(out,
              std::string(156, 'a') + "...");  // 156 + 3 = 159; one '{' (2 septets) would make 161
}

TEST(TrimToSegments, CutsUnicodeTextAtACodePointWithTheEllipsisCharacter) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += "\xD8\xB3";  // U+0633 ARABIC LETTER SEEN, 2 UTF-8 bytes
    const auto out = trim_to_segments(text, 1);
    // UCS-2: 70 units in one SMS = 69 letters + U+2026.
    std::string want;
    for (int i = 0; i < 69; ++i) want += "\xD8\xB3";
    want += "\xE2\x80\xA6";
    EXPECT_EQ(out, want);
    EXPECT_EQ(sms_segments(out), 1U);
}

TEST(TrimToSegments, KeepsSurrogatePairsWhole) {
    std::string text;
    for (int i = 0; i < 80; ++i) text += "\xF0\x9F\x94\xA5";  // U+1F525, a surrogate pair in UCS-2
    const auto out = trim_to_segments(text, 1);
    EXPECT_EQ(sms_segments(out), 1U);
    // 34 emoji (68 units) + ellipsis (1) = 69 <= 70; 35 would be 71.
    EXPECT_EQ(out.size(), 34U * 4U + 3U);
}

TEST(TrimToSegments, DropsTrailingSpaceBeforeTheEllipsis) {
    std::string text(150, 'a');
    text += "         tail that does not fit";
    const auto out = trim_to_segments(text, 1);
    EXPECT_EQ(out.find(" ..."), std::string::npos);
    EXPECT_EQ(sms_segments(out), 1U);
}

}  // namespace
}  // namespace bindery::http
