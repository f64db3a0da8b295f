#include "http-frontend/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <prometheus/text_serializer.h>

namespace bindery::http {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Functions, not static vectors: a static's initializer that throws could not be caught.
// Request handling and callback attempts: 0.5 ms .. 10 s.
prometheus::Histogram::BucketBoundaries request_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}
// Provider submit -> response: 0.25 ms .. 30 s (carrier response timeouts are seconds).
prometheus::Histogram::BucketBoundaries submit_buckets() {
    return {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1,     0.25,   0.5,   1,      2.5,   5,    10,    30};
}

std::string key_of(std::string_view a, std::string_view b, std::string_view c = {}) {
    std::string k;
    k.reserve(a.size() + b.size() + c.size() + 2);
    k.append(a).push_back('\n');
    k.append(b).push_back('\n');
    k.append(c);
    return k;
}

std::string provider_label(std::string_view provider) {
    return provider.empty() ? std::string("none") : std::string(provider);
}

}  // namespace

void advance(prometheus::Counter& counter, std::uint64_t& last, std::uint64_t now) {
    const std::uint64_t delta = now >= last ? now - last : now;
    if (delta > 0) counter.Increment(static_cast<double>(delta));
    last = now;
}

struct Metrics::CarrierLast {
    prometheus::Gauge* binds_configured = nullptr;
    prometheus::Gauge* binds_up = nullptr;
    prometheus::Gauge* in_flight = nullptr;
    prometheus::Gauge* window = nullptr;
    prometheus::Gauge* queued = nullptr;
    prometheus::Counter* bind_ups = nullptr;
    prometheus::Counter* bind_downs = nullptr;
    prometheus::Counter* bind_failures = nullptr;
    prometheus::Counter* throttled_carrier = nullptr;
    prometheus::Counter* throttled_local = nullptr;
    prometheus::Counter* receipts = nullptr;
    prometheus::Counter* receipts_unparsed = nullptr;
    prometheus::Counter* mo = nullptr;
    CarrierSample last;
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(&BuildCounter()
                     .Name("http_requests_total")
                     .Help("HTTP requests answered, by route template, method and status code")
                     .Register(*registry_)),
      duration_(&BuildHistogram()
                     .Name("http_request_duration_seconds")
                     .Help("Time from a complete request to its response, by route and method")
                     .Register(*registry_)),
      accepted_(&BuildCounter()
                     .Name("bindery_messages_accepted_total")
                     .Help("Messages accepted through the HTTP API, by priority lane")
                     .Register(*registry_)),
      rejected_(&BuildCounter()
                     .Name("bindery_messages_rejected_total")
                     .Help("Messages refused by the HTTP API, by reason code")
                     .Register(*registry_)),
      connections_active_(&BuildGauge()
                               .Name("http_connections_active")
                               .Help("Open HTTP connections")
                               .Register(*registry_)
                               .Add({})),
      connections_refused_(&BuildCounter()
                                .Name("http_connections_refused_total")
                                .Help("Connections closed at accept because the limit was reached")
                                .Register(*registry_)
                                .Add({})),
      transitions_(&BuildCounter()
                        .Name("bindery_message_transitions_total")
                        .Help("Message lifecycle transitions recorded, by the state entered and "
                              "the provider of the attempt (none before one is chosen)")
                        .Register(*registry_)),
      dead_letters_(&BuildCounter()
                         .Name("bindery_dead_letters_total")
                         .Help("Messages moved to DEAD_LETTER (retries exhausted or validity "
                               "expired), by provider of the last attempt")
                         .Register(*registry_)),
      submit_duration_(&BuildHistogram()
                            .Name("bindery_provider_submit_duration_seconds")
                            .Help("Provider send handed over -> provider result (submit_sm -> "
                                  "submit_sm_resp for SMPP, all segments), by provider and result")
                            .Register(*registry_)),
      store_errors_(&BuildCounter()
                         .Name("bindery_store_errors_total")
                         .Help("Message store operations that failed, by error code")
                         .Register(*registry_)),
      breaker_transitions_(&BuildCounter()
                                .Name("bindery_breaker_transitions_total")
                                .Help("Circuit breaker state changes, by provider and new state")
                                .Register(*registry_)),
      breaker_state_(&BuildGauge()
                          .Name("bindery_breaker_state")
                          .Help("Circuit breaker state by provider: 0 closed, 1 half-open, 2 open")
                          .Register(*registry_)),
      carrier_paused_(&BuildGauge()
                           .Name("bindery_carrier_paused")
                           .Help("1 while an operator has paused the carrier (bindery bind pause): "
                                 "nothing new is dispatched to it; /readyz stays ready")
                           .Register(*registry_)),
      callback_attempts_(&BuildCounter()
                              .Name("bindery_callback_attempts_total")
                              .Help("Delivery callback HTTP attempts, by result (success, "
                                    "http_error, network_error, timeout)")
                              .Register(*registry_)),
      callback_duration_(&BuildHistogram()
                              .Name("bindery_callback_duration_seconds")
                              .Help("Delivery callback attempt: request sent -> response or error")
                              .Register(*registry_)
                              .Add({}, request_buckets())),
      callbacks_completed_(&BuildCounter()
                                .Name("bindery_callbacks_completed_total")
                                .Help("Delivery callback events finished, by outcome (delivered, "
                                      "abandoned)")
                                .Register(*registry_)),
      callbacks_pending_(&BuildGauge()
                              .Name("bindery_callbacks_pending")
                              .Help("Delivery callback events waiting for their next attempt")
                              .Register(*registry_)
                              .Add({})),
      binds_configured_(&BuildGauge()
                             .Name("bindery_binds_configured")
                             .Help("SMPP binds configured, by carrier")
                             .Register(*registry_)),
      binds_up_(&BuildGauge()
                     .Name("bindery_binds_up")
                     .Help("SMPP binds bound now, by carrier")
                     .Register(*registry_)),
      bind_events_(&BuildCounter()
                        .Name("bindery_bind_events_total")
                        .Help("SMPP bind state changes by carrier and event (up: bind succeeded, "
                              "down: bound link lost or closed, failed: bind attempt failed)")
                        .Register(*registry_)),
      window_in_flight_(&BuildGauge()
                             .Name("bindery_window_in_flight")
                             .Help("Submits awaiting a response (window occupancy), by carrier")
                             .Register(*registry_)),
      window_size_(&BuildGauge()
                        .Name("bindery_window_size")
                        .Help("Total window of the bound transmitting binds, by carrier")
                        .Register(*registry_)),
      carrier_queue_(&BuildGauge()
                          .Name("bindery_carrier_queue_depth")
                          .Help("Submits waiting in a carrier's bind pool for window room")
                          .Register(*registry_)),
      throttle_events_(&BuildCounter()
                            .Name("bindery_throttle_events_total")
                            .Help("Throttling by carrier and source (carrier: ESME_RTHROTTLED "
                                  "responses; local: waits on the configured max_tps)")
                            .Register(*registry_)),
      carrier_receipts_(&BuildCounter()
                             .Name("bindery_carrier_receipts_total")
                             .Help("Delivery receipts received from a carrier, by carrier and "
                                   "result (parsed, unparsed)")
                             .Register(*registry_)),
      mo_messages_(&BuildCounter()
                        .Name("bindery_mo_messages_total")
                        .Help("Mobile-originated messages received (after reassembly), by carrier")
                        .Register(*registry_)),
      queue_depth_(&BuildGauge()
                        .Name("bindery_queue_depth")
                        .Help("Messages waiting in the router's dispatch queue, by priority lane")
                        .Register(*registry_)),
      backlog_(&BuildGauge()
                    .Name("bindery_router_backlog")
                    .Help("Messages waiting to be sent (memory queue, store spill, being inserted)")
                    .Register(*registry_)
                    .Add({})),
      backlog_limit_(&BuildGauge()
                          .Name("bindery_router_backlog_limit")
                          .Help("Backlog at which new messages are refused (high watermark)")
                          .Register(*registry_)
                          .Add({})),
      accepting_(&BuildGauge()
                      .Name("bindery_router_accepting")
                      .Help("1 while the router accepts new messages, 0 while backpressured")
                      .Register(*registry_)
                      .Add({})),
      receipts_(&BuildCounter()
                     .Name("bindery_receipts_total")
                     .Help("Receipts handled by the router, by result (matched: applied to a "
                           "message; held: arrived before the send result, kept for a while; "
                           "unknown: no message found)")
                     .Register(*registry_)),
      backpressured_(&BuildCounter()
                          .Name("bindery_router_backpressure_refusals_total")
                          .Help("Messages refused because the backlog reached its limit")
                          .Register(*registry_)
                          .Add({})),
      retries_(&BuildCounter()
                    .Name("bindery_retries_scheduled_total")
                    .Help("Retries scheduled after a temporary failure")
                    .Register(*registry_)
                    .Add({})),
      stale_results_(&BuildCounter()
                          .Name("bindery_stale_results_total")
                          .Help("Send results for messages no longer SENDING (ignored)")
                          .Register(*registry_)
                          .Add({})),
      rss_(&BuildGauge()
                .Name("process_resident_memory_bytes")
                .Help("Resident memory size in bytes")
                .Register(*registry_)
                .Add({})),
      vsize_(&BuildGauge()
                  .Name("process_virtual_memory_bytes")
                  .Help("Virtual memory size in bytes")
                  .Register(*registry_)
                  .Add({})),
      cpu_(&BuildCounter()
                .Name("process_cpu_seconds_total")
                .Help("User and system CPU time spent, in seconds")
                .Register(*registry_)
                .Add({})),
      open_fds_(&BuildGauge()
                     .Name("process_open_fds")
                     .Help("Open file descriptors")
                     .Register(*registry_)
                     .Add({})),
      max_fds_(&BuildGauge()
                    .Name("process_max_fds")
                    .Help("Limit of open file descriptors")
                    .Register(*registry_)
                    .Add({})),
      threads_(&BuildGauge()
                    .Name("process_threads")
                    .Help("Threads of the process")
                    .Register(*registry_)
                    .Add({})),
      start_time_(&BuildGauge()
                       .Name("process_start_time_seconds")
                       .Help("Start time of the process since the Unix epoch, in seconds")
                       .Register(*registry_)
                       .Add({})),
      concat_parts_pending_(
          &BuildGauge()
               .Name("bindery_smpp_concat_parts_pending")
               .Help("Parts of concatenated submits held until their message is complete")
               .Register(*registry_)
               .Add({})),
      concat_messages_pending_(
          &BuildGauge()
               .Name("bindery_smpp_concat_messages_pending")
               .Help("Concatenated messages held (incomplete, or complete and not yet "
                     "accepted by the router)")
               .Register(*registry_)
               .Add({})),
      concat_parts_(
          &BuildCounter()
               .Name("bindery_smpp_concat_parts_total")
               .Help("Parts of concatenated submits, by result (stored, duplicate: answered "
                     "with the id of a held part, refused)")
               .Register(*registry_)),
      concat_messages_(
          &BuildCounter()
               .Name("bindery_smpp_concat_messages_total")
               .Help("Concatenated messages that left the part store, by result "
                     "(reassembled: accepted by the router; timed_out; rejected by the router)")
               .Register(*registry_)),
      credit_balance_(&BuildGauge()
                           .Name("bindery_credit_balance")
                           .Help("A metered client's available prepaid credit, in minor units of "
                                 "credits.currency (what new messages can hold)")
                           .Register(*registry_)),
      credit_on_hold_(&BuildGauge()
                           .Name("bindery_credit_on_hold")
                           .Help("Credit held by a client's messages not yet final (captured or "
                                 "released later), in minor units")
                           .Register(*registry_)),
      credit_held_(&BuildCounter()
                        .Name("bindery_credit_held_total")
                        .Help("Credit put on hold at acceptance, by client, in minor units")
                        .Register(*registry_)),
      credit_captured_(
          &BuildCounter()
               .Name("bindery_credit_captured_total")
               .Help("Held credit captured (spent: SENT or DELIVERED per the account's "
                     "capture mode), by client, in minor units")
               .Register(*registry_)),
      credit_released_(
          &BuildCounter()
               .Name("bindery_credit_released_total")
               .Help("Held credit released (given back: the message failed for good or "
                     "was cancelled), by client, in minor units")
               .Register(*registry_)),
      credit_added_(&BuildCounter()
                         .Name("bindery_credit_added_total")
                         .Help("Credit added to an account (initial balance, bindery credit add), "
                               "by client, in minor units")
                         .Register(*registry_)) {
    start_time_->Set(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()));
    accepting_->Set(1);
    // Lanes exist from the start so a dashboard shows zeros rather than no data.
    for (const char* lane : {"express", "normal", "bulk"}) queue_depth_->Add({{"lane", lane}});
    for (const char* r : {"matched", "held", "unknown"}) receipts_->Add({{"result", r}});
    for (const char* r : {"delivered", "abandoned"}) callbacks_completed_->Add({{"outcome", r}});
    for (const char* r : {"stored", "duplicate", "refused"}) concat_parts_->Add({{"result", r}});
    for (const char* r : {"reassembled", "timed_out", "rejected"})
        concat_messages_->Add({{"result", r}});
}

