#include "router/store/sqlite_alerts.hpp"

#include <algorithm>

#include <sqlite3.h>

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"
#include "router/store/sqlite_db.hpp"

namespace bindery::router {
namespace {

using sqlite::Connection;
using sqlite::StmtUse;

std::string clean(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

std::string join_notes(const std::vector<std::string>& notes) {
    std::string out;
    for (const auto& n : notes) {
        if (!out.empty()) out.push_back('\n');
        std::string line = n;
        for (auto& c : line) {
            if (c == '\n' || c == '\r') c = ' ';
        }
        out += line;
    }
    return out;
}

std::vector<std::string> split_notes(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        const auto nl = s.find('\n');
        out.emplace_back(s.substr(0, nl));
        if (nl == std::string_view::npos) break;
        s.remove_prefix(nl + 1);
    }
    return out;
}

std::string err(const StoreError& e) { return e.detail; }

constexpr const char* kRecordColumns =
    "id, received_at, receiver, status, group_key, dedup_key, client, firing, resolved, truncated, "
    "outcome, "
    "duplicate_of, text, notes";

}  // namespace

std::string encode_recipients(const std::vector<Recipient>& recipients) {
    std::string out;
    for (const auto& r : recipients) {
        out += clean(r.phone);
        out.push_back('\t');
        out += clean(r.name);
        out.push_back('\n');
    }
    return out;
}

std::vector<Recipient> decode_recipients(std::string_view text) {
    std::vector<Recipient> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto line = text.substr(0, nl);
        if (!line.empty()) {
            const auto tab = line.find('\t');
            out.push_back(
                {tab == std::string_view::npos ? std::string() : std::string(line.substr(tab + 1)),
                 std::string(line.substr(0, tab))});
        }
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

SqliteAlerts::SqliteAlerts(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqliteAlerts::~SqliteAlerts() = default;

Expected<std::unique_ptr<SqliteAlerts>, StoreError> SqliteAlerts::open(
    const SqliteStoreConfig& config) {
    auto conn = Connection::open(config.path, false);
    if (!conn) return Unexpected(std::move(conn).error());
    Connection& c = **conn;
    if (const int rc = sqlite3_busy_timeout(c.db(), static_cast<int>(config.busy_timeout.count()));
        rc != SQLITE_OK) {
        return Unexpected(c.error(rc, "busy_timeout"));
    }
    // No automatic checkpoint here either: the message store's checkpoint thread does them.
    if (auto r = c.exec((std::string(sqlite::sync_pragma(config.synchronous)) +
                         "; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;")
                            .c_str(),
                        "configure alerts connection");
        !r) {
        return Unexpected(r.error());
    }
    auto has = c.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'alert_notifications'",
                           "alert tables");
    if (!has) return Unexpected(has.error());
    if (*has == 0) {
        return Unexpected(StoreError{
            StoreErrc::unavailable,
            "open alerts: the alert tables are missing (schema not migrated): " + config.path});
    }
    return std::unique_ptr<SqliteAlerts>(new SqliteAlerts(std::move(*conn)));
}

Expected<std::optional<MessageId>, std::string> SqliteAlerts::find_sent(std::string_view dedup_key,
                                                                        SystemTime since) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(
        "SELECT id FROM alert_notifications WHERE dedup_key = ?1 AND outcome = 'sent' AND "
        "received_at >= ?2 "
        "ORDER BY received_at DESC LIMIT 1");
    if (!stmt) return Unexpected(err(stmt.error()));
    StmtUse use(*stmt);
    sqlite::bind_text(*stmt, 1, dedup_key);
    sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(since));
    const int rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<MessageId>();
    if (rc != SQLITE_ROW) return Unexpected(err(conn_->error(rc, "find duplicate alert")));
    auto id = sqlite::read_id(*stmt, 0);
    if (!id) return Unexpected(err(id.error()));
    return std::optional<MessageId>(*id);
}

