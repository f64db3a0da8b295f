// Fault scenarios run the real executables: `bindery serve` on a temporary configuration with a
// real SQLite file, and `bindery-smsc-sim` as its carrier, both children of the test on loopback.
// This header holds what every scenario needs: the two processes, a small blocking HTTP client,
// the simulator's counters (its --stats-interval JSON lines) and the accounting check that ends
// every scenario (docs/faults.md).

#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/child_process.hpp"

namespace bindery::faults {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::eventually;
using test::exit_code;
using test::Process;
using test::read_all;
using test::TempDir;

inline const std::string kBindery = BINDERY_BINARY_DIR "/app/bindery";
inline const std::string kSimulator = BINDERY_BINARY_DIR "/tools/smsc-sim/bindery-smsc-sim";
inline const std::string kKey = "fault-test-key";

// A connected loopback TCP socket (-1 on failure), closed by the owner.
inline int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{30, 0};  // no recv blocks a test forever
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

inline bool send_all(int fd, std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

struct HttpReply {
    int status = 0;  // 0: no answer (refused, closed)
    std::string head;
    std::string body;
};

inline HttpReply parse_reply(const std::string& response) {
    HttpReply reply;
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return reply;
    reply.status = std::stoi(response.substr(9, 3));
    const auto head_end = response.find("\r\n\r\n");
    if (head_end != std::string::npos) {
        reply.head = response.substr(0, head_end);
        reply.body = response.substr(head_end + 4);
    }
    return reply;
}

// One HTTP/1.1 request on a fresh connection (Connection: close), read to EOF.
inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = {}, const std::string& key = kKey) {
    const int fd = connect_loopback(port);
    if (fd < 0) return {};
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.empty()) request += "Authorization: Bearer " + key + "\r\n";
    if (!body.empty()) {
        request +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
    }
    request += "\r\n" + body;
    std::string response;
    if (send_all(fd, request)) {
        char buffer[8192];
        for (;;) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            response.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return parse_reply(response);
}

inline std::vector<std::string> ids_in(const std::string& body) {
    static const std::regex id(R"re("id":"([0-9a-f-]{36})")re");
    std::vector<std::string> out;
    for (std::sregex_iterator it(body.begin(), body.end(), id), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

// The message's own state: the last "state" key of a GET /v1/messages/{id} body (history entries
// use from/to).
inline std::string state_in(const std::string& body) {
    static const std::regex state(R"re("state":"([A-Z_]+)")re");
    std::string last;
    for (std::sregex_iterator it(body.begin(), body.end(), state), end; it != end; ++it)
        last = (*it)[1];
    return last;
}

inline bool is_final(const std::string& state) {
    return state == "DELIVERED" || state == "UNDELIVERABLE" || state == "EXPIRED" ||
           state == "REJECTED" || state == "FAILED_PERM" || state == "DEAD_LETTER" ||
           state == "CANCELLED";
}

// A numeric member of the simulator's last counters line ("submits", "stalled", ...); 0 before
// the first line.
inline std::uint64_t counter_in(const std::string& log, const std::string& name) {
    const std::regex field("\"" + name + "\":([0-9]+)");
    std::uint64_t last = 0;
    for (std::sregex_iterator it(log.begin(), log.end(), field), end; it != end; ++it)
        last = std::stoull((*it)[1]);
    return last;
}

// The simulator on an ephemeral port, printing its counters every second.
class Simulator {
public:
    Simulator(const fs::path& dir, const std::vector<std::string>& extra)
        : port_file_(dir / "sim.port"), out_(dir / "sim.out") {
        std::vector<std::string> args{
            "--listen",         "127.0.0.1:0", "--port-file", port_file_.string(),
            "--stats-interval", "1",           "--seed",      "7"};
        args.insert(args.end(), extra.begin(), extra.end());
        process_ = std::make_unique<Process>(kSimulator, args, out_, dir / "sim.err");
    }
    std::uint16_t port() {
        if (port_ == 0 && eventually([&] { return !read_all(port_file_).empty(); }, 20s)) {
            port_ = static_cast<std::uint16_t>(std::stoul(read_all(port_file_)));
        }
        return port_;
    }
    std::uint64_t counter(const std::string& name) const {
        return counter_in(read_all(out_), name);
    }
    std::string output() const { return read_all(out_); }
    Process& process() { return *process_; }

private:
    fs::path port_file_;
    fs::path out_;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

struct GatewayOptions {
    std::string response_timeout = "10s";
    std::string http_read_timeout = "10s";
    unsigned window = 20;
};

inline fs::path write_config(const fs::path& dir, std::uint16_t carrier_port,
                             const GatewayOptions& o = {}) {
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
                           "  read_timeout: "
                        << o.http_read_timeout
                        << "\n"
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
                           "    window: "
                        << o.window
                        << "\n"
                           "    response_timeout: "
                        << o.response_timeout
                        << "\n"
                           "    reconnect: {initial: 100ms, max: 1s}\n"
                           "routes:\n"
                           "  - name: default\n"
                           "    providers: [sim]\n"
                           "clients:\n"
                           "  - name: test\n"
                           "    api_key: "
                        << kKey
                        << "\n"
                           "    rate: 100000\n"
                           "    burst: 100000\n";
    return path;
}

// A running `bindery serve`; its HTTP port read from its log (the configuration asks for port 0).
class Gateway {
public:
    Gateway(const fs::path& dir, const fs::path& config) : dir_(dir), log_(dir / "bindery.log") {
        generation_ = read_all(log_).size();  // a restart appends to the same log
        process_ = std::make_unique<Process>(
            kBindery, std::vector<std::string>{"serve", "--config", config.string()},
            dir / "bindery.out");
        static const std::regex listening(R"re("msg":"http listening","port":"?([0-9]+))re");
        eventually(
            [&] {
                const auto text = log_text();
                std::smatch m;
                if (!std::regex_search(text, m, listening)) return false;
                port_ = static_cast<std::uint16_t>(std::stoul(m[1]));
                return true;
            },
            30s);
    }
    std::uint16_t port() const { return port_; }
    Process& process() { return *process_; }
    // This run's part of the log.
    std::string log_text() const {
        const auto all = read_all(log_);
        return all.size() > generation_ ? all.substr(generation_) : std::string{};
    }
    std::string diagnostics() const { return log_text() + read_all(dir_ / "bindery.out"); }
    bool ready() const { return http(port_, "GET", "/readyz", {}, {}).status == 200; }
    // SIGTERM, and the exit code once it stopped.
    int stop() {
        process_->signal(SIGTERM);
        return exit_code(process_->wait(30s));
    }

private:
    fs::path dir_;
    fs::path log_;
    std::size_t generation_ = 0;
    std::unique_ptr<Process> process_;
    std::uint16_t port_ = 0;
};

inline std::string submit_body(const std::vector<std::string>& to, const std::string& text) {
    std::string list;
    for (const auto& t : to) list += (list.empty() ? "\"" : ",\"") + t + "\"";
    return R"({"to":[)" + list + R"(],"from":"Bindery","text":")" + text + R"("})";
}

// `count` distinct recipients starting at `first` (E.164, Iranian mobile range).
inline std::vector<std::string> recipients(int first, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back("+98912" + std::to_string(1000000 + first + i));
    return out;
}

// Submits `requests` requests of `per_request` recipients each; the ids acknowledged with 202.
inline std::vector<std::string> submit_many(std::uint16_t port, int requests, int per_request,
                                            int first = 0, const std::string& text = "fault") {
    std::vector<std::string> ids;
    for (int r = 0; r < requests; ++r) {
        const auto reply = http(port, "POST", "/v1/messages",
                                submit_body(recipients(first + r * per_request, per_request),
                                            text + " " + std::to_string(r)));
        if (reply.status != 202) continue;
        const auto got = ids_in(reply.body);
        ids.insert(ids.end(), got.begin(), got.end());
    }
    return ids;
}

// The accounting at the end of every scenario: every acknowledged id is found (final or still
// queued), and the store holds nothing else (the listing counts exactly the acknowledged ids).
struct Accounting {
    std::size_t acknowledged = 0;
    std::size_t found = 0;
    std::size_t final_state = 0;
    std::size_t still_queued = 0;    // found, not final
    std::size_t listed = 0;          // GET /v1/messages, every page
    std::size_t listed_unknown = 0;  // listed but never acknowledged
    std::vector<std::string> missing;
    std::map<std::string, std::size_t> states;

    std::size_t in(const std::string& state) const {
        const auto it = states.find(state);
        return it == states.end() ? 0 : it->second;
    }
    bool balanced() const {
        return missing.empty() && found == acknowledged &&
               final_state + still_queued == acknowledged && listed == acknowledged &&
               listed_unknown == 0;
    }
    std::string summary() const {
        std::ostringstream s;
        s << "acknowledged " << acknowledged << ", found " << found << " (final " << final_state
          << ", still queued " << still_queued << "), listed " << listed << " (" << listed_unknown
          << " unknown), missing " << missing.size() << "; states:";
        for (const auto& [state, n] : states) s << " " << state << "=" << n;
        return s.str();
    }
};

inline Accounting account(std::uint16_t port, const std::vector<std::string>& ids) {
    Accounting a;
    a.acknowledged = ids.size();
    for (const auto& id : ids) {
        const auto reply = http(port, "GET", "/v1/messages/" + id);
        if (reply.status != 200) {
            a.missing.push_back(id);
            continue;
        }
        const auto state = state_in(reply.body);
        ++a.found;
        ++a.states[state];
        (is_final(state) ? a.final_state : a.still_queued) += 1;
    }
    const std::set<std::string> known(ids.begin(), ids.end());
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {  // bounded: 1000 pages of 1000
        const auto reply = http(
            port, "GET", "/v1/messages?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
        if (reply.status != 200) {
            a.listed_unknown = static_cast<std::size_t>(-1);  // cannot list: never balanced
            break;
        }
        // Listings carry no history: each "id" is one message.
        for (const auto& id : ids_in(reply.body)) {
            ++a.listed;
            if (known.count(id) == 0) ++a.listed_unknown;
        }
        static const std::regex next(R"re("next_cursor":"([^"]+)")re");
        std::smatch m;
        if (!std::regex_search(reply.body, m, next)) break;
        cursor = m[1];
    }
    return a;
}

// Polls until every acknowledged message is in a final state; the last accounting.
inline Accounting account_when_final(std::uint16_t port, const std::vector<std::string>& ids,
                                     std::chrono::milliseconds limit) {
    Accounting last;
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        last = account(port, ids);
        if (last.final_state == ids.size() || std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(250ms);
    }
    return last;
}

}  // namespace bindery::faults
