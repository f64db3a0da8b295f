#pragma once
// Exponential backoff with jitter for temporary failures.

#include <chrono>
#include <cstdint>

#include "router/core/random.hpp"

namespace bindery::router {

struct RetryPolicy {
    std::uint32_t max_attempts = 5;          // including the first
    std::chrono::milliseconds base{1000};    // delay before the 2nd attempt (no jitter)
    std::chrono::milliseconds cap{300'000};  // upper bound of any delay
    double multiplier = 2.0;
    // Fraction of the delay that is randomized: delay = d * (1 - jitter) + U[0, d * jitter].
    // 1.0 is "full jitter", 0.5 "equal jitter", 0 none.
    double jitter = 0.5;
    // Throttling answers start from this delay instead of `base` (the provider asked to slow down).
    std::chrono::milliseconds throttle_base{2000};
};

// The un-jittered delay after failed attempt number `attempt` (1-based):
// min(cap, base * multiplier^(attempt-1)).
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, std::uint32_t attempt,
                                          bool throttled) noexcept;

// The delay to wait after failed attempt `attempt`, within
// [ceiling * (1 - jitter), ceiling].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, std::uint32_t attempt,
                                        bool throttled, Rng& rng) noexcept;

}  // namespace bindery::router
