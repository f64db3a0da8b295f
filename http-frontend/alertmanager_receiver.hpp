#pragma once
// The Alertmanager receiver: one webhook payload in, durable SMS out, through router::GatewayApi.
//
//   parse (400 with the reason) -> receiver by name (422 when unknown) -> label filter ->
//   message status (FIRING when a selected alert fires, else RESOLVED, sent only when wanted) ->
//   dedup (same receiver + groupKey + status + selected fingerprints/states within the window:
//   answered 200 and recorded as a duplicate, nothing sent) -> groups resolved through the
//   directories (cache, stale-if-error) + configured numbers -> text from the receiver's template,
//   trimmed to max_segments -> GatewayApi::submit (returns after the group commit) -> the record in
//   the AlertLedger -> 200.
// 503 (Alertmanager retries) when nothing could be made durable: the gateway refused every message
// as backlog_full/unavailable, or no group resolved and there is no cached answer.
// Thread-safe; identical payloads arriving together (retries, HA peers) are serialised on their
// dedup key so exactly one sends.

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http-frontend/alertmanager_metrics.hpp"
#include "http-frontend/alertmanager_payload.hpp"
#include "http-frontend/alertmanager_template.hpp"
#include "router/api/gateway_api.hpp"
#include "router/core/random.hpp"
#include "router/directory/alert_ledger.hpp"
#include "router/directory/directory.hpp"

namespace bindery::http {

struct AlertReceiverSpec {
    std::string name;                     // Alertmanager receiver name (QuoteMeta undone)
    std::vector<std::string> groups;      // directory groups ("/path" for Keycloak paths)
    std::vector<std::string> recipients;  // extra numbers
    std::map<std::string, std::string> match_labels;  // all must equal; empty = every alert
    AlertTemplate text = *AlertTemplate::compile(kDefaultAlertTemplate);
    std::size_t max_segments = 3;
    bool send_resolved = true;
    std::string sender;
    std::string client;             // empty: AlertmanagerConfig::default_client
    std::vector<std::string> tags;  // routing tags (an own route for alerts)
    router::Priority priority = router::Priority::express;
    std::chrono::milliseconds dedup_window{std::chrono::minutes(10)};
};

struct AlertmanagerConfig {
    std::vector<AlertReceiverSpec> receivers;
    std::string default_client = "alertmanager";
    PayloadLimits limits;
};

struct WebhookResult {
    unsigned status = 200;
    std::string body;  // JSON
};

class AlertmanagerReceiver {
public:
    AlertmanagerReceiver(AlertmanagerConfig config, router::GatewayApi& gateway,
                         router::GroupResolver& resolver, router::AlertLedger& ledger,
                         AlertMetrics* metrics, std::function<router::SystemTime()> wall_now,
                         std::uint64_t id_seed);

    WebhookResult handle(std::string_view body);

    // GET /v1/alerts/{id}: the record as JSON (`client` set: only that client's records).
    WebhookResult get(std::string_view id, const std::string* client);
    // GET /v1/alerts: newest first.
    WebhookResult list(std::optional<router::MessageId> before, std::uint32_t limit,
                       const std::string* client);

    const AlertmanagerConfig& config() const noexcept { return config_; }

private:
    WebhookResult finish(router::AlertRecord& record, unsigned status);
    router::MessageId next_id(router::SystemTime now);

    AlertmanagerConfig config_;
    router::GatewayApi& gateway_;
    router::GroupResolver& resolver_;
    router::AlertLedger& ledger_;
    AlertMetrics* metrics_;
    std::function<router::SystemTime()> wall_now_;
    std::mutex id_mutex_;
    router::MessageIdGenerator ids_;
    std::array<std::mutex, 32> dedup_locks_;
};

// The dedup key: hex SHA-256 over receiver, groupKey, message status and the sorted
// "fingerprint:status" of the selected alerts.
std::string alert_dedup_key(std::string_view receiver, std::string_view group_key, bool resolved,
                            const std::vector<const AlertmanagerAlert*>& alerts);

// The record as the API shows it.
std::string alert_record_json(const router::AlertRecord& r);

}  // namespace bindery::http
