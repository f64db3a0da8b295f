#pragma once
// The process's Prometheus registry and every metric family Bindery exports on GET /metrics.
// docs/metrics.md is the catalogue (name, type, labels, meaning): alert rules and dashboards are
// built on those names, so they are stable; add, never rename.
//
// Three ways metrics get their values:
// - events, counted where they happen (HTTP requests, message transitions, callback attempts):
//   the member functions below, thread-safe and cheap (label sets are cached);
// - samples of state owned elsewhere (bind pools, router backlog, breakers), taken on each scrape
//   by the collectors registered with add_collector(); a sampled cumulative count (bind_ups,
//   throttle responses) advances its Prometheus counter by the difference since the last scrape;
// - the process itself (RSS, CPU, fds), read from /proc on each scrape.
// Values are plain strings and numbers: this file knows nothing of the router or SMPP types; the
// composition root (app/gateway_metrics) translates.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace bindery::http {

// One SMPP carrier's bind pool, sampled (cumulative counts since the pool started).
struct CarrierSample {
    std::string carrier;
    unsigned binds_configured = 0;
    unsigned binds_up = 0;
    std::uint64_t bind_ups = 0;
    std::uint64_t bind_downs = 0;
    std::uint64_t bind_failures = 0;
    std::uint64_t in_flight = 0;          // window occupancy
    std::uint64_t window = 0;             // total window of the bound transmitters
    std::uint64_t queued = 0;             // waiting in the pool for window room
    std::uint64_t throttled_carrier = 0;  // ESME_RTHROTTLED responses
    std::uint64_t throttled_local = 0;    // waits on the configured max_tps
    std::uint64_t receipts = 0;
    std::uint64_t receipts_unparsed = 0;
    std::uint64_t mo_messages = 0;
};

// The router, sampled (cumulative counts since the process started).
struct RouterSample {
    std::uint64_t backlog = 0;  // messages waiting to be sent
    std::uint64_t backlog_limit = 0;
    bool accepting = true;
    std::uint64_t receipts_matched = 0;
    std::uint64_t receipts_held = 0;
    std::uint64_t receipts_unknown = 0;
    std::uint64_t backpressured = 0;
    std::uint64_t retries_scheduled = 0;
    std::uint64_t stale_results = 0;
};

// The SMPP server side's concatenated submits, sampled (gauges now, counts since the start).
struct SmppConcatSample {
    std::uint64_t parts_pending = 0;
    std::uint64_t messages_pending = 0;
    std::uint64_t parts_stored = 0;
    std::uint64_t parts_duplicate = 0;
    std::uint64_t parts_refused = 0;
    std::uint64_t reassembled = 0;
    std::uint64_t timed_out = 0;
    std::uint64_t rejected = 0;
};

// Circuit breaker levels as exported by bindery_breaker_state.
enum class BreakerLevel : std::uint8_t { closed = 0, half_open = 1, open = 2 };

// Advances `counter` to a sampled cumulative value `now` (`last`: the value at the previous
// sample; a smaller value means the source restarted: count it from zero).
void advance(prometheus::Counter& counter, std::uint64_t& last, std::uint64_t now);

class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    prometheus::Registry& registry() noexcept { return *registry_; }
    std::shared_ptr<prometheus::Registry> shared_registry() const noexcept { return registry_; }
    // Runs the collectors, reads /proc, then renders the text exposition format.
    std::string serialize() const;

    // Called (in registration order) at the start of every serialize(), from the scraping thread.
    // A collector must not call serialize().
    void add_collector(std::function<void(Metrics&)> collector);

    // ---- HTTP front end ------------------------------------------------------------------------
    void observe_request(std::string_view route, std::string_view method, unsigned code,
                         double seconds);
    void message_accepted(std::string_view priority, double count = 1);
    void message_rejected(std::string_view reason, double count = 1);
    prometheus::Gauge& connections_active() noexcept { return *connections_active_; }
    prometheus::Counter& connections_refused() noexcept { return *connections_refused_; }

    // ---- Router events -------------------------------------------------------------------------
    // A message entered `state` (upper-case lifecycle name, "DELIVERED") through `provider`
    // ("" for transitions before a provider is chosen). DEAD_LETTER also counts a dead letter.
    void message_transition(std::string_view state, std::string_view provider);
    // One provider send: handed to the provider -> its result. `result`: "ok" or the error kind
    // ("timeout", "connection", "throttled", "status", "rejected_local", "not_sent").
    void observe_submit(std::string_view provider, std::string_view result, double seconds);
    // A store operation failed; `code` is the StoreErrc name ("busy", "full", ...).
    void store_error(std::string_view code);
    // A provider's circuit breaker changed state.
    void breaker_changed(std::string_view provider, BreakerLevel level);

    // ---- Delivery callbacks --------------------------------------------------------------------
    // One HTTP attempt to a client's callback URL. `result`: "success" (2xx), "http_error"
    // (answered, not 2xx), "network_error" (connect/TLS/reset), "timeout".
    void callback_attempt(std::string_view result, double seconds);
    // A callback event reached its end: delivered (some attempt succeeded) or abandoned (retries
    // exhausted or expired).
    void callback_completed(bool delivered);
    // Callback events waiting for their next attempt (set by the dispatcher, or by a collector).
    void set_callbacks_pending(double n);

    // ---- Samples (from collectors) -------------------------------------------------------------
    void sample_carrier(const CarrierSample& s);
    void sample_router(const RouterSample& s);
    void sample_smpp_concat(const SmppConcatSample& s);
    void set_breaker(std::string_view provider, BreakerLevel level);
    // 1 while an operator has paused the carrier (bindery bind pause), else 0.
    void set_carrier_paused(std::string_view carrier, bool paused);
    // Messages waiting in the router's lane (express / normal / bulk).
    void set_queue_depth(std::string_view lane, double n);
    // A metered client's credit account now (minor units): available balance and open holds.
    void set_credit_account(std::string_view client, double balance, double on_hold);
    // Credit moved for `client` since the last call: `kind` "hold", "capture", "release" or
    // "topup"; `amount` >= 0 in minor units.
    void credit_moved(std::string_view client, std::string_view kind, double amount);