Expected<void, std::string> SqliteAlerts::record(const AlertRecord& r) {
    const std::lock_guard lock(mutex_);
    if (auto b = conn_->exec("BEGIN IMMEDIATE", "record alert"); !b)
        return Unexpected(err(b.error()));
    auto fail = [&](const StoreError& e) -> Expected<void, std::string> {
        (void)conn_->exec("ROLLBACK", "record alert");
        return Unexpected(err(e));
    };
    {
        auto stmt =
            conn_->prepare(std::string("INSERT INTO alert_notifications(") + kRecordColumns +
                           ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        if (!stmt) return fail(stmt.error());
        StmtUse use(*stmt);
        sqlite::bind_id(*stmt, 1, r.id);
        sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(r.received_at));
        sqlite::bind_text(*stmt, 3, r.receiver);
        sqlite::bind_text(*stmt, 4, r.status);
        sqlite::bind_text(*stmt, 5, r.group_key);
        sqlite::bind_text(*stmt, 6, r.dedup_key);
        sqlite::bind_text(*stmt, 7, r.client);
        sqlite3_bind_int64(*stmt, 8, r.firing);
        sqlite3_bind_int64(*stmt, 9, r.resolved);
        sqlite3_bind_int64(*stmt, 10, r.truncated);
        sqlite::bind_text(*stmt, 11, to_string(r.outcome));
        if (r.duplicate_of)
            sqlite::bind_id(*stmt, 12, *r.duplicate_of);
        else
            sqlite3_bind_null(*stmt, 12);
        sqlite::bind_text(*stmt, 13, r.text);
        const std::string notes = join_notes(r.notes);
        sqlite::bind_text(*stmt, 14, notes);
        if (const int rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
            return fail(conn_->error(rc, "insert alert"));
    }
    auto stmt = conn_->prepare(
        "INSERT INTO alert_messages(alert_id, seq, recipient, destination, message_id, error) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return fail(stmt.error());
    std::int64_t seq = 0;
    for (const auto& m : r.messages) {
        StmtUse use(*stmt);
        sqlite::bind_id(*stmt, 1, r.id);
        sqlite3_bind_int64(*stmt, 2, seq++);
        sqlite::bind_text(*stmt, 3, m.recipient);
        sqlite::bind_text(*stmt, 4, m.destination);
        sqlite::bind_text(*stmt, 5, m.message_id);
        sqlite::bind_text(*stmt, 6, m.error);
        if (const int rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
            return fail(conn_->error(rc, "insert alert message"));
    }
    if (auto c = conn_->exec("COMMIT", "record alert"); !c) return fail(c.error());
    return {};
}

Expected<AlertRecord, std::string> SqliteAlerts::read_record_row(void* raw) {
    auto* stmt = static_cast<sqlite3_stmt*>(raw);
    AlertRecord r;
    auto id = sqlite::read_id(stmt, 0);
    if (!id) return Unexpected(err(id.error()));
    r.id = *id;
    r.received_at = sqlite::from_nanos(sqlite3_column_int64(stmt, 1));
    r.receiver = sqlite::read_text(stmt, 2);
    r.status = sqlite::read_text(stmt, 3);
    r.group_key = sqlite::read_text(stmt, 4);
    r.dedup_key = sqlite::read_text(stmt, 5);
    r.client = sqlite::read_text(stmt, 6);
    r.firing = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 7));
    r.resolved = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 8));
    r.truncated = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 9));
    const auto outcome = parse_alert_outcome(sqlite::read_text(stmt, 10));
    if (!outcome) return Unexpected(std::string("corrupt alert row: unknown outcome"));
    r.outcome = *outcome;
    if (sqlite3_column_type(stmt, 11) != SQLITE_NULL) {
        auto dup = sqlite::read_id(stmt, 11);
        if (!dup) return Unexpected(err(dup.error()));
        r.duplicate_of = *dup;
    }
    r.text = sqlite::read_text(stmt, 12);
    r.notes = split_notes(sqlite::read_text(stmt, 13));
    return r;
}

Expected<void, std::string> SqliteAlerts::load_messages(AlertRecord& r) {
    auto stmt = conn_->prepare(
        "SELECT recipient, destination, message_id, error FROM alert_messages WHERE alert_id = ?1 "
        "ORDER BY seq");
    if (!stmt) return Unexpected(err(stmt.error()));
    StmtUse use(*stmt);
    sqlite::bind_id(*stmt, 1, r.id);
    for (;;) {
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) return {};
        if (rc != SQLITE_ROW) return Unexpected(err(conn_->error(rc, "read alert messages")));
        r.messages.push_back({sqlite::read_text(*stmt, 0), sqlite::read_text(*stmt, 1),
                              sqlite::read_text(*stmt, 2), sqlite::read_text(*stmt, 3)});
    }
}

