#pragma once
// Thin RAII over the SQLite C API for the store: one connection, its cached prepared statements,
// and the one function that maps SQLite result codes to StoreErrc. Internal to router/store/ (the
// only folder that includes sqlite3.h). A Connection is used by one thread at a time.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "router/core/message_store.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router::sqlite {

// Maps a SQLite result code (primary or extended) to a StoreError whose detail names the
// operation, SQLite's message and the file: the only place result codes become StoreErrc.
//   SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE -> duplicate, SQLITE_CONSTRAINT_FOREIGNKEY -> not_found,
//   SQLITE_CORRUPT/NOTADB/FORMAT/MISMATCH -> corrupt, everything else (FULL, IOERR, READONLY,
//   CANTOPEN, BUSY, LOCKED, PERM, NOMEM, PROTOCOL, ...) -> unavailable.
StoreErrc classify(int rc) noexcept;
StoreError make_error(int rc, sqlite3* db, std::string_view what, std::string_view path);

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Resets a cached statement (and clears its bindings) when the caller is done with it.
class StmtUse {
public:
    explicit StmtUse(sqlite3_stmt* s) noexcept : s_(s) {}
    ~StmtUse() {
        if (s_ != nullptr) {
            sqlite3_reset(s_);
            sqlite3_clear_bindings(s_);
        }
    }
    StmtUse(const StmtUse&) = delete;
    StmtUse& operator=(const StmtUse&) = delete;
    sqlite3_stmt* get() const noexcept { return s_; }

private:
    sqlite3_stmt* s_;
};

class Connection {
public:
    // Opens (creating when `create`) the file read-write; fails with unavailable when the file
    // cannot be opened or can only be opened read-only.
    static Expected<std::unique_ptr<Connection>, StoreError> open(const std::string& path,
                                                                  bool create);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* db() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }

    // Runs one or more statements without results.
    Expected<void, StoreError> exec(const char* sql, std::string_view what);
    // A prepared statement from this connection's cache (prepared once, kept for its lifetime).
    Expected<sqlite3_stmt*, StoreError> prepare(std::string_view sql);
    // The single value of a one-row query (PRAGMA user_version, journal_mode, ...).
    Expected<std::string, StoreError> query_text(const char* sql, std::string_view what);
    Expected<std::int64_t, StoreError> query_int(const char* sql, std::string_view what);

    StoreError error(int rc, std::string_view what) const {
        return make_error(rc, db_, what, path_);
    }

private:
    Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    // The SQL texts are hundreds of characters and looked up for every statement the writer
    // runs: hash the length and the ends (texts differ there), let equality settle the rest.
    // Transparent, so a lookup by string_view (the SQL constants) builds no std::string.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept {
            constexpr std::size_t kEdge = 48;
            if (sql.size() <= 2 * kEdge) return std::hash<std::string_view>{}(sql);
            return std::hash<std::string_view>{}(sql.substr(0, kEdge)) * 31 ^
                   std::hash<std::string_view>{}(sql.substr(sql.size() - kEdge)) ^ sql.size();
        }
    };
    std::unordered_map<std::string, StmtPtr, SqlHash, std::equal_to<>> cache_;
};

}  // namespace bindery::router::sqlite
