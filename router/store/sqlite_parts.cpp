#include "router/store/sqlite_parts.hpp"

#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kSelectGroups =
    "SELECT id, account, source, destination, reference_kind, reference, total, envelope, "
    "first_at, "
    "complete FROM held_groups ORDER BY id";
constexpr const char* kSelectParts =
    "SELECT group_id, seqnum, part_id, data_coding, data, received_at FROM held_parts "
    "ORDER BY group_id, seqnum";
constexpr const char* kInsertGroup =
    "INSERT INTO held_groups(account, source, destination, reference_kind, reference, total, "
    "envelope, first_at, complete) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kInsertPart =
    "INSERT INTO held_parts(group_id, seqnum, part_id, data_coding, data, received_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kMarkComplete = "UPDATE held_groups SET complete = 1 WHERE id = ?1";
// OR IGNORE: finishing again after a crash between the router's acceptance and this commit
// keeps the first link.
constexpr const char* kLinkParts =
    "INSERT OR IGNORE INTO part_links(part_id, message_id, linked_at) "
    "SELECT part_id, ?2, ?3 FROM held_parts WHERE group_id = ?1";
constexpr const char* kDeleteParts = "DELETE FROM held_parts WHERE group_id = ?1";
constexpr const char* kDeleteGroup = "DELETE FROM held_groups WHERE id = ?1";
constexpr const char* kSelectLink = "SELECT message_id FROM part_links WHERE part_id = ?1";
constexpr const char* kPurgeLinks = "DELETE FROM part_links WHERE linked_at < ?1";

int bind_blob(sqlite3_stmt* stmt, int index, const std::string& bytes) noexcept {
    return sqlite3_bind_blob(stmt, index, bytes.data(), static_cast<int>(bytes.size()),
                             SQLITE_TRANSIENT);
}

std::string read_blob(sqlite3_stmt* stmt, int column) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, column));
    const auto n = sqlite3_column_bytes(stmt, column);
    return p == nullptr || n <= 0 ? std::string() : std::string(p, static_cast<std::size_t>(n));
}

}  // namespace

SqlitePartStore::SqlitePartStore(std::unique_ptr<sqlite::Connection> conn)
    : conn_(std::move(conn)) {}

SqlitePartStore::~SqlitePartStore() = default;

Expected<std::unique_ptr<SqlitePartStore>, StoreError> SqlitePartStore::open(
    const SqliteStoreConfig& store) {
    auto conn = sqlite::open_side_connection(store);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqlitePartStore>(new SqlitePartStore(std::move(*conn)));
}

Expected<std::vector<HeldGroup>, std::string> SqlitePartStore::load() {
    const std::lock_guard lock(mutex_);
    std::vector<HeldGroup> groups;
    {
        auto stmt = conn_->prepare(kSelectGroups);
        if (!stmt) return Unexpected(stmt.error().detail);
        StmtUse use(*stmt);
        for (;;) {
            const int rc = sqlite3_step(*stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read held groups").detail);
            HeldGroup g;
            g.id = sqlite3_column_int64(*stmt, 0);
            g.account = sqlite::read_text(*stmt, 1);
            g.source = sqlite::read_text(*stmt, 2);
            g.destination = sqlite::read_text(*stmt, 3);
            g.reference_kind = static_cast<std::uint8_t>(sqlite3_column_int(*stmt, 4));
            g.reference = static_cast<std::uint16_t>(sqlite3_column_int(*stmt, 5));
            g.total = static_cast<std::uint8_t>(sqlite3_column_int(*stmt, 6));
            g.envelope = read_blob(*stmt, 7);
            g.first_at = sqlite::from_nanos(sqlite3_column_int64(*stmt, 8));
            g.complete = sqlite3_column_int(*stmt, 9) != 0;
            groups.push_back(std::move(g));
        }
    }
    auto stmt = conn_->prepare(kSelectParts);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    std::size_t at = 0;  // both queries are ordered by group id: merge
    for (;;) {
        const int rc = sqlite3_step(*stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read held parts").detail);
        const auto group = sqlite3_column_int64(*stmt, 0);
        while (at < groups.size() && groups[at].id < group) ++at;
        if (at == groups.size() || groups[at].id != group) continue;  // orphan: cannot happen (FK)
        HeldPart p;
        p.seqnum = static_cast<std::uint8_t>(sqlite3_column_int(*stmt, 1));
        auto id = sqlite::read_id(*stmt, 2);
        if (!id) return Unexpected(id.error().detail);
        p.id = *id;
        p.data_coding = static_cast<std::uint8_t>(sqlite3_column_int(*stmt, 3));
        p.data = read_blob(*stmt, 4);
        p.received_at = sqlite::from_nanos(sqlite3_column_int64(*stmt, 5));
        groups[at].parts.push_back(std::move(p));
    }
    return groups;
}

Expected<void, StoreError> SqlitePartStore::delete_group(std::int64_t group,
                                                         std::string_view what) {
    for (const char* sql : {kDeleteParts, kDeleteGroup}) {
        auto stmt = conn_->prepare(sql);
        if (!stmt) return Unexpected(std::move(stmt).error());
        StmtUse use(*stmt);
        int rc = sqlite3_bind_int64(*stmt, 1, group);
        if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, what));
    }
    return {};
}

