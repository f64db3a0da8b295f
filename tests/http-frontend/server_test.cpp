// The server over real HTTP on 127.0.0.1 (ephemeral port), with a fake GatewayApi.
#include "http-frontend/server.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

router::MessageId make_id(std::uint8_t n) {
    router::MessageId::Bytes b{};
    b[0] = 0x01;
    b[6] = 0x70;  // version 7
    b[8] = 0x80;  // variant
    b[15] = n;
    return router::MessageId(b);
}

class FakeGateway final : public router::GatewayApi {
public:
    std::vector<std::vector<router::SubmitRequest>> batches;
    std::vector<router::MessageQuery> queries;
    bool accepting = true;
    std::map<std::string, router::SubmitErrc> reject;  // destination -> error
    std::vector<router::MessageStatus> messages;
    mutable std::mutex mutex;
    std::chrono::milliseconds submit_delay{0};
    std::uint8_t next_id = 1;

    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        std::this_thread::sleep_for(submit_delay);  // the durable commit
        std::lock_guard lock(mutex);
        batches.emplace_back(batch.begin(), batch.end());
        std::vector<router::SubmitOutcome> out;
        for (const auto& r : batch) {
            if (auto it = reject.find(r.destination); it != reject.end()) {
                out.emplace_back(
                    Unexpected(router::SubmitError{it->second, "refused by fake", std::nullopt}));
                continue;
            }
            router::SubmitAccepted a;
            a.id = make_id(next_id++);
            a.destination =
                r.destination.starts_with("00") ? "+" + r.destination.substr(2) : r.destination;
            a.segments = r.text.size() > 160 ? 2 : 1;
            out.emplace_back(std::move(a));
        }
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId& id, std::optional<std::string_view> client) override {
        std::lock_guard lock(mutex);
        for (const auto& m : messages) {
            if (m.id == id && (!client || m.client == *client)) return m;
        }
        return Unexpected(router::QueryError{router::QueryErrc::not_found, "no"});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery& q) override {
        std::lock_guard lock(mutex);
        queries.push_back(q);
        router::MessagePage page;
        for (const auto& m : messages) {
            if (q.client && m.client != *q.client) continue;
            if (q.state && m.state != *q.state) continue;
            if (q.after && !(m.id > *q.after)) continue;
            if (page.messages.size() == q.limit) {
                page.next = page.messages.back().id;
                break;
            }
            page.messages.push_back(m);
        }
        return page;
    }
    router::Backpressure backpressure() const override {
        std::lock_guard lock(mutex);
        return {accepting, 10, 100};
    }
    std::size_t batch_count() const {
        std::lock_guard lock(mutex);
        return batches.size();
    }
};

struct Reply {
    unsigned status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    json body_json() const { return json::parse(body, nullptr, false); }
};

Reply to_reply(const bhttp::response<bhttp::string_body>& res) {
    Reply r;
    r.status = res.result_int();
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    r.body = res.body();
    return r;
}

// A blocking client over one connection.
class Client {
public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }
    void write_raw(std::string_view bytes) {
        net::write(socket_, net::buffer(bytes.data(), bytes.size()));
    }
    Reply read() {
        bhttp::response_parser<bhttp::string_body> p;
        p.body_limit(64 * 1024 * 1024);
        bhttp::read(socket_, buffer_, p);
        return to_reply(p.get());
    }
    Reply request(std::string_view method, std::string_view target, std::string body = {},
                  std::map<std::string, std::string> headers = {
                      {"Authorization", "Bearer secret-key"}}) {
        bhttp::request<bhttp::string_body> req{
            bhttp::string_to_verb({method.data(), method.size()}),
            {target.data(), target.size()},
            11};
        req.set(bhttp::field::host, "127.0.0.1");
        for (const auto& [k, v] : headers) req.set(k, v);
        if (!body.empty()) {
            req.set(bhttp::field::content_type, "application/json");
            req.body() = std::move(body);
        }
        req.prepare_payload();
        bhttp::write(socket_, req);
        return read();
    }
    // True when the server closed the connection (EOF or reset) within `within`.
    bool closed_by_peer(std::chrono::milliseconds within) {
        socket_.non_blocking(false);
        timeval tv{static_cast<time_t>(within.count() / 1000),
                   static_cast<suseconds_t>((within.count() % 1000) * 1000)};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char c = 0;
        beast::error_code ec;
        socket_.read_some(net::buffer(&c, 1), ec);
        return ec == net::error::eof || ec == net::error::connection_reset;
    }
    tcp::socket& socket() { return socket_; }

