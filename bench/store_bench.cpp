// bench_store: figures for the SQLite message store (docs/store.md reports them).
//   1. accepted-and-committed messages/s: N acceptor threads, each calling insert_batch with a
//      batch of 1 or 100 typical messages (each with its ACCEPTED -> QUEUED event) and counting
//      a message only when insert_batch returned (= after its group's COMMIT).
//   2. RSS with 1,000,000 QUEUED messages in the store, and the time to count and page them.
// Usage: bench_store [--dir DIR] [--seconds S] [--queued N] [--sync full|normal]
//        bench_store --lifecycle N [--lifecycle-only 1] [--record-dispatch 0|1] [--events 0|1]
//                    [--sql SQL]   (the writer's cost of a message's whole life; docs/store.md)
// Runs in well under two minutes with the defaults.

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "router/core/random.hpp"
#include "router/store/sqlite_store.hpp"

namespace {

using namespace bindery::router;
using SteadyClock = std::chrono::steady_clock;

struct Options {
    std::string dir = "/tmp";
    double seconds = 3.0;
    std::uint64_t queued = 1'000'000;
    SqliteSync sync = SqliteSync::full;
    std::uint64_t lifecycle = 0;  // messages through the whole lifecycle (0: skip)
    bool lifecycle_only = false;
    bool events = true;           // lifecycle: write the event rows
    bool record_dispatch = true;  // lifecycle: QUEUED -> SENDING its own write (else with SENT)
    std::string sql;              // lifecycle: run on the fresh file first (experiments)
};

long rss_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field, 0) == 0)
            return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
    }
    return -1;
}

// CPU seconds used by the whole process (all threads) so far: the figures stay comparable when
// the machine is shared and wall-clock rates are not.
double cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A typical acceptance: OTP-sized text, sender, client ref, a callback, one tag.
Message typical(MessageIdGenerator& ids, std::uint64_t n, SystemTime now) {
    Message m;
    m.id = ids.next(now);
    m.client = "client-" + std::to_string(n % 50);
    m.sender = "Bindery";
    m.destination = "+98912" + std::to_string(1'000'000 + n % 9'000'000);
    m.region = "IR";
    m.text = "Your verification code is " + std::to_string(100'000 + n % 900'000) +
             ". It expires in 5 minutes. Do not share it with anyone.";
    m.segments_estimate = 1;
    m.tags = {"otp"};
    m.client_ref = "ref-" + std::to_string(n);
    m.callback_url = "https://client.example/dlr";
    m.state = MessageState::queued;
    m.accepted_at = now;
    m.updated_at = now;
    m.expires_at = now + std::chrono::hours(48);
    return m;
}

std::unique_ptr<SqliteStore> open_fresh(const std::string& path, SqliteSync sync) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    SqliteStoreConfig config;
    config.path = path;
    config.synchronous = sync;
    auto store = SqliteStore::open(config);
    if (!store) {
        std::fprintf(stderr, "open %s: %s\n", path.c_str(), store.error().detail.c_str());
        std::exit(1);
    }
    return std::move(*store);
}

