#include "app/gateway.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include <boost/asio/strand.hpp>
#include <prometheus/counter.h>
#include <spdlog/spdlog.h>

#include "app/callback_metrics.hpp"
#include "app/client_directory.hpp"
#include "app/gateway_metrics.hpp"
#include "app/alerting.hpp"
#include "app/admin_backend.hpp"
#include "app/logging.hpp"
#include "app/smpp_deliveries.hpp"
#include "app/smpp_delivery_metrics.hpp"
#include "app/smpp_server_metrics.hpp"
#include "app/store_metrics.hpp"
#include "app/smpp_frontend.hpp"
#include "http-frontend/admin.hpp"
#include "http-frontend/callbacks.hpp"
#include "http-frontend/metrics.hpp"
#include "http-frontend/readiness.hpp"
#include "http-frontend/server.hpp"
#include "router/providers/http_provider.hpp"
#include "router/providers/kavenegar_provider.hpp"
#include "router/providers/text_planner.hpp"
#include "router/store/sqlite_callbacks.hpp"
#include "router/store/sqlite_clients.hpp"
#include "router/store/sqlite_idempotency.hpp"
#include "router/store/sqlite_parts.hpp"
#include "router/store/sqlite_operator_state.hpp"
#include "smpp/base/log_field.hpp"
#include "router/store/sqlite_smpp_outbox.hpp"
#include "smpp/base/thread_name.hpp"

namespace bindery::app {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

router::SqliteSync to_sync(SyncMode mode) noexcept {
    switch (mode) {
        case SyncMode::off: return router::SqliteSync::off;
        case SyncMode::normal: return router::SqliteSync::normal;
        case SyncMode::full: return router::SqliteSync::full;
    }
    return router::SqliteSync::full;
}

smpp::Concatenation to_concatenation(Segmentation s) noexcept {
    switch (s) {
        case Segmentation::udh8: return smpp::Concatenation::udh8;
        case Segmentation::udh16: return smpp::Concatenation::udh16;
        case Segmentation::sar: return smpp::Concatenation::sar;
        case Segmentation::payload: return smpp::Concatenation::payload;
    }
    return smpp::Concatenation::udh8;
}

smpp::EncodeOptions to_encode_options(const SmppCarrierConfig& carrier) noexcept {
    smpp::EncodeOptions o;
    o.concatenation = to_concatenation(carrier.segmentation);
    switch (carrier.default_alphabet) {
        case DefaultAlphabet::gsm7: o.smsc_default = smpp::SmscDefaultAlphabet::gsm7; break;
        case DefaultAlphabet::ia5: o.smsc_default = smpp::SmscDefaultAlphabet::ia5; break;
        case DefaultAlphabet::latin1: o.smsc_default = smpp::SmscDefaultAlphabet::latin1; break;
    }
    o.allow_ia5 = carrier.allow_ia5;
    o.allow_latin1 = carrier.allow_latin1;
    if (carrier.force_alphabet) {
        switch (*carrier.force_alphabet) {
            case ForcedAlphabet::gsm7: o.force_alphabet = smpp::Alphabet::gsm7; break;
            case ForcedAlphabet::ia5: o.force_alphabet = smpp::Alphabet::ia5; break;
            case ForcedAlphabet::latin1: o.force_alphabet = smpp::Alphabet::latin1; break;
            case ForcedAlphabet::ucs2: o.force_alphabet = smpp::Alphabet::ucs2; break;
            case ForcedAlphabet::binary: o.force_alphabet = smpp::Alphabet::binary; break;
        }
    }
    o.gsm7_packing = carrier.gsm7_packing == Gsm7PackingMode::packed ? smpp::Gsm7Packing::packed
                                                                     : smpp::Gsm7Packing::unpacked;
    o.transliterate = carrier.transliterate;
    o.keep_clusters = carrier.keep_clusters;
    o.max_segments = std::clamp<std::size_t>(carrier.max_segments, 1, 255);
    return o;
}

router::MessageIdFormat to_message_id_format(MessageIdFormat f) noexcept {
    switch (f) {
        case MessageIdFormat::automatic: return router::MessageIdFormat::automatic;
        case MessageIdFormat::as_is: return router::MessageIdFormat::as_is;
        case MessageIdFormat::hex: return router::MessageIdFormat::hex;
        case MessageIdFormat::decimal: return router::MessageIdFormat::decimal;
    }
    return router::MessageIdFormat::automatic;
}

router::ValidityFormat to_validity_format(ValidityFormat f) noexcept {
    switch (f) {
        case ValidityFormat::relative: return router::ValidityFormat::relative;
        case ValidityFormat::absolute: return router::ValidityFormat::absolute;
        case ValidityFormat::none: return router::ValidityFormat::none;
    }
    return router::ValidityFormat::relative;
}

router::Priority to_priority(unsigned p) noexcept {
    // Configuration priorities 0..3: 0 express, 1 normal, 2 and 3 bulk.
    if (p == 0) return router::Priority::express;
    if (p == 1) return router::Priority::normal;
    return router::Priority::bulk;
}

http::CallbackEvent callback_event(const router::Message& m, const router::MessageEvent& e) {
    http::CallbackEvent ev;
    ev.id = m.id;
    ev.client = m.client;
    ev.callback_url = m.callback_url;
    ev.client_ref = m.client_ref;
    ev.destination = m.destination;
    ev.sender = m.sender;
    ev.from = e.from;
    ev.to = e.to;
    ev.at = e.at;
    ev.provider = e.provider.empty() ? m.provider : e.provider;
    ev.detail = e.detail;
    ev.segments = m.segments.empty() ? std::max<std::uint32_t>(1, m.segments_estimate)
                                     : static_cast<std::uint32_t>(m.segments.size());
    ev.attempts = m.attempts;
    return ev;
}

// A message's lifecycle in the log: accepted, dispatched and final states at debug (free when
// debug is off: the level is checked before anything is formatted), failures and retries at warn.
// Every line carries message_id, client, carrier (the provider of the attempt) and state, so one
// message's history is one query; the HTTP access log ties it to its request_id.
void log_transition(const router::Message& m, const router::MessageEvent& e) {
    using router::MessageState;
    std::string_view text = "message state changed";
    auto level = spdlog::level::debug;
    switch (e.to) {
        case MessageState::queued:  // ACCEPTED -> QUEUED is every message's first transition
            if (e.from == MessageState::accepted) text = "message accepted";
            break;
        case MessageState::sending: text = "message dispatched"; break;
        case MessageState::failed_temp:
            text = "message send failed, retry scheduled";
            level = spdlog::level::warn;
            break;
        case MessageState::delivered:
        case MessageState::cancelled: text = "message final"; break;
        case MessageState::undeliverable:
        case MessageState::expired:
        case MessageState::rejected:
        case MessageState::failed_perm:
        case MessageState::dead_letter:
            text = "message failed";
            level = spdlog::level::warn;
            break;
        default: break;
    }
    if (!spdlog::should_log(level)) return;
    const std::string_view carrier = !e.provider.empty() ? e.provider : m.provider;
    spdlog::log(
        level, "{} message_id={} client={} carrier={} state={} previous={} attempt={}{}{}", text,
        e.id.to_string(), log_value(m.client), log_value(carrier.empty() ? "-" : carrier),
        router::to_string(e.to), router::to_string(e.from), e.attempt,
        e.detail.empty() ? "" : " detail=", e.detail.empty() ? std::string() : log_value(e.detail));
}

http::CallbackConfig to_callback_config(const CallbacksConfig& c) {
    http::CallbackConfig out;
    out.on_sent = c.on_sent;
    out.timeout = c.timeout;
    out.max_in_flight = std::max(1U, c.max_in_flight);
    out.initial_backoff = c.initial_backoff;
    out.max_backoff = std::max(c.max_backoff, c.initial_backoff);
    out.max_age = c.max_age;
    out.max_attempts = std::max(1U, c.max_attempts);
    out.poll_interval = std::min(out.poll_interval, out.initial_backoff);
    return out;
}

// Calls `done` once, after `count` calls of the returned function (or at once for 0).
std::function<void()> countdown(std::size_t count, std::function<void()> done) {
    if (count == 0) {
        done();
        return [] {};
    }
    auto left = std::make_shared<std::atomic<std::size_t>>(count);
    auto once = std::make_shared<std::function<void()>>(std::move(done));
    return [left, once] {
        if (left->fetch_sub(1) == 1) (*once)();
    };
}

}  // namespace

