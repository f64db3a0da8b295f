#pragma once
// The admin endpoint's view of the running gateway (http::AdminBackend over the router, the
// carrier providers and the store), and the provider decorator that lets an operator pause a
// carrier.
//
// Pausing: PausableProvider reports ready() == false while paused, so the router dispatches
// nothing new to the carrier (its traffic fails over to other route members or waits in the
// queue); the binds stay bound, so responses to in-flight submits, receipts and MO messages keep
// arriving. Resuming makes it ready again at the router's next poll. Pauses and dead-letter
// retries are saved in router::OperatorState (the store): a restart keeps a paused carrier paused
// (restore_paused_carriers) and a dead letter retried before answers its first retry's id.
//
// Rates: sample() records cumulative counters (the gateway calls it every few seconds); rates are
// the difference over the last minute.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/secret.hpp"
#include "http-frontend/admin.hpp"
#include "http-frontend/readiness.hpp"
#include "router/core/message_store.hpp"
#include "router/core/operator_state.hpp"
#include "router/core/provider.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"

namespace bindery::app {

// The admin key's digest from BINDERY_ADMIN_KEY, or from the first line of the file named by
// BINDERY_ADMIN_KEY_FILE (systemd: LoadCredential); nullopt when neither is set (the admin
// endpoint then answers 403). Throws std::runtime_error when the file cannot be read or the key
// is shorter than 16 characters.
std::optional<http::KeyDigest> admin_key_from_environment();

struct AdminKey {
    std::optional<http::KeyDigest> digest;  // absent: the admin endpoint answers 403
    std::string source;                     // for the start-up log: where the key came from
};
// http.admin_key when the configuration sets it (its length is checked by the loader), else the
// environment (admin_key_from_environment, which may throw).
AdminKey resolve_admin_key(const Secret& configured);

class PausableProvider final : public router::Provider {
public:
    explicit PausableProvider(router::Provider& inner) : inner_(inner) {}
    void set_paused(bool paused) noexcept { paused_.store(paused); }
    bool paused() const noexcept { return paused_.load(); }
    router::Provider& inner() noexcept { return inner_; }

    // router::Provider
    std::string_view name() const override { return inner_.name(); }
    std::string_view kind() const override { return inner_.kind(); }
    bool ready() const override { return !paused_.load() && inner_.ready(); }
    router::ProviderHealth health() const override;
    // A send the router started before the pause took effect goes through.
    void send(router::OutboundMessage message,
              std::function<void(router::SendResult)> done) override {
        inner_.send(std::move(message), std::move(done));
    }

private:
    router::Provider& inner_;
    std::atomic<bool> paused_{false};
};

struct AdminCarrierParts {
    PausableProvider* provider = nullptr;
    const router::SmppCarrierProvider* smpp = nullptr;  // null for other kinds
};

// The "carriers" component of GET /readyz. Ready while at least one carrier can take traffic, and
// also when none can only because an operator paused them: a pause is intentional, so it must not
// take the instance out of a load balancer (its accepted messages wait in the queue). Not ready
// when there is no carrier, or when none can take traffic and one of them is down for another
// reason (binds down, queue full). The detail always names the paused carriers and the others
// that are down, e.g. "0/1 ready; paused by operator: sim" (docs/http-api.md).
http::ComponentReadiness carriers_readiness(const std::vector<const PausableProvider*>& carriers);

// Pauses the carriers the operator state says are paused (at start-up, before dispatch starts);
// the number paused. A saved pause of a carrier no longer configured is logged and left alone.
// Throws std::runtime_error when the state cannot be read (starting would resume them).
std::size_t restore_paused_carriers(router::OperatorState& state,
                                    const std::vector<PausableProvider*>& carriers);

class GatewayAdmin final : public http::AdminBackend {
public:
    // `state`: where pauses and retries are saved; null: this process's memory only.
    GatewayAdmin(std::string node, router::Router& router, router::MessageStore& store,
                 router::GatewayApi& gateway, std::vector<AdminCarrierParts> carriers,
                 router::OperatorState* state = nullptr);

    ~GatewayAdmin() override;
    GatewayAdmin(const GatewayAdmin&) = delete;
    GatewayAdmin& operator=(const GatewayAdmin&) = delete;

    // Records the counters for the rates (any thread).
    void sample();
    // A thread calling sample() every `every` until stop_sampling() (or destruction).
    void start_sampling(std::chrono::milliseconds every);
    void stop_sampling();
    // Where status() reads the ESME sessions bound to the SMPP server side (any thread; unset or
    // empty function: none). The source must stay valid until it is replaced or this is destroyed.
    using EsmeSessionsSource = std::function<std::vector<http::AdminEsmeSessions>()>;
    void set_esme_sessions(EsmeSessionsSource source);

    // http::AdminBackend
    http::AdminStatus status() override;
    Expected<http::AdminCarrier, http::AdminError> set_paused(std::string_view carrier,
                                                              bool paused) override;
    http::RetryOutcome retry_dead_letter(const router::MessageId& id) override;

private:
    struct Sample {
        std::chrono::steady_clock::time_point at;
        std::uint64_t accepted = 0;
        std::map<std::string, std::pair<std::uint64_t, std::uint64_t>, std::less<>>
            carriers;  // sends ok, receipts
    };
    http::AdminCarrier carrier(const AdminCarrierParts& parts) const;
    Sample take_sample() const;

    std::string node_;
    router::Router& router_;
    router::MessageStore& store_;
    router::GatewayApi& gateway_;
    std::vector<AdminCarrierParts> carriers_;
    router::OperatorState* state_;
    std::chrono::steady_clock::time_point started_;

    std::mutex mutex_;
    EsmeSessionsSource esme_sessions_;  // under mutex_
    std::mutex pause_mutex_;            // a pause and its save, in the same order
    std::deque<Sample> samples_;
    // Dead letter -> its retry, as saved in state_ (a cache; without state_ the only record).
    std::unordered_map<router::MessageId, router::MessageId, router::MessageIdHash> retried_;

    std::mutex sampler_mutex_;
    std::condition_variable sampler_cv_;
    bool sampler_stop_ = false;
    std::thread sampler_;
};

}  // namespace bindery::app
