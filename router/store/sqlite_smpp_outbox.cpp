#include "router/store/sqlite_smpp_outbox.hpp"

#include <algorithm>

#include "router/store/row_codec.hpp"
#include "router/store/schema.hpp"
#include "router/store/side_connection.hpp"

namespace bindery::router {
namespace {

using sqlite::StmtUse;

constexpr const char* kColumns =
    "seq, account, kind, message_id, state, source_addr, destination_addr, pdu, attempts, "
    "created_at, "
    "next_attempt_at, expires_at, last_error, receipt_id";

constexpr const char* kInsert =
    "INSERT INTO smpp_outbox(account, kind, message_id, state, source_addr, destination_addr, pdu, "
    "attempts, "
    "created_at, next_attempt_at, expires_at, last_error, receipt_id) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
// A receipt is queued once per message, state and reported id: its "queued" event in the history
// says it was (the entry itself is gone once delivered), or the entry still waiting does.
constexpr const char* kReceiptKnown =
    "SELECT 1 FROM events WHERE message_id = ?1 AND provider = 'smpp-receipt' AND to_state = ?2 "
    "AND detail = ?3 "
    "LIMIT 1";
constexpr const char* kReceiptQueued =
    "SELECT 1 FROM smpp_outbox WHERE message_id = ?1 AND state = ?2 AND receipt_id = ?3 LIMIT 1";
// The history event: state unchanged (from = to = the message's current state), provider
// "smpp-receipt". Skipped when the message has been purged meanwhile.
constexpr const char* kHistory =
    "INSERT INTO events(message_id, from_state, to_state, at, attempt, provider, detail) "
    "SELECT id, state, state, ?2, ?3, 'smpp-receipt', ?4 FROM messages WHERE id = ?1";
constexpr const char* kSelectOne =
    "SELECT seq, account, kind, message_id, state, source_addr, destination_addr, pdu, attempts, "
    "created_at, "
    "next_attempt_at, expires_at, last_error, receipt_id FROM smpp_outbox WHERE seq = ?1";
constexpr const char* kDelete = "DELETE FROM smpp_outbox WHERE seq = ?1";
constexpr const char* kReschedule =
    "UPDATE smpp_outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE seq = ?1";
constexpr const char* kNextExpiry = "SELECT min(expires_at) FROM smpp_outbox";
constexpr const char* kPending =
    "SELECT account, kind, count(*) FROM smpp_outbox GROUP BY account, kind";
constexpr const char* kMarkGet = "SELECT at FROM smpp_outbox_marks WHERE name = ?1";
constexpr const char* kMarkSet =
    "INSERT INTO smpp_outbox_marks(name, at) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET at = "
    "excluded.at";
constexpr const char* kScanMark = "receipts_scanned_to";

std::string step_error(sqlite::Connection& c, int rc, std::string_view what) {
    return c.error(rc, what).detail;
}

bool skipped(std::span<const std::int64_t> skip, std::int64_t seq) {
    return std::find(skip.begin(), skip.end(), seq) != skip.end();
}

Expected<SmppDelivery, std::string> read_row(sqlite3_stmt* stmt) {
    SmppDelivery d;
    d.seq = sqlite3_column_int64(stmt, 0);
    d.account = sqlite::read_text(stmt, 1);
    const auto kind = sqlite::read_text(stmt, 2);
    d.kind = kind == "mo" ? SmppDeliveryKind::mo : SmppDeliveryKind::receipt;
    if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
        auto id = sqlite::read_id(stmt, 3);
        if (!id)
            return Unexpected("smpp delivery " + std::to_string(d.seq) + ": " + id.error().detail);
        d.message_id = *id;
    }
    if (d.kind == SmppDeliveryKind::receipt) {
        const auto state = parse_message_state(sqlite::read_text(stmt, 4));
        if (!state) return Unexpected("smpp delivery " + std::to_string(d.seq) + ": unknown state");
        d.state = *state;
    }
    d.source_addr = sqlite::read_text(stmt, 5);
    d.destination_addr = sqlite::read_text(stmt, 6);
    d.pdu = sqlite::read_text(stmt, 7);
    d.attempts = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 8));
    d.created_at = sqlite::from_nanos(sqlite3_column_int64(stmt, 9));
    d.next_attempt_at = sqlite::from_nanos(sqlite3_column_int64(stmt, 10));
    d.expires_at = sqlite::from_nanos(sqlite3_column_int64(stmt, 11));
    d.last_error = sqlite::read_text(stmt, 12);
    d.receipt_id = sqlite::read_text(stmt, 13);
    return d;
}