router::SqliteStoreConfig to_store_config(const StoreConfig& store) {
    router::SqliteStoreConfig out;
    out.path = store.path;
    out.synchronous = to_sync(store.synchronous);
    out.busy_timeout = store.busy_timeout;
    out.commit_window =
        std::chrono::duration_cast<std::chrono::microseconds>(store.commit_interval);
    out.retention = store.retention;
    return out;
}

router::SmppCarrierConfig to_carrier_config(const std::string& name,
                                            const SmppCarrierConfig& carrier) {
    router::SmppCarrierConfig out;
    out.name = name;
    auto& pool = out.pool;
    pool.carrier = name;
    pool.host = carrier.address.host;
    pool.port = carrier.address.port;
    pool.system_id = carrier.system_id;
    pool.password = carrier.password.reveal();
    pool.system_type = carrier.system_type;
    pool.tx_rx_pairs = carrier.bind_type == CarrierBindType::tx_rx_pair;
    pool.count = std::max(1U, carrier.count);
    pool.window = std::max(1U, carrier.window);
    pool.incoming_window = std::max(1U, carrier.incoming_window);
    pool.max_tps = carrier.max_tps;
    pool.burst = static_cast<double>(carrier.burst);
    pool.response_timeout = carrier.response_timeout;
    pool.enquire_link_interval = carrier.enquire_link_interval;
    pool.connect_timeout = carrier.bind_timeout;
    pool.backoff.initial = carrier.reconnect.initial;
    pool.backoff.max = carrier.reconnect.max;
    pool.backoff.multiplier = carrier.reconnect.multiplier;
    pool.tls.enabled = carrier.tls.enabled;
    pool.tls.verify_peer = carrier.tls.verify;
    pool.tls.ca_file = carrier.tls.ca_file;
    pool.tls.server_name = carrier.tls.server_name;
    // Numbers the router hands over are E.164: the configured destination TON/NPI is the
    // international one. Senders keep the provider's classification (alphanumeric, number)
    // unless the carrier fixes their TON / NPI.
    out.addresses.international_ton = carrier.dest_addr_ton;
    out.addresses.international_npi = carrier.dest_addr_npi;
    out.addresses.force_source_ton = carrier.source_addr_ton;
    out.addresses.force_source_npi = carrier.source_addr_npi;
    out.text = to_encode_options(carrier);
    out.registered_delivery = carrier.registered_delivery;
    out.message_id_format = to_message_id_format(carrier.message_id_format);
    out.validity = to_validity_format(carrier.validity_format);
    out.service_type = carrier.service_type;
    out.protocol_id = carrier.protocol_id;
    out.priority_express = carrier.priority_express;
    out.receipt_utc_offset = carrier.receipt_utc_offset;
    out.reassemble_mo = carrier.reassemble_mo;
    out.mo_reassembly.timeout = carrier.mo_reassembly.timeout;
    out.mo_reassembly.max_pending_messages = carrier.mo_reassembly.max_messages;
    out.mo_reassembly.max_pending_parts = carrier.mo_reassembly.max_parts;
    out.mo_reassembly.max_pending_bytes = static_cast<std::size_t>(carrier.mo_reassembly.max_bytes);
    return out;
}

