// Delivery callbacks and Idempotency-Key replay through the real `bindery serve` (the simulator as
// its carrier): a receiver in the test verifies the X-Bindery-Signature HMAC of every callback,
// answers 500 first and then sees the retry; the attempts are in the message's history and in
// /metrics; a retry still pending at shutdown is made by the next process; a request replayed with
// its Idempotency-Key after a restart gets the original response.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "gateway_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
using namespace bindery::test::harness;

constexpr const char* kSecret = "whsec-integration-7f3a";

// ---- a callback receiver ----------------------------------------------------------------------

struct Received {
    std::map<std::string, std::string> headers;  // names lower-case
    std::string body;
    int answered = 0;
};

// One thread accepting on 127.0.0.1 (port 0); answers the n-th request with statuses[n] (200 once
// the list is used up) and Connection: close. Every wait is bounded.
class CallbackReceiver {
public:
    explicit CallbackReceiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = 0;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd_, 16) != 0) {
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~CallbackReceiver() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    CallbackReceiver(const CallbackReceiver&) = delete;
    CallbackReceiver& operator=(const CallbackReceiver&) = delete;

    std::uint16_t port() const { return port_; }
    std::vector<Received> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

private:
    void run() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            serve(c);
            ::close(c);
        }
    }
    // Reads one request (headers, Content-Length body) within 10 s and answers it.
    void serve(int c) {
        std::string in;
        const auto until = std::chrono::steady_clock::now() + 10s;
        std::size_t head_end = std::string::npos;
        std::size_t need = 0;
        Received r;
        while (std::chrono::steady_clock::now() < until) {
            if (head_end != std::string::npos && in.size() >= head_end + 4 + need) break;
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            const auto n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            in.append(buf, static_cast<std::size_t>(n));
            if (head_end == std::string::npos &&
                (head_end = in.find("\r\n\r\n")) != std::string::npos) {
                std::size_t pos = in.find("\r\n") + 2;
                while (pos < head_end) {
                    const auto eol = in.find("\r\n", pos);
                    const auto line = in.substr(pos, eol - pos);
                    const auto colon = line.find(':');
                    if (colon != std::string::npos) {
                        std::string name = line.substr(0, colon);
                        std::transform(
                            name.begin(), name.end(), name.begin(),
                            [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
                        std::string value = line.substr(colon + 1);
                        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                        r.headers[name] = value;
                    }
                    pos = eol + 2;
                }
                if (const auto it = r.headers.find("content-length"); it != r.headers.end())
                    need = std::stoul(it->second);
            }
        }
        if (head_end == std::string::npos || in.size() < head_end + 4 + need) return;
        r.body = in.substr(head_end + 4, need);
        {
            std::lock_guard lock(mutex_);
            r.answered = received_.size() < statuses_.size() ? statuses_[received_.size()] : 200;
            received_.push_back(r);
        }
        const std::string reply = "HTTP/1.1 " + std::to_string(r.answered) +
                                  " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    }

    std::vector<int> statuses_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Received> received_;
    std::thread thread_;
};

// ---- helpers ----------------------------------------------------------------------------------

std::string hmac_hex(const std::string& key, const std::string& data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    std::string out;
    char hex[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", mac[i]);
        out += hex;
    }
    return out;
}

// X-Bindery-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, checked
// independently of the gateway's code.
::testing::AssertionResult signed_with(const Received& r, const std::string& secret) {
    const auto it = r.headers.find("x-bindery-signature");
    if (it == r.headers.end()) return ::testing::AssertionFailure() << "no X-Bindery-Signature";
    static const std::regex shape(R"(^t=([0-9]+),v1=([0-9a-f]{64})$)");
    std::smatch m;
    if (!std::regex_match(it->second, m, shape))
        return ::testing::AssertionFailure() << "malformed signature " << it->second;
    const auto t = std::stoll(m[1]);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (t < now - 300 || t > now + 5)
        return ::testing::AssertionFailure() << "timestamp " << t << " far from now " << now;
    if (m[2] != hmac_hex(secret, std::string(m[1]) + "." + r.body))
        return ::testing::AssertionFailure() << "HMAC mismatch for body " << r.body;
    if (m[2] == hmac_hex(secret + "x", std::string(m[1]) + "." + r.body))
        return ::testing::AssertionFailure() << "a wrong secret verifies";
    return ::testing::AssertionSuccess();
}

struct Reply {
    int status = 0;
    std::string head;
    std::string body;
};

// One request with extra header lines ("Name: value\r\n" each), on a fresh connection.
Reply request(std::uint16_t port, const std::string& method, const std::string& target,
              const std::string& body, const std::string& extra_headers) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) ::close(fd);
        return {};
    }
    std::string req =
        method + " " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + kKey +
        "\r\n" + extra_headers;
    if (!body.empty()) {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n";
    }
    req += "\r\n" + body;
    (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string response;
    char buffer[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20'000) <= 0) break;
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    Reply r;
    const auto head_end = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
    r.status = std::stoi(response.substr(9, 3));
    r.head = response.substr(0, head_end);
    r.body = response.substr(head_end + 4);
    return r;
}

std::string first_id(const std::string& body) {
    static const std::regex id(R"re("id":"([0-9a-f-]{36})")re");
    std::smatch m;
    return std::regex_search(body, m, id) ? std::string(m[1]) : std::string();
}

// The harness configuration with delivery callbacks: the client's default URL is the receiver,
// its secret comes from the environment.
fs::path write_callback_config(const fs::path& dir, std::uint16_t carrier_port,
                               std::uint16_t receiver_port, const std::string& backoff) {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path)
        << "process:\n  io_threads: 2\n  drain_timeout: 5s\n"
           "logging:\n  level: info\n  format: json\n  file: "
        << (dir / "bindery.log").string()
        << "\nstore:\n  path: " << (dir / "var" / "bindery.db").string()
        << "\n  synchronous: normal\n"
           "http:\n  listen: 127.0.0.1:0\n"
           "  callbacks: {initial_backoff: "
        << backoff << ", max_backoff: " << backoff
        << ", timeout: 5s}\n"
           "smpp_server:\n  listen: 127.0.0.1:0\n"
           "carriers:\n  - name: sim\n    kind: smpp\n    address: 127.0.0.1:"
        << carrier_port
        << "\n    system_id: bindery\n    password: secret\n    window: 20\n"
           "    reconnect: {initial: 100ms, max: 1s}\n"
           "routes:\n  - name: default\n    providers: [sim]\n"
           "clients:\n  - name: test\n    api_key: "
        << kKey << "\n    rate: 100000\n    burst: 100000\n    callback_url: http://127.0.0.1:"
        << receiver_port << "/hooks/sms\n    callback_secret_env: BINDERY_TEST_CALLBACK_SECRET\n";
    return path;
}

