// Delivery callbacks over real HTTP on 127.0.0.1: a receiver in the test checks the HMAC
// signature, answers 500 and sees the retries; refused connections, timeouts, give-up rules,
// jobs left from a previous run, and the event body.
#include "http-frontend/callbacks.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <utility>  // before boost/asio.hpp: Boost 1.74 awaitable.hpp needs std::exchange (g++ 12)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bindery::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using router::CallbackVerdict;
using router::MessageState;

router::MessageId make_id(std::uint8_t n) {
    router::MessageId::Bytes b{};
    b[0] = 0x01;
    b[6] = 0x70;
    b[8] = 0x80;
    b[15] = n;
    return router::MessageId(b);
}

struct Received {
    std::string target;
    std::string signature;
    std::string attempt;
    std::string event_id;
    std::string content_type;
    std::string body;
};

// A scripted HTTP receiver: answers the i-th request with statuses[i] (the last one repeats).
// `hold` keeps connections open without answering (timeouts).
class Receiver {
public:
    explicit Receiver(std::vector<unsigned> statuses, bool hold = false)
        : statuses_(std::move(statuses)),
          hold_(hold),
          acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~Receiver() {
        stop_ = true;
        beast::error_code ec;
        // Unblock accept().
        tcp::socket s(io_);
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url(std::string_view path = "/hooks/sms") const {
        return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
    }
    std::vector<Received> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

private:
    void serve() {
        for (int n = 0; n < 100 && !stop_; ++n) {
            tcp::socket socket(io_);
            beast::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stop_) return;
            beast::flat_buffer buffer;
            bhttp::request<bhttp::string_body> req;
            bhttp::read(socket, buffer, req, ec);
            if (ec) continue;
            unsigned status = 200;
            {
                std::lock_guard lock(mutex_);
                received_.push_back(
                    {std::string(req.target()), std::string(req["X-Bindery-Signature"]),
                     std::string(req["X-Bindery-Attempt"]), std::string(req["X-Bindery-Event-Id"]),
                     std::string(req[bhttp::field::content_type]), req.body()});
                status = statuses_[std::min(received_.size(), statuses_.size()) - 1];
                if (hold_) {
                    held_.push_back(std::move(socket));
                    continue;
                }
            }
            answer(socket, status);
        }
    }
    static void answer(tcp::socket& socket, unsigned status) {
        beast::error_code ec;
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
        res.body() = "ok";
        res.prepare_payload();
        bhttp::write(socket, res, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }

public:
    // Answers the held requests (200) and every later one at once.
    void release() {
        std::lock_guard lock(mutex_);
        hold_ = false;
        for (auto& s : held_) answer(s, 200);
        held_.clear();
    }

private:
    std::vector<unsigned> statuses_;
    bool hold_;  // under mutex_
    net::io_context io_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Received> received_;
    std::vector<tcp::socket> held_;
    std::thread thread_;
};

// An io_context run by one thread for the client side.
class IoThread {
public:
    IoThread() : guard_(net::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~IoThread() {
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    net::io_context& io() { return io_; }

private:
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> guard_;
    std::thread thread_;
};

CallbackConfig fast_config() {
    CallbackConfig c;
    c.initial_backoff = 50ms;
    c.max_backoff = 200ms;
    c.timeout = 5s;
    c.poll_interval = 50ms;
    return c;
}

CallbackEvent delivered_event(std::uint8_t n, std::string url) {
    CallbackEvent e;
    e.id = make_id(n);
    e.client = "acme";
    e.callback_url = std::move(url);
    e.client_ref = "order-17";
    e.destination = "+989121234567";
    e.sender = "ACME";
    e.from = MessageState::sent;
    e.to = MessageState::delivered;
    e.at = router::SystemClock::now();
    e.provider = "carrier-a";
    e.detail = "DELIVRD";
    e.segments = 2;
    e.attempts = 1;
    return e;
}

CallbackDispatcher::ClientLookup secrets(std::string default_url = "") {
    return [default_url](std::string_view client) -> std::optional<CallbackClient> {
        if (client != "acme") return std::nullopt;
        return CallbackClient{default_url, "whsec_test"};
    };
}

template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 3000; ++i) {  // 30 s
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

// Verifies "t=<unix>,v1=<hex>" against the body with the shared secret.
bool signature_valid(const std::string& header, const std::string& body, std::string_view secret) {
    const auto comma = header.find(",v1=");
    if (!header.starts_with("t=") || comma == std::string::npos) return false;
    const std::int64_t t = std::stoll(header.substr(2, comma - 2));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         router::SystemClock::now().time_since_epoch())
                         .count();
    if (t > now + 5 || t < now - 300) return false;  // a receiver's replay window
    return callback_signature(secret, t, body) == header;
}

TEST(CallbackSignature, IsHmacSha256OverTimestampDotBody) {
    // python3: hmac.new(b'whsec_test', b'1700000000.' + body, hashlib.sha256).hexdigest()
    EXPECT_EQ(callback_signature("whsec_test", 1700000000, R"({"event":"message.delivered"})"),
              "t=1700000000,v1=cc810ad011a6632460e4292860c998ed06427d3805b907e908ace66362447fcd");
    EXPECT_NE(callback_signature("other", 1700000000, R"({"event":"message.delivered"})"),
              callback_signature("whsec_test", 1700000000, R"({"event":"message.delivered"})"));
    EXPECT_NE(callback_signature("whsec_test", 1700000001, R"({"event":"message.delivered"})"),
              callback_signature("whsec_test", 1700000000, R"({"event":"message.delivered"})"));
}

TEST(CallbackBackoff, DoublesFromTheInitialDelayUpToTheCap) {
    CallbackConfig c;
    c.initial_backoff = 30s;
    c.max_backoff = 1h;
    EXPECT_EQ(callback_backoff(c, 2), 30s);
    EXPECT_EQ(callback_backoff(c, 3), 60s);
    EXPECT_EQ(callback_backoff(c, 4), 120s);
    EXPECT_EQ(callback_backoff(c, 8), 1920s);
    EXPECT_EQ(callback_backoff(c, 9), 1h);
    EXPECT_EQ(callback_backoff(c, 1000), 1h);
}

TEST(CallbackBody, CarriesTheEventWithStableMembers) {
    auto e = delivered_event(3, "");
    e.at = router::SystemTime(std::chrono::milliseconds(1'790'000'000'123));
    const auto j = nlohmann::json::parse(callback_body(e));
    EXPECT_EQ(j["event"], "message.delivered");
    EXPECT_EQ(j["message_id"], e.id.to_string());
    EXPECT_EQ(j["state"], "DELIVERED");
    EXPECT_EQ(j["previous_state"], "SENT");
    EXPECT_EQ(j["at"], "2026-09-21T14:13:20.123Z");
    EXPECT_EQ(j["to"], "+989121234567");
    EXPECT_EQ(j["from"], "ACME");
    EXPECT_EQ(j["client_ref"], "order-17");
    EXPECT_EQ(j["segments"], 2);
    EXPECT_EQ(j["provider"], "carrier-a");
    EXPECT_EQ(j["detail"], "DELIVRD");
    e.client_ref.clear();
    e.provider.clear();
    e.detail.clear();
    const auto k = nlohmann::json::parse(callback_body(e));
    EXPECT_TRUE(k["client_ref"].is_null());
    EXPECT_TRUE(k["provider"].is_null());
    EXPECT_TRUE(k["detail"].is_null());
}

TEST(ParseUrl, AcceptsHttpAndHttpsUrlsOnly) {
    auto u = parse_url("https://hooks.example.com/sms?x=1");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "hooks.example.com");
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->target, "/sms?x=1");
    u = parse_url("HTTP://127.0.0.1:8081");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->port, "8081");
    EXPECT_EQ(u->target, "/");
    u = parse_url("http://[::1]:9000/cb");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, "9000");
    for (const char* bad :
         {"ftp://x/", "http://", "http:///x", "http://user@host/", "http://h:0/", "http://h:65536/",
          "http://h:/", "http://h/a b", "http://h/#frag", "http://[::1/", "//h/x", ""}) {
        EXPECT_FALSE(parse_url(bad)) << bad;
    }
}

