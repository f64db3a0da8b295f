#include "app/alerting.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "app/logging.hpp"

#include "router/directory/keycloak_directory.hpp"
#include "router/directory/static_directory.hpp"

namespace bindery::app {

std::vector<http::AlertReceiverSpec> to_receiver_specs(const AlertingConfig& alerting) {
    std::vector<http::AlertReceiverSpec> out;
    for (const auto& r : alerting.receivers) {
        http::AlertReceiverSpec s;
        s.name = r.name;
        s.groups = r.groups;
        s.recipients = r.recipients;
        s.match_labels = r.match_labels;
        if (!r.template_text.empty()) {
            auto t = http::AlertTemplate::compile(r.template_text);
            if (!t)
                throw std::runtime_error("alerting.receivers " + r.name +
                                         ": template: " + t.error());
            s.text = std::move(*t);
        }
        s.max_segments = std::max(1U, r.max_segments);
        s.send_resolved = r.send_resolved;
        s.sender = r.sender;
        s.client = r.client;
        s.tags = r.tags;
        s.priority = router::Priority::express;
        s.dedup_window = r.dedup_window;
        out.push_back(std::move(s));
    }
    return out;
}

std::unique_ptr<Alerting> build_alerting(const Config& config,
                                         const router::SqliteStoreConfig& store,
                                         router::GatewayApi& gateway, http::ClientRegistry& clients,
                                         prometheus::Registry& registry) {
    if (!config.alerting.enabled) return nullptr;
    auto a = std::make_unique<Alerting>();
    auto opened = router::SqliteAlerts::open(store);
    if (!opened) throw std::runtime_error("alert store: " + opened.error().detail);
    a->store = std::move(*opened);

    std::vector<router::ResolverEntry> entries;
    for (const auto& d : config.directories) {
        if (const auto* st = std::get_if<StaticDirectoryConfig>(&d.settings)) {
            auto& n = a->normalizers.emplace_back(
                std::make_unique<router::PhoneNumberNormalizer>(router::PhoneNumberConfig{}));
            std::map<std::string, std::vector<router::StaticPerson>> groups;
            for (const auto& [group, people] : st->groups) {
                for (const auto& p : people) groups[group].push_back({p.name, p.phone});
            }
            auto& dir = a->directories.emplace_back(
                std::make_unique<router::StaticDirectory>(d.name, groups, *n));
            entries.push_back({dir.get(), std::chrono::milliseconds(0)});
        } else {
            const auto& kc = std::get<KeycloakDirectoryConfig>(d.settings);
            auto& n = a->normalizers.emplace_back(std::make_unique<router::PhoneNumberNormalizer>(
                router::PhoneNumberConfig{kc.default_region, false}));
            http::BlockingHttpConfig hc;
            hc.timeout = kc.timeout;
            hc.verify_peer = kc.tls.verify;
            hc.ca_file = kc.tls.ca_file;
            hc.server_name = kc.tls.server_name;
            auto& client =
                a->http_clients.emplace_back(std::make_unique<http::BlockingHttpClient>(hc));
            router::KeycloakConfig k;
            k.name = d.name;
            k.base_url = kc.base_url;
            k.legacy_auth_path = kc.legacy_auth_path;
            k.realm = kc.realm;
            k.client_id = kc.client_id;
            k.client_secret = kc.client_secret.reveal();
            k.phone_attributes = kc.phone_attributes;
            auto& dir = a->directories.emplace_back(std::make_unique<router::KeycloakDirectory>(
                std::move(k), *client, *n, [] { return bindery::Clock::now(); }));
            entries.push_back({dir.get(), kc.cache_ttl});
        }
    }
    a->resolver = std::make_unique<router::DirectoryResolver>(
        std::move(entries), *a->store, [] { return router::SystemClock::now(); });
    a->metrics = std::make_unique<http::AlertMetrics>(registry);

    http::AlertmanagerConfig rc;
    rc.receivers = to_receiver_specs(config.alerting);
    std::random_device entropy;
    const std::uint64_t seed = (std::uint64_t{entropy()} << 32U) ^ std::uint64_t{entropy()};
    a->receiver = std::make_unique<http::AlertmanagerReceiver>(
        std::move(rc), gateway, *a->resolver, *a->store, a->metrics.get(),
        [] { return router::SystemClock::now(); }, seed);
    http::AlertmanagerAuth auth;
    if (config.alerting.bearer_token.is_set())
        auth.bearer_token = config.alerting.bearer_token.reveal();
    auth.username = config.alerting.basic_username;
    if (config.alerting.basic_password.is_set())
        auth.password = config.alerting.basic_password.reveal();
    if (!auth.configured()) {
        spdlog::warn("alerting: no auth configured: POST /v1/alertmanager accepts any caller");
    }
    a->endpoint =
        std::make_unique<http::AlertmanagerEndpoint>(*a->receiver, std::move(auth), &clients);
    spdlog::info("alerting: {} receivers, {} directories", config.alerting.receivers.size(),
                 a->directories.size());
    return a;
}

void add_alert_retention(router::SqliteStore& store, std::shared_ptr<router::SqliteAlerts> alerts,
                         Millis retention) {
    router::RetentionTask task;
    task.records = "alerts";
    task.retention = retention;
    task.purge = [alerts = std::move(alerts)](router::SystemTime before) {
        auto purged = alerts->purge(before);
        if (!purged) {
            spdlog::warn(with_fields("alert records not purged", {{"detail", purged.error()}}));
        } else if (*purged > 0) {
            spdlog::info(
                with_fields("alert records purged", {{"records", std::to_string(*purged)}}));
        }
        return purged;
    };
    store.add_retention_task(std::move(task));
}

}  // namespace bindery::app
