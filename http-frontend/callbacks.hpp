#pragma once
// Delivery callbacks: when a message reaches a final state (and, if configured, SENT), a JSON
// event is POSTed to the message's callback_url, or else to its client's default URL, signed with
// the client's secret:
//
//   X-Bindery-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// Jobs live in a durable CallbackOutbox (SQLite: they survive a restart); every attempt and the
// outcome are recorded in the message's history. Failed attempts (no answer, timeout, any status
// other than 2xx) are retried with exponential backoff (initial_backoff doubling up to
// max_backoff, +-20% jitter) until max_age after the event (24 h by default) or max_attempts;
// 410 Gone ends the job at once. At most max_in_flight requests run at a time.
//
// Threads: notify() is called from RouterHooks::on_transition (under the router's lock), so it
// only queues the event in memory; the dispatcher's own thread resolves the URL, builds the body,
// writes jobs to the outbox (in batches), starts attempts and records outcomes (in batches); HTTP
// runs on the io_context over keep-alive connections.
//
// Jobs stored in this run are attempted from memory, without reading them back: the outbox is
// read for due jobs only at start, when a retry comes due (at least every poll_interval), and
// while a backlog lasts (more than max_ready jobs waiting, e.g. a slow receiver), in due order.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "http-frontend/http_client.hpp"
#include "router/api/callback_outbox.hpp"

