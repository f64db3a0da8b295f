#pragma once
// The store's schema as ordered migrations, versioned in code. PRAGMA user_version holds the
// applied version; schema_migrations keeps when each step ran. Each step runs in its own
// transaction together with the version bump, so a crash leaves the database at a whole version.

#include <span>

#include "router/store/sqlite_db.hpp"

namespace bindery::router::sqlite {

// The final states as an SQL IN-list, spelled exactly as in the messages_finished partial index
// (migration 12, which added CANCELLED to migration 2's) so that the queries over final messages
// (purge, the SMPP receipt scan) can use that index.
inline constexpr const char* kFinalStatesIn =
    "('DELIVERED', 'UNDELIVERABLE', 'EXPIRED', 'REJECTED', 'FAILED_PERM', 'DEAD_LETTER', 'CANCELLED')";

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