private:
    net::io_context io_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        clients_.add_key("secret-key",
                         ClientInfo{"acme", {"ACME", "12345"}, RateLimit{1000, 1000}});
        clients_.add_key("other-key", ClientInfo{"globex", {"*"}, RateLimit{1000, 1000}});
        clients_.add_key("slow-key", ClientInfo{"slowpoke", {"*"}, RateLimit{0.01, 2}});
        clients_.add_key(
            "default-key",
            ClientInfo{"initech", {"INITECH", "12345"}, RateLimit{1000, 1000}, "INITECH"});
        config_.listen_address = "127.0.0.1";
        config_.port = 0;
        config_.max_body_bytes = 64 * 1024;
        config_.worker_threads = 2;
    }
    void start() {
        server_ = std::make_unique<HttpServer>(
            io_, config_, ApiDeps{gateway_, clients_, idempotency_, metrics_, readiness_});
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
    Client client() { return Client(server_->port()); }

    // The server's dependencies outlive the io_context: destroying it destroys the handlers still
    // queued, and with them the last references to connections, whose release touches metrics_.
    ServerConfig config_;
    FakeGateway gateway_;
    InMemoryClientRegistry clients_;
    InMemoryIdempotencyStore idempotency_;
    Metrics metrics_;
    ReadinessRegistry readiness_;
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
    std::vector<std::thread> threads_;
    std::unique_ptr<HttpServer> server_;
};

// A connection whose last handler is destroyed with the io_context, after the server and the
// metrics it was given have gone (the gateway's shutdown: the drain stops the io threads, the
// components go, the io_context last), must not touch them. Before the fix its release wrote
// into the freed metrics (ASan: heap-use-after-free; a Release build's heap was corrupted).
TEST(HttpServerShutdown, AConnectionOutlivingTheServerAndItsMetricsTouchesNeither) {
    net::io_context io;  // destroyed last, with the connection's pending read
    FakeGateway gateway;
    InMemoryClientRegistry clients;
    InMemoryIdempotencyStore idempotency;
    ReadinessRegistry readiness;
    auto metrics = std::make_unique<Metrics>();
    ServerConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    auto server = std::make_unique<HttpServer>(
        io, config, ApiDeps{gateway, clients, idempotency, *metrics, readiness});
    server->start();
    auto work = net::make_work_guard(io);
    std::thread thread([&] { io.run(); });
    {
        Client c(server->port());
        EXPECT_EQ(c.request("GET", "/healthz").status, 200U);  // kept alive: a read pending
        io.stop();  // the io thread ends with the connection's read queued
        thread.join();
    }
    server->stop();
    server.reset();
    metrics.reset();
    work.reset();
    // `io` goes now, and the connection with it.
}

const std::string kSend =
    R"({"to":["+989121234567","00989121234568"],"from":"ACME","text":"hello","client_ref":"r1"})";

TEST_F(HttpServerTest, SendAcceptsABatchAndPassesEveryFieldToTheGateway) {
    start();
    auto c = client();
    const auto r =
        c.request("POST", "/v1/messages",
                  R"({"to":["+989121234567","00989121234568"],"from":"ACME","text":"hello",
                                 "priority":"bulk","validity":"2h","client_ref":"r1",
                                 "callback_url":"https://cb.example.com/x"})");
    ASSERT_EQ(r.status, 202U) << r.body;
    const auto j = r.body_json();
    ASSERT_EQ(j["messages"].size(), 2U);
    EXPECT_EQ(j["messages"][0]["id"], make_id(1).to_string());
    EXPECT_EQ(j["messages"][1]["to"], "+989121234568");
    EXPECT_EQ(j["messages"][0]["segments"], 1);
    EXPECT_EQ(j["messages"][0]["encoding"], "gsm7");
    EXPECT_EQ(j["messages"][0]["client_ref"], "r1");
    EXPECT_FALSE(j.contains("rejected"));
    ASSERT_EQ(gateway_.batch_count(), 1U);
    const auto& b = gateway_.batches[0];
    ASSERT_EQ(b.size(), 2U);
    EXPECT_EQ(b[0].client, "acme");
    EXPECT_EQ(b[0].sender, "ACME");
    EXPECT_EQ(b[1].destination, "00989121234568");
    EXPECT_EQ(b[0].priority, router::Priority::bulk);
    EXPECT_EQ(b[0].validity, std::chrono::seconds(7200));
    EXPECT_EQ(b[0].callback_url, "https://cb.example.com/x");
    EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
}

TEST_F(HttpServerTest, ValidationErrorsNameTheFieldAndNothingIsSubmitted) {
    start();
    auto c = client();
    auto r =
        c.request("POST", "/v1/messages",
                  R"({"to":["+989121234567","+989121234568","bad"],"from":"ACME","text":"x"})");
    EXPECT_EQ(r.status, 422U);
    EXPECT_EQ(r.body_json()["error"]["field"], "to[2]");
    EXPECT_EQ(r.body_json()["error"]["code"], "invalid_destination");
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":)");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(r.body_json()["error"]["code"], "malformed_json");
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":5})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(r.body_json()["error"]["field"], "text");
    EXPECT_EQ(gateway_.batch_count(), 0U);
}

