#include "http-frontend/alertmanager_metrics.hpp"

#include <string>

namespace bindery::http {

AlertMetrics::AlertMetrics(prometheus::Registry& registry)
    : received_(
          prometheus::BuildCounter()
              .Name("bindery_alerts_received_total")
              .Help("Alerts in Alertmanager webhooks that parsed, by receiver and alert status")
              .Register(registry)),
      notifications_(
          prometheus::BuildCounter()
              .Name("bindery_alert_notifications_total")
              .Help("Alertmanager webhooks answered, by receiver and outcome "
                    "(sent, duplicate, filtered, not_wanted, no_recipients, unknown_receiver, "
                    "invalid, retry)")
              .Register(registry)),
      recipients_(prometheus::BuildCounter()
                      .Name("bindery_alert_recipients_resolved_total")
                      .Help("Phone numbers alert messages were submitted for, by receiver")
                      .Register(registry)),
      lookups_(prometheus::BuildCounter()
                   .Name("bindery_directory_lookups_total")
                   .Help("Directory group lookups by answer source: live, cache (fresh cache hit), "
                         "stale (directory failed, last known members used), error (no answer)")
                   .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("bindery_directory_errors_total")
                  .Help("Failed directory requests, by directory and error code")
                  .Register(registry)),
      skipped_(
          prometheus::BuildCounter()
              .Name("bindery_directory_members_skipped_total")
              .Help("Group members skipped: disabled, no phone attribute, or an invalid number")
              .Register(registry)) {}

void AlertMetrics::alerts_received(std::string_view receiver, std::string_view status, double n) {
    received_.Add({{"receiver", std::string(receiver)}, {"status", std::string(status)}})
        .Increment(n);
}

void AlertMetrics::notification(std::string_view receiver, std::string_view outcome) {
    notifications_.Add({{"receiver", std::string(receiver)}, {"outcome", std::string(outcome)}})
        .Increment();
}

void AlertMetrics::recipients_resolved(std::string_view receiver, double n) {
    recipients_.Add({{"receiver", std::string(receiver)}}).Increment(n);
}

void AlertMetrics::directory_lookup(std::string_view directory, std::string_view source) {
    lookups_.Add({{"directory", std::string(directory)}, {"source", std::string(source)}})
        .Increment();
}

void AlertMetrics::directory_error(std::string_view directory, std::string_view code) {
    errors_.Add({{"directory", std::string(directory)}, {"code", std::string(code)}}).Increment();
}

void AlertMetrics::members_skipped(std::string_view directory, double n) {
    skipped_.Add({{"directory", std::string(directory)}}).Increment(n);
}

}  // namespace bindery::http
