#include "router/store/sqlite_db.hpp"

namespace bindery::router::sqlite {

StoreErrc classify(int rc) noexcept {
    switch (rc) {
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE: return StoreErrc::duplicate;
        case SQLITE_CONSTRAINT_FOREIGNKEY: return StoreErrc::not_found;
        default: break;
    }
    switch (rc & 0xFF) {
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_FORMAT:
        case SQLITE_MISMATCH: return StoreErrc::corrupt;
        // SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_BUSY, SQLITE_LOCKED,
        // SQLITE_PERM, SQLITE_NOMEM, SQLITE_PROTOCOL, SQLITE_NOLFS, SQLITE_AUTH, SQLITE_INTERRUPT,
        // SQLITE_ABORT, SQLITE_ERROR, SQLITE_MISUSE, other constraints: the store cannot do the
        // work now; the caller treats it as an outage.
        default: return StoreErrc::unavailable;
    }
}

StoreError make_error(int rc, sqlite3* db, std::string_view what, std::string_view path) {
    std::string detail(what);
    detail += ": ";
    // sqlite3_errmsg is more specific (names the constraint, the SQL error) when it belongs to
    // this result; fall back to the generic text for the code.
    const char* msg =
        db != nullptr && (sqlite3_extended_errcode(db) == rc || sqlite3_errcode(db) == rc)
            ? sqlite3_errmsg(db)
            : sqlite3_errstr(rc);
    detail += msg != nullptr ? msg : "unknown error";
    detail += " (SQLite code ";
    detail += std::to_string(rc);
    detail += ", ";
    detail += path;
    detail += ')';
    return StoreError{classify(rc), std::move(detail)};
}

Expected<std::unique_ptr<Connection>, StoreError> Connection::open(const std::string& path,
                                                                   bool create) {
    // Before SQLite initialises: no global memory statistics, whose mutex every allocation of
    // every connection would take. Harmless (SQLITE_MISUSE, ignored) if SQLite is already up.
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    (void)configured;
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        auto err = make_error(rc, db, "open", path);
        sqlite3_close_v2(db);
        return Unexpected(std::move(err));
    }
    std::unique_ptr<Connection> conn(new Connection(db, path));
    // SQLite silently falls back to read-only when it may not write the file: refuse now rather
    // than fail the first acceptance.
    if (sqlite3_db_readonly(db, "main") == 1) {
        return Unexpected(
            StoreError{StoreErrc::unavailable, "open: database file is read-only (" + path + ")"});
    }
    sqlite3_extended_result_codes(db, 1);
    return conn;
}

Connection::~Connection() {
    cache_.clear();  // finalize every statement before closing
    sqlite3_close_v2(db_);
}

Expected<void, StoreError> Connection::exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Unexpected(error(rc, what));
    return {};
}

Expected<sqlite3_stmt*, StoreError> Connection::prepare(std::string_view sql) {
    if (const auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(raw);
        return Unexpected(error(rc, "prepare"));
    }
    cache_.emplace(std::string(sql), StmtPtr(raw));
    return raw;
}

Expected<std::string, StoreError> Connection::query_text(const char* sql, std::string_view what) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return Unexpected(error(rc, what));
    rc = sqlite3_step(raw);
    if (rc == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(raw, 0);
        return std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    if (rc == SQLITE_DONE) return std::string();
    return Unexpected(error(rc, what));
}

Expected<std::int64_t, StoreError> Connection::query_int(const char* sql, std::string_view what) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return Unexpected(error(rc, what));
    rc = sqlite3_step(raw);
    if (rc == SQLITE_ROW) return static_cast<std::int64_t>(sqlite3_column_int64(raw, 0));
    if (rc == SQLITE_DONE) return std::int64_t{0};
    return Unexpected(error(rc, what));
}

}  // namespace bindery::router::sqlite