namespace {

router::HttpClientTls to_http_tls(const ClientTlsConfig& tls) {
    router::HttpClientTls out;
    out.verify = tls.verify;
    out.ca_file = tls.ca_file;
    out.server_name = tls.server_name;
    return out;
}

// The router's status map kind of a generic HTTP carrier: its own when it has a status_map.
std::string http_status_kind(const std::string& name, const HttpCarrierConfig& carrier) {
    return carrier.status_map.empty() ? std::string("http") : "http:" + name;
}

}  // namespace

router::BreakerConfig to_breaker_config(const BreakerSettings& breaker) {
    router::BreakerConfig out;
    out.window = breaker.window;
    out.min_samples = breaker.min_samples;
    out.error_rate = breaker.error_rate;
    out.consecutive_timeouts = breaker.consecutive_timeouts;
    out.open_for = breaker.open_for;
    out.probe_successes = breaker.probe_successes;
    return out;
}

router::KavenegarConfig to_kavenegar_config(const std::string& name,
                                            const KavenegarCarrierConfig& carrier) {
    router::KavenegarConfig out;
    out.name = name;
    out.base_url = carrier.base_url;
    out.api_key = carrier.api_key.reveal();
    out.sender = carrier.sender;
    out.rate = carrier.rate;
    out.concurrency = std::max(1U, carrier.concurrency);
    out.max_batch = std::max(1U, carrier.batch);
    out.timeout = carrier.timeout;
    out.tls = to_http_tls(carrier.tls);
    out.poll_status = carrier.poll_status;
    out.status_interval = carrier.status_interval;
    out.status_max_interval = carrier.status_max_interval;
    out.status_give_up = carrier.status_give_up;
    return out;
}

router::HttpProviderConfig to_http_provider_config(const std::string& name,
                                                   const HttpCarrierConfig& carrier) {
    router::HttpProviderConfig out;
    out.name = name;
    out.kind = http_status_kind(name, carrier);
    switch (carrier.method) {
        case HttpMethod::get: out.method = "GET"; break;
        case HttpMethod::put: out.method = "PUT"; break;
        case HttpMethod::post: out.method = "POST"; break;
    }
    out.url = carrier.url;
    out.body = carrier.body;
    out.content_type = carrier.content_type;
    for (const auto& [k, v] : carrier.headers) out.headers.emplace_back(k, v);
    if (carrier.secret.is_set()) out.secret = carrier.secret.reveal();
    if (carrier.auth_token.is_set()) {
        out.auth_header = carrier.auth_header;
        out.auth_value = carrier.auth_scheme.empty()
                             ? carrier.auth_token.reveal()
                             : carrier.auth_scheme + " " + carrier.auth_token.reveal();
    }
    out.success_status = carrier.success_status;
    out.id_pointer = carrier.message_id_pointer;
    out.success_pointer = carrier.success_pointer;
    out.success_values = carrier.success_values;
    out.error_code_pointer = carrier.error_code_pointer;
    out.rate = carrier.rate;
    out.concurrency = std::max(1U, carrier.concurrency);
    out.timeout = carrier.timeout;
    out.tls = to_http_tls(carrier.tls);
    return out;
}

router::CaptureOn to_capture(CaptureMode m) noexcept {
    return m == CaptureMode::sent ? router::CaptureOn::sent : router::CaptureOn::delivered;
}

router::RouterConfig to_router_config(const Config& config) {
    router::RouterConfig out;
    out.pipeline_writes = true;  // the driver's wake completes each batch (docs/router.md)
    out.record_dispatch = config.store.record_dispatch;
    // A generic HTTP carrier's own status_map: its codes first, then the built-in "http" table.
    for (const auto& carrier : config.carriers) {
        const auto* http = std::get_if<HttpCarrierConfig>(&carrier.settings);
        if (http == nullptr || http->status_map.empty()) continue;
        router::StatusMapConfig map;
        map.kind = http_status_kind(carrier.name, *http);
        for (const auto& [code, cls] : http->status_map) {
            const auto c = std::stoll(code);  // digits only (checked by the loader)
            map.codes.push_back({c, c,
                                 cls == "permanent"   ? router::ErrorClass::permanent
                                 : cls == "throttled" ? router::ErrorClass::throttled
                                                      : router::ErrorClass::temporary});
        }
        for (const auto& d : router::StatusMap::defaults()) {
            if (d.kind != "http") continue;
            map.codes.insert(map.codes.end(), d.codes.begin(), d.codes.end());
            map.fallback = d.fallback;
        }
        out.status_maps.push_back(std::move(map));
    }
    for (const auto& route : config.routes) {
        router::Route r;
        r.name = route.name;
        for (const auto& p : route.providers)
            r.members.push_back({p.carrier, std::max(1U, p.weight)});
        r.failover = route.failover;
        out.routing.routes.push_back(std::move(r));

        router::RouteRule rule;
        rule.name = route.name;
        rule.route = route.name;
        for (const auto& prefix : route.match.prefixes) {
            rule.prefixes.push_back(!prefix.empty() && prefix.front() == '+' ? prefix
                                                                             : "+" + prefix);
        }
        rule.regions = route.match.countries;
        rule.senders = route.match.senders;
        rule.clients = route.match.clients;
        for (const auto p : route.match.priorities) rule.priorities.push_back(to_priority(p));
        rule.tags = route.match.tags;
        out.routing.rules.push_back(std::move(rule));
    }
    // Prices of prepaid credit (accounts are opened in the store at startup).
    out.credits.currency = config.credits.currency;
    out.credits.capture = to_capture(config.credits.capture);
    out.credits.default_price = config.credits.default_price;
    for (const auto& p : config.credits.prices)
        out.credits.prices.push_back({p.prefix, p.route, p.price});
    std::random_device entropy;
    out.seed = (std::uint64_t{entropy()} << 32U) ^ std::uint64_t{entropy()};
    return out;
}

