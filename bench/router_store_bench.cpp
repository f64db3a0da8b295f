// Figures for the router on the SQLite store; not a test. Two parts:
//  1. backlog: fill a store with N QUEUED messages, open it again, Router::recover() it (paged)
//     and drain it through an instant provider: recovery time, drain rate, peak RSS (VmHWM).
//  2. e2e: Router + SqliteStore + SmppCarrierProvider + the SMSC simulator on 127.0.0.1, M messages
//     accepted in batches of 100 from several threads, until every one is DELIVERED (receipt
//     committed): accepted-and-committed, sent and delivered messages/s.
// Run: build/h1rel/bench/bench_router_store --dir /var/tmp --backlog 1000000 --e2e 100000
//      --pipeline on|off: the router's pipelined batches (on, as the gateway runs it), off to
//      compare.

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "router/core/router.hpp"
#include "router/store/sqlite_store.hpp"
#ifndef BINDERY_BENCH_BACKLOG_ONLY
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "router/providers/smpp_carrier_provider.hpp"
#include "tools/smsc-sim/simulator.hpp"
#endif

namespace {

using namespace bindery;
using namespace bindery::router;
using Wall = std::chrono::steady_clock;

double seconds_since(Wall::time_point t) {
    return std::chrono::duration<double>(Wall::now() - t).count();
}

long status_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::size_t n = std::strlen(field);
    while (std::getline(in, line)) {
        if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n + 1);
    }
    return -1;
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

Expected<TextPlan, std::string> plan(std::string_view, std::optional<TextEncoding>) {
    return TextPlan{TextEncoding::gsm7, 1};
}

RouterConfig router_config() {
    RouterConfig c;
    c.acceptance.numbers.default_region = "IR";
    c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    c.routing.default_route = "main";
    c.backpressure.high_watermark = 5'000'000;
    c.backpressure.low_watermark = 4'000'000;
    c.dispatch_budget = 5000;
    c.refill_batch = 5000;
    c.seed = 7;
    return c;
}

// Completes every send at once (inside send()), one decimal id each.
class InstantProvider final : public Provider {
public:
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 1}; }
    void send(OutboundMessage, std::function<void(SendResult)> done) override {
        done(SendResult{{std::to_string(++sent)}, {}});
    }
    std::uint64_t sent = 0;
};

Message queued_message(MessageIdGenerator& ids, SystemTime wall, std::uint64_t i) {
    Message m;
    m.id = ids.next(wall);
    m.client = "client-" + std::to_string(i % 50);
    m.sender = "Bindery";
    m.destination = "+98912" + std::to_string(1'000'000 + i % 8'999'999);
    m.region = "IR";
    m.text = "Your code is " + std::to_string(100'000 + i % 900'000);
    m.priority = i % 10 == 0 ? Priority::express : i % 3 == 0 ? Priority::bulk : Priority::normal;
    m.client_ref = "ref-" + std::to_string(i);
    m.callback_url = "https://client.example/dlr";
    m.state = MessageState::queued;
    m.accepted_at = wall;
    m.updated_at = wall;
    m.expires_at = wall + std::chrono::hours(24);
    return m;
}

SqliteSync parse_sync(const std::string& s) {
    if (s == "off") return SqliteSync::off;
    if (s == "normal") return SqliteSync::normal;
    return SqliteSync::full;
}