private:
    struct CarrierLast;
    // The counter of `key`, added to `family` with labels() the first time only: the label map
    // (two nodes and their strings) is built on a miss, not on every increment (a message's
    // every transition and every HTTP request count one).
    template <class Labels>
    prometheus::Counter& cached_counter(
        prometheus::Family<prometheus::Counter>& family,
        std::unordered_map<std::string, prometheus::Counter*>& cache, const std::string& key,
        const Labels& labels) {
        auto it = cache.find(key);
        if (it == cache.end()) it = cache.emplace(key, &family.Add(labels())).first;
        return *it->second;
    }
    void collect_process() const;

    std::shared_ptr<prometheus::Registry> registry_;
    // HTTP
    prometheus::Family<prometheus::Counter>* requests_;
    prometheus::Family<prometheus::Histogram>* duration_;
    prometheus::Family<prometheus::Counter>* accepted_;
    prometheus::Family<prometheus::Counter>* rejected_;
    prometheus::Gauge* connections_active_;
    prometheus::Counter* connections_refused_;
    // Router events
    prometheus::Family<prometheus::Counter>* transitions_;
    prometheus::Family<prometheus::Counter>* dead_letters_;
    prometheus::Family<prometheus::Histogram>* submit_duration_;
    prometheus::Family<prometheus::Counter>* store_errors_;
    prometheus::Family<prometheus::Counter>* breaker_transitions_;
    prometheus::Family<prometheus::Gauge>* breaker_state_;
    prometheus::Family<prometheus::Gauge>* carrier_paused_;
    // Callbacks
    prometheus::Family<prometheus::Counter>* callback_attempts_;
    prometheus::Histogram* callback_duration_;
    prometheus::Family<prometheus::Counter>* callbacks_completed_;
    prometheus::Gauge* callbacks_pending_;
    // Carriers (sampled)
    prometheus::Family<prometheus::Gauge>* binds_configured_;
    prometheus::Family<prometheus::Gauge>* binds_up_;
    prometheus::Family<prometheus::Counter>* bind_events_;
    prometheus::Family<prometheus::Gauge>* window_in_flight_;
    prometheus::Family<prometheus::Gauge>* window_size_;
    prometheus::Family<prometheus::Gauge>* carrier_queue_;
    prometheus::Family<prometheus::Counter>* throttle_events_;
    prometheus::Family<prometheus::Counter>* carrier_receipts_;
    prometheus::Family<prometheus::Counter>* mo_messages_;
    // Router (sampled)
    prometheus::Family<prometheus::Gauge>* queue_depth_;
    prometheus::Gauge* backlog_;
    prometheus::Gauge* backlog_limit_;
    prometheus::Gauge* accepting_;
    prometheus::Family<prometheus::Counter>* receipts_;
    prometheus::Counter* backpressured_;
    prometheus::Counter* retries_;
    prometheus::Counter* stale_results_;
    // Process (sampled)
    prometheus::Gauge* rss_;
    prometheus::Gauge* vsize_;
    prometheus::Counter* cpu_;
    prometheus::Gauge* open_fds_;
    prometheus::Gauge* max_fds_;
    prometheus::Gauge* threads_;
    prometheus::Gauge* start_time_;
    // SMPP server side, concatenated submits (sampled)
    prometheus::Gauge* concat_parts_pending_;
    prometheus::Gauge* concat_messages_pending_;
    prometheus::Family<prometheus::Counter>* concat_parts_;
    prometheus::Family<prometheus::Counter>* concat_messages_;
    // Credits (sampled)
    prometheus::Family<prometheus::Gauge>* credit_balance_;
    prometheus::Family<prometheus::Gauge>* credit_on_hold_;
    prometheus::Family<prometheus::Counter>* credit_held_;
    prometheus::Family<prometheus::Counter>* credit_captured_;
    prometheus::Family<prometheus::Counter>* credit_released_;
    prometheus::Family<prometheus::Counter>* credit_added_;

    mutable std::mutex mutex_;  // caches and last-sample state below
    std::unordered_map<std::string, prometheus::Counter*> transition_cache_;
    std::unordered_map<std::string, prometheus::Counter*> dead_letter_cache_;
    std::unordered_map<std::string, prometheus::Histogram*> submit_cache_;
    std::unordered_map<std::string, prometheus::Counter*> request_cache_;
    std::unordered_map<std::string, prometheus::Histogram*> duration_cache_;
    std::map<std::string, std::unique_ptr<CarrierLast>, std::less<>> carriers_;
    RouterSample router_last_;
    SmppConcatSample concat_last_;
    mutable double cpu_last_ = 0;
    mutable std::mutex collect_mutex_;  // one scrape at a time runs the collectors
    std::vector<std::function<void(Metrics&)>> collectors_;
};

}  // namespace bindery::http