TEST_F(HttpServerTest, RouterRejectionsArePerRecipientAndAllRejectedIsAnError) {
    gateway_.reject["+989121234568"] = router::SubmitErrc::invalid_destination;
    start();
    auto c = client();
    auto r = c.request("POST", "/v1/messages",
                       R"({"to":["+989121234567","+989121234568"],"from":"ACME","text":"x"})");
    ASSERT_EQ(r.status, 202U) << r.body;
    auto j = r.body_json();
    EXPECT_EQ(j["messages"].size(), 1U);
    ASSERT_EQ(j["rejected"].size(), 1U);
    EXPECT_EQ(j["rejected"][0]["index"], 1);
    EXPECT_EQ(j["rejected"][0]["error"]["field"], "to[1]");
    EXPECT_EQ(j["rejected"][0]["error"]["code"], "invalid_destination");

    r = c.request("POST", "/v1/messages", R"({"to":"+989121234568","from":"ACME","text":"x"})");
    EXPECT_EQ(r.status, 422U);
    j = r.body_json();
    EXPECT_EQ(j["error"]["code"], "invalid_destination");
    EXPECT_EQ(j["error"]["field"], "to");

    gateway_.reject["+989121234569"] = router::SubmitErrc::backlog_full;
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234569","from":"ACME","text":"x"})");
    EXPECT_EQ(r.status, 429U);
    EXPECT_EQ(r.headers.at("Retry-After"), "5");
}

TEST_F(HttpServerTest, AuthenticationFailuresAre401WithWwwAuthenticate) {
    start();
    auto c = client();
    auto r = c.request("POST", "/v1/messages", kSend, {});
    EXPECT_EQ(r.status, 401U);
    EXPECT_EQ(r.headers.at("WWW-Authenticate"), R"(Bearer realm="bindery")");
    EXPECT_EQ(r.body_json()["error"]["code"], "unauthorized");
    r = c.request("GET", "/v1/messages", {}, {{"Authorization", "Bearer wrong"}});
    EXPECT_EQ(r.status, 401U);
    EXPECT_EQ(r.headers.at("WWW-Authenticate"), R"(Bearer realm="bindery", error="invalid_token")");
    r = c.request("GET", "/v1/messages", {}, {{"Authorization", "Basic c2VjcmV0LWtleQ=="}});
    EXPECT_EQ(r.status, 401U);
    r = c.request("GET", "/v1/messages", {}, {{"X-API-Key", "secret-key"}});
    EXPECT_EQ(r.status, 200U) << r.body;
    EXPECT_EQ(gateway_.batch_count(), 0U);
}

TEST_F(HttpServerTest, SenderNotAllowedIs403NamingFrom) {
    start();
    auto c = client();
    auto r =
        c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"EVIL","text":"x"})");
    EXPECT_EQ(r.status, 403U);
    EXPECT_EQ(r.body_json()["error"]["code"], "sender_not_allowed");
    EXPECT_EQ(r.body_json()["error"]["field"], "from");
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"EVIL","text":"x"})",
                  {{"Authorization", "Bearer other-key"}});
    EXPECT_EQ(r.status, 202U) << "a '*' client may use any sender";
}

TEST_F(HttpServerTest, OmittedFromTakesTheClientsDefaultSender) {
    start();
    auto c = client();
    const std::map<std::string, std::string> initech = {{"Authorization", "Bearer default-key"}};
    auto r = c.request("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})", initech);
    ASSERT_EQ(r.status, 202U) << r.body;
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234568","from":"","text":"x"})",
                  initech);
    ASSERT_EQ(r.status, 202U) << r.body;
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234569","from":"12345","text":"x"})",
                  initech);
    ASSERT_EQ(r.status, 202U) << r.body;
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234569","from":"EVIL","text":"x"})",
                  initech);
    EXPECT_EQ(r.status, 403U) << "a given from is still checked";
    {
        std::lock_guard lock(gateway_.mutex);
        ASSERT_EQ(gateway_.batches.size(), 3U);
        EXPECT_EQ(gateway_.batches[0][0].sender, "INITECH");
        EXPECT_EQ(gateway_.batches[1][0].sender, "INITECH");
        EXPECT_EQ(gateway_.batches[2][0].sender, "12345");
    }
    // A client without a default sender: from stays required, as before.
    r = c.request("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})");
    EXPECT_EQ(r.status, 422U);
    EXPECT_EQ(r.body_json()["error"]["code"], "missing_field");
    EXPECT_EQ(r.body_json()["error"]["field"], "from");
    EXPECT_EQ(r.body_json()["error"]["message"], "from is required");
}

TEST_F(HttpServerTest, BulkWithoutFromTakesTheClientsDefaultSender) {
    start();
    auto c = client();
    const nlohmann::json body = {{"template", "Hi {{name}}"},
                                 {"csv", "phone,name\n+989121234567,Ali\n"}};
    auto r = c.request("POST", "/v1/messages/bulk", body.dump(),
                       {{"Authorization", "Bearer default-key"}});
    ASSERT_EQ(r.status, 202U) << r.body;
    {
        std::lock_guard lock(gateway_.mutex);
        ASSERT_EQ(gateway_.batches.size(), 1U);
        EXPECT_EQ(gateway_.batches[0][0].sender, "INITECH");
    }
    r = c.request("POST", "/v1/messages/bulk", body.dump());
    EXPECT_EQ(r.status, 422U);
    EXPECT_EQ(r.body_json()["error"]["code"], "missing_field");
    EXPECT_EQ(r.body_json()["error"]["field"], "from");
}