http::ServerConfig to_http_config(const HttpServerConfig& http) {
    http::ServerConfig out;
    out.listen_address = http.listen.host;
    out.port = http.listen.port;
    if (http.tls.enabled) out.tls = http::TlsFiles{http.tls.cert_file, http.tls.key_file};
    out.max_connections = http.max_connections;
    out.worker_threads = http.workers;
    out.max_body_bytes = http.body_limit;
    out.idle_timeout = http.idle_timeout;
    out.header_timeout = http.read_timeout;
    out.body_timeout = http.read_timeout;
    return out;
}

void add_clients(const std::vector<ClientConfig>& clients, http::InMemoryClientRegistry& registry) {
    for (const auto& client : clients) {
        http::ClientInfo info;
        info.name = client.name;
        info.allowed_senders = client.allowed_senders;
        if (info.allowed_senders.empty()) info.allowed_senders.emplace_back("*");
        info.default_sender = client.default_sender;
        if (client.rate > 0) {
            const double burst =
                client.burst > 0 ? static_cast<double>(client.burst) : std::max(1.0, client.rate);
            info.rate = http::RateLimit{client.rate, burst};
        }
        if (client.api_key.is_set()) {
            registry.add_key(client.api_key.reveal(), info);
        } else {
            std::string_view hex = client.api_key_hash;
            if (hex.substr(0, 7) == "sha256:") hex.remove_prefix(7);
            const auto digest = http::digest_from_hex(hex);
            if (!digest)
                throw std::runtime_error("client " + client.name +
                                         ": api_key_hash is not sha256:<64 hex>");
            registry.add(*digest, std::move(info));
        }
    }
}

// ---------------------------------------------------------------------------------------------

namespace {

// Runs Router::poll on a thread of its own: after every wake (submission, send result, receipt)
// and otherwise at the router's next due time, at the latest every `max_sleep` (binds coming up,
// breakers half-opening and held receipts have no due time of their own).
class RouterDriver {
public:
    explicit RouterDriver(router::Router& router) : router_(router) {}
    ~RouterDriver() { halt(); }

    void start() {
        thread_ = std::thread([this] {
            name_this_thread("router");
            loop();
        });
    }
    void wake() {
        {
            const std::lock_guard lock(mutex_);
            woken_ = true;
        }
        cv_.notify_one();
    }
    // A last poll (results that arrived during the drain), then the thread ends.
    void halt() {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        cv_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

private:
    static constexpr auto max_sleep = std::chrono::milliseconds(100);

    void loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            woken_ = false;
            const bool last = stopping_;
            lock.unlock();
            router_.poll(bindery::Clock::now(), router::SystemClock::now());
            if (last) {
                router_.finish_writes(router::SystemClock::now());  // the batch still in flight
                return;
            }
            auto until = bindery::Clock::now() + max_sleep;
            if (const auto due = router_.next_due()) {
                const auto in = *due - router::SystemClock::now();
                if (in < max_sleep) {
                    until = bindery::Clock::now() +
                            std::chrono::duration_cast<bindery::Clock::duration>(
                                std::max(in, decltype(in){}));
                }
            }
            lock.lock();
            cv_.wait_until(lock, until, [this] { return woken_ || stopping_; });
        }
    }

    router::Router& router_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

// A Service made of three functions.
class FnService final : public Service {
public:
    using StopFn = std::function<void(SteadyTime, std::function<void()>)>;
    FnService(std::string name, std::function<void()> start, StopFn stop)
        : name_(std::move(name)), start_(std::move(start)), stop_(std::move(stop)) {}
    std::string_view name() const override { return name_; }
    void start() override { start_(); }
    void stop(SteadyTime deadline, std::function<void()> done) override {
        stop_(deadline, std::move(done));
    }

private:
    std::string name_;
    std::function<void()> start_;
    StopFn stop_;
};

}  // namespace

