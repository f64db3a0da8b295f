#pragma once
// A running `bindery serve` (the real binary) with the bundled SMSC simulator as its carrier, for
// tests that look at the gateway from outside: the metrics scrape and the load generator.
// Loopback, port 0 everywhere; the gateway's HTTP port is read from its JSON log.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace bindery::test::harness {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const std::string kBindery = BINDERY_BINARY_DIR "/app/bindery";
inline const std::string kSimulator = BINDERY_BINARY_DIR "/tools/smsc-sim/bindery-smsc-sim";
inline const std::string kKey = "harness-test-key";

struct HttpReply {
    int status = 0;  // 0: no answer
    std::string body;
};

// One HTTP/1.1 request on a fresh connection (Connection: close), read to EOF.
inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& target,
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
    // "HTTP/1.x nnn": Alertmanager (tests/integration/alertmanager_e2e_test.cpp) is asked too.
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return reply;
    reply.status = std::stoi(response.substr(9, 3));
    const auto head_end = response.find("\r\n\r\n");
    if (head_end != std::string::npos) reply.body = response.substr(head_end + 4);
    return reply;
}

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
        if (port_ == 0 && eventually([&] { return !read_all(port_file_).empty(); }, 10s))
            port_ = static_cast<std::uint16_t>(std::stoul(read_all(port_file_)));
        return port_;
    }

private:
    fs::path port_file_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

// smpp_server_extra for write_config: one SMPP server account, esme1 / pw, for client "test".
inline const std::string kEsmeAccount =
    "  accounts:\n    - system_id: esme1\n      password: pw\n      client: test\n";

// The value of one series in a /metrics text (exact name and labels as rendered), or -1.
inline double metric_value(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

// `smpp_server_extra`, `store_extra`: more keys of those sections, each line indented by two
// spaces (TLS, accounts; record_dispatch).
inline fs::path write_config(const fs::path& dir, std::uint16_t carrier_port,
                             const std::string& smpp_server_extra = {},
                             const std::string& store_extra = {}) {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path) << "process:\n  io_threads: 2\n  drain_timeout: 5s\n"
                           "logging:\n  level: info\n  format: json\n  file: "
                        << (dir / "bindery.log").string()
                        << "\nstore:\n  path: " << (dir / "var" / "bindery.db").string()
                        << "\n  synchronous: normal\n"
                        << store_extra
                        << "http:\n  listen: 127.0.0.1:0\n"
                           // An ephemeral port: the default 2776 would clash between tests run
                           // in parallel (and with a `make run` on the same machine).
                           "smpp_server:\n  listen: 127.0.0.1:0\n"
                        << smpp_server_extra
                        << "carriers:\n  - name: sim\n    kind: smpp\n    address: 127.0.0.1:"
                        << carrier_port
                        << "\n    system_id: bindery\n    password: secret\n    window: 20\n"
                           "    reconnect: {initial: 100ms, max: 1s}\n"
                           "routes:\n  - name: default\n    providers: [sim]\n"
                           "clients:\n  - name: test\n    api_key: "
                        << kKey << "\n    rate: 100000\n    burst: 100000\n";
    return path;
}

class Gateway {
public:
    Gateway(const fs::path& dir, const fs::path& config) : log_(dir / "bindery.log") {
        generation_ = read_all(log_).size();  // a restart appends to the same log
        process_ = std::make_unique<Process>(
            kBindery, std::vector<std::string>{"serve", "--config", config.string()},
            dir / "bindery.out");
        static const std::regex listening(R"re("msg":"http listening","port":"?([0-9]+))re");
        eventually([&] {
            const auto text = read_all(log_).substr(generation_);
            std::smatch m;
            if (!std::regex_search(text, m, listening)) return false;
            port_ = static_cast<std::uint16_t>(std::stoul(m[1]));
            return true;
        });
    }
    std::uint16_t port() const { return port_; }
    // The SMPP server side's port (0: not listening within the wait).
    std::uint16_t smpp_port() const {
        static const std::regex listening(R"re("msg":"smpp listening","port":"?([0-9]+))re");
        std::uint16_t port = 0;
        eventually([&] {
            const auto text = read_all(log_).substr(generation_);
            std::smatch m;
            if (!std::regex_search(text, m, listening)) return false;
            port = static_cast<std::uint16_t>(std::stoul(m[1]));
            return true;
        });
        return port;
    }
    Process& process() { return *process_; }
    std::string log() const { return read_all(log_); }

private:
    fs::path log_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
    std::size_t generation_ = 0;
};

}  // namespace bindery::test::harness