TEST(CallbackDispatcher, RetriesAfter500AndSignsEveryAttempt) {
    Receiver receiver({500, 500, 200});
    IoThread io;
    InMemoryCallbackOutbox outbox;
    std::mutex obs_mutex;
    std::vector<std::string> kinds;
    std::vector<bool> completed;
    CallbackObserver obs;
    obs.attempt = [&](std::string_view kind, double) {
        std::lock_guard lock(obs_mutex);
        kinds.emplace_back(kind);
    };
    obs.completed = [&](bool ok) {
        std::lock_guard lock(obs_mutex);
        completed.push_back(ok);
    };
    CallbackDispatcher dispatcher(io.io(), fast_config(), outbox, secrets(), obs);
    dispatcher.start();
    dispatcher.notify(delivered_event(1, receiver.url()));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().delivered == 1; }));
    dispatcher.stop();

    const auto got = receiver.received();
    ASSERT_EQ(got.size(), 3u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].target, "/hooks/sms");
        EXPECT_EQ(got[i].content_type, "application/json");
        EXPECT_EQ(got[i].attempt, std::to_string(i + 1));
        EXPECT_EQ(got[i].event_id, make_id(1).to_string() + ".delivered");
        EXPECT_EQ(got[i].body, got[0].body);  // the same event each time
        EXPECT_TRUE(signature_valid(got[i].signature, got[i].body, "whsec_test"))
            << got[i].signature;
        EXPECT_FALSE(signature_valid(got[i].signature, got[i].body + " ", "whsec_test"));
        EXPECT_FALSE(signature_valid(got[i].signature, got[i].body, "wrong"));
    }
    EXPECT_EQ(nlohmann::json::parse(got[0].body)["state"], "DELIVERED");

    const auto attempts = outbox.attempts();
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0].verdict, CallbackVerdict::retry);
    EXPECT_EQ(attempts[0].detail, "HTTP 500");
    EXPECT_EQ(attempts[0].attempt, 1u);
    EXPECT_GT(attempts[0].next_attempt_at, attempts[0].at);
    EXPECT_EQ(attempts[1].verdict, CallbackVerdict::retry);
    EXPECT_EQ(attempts[2].verdict, CallbackVerdict::delivered);
    EXPECT_EQ(attempts[2].detail, "HTTP 200");
    EXPECT_EQ(attempts[2].attempt, 3u);
    EXPECT_EQ(*outbox.pending(), 0u);
    std::lock_guard lock(obs_mutex);
    EXPECT_EQ(kinds, (std::vector<std::string>{"http_error", "http_error", "success"}));
    EXPECT_EQ(completed, std::vector<bool>{true});
    const auto s = dispatcher.stats();
    EXPECT_EQ(s.queued, 1u);
    EXPECT_EQ(s.attempts, 3u);
    EXPECT_EQ(s.retries, 2u);
}

