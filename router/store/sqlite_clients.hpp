#pragma once
// API clients kept in the messages database (table `api_clients`), managed with
// `bindery client add|list|revoke|rotate-key` and read by `bindery serve` beside the clients of
// the configuration file. A client's key is never stored: only its SHA-256 digest (the callback
// secret is: it is the HMAC key the gateway signs with; the file is the operator's). A revoked
// client keeps its row (its name stays taken: messages and history refer to it) and no longer
// authenticates. One connection of its own, serialised by a mutex; this header does not include
// sqlite3.h.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

struct StoredClient {
    std::string name;
    std::array<std::uint8_t, 32> key_sha256{};
    std::vector<std::string> allowed_senders;  // empty: any sender
    double rate = 0;                           // requests/s; 0: the server's default
    double burst = 0;                          // 0: max(1, rate)
    std::string callback_url;                  // default URL of delivery callbacks
    std::string callback_secret;               // HMAC key of their signature ("" unsigned)
    SystemTime created_at{};
    std::optional<SystemTime> key_rotated_at;
    std::optional<SystemTime> revoked_at;

    bool active() const noexcept { return !revoked_at.has_value(); }
};

class SqliteClientStore {
public:
    // Uses config.path, synchronous and busy_timeout; migrates the file to the latest schema.
    static Expected<std::unique_ptr<SqliteClientStore>, StoreError> open(
        const SqliteStoreConfig& config);
    ~SqliteClientStore();
    SqliteClientStore(const SqliteClientStore&) = delete;
    SqliteClientStore& operator=(const SqliteClientStore&) = delete;

    // duplicate: the name (revoked or not) or the key digest is taken.
    Expected<void, StoreError> add(const StoredClient& client);
    // Every client, revoked ones included, by name.
    Expected<std::vector<StoredClient>, StoreError> list();
    Expected<std::optional<StoredClient>, StoreError> find(const std::string& name);
    // not_found: no such client; conflict: already revoked.
    Expected<void, StoreError> revoke(const std::string& name, SystemTime now);
    // Replaces the key digest of an active client (the old key stops working).
    // not_found / conflict (revoked) / duplicate (digest taken).
    Expected<void, StoreError> rotate_key(const std::string& name,
                                          const std::array<std::uint8_t, 32>& key_sha256,
                                          SystemTime now);

private:
    explicit SqliteClientStore(std::unique_ptr<sqlite::Connection> conn);
    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace bindery::router
