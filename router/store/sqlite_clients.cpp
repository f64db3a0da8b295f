#include "router/store/sqlite_clients.hpp"

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kColumns =
    "name, key_sha256, allowed_senders, rate, burst, callback_url, callback_secret, created_at, "
    "key_rotated_at, revoked_at";
constexpr const char* kInsert =
    "INSERT INTO api_clients(name, key_sha256, allowed_senders, rate, burst, callback_url, "
    "callback_secret, created_at, key_rotated_at, revoked_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)";
constexpr const char* kRevoke =
    "UPDATE api_clients SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL";
constexpr const char* kRotate =
    "UPDATE api_clients SET key_sha256 = ?2, key_rotated_at = ?3 "
    "WHERE name = ?1 AND revoked_at IS NULL";

// Allowed senders as one text column: one per line (a sender never holds a line break).
std::string join_lines(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out.push_back('\n');
        out += s;
    }
    return out;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::optional<SystemTime> read_optional_time(sqlite3_stmt* stmt, int column) {
    if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
    return sqlite::from_nanos(sqlite3_column_int64(stmt, column));
}

Expected<StoredClient, StoreError> read_client(sqlite3_stmt* stmt) {
    StoredClient c;
    c.name = sqlite::read_text(stmt, 0);
    const auto* digest = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, 1));
    if (digest == nullptr ||
        sqlite3_column_bytes(stmt, 1) != static_cast<int>(c.key_sha256.size())) {
        return Unexpected(
            StoreError{StoreErrc::corrupt, "api client " + c.name + ": bad key digest"});
    }
    std::copy(digest, digest + c.key_sha256.size(), c.key_sha256.begin());
    c.allowed_senders = split_lines(sqlite::read_text(stmt, 2));
    c.rate = sqlite3_column_double(stmt, 3);
    c.burst = sqlite3_column_double(stmt, 4);
    c.callback_url = sqlite::read_text(stmt, 5);
    c.callback_secret = sqlite::read_text(stmt, 6);
    c.created_at = sqlite::from_nanos(sqlite3_column_int64(stmt, 7));
    c.key_rotated_at = read_optional_time(stmt, 8);
    c.revoked_at = read_optional_time(stmt, 9);
    return c;
}

}  // namespace

SqliteClientStore::SqliteClientStore(std::unique_ptr<sqlite::Connection> conn)
    : conn_(std::move(conn)) {}

SqliteClientStore::~SqliteClientStore() = default;

Expected<std::unique_ptr<SqliteClientStore>, StoreError> SqliteClientStore::open(
    const SqliteStoreConfig& config) {
    auto conn = sqlite::open_side_connection(config);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqliteClientStore>(new SqliteClientStore(std::move(*conn)));
}

Expected<void, StoreError> SqliteClientStore::add(const StoredClient& client) {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kInsert);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    const std::string senders = join_lines(client.allowed_senders);  // bound by reference
    int rc = sqlite::bind_text(*stmt, 1, client.name);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(*stmt, 2, client.key_sha256.data(),
                               static_cast<int>(client.key_sha256.size()), SQLITE_TRANSIENT);
    }
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 3, senders);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(*stmt, 4, client.rate);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(*stmt, 5, client.burst);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 6, client.callback_url);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 7, client.callback_secret);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 8, sqlite::to_nanos(client.created_at));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "add api client " + client.name));
    return {};
}

Expected<std::vector<StoredClient>, StoreError> SqliteClientStore::list() {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(std::string("SELECT ") + kColumns + " FROM api_clients ORDER BY name");
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    std::vector<StoredClient> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        auto client = read_client(*stmt);
        if (!client) return Unexpected(std::move(client).error());
        out.push_back(std::move(*client));
    }
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "list api clients"));
    return out;
}

Expected<std::optional<StoredClient>, StoreError> SqliteClientStore::find(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(std::string("SELECT ") + kColumns + " FROM api_clients WHERE name = ?1");
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, name);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<StoredClient>{};
    if (rc != SQLITE_ROW) return Unexpected(c.error(rc, "find api client " + name));
    auto client = read_client(*stmt);
    if (!client) return Unexpected(std::move(client).error());
    return std::optional<StoredClient>{std::move(*client)};
}

Expected<void, StoreError> SqliteClientStore::revoke(const std::string& name, SystemTime now) {
    auto existing = find(name);
    if (!existing) return Unexpected(std::move(existing).error());
    if (!*existing) return Unexpected(StoreError{StoreErrc::not_found, "no api client " + name});
    if (!(*existing)->active()) {
        return Unexpected(
            StoreError{StoreErrc::conflict, "api client " + name + " is already revoked"});
    }
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kRevoke);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, name);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(now));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "revoke api client " + name));
    if (sqlite3_changes(c.db()) == 0) {
        return Unexpected(
            StoreError{StoreErrc::conflict, "api client " + name + " is already revoked"});
    }
    return {};
}

Expected<void, StoreError> SqliteClientStore::rotate_key(
    const std::string& name, const std::array<std::uint8_t, 32>& key_sha256, SystemTime now) {
    auto existing = find(name);
    if (!existing) return Unexpected(std::move(existing).error());
    if (!*existing) return Unexpected(StoreError{StoreErrc::not_found, "no api client " + name});
    if (!(*existing)->active()) {
        return Unexpected(StoreError{StoreErrc::conflict, "api client " + name + " is revoked"});
    }
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kRotate);
    if (!stmt) return Unexpected(std::move(stmt).error());
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, name);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(*stmt, 2, key_sha256.data(), static_cast<int>(key_sha256.size()),
                               SQLITE_TRANSIENT);
    }
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 3, sqlite::to_nanos(now));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(c.error(rc, "rotate key of api client " + name));
    if (sqlite3_changes(c.db()) == 0) {
        return Unexpected(StoreError{StoreErrc::conflict, "api client " + name + " is revoked"});
    }
    return {};
}

}  // namespace bindery::router