TEST_F(HttpServerTest, RateLimitAnswers429WithRetryAfter) {
    start();
    auto c = client();
    const std::map<std::string, std::string> slow = {{"Authorization", "Bearer slow-key"}};
    EXPECT_EQ(c.request("GET", "/v1/messages", {}, slow).status, 200U);
    EXPECT_EQ(c.request("GET", "/v1/messages", {}, slow).status, 200U);
    const auto r = c.request("GET", "/v1/messages", {}, slow);
    EXPECT_EQ(r.status, 429U);
    EXPECT_EQ(r.body_json()["error"]["code"], "rate_limited");
    ASSERT_TRUE(r.headers.contains("Retry-After"));
    EXPECT_GE(std::stoi(r.headers.at("Retry-After")), 90);
    EXPECT_EQ(c.request("GET", "/v1/messages").status, 200U) << "other clients unaffected";
}

TEST_F(HttpServerTest, BacklogBackpressureAnswers429BeforeSubmitting) {
    gateway_.accepting = false;
    start();
    auto c = client();
    const auto r = c.request("POST", "/v1/messages", kSend);
    EXPECT_EQ(r.status, 429U);
    EXPECT_EQ(r.body_json()["error"]["code"], "backlog_full");
    EXPECT_EQ(r.headers.at("Retry-After"), "5");
    EXPECT_EQ(gateway_.batch_count(), 0U);
}

TEST_F(HttpServerTest, IdempotencyKeyReplaysTheFirstResponseAndRefusesADifferentBody) {
    start();
    auto c = client();
    const std::map<std::string, std::string> h = {{"Authorization", "Bearer secret-key"},
                                                  {"Idempotency-Key", "order-42"}};
    const auto first = c.request("POST", "/v1/messages", kSend, h);
    ASSERT_EQ(first.status, 202U);
    const auto again = c.request("POST", "/v1/messages", kSend, h);
    EXPECT_EQ(again.status, 202U);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.headers.at("Idempotent-Replayed"), "true");
    EXPECT_EQ(gateway_.batch_count(), 1U) << "the replay did not submit again";

    const auto other = c.request("POST", "/v1/messages",
                                 R"({"to":"+989121234567","from":"ACME","text":"different"})", h);
    EXPECT_EQ(other.status, 422U);
    EXPECT_EQ(other.body_json()["error"]["code"], "idempotency_mismatch");

    // Same key from another client is independent.
    const auto globex =
        c.request("POST", "/v1/messages", kSend,
                  {{"Authorization", "Bearer other-key"}, {"Idempotency-Key", "order-42"}});
    EXPECT_EQ(globex.status, 202U);
    EXPECT_NE(globex.body, first.body);
    EXPECT_EQ(gateway_.batch_count(), 2U);
}

TEST_F(HttpServerTest, StatusShowsOnlyTheClientsOwnMessagesWithHistory) {
    router::MessageStatus m;
    m.id = make_id(7);
    m.client = "acme";
    m.state = router::MessageState::delivered;
    m.destination = "+989121234567";
    m.sender = "ACME";
    m.provider = "carrier-a";
    m.segments = 2;
    m.history.push_back({router::MessageState::accepted, router::MessageState::queued, {}, "", ""});
    m.history.push_back(
        {router::MessageState::sent, router::MessageState::delivered, {}, "carrier-a", "DELIVRD"});
    gateway_.messages.push_back(m);
    start();
    auto c = client();
    auto r = c.request("GET", "/v1/messages/" + m.id.to_string());
    ASSERT_EQ(r.status, 200U) << r.body;
    auto j = r.body_json();
    EXPECT_EQ(j["state"], "DELIVERED");
    EXPECT_EQ(j["provider"], "carrier-a");
    EXPECT_EQ(j["segments"], 2);
    ASSERT_EQ(j["history"].size(), 2U);
    EXPECT_EQ(j["history"][1]["to"], "DELIVERED");
    EXPECT_EQ(j["history"][1]["detail"], "DELIVRD");

    r = c.request("GET", "/v1/messages/" + m.id.to_string(), {}, {{"X-API-Key", "other-key"}});
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(r.body_json()["error"]["code"], "not_found");
    r = c.request("GET", "/v1/messages/not-an-id");
    EXPECT_EQ(r.status, 404U);
}