TEST(CallbackDispatcher, ReportsFinalStatesOnlyAndSentWhenAsked) {
    Receiver receiver({200});
    IoThread io;
    InMemoryCallbackOutbox outbox;
    CallbackDispatcher dispatcher(io.io(), fast_config(), outbox,
                                  secrets(receiver.url("/default")));
    auto queued = delivered_event(1, receiver.url());
    queued.to = MessageState::queued;
    dispatcher.notify(queued);
    auto sent = delivered_event(2, receiver.url());
    sent.to = MessageState::sent;
    dispatcher.notify(sent);
    auto other = delivered_event(3, "");
    other.client = "nobody";  // no URL of its own, no client default
    dispatcher.notify(other);
    dispatcher.notify(delivered_event(4, ""));  // the client's default URL
    auto failed = delivered_event(5, receiver.url("/own"));
    failed.to = MessageState::failed_perm;
    dispatcher.notify(failed);
    dispatcher.start();
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().delivered == 2; }));
    dispatcher.stop();
    EXPECT_EQ(dispatcher.stats().skipped, 1u);
    EXPECT_FALSE(dispatcher.reports(MessageState::queued));
    EXPECT_FALSE(dispatcher.reports(MessageState::sent));
    EXPECT_TRUE(dispatcher.reports(MessageState::delivered));
    EXPECT_TRUE(dispatcher.reports(MessageState::failed_perm));
    auto got = receiver.received();
    ASSERT_EQ(got.size(), 2u);
    std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.target < b.target; });
    EXPECT_EQ(got[0].target, "/default");
    EXPECT_EQ(got[1].target, "/own");
    EXPECT_EQ(nlohmann::json::parse(got[1].body)["event"], "message.failed_perm");

    Receiver receiver2({200});
    auto config = fast_config();
    config.on_sent = true;
    InMemoryCallbackOutbox outbox2;
    CallbackDispatcher with_sent(io.io(), config, outbox2, secrets());
    EXPECT_TRUE(with_sent.reports(MessageState::sent));
    with_sent.start();
    sent.callback_url = receiver2.url();
    with_sent.notify(sent);
    ASSERT_TRUE(eventually([&] { return with_sent.stats().delivered == 1; }));
    with_sent.stop();
    ASSERT_EQ(receiver2.received().size(), 1u);
    EXPECT_EQ(nlohmann::json::parse(receiver2.received()[0].body)["event"], "message.sent");
}

