#pragma once
// Delivery callbacks in the messages database (table `callbacks`, migration 3): a job per event
// waiting for its next attempt, so pending callbacks survive a restart. Each recorded attempt
// appends an event (provider "callback") to the message's history in the same transaction,
// so GET /v1/messages/{id} shows every attempt and the outcome. Reads on a connection of its
// own, serialised by a mutex; writes through the SqliteStore's group-commit writer when one is
// given (the gateway), else in transactions on that connection. This header does not include
// sqlite3.h.

#include <memory>
#include <mutex>

#include "router/api/callback_outbox.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

class SqliteCallbackOutbox final : public CallbackOutbox {
public:
    // Uses config.path, synchronous and busy_timeout; migrates the file to the latest schema.
    // With `store` (open on the same file, outliving the outbox) enqueue and record_all commit
    // with the store's own writes (SqliteStore::write): no second writer on the file.
    static Expected<std::unique_ptr<SqliteCallbackOutbox>, StoreError> open(
        const SqliteStoreConfig& config, SqliteStore* store = nullptr);
    ~SqliteCallbackOutbox() override;
    SqliteCallbackOutbox(const SqliteCallbackOutbox&) = delete;
    SqliteCallbackOutbox& operator=(const SqliteCallbackOutbox&) = delete;

    // router::CallbackOutbox
    Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const CallbackJob> jobs) override;
    Expected<std::vector<CallbackJob>, std::string> due(
        SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) override;
    Expected<void, std::string> record_all(std::span<const CallbackAttempt> attempts) override;
    Expected<std::optional<SystemTime>, std::string> next_due() override;
    Expected<std::uint64_t, std::string> pending() override;

private:
    SqliteCallbackOutbox(std::unique_ptr<sqlite::Connection> conn, SqliteStore* store);
    // Runs `work` in a transaction: the store's next group, or one of conn_'s own.
    Expected<void, StoreError> write(const SqliteStore::WriteWork& work, std::size_t rows,
                                     std::string_view what);
    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
    SqliteStore* store_;  // null: writes on conn_
};

}  // namespace bindery::router
