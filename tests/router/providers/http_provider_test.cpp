#include "router/providers/http_provider.hpp"

#include <gtest/gtest.h>

#include "router/core/error_class.hpp"
#include "tests/router/providers/kavenegar_test_util.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

TemplateValues values() {
    TemplateValues v;
    v.to = "+989121234567";
    v.to_digits = "989121234567";
    v.from = "Bindery";
    v.text = "Line \"one\"\nسلام & more";
    v.id = "0190f0c2-0000-7000-8000-000000000001";
    v.client = "ops";
    return v;
}

TEST(HttpTemplate, JsonBodiesGetJsonEscapedValuesAndKeepTheirOwnBraces) {
    const auto out =
        expand_template(R"({"to":"{to}","from":"{from}","text":"{text}","ref":"{id}","x":{"y":1}})",
                        values(), TemplateContext::json);
    EXPECT_EQ(out, R"({"to":"+989121234567","from":"Bindery","text":"Line \"one\"\nسلام & more",)"
                   R"("ref":"0190f0c2-0000-7000-8000-000000000001","x":{"y":1}})");
}

TEST(HttpTemplate, FormAndUrlValuesArePercentEncoded) {
    EXPECT_EQ(expand_template("to={to}&text={text}", values(), TemplateContext::form),
              "to=%2B989121234567&text=Line%20%22one%22%0A%D8%B3%D9%84%D8%A7%D9%85%20%26%20more");
    EXPECT_EQ(
        expand_template("/send/{to_digits}?c={client}&u={unknown}", values(), TemplateContext::url),
        "/send/989121234567?c=ops&u={unknown}");
}

TEST(HttpTemplate, RawHeaderValuesCannotInjectLines) {
    auto v = values();
    v.client = "a\r\nX-Evil: 1";
    EXPECT_EQ(expand_template("{client}", v, TemplateContext::raw), "aX-Evil: 1");
}

TEST(HttpTemplate, SecretIsEscapedLikeEveryOtherValue) {
    auto v = values();
    v.secret = "k/1 2";
    EXPECT_EQ(expand_template("/v1/{secret}/send", v, TemplateContext::url), "/v1/k%2F1%202/send");
    EXPECT_EQ(expand_template(R"({"key":"{secret}"})", v, TemplateContext::json),
              R"({"key":"k/1 2"})");
    EXPECT_EQ(expand_template("Key {secret}", v, TemplateContext::raw), "Key k/1 2");
}

TEST(HttpJsonPointer, ReadsStringsNumbersAndNothingElse) {
    const std::string body =
        R"({"data":{"id":"abc","n":42,"ok":true,"nil":null},"list":[{"id":7}]})";
    EXPECT_EQ(json_pointer_text(body, "/data/id"), "abc");
    EXPECT_EQ(json_pointer_text(body, "/data/n"), "42");
    EXPECT_EQ(json_pointer_text(body, "/data/ok"), "true");
    EXPECT_EQ(json_pointer_text(body, "/list/0/id"), "7");
    EXPECT_FALSE(json_pointer_text(body, "/data/nil"));
    EXPECT_FALSE(json_pointer_text(body, "/data/missing"));
    EXPECT_FALSE(json_pointer_text(body, "/list/5/id"));
    EXPECT_FALSE(json_pointer_text("not json", "/a"));
}

TEST(HttpProviderConfigCheck, RefusesPlaceholdersInTheHostAndBadPointers) {
    testing::IoThread io;
    HttpProviderConfig c;
    c.url = "https://{to}.example.com/send";
    EXPECT_THROW(HttpProvider(c, io.executor()), std::invalid_argument);
    c.url = "https://api.example.com/send";
    c.id_pointer = "data/id";
    EXPECT_THROW(HttpProvider(c, io.executor()), std::invalid_argument);
}

