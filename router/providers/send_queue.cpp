#include "router/providers/send_queue.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace bindery::router {

void fail_queued(std::deque<QueuedSend>& queue, std::string_view why) {
    auto waiting = std::move(queue);
    queue.clear();
    for (auto& q : waiting) {
        SendResult r;
        r.error = SendError{SendErrorKind::not_sent, 0, std::string(why)};
        q.done(std::move(r));
    }
}

ProviderHealth queue_health(bool connected, std::size_t queued, std::size_t busy,
                            std::size_t max_queue) noexcept {
    ProviderHealth h;
    h.connected = connected;
    h.inflight = static_cast<std::uint32_t>(busy);
    h.capacity = static_cast<std::uint32_t>(queued < max_queue ? max_queue - queued : 0);
    return h;
}

RateBucket::RateBucket(double rate, double burst, TimePoint now) noexcept
    : rate_(rate),
      burst_(burst > 0 ? burst : std::max(1.0, rate)),
      tokens_(burst_),
      refilled_at_(now) {}

bool RateBucket::ready(TimePoint now) noexcept {
    if (rate_ <= 0) return true;
    const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    refilled_at_ = now;
    return tokens_ >= 1.0;
}

void RateBucket::take() noexcept {
    if (rate_ > 0) tokens_ -= 1.0;
}

bool RateBucket::try_take(TimePoint now) noexcept {
    if (!ready(now)) return false;
    take();
    return true;
}

Duration RateBucket::wait() const noexcept {
    if (rate_ <= 0 || tokens_ >= 1.0) return Duration::zero();
    const auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
    return std::chrono::duration_cast<Duration>(wait) + std::chrono::milliseconds(1);
}

}  // namespace bindery::router
