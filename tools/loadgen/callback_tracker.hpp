#pragma once
// Bookkeeping for --callbacks: which messages the gateway accepted and when their request was
// sent (or, open loop, scheduled), and which callbacks came back. The HTTP workers report accepted
// ids, the receiver reports callbacks, from their own threads (one short lock each). A callback
// may arrive before the 202 that names its message has been read: it is kept and matched when the
// id is registered; ids never registered by the end are `unknown`.
//
// Duplicates: the same (message, state) event seen again (X-Bindery-Event-Id is stable across
// attempts; delivery is at least once). Latency: send -> the first final-state callback.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "tools/loadgen/callback_event.hpp"
#include "tools/loadgen/latency.hpp"

namespace bindery::loadgen {

struct CallbackSummary {
    std::uint64_t expected = 0;                     // messages accepted (ids from the 202 answers)
    std::uint64_t received = 0;                     // callback requests answered
    std::map<std::string, std::uint64_t> by_state;  // distinct events by state ("DELIVERED")
    std::uint64_t duplicates = 0;                   // an event (message, state) seen before
    std::uint64_t retried = 0;         // requests with X-Bindery-Attempt > 1 (the gateway retried)
    std::uint64_t bad_signatures = 0;  // missing, malformed, wrong or stale X-Bindery-Signature
    std::uint64_t malformed = 0;       // a body without a message id, or an X-Bindery-Event-Id
                                       // naming another event (not counted by state)
    std::uint64_t unknown = 0;         // distinct events for ids no 202 named
    std::uint64_t completed = 0;       // accepted messages with a final-state callback
    std::uint64_t missing = 0;         // accepted messages without one
    double seconds = 0;                // first send -> last callback
    double arrival_seconds = 0;        // first callback -> last callback
    LatencyHistogram latency;          // send -> first final callback, per message, microseconds
    double receiver_cpu_seconds = 0;   // the receiver thread's CPU time (set by its owner)

    [[nodiscard]] double per_second() const noexcept {
        return seconds > 0 ? static_cast<double>(received) / seconds : 0.0;
    }
    // The rate callbacks arrived at, first to last: what the gateway sustains, without the
    // pipeline's fixed delay before the first one (the simulator's receipt delay, one trip through
    // the gateway) that per_second counts; a gateway falling behind stretches it all the same.
    [[nodiscard]] double arrival_per_second() const noexcept {
        return arrival_seconds > 0 && received > 1
                   ? static_cast<double>(received - 1) / arrival_seconds
                   : 0.0;
    }
};

class CallbackTracker {
public:
    using Clock = std::chrono::steady_clock;

    CallbackTracker() = default;
    // Room for `messages` entries up front (no rehash during the run).
    explicit CallbackTracker(std::size_t messages) { entries_.reserve(messages); }

    // A worker began sending at `t` (the earliest counts).
    void sending_started(Clock::time_point t);
    // The gateway accepted these messages; their request was sent (scheduled) at `sent`.
    void accepted(std::span<const MessageKey> ids, Clock::time_point sent);

    struct Arrival {
        std::optional<CallbackFields> fields;  // nullopt: the body named no message
        bool signature_ok = true;
        unsigned attempt = 0;  // X-Bindery-Attempt (0: absent)
        Clock::time_point at{};
    };
    void received(const Arrival& a);

    // Until every accepted message has its final callback, or `deadline`. True when complete.
    bool wait_complete(Clock::time_point deadline);

    [[nodiscard]] CallbackSummary summary() const;

private:
    struct Entry {
        Clock::time_point sent{};
        Clock::time_point final_at{};  // the first final callback
        std::uint16_t seen = 0;        // bit per CallbackState
        bool registered = false;       // named by a 202
        bool final_seen = false;
    };
    void record_latency(const Entry& e);

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::unordered_map<MessageKey, Entry, MessageKeyHash> entries_;
    std::uint64_t expected_ = 0;
    std::uint64_t completed_ = 0;
    std::uint64_t received_ = 0;
    std::array<std::uint64_t, kCallbackStateCount> by_state_{};
    std::uint64_t duplicates_ = 0;
    std::uint64_t retried_ = 0;
    std::uint64_t bad_signatures_ = 0;
    std::uint64_t malformed_ = 0;
    bool started_ = false;
    Clock::time_point first_send_{};
    Clock::time_point first_arrival_{};
    Clock::time_point last_arrival_{};
    LatencyHistogram latency_;
};

}  // namespace bindery::loadgen