Metrics::~Metrics() = default;

void Metrics::add_collector(std::function<void(Metrics&)> collector) {
    const std::lock_guard lock(collect_mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Metrics::serialize() const {
    {
        const std::lock_guard lock(collect_mutex_);
        auto& self = const_cast<Metrics&>(*this);  // NOLINT: collectors update the gauges
        for (const auto& c : collectors_) c(self);
        collect_process();
    }
    return prometheus::TextSerializer().Serialize(registry_->Collect());
}

// ---- HTTP -------------------------------------------------------------------------------------

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned code,
                              double seconds) {
    const std::string code_text = std::to_string(code);
    prometheus::Counter* counter = nullptr;
    prometheus::Histogram* histogram = nullptr;
    {
        const std::lock_guard lock(mutex_);
        const auto labels = [&] {
            return prometheus::Labels{{"route", std::string(route)},
                                      {"method", std::string(method)},
                                      {"code", code_text}};
        };
        counter =
            &cached_counter(*requests_, request_cache_, key_of(route, method, code_text), labels);
        auto key = key_of(route, method);
        auto it = duration_cache_.find(key);
        if (it == duration_cache_.end()) {
            it = duration_cache_
                     .emplace(std::move(key), &duration_->Add({{"route", std::string(route)},
                                                               {"method", std::string(method)}},
                                                              request_buckets()))
                     .first;
        }
        histogram = it->second;
    }
    counter->Increment();
    histogram->Observe(seconds);
}

void Metrics::message_accepted(std::string_view priority, double count) {
    accepted_->Add({{"priority", std::string(priority)}}).Increment(count);
}

void Metrics::message_rejected(std::string_view reason, double count) {
    rejected_->Add({{"reason", std::string(reason)}}).Increment(count);
}

// ---- Router events ----------------------------------------------------------------------------

void Metrics::message_transition(std::string_view state, std::string_view provider) {
    const std::string p = provider_label(provider);
    const std::lock_guard lock(mutex_);
    cached_counter(*transitions_, transition_cache_, key_of(state, p), [&] {
        return prometheus::Labels{{"state", std::string(state)}, {"provider", p}};
    }).Increment();
    if (state == "DEAD_LETTER") {
        cached_counter(*dead_letters_, dead_letter_cache_, p, [&] {
            return prometheus::Labels{{"provider", p}};
        }).Increment();
    }
}

void Metrics::observe_submit(std::string_view provider, std::string_view result, double seconds) {
    prometheus::Histogram* h = nullptr;
    {
        const std::lock_guard lock(mutex_);
        auto key = key_of(provider, result);
        auto it = submit_cache_.find(key);
        if (it == submit_cache_.end()) {
            it = submit_cache_
                     .emplace(std::move(key),
                              &submit_duration_->Add({{"provider", provider_label(provider)},
                                                      {"result", std::string(result)}},
                                                     submit_buckets()))
                     .first;
        }
        h = it->second;
    }
    h->Observe(seconds);
}

void Metrics::store_error(std::string_view code) {
    store_errors_->Add({{"code", std::string(code)}}).Increment();
}

void Metrics::breaker_changed(std::string_view provider, BreakerLevel level) {
    const char* name = level == BreakerLevel::open        ? "open"
                       : level == BreakerLevel::half_open ? "half_open"
                                                          : "closed";
    breaker_transitions_->Add({{"provider", std::string(provider)}, {"state", name}}).Increment();
    set_breaker(provider, level);
}

void Metrics::set_breaker(std::string_view provider, BreakerLevel level) {
    breaker_state_->Add({{"provider", std::string(provider)}})
        .Set(static_cast<double>(static_cast<int>(level)));
}

void Metrics::set_carrier_paused(std::string_view carrier, bool paused) {
    carrier_paused_->Add({{"carrier", std::string(carrier)}}).Set(paused ? 1 : 0);
}

// ---- Callbacks --------------------------------------------------------------------------------

void Metrics::callback_attempt(std::string_view result, double seconds) {
    callback_attempts_->Add({{"result", std::string(result)}}).Increment();
    callback_duration_->Observe(seconds);
}

void Metrics::callback_completed(bool delivered) {
    callbacks_completed_->Add({{"outcome", delivered ? "delivered" : "abandoned"}}).Increment();
}

void Metrics::set_callbacks_pending(double n) { callbacks_pending_->Set(n); }

// ---- Samples ----------------------------------------------------------------------------------

void Metrics::sample_carrier(const CarrierSample& s) {
    const std::lock_guard lock(mutex_);
    auto it = carriers_.find(s.carrier);
    if (it == carriers_.end()) {
        auto c = std::make_unique<CarrierLast>();
        const std::map<std::string, std::string> l{{"carrier", s.carrier}};
        auto with = [&](const char* k, const char* v) {
            auto m = l;
            m.emplace(k, v);
            return m;
        };
        c->binds_configured = &binds_configured_->Add(l);
        c->binds_up = &binds_up_->Add(l);
        c->in_flight = &window_in_flight_->Add(l);
        c->window = &window_size_->Add(l);
        c->queued = &carrier_queue_->Add(l);
        c->bind_ups = &bind_events_->Add(with("event", "up"));
        c->bind_downs = &bind_events_->Add(with("event", "down"));
        c->bind_failures = &bind_events_->Add(with("event", "failed"));
        c->throttled_carrier = &throttle_events_->Add(with("source", "carrier"));
        c->throttled_local = &throttle_events_->Add(with("source", "local"));
        c->receipts = &carrier_receipts_->Add(with("result", "parsed"));
        c->receipts_unparsed = &carrier_receipts_->Add(with("result", "unparsed"));
        c->mo = &mo_messages_->Add(l);
        c->last.carrier = s.carrier;
        it = carriers_.emplace(s.carrier, std::move(c)).first;
    }
    CarrierLast& c = *it->second;
    c.binds_configured->Set(s.binds_configured);
    c.binds_up->Set(s.binds_up);
    c.in_flight->Set(static_cast<double>(s.in_flight));
    c.window->Set(static_cast<double>(s.window));
    c.queued->Set(static_cast<double>(s.queued));
    advance(*c.bind_ups, c.last.bind_ups, s.bind_ups);
    advance(*c.bind_downs, c.last.bind_downs, s.bind_downs);
    advance(*c.bind_failures, c.last.bind_failures, s.bind_failures);
    advance(*c.throttled_carrier, c.last.throttled_carrier, s.throttled_carrier);
    advance(*c.throttled_local, c.last.throttled_local, s.throttled_local);
    // Receipts a provider could not parse are still counted by it as receipts.
    advance(*c.receipts, c.last.receipts, s.receipts);
    advance(*c.receipts_unparsed, c.last.receipts_unparsed, s.receipts_unparsed);
    advance(*c.mo, c.last.mo_messages, s.mo_messages);
}

void Metrics::sample_router(const RouterSample& s) {
    const std::lock_guard lock(mutex_);
    backlog_->Set(static_cast<double>(s.backlog));
    backlog_limit_->Set(static_cast<double>(s.backlog_limit));
    accepting_->Set(s.accepting ? 1 : 0);
    advance(receipts_->Add({{"result", "matched"}}), router_last_.receipts_matched,
            s.receipts_matched);
    advance(receipts_->Add({{"result", "held"}}), router_last_.receipts_held, s.receipts_held);
    advance(receipts_->Add({{"result", "unknown"}}), router_last_.receipts_unknown,
            s.receipts_unknown);
    advance(*backpressured_, router_last_.backpressured, s.backpressured);
    advance(*retries_, router_last_.retries_scheduled, s.retries_scheduled);
    advance(*stale_results_, router_last_.stale_results, s.stale_results);
}

void Metrics::sample_smpp_concat(const SmppConcatSample& s) {
    const std::lock_guard lock(mutex_);
    concat_parts_pending_->Set(static_cast<double>(s.parts_pending));
    concat_messages_pending_->Set(static_cast<double>(s.messages_pending));
    auto& l = concat_last_;
    advance(concat_parts_->Add({{"result", "stored"}}), l.parts_stored, s.parts_stored);
    advance(concat_parts_->Add({{"result", "duplicate"}}), l.parts_duplicate, s.parts_duplicate);
    advance(concat_parts_->Add({{"result", "refused"}}), l.parts_refused, s.parts_refused);
    advance(concat_messages_->Add({{"result", "reassembled"}}), l.reassembled, s.reassembled);
    advance(concat_messages_->Add({{"result", "timed_out"}}), l.timed_out, s.timed_out);
    advance(concat_messages_->Add({{"result", "rejected"}}), l.rejected, s.rejected);
}

void Metrics::set_queue_depth(std::string_view lane, double n) {
    queue_depth_->Add({{"lane", std::string(lane)}}).Set(n);
}

void Metrics::set_credit_account(std::string_view client, double balance, double on_hold) {
    const std::map<std::string, std::string> labels{{"client", std::string(client)}};
    credit_balance_->Add(labels).Set(balance);
    credit_on_hold_->Add(labels).Set(on_hold);
    // The counters exist from the first sample of the account, so rate() has a zero to start from.
    credit_held_->Add(labels);
    credit_captured_->Add(labels);
    credit_released_->Add(labels);
    credit_added_->Add(labels);
}

void Metrics::credit_moved(std::string_view client, std::string_view kind, double amount) {
    if (amount <= 0) return;
    prometheus::Family<prometheus::Counter>* family = kind == "hold"      ? credit_held_
                                                      : kind == "capture" ? credit_captured_
                                                      : kind == "release" ? credit_released_
                                                      : kind == "topup"   ? credit_added_
                                                                          : nullptr;
    if (family == nullptr) return;
    family->Add({{"client", std::string(client)}}).Increment(amount);
}

// ---- Process ----------------------------------------------------------------------------------

void Metrics::collect_process() const {
    // /proc/self/stat: fields after the parenthesised command name (which may contain spaces).
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (std::getline(stat, line)) {
        const auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size()) {
            std::istringstream in(line.substr(close + 2));
            std::vector<std::string> f;
            for (std::string tok; in >> tok;) f.push_back(tok);
            // f[0] is field 3 (state): field n is f[n - 3].
            if (f.size() > 21) {
                const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
                const double pagesize = static_cast<double>(sysconf(_SC_PAGESIZE));
                const double cpu = (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / ticks;
                if (cpu > cpu_last_) {
                    cpu_->Increment(cpu - cpu_last_);
                    cpu_last_ = cpu;
                }
                threads_->Set(std::stod(f[20 - 3]));
                vsize_->Set(std::stod(f[23 - 3]));
                rss_->Set(std::stod(f[24 - 3]) * pagesize);
            }
        }
    }
    std::error_code ec;
    std::size_t fds = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec))
        ++fds;
    if (!ec) open_fds_->Set(static_cast<double>(fds));
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) max_fds_->Set(static_cast<double>(limit.rlim_cur));
}

}  // namespace bindery::http
