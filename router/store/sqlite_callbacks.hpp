#pragma once
// Delivery callbacks in the messages database (table `callbacks`, migration 3): a job per event
// waiting for its next attempt, so pending callbacks survive a restart. Each recorded attempt
// appends an event (provider "callback") to the message's history in the same transaction,
// so GET /v1/messages/{id} shows every attempt and the outcome. One connection of its own,
// serialised by a mutex; this header does not include sqlite3.h.

#include <memory>
#include <mutex>

#include "router/api/callback_outbox.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

class SqliteCallbackOutbox final : public CallbackOutbox {
public:
    // Uses config.path, synchronous and busy_timeout; migrates the file to the latest schema.
    static Expected<std::unique_ptr<SqliteCallbackOutbox>, StoreError> open(
        const SqliteStoreConfig& config);
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
    explicit SqliteCallbackOutbox(std::unique_ptr<sqlite::Connection> conn);
    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace bindery::router