namespace bindery::http {

struct CallbackConfig {
    bool on_sent = false;                       // also report SENT (accepted by the carrier)
    std::chrono::milliseconds timeout{10'000};  // per attempt, connect to last byte
    std::size_t max_in_flight = 16;
    std::chrono::milliseconds initial_backoff{30'000};
    std::chrono::milliseconds max_backoff{3'600'000};
    std::chrono::milliseconds max_age{24 * 3'600'000};  // give up this long after the event
    std::uint32_t max_attempts = 50;
    std::chrono::milliseconds poll_interval{1'000};  // look for due jobs at least this often
    // Stored jobs waiting in memory for an attempt at most; past that they wait in the outbox
    // only (a backlog, read back in due order).
    std::size_t max_ready = 10'000;
    HttpClientConfig http;
};

// Per client: where events go when the message names no URL, and the signing secret. A client
// without a secret gets unsigned callbacks (no X-Bindery-Signature).
struct CallbackClient {
    std::string default_url;
    std::string secret;
};

// What the composition root passes from RouterHooks::on_transition.
struct CallbackEvent {
    router::MessageId id;
    std::string client;
    std::string callback_url;  // the message's own URL ("" for none)
    std::string client_ref;
    std::string destination;
    std::string sender;
    router::MessageState from = router::MessageState::accepted;
    router::MessageState to = router::MessageState::accepted;
    router::SystemTime at{};
    std::string provider;
    std::string detail;
    std::uint32_t segments = 1;
    std::uint32_t attempts = 0;
};

// Observations for metrics; each member may be empty.
struct CallbackObserver {
    // `result`: "success", "http_error", "network_error", "timeout".
    std::function<void(std::string_view result, double seconds)> attempt;
    std::function<void(bool delivered)> completed;
    std::function<void(std::uint64_t pending)> pending;
};

struct CallbackStats {
    std::uint64_t queued = 0;   // events turned into jobs
    std::uint64_t skipped = 0;  // events with no URL (message nor client)
    std::uint64_t attempts = 0;
    std::uint64_t delivered = 0;
    std::uint64_t retries = 0;
    std::uint64_t gave_up = 0;
    std::uint64_t store_errors = 0;
};

// The JSON event body (stable member order, compact; each ill-formed UTF-8 sequence in a text
// becomes U+FFFD, never an exception) and the signature header value (each thread keeps HMAC
// contexts keyed with the last 16 secrets it signed with). Thread-safe.
std::string callback_body(const CallbackEvent& e);
std::string callback_signature(std::string_view secret, std::int64_t unix_seconds,
                               std::string_view body);
// The delay before attempt `next_attempt` (2 for the first retry), without jitter.
std::chrono::milliseconds callback_backoff(const CallbackConfig& c, std::uint32_t next_attempt);

class CallbackDispatcher {
public:
    using ClientLookup = std::function<std::optional<CallbackClient>(std::string_view client)>;

    CallbackDispatcher(boost::asio::io_context& io, CallbackConfig config,
                       router::CallbackOutbox& outbox, ClientLookup clients,
                       CallbackObserver observer = {});
    ~CallbackDispatcher();
    CallbackDispatcher(const CallbackDispatcher&) = delete;
    CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

    // Starts the dispatcher thread (jobs left from a previous run are picked up).
    void start();
    // Stops taking new attempts, waits up to `grace` for those in flight (their outcome is
    // recorded), writes queued events to the outbox, joins the thread. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5'000));

    // Cheap and non-blocking: queues the event when it is one to report (final state, or SENT
    // with on_sent); the dispatcher thread skips it when no URL is known. Thread-safe.
    void notify(CallbackEvent event);
    // Whether a transition to `to` is one notify() would queue (final, or SENT with on_sent):
    // callers skip building the event otherwise.
    bool reports(router::MessageState to) const noexcept;
    // Whether a transition to `to` of a message with this callback URL (empty: none) and client
    // would become a callback: reports(to), and a URL, the message's or the client's default. A
    // reportable event without one is counted as skipped here, as the dispatcher thread would;
    // callers neither build nor queue it (most messages of most clients have no callback, and
    // the event's copies, the queue's lock and the dispatcher's wake-up were a tenth of the
    // router thread's time per receipt). Thread-safe, as the client lookup is.
    bool wants(router::MessageState to, std::string_view callback_url,
               std::string_view client) const;
    // Wake the dispatcher (tests, after time-sensitive changes).
    void wake();

    CallbackStats stats() const;
    // The HTTP client's connection counts (pool reuse). Thread-safe.
    HttpClientStats http_stats() const { return client_.stats(); }

private:
    struct Completion {
        router::CallbackJob job;
        OutboundResult result;
    };
    void run();
    // Turns events into jobs (URL, body), stores them; those stored join ready_ unless a backlog
    // is being worked off.
    void admit(std::vector<CallbackEvent> events);
    // Stores jobs, retrying a store outage a few times; the seqs given, empty when lost.
    std::vector<std::int64_t> write_jobs(const std::vector<router::CallbackJob>& jobs);
    void handle_completions(const std::deque<Completion>& completions);
    // Starts due attempts; the time the loop should look again.
    router::SystemTime start_due(router::SystemTime now);
    // Starts attempts from memory (ready_) while there is room; no outbox read.
    void start_ready();
    void start_attempt(router::CallbackJob job);
    void publish_pending(router::SystemTime now);

    // What HTTP completion handlers share with the dispatcher: they may outlive it (an attempt
    // still running after stop()), so they hold it by shared_ptr.
    struct Shared {
        std::mutex mutex;
        std::condition_variable cv;
        bool stopping = false;
        bool woken = false;
        std::vector<CallbackEvent> intake;
        std::deque<Completion> completions;
        CallbackStats stats;
        std::atomic<std::uint64_t> skipped_early{0};  // by wants(), added to stats.skipped
    };

    CallbackConfig config_;
    router::CallbackOutbox& outbox_;
    ClientLookup clients_;
    CallbackObserver observer_;
    HttpClient client_;
    std::shared_ptr<Shared> shared_;
    std::chrono::milliseconds grace_{5'000};
    // The dispatcher thread only:
    std::vector<std::int64_t> in_flight_;    // seqs
    std::deque<router::CallbackJob> ready_;  // stored, due, not in flight, in due order
    bool backlog_ = false;                   // due jobs in the outbox that are not in memory
    router::SystemTime store_look_at_{};     // read the outbox for due jobs from then on
    std::int64_t pending_ = 0;               // jobs in the outbox, kept up to date here
    router::SystemTime pending_counted_{};   // ... and recounted from the outbox a minute on
    std::mt19937_64 rng_{std::random_device{}()};
    std::thread thread_;
};

// Everything in memory (tests; running without a store). Records attempts for inspection.
class InMemoryCallbackOutbox final : public router::CallbackOutbox {
public:
    // router::CallbackOutbox
    Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const router::CallbackJob> jobs) override;
    Expected<std::vector<router::CallbackJob>, std::string> due(
        router::SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) override;
    Expected<void, std::string> record_all(
        std::span<const router::CallbackAttempt> attempts) override;
    Expected<std::optional<router::SystemTime>, std::string> next_due() override;
    Expected<std::uint64_t, std::string> pending() override;

    std::vector<router::CallbackAttempt> attempts() const;

private:
    mutable std::mutex mutex_;
    std::int64_t next_seq_ = 1;
    std::map<std::int64_t, router::CallbackJob> jobs_;
    std::vector<router::CallbackAttempt> attempts_;
};

}  // namespace bindery::http