// "receipt", or "receipt for part <id>" when it reports a part of a concatenated submit.
std::string receipt_label(const SmppDelivery& d) {
    if (d.receipt_id.empty() || (d.message_id && d.receipt_id == d.message_id->to_string()))
        return "receipt";
    return "receipt for part " + d.receipt_id;
}

std::string queued_detail(const SmppDelivery& d) {
    return receipt_label(d) + " " + std::string(to_string(d.state)) + " queued for ESME '" +
           d.account + "'";
}

// Appends a history event to the receipt's message (nothing for MO or a purged message).
// Steps a bound SELECT of kColumns, up to `limit` rows whose seq is not in `skip`.
Expected<std::vector<SmppDelivery>, std::string> read_rows(sqlite::Connection& c,
                                                           sqlite3_stmt* stmt, std::size_t limit,
                                                           std::span<const std::int64_t> skip,
                                                           std::string_view what) {
    std::vector<SmppDelivery> out;
    int rc = SQLITE_ROW;
    while (out.size() < limit && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (skipped(skip, sqlite3_column_int64(stmt, 0))) continue;
        auto row = read_row(stmt);
        if (!row) return Unexpected(std::move(row).error());
        out.push_back(std::move(*row));
    }
    if (out.size() < limit && rc != SQLITE_DONE && rc != SQLITE_ROW)
        return Unexpected(step_error(c, rc, what));
    return out;
}

Expected<void, std::string> history(sqlite::Connection& c, const SmppDelivery& d, SystemTime at,
                                    std::uint32_t attempt, const std::string& detail) {
    if (d.kind != SmppDeliveryKind::receipt || !d.message_id) return {};
    auto stmt = c.prepare(kHistory);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite::bind_id(*stmt, 1, *d.message_id);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(at));
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 3, attempt);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 4, detail);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "record smpp receipt history"));
    return {};
}

// 1 when the query (?1 message id, ?2 state, ?3 text) finds a row.
Expected<bool, std::string> exists(sqlite::Connection& c, const char* sql, const MessageId& id,
                                   MessageState state, const std::string& text) {
    auto stmt = c.prepare(sql);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite::bind_id(*stmt, 1, id);
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, to_string(state));
    if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 3, text);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Unexpected(step_error(c, rc, "look up smpp receipt"));
}

Expected<std::optional<SmppDelivery>, std::string> select_one(sqlite::Connection& c,
                                                              std::int64_t seq) {
    auto stmt = c.prepare(kSelectOne);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, seq);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return std::optional<SmppDelivery>{};
    if (rc != SQLITE_ROW) return Unexpected(step_error(c, rc, "read smpp delivery"));
    auto row = read_row(*stmt);
    if (!row) return Unexpected(std::move(row).error());
    return std::optional<SmppDelivery>{std::move(*row)};
}

Expected<void, std::string> delete_one(sqlite::Connection& c, std::int64_t seq) {
    auto stmt = c.prepare(kDelete);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite3_bind_int64(*stmt, 1, seq);
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "delete smpp delivery"));
    return {};
}

Expected<std::optional<SystemTime>, std::string> single_time(sqlite::Connection& c,
                                                             sqlite3_stmt* stmt,
                                                             std::string_view what) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return std::optional<SystemTime>{};
    if (rc != SQLITE_ROW) return Unexpected(step_error(c, rc, what));
    if (sqlite3_column_type(stmt, 0) == SQLITE_NULL) return std::optional<SystemTime>{};
    return std::optional<SystemTime>{sqlite::from_nanos(sqlite3_column_int64(stmt, 0))};
}

}  // namespace

