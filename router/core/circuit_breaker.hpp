#pragma once
// A circuit breaker per provider: CLOSED counts outcomes over a rolling window and opens on an
// error rate or a run of consecutive timeouts; OPEN rejects until its cool-down ends; HALF_OPEN
// lets a few probe sends through and closes after enough successes, reopening on any failure.
// Driven from outside: `now` is passed in.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string_view>

#include "smpp/base/clock.hpp"

namespace bindery::router {

struct BreakerConfig {
    std::uint32_t window = 20;                   // outcomes considered in CLOSED
    std::uint32_t min_samples = 10;              // no opening on the error rate before this many
    double error_rate = 0.5;                     // open at or above this fraction of failures
    std::uint32_t consecutive_timeouts = 5;      // open after this many timeouts in a row
    std::chrono::milliseconds open_for{30'000};  // cool-down before probing
    std::uint32_t probes = 1;                    // concurrent probes allowed while HALF_OPEN
    std::uint32_t probe_successes = 2;           // successes needed to close
};

enum class BreakerState : std::uint8_t { closed, open, half_open };
std::string_view to_string(BreakerState s) noexcept;

enum class Outcome : std::uint8_t { success, failure, timeout };

class CircuitBreaker {
public:
    explicit CircuitBreaker(BreakerConfig config = {}) noexcept : config_(config) {}

    // The state at `now` (OPEN turns HALF_OPEN once the cool-down has passed).
    BreakerState state(TimePoint now) noexcept;
    // May a send go now? In HALF_OPEN, only while probe slots are free.
    bool allows(TimePoint now) noexcept;
    // A send was handed to the provider (takes a probe slot in HALF_OPEN).
    void on_send(TimePoint now) noexcept;
    void record(Outcome outcome, TimePoint now) noexcept;
    // A send that never reached the provider gives back its probe slot.
    void cancel_send() noexcept;

    std::uint32_t opened_count() const noexcept { return opened_count_; }

private:
    void open(TimePoint now) noexcept;
    void close() noexcept;

    BreakerConfig config_;
    BreakerState state_ = BreakerState::closed;
    std::deque<bool> outcomes_;  // true = failure
    std::uint32_t failures_ = 0;
    std::uint32_t timeouts_in_row_ = 0;
    TimePoint opened_at_{};
    std::uint32_t probes_inflight_ = 0;
    std::uint32_t probe_successes_ = 0;
    std::uint32_t opened_count_ = 0;
};

}  // namespace bindery::router
