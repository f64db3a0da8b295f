#pragma once
// The Alertmanager receiver's tables in the gateway's SQLite file (schema: schema.cpp migration
// "alert notifications, directory cache"): alert_notifications + alert_messages (AlertLedger: one
// row per webhook with the messages it produced, the dedup index) and directory_cache
// (DirectoryCache: the last answer per directory and group, with when it was fetched).
// Its own connection to the file the SqliteStore opened and migrated; calls are serialised;
// record() is one transaction, durable when it returns (synchronous as configured).
// This header does not include sqlite3.h.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "router/directory/alert_ledger.hpp"
#include "router/directory/directory.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

class SqliteAlerts final : public AlertLedger, public DirectoryCache {
public:
    // The file must exist at the schema version that has the alert tables (SqliteStore::open
    // migrates it).
    static Expected<std::unique_ptr<SqliteAlerts>, StoreError> open(
        const SqliteStoreConfig& config);
    ~SqliteAlerts() override;
    SqliteAlerts(const SqliteAlerts&) = delete;
    SqliteAlerts& operator=(const SqliteAlerts&) = delete;

    // router::AlertLedger
    Expected<std::optional<MessageId>, std::string> find_sent(std::string_view dedup_key,
                                                              SystemTime since) override;
    Expected<void, std::string> record(const AlertRecord& record) override;
    Expected<std::optional<AlertRecord>, std::string> get(const MessageId& id) override;
    Expected<std::vector<AlertRecord>, std::string> recent(std::optional<MessageId> before,
                                                           std::uint32_t limit) override;

    // router::DirectoryCache
    Expected<std::optional<CachedMembers>, std::string> load_members(
        std::string_view directory, std::string_view group) override;
    Expected<void, std::string> save_members(std::string_view directory, std::string_view group,
                                             const CachedMembers& members) override;

    // Deletes notifications received before `before` (and their messages, by cascade), at most
    // `chunk` per transaction; returns how many. The gateway runs it on the store's retention
    // thread (alerting.retention, app/alerting.hpp add_alert_retention).
    Expected<std::uint64_t, std::string> purge(SystemTime before, std::uint32_t chunk = 1000);

private:
    explicit SqliteAlerts(std::unique_ptr<sqlite::Connection> conn);
    Expected<AlertRecord, std::string> read_record_row(void* stmt);
    Expected<void, std::string> load_messages(AlertRecord& r);

    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

// Recipients as stored in directory_cache.members: one "phone\tname" line each (tabs and line
// breaks in names become spaces). Exposed for tests.
std::string encode_recipients(const std::vector<Recipient>& recipients);
std::vector<Recipient> decode_recipients(std::string_view text);

}  // namespace bindery::router
