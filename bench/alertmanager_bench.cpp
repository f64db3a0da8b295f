// Alertmanager webhook -> submit_sm latency: the whole `bindery serve` object graph in-process
// (app::Gateway: SQLite store, router, SMPP carrier provider, HTTP front end, Alertmanager
// receiver) against the SMSC simulator in-process, whose on_accepted hook timestamps every
// submit_sm it accepts. Each round POSTs one firing notification (a new fingerprint, so dedup does
// not apply) for a receiver whose group has 50 people (static directory: no directory I/O, as with
// a fresh cache entry) and measures
//   ack   POST -> 200 (the 50 messages are durable)
//   last  POST -> the 50th submit_sm accepted by the simulator
// Prints p50/p99/max in milliseconds. A plain main: bench_alertmanager [rounds] [store dir].
//
//   build/release/bench/bench_alertmanager 200 /tmp/bench-am

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "app/config_loader.hpp"
#include "app/gateway.hpp"
#include "app/server.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// One request on a fresh connection; the status code (0: no answer).
int post(std::uint16_t port, const std::string& target, const std::string& body,
         const std::string& token) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return 0;
    }
    const std::string req =
        (body.empty() ? "GET " : "POST ") + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + token +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < req.size()) {
        const auto n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string res;
    char buf[4096];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        res.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return res.size() >= 12 ? std::atoi(res.c_str() + 9) : 0;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
    const std::filesystem::path dir =
        argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / "bindery-bench-am";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    spdlog::set_level(spdlog::level::warn);
    constexpr int kGroup = 50;

    // The carrier.
    boost::asio::io_context sim_io;
    bindery::sim::SimConfig sc;
    sc.port = 0;
    auto sim = std::make_shared<bindery::sim::SmscSimulator>(sim_io.get_executor(), sc);
    std::mutex mutex;
    std::condition_variable cv;
    std::uint64_t accepted = 0;
    Clock::time_point last_accept{};
    sim->on_accepted = [&](std::string_view, std::string_view) {
        const std::lock_guard lock(mutex);
        ++accepted;
        last_accept = Clock::now();
        cv.notify_all();
    };
    sim->start();
    std::thread sim_thread([&] { sim_io.run(); });

    const std::uint16_t http_port = free_port();
    std::string yaml =
        "process: {io_threads: 2, drain_timeout: 5s}\n"
        "logging: {level: warn}\n"
        "store: {path: " +
        (dir / "bindery.db").string() +
        ", synchronous: normal, commit_interval: 0ms}\n"
        "http: {listen: 127.0.0.1:" +
        std::to_string(http_port) +
        "}\n"
        "smpp_server: {enabled: false}\n"
        "carriers:\n"
        "  - {name: sim, kind: smpp, address: 127.0.0.1:" +
        std::to_string(sim->port()) +
        ", system_id: bench, password: pw, count: 2, window: 100}\n"
        "routes:\n  - {name: default, providers: [sim]}\n"
        "clients:\n  - {name: ops, api_key: bench-key, rate: 1000000, burst: 1000000}\n"
        "alerting:\n  auth: {bearer_token: tok}\n  receivers:\n"
        "    - {name: bench, groups: [oncall], sender: Bindery, client: ops}\n"
        "directories:\n  - name: local\n    kind: static\n    groups:\n      oncall:\n";
    for (int i = 0; i < kGroup; ++i) {
        char phone[32];
        std::snprintf(phone, sizeof phone, "+98912100%04d", i);
        yaml += "        - {name: p" + std::to_string(i) + ", phone: \"" + phone + "\"}\n";
    }
    auto loaded = bindery::app::load_config_text(yaml, "bench.yaml", {});
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        return 1;
    }
    bindery::app::ServerOptions so;
    so.io_threads = 2;
    bindery::app::Server server(so);
    bindery::app::Gateway gateway(loaded.config, server);
    std::thread server_thread([&] { server.run(); });

    // Ready: the bind is up.
    for (int i = 0; i < 3000 && post(http_port, "/readyz", "", "") != 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    std::vector<double> ack_ms;
    std::vector<double> last_ms;
    int failures = 0;
    for (int r = 0; r < rounds + 5; ++r) {  // 5 warm-up rounds
        char fp[32];
        std::snprintf(fp, sizeof fp, "%016x", r + 1);
        const std::string body =
            R"({"version":"4","groupKey":"{}:{alertname=\"Bench)" + std::to_string(r) +
            R"(\"}","truncatedAlerts":0,"status":"firing","receiver":"bench","groupLabels":{"alertname":"Bench"},)"
            R"("commonLabels":{"alertname":"Bench","severity":"critical"},"commonAnnotations":{"summary":"bench round )" +
            std::to_string(r) +
            R"("},"externalURL":"http://am:9093","alerts":[{"status":"firing","labels":{"alertname":"Bench","severity":"critical"},)"
            R"("annotations":{"summary":"x"},"startsAt":"2026-11-23T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":")" +
            fp + R"("}]})";
        std::uint64_t target = 0;
        {
            const std::lock_guard lock(mutex);
            target = accepted + kGroup;
        }
        const auto t0 = Clock::now();
        const int status = post(http_port, "/v1/alertmanager", body, "tok");
        const auto t_ack = Clock::now();
        std::unique_lock lock(mutex);
        const bool all =
            cv.wait_for(lock, std::chrono::seconds(30), [&] { return accepted >= target; });
        const auto t_last = last_accept;
        lock.unlock();
        if (status != 200 || !all) {
            ++failures;
            continue;
        }
        if (r < 5) continue;
        ack_ms.push_back(std::chrono::duration<double, std::milli>(t_ack - t0).count());
        last_ms.push_back(std::chrono::duration<double, std::milli>(t_last - t0).count());
    }

    std::printf(
        "{\"bench\":\"alertmanager_webhook_to_submit_sm\",\"group\":%d,\"rounds\":%zu,\"failures\":"
        "%d,\n"
        " \"ack_ms\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f},\n"
        " \"last_submit_sm_ms\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f}}\n",
        kGroup, last_ms.size(), failures, percentile(ack_ms, 0.5), percentile(ack_ms, 0.99),
        percentile(ack_ms, 1.0), percentile(last_ms, 0.5), percentile(last_ms, 0.99),
        percentile(last_ms, 1.0));

    server.shutdown();
    server_thread.join();
    sim->stop();
    sim_io.stop();
    sim_thread.join();
    return failures == 0 ? 0 : 1;
}
