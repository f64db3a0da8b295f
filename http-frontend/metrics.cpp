#include "http-frontend/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace bindery::http {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(&prometheus::BuildCounter()
                     .Name("http_requests_total")
                     .Help("HTTP requests answered, by route template, method and status code")
                     .Register(*registry_)),
      duration_(&prometheus::BuildHistogram()
                     .Name("http_request_duration_seconds")
                     .Help("Time from a complete request to its response, by route and method")
                     .Register(*registry_)),
      accepted_(&prometheus::BuildCounter()
                     .Name("bindery_messages_accepted_total")
                     .Help("Messages accepted through the HTTP API, by priority lane")
                     .Register(*registry_)),
      rejected_(&prometheus::BuildCounter()
                     .Name("bindery_messages_rejected_total")
                     .Help("Messages refused by the HTTP API, by reason code")
                     .Register(*registry_)),
      connections_active_(&prometheus::BuildGauge()
                               .Name("http_connections_active")
                               .Help("Open HTTP connections")
                               .Register(*registry_)
                               .Add({})),
      connections_refused_(&prometheus::BuildCounter()
                                .Name("http_connections_refused_total")
                                .Help("Connections closed at accept because the limit was reached")
                                .Register(*registry_)
                                .Add({})) {}

std::string Metrics::serialize() const {
    return prometheus::TextSerializer().Serialize(registry_->Collect());
}

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned code,
                              double seconds) {
    requests_->Add({{"route", std::string(route)}, {"method", std::string(method)},
                    {"code", std::to_string(code)}})
        .Increment();
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    duration_->Add({{"route", std::string(route)}, {"method", std::string(method)}}, kBuckets)
        .Observe(seconds);
}

void Metrics::message_accepted(std::string_view priority, double count) {
    accepted_->Add({{"priority", std::string(priority)}}).Increment(count);
}

void Metrics::message_rejected(std::string_view reason, double count) {
    rejected_->Add({{"reason", std::string(reason)}}).Increment(count);
}

}  // namespace bindery::http
