#include "router/core/retry.hpp"

#include <algorithm>
#include <cmath>

namespace bindery::router {

std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, std::uint32_t attempt,
                                          bool throttled) noexcept {
    const double base =
        static_cast<double>((throttled ? policy.throttle_base : policy.base).count());
    const double cap = static_cast<double>(policy.cap.count());
    const double exponent = static_cast<double>(attempt == 0 ? 0 : attempt - 1);
    const double mult = std::max(1.0, policy.multiplier);
    // Saturate before pow overflows into inf.
    const double raw = exponent > 64 ? cap : base * std::pow(mult, exponent);
    const double bounded = std::clamp(raw, 0.0, cap);
    return std::chrono::milliseconds(static_cast<std::int64_t>(bounded));
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, std::uint32_t attempt,
                                        bool throttled, Rng& rng) noexcept {
    const auto ceiling = backoff_ceiling(policy, attempt, throttled);
    const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
    const double c = static_cast<double>(ceiling.count());
    const double delay = c * (1.0 - jitter) + rng.uniform() * c * jitter;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(delay, c)));
}

}  // namespace bindery::router
