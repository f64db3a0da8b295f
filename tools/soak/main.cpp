// bindery-soak: a long mixed workload against a gateway, watching for resources that grow without
// bound and for accepted messages that go missing. See `usage()` and docs/soak.md.
//
// Without --gateway it starts its own: bindery-smsc-sim (receipts on, a realistic outcome mix) and
// `bindery serve` on a generated configuration with a real SQLite file in a work directory.
// Workload: HTTP submits on keep-alive connections at a fixed arrival rate (one request in ten a
// batch), Alertmanager webhooks when the gateway serves them, receipts from the simulator; SMPP
// clients on the gateway's server side when it is wired. Every --interval it samples the gateway's
// RSS and open descriptors (/proc) and its backlog and error counters (/metrics), prints a table
// row, and at the end a verdict: RSS and descriptors judged by the growth criterion of growth.hpp,
// and the accounting (every acknowledged id found in the gateway's listing, final or still queued).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tools/soak/growth.hpp"
#include "tools/soak/http_client.hpp"
#include "tools/soak/ids.hpp"
#include "tools/soak/probe.hpp"
#include "tools/soak/smpp_clients.hpp"

extern char** environ;

namespace bindery::soak {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

const char* const kKey = "soak-key";
const char* const kSmppSystemId = "soak";  // the SMPP account of the generated configuration
const char* const kSmppPassword = "soak-pw";

struct Options {
    double duration = 60;         // seconds of load
    double rate = 200;            // messages per second (arrival rate of recipients)
    unsigned connections = 4;     // HTTP keep-alive connections, one thread each
    unsigned batch = 5;           // recipients of every tenth request
    double interval = 5;          // seconds between samples
    double drain = 120;           // seconds to wait for the backlog to reach final states
    double alert_every = 10;      // seconds between Alertmanager webhooks (0: none)
    unsigned smpp_sessions = 2;   // ESMEs bound as transceivers to the gateway's SMPP server side
    double smpp_share = 20;       // percent of --rate submitted through them
    unsigned smpp_window = 20;    // per session
    bool record_dispatch = true;  // the started gateway's store.record_dispatch
    std::string gateway;          // HOST:PORT of an existing gateway (empty: start one)
    std::string key = kKey;
    pid_t pid = 0;  // the existing gateway's pid (RSS/fds), 0: not sampled
    std::string bindery, simulator, dir, json;
    std::string sim_args = "--dlr-delay 200 --dlr-mix DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2";
    double rss_slack_mb = 32, rss_slack_frac = 0.10, fd_slack = 16;
    bool help = false;
};

std::string usage() {
    return R"(usage: bindery-soak [options]
  --duration T         how long the load runs: 90, 90s, 15m, 1h (default 60 s)
  --rate N             messages per second, fixed arrival rate (default 200)
  --connections N      HTTP keep-alive connections (default 4)
  --batch N            recipients of every tenth request (default 5; the others carry one)
  --interval S         seconds between samples (default 5)
  --drain S            after the load, wait up to S s for messages to reach final states (120)
  --alert-every S      an Alertmanager webhook every S s when the gateway serves them (10, 0 off)
  --smpp-sessions N    SMPP transceiver sessions bound to the gateway's server side (default 2;
                       0 off; only with the gateway the soak starts)
  --smpp-share P       percent of --rate submitted over SMPP, registered_delivery=1 (default 20)
  --smpp-window N      outstanding submit_sm per session (default 20)
  --record-dispatch B  the started gateway's store.record_dispatch: 1 (default) or 0
  --gateway HOST:PORT  use a running gateway instead of starting one (with --key, --pid)
  --key KEY            its API key (default soak-key)
  --pid PID            its process id, to sample RSS and descriptors
  --bindery PATH       bindery executable (default: next to this one in the build tree)
  --simulator PATH     bindery-smsc-sim executable (same)
  --sim-args "ARGS"    simulator options (default "--dlr-delay 200 --dlr-mix DELIVRD=90,...")
  --dir PATH           work directory (configuration, database, logs; default a new temp dir)
  --json PATH          write the report as JSON (also printed on the last line of stdout)
  --rss-slack-mb N     allowed RSS rise over the second half, MiB (default 32) ...
  --rss-slack-frac F   ... or this fraction of its mean, whichever is larger (default 0.10)
  --fd-slack N         allowed descriptor rise over the second half (default 16)
Exit status: 0 pass, 1 fail (growth or unaccounted messages), 2 usage or setup error.
)";
}

double number(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0' || d < 0 || !std::isfinite(d))
        throw std::invalid_argument(opt + ": expected a non-negative number, got '" + v + "'");
    return d;
}

