// `bindery serve` end to end, as `make run` runs it: the real binary on a temporary configuration,
// the bundled SMSC simulator (the real binary too) as its carrier, messages submitted over real
// HTTP and followed with GET until the simulator's receipts bring them to DELIVERED; SIGTERM
// drains and exits 0; a kill -9 in the middle of a load loses no acknowledged message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;

const std::string kBindery = BINDERY_BINARY_DIR "/app/bindery";
const std::string kSimulator = BINDERY_BINARY_DIR "/tools/smsc-sim/bindery-smsc-sim";
const std::string kKey = "gateway-test-key";

struct HttpReply {
    int status = 0;  // 0: no answer (connection refused, closed)
    std::string body;
};

// One HTTP/1.1 request on a fresh connection (Connection: close), read to EOF.
HttpReply http(std::uint16_t port, const std::string& method, const std::string& target,
               const std::string& body = {}, const std::string& key = kKey) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.empty()) request += "Authorization: Bearer " + key + "\r\n";
    if (!body.empty()) {
        request +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
    }
    request += "\r\n" + body;
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string response;
    char buffer[4096];
    for (;;) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    HttpReply reply;
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return reply;
    reply.status = std::stoi(response.substr(9, 3));
    const auto head_end = response.find("\r\n\r\n");
    if (head_end != std::string::npos) reply.body = response.substr(head_end + 4);
    return reply;
}

