#pragma once
// Wiring of the Alertmanager receiver: configuration -> directories (static, Keycloak over the
// blocking Beast client), the store-backed cache and alert records (SqliteAlerts on the gateway's
// SQLite file), the receiver and its HTTP endpoint. Gateway owns the result and hands
// `endpoint` to the HTTP front end.

#include <memory>
#include <vector>

#include "app/config.hpp"
#include "http-frontend/alertmanager_endpoint.hpp"
#include "http-frontend/alertmanager_http_client.hpp"
#include "http-frontend/alertmanager_metrics.hpp"
#include "http-frontend/alertmanager_receiver.hpp"
#include "router/core/phone_number.hpp"
#include "router/directory/directory_resolver.hpp"
#include "router/store/sqlite_alerts.hpp"

namespace bindery::app {

struct Alerting {
    std::vector<std::unique_ptr<router::PhoneNumberNormalizer>> normalizers;
    std::vector<std::unique_ptr<http::BlockingHttpClient>> http_clients;
    std::vector<std::unique_ptr<router::Directory>> directories;
    // Shared with the store's retention thread (add_alert_retention), which may outlive this.
    std::shared_ptr<router::SqliteAlerts> store;
    std::unique_ptr<router::DirectoryResolver> resolver;
    std::unique_ptr<http::AlertMetrics> metrics;
    std::unique_ptr<http::AlertmanagerReceiver> receiver;
    std::unique_ptr<http::AlertmanagerEndpoint> endpoint;
};

// The receivers as the HTTP front end runs them; throws std::runtime_error naming the receiver
// when its template does not compile.
[[nodiscard]] std::vector<http::AlertReceiverSpec> to_receiver_specs(
    const AlertingConfig& alerting);

// Null when alerting is disabled. Throws std::runtime_error when the alert tables cannot be opened.
[[nodiscard]] std::unique_ptr<Alerting> build_alerting(const Config& config,
                                                       const router::SqliteStoreConfig& store,
                                                       router::GatewayApi& gateway,
                                                       http::ClientRegistry& clients,
                                                       prometheus::Registry& registry);

// Puts the purge of alert records older than `retention` (alerting.retention) on `store`'s
// retention thread, the one that purges finished messages (every SqliteStoreConfig::
// purge_interval). Each run that removed records logs "alert records purged" with the count;
// a failed run logs a warning and the next run tries again. Counts: store.retention_stats()
// (records "alerts"), exported as bindery_store_purged_alerts_total (app/store_metrics).
void add_alert_retention(router::SqliteStore& store, std::shared_ptr<router::SqliteAlerts> alerts,
                         Millis retention);

}  // namespace bindery::app
