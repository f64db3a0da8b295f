#pragma once
// Deliveries to SMPP server accounts in the messages database (tables `smpp_outbox` and
// `smpp_outbox_marks`, migration 11), so receipts and MO waiting for an ESME's receiver bind
// survive a restart. Receipt entries append events (provider "smpp-receipt") to their message's
// history in the transaction that changes the entry: queued, each failed attempt, delivered,
// given up; the "queued" event is also what makes enqueueing a receipt idempotent. One
// connection of its own, serialised by a mutex; this header does not include sqlite3.h.

#include <memory>
#include <mutex>

#include "router/api/smpp_outbox.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

class SqliteSmppOutbox final : public SmppOutbox {
public:
    // Uses config.path, synchronous and busy_timeout; migrates the file to the latest schema.
    static Expected<std::unique_ptr<SqliteSmppOutbox>, StoreError> open(
        const SqliteStoreConfig& config);
    ~SqliteSmppOutbox() override;
    SqliteSmppOutbox(const SqliteSmppOutbox&) = delete;
    SqliteSmppOutbox& operator=(const SqliteSmppOutbox&) = delete;

    // router::SmppOutbox
    Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const SmppDelivery> items) override;
    Expected<std::vector<SmppDelivery>, std::string> due(
        std::string_view account, SystemTime now, std::size_t limit,
        std::span<const std::int64_t> skip) override;
    Expected<void, std::string> record(std::span<const SmppDeliveryAttempt> attempts) override;
    Expected<std::vector<SmppDelivery>, std::string> expire(
        SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) override;
    Expected<std::optional<SystemTime>, std::string> next_expiry() override;
    Expected<std::map<std::pair<std::string, SmppDeliveryKind>, std::uint64_t>, std::string>
    pending() override;
    Expected<std::vector<ReceiptCandidate>, std::string> unreceipted(
        SystemTime since, std::optional<ReceiptCandidate> after, std::string_view tag_prefix,
        std::size_t limit) override;
    Expected<std::optional<SystemTime>, std::string> receipts_scanned_to() override;
    Expected<void, std::string> set_receipts_scanned_to(SystemTime t) override;

private:
    explicit SqliteSmppOutbox(std::unique_ptr<sqlite::Connection> conn);
    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace bindery::router