void backlog(const std::string& dir, std::uint64_t n, SqliteSync sync) {
    const std::string path = dir + "/bench_router_backlog.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    SqliteStoreConfig sc;
    sc.path = path;
    sc.synchronous = sync;
    const SystemTime wall = SystemClock::now();
    {
        auto store = SqliteStore::open(sc);
        if (!store) {
            std::fprintf(stderr, "open: %s\n", store.error().detail.c_str());
            std::exit(1);
        }
        MessageIdGenerator ids(3);
        const auto t = Wall::now();
        std::vector<Message> batch;
        std::vector<MessageEvent> events;
        for (std::uint64_t i = 0; i < n;) {
            batch.clear();
            events.clear();
            for (int k = 0; k < 1000 && i < n; ++k, ++i) {
                batch.push_back(queued_message(ids, wall, i));
                events.push_back(MessageEvent{batch.back().id,
                                              MessageState::accepted,
                                              MessageState::queued,
                                              wall,
                                              0,
                                              {},
                                              "accepted"});
            }
            if (auto r = (*store)->insert_batch(batch, events); !r) {
                std::fprintf(stderr, "fill: %s\n", r.error().detail.c_str());
                std::exit(1);
            }
        }
        std::printf("  filled %llu queued messages in %.1f s\n", static_cast<unsigned long long>(n),
                    seconds_since(t));
    }
    const long before = status_kib("VmRSS:");
    auto store = SqliteStore::open(sc);
    if (!store) std::exit(1);
    InstantProvider provider;
    Router router(router_config(), **store, plan);
    router.add_provider(provider);
    auto t = Wall::now();
    if (auto r = router.recover(TimePoint{}, SystemClock::now()); !r) {
        std::fprintf(stderr, "recover: %s\n", r.error().detail.c_str());
        std::exit(1);
    }
    const double recover_s = seconds_since(t);
    std::printf("  recover: %.2f s, backlog %llu, RSS %.1f MiB (%.1f MiB before opening)\n",
                recover_s, static_cast<unsigned long long>(router.backpressure().backlog),
                mib(status_kib("VmRSS:")), mib(before));
    t = Wall::now();
    long peak_during = 0;
    for (int guard = 0; router.backpressure().backlog > 0 && guard < 10'000'000; ++guard) {
        router.poll(TimePoint{}, SystemClock::now());
        if (guard % 50 == 0) peak_during = std::max(peak_during, status_kib("VmRSS:"));
    }
    const double drain_s = seconds_since(t);
    const auto stats = router.stats();
    std::printf(
        "  drained %llu messages (QUEUED -> SENDING -> SENT, %llu transitions in %llu "
        "commits, up to %llu per commit) in %.1f s: %.0f msg/s\n",
        static_cast<unsigned long long>(stats.sent),
        static_cast<unsigned long long>(stats.transitions),
        static_cast<unsigned long long>(stats.commits),
        static_cast<unsigned long long>(stats.max_batch), drain_s,
        static_cast<double>(stats.sent) / drain_s);
    std::printf("  RSS while draining up to %.1f MiB; peak (VmHWM) %.1f MiB\n", mib(peak_during),
                mib(status_kib("VmHWM:")));
}

#ifndef BINDERY_BENCH_BACKLOG_ONLY
// The router's poll thread, as app/gateway.cpp runs it: after every wake, and every 5 ms.
class Driver {
public:
    explicit Driver(Router*& router) : router_(router), thread_([this] { run(); }) {}
    ~Driver() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    void wake() {
        {
            std::lock_guard lock(mutex_);
            woken_ = true;
        }
        cv_.notify_one();
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            cv_.wait_for(lock, std::chrono::milliseconds(5), [&] { return stop_ || woken_; });
            woken_ = false;
            lock.unlock();
            if (router_ != nullptr) router_->poll(Clock::now(), SystemClock::now());
            lock.lock();
        }
    }
    Router*& router_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool woken_ = false;
    bool stop_ = false;
    std::thread thread_;
};

