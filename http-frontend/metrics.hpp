#pragma once
// The process's Prometheus registry. Other modules add their own families through registry();
// the HTTP front end registers its own below. Serialized in the text exposition format for
// GET /metrics.

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace bindery::http {

class Metrics {
public:
    Metrics();

    prometheus::Registry& registry() noexcept { return *registry_; }
    std::shared_ptr<prometheus::Registry> shared_registry() const noexcept { return registry_; }
    std::string serialize() const;

    // HTTP front end families.
    void observe_request(std::string_view route, std::string_view method, unsigned code,
                         double seconds);
    void message_accepted(std::string_view priority, double count = 1);
    void message_rejected(std::string_view reason, double count = 1);
    prometheus::Gauge& connections_active() noexcept { return *connections_active_; }
    prometheus::Counter& connections_refused() noexcept { return *connections_refused_; }

private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>* requests_;
    prometheus::Family<prometheus::Histogram>* duration_;
    prometheus::Family<prometheus::Counter>* accepted_;
    prometheus::Family<prometheus::Counter>* rejected_;
    prometheus::Gauge* connections_active_;
    prometheus::Counter* connections_refused_;
};

}  // namespace bindery::http
