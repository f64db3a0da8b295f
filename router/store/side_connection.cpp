#include "router/store/side_connection.hpp"

#include <string>

#include "router/store/schema.hpp"

namespace bindery::router::sqlite {

const char* sync_pragma(SqliteSync sync) noexcept {
    switch (sync) {
        case SqliteSync::off: return "PRAGMA synchronous = OFF";
        case SqliteSync::normal: return "PRAGMA synchronous = NORMAL";
        case SqliteSync::full: return "PRAGMA synchronous = FULL";
    }
    return "PRAGMA synchronous = FULL";
}

Expected<std::unique_ptr<Connection>, StoreError> open_side_connection(
    const SqliteStoreConfig& config) {
    if (config.path.empty()) {
        return Unexpected(StoreError{StoreErrc::unavailable, "open: empty database path"});
    }
    auto conn = Connection::open(config.path, true);
    if (!conn) return Unexpected(std::move(conn).error());
    Connection& c = **conn;
    if (const int rc = sqlite3_busy_timeout(c.db(), static_cast<int>(config.busy_timeout.count()));
        rc != SQLITE_OK) {
        return Unexpected(c.error(rc, "busy_timeout"));
    }
    // No automatic checkpoint in this connection's commits (they run on front-end threads): the
    // message store's checkpoint thread copies the WAL for every connection of the file.
    const std::string pragmas = std::string(sync_pragma(config.synchronous)) +
                                "; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;";
    if (auto r = c.exec(pragmas.c_str(), "configure connection"); !r) return Unexpected(r.error());
    auto mode = c.query_text("PRAGMA journal_mode = WAL", "set WAL mode");
    if (!mode) return Unexpected(std::move(mode).error());
    if (*mode != "wal") {
        return Unexpected(
            StoreError{StoreErrc::unavailable,
                       "open: cannot use WAL journal mode (got '" + *mode + "'): " + config.path});
    }
    auto version = migrate(c, 0);
    if (!version) return Unexpected(std::move(version).error());
    return conn;
}

}  // namespace bindery::router::sqlite
