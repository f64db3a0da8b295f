#include "router/store/sqlite_callbacks.hpp"

#include <algorithm>

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kInsert =
    "INSERT INTO callbacks(message_id, client, state, url, body, attempts, created_at, "
    "next_attempt_at, last_error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kDue =
    "SELECT seq, message_id, client, state, url, body, attempts, created_at, next_attempt_at, "
    "last_error FROM callbacks WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, seq LIMIT ?2";
constexpr const char* kDelete = "DELETE FROM callbacks WHERE seq = ?1";
constexpr const char* kReschedule =
    "UPDATE callbacks SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE seq = ?1";
// The history event: state unchanged (from = to = the message's current state), provider
// "callback". Written before the job's row is removed or rescheduled; nothing when the job is no
// longer stored (already recorded) or the message has been purged meanwhile.
constexpr const char* kHistory =
    "INSERT INTO events(message_id, from_state, to_state, at, attempt, provider, detail) "
    "SELECT m.id, m.state, m.state, ?2, ?3, 'callback', ?4 FROM callbacks c "
    "JOIN messages m ON m.id = c.message_id WHERE c.seq = ?1";
constexpr const char* kNextDue = "SELECT min(next_attempt_at) FROM callbacks";
constexpr const char* kCount = "SELECT count(*) FROM callbacks";

std::string step_error(sqlite::Connection& c, int rc, std::string_view what) {
    return c.error(rc, what).detail;
}

// Appends one row per job, its seq to `seqs`.
Expected<void, StoreError> insert_jobs(sqlite::Connection& c, std::span<const CallbackJob> jobs,
                                       std::vector<std::int64_t>& seqs, bool& wrote) {
    auto stmt = c.prepare(kInsert);
    if (!stmt) return Unexpected(std::move(stmt).error());
    for (const auto& j : jobs) {
        StmtUse use(*stmt);
        int rc = sqlite::bind_id(*stmt, 1, j.message_id);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, j.client);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 3, router::to_string(j.state));
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 4, j.url);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 5, j.body);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 6, j.attempts);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 7, sqlite::to_nanos(j.created_at));
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 8, sqlite::to_nanos(j.next_attempt_at));
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 9, j.last_error);
        if (rc != SQLITE_OK) return Unexpected(c.error(rc, "bind callback"));
        wrote = true;
        rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "enqueue callback"));
        seqs.push_back(sqlite3_last_insert_rowid(c.db()));
    }
    return {};
}

// Each attempt's history event, then its job removed (delivered, gave up) or rescheduled.
Expected<void, StoreError> record_attempts(sqlite::Connection& c,
                                           std::span<const CallbackAttempt> attempts, bool& wrote) {
    auto history = c.prepare(kHistory);
    if (!history) return Unexpected(std::move(history).error());
    auto remove = c.prepare(kDelete);
    if (!remove) return Unexpected(std::move(remove).error());
    auto reschedule = c.prepare(kReschedule);
    if (!reschedule) return Unexpected(std::move(reschedule).error());
    std::string detail;
    for (const auto& a : attempts) {
        {
            StmtUse use(*history);
            detail = "callback attempt " + std::to_string(a.attempt) + ": " + a.detail;
            switch (a.verdict) {
                case CallbackVerdict::delivered: detail += " (delivered)"; break;
                case CallbackVerdict::retry: detail += " (will retry)"; break;
                case CallbackVerdict::gave_up: detail += " (gave up)"; break;
            }
            int rc = sqlite3_bind_int64(*history, 1, a.seq);
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*history, 2, sqlite::to_nanos(a.at));
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*history, 3, a.attempt);
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*history, 4, detail);
            if (rc != SQLITE_OK) return Unexpected(c.error(rc, "bind callback history"));
            wrote = true;
            rc = sqlite3_step(*history);
            if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "record callback history"));
        }
        auto& stmt = a.verdict == CallbackVerdict::retry ? *reschedule : *remove;
        StmtUse use(stmt);
        int rc = sqlite3_bind_int64(stmt, 1, a.seq);
        if (a.verdict == CallbackVerdict::retry) {
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, a.attempt);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(stmt, 3, sqlite::to_nanos(a.next_attempt_at));
            if (rc == SQLITE_OK) rc = sqlite::bind_text(stmt, 4, a.detail);
        }
        if (rc != SQLITE_OK) return Unexpected(c.error(rc, "bind callback update"));
        rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "update callback"));
    }
    return {};
}

}  // namespace

SqliteCallbackOutbox::SqliteCallbackOutbox(std::unique_ptr<sqlite::Connection> conn,
                                           SqliteStore* store)
    : conn_(std::move(conn)), store_(store) {}

