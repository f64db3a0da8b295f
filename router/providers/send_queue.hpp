#pragma once
// What the HTTP-driven providers (HttpProvider, KavenegarProvider) share around their send
// queue: the queued entry, the answer every queued entry gets when the provider stops, the
// health a queue of `max_queue` reports, and the rate bucket that paces their API calls. Their
// State types keep what differs (one request per message vs batches, status polling).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>

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

// The provider calls both post to their State's strand (State: `strand`, `stopping`,
// `begin_stop(drain, done)`, `client`, `enqueue(QueuedSend)`; shared_ptr-owned so a late handler
// keeps it alive).
//
// stop(drain, done): the first call starts the drain; a later one only calls `done`.
template <class State>
void post_stop(const std::shared_ptr<State>& state, Duration drain, std::function<void()> done) {
    boost::asio::post(state->strand, [s = state, drain, done = std::move(done)]() mutable {
        if (s->stopping) {
            if (done) done();
            return;
        }
        s->begin_stop(drain, std::move(done));
    });
}

// The provider's destructor: stop at once without waiting (queued sends answered not_sent) and
// close the client's connections. Never throws (a destructor's throw ends the process): if the
// post itself fails (no memory for the handler), the state and its connections go when the
// io_context does.
template <class State>
void post_shutdown(const std::shared_ptr<State>& state) noexcept {
    try {
        boost::asio::post(state->strand, [s = state] {
            if (!s->stopping) s->begin_stop(Duration::zero(), {});
            s->client->stop();
        });
    } catch (...) {}
}

// send(message, done): queued on the strand.
template <class State>
void post_send(const std::shared_ptr<State>& state, OutboundMessage message,
               std::function<void(SendResult)> done) {
    boost::asio::post(state->strand,
                      [s = state, q = QueuedSend{std::move(message), std::move(done)}]() mutable {
                          s->enqueue(std::move(q));
                      });
}

}  // namespace bindery::router