SqliteSmppOutbox::SqliteSmppOutbox(std::unique_ptr<sqlite::Connection> conn)
    : conn_(std::move(conn)) {}

SqliteSmppOutbox::~SqliteSmppOutbox() = default;

Expected<std::unique_ptr<SqliteSmppOutbox>, StoreError> SqliteSmppOutbox::open(
    const SqliteStoreConfig& config) {
    auto conn = sqlite::open_side_connection(config);
    if (!conn) return Unexpected(std::move(conn).error());
    return std::unique_ptr<SqliteSmppOutbox>(new SqliteSmppOutbox(std::move(*conn)));
}

Expected<std::vector<std::int64_t>, std::string> SqliteSmppOutbox::enqueue(
    std::span<const SmppDelivery> items) {
    std::vector<std::int64_t> seqs;
    if (items.empty()) return seqs;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    sqlite::Transaction tx(c);
    if (auto r = tx.begin("enqueue smpp deliveries"); !r) return Unexpected(r.error().detail);
    for (const auto& d : items) {
        const bool receipt = d.kind == SmppDeliveryKind::receipt && d.message_id.has_value();
        if (receipt) {
            auto known = exists(c, kReceiptKnown, *d.message_id, d.state, queued_detail(d));
            if (!known) return Unexpected(std::move(known).error());
            auto queued = *known ? Expected<bool, std::string>(true)
                                 : exists(c, kReceiptQueued, *d.message_id, d.state, d.receipt_id);
            if (!queued) return Unexpected(std::move(queued).error());
            if (*queued) {
                seqs.push_back(0);
                continue;
            }
        }
        auto stmt = c.prepare(kInsert);
        if (!stmt) return Unexpected(stmt.error().detail);
        {
            StmtUse use(*stmt);
            int rc = sqlite::bind_text(*stmt, 1, d.account);
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 2, to_string(d.kind));
            if (rc == SQLITE_OK)
                rc = d.message_id ? sqlite::bind_id(*stmt, 3, *d.message_id)
                                  : sqlite3_bind_null(*stmt, 3);
            if (rc == SQLITE_OK) {
                rc = sqlite::bind_text(
                    *stmt, 4, d.kind == SmppDeliveryKind::receipt ? to_string(d.state) : "");
            }
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 5, d.source_addr);
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 6, d.destination_addr);
            if (rc == SQLITE_OK) {
                rc = sqlite3_bind_blob(*stmt, 7, d.pdu.data(), static_cast<int>(d.pdu.size()),
                                       SQLITE_STATIC);
            }
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 8, d.attempts);
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 9, sqlite::to_nanos(d.created_at));
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(*stmt, 10, sqlite::to_nanos(d.next_attempt_at));
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 11, sqlite::to_nanos(d.expires_at));
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 12, d.last_error);
            if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 13, d.receipt_id);
            if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
            if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "enqueue smpp delivery"));
        }
        seqs.push_back(sqlite3_last_insert_rowid(c.db()));
        if (receipt) {
            auto h = history(c, d, d.created_at, 0, queued_detail(d));
            if (!h) return Unexpected(std::move(h).error());
        }
    }
    if (auto r = tx.commit("enqueue smpp deliveries"); !r) return Unexpected(r.error().detail);
    return seqs;
}

Expected<std::vector<SmppDelivery>, std::string> SqliteSmppOutbox::due(
    std::string_view account, SystemTime now, std::size_t limit,
    std::span<const std::int64_t> skip) {
    std::vector<SmppDelivery> out;
    if (limit == 0) return out;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    // Walks the account's entries in seq order (index smpp_outbox_account), reading past the
    // ones in flight.
    auto stmt = c.prepare(
        std::string("SELECT ") + kColumns +
        " FROM smpp_outbox WHERE account = ?1 AND next_attempt_at <= ?2 ORDER BY seq LIMIT ?3");
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, account);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(now));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(*stmt, 3, static_cast<std::int64_t>(limit + skip.size()));
    if (rc != SQLITE_OK) return Unexpected(step_error(c, rc, "select due smpp deliveries"));
    return read_rows(c, *stmt, limit, skip, "select due smpp deliveries");
}