TEST_F(HttpServerTest, ListPaginatesWithCursorAndPassesFilters) {
    for (std::uint8_t i = 1; i <= 5; ++i) {
        router::MessageStatus m;
        m.id = make_id(i);
        m.client = i == 3 ? "globex" : "acme";
        m.state = router::MessageState::queued;
        gateway_.messages.push_back(m);
    }
    start();
    auto c = client();
    auto r = c.request(
        "GET", "/v1/messages?limit=2&state=queued&client_ref=r%201&since=2027-01-01T00:00:00Z");
    ASSERT_EQ(r.status, 200U) << r.body;
    auto j = r.body_json();
    ASSERT_EQ(j["messages"].size(), 2U);
    EXPECT_EQ(j["messages"][1]["id"], make_id(2).to_string());
    ASSERT_TRUE(j["next_cursor"].is_string());
    {
        const auto& q = gateway_.queries.back();
        EXPECT_EQ(q.client, "acme");
        EXPECT_EQ(q.state, router::MessageState::queued);
        EXPECT_EQ(q.client_ref, "r 1");
        EXPECT_TRUE(q.accepted_from);
        EXPECT_EQ(q.limit, 2U);
    }
    r = c.request("GET", "/v1/messages?limit=2&cursor=" + j["next_cursor"].get<std::string>());
    j = r.body_json();
    ASSERT_EQ(j["messages"].size(), 2U);
    EXPECT_EQ(j["messages"][0]["id"], make_id(4).to_string()) << "globex's message is not listed";
    EXPECT_TRUE(j["next_cursor"].is_null());

    r = c.request("GET", "/v1/messages?limit=0");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(r.body_json()["error"]["field"], "limit");
    r = c.request("GET", "/v1/messages?state=nope");
    EXPECT_EQ(r.body_json()["error"]["field"], "state");
    r = c.request("GET", "/v1/messages?colour=red");
    EXPECT_EQ(r.body_json()["error"]["code"], "unknown_parameter");
    r = c.request("GET", "/v1/messages?cursor=xyz");
    EXPECT_EQ(r.body_json()["error"]["field"], "cursor");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    start();
    auto c = client();
    auto r = c.request("GET", "/nope");
    EXPECT_EQ(r.status, 404U);
    r = c.request("DELETE", "/v1/messages");
    EXPECT_EQ(r.status, 405U);
    EXPECT_EQ(r.headers.at("Allow"), "POST, GET");
    // A body that is not JSON by its Content-Type.
    auto raw = client();
    raw.write_raw(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-key\r\n"
        "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(raw.read().status, 415U);
}

TEST_F(HttpServerTest, EveryResponseCarriesARequestIdEchoedWhenSane) {
    start();
    auto c = client();
    auto r = c.request("GET", "/healthz", {}, {{"X-Request-Id", "abc-123.x"}});
    EXPECT_EQ(r.headers.at("X-Request-Id"), "abc-123.x");
    r = c.request("GET", "/healthz", {}, {{"X-Request-Id", "bad id with spaces"}});
    EXPECT_TRUE(std::regex_match(r.headers.at("X-Request-Id"), std::regex("[0-9a-f]{32}")));
    r = c.request("GET", "/nope", {}, {});
    EXPECT_EQ(r.headers.at("X-Request-Id").size(), 32U);
    r = c.request("POST", "/v1/messages", kSend, {});
    EXPECT_EQ(r.headers.at("X-Request-Id").size(), 32U);
}

// The access log names the request, the client and the messages the request created, so a
// message can be traced to its request; its lines reach a log file as they are written (the
// access logger flushes on info like the default logger; before, they waited for SIGHUP).
TEST_F(HttpServerTest, AccessLinesCarryRequestIdClientAndMessageIdsAndAreFlushedAtOnce) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("bindery-access-" + std::to_string(::getpid()) + ".log");
    const auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "bindery", std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), true));
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    config_.access_logger = "test.access.flushed";
    start();
    auto c = client();
    const auto one =
        c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":"hi"})",
                  {{"Authorization", "Bearer secret-key"}, {"X-Request-Id", "req-one"}});
    ASSERT_EQ(one.status, 202U) << one.body;
    const std::string first = one.body_json()["messages"][0]["id"];
    const auto two =
        c.request("POST", "/v1/messages", kSend,
                  {{"Authorization", "Bearer secret-key"}, {"X-Request-Id", "req-two"}});
    ASSERT_EQ(two.status, 202U) << two.body;
    const std::string second = two.body_json()["messages"][1]["id"];
    const auto read = [&] {
        std::ifstream in(file);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    // Read without flushing: the line is written before the response, and flushed with it.
    const std::string text = read();
    spdlog::get("test.access.flushed")->flush();  // debug lines wait for the next flush
    const std::string flushed = read();
    spdlog::set_default_logger(previous);
    spdlog::drop("test.access.flushed");
    std::filesystem::remove(file);
    EXPECT_NE(text.find("POST /v1/messages status=202 "), std::string::npos) << text;
    EXPECT_NE(text.find(" request_id=req-one client=acme peer=127.0.0.1:"), std::string::npos)
        << text;
    EXPECT_NE(text.find(" message_id=" + first + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find(" request_id=req-two client=acme "), std::string::npos) << text;
    EXPECT_NE(text.find(" messages=2\n"), std::string::npos) << text;
    EXPECT_NE(
        flushed.find("message accepted request_id=req-two message_id=" + second + " client=acme\n"),
        std::string::npos)
        << flushed;
}

TEST_F(HttpServerTest, HugeBodyIs413AndTheConnectionCloses) {
    start();
    auto c = client();
    c.write_raw(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-key\r\n"
        "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
    const auto r = c.read();
    EXPECT_EQ(r.status, 413U);
    EXPECT_EQ(r.body_json()["error"]["code"], "payload_too_large");
    EXPECT_TRUE(r.headers.contains("X-Request-Id"));
    EXPECT_TRUE(c.closed_by_peer(2s));

    // Chunked bodies have no Content-Length: the limit is enforced while reading.
    auto chunked = client();
    chunked.write_raw(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(8192, 'a');
    beast::error_code ec;
    for (int i = 0; i < 10 && !ec; ++i) {
        const std::string frame = "2000\r\n" + chunk + "\r\n";
        net::write(chunked.socket(), net::buffer(frame), ec);
    }
    EXPECT_EQ(chunked.read().status, 413U);
    EXPECT_EQ(gateway_.batch_count(), 0U);
}

TEST_F(HttpServerTest, MalformedHttpIs400AndCloses) {
    start();
    auto c = client();
    c.write_raw("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_EQ(c.read().status, 400U);
    EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(HttpServerTest, SlowClientDrippingTheHeaderIsDropped) {
    config_.header_timeout = 300ms;
    start();
    auto c = client();
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const auto t0 = std::chrono::steady_clock::now();
    bool dropped = false;
    for (const char ch : req) {
        beast::error_code ec;
        net::write(c.socket(), net::buffer(&ch, 1), ec);
        if (ec) {
            dropped = true;
            break;
        }
        std::this_thread::sleep_for(60ms);
        if (std::chrono::steady_clock::now() - t0 > 1500ms) break;
    }
    EXPECT_TRUE(dropped || c.closed_by_peer(2s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
    config_.idle_timeout = 200ms;
    start();
    auto c = client();
    EXPECT_EQ(c.request("GET", "/healthz").status, 200U);
    EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    gateway_.submit_delay = 50ms;  // the first answer is the slowest
    start();
    auto c = client();
    std::string pipeline;
    const std::string body = R"({"to":"+989121234567","from":"ACME","text":"x"})";
    pipeline +=
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-key\r\n"
        "X-Request-Id: one\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    pipeline += "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\n";
    pipeline += "GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\n\r\n";
    c.write_raw(pipeline);
    const auto a = c.read();
    const auto b = c.read();
    const auto d = c.read();
    EXPECT_EQ(a.headers.at("X-Request-Id"), "one");
    EXPECT_EQ(a.status, 202U);
    EXPECT_EQ(b.headers.at("X-Request-Id"), "two");
    EXPECT_EQ(b.status, 200U);
    EXPECT_EQ(d.headers.at("X-Request-Id"), "three");
    EXPECT_EQ(d.status, 404U);
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
    start();
    auto c = client();
    const auto local = c.socket().local_endpoint();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(c.request("GET", "/healthz").status, 200U);
    EXPECT_EQ(c.socket().local_endpoint(), local);
    EXPECT_EQ(server_->active_connections(), 1U);
    // "Connection: close" is honoured.
    auto r = c.request("GET", "/healthz", {}, {{"Connection", "close"}});
    EXPECT_EQ(r.status, 200U);
    EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreRefused) {
    config_.max_connections = 2;
    start();
    auto a = client();
    auto b = client();
    EXPECT_EQ(a.request("GET", "/healthz").status, 200U);
    EXPECT_EQ(b.request("GET", "/healthz").status, 200U);
    auto c = client();
    EXPECT_TRUE(c.closed_by_peer(2s));
    EXPECT_EQ(server_->active_connections(), 2U);
    EXPECT_NE(metrics_.serialize().find("http_connections_refused_total 1"), std::string::npos);
}

TEST_F(HttpServerTest, SubmitRunsOffTheIoThreads) {
    gateway_.submit_delay = 400ms;
    start();
    std::thread slow([this] {
        auto c = client();
        EXPECT_EQ(
            c.request("POST", "/v1/messages", R"({"to":"+989121234567","from":"ACME","text":"x"})")
                .status,
            202U);
    });
    std::this_thread::sleep_for(50ms);
    // Both io threads stay free while the submit blocks.
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        auto c = client();
        EXPECT_EQ(c.request("GET", "/healthz").status, 200U);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms);
    slow.join();
}

TEST_F(HttpServerTest, MetricsExposeTheFamilies) {
    start();
    auto c = client();
    EXPECT_EQ(c.request("POST", "/v1/messages", kSend).status, 202U);
    EXPECT_EQ(c.request("GET", "/nope").status, 404U);
    EXPECT_EQ(c.request("PUT", "/v1/messages/some-id").status, 405U);
    const auto r = c.request("GET", "/metrics");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(r.headers.at("Content-Type").rfind("text/plain; version=0.0.4", 0), 0U);
    for (const char* needle :
         {"# TYPE http_requests_total counter",
          R"(http_requests_total{code="202",method="POST",route="/v1/messages"} 1)",
          R"(http_requests_total{code="404",method="GET",route="unmatched"} 1)",
          // The template, never the concrete path: labels stay bounded.
          R"(http_requests_total{code="405",method="PUT",route="/v1/messages/{id}"} 1)",
          "# TYPE http_request_duration_seconds histogram",
          R"(http_request_duration_seconds_bucket{method="POST",route="/v1/messages",le="+Inf"} 1)",
          R"(bindery_messages_accepted_total{priority="normal"} 2)", "http_connections_active 1"}) {
        EXPECT_NE(r.body.find(needle), std::string::npos) << needle << "\n" << r.body;
    }
}

TEST_F(HttpServerTest, ReadyzIs503WhenAComponentIsNotReady) {
    std::atomic<bool> store_ready{true};
    readiness_.add("store", [&] { return ComponentReadiness{store_ready.load(), "sqlite ok"}; });
    readiness_.add("carriers", [] { return ComponentReadiness{true, "2/2 binds"}; });
    start();
    auto c = client();
    auto r = c.request("GET", "/readyz", {}, {});
    EXPECT_EQ(r.status, 200U);
    EXPECT_EQ(r.body_json()["status"], "ready");
    store_ready = false;
    r = c.request("GET", "/readyz", {}, {});
    EXPECT_EQ(r.status, 503U);
    const auto j = r.body_json();
    EXPECT_EQ(j["status"], "not_ready");
    EXPECT_EQ(j["components"]["store"]["ready"], false);
    EXPECT_EQ(j["components"]["carriers"]["detail"], "2/2 binds");
    EXPECT_EQ(c.request("GET", "/healthz", {}, {}).status, 200U) << "liveness is unaffected";
}

TEST_F(HttpServerTest, ServesTheOpenApiDocument) {
    start();
    auto c = client();
    const auto r = c.request("GET", "/openapi.yaml", {}, {});
    EXPECT_EQ(r.status, 200U);
    EXPECT_EQ(r.headers.at("Content-Type"), "application/yaml");
    std::ifstream in(std::string(BINDERY_SOURCE_DIR) + "/http-frontend/openapi.yaml");
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(r.body, file);
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
    start();
    auto c = client();
    const std::string body = R"({"to":"+989121234567","from":"ACME","text":"x"})";
    c.write_raw(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-key\r\n"
        "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n");
    const auto interim = c.read();
    EXPECT_EQ(interim.status, 100U);
    c.write_raw(body);
    EXPECT_EQ(c.read().status, 202U);
}

// ---- POST /v1/messages/bulk ----------------------------------------------------------------

std::string bulk_body(std::string csv, std::string tmpl = "Hello {{name}}, your code is {{code}}",
                      std::string extra = "") {
    nlohmann::json j = {{"from", "ACME"}, {"template", tmpl}, {"csv", csv}};
    if (!extra.empty()) j.update(nlohmann::json::parse(extra));
    return j.dump();
}

TEST_F(HttpServerTest, BulkSendsValidRowsAndReportsEveryRow) {
    gateway_.reject["+989120000009"] = router::SubmitErrc::invalid_destination;
    start();
    auto c = client();
    const std::string csv =
        "\xEF\xBB\xBFphone,name,code\r\n"
        "+989121234567,Ali,4711\r\n"
        "+989351234567,\"Sara, M.\",\r\n"  // missing code: never sent blank
        "12,Bob,99\r\n"                    // not a number
        "+989121234567,Ali again,1\r\n"    // duplicate
        "+989120000001,Zoe\r\n"            // short row
        "+989120000002,\"Quoted \"\"Q\"\"\",55\r\n"
        "+989120000009,Gw,1\r\n";  // refused by the gateway
    const auto r = c.request("POST", "/v1/messages/bulk",
                             bulk_body(csv, "Hello {{name}}, your code is {{code}}",
                                       R"({"priority":"bulk","client_ref":"camp-1"})"));
    ASSERT_EQ(r.status, 202U) << r.body;
    const auto j = r.body_json();
    EXPECT_EQ(j["accepted"], 2);
    EXPECT_EQ(j["rejected"], 5);
    EXPECT_EQ(j["client_ref"], "camp-1");
    const auto& rows = j["rows"];
    ASSERT_EQ(rows.size(), 7U);
    EXPECT_EQ(rows[0]["row"], 2);
    EXPECT_EQ(rows[0]["to"], "+989121234567");
    EXPECT_TRUE(rows[0].contains("id"));
    EXPECT_EQ(rows[0]["state"], "ACCEPTED");
    EXPECT_EQ(rows[1]["error"]["code"], "missing_field");
    EXPECT_EQ(rows[1]["error"]["field"], "csv[3].code");
    EXPECT_EQ(rows[2]["error"]["code"], "invalid_destination");
    EXPECT_EQ(rows[2]["error"]["field"], "csv[4].phone");
    EXPECT_EQ(rows[3]["error"]["code"], "duplicate_destination");
    EXPECT_EQ(rows[4]["error"]["code"], "wrong_field_count");
    EXPECT_TRUE(rows[5].contains("id"));
    EXPECT_EQ(rows[6]["error"]["code"], "invalid_destination");
    EXPECT_EQ(rows[6]["error"]["field"], "csv[8]");
    // Only the valid rows reached the gateway, rendered, with the shared members.
    std::vector<router::SubmitRequest> sent;
    for (const auto& b : gateway_.batches) sent.insert(sent.end(), b.begin(), b.end());
    ASSERT_EQ(sent.size(), 3U);
    EXPECT_EQ(sent[0].text, "Hello Ali, your code is 4711");
    EXPECT_EQ(sent[1].text, "Hello Quoted \"Q\", your code is 55");
    EXPECT_EQ(sent[0].priority, router::Priority::bulk);
    EXPECT_EQ(sent[0].client_ref, "camp-1");
    EXPECT_EQ(sent[0].client, "acme");
    EXPECT_EQ(sent[0].sender, "ACME");
}

TEST_F(HttpServerTest, BulkWithNoValidRowIs422WithTheReport) {
    start();
    auto c = client();
    const auto r = c.request("POST", "/v1/messages/bulk",
                             bulk_body("phone,name,code\n12,a,1\n+989121234567,,2\n"));
    ASSERT_EQ(r.status, 422U) << r.body;
    const auto j = r.body_json();
    EXPECT_EQ(j["accepted"], 0);
    EXPECT_EQ(j["rows"].size(), 2U);
    EXPECT_EQ(j["rows"][1]["error"]["field"], "csv[3].name");
    EXPECT_EQ(gateway_.batch_count(), 0U);
}

TEST_F(HttpServerTest, BulkRefusesTheWholeRequestForRequestLevelErrors) {
    start();
    auto c = client();
    struct Case {
        std::string body;
        unsigned status;
        std::string code;
        std::string field;
    };
    const std::vector<Case> cases = {
        {"{", 400, "malformed_json", ""},
        {bulk_body("phone,name,code\n+989121234567,a,1\n", "Hi {{name"), 422, "invalid_template",
         "template"},
        {bulk_body("phone,name\n+989121234567,a\n"), 422, "unknown_template_field", "template"},
        {bulk_body("tel,name,code\n+989121234567,a,1\n"), 422, "missing_column", "csv"},
        {bulk_body("phone,name,code\n\"+989121234567,a,1\n"), 422, "invalid_csv", "csv"},
        {bulk_body("phone,name,code\n"), 422, "missing_field", "csv"},
        {R"({"from":"ACME","csv":"phone\n+989121234567\n"})", 422, "missing_field", "template"},
        {R"({"from":"ACME","template":"x"})", 422, "missing_field", "csv"},
        {bulk_body("phone,name,code\n+989121234567,a,1\n", "Hi {{name}} {{code}}",
                   R"({"to":"+989121234567"})"),
         422, "unknown_field", "to"},
        {bulk_body("phone,name,code\n+989121234567,a,1\n", "Hi {{name}} {{code}}",
                   R"({"priority":"urgent"})"),
         422, "invalid_priority", "priority"},
        {bulk_body("phone,name,code\n+989121234567,a,1\n", "Hi {{name}} {{code}}",
                   R"({"from":"EVIL"})"),
         403, "sender_not_allowed", "from"},
        {R"({"from":"ACME","template":5,"csv":"phone\n"})", 400, "invalid_type", "template"},
    };
    for (const auto& k : cases) {
        const auto r = c.request("POST", "/v1/messages/bulk", k.body);
        EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
        const auto j = r.body_json();
        EXPECT_EQ(j["error"]["code"], k.code) << r.body;
        if (!k.field.empty()) EXPECT_EQ(j["error"]["field"], k.field) << r.body;
    }
    EXPECT_EQ(gateway_.batch_count(), 0U);
    // (the helper sets application/json only with a body)
    const auto r =
        c.request("POST", "/v1/messages/bulk", "",
                  {{"Authorization", "Bearer secret-key"}, {"Content-Type", "text/csv"}});
    EXPECT_EQ(r.status, 415U);
    EXPECT_EQ(c.request("POST", "/v1/messages/bulk", bulk_body("phone\n"), {}).status, 401U);
}

TEST_F(HttpServerTest, BulkRowLimitAndIdempotentReplay) {
    config_.api.bulk.csv.max_rows = 3;
    start();
    auto c = client();
    const auto big = c.request("POST", "/v1/messages/bulk",
                               bulk_body("phone,name,code\n+989120000001,a,1\n+989120000002,a,1\n+"
                                         "989120000003,a,1\n+989120000004,a,1\n"));
    EXPECT_EQ(big.status, 422U);
    EXPECT_EQ(big.body_json()["error"]["code"], "too_many_rows");
    const std::map<std::string, std::string> h = {{"Authorization", "Bearer secret-key"},
                                                  {"Idempotency-Key", "camp-7"}};
    const auto body = bulk_body("phone,name,code\n+989120000001,a,1\n");
    const auto first = c.request("POST", "/v1/messages/bulk", body, h);
    ASSERT_EQ(first.status, 202U) << first.body;
    const auto again = c.request("POST", "/v1/messages/bulk", body, h);
    EXPECT_EQ(again.status, 202U);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.headers.at("Idempotent-Replayed"), "true");
    EXPECT_EQ(gateway_.batch_count(), 1U);
}

}  // namespace
}  // namespace bindery::http
