#include "smpp/net/backoff.hpp"

#include <algorithm>

namespace bindery::smpp {

RetryCause classify_bind_status(CommandStatus status) noexcept {
    switch (status) {
        case CommandStatus::ESME_RBINDFAIL:
        case CommandStatus::ESME_RINVPASWD:
        case CommandStatus::ESME_RINVSYSID:
        case CommandStatus::ESME_RINVSYSTYP: return RetryCause::rejected;
        case CommandStatus::ESME_RTHROTTLED:
        case CommandStatus::ESME_RMSGQFUL: return RetryCause::throttled;
        default: return RetryCause::network;
    }
}

ReconnectBackoff::ReconnectBackoff(BackoffConfig config, std::uint64_t seed)
    : config_(config), rng_(seed) {}

namespace {

// min(cap, base * multiplier^attempt), computed in double so a fractional multiplier grows a
// small base too (1 ns * 1.5 would stay 1 ns in integer steps) and nothing overflows.
Duration exponential(Duration base, Duration cap, double multiplier, unsigned attempt) noexcept {
    const double mult = std::max(1.0, multiplier);
    double d = static_cast<double>(std::max(base, Duration(1)).count());
    const auto limit = static_cast<double>(cap.count());
    for (unsigned i = 0; i < attempt && d < limit; ++i) d *= mult;
    if (d >= limit) return cap;
    return Duration(static_cast<Duration::rep>(d));
}

}  // namespace

Duration ReconnectBackoff::ceiling(RetryCause failure) const noexcept {
    if (failure == RetryCause::rejected) {
        return exponential(config_.bind_failure_initial, config_.bind_failure_max, 2.0,
                           rejected_attempts_);
    }
    return exponential(config_.initial, config_.max, config_.multiplier, attempts_);
}

Duration ReconnectBackoff::next_delay(RetryCause failure) {
    const Duration cap = ceiling(failure);
    ++attempts_;
    if (failure == RetryCause::rejected) {
        ++rejected_attempts_;
        // A rejected bind waits at least half its ceiling: full jitter could otherwise retry a
        // wrong password almost at once.
        std::uniform_int_distribution<Duration::rep> dist(cap.count() / 2, cap.count());
        return Duration(dist(rng_));
    }
    std::uniform_int_distribution<Duration::rep> dist(0, cap.count());
    return Duration(dist(rng_));
}

void ReconnectBackoff::on_unbound(TimePoint now) noexcept {
    if (bound_since_ && now - *bound_since_ >= config_.stable_after) reset();
    bound_since_.reset();
}

}  // namespace bindery::smpp
