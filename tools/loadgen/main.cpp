// bindery-loadgen: load for Bindery's HTTP API or an SMPP server (Bindery's SMPP side or the
// simulator), open loop (fixed arrival rate, latency from the scheduled time) or closed loop,
// bounded by --count and/or --duration; prints a table and one JSON line.
//   bindery-loadgen http --target 127.0.0.1:8080 --key KEY --connections 64 --rate 5000 --duration 20s
//   bindery-loadgen smpp --target 127.0.0.1:2775 --sessions 4 --window 100 --count 200000 --receipts
#include <cstdio>
#include <exception>
#include <future>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

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
    // Split connections, rate and count over the worker threads; destination numbers stay unique.
    std::vector<WorkerShare> shares(o.threads);
    for (unsigned t = 0; t < o.threads; ++t) {
        auto& s = shares[t];
        s.connections = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
        s.rate = o.rate / o.threads;
        if (o.count > 0) s.count = o.count / o.threads + (t < o.count % o.threads ? 1 : 0);
        s.first_seq = (o.count > 0 ? o.count : 1'000'000) * t;
    }
    std::vector<std::future<RunResult>> workers;
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
    if (o.table) std::cout << format_table(total);
    if (o.json) std::cout << format_json(total) << "\n";
    std::cout.flush();
    // Exit status: 0 when something was accepted and nothing was lost on the way.
    const bool clean = total.accepted > 0 && total.unanswered == 0 && total.connect_failures == 0;
    return clean ? 0 : 1;
}
