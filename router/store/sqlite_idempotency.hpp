#pragma once
// Idempotency-Key responses in the messages database (table `idempotency_keys`, migration 3):
// a completed response is written before it is sent to the client, so a retry after a restart
// still gets the original answer. Reservations of requests in flight stay in memory (a crash
// forgets them, so the retry is processed instead of being stuck "in progress" for a day).
// Rows older than the retention are purged (at most once per purge_interval, from begin()).
// Reads and the purge on a connection of its own; completed responses through the SqliteStore's
// group-commit writer when one is given (the gateway). This header does not include sqlite3.h.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "router/api/idempotency_store.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

struct SqliteIdempotencyConfig {
    std::chrono::seconds retention{std::chrono::hours(24)};
    std::chrono::seconds purge_interval{std::chrono::minutes(1)};
};

struct SqliteIdempotencyStats {
    std::uint64_t stored = 0;  // responses written
    std::uint64_t replayed = 0;
    std::uint64_t purged = 0;  // rows deleted by retention
    std::uint64_t errors = 0;  // store errors (the request was then processed, not replayed)
};

class SqliteIdempotencyStore final : public IdempotencyStore {
public:
    // With `writer` (open on the same file, outliving this store) complete() commits with the
    // store's own writes (SqliteStore::write): no second writer on the file per request, and no
    // lock held while it waits.
    static Expected<std::unique_ptr<SqliteIdempotencyStore>, StoreError> open(
        const SqliteStoreConfig& store, SqliteIdempotencyConfig config = {},
        SqliteStore* writer = nullptr);
    ~SqliteIdempotencyStore() override;
    SqliteIdempotencyStore(const SqliteIdempotencyStore&) = delete;
    SqliteIdempotencyStore& operator=(const SqliteIdempotencyStore&) = delete;

    // router::IdempotencyStore
    IdempotencyLookup begin(const std::string& client, const std::string& key,
                            const std::string& fingerprint, SystemTime now) override;
    void complete(const std::string& client, const std::string& key, StoredResponse response,
                  SystemTime now) override;
    void release(const std::string& client, const std::string& key) override;

    // Deletes rows created at or before now - retention; the number deleted.
    Expected<std::uint64_t, StoreError> purge(SystemTime now);
    SqliteIdempotencyStats stats() const;
    // The last store error (empty when none), for logs and readiness.
    std::string last_error() const;

private:
    SqliteIdempotencyStore(std::unique_ptr<sqlite::Connection> conn, SqliteIdempotencyConfig config,
                           SqliteStore* store);
    Expected<std::uint64_t, StoreError> purge_locked(SystemTime now);
    void note_error(const StoreError& e);  // mutex_ held

    struct Reservation {
        std::string fingerprint;
        SystemTime created{};
    };
    SqliteIdempotencyConfig config_;
    mutable std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
    SqliteStore* store_;  // null: complete() writes on conn_
    std::map<std::pair<std::string, std::string>, Reservation> in_flight_;
    SystemTime last_purge_{};
    SqliteIdempotencyStats stats_;
    std::string last_error_;
};

}  // namespace bindery::router
