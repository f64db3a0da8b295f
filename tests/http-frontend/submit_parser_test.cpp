#include "http-frontend/submit_parser.hpp"

#include <cctype>

#include <gtest/gtest.h>

namespace bindery::http {
namespace {

using namespace std::chrono_literals;

const router::SystemTime kNow = router::SystemTime(std::chrono::seconds(1'800'000'000));

Expected<ParsedSubmit, ApiError> parse(std::string_view body, SubmitLimits limits = {}) {
    return parse_submit(body, "acme", limits, kNow);
}

TEST(SubmitParser, AcceptsOneNumberWithDefaults) {
    auto r = parse(R"({"to":"+989121234567","from":"ACME","text":"hello"})");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->requests.size(), 1U);
    const auto& q = r->requests[0];
    EXPECT_EQ(q.client, "acme");
    EXPECT_EQ(q.destination, "+989121234567");
    EXPECT_EQ(q.sender, "ACME");
    EXPECT_EQ(q.text, "hello");
    EXPECT_EQ(q.priority, router::Priority::normal);
    EXPECT_FALSE(q.validity);
    EXPECT_FALSE(q.schedule_at);
    EXPECT_FALSE(r->to_is_list);
}

TEST(SubmitParser, ExpandsAListIntoOneRequestPerRecipientSharingTheOptions) {
    auto r = parse(R"({"to":["+989121234567","00989121234568"],"from":"12345","text":"x",
        "priority":"alert","validity":"1h30m","scheduled_at":"2027-01-16T08:00:00+03:30",
        "client_ref":"order-7","callback_url":"https://hooks.example.com/sms","encoding":"ucs2"})");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->requests.size(), 2U);
    EXPECT_TRUE(r->to_is_list);
    for (const auto& q : r->requests) {
        EXPECT_EQ(q.priority, router::Priority::express);
        EXPECT_EQ(q.validity, std::chrono::seconds(5400));
        ASSERT_TRUE(q.schedule_at);
        EXPECT_EQ(q.client_ref, "order-7");
        EXPECT_EQ(q.callback_url, "https://hooks.example.com/sms");
        EXPECT_EQ(q.encoding, router::TextEncoding::ucs2);
        EXPECT_TRUE(q.tags.empty());
    }
    EXPECT_EQ(r->requests[1].destination, "00989121234568");
    // 2027-01-16T08:00:00+03:30 = 2027-01-16T04:30:00Z
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(
                  r->requests[0].schedule_at->time_since_epoch())
                  .count(),
              1'800'073'800);
}

TEST(SubmitParser, TakesTheDefaultSenderWhenFromIsAbsentNullOrEmpty) {
    for (const char* body : {R"({"to":"+989121234567","text":"x"})",
                             R"({"to":"+989121234567","from":null,"text":"x"})",
                             R"({"to":"+989121234567","from":"","text":"x"})"}) {
        auto r = parse_submit(body, "acme", {}, kNow, "ACME");
        ASSERT_TRUE(r) << body << ": " << r.error().message;
        EXPECT_EQ(r->requests[0].sender, "ACME") << body;
    }
    // A given from wins; a bad one is still refused, and a wrong type is not replaced.
    auto given = parse_submit(R"({"to":"+989121234567","from":"12345","text":"x"})", "acme", {},
                              kNow, "ACME");
    ASSERT_TRUE(given);
    EXPECT_EQ(given->requests[0].sender, "12345");
    EXPECT_EQ(parse_submit(R"({"to":"+989121234567","from":"AC<ME","text":"x"})", "acme", {}, kNow,
                           "ACME")
                  .error()
                  .code,
              "invalid_sender");
    EXPECT_EQ(
        parse_submit(R"({"to":"+989121234567","from":1,"text":"x"})", "acme", {}, kNow, "ACME")
            .error()
            .code,
        "invalid_type");
    // Without a default the empty string stays an invalid sender naming from.
    const auto empty = parse(R"({"to":"+989121234567","from":"","text":"x"})");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, "invalid_sender");
    EXPECT_EQ(empty.error().field, "from");
}

TEST(SubmitParser, TreatsAPastScheduleAsNow) {
    auto r = parse(
        R"({"to":"+989121234567","from":"ACME","text":"x","scheduled_at":"2020-01-01T00:00:00Z"})");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->requests[0].schedule_at);
}

TEST(SubmitParser, AcceptsValidityInSecondsAndNullOptionals) {
    auto r =
        parse(R"({"to":"+989121234567","from":"ACME","text":"x","validity":600,"priority":null})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->requests[0].validity, std::chrono::seconds(600));
}

struct BadCase {
    const char* name;
    const char* body;
    unsigned status;
    const char* code;
    const char* field;
};

class SubmitParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(SubmitParserRejects, NamingStatusCodeAndField) {
    const auto& c = GetParam();
    SubmitLimits limits;
    limits.max_recipients = 3;
    limits.max_text_chars = 10;
    auto r = parse(c.body, limits);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().status, c.status) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().message;
    EXPECT_EQ(r.error().field, c.field) << c.name;
    EXPECT_FALSE(r.error().message.empty());
}

