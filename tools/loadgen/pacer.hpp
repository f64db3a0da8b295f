#pragma once
// The open-loop schedule: request k is due at start + k * interval, whatever happened to the
// requests before it. Latency is measured from that due time, so a stalled target cannot hide its
// queueing by slowing the generator down (no coordinated omission).

#include <chrono>
#include <cstdint>

namespace bindery::loadgen {

class Pacer {
public:
    using Clock = std::chrono::steady_clock;

    Pacer() = default;
    // `per_second` requests per second from `start`.
    Pacer(Clock::time_point start, double per_second)
        : start_(start), interval_ns_(per_second > 0 ? 1e9 / per_second : 0) {}

    [[nodiscard]] Clock::time_point due(std::uint64_t k) const noexcept {
        return start_ + std::chrono::nanoseconds(
                            static_cast<std::int64_t>(static_cast<double>(k) * interval_ns_));
    }
    [[nodiscard]] Clock::time_point next_due() const noexcept { return due(next_); }
    // Takes the next slot if it is due at `now`.
    bool take(Clock::time_point now, Clock::time_point& scheduled) noexcept {
        const auto d = next_due();
        if (d > now) return false;
        scheduled = d;
        ++next_;
        return true;
    }
    [[nodiscard]] std::uint64_t taken() const noexcept { return next_; }

private:
    Clock::time_point start_{};
    double interval_ns_ = 0;
    std::uint64_t next_ = 0;
};

}  // namespace bindery::loadgen