Expected<void, std::string> SqliteSmppOutbox::record(
    std::span<const SmppDeliveryAttempt> attempts) {
    if (attempts.empty()) return {};
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    sqlite::Transaction tx(c);
    if (auto r = tx.begin("record smpp deliveries"); !r) return Unexpected(r.error().detail);
    for (const auto& a : attempts) {
        auto entry = select_one(c, a.seq);
        if (!entry) return Unexpected(std::move(entry).error());
        if (!*entry) continue;  // already removed (expired meanwhile, or recorded twice)
        const auto& d = **entry;
        std::string detail;
        switch (a.verdict) {
            case SmppDeliveryVerdict::delivered: {
                if (auto r = delete_one(c, a.seq); !r) return r;
                detail = receipt_label(d) + " delivered to ESME '" + d.account + "' (attempt " +
                         std::to_string(a.attempts) + ")";
                break;
            }
            case SmppDeliveryVerdict::gave_up: {
                if (auto r = delete_one(c, a.seq); !r) return r;
                detail = receipt_label(d) + " to ESME '" + d.account + "' given up after attempt " +
                         std::to_string(a.attempts) + ": " + a.detail;
                break;
            }
            case SmppDeliveryVerdict::retry: {
                auto stmt = c.prepare(kReschedule);
                if (!stmt) return Unexpected(stmt.error().detail);
                StmtUse use(*stmt);
                int rc = sqlite3_bind_int64(*stmt, 1, a.seq);
                if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, a.attempts);
                if (rc == SQLITE_OK)
                    rc = sqlite3_bind_int64(*stmt, 3, sqlite::to_nanos(a.next_attempt_at));
                if (rc == SQLITE_OK) rc = sqlite::bind_text(*stmt, 4, a.detail);
                if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
                if (rc != SQLITE_DONE)
                    return Unexpected(step_error(c, rc, "reschedule smpp delivery"));
                detail = receipt_label(d) + " to ESME '" + d.account + "' attempt " +
                         std::to_string(a.attempts) + ": " + a.detail + " (will retry)";
                break;
            }
        }
        if (auto h = history(c, d, a.at, a.attempts, detail); !h) return h;
    }
    if (auto r = tx.commit("record smpp deliveries"); !r) return Unexpected(r.error().detail);
    return {};
}

Expected<std::vector<SmppDelivery>, std::string> SqliteSmppOutbox::expire(
    SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) {
    std::vector<SmppDelivery> out;
    if (limit == 0) return out;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    sqlite::Transaction tx(c);
    if (auto r = tx.begin("expire smpp deliveries"); !r) return Unexpected(r.error().detail);
    {
        auto stmt =
            c.prepare(std::string("SELECT ") + kColumns +
                      " FROM smpp_outbox WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2");
        if (!stmt) return Unexpected(stmt.error().detail);
        StmtUse use(*stmt);
        int rc = sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(now));
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(*stmt, 2, static_cast<std::int64_t>(limit + skip.size()));
        if (rc != SQLITE_OK) return Unexpected(step_error(c, rc, "select expired smpp deliveries"));
        auto rows = read_rows(c, *stmt, limit, skip, "select expired smpp deliveries");
        if (!rows) return Unexpected(std::move(rows).error());
        out = std::move(*rows);
    }
    for (const auto& d : out) {
        if (auto r = delete_one(c, d.seq); !r) return Unexpected(std::move(r).error());
        std::string detail = receipt_label(d) + " to ESME '" + d.account +
                             "' given up: expired after " + std::to_string(d.attempts) +
                             " attempt(s)";
        if (!d.last_error.empty()) detail += ", last: " + d.last_error;
        if (auto h = history(c, d, now, d.attempts, detail); !h)
            return Unexpected(std::move(h).error());
    }
    if (auto r = tx.commit("expire smpp deliveries"); !r) return Unexpected(r.error().detail);
    return out;
}