Expected<void, StoreError> SqlitePartStore::insert_part(std::int64_t group, const HeldPart& part) {
    auto stmt = conn_->prepare(kInsertPart);
    if (!stmt) return Unexpected(stmt.error());
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, group);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 2, part.seqnum);
    if (rc == SQLITE_OK) rc = sqlite::bind_id(*stmt, 3, part.id);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 4, part.data_coding);
    if (rc == SQLITE_OK) rc = bind_blob(*stmt, 5, part.data);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 6, sqlite::to_nanos(part.received_at));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, "save held part"));
    return {};
}

Expected<std::int64_t, std::string> SqlitePartStore::create(const HeldGroup& group) {
    const std::lock_guard lock(mutex_);
    sqlite::Transaction tx(*conn_);
    if (auto r = tx.begin("save held group"); !r) return Unexpected(r.error().detail);
    std::int64_t id = 0;
    {
        auto stmt = conn_->prepare(kInsertGroup);
        if (!stmt) return Unexpected(stmt.error().detail);
        StmtUse use(*stmt);
        int rc = sqlite::bind_text(*stmt, 1, group.account);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, group.source);
        if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 3, group.destination);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 4, group.reference_kind);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 5, group.reference);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 6, group.total);
        if (rc == SQLITE_OK) rc = bind_blob(*stmt, 7, group.envelope);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 8, sqlite::to_nanos(group.first_at));
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(*stmt, 9, group.complete ? 1 : 0);
        if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, "save held group").detail);
        id = sqlite3_last_insert_rowid(conn_->db());
    }
    for (const auto& p : group.parts) {
        if (auto r = insert_part(id, p); !r) return Unexpected(r.error().detail);
    }
    if (auto r = tx.commit("save held group"); !r) return Unexpected(r.error().detail);
    return id;
}

Expected<void, std::string> SqlitePartStore::add(std::int64_t group, const HeldPart& part,
                                                 bool complete) {
    const std::lock_guard lock(mutex_);
    sqlite::Transaction tx(*conn_);
    if (auto r = tx.begin("save held part"); !r) return Unexpected(r.error().detail);
    if (auto r = insert_part(group, part); !r) return Unexpected(r.error().detail);
    if (complete) {
        auto stmt = conn_->prepare(kMarkComplete);
        if (!stmt) return Unexpected(stmt.error().detail);
        StmtUse use(*stmt);
        int rc = sqlite3_bind_int64(*stmt, 1, group);
        if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE)
            return Unexpected(conn_->error(rc, "mark held group complete").detail);
    }
    if (auto r = tx.commit("save held part"); !r) return Unexpected(r.error().detail);
    return {};
}

Expected<void, std::string> SqlitePartStore::finish(std::int64_t group, const MessageId& message,
                                                    SystemTime at) {
    const std::lock_guard lock(mutex_);
    sqlite::Transaction tx(*conn_);
    if (auto r = tx.begin("finish held group"); !r) return Unexpected(r.error().detail);
    {
        auto stmt = conn_->prepare(kLinkParts);
        if (!stmt) return Unexpected(stmt.error().detail);
        StmtUse use(*stmt);
        int rc = sqlite3_bind_int64(*stmt, 1, group);
        if (rc == SQLITE_OK) rc = sqlite::bind_id(*stmt, 2, message);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 3, sqlite::to_nanos(at));
        if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, "link held parts").detail);
    }
    if (auto r = delete_group(group, "delete held group"); !r) return Unexpected(r.error().detail);
    if (auto r = tx.commit("finish held group"); !r) return Unexpected(r.error().detail);
    return {};
}

Expected<void, std::string> SqlitePartStore::drop(std::int64_t group) {
    const std::lock_guard lock(mutex_);
    sqlite::Transaction tx(*conn_);
    if (auto r = tx.begin("drop held group"); !r) return Unexpected(r.error().detail);
    if (auto r = delete_group(group, "drop held group"); !r) return Unexpected(r.error().detail);
    if (auto r = tx.commit("drop held group"); !r) return Unexpected(r.error().detail);
    return {};
}

Expected<std::optional<MessageId>, std::string> SqlitePartStore::message_of(const MessageId& part) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(kSelectLink);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite::bind_id(*stmt, 1, part);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<MessageId>();
    if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read part link").detail);
    auto id = sqlite::read_id(*stmt, 0);
    if (!id) return Unexpected(id.error().detail);
    return std::optional<MessageId>(*id);
}

Expected<std::uint64_t, std::string> SqlitePartStore::purge_links(SystemTime before) {
    const std::lock_guard lock(mutex_);
    auto stmt = conn_->prepare(kPurgeLinks);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(before));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(conn_->error(rc, "purge part links").detail);
    return static_cast<std::uint64_t>(sqlite3_changes(conn_->db()));
}

}  // namespace bindery::router
