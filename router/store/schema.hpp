#pragma once
// The store's schema as ordered migrations, versioned in code. PRAGMA user_version holds the
// applied version; schema_migrations keeps when each step ran. Each step runs in its own
// transaction together with the version bump, so a crash leaves the database at a whole version.

#include <span>
#include <string>

#include "router/store/sqlite_db.hpp"

namespace bindery::router::sqlite {

// The final states as an SQL condition on `state`, spelled exactly as in the messages_finished
// partial index (migration 13) so that the queries over final messages (purge, the SMPP receipt
// scan) can use that index: SQLite uses a partial index only for a query whose WHERE contains
// the index's condition as written. An OR of equalities rather than `state IN (...)`: SQLite
// evaluates an IN-list of more than two constants by building a temporary b-tree, and it does
// so for the index's condition on every INSERT, UPDATE and DELETE of a message, twice for an
// UPDATE (old and new row) -- a fifth of the store writer's CPU before migration 13.
inline constexpr const char* kFinalStatesWhere =
    "(state = 'DELIVERED' OR state = 'UNDELIVERABLE' OR state = 'EXPIRED' OR state = 'REJECTED' "
    "OR state = 'FAILED_PERM' OR state = 'DEAD_LETTER' OR state = 'CANCELLED')";

// The purge's query: final messages that finished before ?1, at most ?2. Named index: without
// ANALYZE statistics the planner would take messages_state and filter every final message.
// Built at its first use (a function's static: no namespace-scope initializer that could throw).
inline const std::string& purge_select_sql() {
    static const std::string sql =
        std::string("SELECT id FROM messages INDEXED BY messages_finished WHERE ") +
        kFinalStatesWhere + " AND updated_at < ?1 LIMIT ?2";
    return sql;
}

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

// Every migration, ascending version. Never edit a released step: add the next one.
std::span<const Migration> migrations() noexcept;
int latest_version() noexcept;

// Applies every step above the database's version up to `target` (0: latest). A database newer
// than this build is refused (unavailable) rather than written by code that does not know it.
// Returns the version the database is at afterwards.
Expected<int, StoreError> migrate(Connection& conn, int target);

}  // namespace bindery::router::sqlite