std::vector<std::string> ids_in(const std::string& body) {
    static const std::regex id(R"re("id":"([0-9a-f-]{36})")re");
    std::vector<std::string> out;
    for (std::sregex_iterator it(body.begin(), body.end(), id), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

std::string state_in(const std::string& body) {
    static const std::regex state(R"re("state":"([A-Z_]+)")re");
    // The message's own state is the last "state" key in the object (history entries use from/to).
    std::string last;
    for (std::sregex_iterator it(body.begin(), body.end(), state), end; it != end; ++it)
        last = (*it)[1];
    return last;
}

bool is_final(const std::string& state) {
    return state == "DELIVERED" || state == "UNDELIVERABLE" || state == "EXPIRED" ||
           state == "REJECTED" || state == "FAILED_PERM" || state == "DEAD_LETTER";
}

// The simulator on an ephemeral port.
class Simulator {
public:
    Simulator(const fs::path& dir, const std::vector<std::string>& extra = {})
        : port_file_(dir / "sim.port") {
        std::vector<std::string> args{"--listen", "127.0.0.1:0", "--port-file",
                                      port_file_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        process_ = std::make_unique<Process>(kSimulator, args, dir / "sim.log");
    }
    std::uint16_t port() {
        if (port_ == 0 && eventually([&] { return !read_all(port_file_).empty(); }, 10s)) {
            port_ = static_cast<std::uint16_t>(std::stoul(read_all(port_file_)));
        }
        return port_;
    }

private:
    fs::path port_file_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

fs::path write_config(const fs::path& dir, std::uint16_t carrier_port) {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path) << "process:\n"
                           "  io_threads: 2\n"
                           "  drain_timeout: 5s\n"
                           "logging:\n"
                           "  level: info\n"
                           "  format: json\n"
                           "  file: "
                        << (dir / "bindery.log").string()
                        << "\n"
                           "store:\n"
                           "  path: "
                        << (dir / "var" / "bindery.db").string()
                        << "\n"
                           "  synchronous: normal\n"
                           "http:\n"
                           "  listen: 127.0.0.1:0\n"
                           "smpp_server:\n"
                           "  listen: 127.0.0.1:0\n"
                           "carriers:\n"
                           "  - name: sim\n"
                           "    kind: smpp\n"
                           "    address: 127.0.0.1:"
                        << carrier_port
                        << "\n"
                           "    system_id: bindery\n"
                           "    password: secret\n"
                           "    window: 20\n"
                           "    reconnect: {initial: 100ms, max: 1s}\n"
                           "routes:\n"
                           "  - name: default\n"
                           "    providers: [sim]\n"
                           "clients:\n"
                           "  - name: test\n"
                           "    api_key: "
                        << kKey
                        << "\n"
                           "    rate: 100000\n"  // GET polling counts against the client's rate
                           "    burst: 100000\n";
    return path;
}

// A running `bindery serve` and its HTTP port (read from its log: the config asks for port 0).
class Gateway {
public:
    Gateway(const fs::path& dir, const fs::path& config) : log_(dir / "bindery.log") {
        const auto generation = read_all(log_).size();  // a restart appends to the same log
        process_ = std::make_unique<Process>(
            kBindery, std::vector<std::string>{"serve", "--config", config.string()},
            dir / "bindery.out");
        static const std::regex listening(R"re("msg":"http listening","port":"([0-9]+)")re");
        eventually([&] {
            const auto text = read_all(log_).substr(generation);
            std::smatch m;
            if (!std::regex_search(text, m, listening)) return false;
            port_ = static_cast<std::uint16_t>(std::stoul(m[1]));
            return true;
        });
    }
    std::uint16_t port() const { return port_; }
    Process& process() { return *process_; }
    std::string log() const { return read_all(log_); }

private:
    fs::path log_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

std::string submit_body(const std::string& to, const std::string& text) {
    return R"({"to":")" + to + R"(","from":"Bindery","text":")" + text + R"("})";
}

TEST(Gateway, MessagesSubmittedOverHttpReachDeliveredAndSigtermExitsZero) {
    TempDir dir("bindery-gateway-");
    Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    Gateway gateway(dir.path(), write_config(dir.path(), sim.port()));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");

    // Ready once the store is open and the bind is up.
    EXPECT_TRUE(eventually([&] {
        return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200;
    })) << http(gateway.port(), "GET", "/readyz", {}, {}).body;
    EXPECT_EQ(
        http(gateway.port(), "POST", "/v1/messages", submit_body("+989121234567", "x"), "wrong-key")
            .status,
        401);

    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        // The fifth needs two segments.
        const auto text = i == 4 ? std::string(200, 'y') : "hello " + std::to_string(i);
        const auto reply = http(gateway.port(), "POST", "/v1/messages",
                                submit_body("+98912123450" + std::to_string(i), text));
        ASSERT_EQ(reply.status, 202) << reply.body;
        const auto got = ids_in(reply.body);
        ASSERT_EQ(got.size(), 1U) << reply.body;
        ids.push_back(got.front());
    }
    for (const auto& id : ids) {
        std::string body;
        EXPECT_TRUE(eventually([&] {
            body = http(gateway.port(), "GET", "/v1/messages/" + id).body;
            return state_in(body) == "DELIVERED";
        })) << body;
        EXPECT_THAT(body, HasSubstr(R"("provider":"sim")"));
        EXPECT_THAT(body, HasSubstr(R"("to":"SENT")"));
        EXPECT_THAT(body, HasSubstr(R"("to":"DELIVERED")"));
    }
    // Another client's key cannot read them.
    EXPECT_EQ(http(gateway.port(), "GET", "/v1/messages/" + ids.front(), {}, "nobody").status, 401);

    gateway.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(gateway.process().wait(10s)), 0)
        << read_all(dir.path() / "bindery.out") << gateway.log();
    const auto log = gateway.log();
    EXPECT_THAT(log, HasSubstr(R"("msg":"draining","signal":"SIGTERM")"));
    EXPECT_THAT(log, HasSubstr("unbound"));
    EXPECT_THAT(log, HasSubstr(R"("msg":"bindery stopped","status":"0")"));
}

// Issue 5: every message acknowledged with 202 survives a kill -9 of the gateway in the middle of
// the load: after the restart each one is found, and none stays short of the carrier (ACCEPTED,
// QUEUED and SENDING ones are dispatched or retried). Known gap, not asserted: a receipt that the
// killed process had received but not yet recorded is lost (the carrier will not resend it once
// answered), so a few messages can stay SENT after the restart instead of reaching DELIVERED.
TEST(Gateway, AcknowledgedMessagesSurviveKillNineAndReachAFinalState) {
    TempDir dir("bindery-gateway-");
    Simulator sim(dir.path(), {"--dlr-delay", "200", "--resp-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim.port());
    std::vector<std::string> ids;
    {
        Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.log();
        ASSERT_TRUE(eventually(
            [&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
        std::atomic<bool> stop{false};
        std::vector<std::thread> clients;
        std::mutex mutex;
        for (int c = 0; c < 4; ++c) {
            clients.emplace_back([&, c] {
                for (int i = 0; !stop; ++i) {
                    const auto reply =
                        http(gateway.port(), "POST", "/v1/messages",
                             submit_body("+989121" + std::to_string(c) + std::to_string(10000 + i),
                                         "load " + std::to_string(i)));
                    if (reply.status != 202) continue;  // the kill cut it: not acknowledged
                    const auto got = ids_in(reply.body);
                    const std::lock_guard lock(mutex);
                    ids.insert(ids.end(), got.begin(), got.end());
                }
            });
        }
        eventually([&] {
            const std::lock_guard lock(mutex);
            return ids.size() >= 100;
        });
        gateway.process().signal(SIGKILL);
        EXPECT_EQ(exit_code(gateway.process().wait(5s)), -SIGKILL)
            << read_all(dir.path() / "bindery.out") << gateway.log();
        stop = true;
        for (auto& t : clients) t.join();
    }
    ASSERT_GE(ids.size(), 100U);
    const std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size());

    Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    std::size_t delivered = 0;
    std::size_t sent = 0;
    for (const auto& id : ids) {
        std::string body;
        EXPECT_TRUE(eventually(
            [&] {
                body = http(restarted.port(), "GET", "/v1/messages/" + id).body;
                const auto state = state_in(body);
                return is_final(state) || state == "SENT";
            },
            60s))
            << id << " " << body;
        // Those SENT get their receipt a moment later, unless it was the one lost with the process.
        eventually(
            [&] {
                body = http(restarted.port(), "GET", "/v1/messages/" + id).body;
                return is_final(state_in(body));
            },
            2s);
        const auto state = state_in(body);
        delivered += state == "DELIVERED" ? 1 : 0;
        sent += state == "SENT" ? 1 : 0;
    }
    // The simulator's only outcome is DELIVRD: every message was delivered but those whose receipt
    // died with the process.
    EXPECT_EQ(delivered + sent, ids.size());
    EXPECT_GE(delivered, ids.size() - 20);
    std::cout << ids.size() << " acknowledged, " << delivered << " delivered, " << sent
              << " left SENT\n";
    restarted.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(restarted.process().wait(10s)), 0)
        << read_all(dir.path() / "bindery.out") << restarted.log();
}

}  // namespace
