#pragma once
// The API clients `bindery serve` authenticates: those of the configuration file and those kept in
// the store (`bindery client add|revoke|rotate-key`, app/client_commands.hpp). Store clients are
// re-read at most once per `refresh` (1 s), on a lookup that finds the copy older than that, so a
// client added, revoked or given a new key by the CLI takes effect within about a second without a
// restart; a failed read keeps the last good copy (logged). A store client whose name is also a
// configuration client's is ignored: the file wins.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "http-frontend/auth.hpp"
#include "http-frontend/callbacks.hpp"
#include "router/store/sqlite_clients.hpp"

namespace bindery::app {

// A store client as the HTTP front end sees it.
http::ClientInfo to_client_info(const router::StoredClient& c);

class ClientDirectory final : public http::ClientRegistry {
public:
    // `config_clients` and `store` outlive the directory; `store` may be null (config only).
    ClientDirectory(const http::ClientRegistry& config_clients, std::set<std::string> config_names,
                    router::SqliteClientStore* store,
                    std::chrono::milliseconds refresh = std::chrono::seconds(1));

    // http::ClientRegistry: the configuration's clients first, then the store's.
    std::optional<http::ClientInfo> find_by_key_digest(
        const http::KeyDigest& digest) const override;

    // Callback settings of an active store client, from the copy in memory (never reads the
    // store: called under the router's lock). nullopt: not an active store client.
    std::optional<http::CallbackClient> callback_client(std::string_view name) const;

    // Reads the store now (start-up, tests); false when the read failed.
    bool reload() const;
    std::size_t store_clients() const;

private:
    struct Snapshot {
        http::InMemoryClientRegistry keys;
        std::map<std::string, http::CallbackClient, std::less<>> callbacks;
        std::size_t count = 0;
    };
    std::shared_ptr<const Snapshot> current() const;
    bool reload_locked() const;  // reload_mutex_ held

    const http::ClientRegistry& config_clients_;
    std::set<std::string> config_names_;
    router::SqliteClientStore* store_;
    std::chrono::milliseconds refresh_;
    mutable std::mutex mutex_;         // snapshot_, loaded_at_
    mutable std::mutex reload_mutex_;  // one reload at a time
    mutable std::shared_ptr<const Snapshot> snapshot_;
    mutable std::chrono::steady_clock::time_point loaded_at_{};
    mutable bool failing_ = false;  // reload_mutex_
};

}  // namespace bindery::app