// Seconds, with an optional unit: 90, 90s, 15m, 1h.
double seconds(const std::string& opt, std::string v) {
    double unit = 1;
    if (!v.empty() && (v.back() == 's' || v.back() == 'm' || v.back() == 'h')) {
        unit = v.back() == 'h' ? 3600 : v.back() == 'm' ? 60 : 1;
        v.pop_back();
    }
    return number(opt, v) * unit;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        }
        if (i + 1 >= argc) throw std::invalid_argument(a + ": missing value (or unknown option)");
        const std::string v = argv[++i];
        if (a == "--duration")
            o.duration = seconds(a, v);
        else if (a == "--rate")
            o.rate = number(a, v);
        else if (a == "--connections")
            o.connections = static_cast<unsigned>(number(a, v));
        else if (a == "--batch")
            o.batch = static_cast<unsigned>(number(a, v));
        else if (a == "--interval")
            o.interval = seconds(a, v);
        else if (a == "--drain")
            o.drain = seconds(a, v);
        else if (a == "--alert-every")
            o.alert_every = seconds(a, v);
        else if (a == "--smpp-sessions")
            o.smpp_sessions = static_cast<unsigned>(number(a, v));
        else if (a == "--smpp-share")
            o.smpp_share = number(a, !v.empty() && v.back() == '%' ? v.substr(0, v.size() - 1) : v);
        else if (a == "--smpp-window")
            o.smpp_window = static_cast<unsigned>(number(a, v));
        else if (a == "--record-dispatch")
            o.record_dispatch = number(a, v) != 0;
        else if (a == "--gateway")
            o.gateway = v;
        else if (a == "--key")
            o.key = v;
        else if (a == "--pid")
            o.pid = static_cast<pid_t>(number(a, v));
        else if (a == "--bindery")
            o.bindery = v;
        else if (a == "--simulator")
            o.simulator = v;
        else if (a == "--sim-args")
            o.sim_args = v;
        else if (a == "--dir")
            o.dir = v;
        else if (a == "--json")
            o.json = v;
        else if (a == "--rss-slack-mb")
            o.rss_slack_mb = number(a, v);
        else if (a == "--rss-slack-frac")
            o.rss_slack_frac = number(a, v);
        else if (a == "--fd-slack")
            o.fd_slack = number(a, v);
        else
            throw std::invalid_argument("unknown option " + a);
    }
    if (o.rate <= 0) throw std::invalid_argument("--rate: must be above 0");
    if (o.connections == 0) throw std::invalid_argument("--connections: must be at least 1");
    if (o.interval <= 0) throw std::invalid_argument("--interval: must be above 0");
    o.batch = std::max(1U, std::min(o.batch, 100U));
    if (o.smpp_share > 90) throw std::invalid_argument("--smpp-share: at most 90 (percent)");
    o.smpp_sessions = std::min(o.smpp_sessions, 64U);
    o.smpp_window = std::max(1U, std::min(o.smpp_window, 1000U));
    return o;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// ---------------------------------------------------------------------------------------------
// Child processes