Expected<std::optional<SystemTime>, std::string> SqliteSmppOutbox::next_expiry() {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kNextExpiry);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    return single_time(c, *stmt, "next smpp delivery expiry");
}

Expected<std::map<std::pair<std::string, SmppDeliveryKind>, std::uint64_t>, std::string>
SqliteSmppOutbox::pending() {
    std::map<std::pair<std::string, SmppDeliveryKind>, std::uint64_t> out;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kPending);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = 0;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        const auto kind =
            sqlite::read_text(*stmt, 1) == "mo" ? SmppDeliveryKind::mo : SmppDeliveryKind::receipt;
        out[{sqlite::read_text(*stmt, 0), kind}] =
            static_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 2));
    }
    if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "count smpp deliveries"));
    return out;
}

Expected<std::vector<ReceiptCandidate>, std::string> SqliteSmppOutbox::unreceipted(
    SystemTime since, std::optional<ReceiptCandidate> after, std::string_view tag_prefix,
    std::size_t limit) {
    std::vector<ReceiptCandidate> out;
    if (limit == 0) return out;
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    // The partial index messages_finished (updated_at, final states) bounds the scan to what
    // finished since the watermark, in (updated_at, id) order without a sort; named, because
    // without ANALYZE statistics the planner prefers messages_state, i.e. every final message of
    // the retention period. The tag test reads the tags BLOB as bytes.
    const std::string sql =
        std::string(
            "SELECT m.id, m.updated_at FROM messages m INDEXED BY messages_finished WHERE ") +
        sqlite::kFinalStatesWhere +
        " AND m.updated_at >= ?1 AND (m.updated_at > ?2 OR (m.updated_at = ?2 AND m.id > ?3))"
        " AND instr(m.tags, ?4) > 0"
        " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.message_id = m.id AND e.provider = "
        "'smpp-receipt'"
        " AND e.to_state = m.state)"
        " ORDER BY m.updated_at, m.id LIMIT ?5";
    auto stmt = c.prepare(sql);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    const MessageId nil{};
    const auto after_at = after ? sqlite::to_nanos(after->updated_at) : std::int64_t{-1} << 62;
    const auto& after_id = after ? after->id : nil;
    int rc = sqlite3_bind_int64(*stmt, 1, sqlite::to_nanos(since));
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, after_at);
    if (rc == SQLITE_OK) rc = sqlite::bind_id(*stmt, 3, after_id);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(*stmt, 4, tag_prefix.data(), static_cast<int>(tag_prefix.size()),
                               SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 5, static_cast<std::int64_t>(limit));
    if (rc != SQLITE_OK) return Unexpected(step_error(c, rc, "scan unreceipted messages"));
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        auto id = sqlite::read_id(*stmt, 0);
        if (!id) return Unexpected(id.error().detail);
        out.push_back({*id, sqlite::from_nanos(sqlite3_column_int64(*stmt, 1))});
    }
    if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "scan unreceipted messages"));
    return out;
}

Expected<std::optional<SystemTime>, std::string> SqliteSmppOutbox::receipts_scanned_to() {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kMarkGet);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    if (const int rc = sqlite::bind_text(*stmt, 1, kScanMark); rc != SQLITE_OK) {
        return Unexpected(step_error(c, rc, "read receipt scan mark"));
    }
    return single_time(c, *stmt, "read receipt scan mark");
}

Expected<void, std::string> SqliteSmppOutbox::set_receipts_scanned_to(SystemTime t) {
    std::lock_guard lock(mutex_);
    auto& c = *conn_;
    auto stmt = c.prepare(kMarkSet);
    if (!stmt) return Unexpected(stmt.error().detail);
    StmtUse use(*stmt);
    int rc = sqlite::bind_text(*stmt, 1, kScanMark);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*stmt, 2, sqlite::to_nanos(t));
    if (rc == SQLITE_OK) rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE) return Unexpected(step_error(c, rc, "write receipt scan mark"));
    return {};
}

}  // namespace bindery::router