struct Gateway::Parts {
    std::unique_ptr<router::SqliteStore> store;
    std::unique_ptr<RouterDriver> driver;
    std::unique_ptr<router::Router> router;
    std::vector<std::unique_ptr<router::SmppCarrierProvider>> providers;
    std::vector<std::unique_ptr<router::KavenegarProvider>> kavenegar;
    std::vector<std::unique_ptr<router::HttpProvider>> http_providers;
    std::vector<AdminCarrierParts> admin_carriers;      // every carrier, in config order
    std::vector<std::unique_ptr<TimedProvider>> timed;  // providers, timed
    std::vector<std::unique_ptr<PausableProvider>>
        pausable;  // what the router sees: timed, pausable
    std::unique_ptr<router::SqliteOperatorState>
        operator_state;                   // saved pauses, dead-letter retries
    std::unique_ptr<GatewayAdmin> admin;  // /admin/v1 and /ui (bindery status, bind, dlq)
    std::unique_ptr<router::RouterGateway> api;
    http::InMemoryClientRegistry clients;                     // the configuration file's
    std::unique_ptr<router::SqliteClientStore> client_store;  // bindery client add|revoke|...
    std::unique_ptr<ClientDirectory> directory;  // both: what the front ends authenticate with
    std::unique_ptr<router::SqliteIdempotencyStore> idempotency;    // Idempotency-Key responses
    std::unique_ptr<router::SqliteCallbackOutbox> callback_outbox;  // pending delivery callbacks
    std::map<std::string, http::CallbackClient, std::less<>> callback_clients;  // from config
    std::unique_ptr<http::CallbackDispatcher> callbacks;
    std::thread callbacks_stopper;
    http::Metrics metrics;
    http::ReadinessRegistry readiness;
    std::unique_ptr<Alerting> alerting;  // the Alertmanager receiver (null: alerting disabled)
    std::unique_ptr<http::HttpServer> http;
    std::thread http_stopper;
    std::unique_ptr<router::SqlitePartStore> held_parts;    // concatenated submits' parts
    std::unique_ptr<SmppFrontend> smpp;                     // the SMPP server side (null: disabled)
    std::unique_ptr<router::SqliteSmppOutbox> smpp_outbox;  // its receipts and MO, durable
    std::unique_ptr<SmppDeliveries> smpp_deliveries;        // fed from smpp_outbox to its binds

    // The callback settings of a client (nullopt: unknown client).
    std::optional<http::CallbackClient> callback_client(std::string_view client) const {
        const auto it = callback_clients.find(client);
        if (it != callback_clients.end()) return it->second;
        if (directory) return directory->callback_client(client);
        return std::nullopt;
    }

    ~Parts() {
        if (smpp_deliveries) smpp_deliveries->stop();
        if (smpp) smpp->stop();
        smpp.reset();
        held_parts.reset();
        if (http_stopper.joinable()) http_stopper.join();
        if (callbacks_stopper.joinable()) callbacks_stopper.join();
        http.reset();
        admin.reset();
        alerting.reset();
        if (driver) driver->halt();
        callbacks.reset();  // after the driver: the router's transitions feed it
        callback_outbox.reset();
        idempotency.reset();
        smpp_deliveries.reset();  // after the driver (the router's transitions feed it)
        smpp_outbox.reset();
        providers.clear();
        kavenegar.clear();
        http_providers.clear();
        pausable.clear();
        timed.clear();
        api.reset();
        router.reset();
        store.reset();
    }
};