// wants(): the gateway asks it before building an event, so a message with no URL of its own
// and no client default costs no event, and is still counted as skipped.
TEST(CallbackDispatcher, WantsOnlyReportableEventsWithAUrlAndCountsTheOthersSkipped) {
    IoThread io;
    InMemoryCallbackOutbox outbox;
    CallbackDispatcher no_default(io.io(), fast_config(), outbox, secrets());
    EXPECT_TRUE(no_default.wants(MessageState::delivered, "http://127.0.0.1:1/own", "acme"));
    EXPECT_FALSE(no_default.wants(MessageState::delivered, "", "acme"));      // client, no default
    EXPECT_FALSE(no_default.wants(MessageState::failed_perm, "", "nobody"));  // unknown client
    EXPECT_FALSE(no_default.wants(MessageState::sent, "http://127.0.0.1:1/own", "acme"));
    EXPECT_FALSE(no_default.wants(MessageState::queued, "", "acme"));
    EXPECT_EQ(no_default.stats().skipped, 2u);  // the reportable ones without a URL

    CallbackDispatcher with_default(io.io(), fast_config(), outbox,
                                    secrets("http://127.0.0.1:1/default"));
    EXPECT_TRUE(with_default.wants(MessageState::delivered, "", "acme"));
    EXPECT_FALSE(with_default.wants(MessageState::delivered, "", "nobody"));
    EXPECT_EQ(with_default.stats().skipped, 1u);

    CallbackDispatcher no_lookup(io.io(), fast_config(), outbox, {});
    EXPECT_FALSE(no_lookup.wants(MessageState::undeliverable, "", "acme"));
    EXPECT_TRUE(no_lookup.wants(MessageState::undeliverable, "http://127.0.0.1:1/own", "acme"));
}

