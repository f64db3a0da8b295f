#include "router/core/circuit_breaker.hpp"

namespace bindery::router {

std::string_view to_string(BreakerState s) noexcept {
    switch (s) {
        case BreakerState::closed: return "closed";
        case BreakerState::open: return "open";
        case BreakerState::half_open: return "half_open";
    }
    return "closed";
}

BreakerState CircuitBreaker::state(TimePoint now) noexcept {
    if (state_ == BreakerState::open && now - opened_at_ >= config_.open_for) {
        state_ = BreakerState::half_open;
        probes_inflight_ = 0;
        probe_successes_ = 0;
    }
    return state_;
}

bool CircuitBreaker::allows(TimePoint now) noexcept {
    switch (state(now)) {
        case BreakerState::closed: return true;
        case BreakerState::open: return false;
        case BreakerState::half_open: return probes_inflight_ < config_.probes;
    }
    return false;
}

void CircuitBreaker::on_send(TimePoint now) noexcept {
    if (state(now) == BreakerState::half_open) ++probes_inflight_;
}

void CircuitBreaker::cancel_send() noexcept {
    if (state_ == BreakerState::half_open && probes_inflight_ > 0) --probes_inflight_;
}

void CircuitBreaker::record(Outcome outcome, TimePoint now) noexcept {
    const bool failed = outcome != Outcome::success;
    switch (state(now)) {
        case BreakerState::open: return;  // a late answer from before opening changes nothing
        case BreakerState::half_open:
            if (probes_inflight_ > 0) --probes_inflight_;
            if (failed) {
                open(now);
            } else if (++probe_successes_ >= config_.probe_successes) {
                close();
            }
            return;
        case BreakerState::closed: break;
    }
    outcomes_.push_back(failed);
    if (failed) ++failures_;
    while (outcomes_.size() > config_.window) {
        if (outcomes_.front()) --failures_;
        outcomes_.pop_front();
    }
    timeouts_in_row_ = outcome == Outcome::timeout ? timeouts_in_row_ + 1 : 0;
    const bool too_many_timeouts =
        config_.consecutive_timeouts > 0 && timeouts_in_row_ >= config_.consecutive_timeouts;
    const bool rate_exceeded = outcomes_.size() >= config_.min_samples && !outcomes_.empty() &&
                               static_cast<double>(failures_) >=
                                   config_.error_rate * static_cast<double>(outcomes_.size());
    if (too_many_timeouts || rate_exceeded) open(now);
}

void CircuitBreaker::open(TimePoint now) noexcept {
    state_ = BreakerState::open;
    opened_at_ = now;
    probes_inflight_ = 0;
    probe_successes_ = 0;
    ++opened_count_;
}

void CircuitBreaker::close() noexcept {
    state_ = BreakerState::closed;
    outcomes_.clear();
    failures_ = 0;
    timeouts_in_row_ = 0;
    probes_inflight_ = 0;
    probe_successes_ = 0;
}

}  // namespace bindery::router