// Runs `acceptors` threads for `seconds`; returns committed messages per second.
double throughput(const Options& opt, int acceptors, std::size_t batch_size) {
    const std::string path = opt.dir + "/bench_store_tp.db";
    auto store = open_fresh(path, opt.sync);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> committed{0};
    std::atomic<std::uint64_t> failed{0};
    std::vector<std::thread> threads;
    const auto start = SteadyClock::now();
    const double cpu_start = cpu_seconds();
    for (int t = 0; t < acceptors; ++t) {
        threads.emplace_back([&, t] {
            MessageIdGenerator ids(static_cast<std::uint64_t>(t) + 1);
            std::uint64_t n = static_cast<std::uint64_t>(t) * std::uint64_t{1'000'000'000};
            std::vector<Message> batch;
            std::vector<MessageEvent> events;
            while (!stop.load(std::memory_order_relaxed)) {
                batch.clear();
                events.clear();
                const auto now = SystemClock::now();
                for (std::size_t i = 0; i < batch_size; ++i) {
                    batch.push_back(typical(ids, n++, now));
                    events.push_back(MessageEvent{batch.back().id,
                                                  MessageState::accepted,
                                                  MessageState::queued,
                                                  now,
                                                  0,
                                                  {},
                                                  "accepted"});
                }
                if (store->insert_batch(batch, events)) {
                    committed.fetch_add(batch.size(), std::memory_order_relaxed);
                } else {
                    failed.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));
    stop = true;
    for (auto& th : threads) th.join();
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    const auto stats = store->stats();
    const double rate = static_cast<double>(committed.load()) / elapsed;
    const double msgs = static_cast<double>(std::max<std::uint64_t>(committed.load(), 1));
    const double writer_us = static_cast<double>(stats.writer_cpu_ns) / 1e3 / msgs;
    std::printf(
        "  acceptors=%-4d batch=%-4zu %8.0f msg/s  cpu %5.1f us/msg (writer %5.1f us/msg:"
        " %7.0f msg/s writer-bound)  commits/s=%6.0f  callers/commit=%6.1f  failed=%llu\n",
        acceptors, batch_size, rate, cpu * 1e6 / msgs, writer_us, 1e6 / writer_us,
        static_cast<double>(stats.commits) / elapsed,
        stats.commits ? static_cast<double>(stats.requests) / static_cast<double>(stats.commits)
                      : 0.0,
        static_cast<unsigned long long>(failed.load()));
    std::fflush(stdout);
    return rate;
}

void queued_rss(const Options& opt) {
    const std::string path = opt.dir + "/bench_store_rss.db";
    auto store = open_fresh(path, opt.sync);
    const long before = rss_kib("VmRSS:");
    const auto start = SteadyClock::now();
    constexpr int kAcceptors = 4;
    constexpr std::size_t kBatch = 500;
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> next{0};
    for (int t = 0; t < kAcceptors; ++t) {
        threads.emplace_back([&, t] {
            MessageIdGenerator ids(static_cast<std::uint64_t>(t) + 100);
            std::vector<Message> batch;
            std::vector<MessageEvent> events;
            for (;;) {
                const std::uint64_t first = next.fetch_add(kBatch);
                if (first >= opt.queued) return;
                const std::uint64_t count = std::min<std::uint64_t>(kBatch, opt.queued - first);
                batch.clear();
                events.clear();
                const auto now = SystemClock::now();
                for (std::uint64_t i = 0; i < count; ++i) {
                    batch.push_back(typical(ids, first + i, now));
                    events.push_back(MessageEvent{batch.back().id,
                                                  MessageState::accepted,
                                                  MessageState::queued,
                                                  now,
                                                  0,
                                                  {},
                                                  "accepted"});
                }
                if (!store->insert_batch(batch, events)) {
                    std::fprintf(stderr, "insert failed\n");
                    std::exit(1);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    const double fill = std::chrono::duration<double>(SteadyClock::now() - start).count();

    auto t0 = SteadyClock::now();
    const auto queued = store->count(MessageState::queued);
    const double count_ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();

    t0 = SteadyClock::now();
    std::uint64_t paged = 0;
    std::optional<MessageId> after;
    for (;;) {
        auto page = store->load_active_page(after, 10'000);
        if (!page) {
            std::fprintf(stderr, "load_active_page: %s\n", page.error().detail.c_str());
            std::exit(1);
        }
        paged += page->messages.size();
        if (!page->next) break;
        after = page->next;
    }
    const double page_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();

    t0 = SteadyClock::now();
    MessageQuery refill;
    refill.state = MessageState::queued;
    refill.limit = 10'000;
    const auto first_page = store->list(refill);
    const double refill_ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();

    std::error_code ec;
    const auto db_bytes = std::filesystem::file_size(path, ec);
    std::printf("  filled %llu queued messages in %.1f s (%.0f msg/s, 4 acceptors x batch 500)\n",
                static_cast<unsigned long long>(opt.queued), fill,
                static_cast<double>(opt.queued) / fill);
    std::printf(
        "  count(QUEUED)=%llu in %.1f ms; load_active_page x10000 streamed %llu in %.1f s;"
        " list(QUEUED, 10000) in %.1f ms (%zu rows)\n",
        static_cast<unsigned long long>(queued ? *queued : 0), count_ms,
        static_cast<unsigned long long>(paged), page_s, refill_ms,
        first_page ? first_page->messages.size() : 0);
    std::printf(
        "  RSS: %.1f MiB before fill, %.1f MiB now, peak %.1f MiB; database file %.0f MiB\n",
        static_cast<double>(before) / 1024.0, static_cast<double>(rss_kib("VmRSS:")) / 1024.0,
        static_cast<double>(rss_kib("VmHWM:")) / 1024.0,
        static_cast<double>(db_bytes) / (1024.0 * 1024.0));
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// The writer's cost of one message's whole life as the router writes it: insert (ACCEPTED ->
// QUEUED event), QUEUED -> SENDING, SENDING -> SENT with the carrier's message id (provider_ids
// row), SENT -> DELIVERED with the receipt; each step one transition_batch of `kChunk` messages
// from each of `kLanes` threads, so groups hold several requests as under load.
void lifecycle(const Options& opt) {
    const std::string path = opt.dir + "/bench_store_life.db";
    auto store = open_fresh(path, opt.sync);
    if (!opt.sql.empty()) {
        if (auto r = sqlite_execute(path, opt.sql); !r) {
            std::fprintf(stderr, "--sql: %s\n", r.error().detail.c_str());
            std::exit(1);
        }
    }
    constexpr std::size_t kChunk = 50;
    constexpr int kLanes = 4;
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> failed{0};
    const auto start = SteadyClock::now();
    const double cpu_start = cpu_seconds();
    const auto writer_start = store->stats().writer_cpu_ns;
    std::vector<std::thread> threads;
    for (int t = 0; t < kLanes; ++t) {
        threads.emplace_back([&, t] {
            MessageIdGenerator ids(static_cast<std::uint64_t>(t) + 200);
            std::vector<Message> batch;
            std::vector<MessageEvent> events;
            std::vector<TransitionWrite> writes;
            std::uint64_t carrier_ids = 0;
            std::vector<MessageEvent> dispatched;  // not recorded: stored with SENT
            auto step = [&](MessageState to, const char* detail) {
                writes.clear();
                const auto now = SystemClock::now();
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    auto& m = batch[i];
                    TransitionWrite w;
                    w.from = m.state;
                    if (!dispatched.empty()) {
                        w.from = dispatched[i].from;
                        w.earlier = dispatched[i];
                    }
                    m.state = to;
                    m.updated_at = now;
                    if (to == MessageState::sending) {
                        ++m.attempts;
                        m.provider = "carrier-a";
                        m.segments.assign(1, Segment{});
                    } else if (to == MessageState::sent) {
                        m.segments[0].provider_id = std::to_string(0x10000000 + ++carrier_ids * 4 +
                                                                   static_cast<std::uint64_t>(t));
                    } else if (to == MessageState::delivered) {
                        m.segments[0].state = SegmentState::delivered;
                    }
                    w.next = m;
                    if (opt.events) {
                        w.event =
                            MessageEvent{m.id, w.from, to, now, m.attempts, m.provider, detail};
                    }
                    writes.push_back(std::move(w));
                }
                if (!opt.record_dispatch && to == MessageState::sending) {
                    // The router's record_dispatch off: the submit goes out now, the change
                    // waits for the result's write.
                    dispatched.clear();
                    for (const auto& w : writes) dispatched.push_back(*w.event);
                    return;
                }
                dispatched.clear();
                for (const auto& r : store->transition_batch(writes)) {
                    if (!r) failed.fetch_add(1, std::memory_order_relaxed);
                }
            };
            for (;;) {
                const std::uint64_t first = next.fetch_add(kChunk);
                if (first >= opt.lifecycle) return;
                batch.clear();
                events.clear();
                const auto now = SystemClock::now();
                for (std::size_t i = 0; i < kChunk; ++i) {
                    batch.push_back(typical(ids, first + i, now));
                    if (opt.events) {
                        events.push_back(MessageEvent{batch.back().id,
                                                      MessageState::accepted,
                                                      MessageState::queued,
                                                      now,
                                                      0,
                                                      {},
                                                      "accepted"});
                    }
                }
                if (!store->insert_batch(batch, events)) failed.fetch_add(1);
                step(MessageState::sending, "");
                step(MessageState::sent, "");
                step(MessageState::delivered, "stat:DELIVRD err:000");
            }
        });
    }
    for (auto& th : threads) th.join();
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    const auto stats = store->stats();
    const double msgs = static_cast<double>(std::max<std::uint64_t>(opt.lifecycle, 1));
    const double writer_us = static_cast<double>(stats.writer_cpu_ns - writer_start) / 1e3 / msgs;
    store.reset();
    std::error_code ec;
    const auto db_bytes = std::filesystem::file_size(path, ec);
    std::printf(
        "  lifecycle x%llu (insert + %s, events %s): %.0f msg/s, cpu %.1f us/msg, "
        "writer %.1f us/msg, file %.0f bytes/msg, failed=%llu\n",
        static_cast<unsigned long long>(opt.lifecycle),
        opt.record_dispatch ? "3 transitions" : "2 transitions, dispatch not recorded",
        opt.events ? "on" : "off", msgs / elapsed, cpu * 1e6 / msgs, writer_us,
        static_cast<double>(db_bytes) / msgs, static_cast<unsigned long long>(failed.load()));
    std::fflush(stdout);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--dir")
            opt.dir = value;
        else if (key == "--seconds")
            opt.seconds = std::stod(value);
        else if (key == "--queued")
            opt.queued = std::stoull(value);
        else if (key == "--lifecycle")
            opt.lifecycle = std::stoull(value);
        else if (key == "--lifecycle-only")
            opt.lifecycle_only = value == "1";
        else if (key == "--record-dispatch")
            opt.record_dispatch = value == "1";
        else if (key == "--events")
            opt.events = value != "0";
        else if (key == "--sql")
            opt.sql = value;
        else if (key == "--sync")
            opt.sync = value == "normal" ? SqliteSync::normal : SqliteSync::full;
        else {
            std::fprintf(stderr,
                         "usage: %s [--dir DIR] [--seconds S] [--queued N] [--sync full|normal]\n",
                         argv[0]);
            return 2;
        }
    }
    std::printf("bench_store: SQLite %s, synchronous=%s, dir %s, %u cores\n", "WAL",
                opt.sync == SqliteSync::full ? "FULL" : "NORMAL", opt.dir.c_str(),
                std::thread::hardware_concurrency());
    if (opt.lifecycle > 0) {
        std::printf("writer cost of a message's life:\n");
        lifecycle(opt);
        if (opt.lifecycle_only) return 0;
    }
    std::printf("accepted-and-committed throughput (%.0f s each):\n", opt.seconds);
    for (std::size_t batch : {std::size_t{1}, std::size_t{100}}) {
        for (int acceptors : {1, 8, 64, 256}) {
            if (batch == 100 && acceptors > 64) continue;
            throughput(opt, acceptors, batch);
        }
    }
    std::printf("backlog of %llu queued messages:\n", static_cast<unsigned long long>(opt.queued));
    queued_rss(opt);
    const std::string tp = opt.dir + "/bench_store_tp.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(tp + suffix);
    return 0;
}