// The generic adapter configured for Kavenegar's send.json (conf/examples/http-provider-form.yaml),
// against the mock over verified HTTPS.
class HttpProviderTest : public ::testing::Test {
protected:
    void start_mock(mock::KavenegarMockConfig c = {}) {
        c.cert_pem = testing::test_cert().cert_pem;
        c.key_pem = testing::test_cert().key_pem;
        c.api_key = "k1";
        mock_ = std::make_unique<mock::KavenegarMock>(c);
        mock_->start();
    }
    // The mock's address with `path`.
    std::string mock_url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(mock_->port()) + path;
    }
    HttpProviderConfig config() const {
        HttpProviderConfig c;
        c.name = "generic";
        c.kind = "http:generic";
        c.method = "POST";
        c.url = mock_url("/v1/k1/sms/send.json");
        c.content_type = "application/x-www-form-urlencoded";
        c.body = "receptor=0{to_digits}&sender=10004346&message={text}";
        c.success_status = {200};
        c.success_pointer = "/return/status";
        c.success_values = {"200"};
        c.id_pointer = "/entries/0/messageid";
        c.error_text_pointer = "/return/message";
        c.tls.ca_pem = testing::test_cert().cert_pem;
        c.rate = 1000;
        return c;
    }
    std::unique_ptr<HttpProvider> make(HttpProviderConfig c) {
        auto p = std::make_unique<HttpProvider>(std::move(c), io_.executor());
        p->start();
        return p;
    }
    // Message `n` sent with `c` is refused by the mock (403), and `secret` is not in the error,
    // which is then the raw reply (no error_text_pointer).
    void expect_refused_without(HttpProviderConfig c, std::uint8_t n, const std::string& secret) {
        c.error_text_pointer.clear();
        auto p = make(std::move(c));
        const auto r = testing::send_and_wait(*p, testing::message(n));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error->code, 403);
        EXPECT_EQ(r.error->text.find(secret), std::string::npos) << r.error->text;
    }
    testing::IoThread io_;
    std::unique_ptr<mock::KavenegarMock> mock_;
};

TEST_F(HttpProviderTest, SendsFromTemplatesAndReadsTheIdByJsonPointer) {
    start_mock();
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1, "+989121234567", "سلام & hi"));
    ASSERT_TRUE(r.ok()) << r.error->text;
    const auto sent = mock_->messages();
    ASSERT_EQ(sent.size(), 1U);
    EXPECT_EQ(sent[0].receptor, "0989121234567");
    EXPECT_EQ(sent[0].message, "سلام & hi");
    EXPECT_EQ(r.segment_ids, std::vector<std::string>{std::to_string(sent[0].messageid)});
    EXPECT_EQ(p->kind(), "http:generic");
}

TEST_F(HttpProviderTest, NonSuccessStatusIsAStatusErrorWithTheHttpCode) {
    mock::KavenegarMockConfig mc;
    mc.fail_status = 503;
    start_mock(mc);
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::status);
    EXPECT_EQ(r.error->code, 503);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify("http", *r.error),
              ErrorClass::temporary);
}

TEST_F(HttpProviderTest, ASuccessStatusTheBodyCallsAFailureUsesTheProvidersCode) {
    start_mock();
    auto c = config();
    c.success_status = {200, 411};  // the provider answers errors with their own HTTP status
    c.error_code_pointer = "/return/status";
    auto p = make(c);
    mock_->set_fail_status(411);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::status);
    EXPECT_EQ(r.error->code, 411);
    EXPECT_NE(r.error->text.find("/return/status = 411"), std::string::npos) << r.error->text;
}

TEST_F(HttpProviderTest, AuthHeaderIsSentAndRedacted) {
    start_mock();
    auto c = config();
    c.url = mock_url("/v1/wrong/sms/send.json");
    c.auth_value = "Bearer 0190-secret-token";
    expect_refused_without(c, 1, "0190-secret-token");
}

// conf/examples/http-provider-form.yaml: the API key in the URL path comes from `secret`.
TEST_F(HttpProviderTest, SecretPlaceholderCarriesTheKeyInTheUrlAndIsRedacted) {
    start_mock();
    auto c = config();
    c.url = mock_url("/v1/{secret}/sms/send.json");
    c.secret = "k1";
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_TRUE(r.ok()) << r.error->text;  // the mock accepts only its key, k1
    ASSERT_EQ(mock_->messages().size(), 1U);

    c.secret = "0190-wrong-key";
    expect_refused_without(c, 2, "0190-wrong-key");
}

TEST_F(HttpProviderTest, UntrustedCertificateIsRefused) {
    start_mock();
    auto c = config();
    c.tls.ca_pem = mock::make_self_signed("other").cert_pem;
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::connection);
    EXPECT_EQ(mock_->stats().requests, 0U);
}

TEST_F(HttpProviderTest, RateLimitSpacesRequests) {
    start_mock();
    auto c = config();
    c.rate = 20;
    c.burst = 1;
    auto p = make(c);
    std::vector<OutboundMessage> ms;
    for (std::uint8_t i = 0; i < 6; ++i) ms.push_back(testing::message(i));
    const auto start = std::chrono::steady_clock::now();
    for (const auto& r : testing::send_all(*p, std::move(ms))) ASSERT_TRUE(r.ok());
    // 6 requests at 20/s with a burst of 1: at least 5 intervals of 50 ms. A lower bound only
    // (a slow machine makes it longer, never shorter).
    EXPECT_GE(std::chrono::steady_clock::now() - start, 240ms);
}

}  // namespace
}  // namespace bindery::router