Expected<std::optional<AlertRecord>, std::string> SqliteAlerts::get(const MessageId& id) {
    const std::lock_guard lock(mutex_);
    AlertRecord r;
    {
        auto stmt = conn_->prepare(std::string("SELECT ") + kRecordColumns +
                                   " FROM alert_notifications WHERE id = ?1");
        if (!stmt) return Unexpected(err(stmt.error()));
        StmtUse use(*stmt);
        sqlite::bind_id(*stmt, 1, id);
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) return std::optional<AlertRecord>();
        if (rc != SQLITE_ROW) return Unexpected(err(conn_->error(rc, "read alert")));
        auto row = read_record_row(*stmt);
        if (!row) return Unexpected(row.error());
        r = std::move(*row);
    }
    if (auto m = load_messages(r); !m) return Unexpected(m.error());
    return std::optional<AlertRecord>(std::move(r));
}

Expected<std::vector<AlertRecord>, std::string> SqliteAlerts::recent(
    std::optional<MessageId> before, std::uint32_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<AlertRecord> out;
    {
        auto stmt = conn_->prepare(
            std::string("SELECT ") + kRecordColumns +
            " FROM alert_notifications WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2");
        if (!stmt) return Unexpected(err(stmt.error()));
        StmtUse use(*stmt);
        if (before)
            sqlite::bind_id(*stmt, 1, *before);
        else
            sqlite3_bind_null(*stmt, 1);
        sqlite3_bind_int64(*stmt, 2, limit);
        for (;;) {
            const int rc = sqlite3_step(*stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return Unexpected(err(conn_->error(rc, "list alerts")));
            auto row = read_record_row(*stmt);
            if (!row) return Unexpected(row.error());
            out.push_back(std::move(*row));
        }
    }
    for (auto& r : out) {
        if (auto m = load_messages(r); !m) return Unexpected(m.error());
    }
    return out;
}

Expected<std::optional<CachedMembers>, std::string> SqliteAlerts::load_members(
    std::string_view directory, std::string_view group) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(
        "SELECT members, fetched_at FROM directory_cache WHERE directory = ?1 AND grp = ?2");
    if (!stmt) return Unexpected(err(stmt.error()));
    StmtUse use(*stmt);
    sqlite::bind_text(*stmt, 1, directory);
    sqlite::bind_text(*stmt, 2, group);
    const int rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<CachedMembers>();
    if (rc != SQLITE_ROW) return Unexpected(err(conn_->error(rc, "read directory cache")));
    CachedMembers m;
    m.recipients = decode_recipients(sqlite::read_text(*stmt, 0));
    m.fetched_at = sqlite::from_nanos(sqlite3_column_int64(*stmt, 1));
    return std::optional<CachedMembers>(std::move(m));
}

Expected<void, std::string> SqliteAlerts::save_members(std::string_view directory,
                                                       std::string_view group,
                                                       const CachedMembers& members) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(
        "INSERT INTO directory_cache(directory, grp, members, fetched_at) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(directory, grp) DO UPDATE SET members = excluded.members, fetched_at = "
        "excluded.fetched_at");
    if (!stmt) return Unexpected(err(stmt.error()));
    StmtUse use(*stmt);
    sqlite::bind_text(*stmt, 1, directory);
    sqlite::bind_text(*stmt, 2, group);
    const std::string text = encode_recipients(members.recipients);
    sqlite::bind_text(*stmt, 3, text);
    sqlite3_bind_int64(*stmt, 4, sqlite::to_nanos(members.fetched_at));
    if (const int rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
        return Unexpected(err(conn_->error(rc, "save directory cache")));
    return {};
}

Expected<std::uint64_t, std::string> SqliteAlerts::purge(SystemTime before, std::uint32_t chunk) {
    // Chunk by chunk (each its own transaction, the lock released in between): a first purge of a
    // long history does not hold up record() for long.
    chunk = std::max<std::uint32_t>(chunk, 1);
    std::uint64_t total = 0;
    for (;;) {
        const std::lock_guard lock(mutex_);
        auto stmt = conn_->prepare(
            "DELETE FROM alert_notifications WHERE id IN (SELECT id FROM alert_notifications "
            "WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)");
        if (!stmt) return Unexpected(err(stmt.error()));
        StmtUse use(*stmt);
        sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(before));
        sqlite3_bind_int64(*stmt, 2, chunk);
        if (const int rc = sqlite3_step(*stmt); rc != SQLITE_DONE) {
            return Unexpected(err(conn_->error(rc, "purge alerts")));
        }
        const auto n = static_cast<std::uint64_t>(sqlite3_changes(conn_->db()));
        total += n;
        if (n < chunk) return total;
    }
}

}  // namespace bindery::router
