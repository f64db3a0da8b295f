#include "router/providers/kavenegar_api.hpp"

#include <set>

#include <gtest/gtest.h>

#include "router/core/error_class.hpp"
#include "router/providers/http_client.hpp"

namespace bindery::router {
namespace {

// kavenegar-api.md §5, transcribed independently of the table in kavenegar_api.cpp: the gateway
// action per documented code ("retry" = temporary, "throttle" = throttled, "fail" = permanent).
struct Documented {
    std::int64_t code;
    KavenegarAction action;
    bool account;
};
constexpr Documented kDocumented[] = {
    {200, KavenegarAction::ok, false},        {400, KavenegarAction::permanent, false},
    {401, KavenegarAction::temporary, true},  {402, KavenegarAction::temporary, false},
    {403, KavenegarAction::temporary, true},  {404, KavenegarAction::permanent, false},
    {405, KavenegarAction::permanent, false}, {406, KavenegarAction::permanent, false},
    {407, KavenegarAction::temporary, true},  {409, KavenegarAction::temporary, false},
    {411, KavenegarAction::permanent, false}, {412, KavenegarAction::temporary, true},
    {413, KavenegarAction::permanent, false}, {414, KavenegarAction::permanent, false},
    {415, KavenegarAction::permanent, false}, {416, KavenegarAction::temporary, true},
    {417, KavenegarAction::permanent, false}, {418, KavenegarAction::temporary, true},
    {419, KavenegarAction::permanent, false}, {420, KavenegarAction::permanent, false},
    {422, KavenegarAction::permanent, false}, {424, KavenegarAction::permanent, false},
    {426, KavenegarAction::permanent, true},  {427, KavenegarAction::permanent, true},
    {428, KavenegarAction::permanent, false}, {429, KavenegarAction::temporary, true},
    {431, KavenegarAction::permanent, false}, {432, KavenegarAction::permanent, false},
    {451, KavenegarAction::throttled, false}, {501, KavenegarAction::temporary, true},
    {604, KavenegarAction::permanent, false}, {607, KavenegarAction::permanent, false},
};

class KavenegarReturnStatus : public ::testing::TestWithParam<Documented> {};

TEST_P(KavenegarReturnStatus, MapsToTheDocumentedAction) {
    const auto d = GetParam();
    const auto rc = classify_kavenegar_return(d.code);
    EXPECT_EQ(rc.code, d.code);
    EXPECT_EQ(rc.action, d.action) << d.code << " is " << to_string(rc.action);
    EXPECT_EQ(rc.account_problem, d.account) << d.code;
    EXPECT_FALSE(rc.meaning.empty());
    EXPECT_NE(rc.meaning, "undocumented status");
}

// The router classifies the SendError the provider reports with its built-in "kavenegar" table:
// both must say the same thing for every documented failure, or retries and the breaker would
// disagree with the provider's log lines and metrics.
TEST_P(KavenegarReturnStatus, AgreesWithTheRoutersStatusMap) {
    const auto d = GetParam();
    if (d.action == KavenegarAction::ok) GTEST_SKIP() << "success";
    const StatusMap map{std::vector<StatusMapConfig>{}};
    SendError e;
    e.kind =
        d.action == KavenegarAction::throttled ? SendErrorKind::throttled : SendErrorKind::status;
    e.code = d.code;
    const auto expected = d.action == KavenegarAction::temporary   ? ErrorClass::temporary
                          : d.action == KavenegarAction::throttled ? ErrorClass::throttled
                                                                   : ErrorClass::permanent;
    EXPECT_EQ(map.classify("kavenegar", e), expected) << d.code;
    // And by code alone (a status SendError), 451 is throttling too.
    if (d.action == KavenegarAction::throttled) {
        e.kind = SendErrorKind::status;
        EXPECT_EQ(map.classify("kavenegar", e), ErrorClass::throttled);
    }
}

INSTANTIATE_TEST_SUITE_P(Documented, KavenegarReturnStatus, ::testing::ValuesIn(kDocumented),
                         [](const auto& info) {
                             return "status_" + std::to_string(info.param.code);
                         });

TEST(KavenegarReturnCodes, TableHoldsEveryDocumentedCodeOnceAndNothingElse) {
    std::set<std::int64_t> table;
    for (const auto& c : kavenegar_return_codes())
        EXPECT_TRUE(table.insert(c.code).second) << c.code;
    std::set<std::int64_t> documented;
    for (const auto& d : kDocumented) documented.insert(d.code);
    EXPECT_EQ(table, documented);
}

TEST(KavenegarReturnCodes, UndocumentedFiveHundredsRetryAndOthersFail) {
    for (const std::int64_t c : {500, 502, 503, 504, 505, 506, 507, 599}) {
        EXPECT_EQ(classify_kavenegar_return(c).action, KavenegarAction::temporary) << c;
    }
    for (const std::int64_t c : {0, 201, 410, 433, 601, 999}) {
        EXPECT_EQ(classify_kavenegar_return(c).action, KavenegarAction::permanent) << c;
    }
}

TEST(KavenegarReturnCodes, RequestTooLargeAsksForSmallerBatches) {
    EXPECT_TRUE(classify_kavenegar_return(414).split_batch);
    EXPECT_TRUE(classify_kavenegar_return(604).split_batch);
    EXPECT_FALSE(classify_kavenegar_return(411).split_batch);
}

TEST(KavenegarMessageStatus, MapsEveryDocumentedStateToBinderyReceipts) {
    struct Row {
        std::int64_t status;
        ReceiptStatus mapped;
        bool final;
    };
    const Row rows[] = {
        {1, ReceiptStatus::enroute, false},       {2, ReceiptStatus::accepted, false},
        {4, ReceiptStatus::enroute, false},       {5, ReceiptStatus::enroute, false},
        {6, ReceiptStatus::undeliverable, true},  {10, ReceiptStatus::delivered, true},
        {11, ReceiptStatus::undeliverable, true}, {13, ReceiptStatus::deleted, true},
        {14, ReceiptStatus::rejected, true},      {100, ReceiptStatus::unknown, true},
    };
    for (const auto& r : rows) {
        const auto s = kavenegar_message_state(r.status);
        ASSERT_TRUE(s) << r.status;
        EXPECT_EQ(s->status, r.mapped) << r.status;
        EXPECT_EQ(s->final, r.final) << r.status;
    }
    EXPECT_FALSE(kavenegar_message_state(50));  // inbound, never a sent message's state
    EXPECT_FALSE(kavenegar_message_state(3));
}

TEST(KavenegarReply, ParsesTheDocumentedSendExample) {
    const auto reply = parse_kavenegar_reply(
        R"({"return":{"status":200,"message":"تایید شد"},
            "entries":[{"messageid":8792343,"message":"خدمات پیام کوتاه کاوه نگار","status":1,
                        "statustext":"در صف ارسال","sender":"10004346","receptor":"09123456789",
                        "date":1356619709,"cost":120}]})");
    ASSERT_TRUE(reply) << reply.error();
    EXPECT_EQ(reply->return_status, 200);
    EXPECT_EQ(reply->message, "تایید شد");
    ASSERT_EQ(reply->entries.size(), 1U);
    EXPECT_EQ(reply->entries[0].messageid, 8792343);
    EXPECT_EQ(reply->entries[0].status, 1);
    EXPECT_EQ(reply->entries[0].receptor, "09123456789");
}

TEST(KavenegarReply, ParsesAnErrorWithNullEntriesAndLargeIds) {
    auto reply = parse_kavenegar_reply(
        R"({"return":{"status":418,"message":"اعتبار کافی نیست"},"entries":null})");
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->return_status, 418);
    EXPECT_TRUE(reply->entries.empty());
    reply = parse_kavenegar_reply(
        R"({"return":{"status":200,"message":""},"entries":[{"messageid":9007199254740993,"status":10}]})");
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->entries.at(0).messageid, 9007199254740993);
}

