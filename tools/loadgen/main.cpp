// bindery-loadgen: load for Bindery's HTTP API or an SMPP server (Bindery's SMPP side or the
// simulator), open loop (fixed arrival rate, latency from the scheduled time) or closed loop,
// bounded by --count and/or --duration; prints a table and one JSON line.
//   bindery-loadgen http --target 127.0.0.1:8080 --key KEY --connections 64 --rate 5000 --duration
//   20s bindery-loadgen http --key KEY --rate 15000 --batch 50 --duration 10s --callbacks
//     --callback-secret SECRET      (delivery callbacks: receiver, counts, latency; one line)
//   bindery-loadgen smpp --target 127.0.0.1:2775 --sessions 4 --window 100 --count 200000
//   --receipts
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "tools/loadgen/callback_receiver.hpp"
#include "tools/loadgen/callback_tracker.hpp"
#include "tools/loadgen/http_load.hpp"
#include "tools/loadgen/options.hpp"
#include "tools/loadgen/report.hpp"
#include "tools/loadgen/smpp_load.hpp"

int main(int argc, char** argv) {
    using namespace bindery::loadgen;
    Options o;
    try {
        o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "bindery-loadgen: " << e.what() << "\n" << usage();
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);
    // --callbacks: the receiver listens before the first request names it.
    std::unique_ptr<CallbackTracker> tracker;
    std::unique_ptr<CallbackReceiver> receiver;
    std::string callback_url;
    if (o.callbacks) {
        std::size_t expect = o.count;
        if (expect == 0 && o.rate > 0) {
            expect = static_cast<std::size_t>(o.rate *
                                              std::chrono::duration<double>(o.duration).count());
        }
        tracker = std::make_unique<CallbackTracker>(std::min<std::size_t>(expect, 50'000'000));
        try {
            receiver = std::make_unique<CallbackReceiver>(
                CallbackReceiverConfig{o.callback_host, o.callback_port, o.callback_secret},
                *tracker);
        } catch (const std::exception& e) {
            std::cerr << "bindery-loadgen: " << e.what() << "\n";
            return 2;
        }
        receiver->start();
        callback_url = o.callback_url.empty()
                           ? default_callback_url(o.callback_host, receiver->port())
                           : o.callback_url;
    }
    // Split connections, rate and count over the worker threads; destination numbers stay unique.
    std::vector<WorkerShare> shares(o.threads);
    for (unsigned t = 0; t < o.threads; ++t) {
        auto& s = shares[t];
        s.connections = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
        s.rate = o.rate / o.threads;
        if (o.count > 0) s.count = o.count / o.threads + (t < o.count % o.threads ? 1 : 0);
        s.first_seq = (o.count > 0 ? o.count : 1'000'000) * t;
        s.callbacks = tracker.get();
        s.callback_url = callback_url;
    }
    std::vector<std::future<RunResult>> workers;
    workers.reserve(shares.size());
    for (const auto& s : shares) {
        workers.push_back(std::async(std::launch::async, [&o, s] {
            return o.mode == Mode::http ? run_http(o, s) : run_smpp(o, s);
        }));
    }
    RunResult total;
    bool first = true;
    for (auto& w : workers) {
        auto r = w.get();
        if (first) {
            total = std::move(r);
            first = false;
        } else {
            total.merge(r);
        }
    }
    total.target_rate = o.rate;
    if (receiver) {
        // Every accepted message's final callback, or the wait runs out (bounded either way).
        (void)tracker->wait_complete(std::chrono::steady_clock::now() + o.callback_wait);
        receiver->stop();
        total.callbacks = tracker->summary();
        total.callbacks->receiver_cpu_seconds = receiver->cpu_seconds();
    }
    if (o.table) std::cout << format_table(total);
    if (o.json) std::cout << format_json(total) << "\n";
    std::cout.flush();
    // Exit status: 0 when something was accepted and nothing was lost on the way; with
    // --callbacks also every accepted message's final callback, each correctly signed.
    bool clean = total.accepted > 0 && total.unanswered == 0 && total.connect_failures == 0;
    if (total.callbacks) {
        clean = clean && total.callbacks->missing == 0 && total.callbacks->bad_signatures == 0;
    }
    return clean ? 0 : 1;
}