SqliteCallbackOutbox::~SqliteCallbackOutbox() = default;

Expected<std::unique_ptr<SqliteCallbackOutbox>, StoreError> SqliteCallbackOutbox::open(
    const SqliteStoreConfig& config, SqliteStore* store) {
    auto conn = sqlite::open_side_connection(config);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqliteCallbackOutbox>(new SqliteCallbackOutbox(std::move(*conn), store));
}

Expected<void, StoreError> SqliteCallbackOutbox::write(const SqliteStore::WriteWork& work,
                                                       std::size_t rows, std::string_view what) {
    if (store_ != nullptr) return store_->write(work, rows);
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(*conn_);
    if (auto r = tx.begin(what); !r) return r;
    bool wrote = false;
    if (auto r = work(*conn_, wrote); !r) return r;  // tx rolls back
    return tx.commit(what);
}

Expected<std::vector<std::int64_t>, std::string> SqliteCallbackOutbox::enqueue(
    std::span<const CallbackJob> jobs) {
    std::vector<std::int64_t> seqs;
    if (jobs.empty()) return seqs;
    const SqliteStore::WriteWork work = [&](sqlite::Connection& c, bool& wrote) {
        seqs.clear();  // a rolled-back group runs the work again
        seqs.reserve(jobs.size());
        return insert_jobs(c, jobs, seqs, wrote);
    };
    if (auto r = write(work, jobs.size(), "enqueue callbacks"); !r) {
        return Unexpected(std::move(r).error().detail);
    }
    return seqs;
}

Expected<std::vector<CallbackJob>, std::string> SqliteCallbackOutbox::due(
    SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) {
    std::vector<CallbackJob> out;
    if (limit == 0) return out;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kDue);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(now));
    // In-flight jobs are still due in the table: read past them.
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(*stmt, 2, static_cast<std::int64_t>(limit + skip.size()));
    }
    if (rc != SQLITE_OK) return Unexpected(step_error(c, rc, "select due callbacks"));
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW && out.size() < limit) {
        const std::int64_t seq = sqlite3_column_int64(*stmt, 0);
        if (std::find(skip.begin(), skip.end(), seq) != skip.end()) continue;
        CallbackJob j;
        j.seq = seq;
        auto id = sqlite::read_id(*stmt, 1);
        if (!id) return Unexpected(id.error().detail);
        j.message_id = *id;
        j.client = sqlite::read_text(*stmt, 2);
        const auto state = parse_message_state(sqlite::read_text(*stmt, 3));
        if (!state) return Unexpected("callback " + std::to_string(seq) + ": unknown state");
        j.state = *state;
        j.url = sqlite::read_text(*stmt, 4);
        j.body = sqlite::read_text(*stmt, 5);
        j.attempts = static_cast<std::uint32_t>(sqlite3_column_int64(*stmt, 6));
        j.created_at = sqlite::from_nanos(sqlite3_column_int64(*stmt, 7));
        j.next_attempt_at = sqlite::from_nanos(sqlite3_column_int64(*stmt, 8));
        j.last_error = sqlite::read_text(*stmt, 9);
        out.push_back(std::move(j));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return Unexpected(step_error(c, rc, "select due callbacks"));
    }
    return out;
}

Expected<void, std::string> SqliteCallbackOutbox::record_all(
    std::span<const CallbackAttempt> attempts) {
    if (attempts.empty()) return {};
    const SqliteStore::WriteWork work = [&](sqlite::Connection& c, bool& wrote) {
        return record_attempts(c, attempts, wrote);
    };
    // Two rows per attempt: the history event and the job's update or removal.
    if (auto r = write(work, 2 * attempts.size(), "record callbacks"); !r) {
        return Unexpected(std::move(r).error().detail);
    }
    return {};
}

Expected<std::optional<SystemTime>, std::string> SqliteCallbackOutbox::next_due() {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kNextDue);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    const int rc = sqlite3_step(*stmt);
    if (rc != SQLITE_ROW) return Unexpected(step_error(c, rc, "next callback"));
    if (sqlite3_column_type(*stmt, 0) == SQLITE_NULL) return std::optional<SystemTime>{};
    return std::optional<SystemTime>{sqlite::from_nanos(sqlite3_column_int64(*stmt, 0))};
}

Expected<std::uint64_t, std::string> SqliteCallbackOutbox::pending() {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kCount);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    const int rc = sqlite3_step(*stmt);
    if (rc != SQLITE_ROW) return Unexpected(step_error(c, rc, "count callbacks"));
    return static_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 0));
}

}  // namespace bindery::router
