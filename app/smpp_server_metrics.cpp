#include "app/smpp_server_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <memory>
#include <string>
#include <vector>

#include "app/sampled_counter.hpp"

namespace bindery::app {

void add_smpp_server_collector(http::Metrics& metrics, const SmppFrontend& frontend) {
    auto& binds =
        counter_family(metrics, "bindery_smpp_server_binds_total",
                       "Binds of ESMEs to the SMPP server side: accepted, or rejected (unknown "
                       "system_id, wrong password, bind type not in bind_types, max_binds, already "
                       "bound, malformed bind PDU: see bindery_smpp_server_bind_rejections_total)");
    auto& submits =
        counter_family(metrics, "bindery_smpp_server_submits_total",
                       "submit_sm / submit_multi / data_sm PDUs from ESMEs: received, and "
                       "refused (answered with an error command_status)");
    auto& rejections =
        counter_family(metrics, "bindery_smpp_server_bind_rejections_total",
                       "Binds of ESMEs refused, by reason: unknown_system_id, bad_password, "
                       "bind_type_not_allowed, max_binds, already_bound, invalid_pdu (they sum to "
                       "bindery_smpp_server_binds_total{result=\"rejected\"})");
    auto& bound =
        prometheus::BuildGauge()
            .Name("bindery_smpp_server_sessions_bound")
            .Help(
                "ESME sessions bound to the SMPP server side now, by account (system_id) and "
                "bind_type (trx, tx, rx); 0 for a configured account's bind_types with none")
            .Register(metrics.registry());
    struct Series {
        SampledCounter connections, binds_accepted, binds_rejected, received, refused, accepted,
            throttled, queries;
        std::vector<SampledCounter> rejected_by;  // indexed by smpp::BindRejectReason
    };
    auto series = std::make_shared<Series>(Series{
        SampledCounter(counter_family(metrics, "bindery_smpp_server_connections_total",
                                      "TCP connections accepted by the SMPP server side")
                           .Add({})),
        SampledCounter(binds.Add({{"result", "accepted"}})),
        SampledCounter(binds.Add({{"result", "rejected"}})),
        SampledCounter(submits.Add({{"result", "received"}})),
        SampledCounter(submits.Add({{"result", "refused"}})),
        SampledCounter(
            counter_family(metrics, "bindery_smpp_server_messages_accepted_total",
                           "Messages from ESMEs accepted by the router (a submit_multi counts "
                           "one per destination)")
                .Add({})),
        SampledCounter(counter_family(metrics, "bindery_smpp_server_throttled_total",
                                      "PDUs answered ESME_RTHROTTLED (the account's max_tps)")
                           .Add({})),
        SampledCounter(counter_family(metrics, "bindery_smpp_server_queries_total",
                                      "query_sm, cancel_sm and replace_sm from ESMEs")
                           .Add({})),
        {},
    });
    for (std::size_t i = 0; i < smpp::kBindRejectReasons; ++i) {
        const auto reason = smpp::to_string(static_cast<smpp::BindRejectReason>(i));
        series->rejected_by.emplace_back(rejections.Add({{"reason", std::string(reason)}}));
    }
    metrics.add_collector([&frontend, &bound, series](http::Metrics&) {
        const auto& server = *frontend.server();
        const auto s = server.stats();
        const auto f = frontend.stats();
        series->connections.follow(s.connections);
        series->binds_accepted.follow(s.binds_accepted);
        series->binds_rejected.follow(s.binds_rejected);
        series->received.follow(s.submits);
        series->refused.follow(f.refused);
        series->accepted.follow(f.accepted);
        series->throttled.follow(s.throttled);
        series->queries.follow(s.queries);
        for (std::size_t i = 0; i < smpp::kBindRejectReasons; ++i) {
            series->rejected_by[i].follow(s.binds_rejected_by[i]);
        }
        // Entries are never removed (bound_sessions()): a series, once there, stays, at 0 when
        // idle.
        for (const auto& b : server.bound_sessions()) {
            bound
                .Add({{"account", b.account},
                      {"bind_type", std::string(smpp::bind_type_label(b.type))}})
                .Set(static_cast<double>(b.count));
        }
    });
}

}  // namespace bindery::app
