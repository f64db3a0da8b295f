#pragma once
// What a load run measured, and its two renderings: a table for people, one JSON object for
// scripts (bench/run reads it).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "tools/loadgen/callback_tracker.hpp"
#include "tools/loadgen/latency.hpp"

namespace bindery::loadgen {

struct RunResult {
    std::string mode;              // "http" or "smpp"
    bool open_loop = false;        // fixed arrival rate (latency from the scheduled send time)
    double target_rate = 0;        // messages/s asked for (open loop)
    unsigned connections = 0;      // HTTP connections or SMPP sessions
    unsigned batch = 1;            // recipients per HTTP request
    std::uint64_t window = 0;      // SMPP window per session
    std::uint64_t requests = 0;    // HTTP requests or submit_sm sent
    std::uint64_t messages = 0;    // messages in them
    std::uint64_t accepted = 0;    // messages the target accepted (202 / ESME_ROK)
    std::uint64_t failed = 0;      // messages answered with an error
    std::uint64_t unanswered = 0;  // requests without an answer (connection lost, run cut)
    std::uint64_t connect_failures = 0;  // connections refused / not established
    std::uint64_t dropped = 0;   // established connections closed by the peer during the run
    std::uint64_t receipts = 0;  // delivery receipts (SMPP mode)
    std::uint64_t unsent = 0;    // open loop: due, never sent before the run was cut
    std::uint64_t late = 0;      // open loop: requests sent more than 1 ms after schedule
    std::map<std::string, std::uint64_t> status;  // "202" / "ESME_ROK" -> requests
    double seconds = 0;                           // first send -> last answer
    LatencyHistogram latency;  // per request (HTTP) / per submit (SMPP), microseconds
    std::optional<CallbackSummary> callbacks;  // --callbacks (set once, after the workers)

    [[nodiscard]] double accepted_per_second() const noexcept {
        return seconds > 0 ? static_cast<double>(accepted) / seconds : 0.0;
    }
    void merge(const RunResult& other);
};

[[nodiscard]] std::string format_table(const RunResult& r);
[[nodiscard]] std::string format_json(const RunResult& r);  // one line, no trailing newline

}  // namespace bindery::loadgen