TEST(CallbackDispatcher, GivesUpAfterMaxAttemptsOnRefusedConnections) {
    std::uint16_t closed_port = 0;
    {
        net::io_context tmp;
        tcp::acceptor a(tmp, {net::ip::make_address("127.0.0.1"), 0});
        closed_port = a.local_endpoint().port();
    }
    IoThread io;
    InMemoryCallbackOutbox outbox;
    auto config = fast_config();
    config.max_attempts = 3;
    CallbackDispatcher dispatcher(io.io(), config, outbox, secrets());
    dispatcher.start();
    dispatcher.notify(delivered_event(1, "http://127.0.0.1:" + std::to_string(closed_port) + "/x"));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().gave_up == 1; }));
    dispatcher.stop();
    const auto attempts = outbox.attempts();
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0].verdict, CallbackVerdict::retry);
    EXPECT_TRUE(attempts[0].detail.starts_with("connect: ")) << attempts[0].detail;
    EXPECT_EQ(attempts[2].verdict, CallbackVerdict::gave_up);
    EXPECT_EQ(*outbox.pending(), 0u);
}

TEST(CallbackDispatcher, GivesUpAtOnceOn410AndWhenPastTheMaxAge) {
    Receiver gone({410});
    IoThread io;
    InMemoryCallbackOutbox outbox;
    auto config = fast_config();
    config.max_age = 1h;
    CallbackDispatcher dispatcher(io.io(), config, outbox, secrets());
    dispatcher.start();
    dispatcher.notify(delivered_event(1, gone.url()));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().gave_up == 1; }));
    Receiver failing({503});
    auto old = delivered_event(2, failing.url());
    old.at = router::SystemClock::now() - 1h;  // its next retry would be past max_age
    dispatcher.notify(old);
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().gave_up == 2; }));
    dispatcher.stop();
    const auto attempts = outbox.attempts();
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0].detail, "HTTP 410");
    EXPECT_EQ(attempts[1].detail, "HTTP 503");
    EXPECT_EQ(attempts[1].attempt, 1u);
}

TEST(CallbackDispatcher, AnUnansweredAttemptTimesOut) {
    Receiver silent({200}, /*hold=*/true);
    IoThread io;
    InMemoryCallbackOutbox outbox;
    auto config = fast_config();
    config.timeout = 300ms;
    config.max_attempts = 1;
    CallbackDispatcher dispatcher(io.io(), config, outbox, secrets());
    dispatcher.start();
    dispatcher.notify(delivered_event(1, silent.url()));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().gave_up == 1; }));
    dispatcher.stop();
    const auto attempts = outbox.attempts();
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_NE(attempts[0].detail.find("timed out"), std::string::npos) << attempts[0].detail;
}

TEST(CallbackDispatcher, JobsLeftByAPreviousRunAreDeliveredAndQueuedEventsKeptOnStop) {
    Receiver receiver({200});
    IoThread io;
    InMemoryCallbackOutbox outbox;
    {
        // Never started: stop() still writes what was notified to the outbox.
        CallbackDispatcher first(io.io(), fast_config(), outbox, secrets());
        first.notify(delivered_event(1, receiver.url()));
        first.notify(delivered_event(2, receiver.url()));
        first.stop();
    }
    ASSERT_EQ(*outbox.pending(), 2u);
    EXPECT_TRUE(receiver.received().empty());
    CallbackDispatcher second(io.io(), fast_config(), outbox, secrets());
    second.start();
    ASSERT_TRUE(eventually([&] { return second.stats().delivered == 2; }));
    second.stop();
    EXPECT_EQ(receiver.received().size(), 2u);
    EXPECT_EQ(*outbox.pending(), 0u);
}