std::string message_status(std::uint16_t port, const std::string& id) {
    return http(port, "GET", "/v1/messages/" + id).body;
}

TEST(GatewayCallbacks, SignedCallbackIsRetriedAfter500AndRecordedInHistoryAndMetrics) {
    TempDir dir("bindery-callbacks-");
    ::setenv("BINDERY_TEST_CALLBACK_SECRET", kSecret, 1);
    CallbackReceiver receiver({500});
    ASSERT_NE(receiver.port(), 0);
    Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    Gateway gateway(dir.path(),
                    write_callback_config(dir.path(), sim.port(), receiver.port(), "1s"));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(
        eventually([&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));

    const auto accepted = http(
        gateway.port(), "POST", "/v1/messages",
        R"({"to":"+989121234567","from":"Bindery","text":"callback me","client_ref":"order-17"})");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const auto id = first_id(accepted.body);
    ASSERT_FALSE(id.empty()) << accepted.body;

    // DELIVERED -> attempt 1 answered 500 -> attempt 2 (after ~1 s) answered 200.
    ASSERT_TRUE(eventually([&] { return receiver.received().size() >= 2; }, 60s))
        << receiver.received().size() << " callbacks; " << message_status(gateway.port(), id)
        << gateway.log();
    const auto got = receiver.received();
    ASSERT_EQ(got.size(), 2U) << "no further attempt after a 2xx";
    EXPECT_EQ(got[0].answered, 500);
    EXPECT_EQ(got[1].answered, 200);
    for (std::size_t i = 0; i < got.size(); ++i) {
        SCOPED_TRACE("attempt " + std::to_string(i + 1));
        EXPECT_TRUE(signed_with(got[i], kSecret));
        EXPECT_EQ(got[i].headers.at("x-bindery-attempt"), std::to_string(i + 1));
        EXPECT_EQ(got[i].headers.at("x-bindery-event-id"), id + ".delivered");
        EXPECT_THAT(got[i].headers.at("content-type"), HasSubstr("application/json"));
        EXPECT_THAT(got[i].body, HasSubstr(R"("event":"message.delivered")"));
        EXPECT_THAT(got[i].body, HasSubstr(R"("message_id":")" + id + "\""));
        EXPECT_THAT(got[i].body, HasSubstr(R"("state":"DELIVERED")"));
        EXPECT_THAT(got[i].body, HasSubstr(R"("client_ref":"order-17")"));
        EXPECT_THAT(got[i].body, HasSubstr(R"("to":"+989121234567")"));
    }
    EXPECT_EQ(got[0].body, got[1].body) << "a retry sends the same event";

    // Both outcomes in the message's history.
    std::string status;
    EXPECT_TRUE(eventually([&] {
        status = message_status(gateway.port(), id);
        return status.find("callback attempt 2: HTTP 200 (delivered)") != std::string::npos;
    })) << status;
    EXPECT_THAT(status, HasSubstr("callback attempt 1: HTTP 500 (will retry)"));

    // And in the metrics.
    std::string scrape;
    EXPECT_TRUE(eventually([&] {
        scrape = http(gateway.port(), "GET", "/metrics", {}, {}).body;
        return scrape.find("bindery_callbacks_completed_total{outcome=\"delivered\"} 1") !=
               std::string::npos;
    })) << scrape;
    EXPECT_THAT(scrape, HasSubstr("bindery_callback_attempts_total{result=\"http_error\"} 1"));
    EXPECT_THAT(scrape, HasSubstr("bindery_callback_attempts_total{result=\"success\"} 1"));
    EXPECT_THAT(scrape, HasSubstr("bindery_callback_duration_seconds_count 2"));
    EXPECT_THAT(scrape, HasSubstr("bindery_callbacks_pending 0"));
    // The receiver closes its connection after every answer: each attempt opened one.
    EXPECT_THAT(scrape, HasSubstr("bindery_callback_connections_opened_total 2"));
    EXPECT_THAT(scrape, HasSubstr("bindery_callback_idle_connections 0"));

    gateway.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(gateway.process().wait(20s)), 0) << read_all(dir.path() / "bindery.out");
}

