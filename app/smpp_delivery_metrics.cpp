#include "app/smpp_delivery_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

namespace bindery::app {

SmppDeliveryObserver smpp_delivery_observer(http::Metrics& metrics) {
    auto& registry = metrics.registry();
    auto& outcomes =
        prometheus::BuildCounter()
            .Name("bindery_smpp_deliveries_total")
            .Help(
                "deliver_sm to SMPP server accounts (receipts, MO) by outcome: delivered "
                "(ESME_ROK), retried (failed attempt, tried again later), given_up (expired or "
                "refused with ESME_RX_P_APPN)")
            .Register(registry);
    auto& routed = prometheus::BuildCounter()
                       .Name("bindery_smpp_mo_routed_total")
                       .Help(
                           "MO messages from carriers routed to an SMPP server account "
                           "(smpp_server.mo_routes)")
                       .Register(registry);
    auto& unrouted =
        prometheus::BuildCounter()
            .Name("bindery_smpp_mo_unrouted_total")
            .Help(
                "MO messages from carriers matching no smpp_server.mo_routes entry: answered "
                "ESME_ROK and dropped (logged at warn)")
            .Register(registry);
    SmppDeliveryObserver o;
    o.outcome = [&outcomes](router::SmppDeliveryKind kind, std::string_view outcome) {
        outcomes
            .Add(
                {{"kind", std::string(router::to_string(kind))}, {"outcome", std::string(outcome)}})
            .Increment();
    };
    o.mo_routed = [&routed](std::string_view carrier, std::string_view account) {
        routed.Add({{"carrier", std::string(carrier)}, {"account", std::string(account)}})
            .Increment();
    };
    o.mo_unrouted = [&unrouted](std::string_view carrier) {
        unrouted.Add({{"carrier", std::string(carrier)}}).Increment();
    };
    return o;
}

void add_smpp_delivery_collector(http::Metrics& metrics, const SmppDeliveries& deliveries,
                                 const std::vector<std::string>& accounts) {
    auto& pending =
        prometheus::BuildGauge()
            .Name("bindery_smpp_deliveries_pending")
            .Help(
                "deliver_sm waiting in the durable outbox for an SMPP server account's RX/TRX "
                "bind or a retry, by account and kind (receipt, mo)")
            .Register(metrics.registry());
    for (const auto& a : accounts) {
        for (const auto* kind : {"receipt", "mo"})
            pending.Add({{"account", a}, {"kind", kind}}).Set(0);
    }
    metrics.add_collector([&pending, &deliveries](http::Metrics&) {
        for (const auto& [key, n] : deliveries.stats().pending) {
            pending
                .Add({{"account", key.first}, {"kind", std::string(router::to_string(key.second))}})
                .Set(static_cast<double>(n));
        }
    });
}

}  // namespace bindery::app