#define OK_TAIL R"("from":"ACME","text":"hi")"
INSTANTIATE_TEST_SUITE_P(
    Table, SubmitParserRejects,
    ::testing::Values(
        BadCase{"not json", "{", 400, "malformed_json", ""},
        BadCase{"empty body", "", 400, "malformed_json", ""},
        BadCase{"trailing garbage", R"({"to":"+989121234567",)" OK_TAIL "} x", 400,
                "malformed_json", ""},
        BadCase{"invalid utf8", "{\"to\":\"+989121234567\",\"from\":\"ACME\",\"text\":\"\xff\"}",
                400, "malformed_json", ""},
        BadCase{"too deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                400, "malformed_json", ""},
        BadCase{"array body", "[1]", 400, "invalid_type", ""},
        BadCase{"missing to", "{" OK_TAIL "}", 422, "missing_field", "to"},
        BadCase{"to number", R"({"to":989121234567,)" OK_TAIL "}", 400, "invalid_type", "to"},
        BadCase{"to empty list", R"({"to":[],)" OK_TAIL "}", 422, "missing_field", "to"},
        BadCase{"to element type", R"({"to":["+989121234567","+989121234568",7],)" OK_TAIL "}", 400,
                "invalid_type", "to[2]"},
        BadCase{"to element syntax", R"({"to":["+989121234567","+98912abc"],)" OK_TAIL "}", 422,
                "invalid_destination", "to[1]"},
        BadCase{"to single syntax", R"({"to":"0912123",)" OK_TAIL "}", 422, "invalid_destination",
                "to"},
        BadCase{"to too short", R"({"to":"+12345",)" OK_TAIL "}", 422, "invalid_destination", "to"},
        BadCase{"to too long", R"({"to":"+1234567890123456",)" OK_TAIL "}", 422,
                "invalid_destination", "to"},
        BadCase{"to duplicate", R"({"to":["+989121234567","+989121234567"],)" OK_TAIL "}", 422,
                "duplicate_destination", "to[1]"},
        BadCase{
            "too many",
            R"({"to":["+989121234561","+989121234562","+989121234563","+989121234564"],)" OK_TAIL
            "}",
            422, "too_many_recipients", "to"},
        BadCase{"from missing", R"({"to":"+989121234567","text":"x"})", 422, "missing_field",
                "from"},
        BadCase{"from type", R"({"to":"+989121234567","from":1,"text":"x"})", 400, "invalid_type",
                "from"},
        BadCase{"from too long alpha", R"({"to":"+989121234567","from":"ABCDEFGHIJKL","text":"x"})",
                422, "invalid_sender", "from"},
        BadCase{"from bad chars", R"({"to":"+989121234567","from":"AC<ME","text":"x"})", 422,
                "invalid_sender", "from"},
        BadCase{"text missing", R"({"to":"+989121234567","from":"ACME"})", 422, "missing_field",
                "text"},
        BadCase{"text empty", R"({"to":"+989121234567","from":"ACME","text":""})", 422,
                "invalid_text", "text"},
        BadCase{"text long", R"({"to":"+989121234567","from":"ACME","text":"12345678901"})", 422,
                "text_too_long", "text"},
        BadCase{"priority", R"({"to":"+989121234567",)" OK_TAIL R"(,"priority":"urgent"})", 422,
                "invalid_priority", "priority"},
        BadCase{"priority type", R"({"to":"+989121234567",)" OK_TAIL R"(,"priority":1})", 400,
                "invalid_type", "priority"},
        BadCase{"validity zero", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":0})", 422,
                "invalid_validity", "validity"},
        BadCase{"validity negative", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":-5})", 422,
                "invalid_validity", "validity"},
        BadCase{"validity fraction", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":1.5})", 422,
                "invalid_validity", "validity"},
        BadCase{"validity text", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":"soon"})", 422,
                "invalid_validity", "validity"},
        BadCase{"validity too long", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":"8d"})",
                422, "invalid_validity", "validity"},
        BadCase{"validity type", R"({"to":"+989121234567",)" OK_TAIL R"(,"validity":true})", 400,
                "invalid_type", "validity"},
        BadCase{"schedule syntax",
                R"({"to":"+989121234567",)" OK_TAIL R"(,"scheduled_at":"tomorrow"})", 422,
                "invalid_time", "scheduled_at"},
        BadCase{"schedule far",
                R"({"to":"+989121234567",)" OK_TAIL R"(,"scheduled_at":"2030-01-01T00:00:00Z"})",
                422, "invalid_time", "scheduled_at"},
        BadCase{
            "client_ref long",
            R"({"to":"+989121234567",)" OK_TAIL
            R"(,"client_ref":"0123456789012345678901234567890123456789012345678901234567890123456789"})",
            422, "invalid_client_ref", "client_ref"},
        BadCase{"callback scheme",
                R"({"to":"+989121234567",)" OK_TAIL R"(,"callback_url":"ftp://x"})", 422,
                "invalid_callback_url", "callback_url"},
        BadCase{"encoding", R"({"to":"+989121234567",)" OK_TAIL R"(,"encoding":"utf16"})", 422,
                "invalid_encoding", "encoding"},
        BadCase{"unknown member", R"({"to":"+989121234567",)" OK_TAIL R"(,"prioirty":"bulk"})", 422,
                "unknown_field", "prioirty"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
        std::string n = info.param.name;
        for (auto& ch : n) {
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        }
        return n;
    });

TEST(SubmitParser, SyntaxHelpers) {
    EXPECT_TRUE(is_plausible_msisdn("+989121234567"));
    EXPECT_TRUE(is_plausible_msisdn("00989121234567"));
    EXPECT_TRUE(is_plausible_msisdn("989121234567"));
    EXPECT_FALSE(is_plausible_msisdn("+0989121234567"));
    EXPECT_FALSE(is_plausible_msisdn("+98 912 123"));
    EXPECT_FALSE(is_plausible_msisdn(""));
    EXPECT_TRUE(is_valid_sender("ACME Ltd"));
    EXPECT_TRUE(is_valid_sender("+9810001234"));
    EXPECT_FALSE(is_valid_sender("ACME Limited"));
    EXPECT_FALSE(is_valid_sender(""));
}

}  // namespace
}  // namespace bindery::http
