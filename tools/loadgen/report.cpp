#include "tools/loadgen/report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bindery::loadgen {

namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

void RunResult::merge(const RunResult& o) {
    connections += o.connections;
    requests += o.requests;
    messages += o.messages;
    accepted += o.accepted;
    failed += o.failed;
    unanswered += o.unanswered;
    connect_failures += o.connect_failures;
    dropped += o.dropped;
    receipts += o.receipts;
    late += o.late;
    unsent += o.unsent;
    for (const auto& [k, v] : o.status) status[k] += v;
    seconds = std::max(seconds, o.seconds);
    latency.merge(o.latency);
}

std::string format_table(const RunResult& r) {
    std::ostringstream out;
    const std::string loop = r.open_loop ? "open loop, " + fixed(r.target_rate, 0) + " msg/s"
                                         : std::string("closed loop");
    out << "bindery-loadgen " << r.mode << " (" << loop << ", " << r.connections
        << (r.mode == "http" ? " connections, batch " + std::to_string(r.batch)
                             : " sessions, window " + std::to_string(r.window))
        << ")\n";
    out << "  sent        " << r.requests << " requests, " << r.messages << " messages in "
        << fixed(r.seconds, 3) << " s\n";
    out << "  accepted    " << r.accepted << " messages, " << fixed(r.accepted_per_second(), 0)
        << " msg/s\n";
    out << "  errors      failed " << r.failed << ", unanswered " << r.unanswered
        << ", connect failures " << r.connect_failures << ", dropped " << r.dropped << "\n";
    if (r.mode == "smpp") out << "  receipts    " << r.receipts << "\n";
    if (r.open_loop) {
        out << "  late sends  " << r.late << " (> 1 ms behind schedule), unsent " << r.unsent
            << "\n";
    }
    out << "  status     ";
    for (const auto& [k, v] : r.status) out << " " << k << "=" << v;
    out << "\n";
    out << "  latency ms  p50      p90      p99      p99.9    max      mean\n";
    // Columns at least 9 wide, always separated (a 5-digit millisecond figure does not merge).
    auto cell = [](std::string s) {
        s.resize(std::max<std::size_t>(s.size(), 8), ' ');
        return s + " ";
    };
    auto latency_row = [&](const LatencyHistogram& h) {
        out << "              ";
        for (const double q : {0.5, 0.9, 0.99, 0.999})
            out << cell(fixed(ms(h.percentile_us(q)), 3));
        out << cell(fixed(ms(h.max_us()), 3)) << fixed(h.mean_us() / 1000.0, 3) << "\n";
    };
    latency_row(r.latency);
    if (r.callbacks) {
        const auto& c = *r.callbacks;
        out << "  callbacks   " << c.received << " received in " << fixed(c.seconds, 3) << " s ("
            << fixed(c.per_second(), 0) << "/s, first send -> last callback; "
            << fixed(c.arrival_per_second(), 0) << "/s, first -> last callback):";
        for (const auto& [k, v] : c.by_state) out << " " << k << "=" << v;
        out << "\n";
        out << "              duplicates " << c.duplicates << ", retried " << c.retried
            << ", bad signatures " << c.bad_signatures << ", malformed " << c.malformed
            << ", unknown ids " << c.unknown << "\n";
        out << "  final       " << c.completed << " of " << c.expected
            << " accepted messages, missing " << c.missing << "\n";
        const double per_cpu_second = c.receiver_cpu_seconds > 0
                                          ? static_cast<double>(c.received) / c.receiver_cpu_seconds
                                          : 0.0;
        out << "  receiver    " << fixed(c.receiver_cpu_seconds, 3) << " s CPU ("
            << fixed(per_cpu_second, 0) << " callbacks per CPU-second)\n";
        out << "  callback ms p50      p90      p99      p99.9    max      mean   (submit -> "
               "final)\n";
        latency_row(c.latency);
    }
    return out.str();
}

std::string format_json(const RunResult& r) {
    nlohmann::json j;
    j["mode"] = r.mode;
    j["loop"] = r.open_loop ? "open" : "closed";
    j["target_rate"] = r.target_rate;
    j["connections"] = r.connections;
    if (r.mode == "http") j["batch"] = r.batch;
    if (r.mode == "smpp") j["window"] = r.window;
    j["requests"] = r.requests;
    j["messages"] = r.messages;
    j["accepted"] = r.accepted;
    j["failed"] = r.failed;
    j["unanswered"] = r.unanswered;
    j["connect_failures"] = r.connect_failures;
    j["dropped"] = r.dropped;
    j["receipts"] = r.receipts;
    j["late"] = r.late;
    j["unsent"] = r.unsent;
    j["status"] = r.status;
    j["seconds"] = r.seconds;
    j["accepted_per_second"] = r.accepted_per_second();
    j["latency_ms"] = {{"p50", ms(r.latency.percentile_us(0.5))},
                       {"p90", ms(r.latency.percentile_us(0.9))},
                       {"p99", ms(r.latency.percentile_us(0.99))},
                       {"p999", ms(r.latency.percentile_us(0.999))},
                       {"max", ms(r.latency.max_us())},
                       {"mean", r.latency.mean_us() / 1000.0},
                       {"count", r.latency.count()}};
    if (r.callbacks) {
        const auto& c = *r.callbacks;
        j["callbacks"] = {{"received", c.received},
                          {"per_second", c.per_second()},
                          {"seconds", c.seconds},
                          {"arrival_per_second", c.arrival_per_second()},
                          {"arrival_seconds", c.arrival_seconds},
                          {"by_state", c.by_state},
                          {"duplicates", c.duplicates},
                          {"retried", c.retried},
                          {"bad_signatures", c.bad_signatures},
                          {"malformed", c.malformed},
                          {"unknown", c.unknown},
                          {"expected", c.expected},
                          {"completed", c.completed},
                          {"missing", c.missing},
                          {"receiver_cpu_seconds", c.receiver_cpu_seconds},
                          {"latency_ms",
                           {{"p50", ms(c.latency.percentile_us(0.5))},
                            {"p90", ms(c.latency.percentile_us(0.9))},
                            {"p99", ms(c.latency.percentile_us(0.99))},
                            {"p999", ms(c.latency.percentile_us(0.999))},
                            {"max", ms(c.latency.max_us())},
                            {"mean", c.latency.mean_us() / 1000.0},
                            {"count", c.latency.count()}}}};
    }
    return j.dump();
}

}  // namespace bindery::loadgen
