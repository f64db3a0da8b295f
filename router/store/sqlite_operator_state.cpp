#include "router/store/sqlite_operator_state.hpp"

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kSelectPaused = "SELECT carrier FROM carrier_pauses ORDER BY carrier";
// OR IGNORE: pausing a paused carrier keeps when it was first paused.
constexpr const char* kInsertPause =
    "INSERT OR IGNORE INTO carrier_pauses(carrier, paused_at) VALUES(?1, ?2)";
constexpr const char* kDeletePause = "DELETE FROM carrier_pauses WHERE carrier = ?1";
constexpr const char* kSelectRetry = "SELECT new_id FROM dlq_retries WHERE dead_letter = ?1";
constexpr const char* kInsertRetry =
    "INSERT OR IGNORE INTO dlq_retries(dead_letter, new_id, retried_at) VALUES(?1, ?2, ?3)";

}  // namespace

SqliteOperatorState::SqliteOperatorState(std::unique_ptr<sqlite::Connection> conn)
    : conn_(std::move(conn)) {}

SqliteOperatorState::~SqliteOperatorState() = default;

Expected<std::unique_ptr<SqliteOperatorState>, StoreError> SqliteOperatorState::open(
    const SqliteStoreConfig& store) {
    auto conn = sqlite::open_side_connection(store);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqliteOperatorState>(new SqliteOperatorState(std::move(*conn)));
}

Expected<std::vector<std::string>, StoreError> SqliteOperatorState::paused_carriers() {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(kSelectPaused);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    std::vector<std::string> out;
    for (;;) {
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read carrier pauses"));
        out.push_back(sqlite::read_text(*stmt, 0));
    }
}

Expected<void, StoreError> SqliteOperatorState::set_paused(std::string_view carrier, bool paused,
                                                           SystemTime at) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(paused ? kInsertPause : kDeletePause);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, carrier);
    if (rc == SQLITE_OK && paused) rc = sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(at));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE)
        return Unexpected(conn_->error(rc, paused ? "save carrier pause" : "save carrier resume"));
    return {};
}

Expected<std::optional<MessageId>, StoreError> SqliteOperatorState::retry_of(
    const MessageId& dead_letter) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(kSelectRetry);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_id(*stmt, 1, dead_letter);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<MessageId>();
    if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read dead-letter retry"));
    auto id = sqlite::read_id(*stmt, 0);
    if (!id) return Unexpected(std::move(id).error());
    return std::optional<MessageId>(*id);
}

Expected<void, StoreError> SqliteOperatorState::record_retry(const MessageId& dead_letter,
                                                             const MessageId& new_id,
                                                             SystemTime at) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(kInsertRetry);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_id(*stmt, 1, dead_letter);
    if (rc == SQLITE_OK) rc = sqlite::bind_id(*stmt, 2, new_id);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 3, sqlite::to_nanos(at));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, "save dead-letter retry"));
    return {};
}

}  // namespace bindery::router
