#pragma once
// Prometheus families of the Alertmanager receiver and the recipient directories, registered on
// the process registry (Metrics::registry()). Names and labels: docs/alerting.md#metrics.
//   bindery_alerts_received_total{receiver,status}                alerts in accepted payloads
//   bindery_alert_notifications_total{receiver,outcome}           webhooks by outcome
//   bindery_alert_recipients_resolved_total{receiver}             numbers messages went to
//   bindery_directory_lookups_total{directory,source}             source: live|cache|stale|error
//   bindery_directory_errors_total{directory,code}                failed directory requests
//   bindery_directory_members_skipped_total{directory}            disabled / no or invalid number
// Receiver labels are configured names ("unknown" otherwise), so every label set is bounded.

#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

namespace bindery::http {

class AlertMetrics {
public:
    explicit AlertMetrics(prometheus::Registry& registry);

    void alerts_received(std::string_view receiver, std::string_view status, double n);
    void notification(std::string_view receiver, std::string_view outcome);
    void recipients_resolved(std::string_view receiver, double n);
    void directory_lookup(std::string_view directory, std::string_view source);
    void directory_error(std::string_view directory, std::string_view code);
    void members_skipped(std::string_view directory, double n);

private:
    prometheus::Family<prometheus::Counter>& received_;
    prometheus::Family<prometheus::Counter>& notifications_;
    prometheus::Family<prometheus::Counter>& recipients_;
    prometheus::Family<prometheus::Counter>& lookups_;
    prometheus::Family<prometheus::Counter>& errors_;
    prometheus::Family<prometheus::Counter>& skipped_;
};

}  // namespace bindery::http
