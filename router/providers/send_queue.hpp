#pragma once
// What the HTTP-driven providers (HttpProvider, KavenegarProvider) share around their send
// queue: the queued entry, the answer every queued entry gets when the provider stops, the
// health a queue of `max_queue` reports, and the rate bucket that paces their API calls. Their
// State types keep what differs (one request per message vs batches, status polling).

#include <cstddef>
#include <deque>
#include <functional>
#include <string_view>

#include "router/core/provider.hpp"
#include "smpp/base/clock.hpp"

namespace bindery::router {

struct QueuedSend {
    OutboundMessage message;
    std::function<void(SendResult)> done;
};

// Answers every entry of `queue` not_sent with `why` (in queue order) and leaves it empty.
void fail_queued(std::deque<QueuedSend>& queue, std::string_view why);

// A provider's health: `queued` waiting of at most `max_queue`, `busy` queued or in flight.
[[nodiscard]] ProviderHealth queue_health(bool connected, std::size_t queued, std::size_t busy,
                                          std::size_t max_queue) noexcept;

// A token bucket: `rate` tokens a second, at most `burst` saved (0: max(1, rate)); starts full.
// rate <= 0: unlimited (a token is always there). Not thread-safe: the provider's strand owns it.
class RateBucket {
public:
    RateBucket(double rate, double burst, TimePoint now) noexcept;

    // Refills up to `now`; true when a whole token is there (ready() then take(): a caller may
    // check before it knows it will spend one).
    [[nodiscard]] bool ready(TimePoint now) noexcept;
    void take() noexcept;
    // ready(now), and take() when it is.
    [[nodiscard]] bool try_take(TimePoint now) noexcept;
    // How long after the last refill the next whole token is due, plus a millisecond so a timer
    // set to it finds one; zero when one is there.
    [[nodiscard]] Duration wait() const noexcept;

private:
    double rate_;
    double burst_;
    double tokens_;
    TimePoint refilled_at_;
};

}  // namespace bindery::router
