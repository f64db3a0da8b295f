#include "app/callback_metrics.hpp"

#include <prometheus/gauge.h>

#include <memory>

#include "app/sampled_counter.hpp"

namespace bindery::app {

void add_callback_client_collector(http::Metrics& metrics,
                                   const http::CallbackDispatcher& dispatcher) {
    struct Series {
        SampledCounter opened, reused, stale_retries;
        prometheus::Gauge& idle;
    };
    auto series = std::make_shared<Series>(Series{
        SampledCounter(counter_family(metrics, "bindery_callback_connections_opened_total",
                                      "TCP connections the delivery callback client opened")
                           .Add({})),
        SampledCounter(counter_family(metrics, "bindery_callback_requests_reused_total",
                                      "Delivery callback attempts sent on a kept-alive connection")
                           .Add({})),
        SampledCounter(
            counter_family(metrics, "bindery_callback_stale_retries_total",
                           "Delivery callback attempts resent on a fresh connection after "
                           "a kept-alive one failed before any answer")
                .Add({})),
        prometheus::BuildGauge()
            .Name("bindery_callback_idle_connections")
            .Help("Kept-alive delivery callback connections waiting in the pool")
            .Register(metrics.registry())
            .Add({}),
    });
    metrics.add_collector([&dispatcher, series](http::Metrics&) {
        const auto s = dispatcher.http_stats();
        series->opened.follow(s.connections_opened);
        series->reused.follow(s.requests_reused);
        series->stale_retries.follow(s.stale_retries);
        series->idle.Set(static_cast<double>(s.idle_connections));
    });
}

}  // namespace bindery::app