// A callback that failed once is retried by the next process (the outbox is in the store), and an
// Idempotency-Key request made before the restart is replayed after it.
TEST(GatewayCallbacks, PendingRetryAndIdempotentReplaySurviveARestart) {
    TempDir dir("bindery-callbacks-restart-");
    ::setenv("BINDERY_TEST_CALLBACK_SECRET", kSecret, 1);
    CallbackReceiver receiver({503});
    ASSERT_NE(receiver.port(), 0);
    Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    // The retry comes 12 s (+-20%) after the first attempt: long after the first process is gone.
    const auto config = write_callback_config(dir.path(), sim.port(), receiver.port(), "12s");
    const std::string body = R"({"to":"+989121234568","from":"Bindery","text":"once only"})";
    const std::string idem = "Idempotency-Key: order-4711-attempt\r\n";
    std::string id;
    Reply original;
    {
        Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
        ASSERT_TRUE(eventually(
            [&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
        original = request(gateway.port(), "POST", "/v1/messages", body, idem);
        ASSERT_EQ(original.status, 202) << original.body;
        id = first_id(original.body);
        ASSERT_FALSE(id.empty());
        const auto replay = request(gateway.port(), "POST", "/v1/messages", body, idem);
        EXPECT_EQ(replay.status, 202);
        EXPECT_EQ(replay.body, original.body);

        std::string status;
        ASSERT_TRUE(eventually(
            [&] {
                status = message_status(gateway.port(), id);
                return status.find("callback attempt 1: HTTP 503 (will retry)") !=
                       std::string::npos;
            },
            60s))
            << status << gateway.log();
        gateway.process().signal(SIGTERM);
        ASSERT_EQ(exit_code(gateway.process().wait(20s)), 0)
            << read_all(dir.path() / "bindery.out");
        ASSERT_EQ(receiver.received().size(), 1U) << "the retry came before the restart";
    }

    Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    // The same key and request: the original answer, marked as a replay; the message is not sent
    // twice.
    const auto after = request(restarted.port(), "POST", "/v1/messages", body, idem);
    EXPECT_EQ(after.status, 202);
    EXPECT_EQ(after.body, original.body);
    EXPECT_THAT(after.head, HasSubstr("Idempotent-Replayed: true"));
    // The same key with another request is refused.
    const auto other = request(restarted.port(), "POST", "/v1/messages",
                               R"({"to":"+989121234569","from":"Bindery","text":"other"})", idem);
    EXPECT_EQ(other.status, 422) << other.body;
    EXPECT_THAT(other.body, HasSubstr("idempotency_mismatch"));

    // The pending retry is made by the new process and succeeds.
    ASSERT_TRUE(eventually([&] { return receiver.received().size() >= 2; }, 60s))
        << restarted.log();
    const auto got = receiver.received();
    EXPECT_EQ(got[1].answered, 200);
    EXPECT_EQ(got[1].headers.at("x-bindery-attempt"), "2");
    EXPECT_EQ(got[1].body, got[0].body);
    EXPECT_TRUE(signed_with(got[1], kSecret));
    std::string status;
    EXPECT_TRUE(eventually([&] {
        status = message_status(restarted.port(), id);
        return status.find("callback attempt 2: HTTP 200 (delivered)") != std::string::npos;
    })) << status;
    restarted.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(restarted.process().wait(20s)), 0) << read_all(dir.path() / "bindery.out");
}

}  // namespace
