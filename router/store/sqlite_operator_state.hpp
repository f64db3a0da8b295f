#pragma once
// router::OperatorState in the messages database (tables `carrier_pauses` and `dlq_retries`,
// migration 8), on a connection of its own. Calls are serialised; every write is committed before
// it returns. This header does not include sqlite3.h.

#include <memory>
#include <mutex>

#include "router/core/operator_state.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

class SqliteOperatorState final : public OperatorState {
public:
    static Expected<std::unique_ptr<SqliteOperatorState>, StoreError> open(
        const SqliteStoreConfig& store);
    ~SqliteOperatorState() override;
    SqliteOperatorState(const SqliteOperatorState&) = delete;
    SqliteOperatorState& operator=(const SqliteOperatorState&) = delete;

    // router::OperatorState
    Expected<std::vector<std::string>, StoreError> paused_carriers() override;
    Expected<void, StoreError> set_paused(std::string_view carrier, bool paused,
                                          SystemTime at) override;
    Expected<std::optional<MessageId>, StoreError> retry_of(const MessageId& dead_letter) override;
    Expected<void, StoreError> record_retry(const MessageId& dead_letter, const MessageId& new_id,
                                            SystemTime at) override;

private:
    explicit SqliteOperatorState(std::unique_ptr<sqlite::Connection> conn);

    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace bindery::router
