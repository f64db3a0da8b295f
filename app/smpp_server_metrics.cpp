#include "app/smpp_server_metrics.hpp"

#include <prometheus/counter.h>

#include <memory>

#include "app/sampled_counter.hpp"

namespace bindery::app {

void add_smpp_server_collector(http::Metrics& metrics, const SmppFrontend& frontend) {
    auto& binds =
        counter_family(metrics, "bindery_smpp_server_binds_total",
                       "Binds of ESMEs to the SMPP server side: accepted, or rejected (unknown "
                       "system_id, wrong password, bind type not in bind_types, max_binds)");
    auto& submits =
        counter_family(metrics, "bindery_smpp_server_submits_total",
                       "submit_sm / submit_multi / data_sm PDUs from ESMEs: received, and "
                       "refused (answered with an error command_status)");
    struct Series {
        SampledCounter connections, binds_accepted, binds_rejected, received, refused, accepted,
            throttled, queries;
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
    });
    metrics.add_collector([&frontend, series](http::Metrics&) {
        const auto s = frontend.server()->stats();
        const auto f = frontend.stats();
        series->connections.follow(s.connections);
        series->binds_accepted.follow(s.binds_accepted);
        series->binds_rejected.follow(s.binds_rejected);
        series->received.follow(s.submits);
        series->refused.follow(f.refused);
        series->accepted.follow(f.accepted);
        series->throttled.follow(s.throttled);
        series->queries.follow(s.queries);
    });
}

}  // namespace bindery::app