class Child {
public:
    Child(const std::string& binary, const std::vector<std::string>& args, const fs::path& output) {
        std::vector<std::string> storage{binary};
        storage.insert(storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        argv.reserve(storage.size() + 1);
        for (auto& a : storage) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, defaults;
        sigemptyset(&none);
        sigemptyset(&defaults);
        for (int s : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1}) sigaddset(&defaults, s);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        // Own process group: the terminal's Ctrl-C reaches the soak, which stops the children in
        // order (gateway drained first, then the simulator).
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(
            &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        if (::posix_spawn(&pid_, binary.c_str(), &actions, &attr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    ~Child() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            int ignored = 0;
            ::waitpid(pid_, &ignored, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    bool running() {
        if (pid_ <= 0 || status_) return false;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) status_ = st;
        return !status_;
    }
    // SIGTERM, then the exit code (negative: the signal) once it ended within `limit`; SIGKILL
    // after.
    int stop(std::chrono::seconds limit) {
        if (pid_ <= 0) return -1000;
        if (running()) ::kill(pid_, SIGTERM);
        const auto until = Steady::now() + limit;
        while (running() && Steady::now() < until) std::this_thread::sleep_for(20ms);
        if (running()) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            ::waitpid(pid_, &st, 0);
            status_ = st;
            return -SIGKILL;
        }
        return WIFSIGNALED(*status_) ? -WTERMSIG(*status_) : WEXITSTATUS(*status_);
    }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

template <class Predicate>
bool wait_for(Predicate p, std::chrono::milliseconds limit) {
    const auto until = Steady::now() + limit;
    while (Steady::now() < until) {
        if (p()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return p();
}

std::vector<std::string> split_args(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Every "id":"<uuid>" in a JSON body, with the "state" that follows it in the same object.
std::vector<std::pair<Id, std::string>> ids_and_states(const std::string& body) {
    std::vector<std::pair<Id, std::string>> out;
    std::size_t pos = 0;
    while ((pos = body.find("\"id\":\"", pos)) != std::string::npos) {
        pos += 6;
        const auto end = body.find('"', pos);
        if (end == std::string::npos) break;
        const auto id = parse_id(std::string_view(body).substr(pos, end - pos));
        pos = end;
        if (!id) continue;
        std::string state;
        const auto next_id = body.find("\"id\":\"", pos);
        const auto st = body.find("\"state\":\"", pos);
        if (st != std::string::npos && st < next_id) {
            const auto from = st + 9;
            state = body.substr(from, body.find('"', from) - from);
        }
        out.emplace_back(*id, state);
    }
    return out;
}

bool is_final(const std::string& state) {
    return state == "DELIVERED" || state == "UNDELIVERABLE" || state == "EXPIRED" ||
           state == "REJECTED" || state == "FAILED_PERM" || state == "DEAD_LETTER" ||
           state == "CANCELLED";
}

// ---------------------------------------------------------------------------------------------
// Workload

struct LoadStats {
    std::mutex mutex;
    std::vector<Id> acknowledged;
    std::vector<float> latency_ms;  // per request
    std::map<int, std::uint64_t> statuses;
    std::uint64_t requests = 0;
    std::uint64_t messages_sent = 0;  // recipients in the requests sent
    std::uint64_t alerts_sent = 0, alerts_ok = 0;
    std::atomic<std::uint64_t> acknowledged_count{0};  // for the samples, without the lock
};

std::string submit_body(std::uint64_t n, unsigned recipients) {
    std::string to;
    for (unsigned r = 0; r < recipients; ++r) {
        if (!to.empty()) to += ',';
        to += "\"+98912" + std::to_string(1000000 + (n * 7 + r) % 9000000) + "\"";
    }
    // Every fifth text needs two segments, every seventh is UCS-2.
    std::string text = "soak " + std::to_string(n);
    if (n % 5 == 0) text += " " + std::string(170, 'x');
    if (n % 7 == 0) text += " \\u0633\\u0644\\u0627\\u0645";
    return R"({"to":[)" + to + R"(],"from":"Soak","text":")" + text + R"("})";
}

void http_worker(const std::string& host, std::uint16_t port, const Options& o, unsigned index,
                 Steady::time_point start, Steady::time_point end, std::atomic<bool>& stop,
                 LoadStats& stats) {
    HttpClient client(host, port);
    const std::string headers = "Authorization: Bearer " + o.key + "\r\n";
    // Requests per second for this connection: the recipients' rate over the mean request size.
    const double mean_recipients = (9.0 + o.batch) / 10.0;
    const double per_connection = o.rate / mean_recipients / o.connections;
    const auto gap = std::chrono::duration<double>(1.0 / per_connection);
    std::vector<Id> ids;
    std::vector<float> latencies;
    std::map<int, std::uint64_t> statuses;
    std::uint64_t sent = 0, requests = 0;
    for (std::uint64_t k = 0; !stop; ++k) {
        // Open loop: request k is due at start + (k + index / connections) * gap, whatever the
        // answers took (a late request leaves at once; no catch-up burst beyond that).
        const auto due =
            start +
            std::chrono::duration_cast<Steady::duration>(
                gap * (static_cast<double>(k) + static_cast<double>(index) / o.connections));
        if (due >= end) break;
        std::this_thread::sleep_until(due);
        const std::uint64_t n = k * o.connections + index;
        const unsigned recipients = n % 10 == 9 ? o.batch : 1;
        const auto t0 = Steady::now();
        const auto reply =
            client.request("POST", "/v1/messages", headers, submit_body(n, recipients));
        latencies.push_back(std::chrono::duration<float, std::milli>(Steady::now() - t0).count());
        ++requests;
        sent += recipients;
        ++statuses[reply.status];
        if (reply.status == 202) {
            for (const auto& [id, state] : ids_and_states(reply.body)) {
                ids.push_back(id);
                ++stats.acknowledged_count;
            }
        }
        if (ids.size() >= 4096) {
            const std::lock_guard lock(stats.mutex);
            stats.acknowledged.insert(stats.acknowledged.end(), ids.begin(), ids.end());
            ids.clear();
        }
    }
    const std::lock_guard lock(stats.mutex);
    stats.acknowledged.insert(stats.acknowledged.end(), ids.begin(), ids.end());
    stats.latency_ms.insert(stats.latency_ms.end(), latencies.begin(), latencies.end());
    for (const auto& [s, n] : statuses) stats.statuses[s] += n;
    stats.requests += requests;
    stats.messages_sent += sent;
}

std::string alert_payload(std::uint64_t n, bool firing) {
    const std::string status = firing ? "firing" : "resolved";
    const std::string name = "SoakAlert" + std::to_string(n % 3);
    return R"({"version":"4","groupKey":"{}:{alertname=\")" + name +
           R"(\"}","truncatedAlerts":0,"status":")" + status +
           R"(","receiver":"soak","groupLabels":{"alertname":")" + name +
           R"("},"commonLabels":{"alertname":")" + name +
           R"(","severity":"critical"},"commonAnnotations":{"summary":"soak alert )" +
           std::to_string(n) + R"("},"externalURL":"http://soak","alerts":[{"status":")" + status +
           R"(","labels":{"alertname":")" + name +
           R"(","severity":"critical"},"annotations":{"summary":"soak alert )" + std::to_string(n) +
           R"("},"startsAt":"2026-01-01T00:00:00Z","endsAt":")" +
           (firing ? "0001-01-01T00:00:00Z" : "2026-01-01T00:05:00Z") +
           R"(","generatorURL":"","fingerprint":"00000000000000)" + std::to_string(10 + n % 3) +
           R"("}]})";
}

// ---------------------------------------------------------------------------------------------
// Samples

struct Row {
    double t = 0;
    double rss = -1, fds = -1;  // -1: not sampled
    double backlog = -1, queue = -1, store_errors = -1, accepted_total = -1;
    std::uint64_t acknowledged = 0, http_errors = 0;
    double smpp_ok = -1, smpp_receipts = -1;  // -1: no SMPP clients
};

std::string fmt(double v, int decimals = 0) {
    if (v < 0) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string json_number(double v) {
    if (v < 0 || !std::isfinite(v)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out;
}

double percentile(std::vector<float> v, double p) {
    if (v.empty()) return -1;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]);
}

std::string growth_json(const Growth& g, double per_hour_unit) {
    std::ostringstream s;
    s << R"({"first":)" << json_number(g.first) << R"(,"last":)" << json_number(g.last)
      << R"(,"peak":)" << json_number(g.peak) << R"(,"slope_per_hour":)"
      << (std::isfinite(g.fit.slope) ? std::to_string(g.fit.slope * 3600 / per_hour_unit) : "0")
      << R"(,"second_half_rise":)" << json_number(std::max(0.0, g.rise)) << R"(,"allowed":)"
      << json_number(g.allowed) << R"(,"unbounded":)" << (g.unbounded ? "true" : "false") << "}";
    return s.str();
}

volatile std::sig_atomic_t g_interrupted = 0;

int run(const Options& o) {
    const auto self = fs::canonical("/proc/self/exe").parent_path();
    std::unique_ptr<Child> sim, gateway;
    std::function<std::uint16_t()> start_gateway;  // own gateway: (re)start it, its HTTP port
    fs::path dir;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    pid_t pid = o.pid;
    bool own = o.gateway.empty();

    if (own) {
        const auto bindery = o.bindery.empty() ? (self / "../../app/bindery").string() : o.bindery;
        const auto simulator =
            o.simulator.empty() ? (self / "../smsc-sim/bindery-smsc-sim").string() : o.simulator;
        for (const auto& p : {bindery, simulator}) {
            if (::access(p.c_str(), X_OK) != 0) {
                std::cerr << "bindery-soak: cannot run " << p << " (see --bindery, --simulator)\n";
                return 2;
            }
        }
        if (o.dir.empty()) {
            std::string pattern = (fs::temp_directory_path() / "bindery-soak-XXXXXX").string();
            if (::mkdtemp(pattern.data()) == nullptr) return 2;
            dir = pattern;
        } else {
            dir = o.dir;
            fs::create_directories(dir);
        }
        // An ASan build keeps up to 256 MiB of freed memory in quarantine, which reads as RSS
        // growth: keep it small unless the caller chose.
        ::setenv("ASAN_OPTIONS", "quarantine_size_mb=16:malloc_context_size=5", 0);
        auto sim_args = split_args(o.sim_args);
        const auto port_file = dir / "sim.port";
        fs::remove(port_file);
        std::vector<std::string> args{"--listen", "127.0.0.1:0", "--port-file", port_file.string()};
        args.insert(args.end(), sim_args.begin(), sim_args.end());
        sim = std::make_unique<Child>(simulator, args, dir / "sim.log");
        if (!wait_for([&] { return !read_all(port_file).empty(); }, 20s)) {
            std::cerr << "bindery-soak: the simulator did not start:\n"
                      << read_all(dir / "sim.log");
            return 2;
        }
        const auto sim_port = std::stoul(read_all(port_file));
        const auto config = dir / "bindery.yaml";
        std::ofstream(config) << "process:\n  drain_timeout: 10s\n"
                                 "logging:\n  level: info\n  format: json\n  file: "
                              << (dir / "bindery.log").string()
                              << "\nstore:\n  path: " << (dir / "bindery.db").string()
                              << "\n  synchronous: normal\n  commit_interval: 0ms\n"
                              << (o.record_dispatch ? "" : "  record_dispatch: false\n")
                              << "http:\n  listen: 127.0.0.1:0\n"
                                 "smpp_server:\n  listen: 127.0.0.1:0\n"
                                 "  accounts:\n    - system_id: "
                              << kSmppSystemId << "\n      password: " << kSmppPassword
                              << "\n      max_binds: " << std::max(1U, o.smpp_sessions)
                              << "\n      window: " << o.smpp_window
                              << "\n      bind_types: [trx]\n      client: soak\n"
                                 "carriers:\n  - name: sim\n    kind: smpp\n    address: 127.0.0.1:"
                              << sim_port
                              << "\n    system_id: bindery\n    password: secret\n    count: 2\n"
                                 "    window: 50\n    reconnect: {initial: 100ms, max: 2s}\n"
                                 "routes:\n  - name: default\n    providers: [sim]\n"
                                 "clients:\n  - name: soak\n    api_key: "
                              << o.key
                              << "\n    rate: 1000000\n    burst: 1000000\n"
                                 "  - name: alerts\n    api_key: soak-alerts-key\n"
                                 "alerting:\n  receivers:\n    - name: soak\n"
                                 "      recipients: [\"+989120000001\", \"+989120000002\"]\n"
                                 "      client: alerts\n";
        start_gateway = [&, bindery, config]() -> std::uint16_t {
            const auto generation = read_all(dir / "bindery.log").size();  // a restart appends
            gateway = std::make_unique<Child>(
                bindery, std::vector<std::string>{"serve", "--config", config.string()},
                dir / "bindery.out");
            pid = gateway->pid();
            static const std::regex listening(R"re("msg":"http listening","port":"?([0-9]+))re");
            std::uint16_t found_port = 0;
            wait_for(
                [&] {
                    const auto text = read_all(dir / "bindery.log").substr(generation);
                    std::smatch m;
                    if (!std::regex_search(text, m, listening)) return !gateway->running();
                    found_port = static_cast<std::uint16_t>(std::stoul(m[1]));
                    return true;
                },
                60s);
            return found_port;
        };
        port = start_gateway();
        if (port == 0) {
            std::cerr << "bindery-soak: the gateway did not start:\n"
                      << read_all(dir / "bindery.out") << read_all(dir / "bindery.log");
            return 2;
        }
    } else {
        const auto colon = o.gateway.rfind(':');
        if (colon == std::string::npos) {
            std::cerr << "bindery-soak: --gateway HOST:PORT\n";
            return 2;
        }
        host = o.gateway.substr(0, colon);
        port = static_cast<std::uint16_t>(std::stoul(o.gateway.substr(colon + 1)));
    }

    std::unique_ptr<HttpClient> probe_client = std::make_unique<HttpClient>(host, port, 10);
    if (!wait_for([&] { return probe_client->request("GET", "/readyz").status == 200; }, 60s)) {
        std::cerr << "bindery-soak: the gateway is not ready: "
                  << probe_client->request("GET", "/readyz").body << "\n";
        return 2;
    }

    // Which parts of the workload this gateway can take.
    std::cout << "bindery-soak: gateway 127.0.0.1:" << port
              << (pid > 0 ? " pid " + std::to_string(pid) : "")
              << (own ? ", work directory " + dir.string() : "") << "\n";
    const auto alert_probe =
        probe_client->request("POST", "/v1/alertmanager", "", alert_payload(0, false));
    const bool alerts = o.alert_every > 0 && alert_probe.status != 404 && alert_probe.status != 0;
    std::cout << "  alert webhooks: "
              << (alerts ? "one every " + fmt(o.alert_every) + " s to /v1/alertmanager"
                  : o.alert_every <= 0 ? std::string("off (--alert-every 0)")
                                       : "skipped: the gateway does not serve /v1/alertmanager (" +
                                             std::to_string(alert_probe.status) + ")")
              << "\n";
    // SMPP clients: the port from the gateway's log (the last start's "smpp listening" line, which
    // comes once every service runs, so before /readyz answers 200).
    std::uint16_t smpp_port = 0;
    if (own) {
        static const std::regex smpp(R"re("msg":"smpp listening","port":"?([0-9]+))re");
        const auto log = read_all(dir / "bindery.log");
        for (auto it = std::sregex_iterator(log.begin(), log.end(), smpp);
             it != std::sregex_iterator(); ++it)
            smpp_port = static_cast<std::uint16_t>(std::stoul((*it)[1]));
    }
    const bool smpp_wanted = o.smpp_sessions > 0 && o.smpp_share > 0;
    const double smpp_rate = smpp_wanted && smpp_port != 0 ? o.rate * o.smpp_share / 100.0 : 0;
    std::unique_ptr<SmppClients> smpp;
    std::string smpp_skipped;
    if (!smpp_wanted) {
        smpp_skipped = "off (--smpp-sessions 0 or --smpp-share 0)";
    } else if (!own) {
        smpp_skipped = "skipped: only with the gateway bindery-soak starts (its SMPP account)";
    } else if (smpp_port == 0) {
        smpp_skipped =
            "skipped: the gateway's SMPP server side is not wired (no 'smpp listening' "
            "in its log)";
    } else {
        smpp = std::make_unique<SmppClients>(SmppClientsConfig{host, smpp_port, kSmppSystemId,
                                                               kSmppPassword, o.smpp_sessions,
                                                               o.smpp_window, smpp_rate});
        if (!smpp->start(30s)) {
            std::cerr << "bindery-soak: no SMPP session bound to 127.0.0.1:" << smpp_port
                      << " within 30 s\n";
            return 2;
        }
    }
    // HTTP takes what SMPP does not.
    Options http_options = o;
    http_options.rate = o.rate - smpp_rate;
    std::cout << "  HTTP submits: " << fmt(http_options.rate, 1) << " msg/s on " << o.connections
              << " keep-alive connections (every tenth request " << o.batch << " recipients)\n";
    std::cout << "  SMPP clients: "
              << (smpp ? fmt(smpp_rate, 1) + " submit_sm/s on " + std::to_string(o.smpp_sessions) +
                             " transceivers (window " + std::to_string(o.smpp_window) +
                             ", registered_delivery=1) to 127.0.0.1:" + std::to_string(smpp_port)
                       : smpp_skipped)
              << "\n";
    std::cout << "  receipts: "
              << (own ? "from the simulator (" + o.sim_args + ")"
                      : "whatever the gateway's carriers send")
              << "\n\n";

    LoadStats stats;
    std::atomic<bool> stop{false};
    const auto start = Steady::now();
    const auto end = start + std::chrono::duration_cast<Steady::duration>(
                                 std::chrono::duration<double>(o.duration));
    std::vector<std::thread> workers;
    for (unsigned c = 0; c < o.connections; ++c)
        workers.emplace_back(http_worker, host, port, std::cref(http_options), c, start, end,
                             std::ref(stop), std::ref(stats));
    if (smpp) smpp->load(start, end);
    std::thread alerter;
    if (alerts) {
        alerter = std::thread([&] {
            HttpClient client(host, port);
            for (std::uint64_t n = 1; !stop; ++n) {
                const auto due =
                    start +
                    std::chrono::duration_cast<Steady::duration>(
                        std::chrono::duration<double>(o.alert_every * static_cast<double>(n)));
                if (due >= end) break;
                while (!stop && Steady::now() < due) std::this_thread::sleep_for(100ms);
                if (stop) break;
                const auto r =
                    client.request("POST", "/v1/alertmanager", "", alert_payload(n, n % 2 == 1));
                const std::lock_guard lock(stats.mutex);
                ++stats.alerts_sent;
                stats.alerts_ok += r.status >= 200 && r.status < 300 ? 1U : 0U;
            }
        });
    }

    // Sampling, during the load and the drain.
    std::vector<Row> rows;
    auto sample = [&] {
        Row r;
        r.t = std::chrono::duration<double>(Steady::now() - start).count();
        if (pid > 0) {
            if (const auto v = resident_bytes(pid)) r.rss = static_cast<double>(*v);
            if (const auto v = open_descriptors(pid)) r.fds = static_cast<double>(*v);
        }
        const auto metrics = probe_client->request("GET", "/metrics");
        if (metrics.status == 200) {
            r.backlog = metric_sum(metrics.body, "bindery_router_backlog").value_or(-1);
            r.queue = metric_sum(metrics.body, "bindery_queue_depth").value_or(-1);
            r.store_errors = metric_sum(metrics.body, "bindery_store_errors_total").value_or(-1);
            r.accepted_total =
                metric_sum(metrics.body, "bindery_messages_accepted_total").value_or(-1);
        }
        r.acknowledged = stats.acknowledged_count.load();
        if (smpp) {
            const auto f = smpp->figures();
            r.smpp_ok = static_cast<double>(f.ok);
            r.smpp_receipts = static_cast<double>(f.receipts);
        }
        rows.push_back(r);
        std::printf("%8.0f %10s %8s %8s %8s %10s %8s %8s %8s\n", r.t, fmt(r.accepted_total).c_str(),
                    fmt(r.backlog).c_str(), fmt(r.queue).c_str(), fmt(r.store_errors).c_str(),
                    r.rss < 0 ? "-" : fmt(r.rss / 1048576.0, 1).c_str(), fmt(r.fds).c_str(),
                    fmt(r.smpp_ok).c_str(), fmt(r.smpp_receipts).c_str());
        std::fflush(stdout);
    };
    std::printf("%8s %10s %8s %8s %8s %10s %8s %8s %8s\n", "t(s)", "accepted", "backlog", "queue",
                "st.errs", "rss(MiB)", "fds", "smpp.ok", "smpp.dlr");
    const auto interval =
        std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(o.interval));
    auto next = start;
    while (Steady::now() < end && !g_interrupted) {
        sample();
        next += interval;
        while (Steady::now() < std::min(next, end) && !g_interrupted)
            std::this_thread::sleep_for(50ms);
        if (own && !gateway->running()) break;
    }
    stop = true;
    for (auto& w : workers) w.join();
    if (alerter.joinable()) alerter.join();
    // SMPP: no more submits; wait for the answers (bounded by the response timeout), then its
    // acknowledged ids join the accounting. The sessions stay bound through the drain for the
    // receipts.
    std::vector<Id> smpp_ids;
    if (smpp) {
        if (!smpp->stop_sending(45s)) std::cout << "SMPP: submits still unanswered after 45 s\n";
        smpp_ids = smpp->acknowledged();
        stats.acknowledged.insert(stats.acknowledged.end(), smpp_ids.begin(), smpp_ids.end());
        std::sort(smpp_ids.begin(), smpp_ids.end());
    }
    const double load_seconds = std::chrono::duration<double>(Steady::now() - start).count();

    // Drain: wait (sampling on) until the backlog is empty and every acknowledged message is final.
    std::sort(stats.acknowledged.begin(), stats.acknowledged.end());
    std::map<std::string, std::uint64_t> states;
    std::uint64_t found = 0, final_count = 0, listed = 0, unknown = 0, pages = 0;
    bool listing_failed = false;
    auto account = [&] {
        states.clear();
        found = final_count = listed = unknown = pages = 0;
        listing_failed = false;
        std::vector<bool> seen(stats.acknowledged.size(), false);
        std::string cursor;
        const std::string headers = "Authorization: Bearer " + o.key + "\r\n";
        for (;;) {
            const auto page = probe_client->request(
                "GET", "/v1/messages?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor),
                headers);
            if (page.status != 200) {
                listing_failed = true;
                break;
            }
            ++pages;
            for (const auto& [id, state] : ids_and_states(page.body)) {
                ++listed;
                const auto it =
                    std::lower_bound(stats.acknowledged.begin(), stats.acknowledged.end(), id);
                if (it == stats.acknowledged.end() || *it != id) {
                    ++unknown;
                    continue;
                }
                const auto k = static_cast<std::size_t>(it - stats.acknowledged.begin());
                if (seen[k]) continue;
                seen[k] = true;
                ++found;
                ++states[state];
                final_count += is_final(state) ? 1U : 0U;
            }
            const auto c = page.body.find("\"next_cursor\":\"");
            if (c == std::string::npos) break;
            const auto from = c + 15;
            cursor = page.body.substr(from, page.body.find('"', from) - from);
        }
    };
    std::cout << "load done after " << fmt(load_seconds, 1) << " s; draining (up to "
              << fmt(o.drain) << " s)\n";
    const auto drain_end = Steady::now() + std::chrono::duration_cast<Steady::duration>(
                                               std::chrono::duration<double>(o.drain));
    bool died = false;
    int death_status = 0;
    for (;;) {
        if (own && !died && !gateway->running()) {
            // Account anyway: restart it on the same store (recovery resends what was in flight)
            // and keep waiting; the death itself fails the run.
            died = true;
            death_status = gateway->stop(1s);
            std::cout << "the gateway died (exit " << death_status
                      << "): restarting it on the same store for the accounting\n";
            port = start_gateway();
            probe_client = std::make_unique<HttpClient>(host, port, 10);
            wait_for([&] { return probe_client->request("GET", "/readyz").status == 200; }, 60s);
        }
        sample();
        account();
        if (listing_failed || final_count == stats.acknowledged.size() ||
            Steady::now() >= drain_end || g_interrupted || (own && !gateway->running()))
            break;
        const auto wait_until = std::min(drain_end, Steady::now() + interval);
        while (Steady::now() < wait_until && !g_interrupted) std::this_thread::sleep_for(50ms);
    }

    // SMPP receipts: each ESME_ROK submit asked for one (registered_delivery=1) and the gateway
    // sends it once the message is final; give the last ones a few seconds after the accounting.
    SmppFigures smpp_figures;
    std::uint64_t receipts_matched = 0;  // distinct acknowledged SMPP ids a receipt named
    auto match_receipts = [&] {
        auto ids = smpp->receipted();
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        receipts_matched = 0;
        for (const auto& id : ids)
            receipts_matched += std::binary_search(smpp_ids.begin(), smpp_ids.end(), id) ? 1U : 0U;
    };
    if (smpp) {
        const auto receipt_end = std::min(drain_end, Steady::now() + 15s);
        for (;;) {
            match_receipts();
            if (receipts_matched >= smpp_ids.size() || Steady::now() >= receipt_end ||
                g_interrupted)
                break;
            std::this_thread::sleep_for(200ms);
        }
        smpp->close();
        match_receipts();
        smpp_figures = smpp->figures();
    }

    // Verdict.
    std::vector<Sample> rss, fds;
    for (const auto& r : rows) {
        if (r.t > load_seconds) break;  // growth is judged over the load
        if (r.rss >= 0) rss.push_back({r.t, r.rss});
        if (r.fds >= 0) fds.push_back({r.t, r.fds});
    }
    const auto rss_growth = judge_growth(rss, o.rss_slack_mb * 1048576.0, o.rss_slack_frac);
    const auto fd_growth = judge_growth(fds, o.fd_slack, 0);
    const auto lost = stats.acknowledged.size() - found;
    std::vector<std::string> failures;
    if (rss_growth.unbounded)
        failures.push_back("RSS grows: +" + fmt(rss_growth.rise / 1048576.0, 1) +
                           " MiB over the second half (allowed " +
                           fmt(rss_growth.allowed / 1048576.0, 1) + ")");
    if (fd_growth.unbounded)
        failures.push_back("open descriptors grow: +" + fmt(fd_growth.rise, 1) +
                           " over the second half (allowed " + fmt(fd_growth.allowed) + ")");
    if (listing_failed) failures.push_back("the gateway's listing failed: accounting impossible");
    if (lost > 0) failures.push_back(std::to_string(lost) + " acknowledged messages not found");
    if (stats.acknowledged.empty()) failures.push_back("no message was acknowledged");
    if (smpp && smpp_figures.ok == 0) failures.push_back("no submit_sm was acknowledged over SMPP");
    if (smpp_figures.bad_ids > 0)
        failures.push_back(
            std::to_string(smpp_figures.bad_ids) +
            " submit_sm_resp message_ids are not Bindery ids: accounting impossible");
    int gateway_exit = 0, sim_exit = 0;
    if (own) {
        if (died)
            failures.push_back("the gateway died during the run (exit " +
                               std::to_string(death_status) + ")");
        if (!gateway->running()) failures.push_back("the gateway died during the drain");
        gateway_exit = gateway->stop(30s);
        sim_exit = sim->stop(10s);
        if (gateway_exit != 0)
            failures.push_back("the gateway exited " + std::to_string(gateway_exit) +
                               " on SIGTERM");
    }

    std::uint64_t http_errors = 0;
    for (const auto& [s, n] : stats.statuses) http_errors += s == 202 ? 0 : n;
    std::cout << "\nrequests " << stats.requests << " ("
              << fmt(static_cast<double>(stats.requests) / load_seconds, 1) << "/s), messages sent "
              << stats.messages_sent << " ("
              << fmt(static_cast<double>(stats.messages_sent) / load_seconds, 1)
              << "/s), acknowledged " << stats.acknowledged.size() << ", HTTP statuses:";
    for (const auto& [s, n] : stats.statuses) std::cout << " " << s << "=" << n;
    std::cout << "\nacceptance latency ms: p50 " << fmt(percentile(stats.latency_ms, 0.5), 2)
              << ", p99 " << fmt(percentile(stats.latency_ms, 0.99), 2) << ", max "
              << fmt(percentile(stats.latency_ms, 1.0), 2) << "\nalerts: " << stats.alerts_sent
              << " sent, " << stats.alerts_ok << " accepted";
    if (smpp)
        std::cout << "\nSMPP: submitted " << smpp_figures.submitted << " ("
                  << fmt(static_cast<double>(smpp_figures.submitted) / load_seconds, 1)
                  << "/s), ok " << smpp_figures.ok << ", refused " << smpp_figures.refused
                  << ", no response " << smpp_figures.no_response << ", unsent "
                  << smpp_figures.unsent << "; receipts " << smpp_figures.receipts << " ("
                  << receipts_matched << " of the " << smpp_ids.size()
                  << " acknowledged ids); binds failed " << smpp_figures.bind_failures
                  << ", dropped " << smpp_figures.bind_downs;
    else
        std::cout << "\nSMPP: " << smpp_skipped;
    std::cout << "\nRSS MiB: first " << fmt(rss_growth.first / 1048576.0, 1) << ", last "
              << fmt(rss_growth.last / 1048576.0, 1) << ", peak "
              << fmt(rss_growth.peak / 1048576.0, 1) << ", second-half slope "
              << fmt(rss_growth.fit.slope * 3600 / 1048576.0, 2) << " MiB/h"
              << "\nopen fds: first " << fmt(fd_growth.first) << ", last " << fmt(fd_growth.last)
              << ", peak " << fmt(fd_growth.peak) << ", second-half slope "
              << fmt(fd_growth.fit.slope * 3600, 2) << "/h"
              << "\naccounting: acknowledged " << stats.acknowledged.size() << " = found " << found
              << " (final " << final_count << " + still queued " << found - final_count
              << "), lost " << lost << "; listed " << listed << " in " << pages << " pages ("
              << unknown << " not acknowledged to us); states:";
    for (const auto& [s, n] : states) std::cout << " " << s << "=" << n;
    std::cout << "\nverdict: " << (failures.empty() ? "PASS" : "FAIL") << "\n";
    for (const auto& f : failures) std::cout << "  " << f << "\n";

    std::ostringstream j;
    j << R"({"duration_s":)" << json_number(load_seconds) << R"(,"rate_target":)"
      << json_number(o.rate) << R"(,"requests":)" << stats.requests << R"(,"messages_sent":)"
      << stats.messages_sent << R"(,"acknowledged":)" << stats.acknowledged.size()
      << R"(,"http_status":{)";
    bool first = true;
    for (const auto& [s, n] : stats.statuses) {
        j << (first ? "" : ",") << '"' << s << "\":" << n;
        first = false;
    }
    j << R"(},"http_errors":)" << http_errors << R"(,"latency_ms":{"p50":)"
      << json_number(percentile(stats.latency_ms, 0.5)) << R"(,"p99":)"
      << json_number(percentile(stats.latency_ms, 0.99)) << R"(,"max":)"
      << json_number(percentile(stats.latency_ms, 1.0)) << R"(},"alerts":{"enabled":)"
      << (alerts ? "true" : "false") << R"(,"sent":)" << stats.alerts_sent << R"(,"accepted":)"
      << stats.alerts_ok << R"(},"smpp":{"enabled":)" << (smpp ? "true" : "false")
      << R"(,"sessions":)" << (smpp ? o.smpp_sessions : 0U) << R"(,"rate_target":)"
      << json_number(smpp_rate) << R"(,"submitted":)" << smpp_figures.submitted << R"(,"ok":)"
      << smpp_figures.ok << R"(,"refused":)" << smpp_figures.refused << R"(,"no_response":)"
      << smpp_figures.no_response << R"(,"unsent":)" << smpp_figures.unsent << R"(,"receipts":)"
      << smpp_figures.receipts << R"(,"receipts_matched":)" << receipts_matched
      << R"(,"bind_failures":)" << smpp_figures.bind_failures << R"(,"bind_downs":)"
      << smpp_figures.bind_downs << R"(,"skipped":")" << json_escape(smpp_skipped)
      << R"("},"rss_bytes":)" << growth_json(rss_growth, 1) << R"(,"rss_mib_per_hour":)"
      << json_number(std::max(0.0, rss_growth.fit.slope * 3600 / 1048576.0)) << R"(,"fds":)"
      << growth_json(fd_growth, 1) << R"(,"accounting":{"acknowledged":)"
      << stats.acknowledged.size() << R"(,"found":)" << found << R"(,"final":)" << final_count
      << R"(,"still_queued":)" << found - final_count << R"(,"lost":)" << lost << R"(,"listed":)"
      << listed << R"(,"unknown":)" << unknown << R"(,"states":{)";
    first = true;
    for (const auto& [s, n] : states) {
        j << (first ? "" : ",") << '"' << json_escape(s) << "\":" << n;
        first = false;
    }
    j << R"(}},"samples":[)";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        j << (i ? "," : "") << R"({"t":)" << json_number(r.t) << R"(,"rss":)" << json_number(r.rss)
          << R"(,"fds":)" << json_number(r.fds) << R"(,"backlog":)" << json_number(r.backlog)
          << R"(,"queue":)" << json_number(r.queue) << R"(,"store_errors":)"
          << json_number(r.store_errors) << R"(,"accepted":)" << json_number(r.accepted_total)
          << R"(,"acknowledged":)" << r.acknowledged << R"(,"smpp_ok":)" << json_number(r.smpp_ok)
          << R"(,"smpp_receipts":)" << json_number(r.smpp_receipts) << "}";
    }
    j << R"(],"gateway_exit":)" << gateway_exit << R"(,"simulator_exit":)" << sim_exit
      << R"(,"verdict":")" << (failures.empty() ? "pass" : "fail") << R"(","failures":[)";
    for (std::size_t i = 0; i < failures.size(); ++i)
        j << (i ? "," : "") << '"' << json_escape(failures[i]) << '"';
    j << "]}";
    if (!o.json.empty()) std::ofstream(o.json) << j.str() << "\n";
    std::cout << j.str() << "\n";
    if (own && failures.empty() && o.dir.empty())
        fs::remove_all(dir);
    else if (own)
        std::cout << "work directory kept: " << dir.string() << "\n";
    return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace bindery::soak

int main(int argc, char** argv) {
    using namespace bindery::soak;
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bindery-soak: " << e.what() << "\n" << usage();
        return 2;
    }
    if (o.help) {
        std::cout << usage();
        return 0;
    }
    ::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_interrupted = 1; };
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "bindery-soak: " << e.what() << "\n";
        return 2;
    }
}
