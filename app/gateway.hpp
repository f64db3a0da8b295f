#pragma once

// The composition root's object graph: converts the validated app::Config into module
// configurations and builds store -> router -> carrier providers -> HTTP front end, each part
// registered with the Server as a Service so that the drain runs in reverse: HTTP stops accepting,
// the bind pools finish their in-flight submits and unbind, the router driver records the last
// results, the store commits and closes.
//
//   Server server(options);
//   Gateway gateway(config, server);   // throws std::runtime_error (store cannot open, ...)
//   server.run();

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/server.hpp"
#include "http-frontend/auth.hpp"
#include "http-frontend/server_config.hpp"
#include "router/core/router.hpp"
#include "router/providers/http_provider.hpp"
#include "router/providers/kavenegar_provider.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::app {

// Config conversions (pure; tested on their own).
[[nodiscard]] router::SqliteStoreConfig to_store_config(const StoreConfig& store);
[[nodiscard]] router::SmppCarrierConfig to_carrier_config(const std::string& name,
                                                          const SmppCarrierConfig& carrier);
[[nodiscard]] router::BreakerConfig to_breaker_config(const BreakerSettings& breaker);
[[nodiscard]] router::KavenegarConfig to_kavenegar_config(const std::string& name,
                                                          const KavenegarCarrierConfig& carrier);
[[nodiscard]] router::HttpProviderConfig to_http_provider_config(const std::string& name,
                                                                 const HttpCarrierConfig& carrier);
// Routing, plus a status map "http:<carrier>" for each generic HTTP carrier with a status_map.
[[nodiscard]] router::RouterConfig to_router_config(const Config& config);
[[nodiscard]] http::ServerConfig to_http_config(const HttpServerConfig& http);
// Every configured API client, by the SHA-256 of its key (api_key hashed here, api_key_hash as is).
void add_clients(const std::vector<ClientConfig>& clients, http::InMemoryClientRegistry& registry);

class Gateway {
public:
    Gateway(const Config& config, Server& server);
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    struct Parts;

private:
    std::shared_ptr<Parts> parts_;
};

}  // namespace bindery::app
