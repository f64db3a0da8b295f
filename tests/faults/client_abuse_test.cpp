// Misbehaving clients on the gateway's listeners: garbage bytes and byte-by-byte drips to the HTTP
// front end and to the SMPP server side. The gateway answers or closes, times the slow ones out,
// keeps serving everyone else, and the messages accepted meanwhile are all accounted for.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>

#include <array>
#include <iostream>
#include <thread>

#include "tests/faults/harness.hpp"

namespace bindery::faults {
namespace {

using ::testing::HasSubstr;

struct Up {
    TempDir dir{"bindery-fault-"};
    std::unique_ptr<Simulator> sim;
    std::unique_ptr<Gateway> gateway;

    explicit Up(const GatewayOptions& options) {
        sim =
            std::make_unique<Simulator>(dir.path(), std::vector<std::string>{"--dlr-delay", "20"});
        if (sim->port() == 0) return;
        gateway =
            std::make_unique<Gateway>(dir.path(), write_config(dir.path(), sim->port(), options));
    }
    bool ready() {
        return gateway && gateway->port() != 0 && eventually([&] { return gateway->ready(); }, 30s);
    }
};

// Everything the peer sends until it closes (or 30 s without a byte).
std::string read_to_close(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

// Whether the peer closed `fd` (EOF or reset) within `limit`; bytes it sent are skipped.
bool closed_by_peer(int fd, std::chrono::milliseconds limit) {
    return eventually(
        [&] {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) return false;
            char buffer[512];
            const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        },
        limit);
}

TEST(ClientAbuse, HttpGarbageIsRefusedAndTheGatewayKeepsServing) {
    Up up({});
    ASSERT_TRUE(up.ready()) << up.gateway->diagnostics();
    const auto port = up.gateway->port();
    const std::array<std::string, 5> garbage{
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",  // TLS hello
        "GET / HTTP/9.9\r\n\r\n",
        "POST /v1/messages HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "\r\n\r\n\r\n\r\n",
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nX: " + std::string(64 * 1024, 'a') + "\r\n\r\n",
    };
    for (const auto& bytes : garbage) {
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        send_all(fd, bytes);
        const auto reply = read_to_close(fd);  // an error answer, or a plain close
        ::close(fd);
        if (!reply.empty()) {
            const auto status = parse_reply(reply).status;
            EXPECT_TRUE(status == 400 || status == 431 || status == 505) << reply;
        }
    }
    const auto ids = submit_many(port, 5, 10);
    EXPECT_EQ(ids.size(), 50U);
    const auto a = account_when_final(port, ids, 30s);
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary();
    EXPECT_EQ(up.gateway->stop(), 0) << up.gateway->diagnostics();
}

TEST(ClientAbuse, HttpSlowDripsAreTimedOutWhileOtherClientsAreServed) {
    GatewayOptions options;
    options.http_read_timeout = "3s";
    Up up(options);
    ASSERT_TRUE(up.ready()) << up.gateway->diagnostics();
    const auto port = up.gateway->port();

    // 20 connections each drip a request header one byte every 100 ms: never complete within the
    // 3 s read timeout.
    const std::string slow =
        "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kKey +
        "\r\nContent-Type: application/json\r\nX-Padding: " + std::string(200, 'p') + "\r\n\r\n";
    std::vector<int> drippers;
    for (int i = 0; i < 20; ++i) {
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        drippers.push_back(fd);
    }
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> closed{0};
    std::thread drip([&] {
        std::vector<bool> done(drippers.size(), false);
        for (std::size_t at = 0; at < slow.size() && !stop; ++at) {
            for (std::size_t i = 0; i < drippers.size(); ++i) {
                if (done[i]) continue;
                if (::send(drippers[i], slow.data() + at, 1, MSG_NOSIGNAL) != 1) {
                    done[i] = true;  // the server closed it
                    ++closed;
                }
            }
            std::this_thread::sleep_for(100ms);
        }
    });
    // A legitimate request dripped fast enough (a byte every millisecond) is reassembled and
    // accepted.
    std::vector<std::string> ids;
    {
        const auto body = submit_body(recipients(5000, 1), "dripped");
        const auto request =
            "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            "Authorization: Bearer " +
            kKey +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        for (const char c : request) {
            ASSERT_EQ(::send(fd, &c, 1, MSG_NOSIGNAL), 1);
            std::this_thread::sleep_for(1ms);
        }
        const auto reply = parse_reply(read_to_close(fd));
        ::close(fd);
        EXPECT_EQ(reply.status, 202) << reply.body;
        const auto got = ids_in(reply.body);
        ids.insert(ids.end(), got.begin(), got.end());
    }
    // Meanwhile ordinary clients are served.
    const auto normal = submit_many(port, 10, 5, 6000);
    EXPECT_EQ(normal.size(), 50U);
    ids.insert(ids.end(), normal.begin(), normal.end());

    // Every dripping connection is closed by the server's read timeout.
    for (const int fd : drippers) EXPECT_TRUE(closed_by_peer(fd, 30s));
    stop = true;
    drip.join();
    for (const int fd : drippers) ::close(fd);

    const auto a = account_when_final(port, ids, 30s);
    std::cout << a.summary() << "\n";
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary();
    EXPECT_EQ(up.gateway->stop(), 0) << up.gateway->diagnostics();
}

// The port of the gateway's SMPP server side, from its log; 0 when no listening line was found.
std::uint16_t smpp_port(const Gateway& gateway) {
    static const std::regex listening(
        R"re(smpp[^"]*listening[^"]*?:([0-9]+)"|"msg":"smpp[^"]*listening","port":"?([0-9]+))re");
    std::uint16_t port = 0;
    eventually(
        [&] {
            const auto text = gateway.log_text();
            std::smatch m;
            if (!std::regex_search(text, m, listening)) return false;
            port = static_cast<std::uint16_t>(std::stoul(m[1].matched ? m[1].str() : m[2].str()));
            return true;
        },
        3s);
    return port;
}

std::string pdu(std::uint32_t command_id, std::uint32_t sequence, const std::string& body = {}) {
    const auto length = static_cast<std::uint32_t>(16 + body.size());
    std::string out;
    for (const std::uint32_t v : {length, command_id, 0U, sequence}) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out += static_cast<char>((v >> static_cast<unsigned>(shift)) & 0xFFU);
    }
    return out + body;
}

