// The --callbacks receiver over real loopback TCP: keep-alive and pipelined POSTs answered in
// order, Connection: close honoured, a chunked body, signatures checked with the gateway's
// http::callback_signature, duplicates and a wrong method counted (or not) as they should be.
// Every read has a timeout; nothing waits on time otherwise.

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "http-frontend/callbacks.hpp"
#include "router/api/types.hpp"
#include "tools/loadgen/callback_receiver.hpp"

namespace bindery::loadgen {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
const std::string kSecret = "whsec-receiver-test";

std::string id_of(unsigned n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0190a0b0-5c1e-7a3b-9f00-%012x", n);
    return buf;
}

std::string body_of(unsigned n, router::MessageState state) {
    http::CallbackEvent e;
    e.id = *router::MessageId::parse(id_of(n));
    e.client = "bench";
    e.destination = "+98912" + std::to_string(1000000 + n);
    e.sender = "Bindery";
    e.from = router::MessageState::sent;
    e.to = state;
    e.at = router::SystemClock::now();
    return http::callback_body(e);
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A POST as Bindery's client sends it; `signature` "" leaves the header out.
std::string post(unsigned n, router::MessageState state, bool keep_alive = true,
                 const std::string& secret = kSecret) {
    const auto body = body_of(n, state);
    std::string lower(router::to_string(state));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string r =
        "POST /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    r += "X-Bindery-Event-Id: " + id_of(n) + "." + lower + "\r\nX-Bindery-Attempt: 1\r\n";
    if (!secret.empty()) {
        r += "X-Bindery-Signature: " + http::callback_signature(secret, unix_now(), body) + "\r\n";
    }
    if (!keep_alive) r += "Connection: close\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}

class Client {
public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval tv{30, 0};  // no read blocks the test for ever
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    std::string read_exactly(std::size_t n) {
        std::string out(n, '\0');
        boost::system::error_code ec;
        const auto got = asio::read(socket_, asio::buffer(out), ec);
        out.resize(got);
        return out;
    }
    // Everything until the server closes.
    std::string read_to_eof() {
        std::string out;
        char buf[4096];
        for (int i = 0; i < 10'000; ++i) {
            boost::system::error_code ec;
            const auto n = socket_.read_some(asio::buffer(buf), ec);
            out.append(buf, n);
            if (ec) break;
        }
        return out;
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
};

std::string times(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

TEST(CallbackReceiver, AnswersPipelinedAndSingleRequestsAndCountsWhatItGot) {
    CallbackTracker tracker;
    CallbackReceiver receiver({"127.0.0.1", 0, kSecret}, tracker);
    ASSERT_NE(receiver.port(), 0);
    EXPECT_EQ(default_callback_url("127.0.0.1", receiver.port()),
              "http://127.0.0.1:" + std::to_string(receiver.port()) + "/callback");
    receiver.start();
    tracker.sending_started(CallbackTracker::Clock::now());
    std::vector<MessageKey> ids;
    for (unsigned n = 1; n <= 4; ++n) ids.push_back(*parse_message_key(id_of(n)));
    tracker.accepted(ids, CallbackTracker::Clock::now());

    {
        // Three pipelined in one write on a keep-alive connection, then one more.
        Client c(receiver.port());
        c.send(post(1, router::MessageState::delivered) + post(2, router::MessageState::sent) +
               post(2, router::MessageState::undeliverable));
        EXPECT_EQ(c.read_exactly(3 * kOk.size()), times(kOk, 3));
        c.send(post(1, router::MessageState::delivered));  // the same event again
        EXPECT_EQ(c.read_exactly(kOk.size()), kOk);
    }
    {
        // One request per connection, as Bindery's client sends them: answered, then closed.
        Client c(receiver.port());
        c.send(post(3, router::MessageState::expired, false));
        const auto answer = c.read_to_eof();
        EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << answer;
        EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    }
    {
        // A wrong secret, a chunked body without a signature, and a GET.
        Client c(receiver.port());
        c.send(post(4, router::MessageState::rejected, true, "not-the-secret"));
        EXPECT_EQ(c.read_exactly(kOk.size()), kOk);
        const auto body = body_of(4, router::MessageState::rejected);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", body.size() - 10);
        c.send("POST /callback HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
               std::string(size) + "\r\n" + body.substr(0, body.size() - 10) + "\r\na\r\n" +
               body.substr(body.size() - 10) + "\r\n0\r\n\r\n");
        EXPECT_EQ(c.read_exactly(kOk.size()), kOk);
        c.send("GET /callback HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto refused = c.read_to_eof();
        EXPECT_EQ(refused.rfind("HTTP/1.1 405 ", 0), 0U) << refused;
    }
    {
        // Not HTTP: 400 and closed.
        Client c(receiver.port());
        c.send("HELLO\r\n\r\n");
        const auto answer = c.read_to_eof();
        EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0U) << answer;
    }
    receiver.stop();
    EXPECT_GT(receiver.cpu_seconds(), 0.0);  // the thread's own CPU time, known once stopped

    const auto s = tracker.summary();
    EXPECT_EQ(s.received, 7U);  // the GET and the garbage are not callbacks
    EXPECT_EQ(s.by_state.at("DELIVERED"), 1U);
    EXPECT_EQ(s.by_state.at("SENT"), 1U);
    EXPECT_EQ(s.by_state.at("UNDELIVERABLE"), 1U);
    EXPECT_EQ(s.by_state.at("EXPIRED"), 1U);
    EXPECT_EQ(s.by_state.at("REJECTED"), 1U);
    EXPECT_EQ(s.duplicates, 2U);      // message 1 delivered and message 4 rejected, twice each
    EXPECT_EQ(s.bad_signatures, 2U);  // the wrong secret and the unsigned one
    EXPECT_EQ(s.malformed, 0U);
    EXPECT_EQ(s.unknown, 0U);
    EXPECT_EQ(s.completed, 4U);
    EXPECT_EQ(s.missing, 0U);
    EXPECT_EQ(s.latency.count(), 4U);
}

TEST(CallbackReceiver, WithoutASecretNothingIsABadSignatureAndAMismatchedEventIdIsMalformed) {
    CallbackTracker tracker;
    CallbackReceiver receiver({"127.0.0.1", 0, ""}, tracker);
    receiver.start();
    Client c(receiver.port());
    c.send(post(5, router::MessageState::delivered, true, ""));
    EXPECT_EQ(c.read_exactly(kOk.size()), kOk);
    // The header names message 6, the body message 5.
    auto wrong = post(5, router::MessageState::cancelled, true, "");
    const auto at = wrong.find(id_of(5));
    wrong.replace(at, 36, id_of(6));
    c.send(wrong);
    EXPECT_EQ(c.read_exactly(kOk.size()), kOk);
    receiver.stop();
    const auto s = tracker.summary();
    EXPECT_EQ(s.received, 2U);
    EXPECT_EQ(s.bad_signatures, 0U);
    EXPECT_EQ(s.malformed, 1U);
    EXPECT_EQ(s.unknown, 1U);  // message 5's DELIVERED: no 202 named it
}

TEST(CallbackReceiver, RefusesAnAddressItCannotListenOn) {
    CallbackTracker tracker;
    EXPECT_THROW(CallbackReceiver({"not-an-ip", 0, ""}, tracker), std::runtime_error);
    CallbackReceiver first({"127.0.0.1", 0, ""}, tracker);
    EXPECT_THROW(CallbackReceiver({"127.0.0.1", first.port(), ""}, tracker), std::runtime_error);
    EXPECT_EQ(default_callback_url("0.0.0.0", 9000), "http://127.0.0.1:9000/callback");
    EXPECT_EQ(default_callback_url("::1", 9000), "http://[::1]:9000/callback");
}

}  // namespace
}  // namespace bindery::loadgen
