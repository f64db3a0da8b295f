#include "smpp/net/backoff.hpp"

#include <algorithm>

namespace bindery::smpp {

RetryCause classify_bind_status(CommandStatus status) noexcept {
    switch (status) {
        case CommandStatus::ESME_RBINDFAIL:
        case CommandStatus::ESME_RINVPASWD:
        case CommandStatus::ESME_RINVSYSID:
        case CommandStatus::ESME_RINVSYSTYP:
            return RetryCause::rejected;
        case CommandStatus::ESME_RTHROTTLED:
        case CommandStatus::ESME_RMSGQFUL:
            return RetryCause::throttled;
        default:
            return RetryCause::network;
    }
}

ReconnectBackoff::ReconnectBackoff(BackoffConfig config, std::uint64_t seed)
    : config_(config), rng_(seed) {}

namespace {

Duration exponential(Duration base, Duration cap, unsigned attempt) noexcept {
    Duration d = std::max(base, Duration(1));
    for (unsigned i = 0; i < attempt && d < cap; ++i) d *= 2;
    return std::min(d, cap);
}

}  // namespace

Duration ReconnectBackoff::ceiling(RetryCause failure) const noexcept {
    if (failure == RetryCause::rejected) {
        return exponential(config_.bind_failure_initial, config_.bind_failure_max, rejected_attempts_);
    }
    return exponential(config_.initial, config_.max, attempts_);
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