std::uint32_t u32_at(const std::string& bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8U) | static_cast<std::uint8_t>(bytes[at + i]);
    return v;
}

TEST(ClientAbuse, SmppGarbageAndDripsAreAnsweredOrClosedAndTheGatewayKeepsServing) {
    Up up({});
    ASSERT_TRUE(up.ready()) << up.gateway->diagnostics();
    const auto port = smpp_port(*up.gateway);
    ASSERT_NE(port, 0) << "no 'smpp ... listening' line in the gateway's log:\n"
                       << up.gateway->diagnostics();
    {  // A command_length under 16: framing is lost, the connection is closed.
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        send_all(fd, std::string("\x00\x00\x00\x08\x00\x00\x00\x15", 8));
        EXPECT_TRUE(closed_by_peer(fd, 30s));
        ::close(fd);
    }
    {  // A command_length of 2 GiB: closed, nothing allocated for it.
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        send_all(fd, pdu(0x00000004, 1).replace(0, 4, std::string("\x7f\xff\xff\xff", 4)));
        EXPECT_TRUE(closed_by_peer(fd, 30s));
        ::close(fd);
    }
    {  // An unknown command_id is answered generic_nack (ESME_RINVCMDID) with its sequence.
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        send_all(fd, pdu(0x00007777, 42));
        std::string reply;
        char buffer[256];
        while (reply.size() < 16) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            reply.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fd);
        ASSERT_GE(reply.size(), 16U);
        EXPECT_EQ(u32_at(reply, 4), 0x80000000U);  // generic_nack
        EXPECT_EQ(u32_at(reply, 8), 0x00000003U);  // ESME_RINVCMDID
        EXPECT_EQ(u32_at(reply, 12), 42U);
    }
    {  // A bind dripped one byte every 20 ms is reassembled and answered (unknown account:
       // refused).
        const std::string body = std::string("nobody\0wrong\0\0\x34\x00\x00\0", 18);
        const auto bind = pdu(0x00000002, 7, body);
        const int fd = connect_loopback(port);
        ASSERT_GE(fd, 0);
        for (const char c : bind) {
            ASSERT_EQ(::send(fd, &c, 1, MSG_NOSIGNAL), 1);
            std::this_thread::sleep_for(20ms);
        }
        std::string reply;
        char buffer[256];
        while (reply.size() < 16) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            reply.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fd);
        ASSERT_GE(reply.size(), 16U);
        EXPECT_EQ(u32_at(reply, 4), 0x80000002U);  // bind_transmitter_resp
        EXPECT_NE(u32_at(reply, 8), 0U);           // not bound
        EXPECT_EQ(u32_at(reply, 12), 7U);
    }
    const auto ids = submit_many(up.gateway->port(), 5, 10);
    EXPECT_EQ(ids.size(), 50U);
    const auto a = account_when_final(up.gateway->port(), ids, 30s);
    EXPECT_TRUE(a.balanced()) << a.summary();
    EXPECT_EQ(a.in("DELIVERED"), ids.size()) << a.summary();
    EXPECT_EQ(up.gateway->stop(), 0) << up.gateway->diagnostics();
}

}  // namespace
}  // namespace bindery::faults
