#include "smpp/session/throttle.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace bindery::smpp {

namespace {
// Tolerance for floating-point refill: a caller woken at next_available() must succeed.
constexpr double kEpsilon = 1e-9;

double seconds(Duration d) noexcept { return std::chrono::duration<double>(d).count(); }

Duration from_seconds(double s) noexcept {
    const double ns = std::ceil(s * 1e9);
    // Cap at ~100 years so a tiny rate can never overflow the duration.
    constexpr double kCap = 3.0e18;
    return std::chrono::duration_cast<Duration>(
        std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(ns, kCap))));
}
}  // namespace

TokenBucket::TokenBucket(double rate, double burst, TimePoint now) noexcept
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(TimePoint now) noexcept {
    if (now <= last_) return;  // time never runs backwards here; ignore a stale `now`
    if (rate_ > 0.0) tokens_ = std::min(burst_, tokens_ + rate_ * seconds(now - last_));
    last_ = now;
}

double TokenBucket::available(TimePoint now) noexcept {
    refill(now);
    return tokens_;
}

bool TokenBucket::try_acquire(TimePoint now, double n) noexcept {
    if (unlimited()) return true;
    refill(now);
    if (tokens_ + kEpsilon < n) return false;
    tokens_ -= n;
    return true;
}

void TokenBucket::force_acquire(TimePoint now, double n) noexcept {
    if (unlimited()) return;
    refill(now);
    tokens_ -= n;
}

void TokenBucket::refund(double n) noexcept { tokens_ = std::min(burst_, tokens_ + n); }

TimePoint TokenBucket::next_available(TimePoint now, double n) noexcept {
    if (unlimited()) return now;
    refill(now);
    n = std::min(n, burst_);
    if (tokens_ + kEpsilon >= n) return now;
    return std::max(now, last_) + from_seconds((n - tokens_) / rate_);
}

void TokenBucket::set_rate(double rate, TimePoint now) noexcept {
    refill(now);
    if (rate_ <= 0.0 && rate > 0.0) tokens_ = std::min(tokens_, burst_);
    rate_ = rate;
}

void TokenBucket::set_burst(double burst) noexcept {
    burst_ = std::max(burst, 1.0);
    tokens_ = std::min(tokens_, burst_);
}

std::optional<TimePoint> acquire_both(TokenBucket& own, TokenBucket* shared,
                                      TimePoint now) noexcept {
    const bool own_ok = own.unlimited() || own.available(now) + kEpsilon >= 1.0;
    const bool shared_ok =
        shared == nullptr || shared->unlimited() || shared->available(now) + kEpsilon >= 1.0;
    if (own_ok && shared_ok) {
        (void)own.try_acquire(now);
        if (shared != nullptr) (void)shared->try_acquire(now);
        return std::nullopt;
    }
    TimePoint at = own.next_available(now);
    if (shared != nullptr) at = std::max(at, shared->next_available(now));
    return at;
}

// ---- AdaptiveRate ----------------------------------------------------------------------------

AdaptiveRate::AdaptiveRate(AdaptiveRateConfig config) noexcept : config_(config), rate_(0.0) {
    config_.min_rate = std::max(config_.min_rate, 0.001);
    config_.max_rate = std::max(config_.max_rate, config_.min_rate);
    config_.decrease_factor = std::clamp(config_.decrease_factor, 0.1, 0.99);
    rate_ = clamp_rate(config_.initial_rate);
}

double AdaptiveRate::clamp_rate(double r) const noexcept {
    return std::clamp(r, config_.min_rate, config_.max_rate);
}

Duration AdaptiveRate::interval() const noexcept {
    const Duration srtt = from_seconds(srtt_seconds_);
    return std::clamp(srtt, config_.min_interval,
                      std::max(config_.min_interval, config_.max_interval));
}

void AdaptiveRate::start_interval(TimePoint now) noexcept {
    interval_start_ = now;
    sent_in_interval_ = 0;
    congested_ = false;
}

void AdaptiveRate::on_sent(TimePoint now) noexcept {
    if (!interval_start_) start_interval(now);
    ++sent_in_interval_;
}

bool AdaptiveRate::on_accepted(TimePoint sent_at, TimePoint now,
                               std::optional<std::uint8_t> congestion) noexcept {
    constexpr std::uint8_t kNearingCongestion = 90;
    if (congestion && *congestion >= kNearingCongestion) congested_ = true;
    const double rtt = std::max(0.0, seconds(now - sent_at));
    srtt_seconds_ = srtt_seconds_ == 0.0 ? rtt : 0.875 * srtt_seconds_ + 0.125 * rtt;
    if (!last_change_ || sent_at >= *last_change_) accepted_since_change_ = true;
    const double before = rate_;
    maybe_increase(now);
    return rate_ != before;
}

void AdaptiveRate::maybe_increase(TimePoint now) noexcept {
    if (!interval_start_) {
        start_interval(now);
        return;
    }
    const Duration len = now - *interval_start_;
    if (len < interval()) return;
    // Grow only while the sender uses most of what it is allowed: a sender limited by demand or
    // by its window says nothing about the carrier's limit.
    const double allowed = rate_ * seconds(len);
    const bool rate_limited = static_cast<double>(sent_in_interval_) >= 0.8 * allowed;
    if (accepted_since_change_ && rate_limited && !congested_) {
        double next = rate_;
        switch (phase_) {
            case Phase::slow_start: next = rate_ * 2.0; break;
            case Phase::recovery: {
                // Binary search up to just below the rate that was throttled.
                const double target = w_max_ * (1.0 - config_.probe_step);
                const double step = std::max((target - rate_) / 2.0, config_.min_step * w_max_);
                next = rate_ + step;
                if (next >= target) {
                    next = std::max(rate_, target);
                    phase_ = Phase::probing;
                    probe_rounds_ = 0;
                }
                break;
            }
            case Phase::probing: {
                // Hold the plateau for a few intervals, then probe above it in steps that double
                // while the carrier keeps accepting (it may have raised its limit).
                ++probe_rounds_;
                if (probe_rounds_ <= config_.plateau_intervals) break;
                const int k = std::min(probe_rounds_ - config_.plateau_intervals - 1, 16);
                next = rate_ + std::max(config_.probe_step * w_max_ * std::ldexp(1.0, k),
                                        config_.min_step * w_max_);
                break;
            }
        }
        next = clamp_rate(next);
        if (next != rate_) {
            rate_ = next;
            last_change_ = now;
            accepted_since_change_ = false;
        }
    }
    start_interval(now);
}

bool AdaptiveRate::on_throttled(TimePoint sent_at, TimePoint now) noexcept {
    const double rtt = std::max(0.0, seconds(now - sent_at));
    srtt_seconds_ = srtt_seconds_ == 0.0 ? rtt : 0.875 * srtt_seconds_ + 0.125 * rtt;
    // Sent before the last decrease: part of the congestion event already reacted to.
    if (last_decrease_ && sent_at < *last_decrease_) return false;
    // The rate that was just throttled is the best estimate of the limit (whether above or below
    // the previous estimate: a limit that went down is followed down at once).
    w_max_ = rate_;
    rate_ = clamp_rate(rate_ * config_.decrease_factor);
    phase_ = Phase::recovery;
    probe_rounds_ = 0;
    last_decrease_ = now;
    last_change_ = now;
    accepted_since_change_ = false;
    start_interval(now);
    ++decreases_;
    return true;
}

}  // namespace bindery::smpp