void e2e(const std::string& dir, std::uint64_t n, SqliteSync sync, unsigned binds,
         std::size_t window, unsigned acceptors, bool pipeline) {
    const std::string path = dir + "/bench_router_e2e.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    SqliteStoreConfig sc;
    sc.path = path;
    sc.synchronous = sync;
    auto store = SqliteStore::open(sc);
    if (!store) {
        std::fprintf(stderr, "open: %s\n", store.error().detail.c_str());
        std::exit(1);
    }
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    sim::SimConfig simc;
    simc.host = "127.0.0.1";
    simc.port = 0;
    simc.dlr_delay = std::chrono::milliseconds(10);
    simc.window = 100'000;
    auto sim = std::make_shared<sim::SmscSimulator>(io.get_executor(), simc);
    sim->start();

    Router* router_ptr = nullptr;
    Driver driver(router_ptr);
    RouterHooks hooks;
    hooks.wake = [&driver] { driver.wake(); };
    auto rc = router_config();
    rc.pipeline_writes = pipeline;  // as the gateway runs it (docs/router.md, "Pipelined batches")
    Router router(rc, **store, plan, hooks);

    SmppCarrierConfig pc;
    pc.name = "smsc";
    pc.pool.host = "127.0.0.1";
    pc.pool.port = sim->port();
    pc.pool.system_id = "bench";
    pc.pool.password = "pw";
    pc.pool.count = binds;
    pc.pool.window = window;
    SmppCarrierProvider provider(pc, io.get_executor(), router);
    router.add_provider(provider);
    provider.start();
    std::thread io_thread([&io] { io.run(); });
    for (int i = 0; i < 500 && !provider.ready(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!provider.ready()) {
        std::fprintf(stderr, "provider never bound\n");
        std::exit(1);
    }
    router_ptr = &router;

    const auto t = Wall::now();
    std::atomic<std::uint64_t> accepted{0}, refused{0};
    std::vector<std::thread> threads;
    const std::uint64_t per_thread = n / acceptors;
    for (unsigned a = 0; a < acceptors; ++a) {
        threads.emplace_back([&, a] {
            std::vector<SubmitRequest> batch(100);
            for (std::size_t k = 0; k < batch.size(); ++k) {
                batch[k].client = "client-" + std::to_string(a);
                batch[k].sender = "Bindery";
                batch[k].destination = "+98912" + std::to_string(1'000'000 + a * 1000 + k);
                batch[k].text = "Your code is 123456";
            }
            for (std::uint64_t done = 0; done < per_thread; done += batch.size()) {
                auto out = router.submit(batch, Clock::now(), SystemClock::now());
                for (const auto& o : out) (o ? accepted : refused)++;
            }
        });
    }
    for (auto& th : threads) th.join();
    const double accept_s = seconds_since(t);
    const std::uint64_t total = accepted.load();
    for (int i = 0; i < 600'000; ++i) {  // at most 10 min
        if (router.stats().receipts >= total) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double all_s = seconds_since(t);
    const auto stats = router.stats();
    const auto ss = (*store)->stats();
    std::printf(
        "  %llu accepted (%llu refused) by %u threads in batches of 100: %.0f msg/s "
        "accepted-and-committed\n",
        static_cast<unsigned long long>(total), static_cast<unsigned long long>(refused.load()),
        acceptors, static_cast<double>(total) / accept_s);
    std::printf(
        "  sent %llu, DELIVERED %llu in %.1f s: %.0f msg/s end to end (store -> simulator -> "
        "receipt committed)\n",
        static_cast<unsigned long long>(stats.sent),
        static_cast<unsigned long long>(stats.receipts), all_s,
        static_cast<double>(stats.receipts) / all_s);
    std::printf(
        "  router: %llu transitions in %llu commits (up to %llu per commit); store: %llu "
        "group commits, writer CPU %.1f us/msg; peak RSS %.1f MiB\n",
        static_cast<unsigned long long>(stats.transitions),
        static_cast<unsigned long long>(stats.commits),
        static_cast<unsigned long long>(stats.max_batch),
        static_cast<unsigned long long>(ss.commits),
        static_cast<double>(ss.writer_cpu_ns) / 1000.0 /
            static_cast<double>(std::max<std::uint64_t>(total, 1)),
        mib(status_kib("VmHWM:")));
    std::printf(
        "  WAL checkpoints: %llu by the checkpoint thread, %llu by the writer, %llu failed; "
        "WAL %llu pages after the last commit\n",
        static_cast<unsigned long long>(ss.checkpoints),
        static_cast<unsigned long long>(ss.writer_checkpoints),
        static_cast<unsigned long long>(ss.checkpoint_failures),
        static_cast<unsigned long long>(ss.wal_pages));
    router_ptr = nullptr;
    router.finish_writes(SystemClock::now());
    bool stopped = false;
    provider.stop(std::chrono::milliseconds(500), [&] { stopped = true; });
    for (int i = 0; i < 300 && !stopped; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    sim->stop();
    work.reset();
    io.stop();
    io_thread.join();
}
#endif

}  // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp";
    std::uint64_t backlog_n = 1'000'000;
    std::uint64_t e2e_n = 100'000;
    std::string sync = "full";
    unsigned binds = 4;
    std::size_t window = 500;
    unsigned acceptors = 4;
    bool pipeline = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--dir")
            dir = v;
        else if (k == "--backlog")
            backlog_n = std::strtoull(v.c_str(), nullptr, 10);
        else if (k == "--e2e")
            e2e_n = std::strtoull(v.c_str(), nullptr, 10);
        else if (k == "--sync")
            sync = v;
        else if (k == "--binds")
            binds = static_cast<unsigned>(std::atoi(v.c_str()));
        else if (k == "--window")
            window = std::strtoull(v.c_str(), nullptr, 10);
        else if (k == "--acceptors")
            acceptors = static_cast<unsigned>(std::atoi(v.c_str()));
        else if (k == "--pipeline")
            pipeline = v != "off";
    }
    std::printf("bench_router_store: synchronous=%s, dir %s, %u cores\n", sync.c_str(), dir.c_str(),
                std::thread::hardware_concurrency());
#ifdef BINDERY_BENCH_BACKLOG_ONLY
    e2e_n = 0;
    (void)binds;
    (void)window;
    (void)acceptors;
    (void)pipeline;
#endif
    if (e2e_n > 0) {
#ifndef BINDERY_BENCH_BACKLOG_ONLY
        std::printf(
            "end to end (Router + SqliteStore + SmppCarrierProvider x%u binds, window %zu, "
            "+ simulator on loopback; pipelined batches %s):\n",
            binds, window, pipeline ? "on" : "off");
        e2e(dir, e2e_n, parse_sync(sync), binds, window, std::max(1u, acceptors), pipeline);
#endif
    }
    if (backlog_n > 0) {
        std::printf("backlog of %llu queued messages, paged recovery:\n",
                    static_cast<unsigned long long>(backlog_n));
        backlog(dir, backlog_n, parse_sync(sync));
    }
    return 0;
}