Gateway::Gateway(const Config& config, Server& server) : parts_(std::make_shared<Parts>()) {
    auto& parts = *parts_;

    // Store.
    const auto store_config = to_store_config(config.store);
    const auto parent = std::filesystem::path(store_config.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    auto opened = router::SqliteStore::open(store_config);
    if (!opened) throw std::runtime_error("store: " + opened.error().detail);
    parts.store = std::move(*opened);
    spdlog::info(with_fields(
        "store open",
        {{"path", store_config.path}, {"schema", std::to_string(parts.store->schema_version())}}));
    // Clients with `credit` are metered: their account is created with it as the initial balance
    // (once; later starts keep the stored balance) and takes the configured capture mode.
    for (const auto& client : config.clients) {
        if (!client.credit) continue;
        auto account =
            parts.store->credit_open(client.name, *client.credit,
                                     to_capture(client.capture.value_or(config.credits.capture)),
                                     router::SystemClock::now());
        if (!account) {
            throw std::runtime_error("store: credit account of " + client.name + ": " +
                                     account.error().detail);
        }
        spdlog::info(with_fields("credit account", {{"client", client.name},
                                                    {"balance", std::to_string(account->balance)},
                                                    {"held", std::to_string(account->held)}}));
    }
    server.add(std::make_shared<FnService>(
        "store", [] {},
        [](SteadyTime, const std::function<void()>& done) {
            done();
        }));  // closed (queue flushed) with the gateway

    // Idempotency-Key responses and pending delivery callbacks: tables in the same file, so both
    // survive a restart. The outbox writes through the store's group-commit writer (a second
    // writer connection would make the store's writer drop its page cache at every commit).
    auto idempotency = router::SqliteIdempotencyStore::open(store_config, {}, parts.store.get());
    if (!idempotency) throw std::runtime_error("store: " + idempotency.error().detail);
    parts.idempotency = std::move(*idempotency);
    auto outbox = router::SqliteCallbackOutbox::open(store_config, parts.store.get());
    if (!outbox) throw std::runtime_error("store: " + outbox.error().detail);
    parts.callback_outbox = std::move(*outbox);
    for (const auto& client : config.clients) {
        parts.callback_clients[client.name] = http::CallbackClient{
            client.callback_url,
            client.callback_secret.is_set() ? client.callback_secret.reveal() : std::string()};
    }
    Parts* raw = parts_.get();
    {
        http::CallbackObserver observer;
        observer.attempt = [raw](std::string_view result, double seconds) {
            raw->metrics.callback_attempt(result, seconds);
        };
        observer.completed = [raw](bool delivered) { raw->metrics.callback_completed(delivered); };
        observer.pending = [raw](std::uint64_t n) {
            raw->metrics.set_callbacks_pending(static_cast<double>(n));
        };
        parts.callbacks = std::make_unique<http::CallbackDispatcher>(
            server.io(), to_callback_config(config.http.callbacks), *parts.callback_outbox,
            [raw](std::string_view client) { return raw->callback_client(client); },
            std::move(observer));
        add_callback_client_collector(parts.metrics, *parts.callbacks);
    }
    // Registered before the router, so stopped after it: the transitions of the drain are
    // queued; what is still pending stays in the table for the next start.
    server.add(std::make_shared<FnService>(
        "callbacks", [raw] { raw->callbacks->start(); },
        [raw](SteadyTime deadline, std::function<void()> done) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::max(bindery::Duration{}, deadline - std::chrono::steady_clock::now()));
            // stop() waits for attempts completing on the io threads: not on an io thread.
            raw->callbacks_stopper = std::thread([raw, left, done = std::move(done)] {
                raw->callbacks->stop(std::min(left, std::chrono::milliseconds(5'000)));
                done();
            });
        }));

    // Deliveries to the SMPP server side's accounts (receipts, MO), durable in the same file:
    // started before the router (its start-up scan queues receipts a crash left out), stopped
    // after it (the last transitions of the drain are written).
    if (config.smpp_server.enabled) {
        auto smpp_outbox = router::SqliteSmppOutbox::open(store_config);
        if (!smpp_outbox) throw std::runtime_error("store: " + smpp_outbox.error().detail);
        parts.smpp_outbox = std::move(*smpp_outbox);
        parts.smpp_deliveries = std::make_unique<SmppDeliveries>(
            to_deliveries_settings(config.smpp_server), *parts.smpp_outbox, *parts.store,
            smpp_delivery_observer(parts.metrics));
        std::vector<std::string> accounts;
        for (const auto& a : config.smpp_server.accounts) accounts.push_back(a.system_id);
        add_smpp_delivery_collector(parts.metrics, *parts.smpp_deliveries, accounts);
        server.add(std::make_shared<FnService>(
            "smpp-deliveries", [raw] { raw->smpp_deliveries->start(); },
            [raw](SteadyTime, const std::function<void()>& done) {
                raw->smpp_deliveries->stop();
                done();
            }));
    }

    // Router. The planner uses the first SMPP carrier's text options (what most messages go
    // through).
    smpp::EncodeOptions text;
    for (const auto& carrier : config.carriers) {
        if (carrier.enabled && carrier.kind() == CarrierKind::smpp) {
            text =
                to_carrier_config(carrier.name, std::get<SmppCarrierConfig>(carrier.settings)).text;
            break;
        }
    }
    router::RouterHooks hooks;
    hooks.on_store_error = [](const router::StoreError& e) {
        spdlog::error(with_fields("store error", {{"detail", e.detail}}));
    };
    hooks.on_breaker = [](std::string_view provider, router::BreakerState state) {
        spdlog::warn(
            with_fields("circuit breaker", {{"carrier", std::string(provider)},
                                            {"state", std::string(router::to_string(state))}}));
    };
    add_metric_hooks(hooks, parts.metrics);
    // Receipts for submits made over SMPP go back to the ESME as deliver_sm; final states (and
    // SENT when configured) become delivery callbacks (queued here, POSTed by the dispatcher).
    hooks.on_transition = [raw, before = std::move(hooks.on_transition)](
                              const router::Message& m, const router::MessageEvent& e) {
        if (before) before(m, e);
        log_transition(m, e);
        if (raw->smpp) raw->smpp->on_transition(m, e);
        if (raw->callbacks->wants(e.to, m.callback_url, m.client)) {
            raw->callbacks->notify(callback_event(m, e));
        }
    };
    hooks.wake = [raw] {
        if (raw->driver) raw->driver->wake();
    };
    parts.router =
        std::make_unique<router::Router>(to_router_config(config), *parts.store,
                                         router::SmppTextPlanner(text).planner(), std::move(hooks));
    parts.driver = std::make_unique<RouterDriver>(*parts.router);

    // Carrier providers on the server's io_context: SMPP bind pools, Kavenegar, generic HTTP.
    // Each is timed (metrics) and pausable (bindery bind pause CARRIER), outermost, and that is
    // what the router sees.
    auto add_carrier = [&parts](router::Provider& provider, const router::SmppCarrierProvider* smpp,
                                const BreakerSettings& breaker) {
        parts.timed.push_back(std::make_unique<TimedProvider>(provider, parts.metrics));
        parts.pausable.push_back(std::make_unique<PausableProvider>(*parts.timed.back()));
        parts.router->add_provider(*parts.pausable.back(), to_breaker_config(breaker));
        parts.admin_carriers.push_back({parts.pausable.back().get(), smpp});
    };
    // Credit and account faults of HTTP providers: a human must act (top up, fix the key).
    auto& account_errors = prometheus::BuildCounter()
                               .Name("bindery_provider_account_errors_total")
                               .Help(
                                   "Provider calls refused for a credit or account problem "
                                   "(Kavenegar: insufficient credit, API key, sender line, IP); "
                                   "a human must act")
                               .Register(parts.metrics.registry());
    for (const auto& carrier : config.carriers) {
        if (!carrier.enabled) continue;
        if (const auto* k = std::get_if<KavenegarCarrierConfig>(&carrier.settings)) {
            auto provider = std::make_unique<router::KavenegarProvider>(
                to_kavenegar_config(carrier.name, *k), server.io().get_executor(), *parts.router);
            provider->on_account_error(
                [&account_errors, name = carrier.name](std::int64_t code, std::string_view) {
                    account_errors.Add({{"provider", name}, {"code", std::to_string(code)}})
                        .Increment();
                });
            add_carrier(*provider, nullptr, carrier.breaker);
            parts.kavenegar.push_back(std::move(provider));
            continue;
        }
        if (const auto* h = std::get_if<HttpCarrierConfig>(&carrier.settings)) {
            auto provider = std::make_unique<router::HttpProvider>(
                to_http_provider_config(carrier.name, *h), server.io().get_executor());
            add_carrier(*provider, nullptr, carrier.breaker);
            parts.http_providers.push_back(std::move(provider));
            continue;
        }
        const auto& smpp_config = std::get<SmppCarrierConfig>(carrier.settings);
        if (smpp_config.bind_type == CarrierBindType::tx ||
            smpp_config.bind_type == CarrierBindType::rx) {
            spdlog::warn(with_fields("bind_type tx/rx alone is not supported, binding trx",
                                     {{"carrier", carrier.name}}));
        }
        auto provider = std::make_unique<router::SmppCarrierProvider>(
            // A strand per carrier: the bind pool and its binds are not thread-safe, and the
            // io_context runs on several threads.
            to_carrier_config(carrier.name, smpp_config), boost::asio::make_strand(server.io()),
            *parts.router,
            // MO goes to the SMPP server account its mo_route names (durably, before the
            // deliver_sm_resp); without the server side, MO is answered and dropped.
            parts.smpp_deliveries ? parts.smpp_deliveries->mo_handler() : router::MoHandler{});
        add_carrier(*provider, provider.get(), carrier.breaker);
        parts.providers.push_back(std::move(provider));
    }
    {
        std::vector<const router::SmppCarrierProvider*> carriers;
        for (const auto& p : parts.providers) carriers.push_back(p.get());
        add_gateway_collector(parts.metrics, *parts.router, std::move(carriers));
        add_store_collector(parts.metrics, *parts.store);
    }
    parts.metrics.add_collector([raw](http::Metrics& m) {
        for (const auto& p : raw->pausable) m.set_carrier_paused(p->name(), p->paused());
    });
    if (parts.pausable.empty())
        spdlog::warn("no usable carrier: messages are accepted but wait for a provider");
    // Carriers an operator paused stay paused across a restart (bindery bind pause|resume).
    {
        auto state = router::SqliteOperatorState::open(store_config);
        if (!state) throw std::runtime_error("store: operator state: " + state.error().detail);
        parts.operator_state = std::move(*state);
        std::vector<PausableProvider*> carriers;
        for (const auto& p : parts.pausable) carriers.push_back(p.get());
        restore_paused_carriers(*parts.operator_state, carriers);
    }

    // Router service: recovery, then the driver. Stopped after the providers (registered before
    // them) so the results of their drained submits are recorded.
    server.add(std::make_shared<FnService>(
        "router",
        [raw] {
            auto recovered =
                raw->router->recover(bindery::Clock::now(), router::SystemClock::now());
            if (!recovered) throw std::runtime_error("recovery: " + recovered.error().detail);
            spdlog::info(with_fields("router recovered", {}));
            raw->driver->start();
        },
        [raw](SteadyTime, const std::function<void()>& done) {
            raw->driver->halt();
            done();
        }));

    server.add(std::make_shared<FnService>(
        "carriers",
        [raw] {
            for (auto& p : raw->providers) p->start();
            for (auto& p : raw->http_providers) p->start();
            for (auto& p : raw->kavenegar) {
                p->start();
                // Messages SENT before this start still wait for their final state: poll again.
                const auto resumed = p->resume_polling(*raw->store, router::SystemClock::now());
                if (!resumed) {
                    spdlog::error(with_fields(
                        "status polls not resumed",
                        {{"carrier", std::string(p->name())}, {"detail", resumed.error().detail}}));
                } else if (*resumed > 0) {
                    spdlog::info(with_fields("status polls resumed",
                                             {{"carrier", std::string(p->name())},
                                              {"messages", std::to_string(*resumed)}}));
                }
            }
        },
        [raw](SteadyTime deadline, std::function<void()> done) {
            const auto left =
                std::max(bindery::Duration{}, deadline - std::chrono::steady_clock::now());
            auto tick = countdown(
                raw->providers.size() + raw->kavenegar.size() + raw->http_providers.size(),
                std::move(done));
            for (auto& p : raw->providers) p->stop(left, tick);
            for (auto& p : raw->kavenegar) p->stop(left, tick);
            for (auto& p : raw->http_providers) p->stop(left, tick);
        }));

    // HTTP front end.
    add_clients(config.clients, parts.clients);
    {
        auto client_store = router::SqliteClientStore::open(store_config);
        if (!client_store) throw std::runtime_error("store: " + client_store.error().detail);
        parts.client_store = std::move(*client_store);
        std::set<std::string> names;
        for (const auto& c : config.clients) names.insert(c.name);
        parts.directory = std::make_unique<ClientDirectory>(parts.clients, std::move(names),
                                                            parts.client_store.get());
        if (!parts.directory->reload()) throw std::runtime_error("store: cannot read api clients");
        spdlog::info(with_fields("api clients",
                                 {{"config", std::to_string(config.clients.size())},
                                  {"store", std::to_string(parts.directory->store_clients())}}));
    }
    parts.api = std::make_unique<router::RouterGateway>(
        *parts.router, [] { return bindery::Clock::now(); },
        [] { return router::SystemClock::now(); });
    parts.readiness.add("store", [raw] {
        const auto probe = raw->store->get(router::MessageId{});
        return probe ? http::ComponentReadiness{true, "open"}
                     : http::ComponentReadiness{false, probe.error().detail};
    });
    // An operator's pause does not make the instance unready (carriers_readiness).
    parts.readiness.add("carriers", [raw] {
        std::vector<const PausableProvider*> carriers;
        for (const auto& p : raw->pausable) carriers.push_back(p.get());
        return carriers_readiness(carriers);
    });
    // Alertmanager receiver: directories, cache and alert records in the same SQLite file.
    parts.alerting = build_alerting(config, store_config, *parts.api, *parts.directory,
                                    parts.metrics.registry());
    // Alert records are purged with the finished messages, on the store's retention thread.
    if (parts.alerting)
        add_alert_retention(*parts.store, parts.alerting->store, config.alerting.retention);
    add_credit_collector(parts.metrics, *parts.store);
    if (config.http.enabled) {
        // The API's own checks use the router's limits, so the field is named in a 422 rather
        // than a validity the parser let through being refused by the router.
        auto http_config = to_http_config(config.http);
        const auto acceptance = to_router_config(config).acceptance;
        http_config.api.submit.max_validity = acceptance.max_validity;
        http_config.api.submit.max_schedule_ahead = acceptance.max_schedule_ahead;
        parts.http = std::make_unique<http::HttpServer>(
            server.io(), std::move(http_config),
            http::ApiDeps{*parts.api, *parts.directory, *parts.idempotency, parts.metrics,
                          parts.readiness,
                          parts.alerting ? parts.alerting->endpoint.get() : nullptr});
        // Operator endpoint and status page (403 until http.admin_key is set).
        parts.admin = std::make_unique<GatewayAdmin>(config.process.node_id, *parts.router,
                                                     *parts.store, *parts.api, parts.admin_carriers,
                                                     parts.operator_state.get());
        const auto admin_key = resolve_admin_key(config.http.admin_key);
        spdlog::info(with_fields(
            "admin endpoint",
            {{"enabled", admin_key.digest ? "true" : "false"}, {"key", admin_key.source}}));
        parts.http->set_admin(std::make_shared<http::AdminHandler>(http::AdminDeps{
            *parts.api, *parts.admin, admin_key.digest,
            parts.alerting ? static_cast<router::AlertLedger*>(parts.alerting->store.get())
                           : nullptr}));
        server.add(std::make_shared<FnService>(
            "http",
            [raw] {
                raw->admin->start_sampling(std::chrono::seconds(5));
                raw->http->start();
                spdlog::info(
                    with_fields("http listening", {{"port", std::to_string(raw->http->port())}}));
            },
            [raw](SteadyTime, std::function<void()> done) {
                // HttpServer::stop() waits for its workers, which post back to the io threads:
                // not on an io thread.
                raw->http_stopper = std::thread([raw, done = std::move(done)] {
                    raw->admin->stop_sampling();
                    raw->http->stop();
                    done();
                });
            }));
    }

    // SMPP front end: ESMEs bind here; what they submit goes through the same GatewayApi.
    // Registered last: stopped first (unbinds its ESMEs while the router and carriers still run).
    if (config.smpp_server.enabled) {
        // Parts of concatenated submits: a table in the same file, on a connection of its own.
        auto held = router::SqlitePartStore::open(store_config);
        if (!held) throw std::runtime_error("store: " + held.error().detail);
        parts.held_parts = std::move(*held);
        auto frontend_config = to_smpp_frontend_config(config.smpp_server, config.clients);
        // Schedules and validities past the router's own limits are answered on the wire.
        const auto acceptance = to_router_config(config).acceptance;
        frontend_config.timing.max_validity = acceptance.max_validity;
        frontend_config.timing.max_schedule_ahead = acceptance.max_schedule_ahead;
        // A deliver_sm handed to the server goes back to the durable outbox (and its backoff)
        // when no bind acknowledged it within this.
        frontend_config.server.deliver_timeout = std::chrono::seconds(60);
        parts.smpp = std::make_unique<SmppFrontend>(boost::asio::make_strand(server.io()),
                                                    std::move(frontend_config), *parts.api,
                                                    parts.held_parts.get());
        parts.smpp_deliveries->attach(*parts.smpp);
        parts.metrics.add_collector([raw](http::Metrics& m) {
            if (!raw->smpp) return;
            const auto c = raw->smpp->stats().concat;
            m.sample_smpp_concat({c.parts_pending, c.messages_pending, c.parts_received,
                                  c.duplicates, c.refused, c.reassembled, c.timed_out, c.rejected});
        });
        server.add(std::make_shared<FnService>(
            "smpp",
            [raw] {
                raw->smpp->start();
                // After start: the collector reads the server start() created.
                add_smpp_server_collector(raw->metrics, *raw->smpp);
                // bindery status / GET /admin/v1/status: the ESME sessions bound now.
                if (raw->admin) {
                    raw->admin->set_esme_sessions([raw] {
                        std::vector<http::AdminEsmeSessions> out;
                        if (!raw->smpp) return out;
                        for (const auto& b : raw->smpp->server()->bound_sessions()) {
                            out.push_back(
                                {b.account, std::string(smpp::bind_type_label(b.type)), b.count});
                        }
                        return out;
                    });
                }
                spdlog::info(
                    with_fields("smpp listening", {{"port", std::to_string(raw->smpp->port())}}));
            },
            [raw](SteadyTime, const std::function<void()>& done) {
                raw->smpp->stop();
                done();
            }));
    }
}

Gateway::~Gateway() = default;

}  // namespace bindery::app