TEST(CallbackDispatcher, BoundsConcurrentAttempts) {
    Receiver slow({200}, /*hold=*/true);
    IoThread io;
    InMemoryCallbackOutbox outbox;
    auto config = fast_config();
    config.max_in_flight = 2;
    config.timeout = 60s;
    CallbackDispatcher dispatcher(io.io(), config, outbox, secrets());
    for (std::uint8_t i = 1; i <= 5; ++i) dispatcher.notify(delivered_event(i, slow.url()));
    dispatcher.start();
    ASSERT_TRUE(eventually([&] { return slow.received().size() >= 2; }));
    // With two attempts unanswered, no third starts (a broken bound shows up here as 3 to 5).
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(slow.received().size(), 2u);
    slow.release();
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().delivered == 5; }));
    dispatcher.stop();
    EXPECT_EQ(slow.received().size(), 5u);
    EXPECT_EQ(outbox.attempts().size(), 5u);
    EXPECT_EQ(*outbox.pending(), 0u);
}

// Counts what the dispatcher reads back from the outbox and how it records attempts.
class CountingOutbox final : public router::CallbackOutbox {
public:
    Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const router::CallbackJob> jobs) override {
        return inner.enqueue(jobs);
    }
    Expected<std::vector<router::CallbackJob>, std::string> due(
        router::SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) override {
        auto r = inner.due(now, limit, skip);
        if (r) rows_read += r->size();
        return r;
    }
    Expected<void, std::string> record_all(
        std::span<const router::CallbackAttempt> attempts) override {
        ++record_calls;
        return inner.record_all(attempts);
    }
    Expected<std::optional<router::SystemTime>, std::string> next_due() override {
        return inner.next_due();
    }
    Expected<std::uint64_t, std::string> pending() override { return inner.pending(); }
    std::vector<router::CallbackAttempt> attempts() const { return inner.attempts(); }

    InMemoryCallbackOutbox inner;
    std::atomic<std::size_t> rows_read{0};
    std::atomic<std::size_t> record_calls{0};
};

TEST(CallbackDispatcher, FreshJobsAreAttemptedFromMemoryWithoutReadingThemBack) {
    Receiver receiver({200});
    IoThread io;
    CountingOutbox outbox;
    CallbackDispatcher dispatcher(io.io(), fast_config(), outbox, secrets());
    dispatcher.start();
    for (std::uint8_t i = 1; i <= 30; ++i) dispatcher.notify(delivered_event(i, receiver.url()));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().delivered == 30; }));
    dispatcher.stop();
    EXPECT_EQ(outbox.rows_read.load(), 0u);  // stored, then sent from memory
    EXPECT_EQ(outbox.attempts().size(), 30u);
    EXPECT_EQ(*outbox.pending(), 0u);
    EXPECT_GE(outbox.record_calls.load(), 1u);
    EXPECT_LE(outbox.record_calls.load(), 30u);
}

TEST(CallbackDispatcher, ABacklogBeyondMaxReadyIsReadBackInOrderAndEachJobSentOnce) {
    Receiver slow({200}, /*hold=*/true);
    IoThread io;
    CountingOutbox outbox;
    auto config = fast_config();
    config.max_in_flight = 2;
    config.max_ready = 3;
    config.timeout = 60s;
    CallbackDispatcher dispatcher(io.io(), config, outbox, secrets());
    dispatcher.start();
    for (std::uint8_t i = 1; i <= 20; ++i) dispatcher.notify(delivered_event(i, slow.url()));
    ASSERT_TRUE(eventually([&] { return slow.received().size() >= 2; }));
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().queued == 20; }));
    slow.release();
    ASSERT_TRUE(eventually([&] { return dispatcher.stats().delivered == 20; }));
    dispatcher.stop();
    const auto got = slow.received();
    ASSERT_EQ(got.size(), 20u);  // a job sent twice shows up here as more
    std::vector<std::string> ids;
    for (const auto& r : got) ids.push_back(r.event_id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
    EXPECT_GT(outbox.rows_read.load(), 0u);  // the backlog came back from the outbox
    EXPECT_EQ(outbox.attempts().size(), 20u);
    EXPECT_EQ(*outbox.pending(), 0u);
}

}  // namespace
}  // namespace bindery::http
