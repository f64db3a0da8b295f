#pragma once
// A connection of its own on the messages database, for the small tables that live beside the
// messages (delivery callbacks, idempotency keys): same file, same durability setting, schema
// migrated to the latest version (idempotent with the main store's migration).

#include <memory>

#include "router/store/sqlite_db.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router::sqlite {

// "PRAGMA synchronous = ..." for the configured durability (every connection of the file).
const char* sync_pragma(SqliteSync sync) noexcept;

// Opens (creating when missing) `config.path` read-write in WAL mode, with config.synchronous,
// config.busy_timeout and foreign keys on, and migrates it to the latest schema.
Expected<std::unique_ptr<Connection>, StoreError> open_side_connection(
    const SqliteStoreConfig& config);

// RAII transaction on a side connection: BEGIN IMMEDIATE on start, ROLLBACK unless commit()ed.
class Transaction {
public:
    explicit Transaction(Connection& conn) : conn_(conn) {}
    ~Transaction() {
        if (open_) (void)conn_.exec("ROLLBACK", "rollback");
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Expected<void, StoreError> begin(std::string_view what) {
        auto r = conn_.exec("BEGIN IMMEDIATE", what);
        open_ = r.has_value();
        return r;
    }
    Expected<void, StoreError> commit(std::string_view what) {
        auto r = conn_.exec("COMMIT", what);
        if (r) open_ = false;
        return r;
    }

private:
    Connection& conn_;
    bool open_ = false;
};

}  // namespace bindery::router::sqlite
