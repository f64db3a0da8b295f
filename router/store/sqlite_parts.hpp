#pragma once
// router::PartStore in the messages database (tables `held_groups`, `held_parts`, `part_links`,
// migration 10), on a connection of its own. Calls are serialised; every write is committed
// before it returns. This header does not include sqlite3.h.

#include <memory>
#include <mutex>
#include <string_view>

#include "router/api/part_store.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

class SqlitePartStore final : public PartStore {
public:
    static Expected<std::unique_ptr<SqlitePartStore>, StoreError> open(
        const SqliteStoreConfig& store);
    ~SqlitePartStore() override;
    SqlitePartStore(const SqlitePartStore&) = delete;
    SqlitePartStore& operator=(const SqlitePartStore&) = delete;

    // router::PartStore
    Expected<std::vector<HeldGroup>, std::string> load() override;
    Expected<std::int64_t, std::string> create(const HeldGroup& group) override;
    Expected<void, std::string> add(std::int64_t group, const HeldPart& part,
                                    bool complete) override;
    Expected<void, std::string> finish(std::int64_t group, const MessageId& message,
                                       SystemTime at) override;
    Expected<void, std::string> drop(std::int64_t group) override;
    Expected<std::optional<MessageId>, std::string> message_of(const MessageId& part) override;
    Expected<std::uint64_t, std::string> purge_links(SystemTime before) override;

private:
    explicit SqlitePartStore(std::unique_ptr<sqlite::Connection> conn);
    Expected<void, StoreError> insert_part(std::int64_t group,
                                           const HeldPart& part);  // mutex_ held
    // Deletes a group and its parts, inside the caller's transaction (mutex_ held).
    Expected<void, StoreError> delete_group(std::int64_t group, std::string_view what);

    std::mutex mutex_;
    std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace bindery::router