TEST(KavenegarReply, RefusesWhatIsNotAnEnvelope) {
    for (const char* body : {"", "<html>502 Bad Gateway</html>", "[]", R"({"entries":[]})",
                             R"({"return":{"message":"x"}})", R"({"return":{"status":"abc"}})",
                             R"({"return":{"status":200},"entries":[1]})",
                             R"({"return":{"status":200},"entries":[{"messageid":"x1"}]})"}) {
        EXPECT_FALSE(parse_kavenegar_reply(body)) << body;
    }
}

TEST(KavenegarRequest, SendBodyIsFormEncodedUtf8) {
    KavenegarOutgoing m{"09121234567", "10004346", "سلام", "981"};
    EXPECT_EQ(kavenegar_send_body(m),
              "receptor=09121234567&message=%D8%B3%D9%84%D8%A7%D9%85&sender=10004346&localid=981");
    m.sender.clear();
    m.localid.clear();
    EXPECT_EQ(kavenegar_send_body(m), "receptor=09121234567&message=%D8%B3%D9%84%D8%A7%D9%85");
}

TEST(KavenegarRequest, SendArrayBodyCarriesJsonArrays) {
    const KavenegarOutgoing batch[] = {{"09121234567", "10004346", "A", "1"},
                                       {"09351234567", "10004346", "B \"q\"", "2"}};
    const auto body = kavenegar_sendarray_body(batch);
    EXPECT_NE(body.find("receptor=%5B%2209121234567%22%2C%2209351234567%22%5D"), std::string::npos)
        << body;
    EXPECT_NE(body.find("sender=%5B%2210004346%22%2C%2210004346%22%5D"), std::string::npos) << body;
    EXPECT_NE(body.find("message=%5B%22A%22%2C%22B%20%5C%22q%5C%22%22%5D"), std::string::npos)
        << body;
    EXPECT_NE(body.find("localmessageid=%5B%221%22%2C%222%22%5D"), std::string::npos) << body;
}

TEST(KavenegarRequest, StatusBodyListsIdsWithCommas) {
    const std::int64_t ids[] = {85463238, 85463239};
    EXPECT_EQ(kavenegar_status_body(ids), "messageid=85463238%2C85463239");
}

TEST(KavenegarRequest, ReceptorsUseTheNationalFormForIran) {
    EXPECT_EQ(kavenegar_receptor("+989121234567"), "09121234567");
    EXPECT_EQ(kavenegar_receptor("+447700900123"), "00447700900123");
    EXPECT_EQ(kavenegar_receptor("09121234567"), "09121234567");
}

TEST(HttpUrl, ParsesSchemesPortsAndTargets) {
    auto u = parse_url("https://api.kavenegar.com");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "api.kavenegar.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/");
    u = parse_url("http://127.0.0.1:8080/prefix/x?a=1");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->target, "/prefix/x?a=1");
    u = parse_url("https://[::1]:9443");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 9443);
    for (const char* bad :
         {"ftp://x", "https://", "http://h:0", "http://h:70000", "http://u@h/", "http://h:x/"}) {
        EXPECT_FALSE(parse_url(bad)) << bad;
    }
}

TEST(HttpUrl, RedactsSecretsEverywhere) {
    EXPECT_EQ(redact("/v1/KEY/sms/send.json KEY", "KEY"), "/v1/***/sms/send.json ***");
    EXPECT_EQ(redact("abc", ""), "abc");
}

}  // namespace
}  // namespace bindery::router
