#include "router/store/sqlite_idempotency.hpp"

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kSelect =
    "SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys "
    "WHERE client = ?1 AND key = ?2";
// OR REPLACE: a row past its retention that purge has not reached yet is overwritten.
constexpr const char* kInsert =
    "INSERT OR REPLACE INTO idempotency_keys(client, key, fingerprint, status, content_type, body, "
    "created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kPurge = "DELETE FROM idempotency_keys WHERE created_at <= ?1";

// Writes one completed response (OR REPLACE: see kInsert).
Expected<void, StoreError> insert_response(sqlite::Connection& c, const std::string& client,
                                           const std::string& key, const std::string& fingerprint,
                                           const StoredResponse& response, SystemTime created,
                                           bool& wrote) {
    auto stmt = c.prepare(kInsert);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, client);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, key);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 3, fingerprint);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 4, response.status);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 5, response.content_type);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(*stmt, 6, response.body.data(),
                               static_cast<int>(response.body.size()), SQLITE_TRANSIENT);
    }
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 7, sqlite::to_nanos(created));
    if (rc != SQLITE_OK) return Unexpected(c.error(rc, "bind idempotency key"));
    wrote = true;
    rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "store idempotency key"));
    return {};
}

}  // namespace

SqliteIdempotencyStore::SqliteIdempotencyStore(std::unique_ptr<sqlite::Connection> conn,
                                               SqliteIdempotencyConfig config, SqliteStore* store)
    : config_(config), conn_(std::move(conn)), store_(store) {}

SqliteIdempotencyStore::~SqliteIdempotencyStore() = default;

Expected<std::unique_ptr<SqliteIdempotencyStore>, StoreError> SqliteIdempotencyStore::open(
    const SqliteStoreConfig& store, SqliteIdempotencyConfig config, SqliteStore* writer) {
    auto conn = sqlite::open_side_connection(store);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqliteIdempotencyStore>(
        new SqliteIdempotencyStore(std::move(*conn), config, writer));
}

void SqliteIdempotencyStore::note_error(const StoreError& e) {
    ++stats_.errors;
    last_error_ = e.detail;
}

IdempotencyLookup SqliteIdempotencyStore::begin(const std::string& client, const std::string& key,
                                                const std::string& fingerprint, SystemTime now) {
    std::lock_guard lock(mutex_);
    if (now - last_purge_ >= config_.purge_interval) {
        last_purge_ = now;
        if (auto r = purge_locked(now); !r) note_error(r.error());
    }
    auto k = std::make_pair(client, key);
    if (const auto it = in_flight_.find(k); it != in_flight_.end()) {
        if (it->second.fingerprint != fingerprint) return {IdempotencyState::mismatch, {}};
        return {IdempotencyState::in_progress, {}};
    }
    auto& c = *conn_;
    auto stmt = c.prepare(kSelect);
    if (!stmt) {
        note_error(stmt.error());
    } else {
        StmtUse use(*stmt);
        int rc = sqlite::bind_text(*stmt, 1, client);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, key);
        if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
        if (rc == SQLITE_ROW) {
            const auto created = sqlite::from_nanos(sqlite3_column_int64(*stmt, 4));
            if (created + config_.retention > now) {
                if (sqlite::read_text(*stmt, 0) != fingerprint) {
                    return {IdempotencyState::mismatch, {}};
                }
                StoredResponse r;
                r.status = static_cast<unsigned>(sqlite3_column_int64(*stmt, 1));
                r.content_type = sqlite::read_text(*stmt, 2);
                const auto* body = static_cast<const char*>(sqlite3_column_blob(*stmt, 3));
                r.body.assign(body != nullptr ? body : "",
                              static_cast<std::size_t>(sqlite3_column_bytes(*stmt, 3)));
                ++stats_.replayed;
                return {IdempotencyState::replay, std::move(r)};
            }
        } else if (rc != SQLITE_DONE) {
            note_error(c.error(rc, "read idempotency key"));
        }
    }
    in_flight_.emplace(std::move(k), Reservation{fingerprint, now});
    return {IdempotencyState::reserved, {}};
}

void SqliteIdempotencyStore::complete(const std::string& client, const std::string& key,
                                      StoredResponse response, SystemTime /*now*/) {
    std::unique_lock lock(mutex_);
    const auto it = in_flight_.find(std::make_pair(client, key));
    if (it == in_flight_.end()) return;
    // The retention runs from the first request, as in memory.
    const Reservation reservation = it->second;
    Expected<void, StoreError> written;
    if (store_ != nullptr) {
        // In the store's next group commit. The reservation stays until then (the same key
        // meanwhile is "in progress"), and requests with other keys do not wait for this one.
        lock.unlock();
        const SqliteStore::WriteWork work = [&](sqlite::Connection& c, bool& wrote) {
            return insert_response(c, client, key, reservation.fingerprint, response,
                                   reservation.created, wrote);
        };
        written = store_->write(work, 1);
        lock.lock();
    } else {
        bool wrote = false;
        written = insert_response(*conn_, client, key, reservation.fingerprint, response,
                                  reservation.created, wrote);
    }
    if (written) {
        ++stats_.stored;
    } else {
        note_error(written.error());
    }
    in_flight_.erase(std::make_pair(client, key));
}

void SqliteIdempotencyStore::release(const std::string& client, const std::string& key) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(std::make_pair(client, key));
}

Expected<std::uint64_t, StoreError> SqliteIdempotencyStore::purge(SystemTime now) {
    std::lock_guard lock(mutex_);
    return purge_locked(now);
}

Expected<std::uint64_t, StoreError> SqliteIdempotencyStore::purge_locked(SystemTime now) {
    auto& c = *conn_;
    auto stmt = c.prepare(kPurge);
    if (!stmt) return Unexpected(stmt.error());
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(now - config_.retention));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "purge idempotency keys"));
    const auto n = static_cast<std::uint64_t>(sqlite3_changes(c.db()));
    stats_.purged += n;
    return n;
}

SqliteIdempotencyStats SqliteIdempotencyStore::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::string SqliteIdempotencyStore::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

}  // namespace bindery::router
