#pragma once
// Flow control for what a session sends, driven by `now` (no clock reads, no sleeps):
//  - TokenBucket: rate (messages/s) and burst; try_acquire(now) and next_available(now), so the
//    caller arms a timer instead of busy-waiting. One per session, and one per carrier owned by the
//    bind pool and shared by its sessions (a session asks both, see acquire_both()).
//  - AdaptiveRate: finds a carrier's undisclosed throughput limit from ESME_RTHROTTLED /
//    ESME_RMSGQFUL responses. Slow start (doubling per control interval) until the first throttle;
//    then multiplicative decrease at most once per round (a throttle for a request sent before the
//    last decrease is the same congestion event and is ignored), binary-search recovery towards
//    the rate that was throttled, and additive, accelerating probing above it (BIC-style). See
//    docs/session.md for the simulation figures.

#include <cstdint>
#include <optional>

#include "smpp/base/clock.hpp"

namespace bindery::smpp {

class TokenBucket {
public:
    // rate <= 0 means unlimited. burst < 1 is treated as 1. Starts full.
    TokenBucket(double rate, double burst, TimePoint now) noexcept;

    [[nodiscard]] bool unlimited() const noexcept { return rate_ <= 0.0; }
    [[nodiscard]] double rate() const noexcept { return rate_; }
    [[nodiscard]] double burst() const noexcept { return burst_; }
    // Tokens available at `now` (after refill).
    [[nodiscard]] double available(TimePoint now) noexcept;

    // Takes `n` tokens when they are all there; otherwise takes nothing.
    [[nodiscard]] bool try_acquire(TimePoint now, double n = 1.0) noexcept;
    // Takes `n` tokens even when that drives the balance below zero (a debt that later refills
    // must repay): for messages that must go now, e.g. a retry of an already throttled one.
    void force_acquire(TimePoint now, double n = 1.0) noexcept;
    // Puts back tokens taken by a try_acquire whose send did not happen (capped at burst).
    void refund(double n = 1.0) noexcept;
    // The earliest time try_acquire(t, n) will succeed (now when it would succeed now); n is
    // capped at burst.
    [[nodiscard]] TimePoint next_available(TimePoint now, double n = 1.0) noexcept;

    // Changes the rate from `now` on (tokens accrued so far at the old rate are kept).
    void set_rate(double rate, TimePoint now) noexcept;
    void set_burst(double burst) noexcept;

private:
    void refill(TimePoint now) noexcept;

    double rate_;
    double burst_;
    double tokens_;
    TimePoint last_;
};

// Takes one token from `own` and, when given, from the carrier-wide `shared` bucket — from both or
// from neither. Returns nullopt on success, else the time to try again.
[[nodiscard]] std::optional<TimePoint> acquire_both(TokenBucket& own, TokenBucket* shared,
                                                    TimePoint now) noexcept;

struct AdaptiveRateConfig {
    double initial_rate = 20.0;     // messages/s before any feedback
    double min_rate = 1.0;          // never go below (a throttling carrier still gets probes)
    double max_rate = 100000.0;     // ceiling, e.g. a TPS the contract states
    double decrease_factor = 0.92;  // multiplicative decrease on a throttle event
    double probe_step = 0.005;      // plateau margin below, and first probe above, the known
                                    // limit, as a fraction of it
    int plateau_intervals = 4;      // intervals held just below the known limit before probing
    double min_step = 0.002;        // smallest recovery step, as a fraction of the known limit
    Duration min_interval = std::chrono::milliseconds(100);  // control interval floor
    Duration max_interval = std::chrono::seconds(2);         // control interval ceiling
};

class AdaptiveRate {
public:
    enum class Phase : std::uint8_t { slow_start, recovery, probing };

    explicit AdaptiveRate(AdaptiveRateConfig config = {}) noexcept;

    [[nodiscard]] double rate() const noexcept { return rate_; }
    [[nodiscard]] Phase phase() const noexcept { return phase_; }
    // The rate at which the carrier last throttled (0 before the first throttle).
    [[nodiscard]] double known_limit() const noexcept { return w_max_; }
    // The control interval: the smoothed response time, clamped to [min_interval, max_interval].
    [[nodiscard]] Duration interval() const noexcept;
    [[nodiscard]] std::uint64_t decreases() const noexcept { return decreases_; }
    [[nodiscard]] const AdaptiveRateConfig& config() const noexcept { return config_; }

    // A request left at `now` (lets the controller tell a demand-limited sender from a
    // rate-limited one: the rate only grows while the sender actually uses it).
    void on_sent(TimePoint now) noexcept;
    // A response other than throttled arrived for a request sent at `sent_at`. `congestion` is
    // the SMPP 5.0 congestion_state TLV when the response carried one (0..100): from 90 ("nearing
    // congestion") on, the rate is held instead of grown. Returns true when the rate changed.
    bool on_accepted(TimePoint sent_at, TimePoint now,
                     std::optional<std::uint8_t> congestion = {}) noexcept;
    // ESME_RTHROTTLED / ESME_RMSGQFUL for a request sent at `sent_at`. Returns true when the rate
    // was decreased (false when this throttle belongs to an event already reacted to).
    bool on_throttled(TimePoint sent_at, TimePoint now) noexcept;

private:
    void maybe_increase(TimePoint now) noexcept;
    void start_interval(TimePoint now) noexcept;
    [[nodiscard]] double clamp_rate(double r) const noexcept;

    AdaptiveRateConfig config_;
    double rate_;
    double w_max_ = 0.0;
    Phase phase_ = Phase::slow_start;
    int probe_rounds_ = 0;
    std::optional<TimePoint> last_decrease_;
    std::optional<TimePoint> interval_start_;
    std::uint64_t sent_in_interval_ = 0;
    bool accepted_since_change_ = false;
    bool congested_ = false;  // a response in this interval reported congestion_state >= 90
    std::optional<TimePoint> last_change_;
    double srtt_seconds_ = 0.0;
    std::uint64_t decreases_ = 0;
};

}  // namespace bindery::smpp
