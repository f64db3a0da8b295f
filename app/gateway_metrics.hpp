#pragma once
// Feeds the router, the carrier bind pools and the breakers into the Prometheus families of
// http::Metrics (docs/metrics.md): events through RouterHooks and a timing Provider decorator,
// state through a collector sampled on each scrape. The translation from module types to metric
// labels lives here, in the composition root, so http-frontend stays ignorant of router internals.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http-frontend/metrics.hpp"
#include "router/core/provider.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::app {

// "ok" or the SendErrorKind name ("timeout", "connection", ...): the `result` label of
// bindery_provider_submit_duration_seconds.
[[nodiscard]] std::string_view submit_result_label(const router::SendResult& result) noexcept;
[[nodiscard]] http::BreakerLevel breaker_level(router::BreakerState state) noexcept;

// A Provider that forwards everything to `inner` and times each send (handed over -> result).
class TimedProvider final : public router::Provider {
public:
    TimedProvider(router::Provider& inner, http::Metrics& metrics)
        : inner_(inner), metrics_(metrics) {}

    // router::Provider
    std::string_view name() const override { return inner_.name(); }
    std::string_view kind() const override { return inner_.kind(); }
    bool ready() const override { return inner_.ready(); }
    router::ProviderHealth health() const override { return inner_.health(); }
    void send(router::OutboundMessage message,
              std::function<void(router::SendResult)> done) override;

private:
    router::Provider& inner_;
    http::Metrics& metrics_;
};

// Chains metric updates onto `hooks` (keeping whatever the hooks already do): transitions,
// store errors, breaker changes.
void add_metric_hooks(router::RouterHooks& hooks, http::Metrics& metrics);

// Registers the scrape-time sampler of the router and the SMPP carriers. The router and the
// providers must outlive the metrics' scrapes (the Gateway owns all of them and stops HTTP first).
void add_gateway_collector(http::Metrics& metrics, router::Router& router,
                           std::vector<const router::SmppCarrierProvider*> carriers);

// Registers the scrape-time sampler of prepaid credit: every account's balance and open holds
// (bindery_credit_balance / bindery_credit_on_hold) and the ledger's moves since the previous
// scrape (bindery_credit_{held,captured,released,added}_total; the first scrape reads the whole
// ledger, so the counters are lifetime totals). The store must outlive the metrics' scrapes.
void add_credit_collector(http::Metrics& metrics, router::SqliteStore& store);

// The pure conversions the collector applies (tested on their own).
[[nodiscard]] http::CarrierSample carrier_sample(std::string_view carrier,
                                                 const smpp::BindPoolStats& pool,
                                                 const router::SmppCarrierStats& provider);
[[nodiscard]] http::RouterSample router_sample(const router::RouterStats& stats,
                                               const router::Backpressure& backpressure);

}  // namespace bindery::app
