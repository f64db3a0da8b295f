#include "router/store/group_commit.hpp"

#include <time.h>

#include <algorithm>
#include <limits>
#include <map>

#include "router/core/receipts.hpp"
#include "router/store/row_codec.hpp"
#include "router/store/schema.hpp"
#include "smpp/base/thread_name.hpp"

namespace bindery::router::sqlite {
namespace {

constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";

// Built at its first use (kMessageColumns is shared with the reads): a function's static, whose
// initialization the caller sees, not a namespace-scope one whose throw nobody could catch.
const std::string& insert_message_sql() {
    static const std::string sql =
        std::string("INSERT INTO messages(") + kMessageColumns +
        ", credit_held, credit_capture, history) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, "
        "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
    return sql;
}
// Events of insert_batch for messages stored before it.
constexpr std::string_view kAppendHistory =
    "UPDATE messages SET history = CAST(coalesce(history, x'') || ?2 AS BLOB) WHERE id = ?1";
// A message's client, destination, client_ref and accepted_at never change after acceptance;
// leaving them out of the SET list spares SQLite the four indexes on them at every transition
// (it maintains an index when one of its columns is assigned, whatever the value). The
// parameters keep bind_message's numbering (?2, ?4, ?11 and ?18 are bound and unused).
constexpr std::string_view kUpdateMessage =
    "UPDATE messages SET sender = ?3, region = ?5, text = ?6, "
    "encoding = ?7, segments_estimate = ?8, priority = ?9, tags = ?10, "
    "callback_url = ?12, state = ?13, attempts = ?14, provider = ?15, segments = ?16, "
    "last_error = ?17, updated_at = ?19, expires_at = ?20, schedule_at = ?21, "
    "next_attempt_at = ?22, forced_encoding = ?23, charge = ?24, "
    "history = CASE WHEN ?26 IS NULL THEN history ELSE CAST(coalesce(history, x'') || ?26 AS BLOB) "
    "END WHERE id = ?1 AND state = ?25";
constexpr std::string_view kStateOf = "SELECT state FROM messages WHERE id = ?1";
constexpr std::string_view kAnyAccount = "SELECT EXISTS(SELECT 1 FROM credit_accounts)";
constexpr std::string_view kDeleteProviderIds = "DELETE FROM provider_ids WHERE message_id = ?1";
// That DELETE collects the keys into a temporary b-tree first (provider_ids has a foreign key,
// which rules out SQLite's one-pass delete); most transitions have nothing to delete, and this
// one index probe is far cheaper than building the b-tree to find so.
constexpr std::string_view kHasProviderIds =
    "SELECT EXISTS(SELECT 1 FROM provider_ids WHERE message_id = ?1)";
constexpr std::string_view kInsertProviderId =
    "INSERT OR REPLACE INTO provider_ids(provider, key, message_id, segment) VALUES(?1, ?2, ?3, "
    "?4)";
// events and provider_ids go with ON DELETE CASCADE (their message_id columns are indexed).
constexpr std::string_view kDeleteMessage = "DELETE FROM messages WHERE id = ?1";
// Credits.
constexpr std::string_view kSelectAccount =
    "SELECT balance, held, capture, updated_at FROM credit_accounts WHERE client = ?1";
constexpr std::string_view kInsertAccount =
    "INSERT INTO credit_accounts(client, balance, held, capture, updated_at) VALUES(?1, ?2, 0, "
    "?3, ?4)";
constexpr std::string_view kSetCapture =
    "UPDATE credit_accounts SET capture = ?2, updated_at = ?3 WHERE client = ?1";
constexpr std::string_view kAddBalance =
    "UPDATE credit_accounts SET balance = balance + ?2, updated_at = ?3 WHERE client = ?1";
constexpr std::string_view kHold =
    "UPDATE credit_accounts SET balance = balance - ?2, held = held + ?2, updated_at = ?3 "
    "WHERE client = ?1";
constexpr std::string_view kCapture =
    "UPDATE credit_accounts SET held = held - ?2, updated_at = ?3 WHERE client = ?1";
constexpr std::string_view kRelease =
    "UPDATE credit_accounts SET held = held - ?2, balance = balance + ?2, updated_at = ?3 "
    "WHERE client = ?1";
constexpr std::string_view kOpenHold =
    "SELECT client, credit_held, credit_capture FROM messages WHERE id = ?1";
constexpr std::string_view kCloseHold = "UPDATE messages SET credit_held = 0 WHERE id = ?1";
constexpr std::string_view kInsertLedger =
    "INSERT INTO credit_ledger(client, message_id, kind, amount, at, note) VALUES(?1, ?2, ?3, ?4, "
    "?5, ?6)";

CreditAmount saturating_add(CreditAmount a, CreditAmount b) noexcept {
    return a > std::numeric_limits<CreditAmount>::max() - b
               ? std::numeric_limits<CreditAmount>::max()
               : a + b;
}

}  // namespace

std::size_t WriteRequest::rows() const noexcept {
    switch (kind) {
        case Kind::insert: return messages.size() + events.size();
        case Kind::transition: return 1;
        case Kind::transitions: return writes.size();
        case Kind::purge: return purge_limit;
        case Kind::credit: return 1;
        case Kind::work: return work_rows;
    }
    return 1;
}

GroupWriter::GroupWriter(std::unique_ptr<Connection> conn, std::chrono::microseconds window,
                         std::size_t max_rows)
    : conn_(std::move(conn)),
      window_(window),
      max_rows_(std::max<std::size_t>(max_rows, 1)),
      thread_([this] {
          name_this_thread("store-writer");
          run();
      }) {}

GroupWriter::~GroupWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

Expected<void, StoreError> GroupWriter::submit(WriteRequest& r) {
    start(r);
    return wait(r);
}

void GroupWriter::start(WriteRequest& r) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
        r.result = Unexpected(StoreError{StoreErrc::unavailable, "store is closing"});
        if (r.on_done) r.on_done();
        r.done = true;
        return;
    }
    queue_.push_back(&r);
    queued_rows_ += r.rows();
    wake_.notify_one();
}

bool GroupWriter::done(const WriteRequest& r) const {
    std::lock_guard lock(mutex_);
    return r.done;
}

Expected<void, StoreError> GroupWriter::wait(WriteRequest& r) {
    std::unique_lock lock(mutex_);
    r.cv.wait(lock, [&] { return r.done; });
    return r.result;
}

SqliteStoreStats GroupWriter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void GroupWriter::run() {
    std::vector<WriteRequest*> group;
    for (;;) {
        group.clear();
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            if (window_.count() > 0 && !stopping_ && queued_rows_ < max_rows_) {
                wake_.wait_for(lock, window_,
                               [&] { return stopping_ || queued_rows_ >= max_rows_; });
            }
            std::size_t rows = 0;
            while (!queue_.empty() &&
                   (group.empty() || rows + queue_.front()->rows() <= max_rows_)) {
                rows += queue_.front()->rows();
                group.push_back(queue_.front());
                queue_.pop_front();
            }
            queued_rows_ -= rows;
        }
        run_group(group);
        timespec cpu{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
        std::lock_guard lock(mutex_);
        stats_.writer_cpu_ns = static_cast<std::uint64_t>(cpu.tv_sec) * 1'000'000'000ULL +
                               static_cast<std::uint64_t>(cpu.tv_nsec);
        ++stats_.commits;
        stats_.requests += group.size();
        stats_.max_group = std::max<std::uint64_t>(stats_.max_group, group.size());
        for (auto* r : group) {
            if (r->on_done) r->on_done();
            r->done = true;
            r->cv.notify_one();  // under the lock: the caller cannot return before we let go
        }
    }
}

void GroupWriter::run_group(std::span<WriteRequest* const> group) {
    std::vector<WriteRequest*> pending(group.begin(), group.end());
    auto fail = [&](std::span<WriteRequest* const> requests, const StoreError& e) {
        for (auto* r : requests) r->result = Unexpected(e);
        std::lock_guard lock(mutex_);
        ++stats_.failed_commits;
    };
    auto rollback = [&] {
        if (sqlite3_get_autocommit(conn_->db()) == 0) (void)run_simple(kRollback, "rollback");
    };
    while (!pending.empty()) {
        if (auto begun = run_simple(kBegin, "begin"); !begun) {
            fail(pending, begun.error());
            return;
        }
        // Holds exist only for clients with a credit account (accounts are never deleted): with
        // none, no transition of this group needs its hold looked up.
        if (auto any = any_account(); any) {
            metered_ = *any;
        } else {
            metered_ = true;  // cannot tell: look every hold up
        }
        std::size_t failed_at = pending.size();
        for (std::size_t i = 0; i < pending.size(); ++i) {
            bool wrote = false;
            auto applied = apply(*pending[i], wrote);
            if (applied || !wrote) {
                pending[i]->result = std::move(applied);  // success, or a clean refusal
                continue;
            }
            failed_at = i;
            pending[i]->result = std::move(applied);
            break;
        }
        if (failed_at == pending.size()) {
            if (auto committed = run_simple(kCommit, "commit"); !committed) {
                rollback();
                fail(pending, committed.error());
            }
            return;
        }
        // A request failed after writing: undo the whole transaction.
        rollback();
        const StoreError error = pending[failed_at]->result.error();
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(failed_at));
        if (error.code == StoreErrc::unavailable || error.code == StoreErrc::corrupt) {
            fail(pending, error);  // the database itself is in trouble: the others would fail too
            return;
        }
        // A logical failure that validation did not catch: run the others again without it.
    }
}

Expected<bool, StoreError> GroupWriter::exists(const MessageId& id) {
    if (exists_ == nullptr) {
        auto prepared = conn_->prepare(kStateOf);
        if (!prepared) return Unexpected(std::move(prepared).error());
        exists_ = *prepared;
    }
    StmtUse use(exists_);
    bind_id(exists_, 1, id);
    const int rc = sqlite3_step(exists_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Unexpected(conn_->error(rc, "look up message"));
}

Expected<void, StoreError> GroupWriter::apply(WriteRequest& r, bool& wrote) {
    switch (r.kind) {
        case WriteRequest::Kind::insert: return apply_insert(r, wrote);
        case WriteRequest::Kind::transition: return apply_transition(r, wrote);
        case WriteRequest::Kind::transitions: return apply_transitions(r, wrote);
        case WriteRequest::Kind::purge: return apply_purge(r, wrote);
        case WriteRequest::Kind::credit: return apply_credit(r, wrote);
        case WriteRequest::Kind::work:
            if (r.work == nullptr) break;
            return (*r.work)(*conn_, wrote);
    }
    return Unexpected(StoreError{StoreErrc::unavailable, "unknown write request"});
}

Expected<void, StoreError> GroupWriter::run_simple(std::string_view sql, std::string_view what) {
    sqlite3_stmt* stmt = nullptr;
    return step_done(sql, what, stmt);
}

// Prepares (cached) `sql` when `stmt` is null, steps it once to completion and resets it; the
// caller binds between prepare and step by calling with a prepared `stmt`.
Expected<void, StoreError> GroupWriter::step_done(std::string_view sql, std::string_view what,
                                                  sqlite3_stmt*& stmt) {
    if (stmt == nullptr) {
        auto prepared = conn_->prepare(sql);
        if (!prepared) return Unexpected(std::move(prepared).error());
        stmt = *prepared;
    }
    StmtUse use(stmt);
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Unexpected(conn_->error(rc, what));
    return {};
}

Expected<void, StoreError> GroupWriter::index_provider_ids(const Message& m) {
    auto prepared = conn_->prepare(kInsertProviderId);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* stmt = *prepared;
    // One row per segment, under its canonical key: a receipt tries its own id's readings
    // (provider_id_keys), so the other readings need no rows of their own.
    for (std::size_t i = 0; i < m.segments.size(); ++i) {
        const std::string key = provider_id_key(m.segments[i].provider_id);
        if (key.empty()) continue;
        int rc = bind_text(stmt, 1, m.provider);
        if (rc == SQLITE_OK) rc = bind_text(stmt, 2, key);
        if (rc == SQLITE_OK) rc = bind_id(stmt, 3, m.id);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(i));
        if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind provider id"));
        if (auto r = step_done(kInsertProviderId, "index provider id", stmt); !r) return r;
    }
    return {};
}

Expected<void, StoreError> GroupWriter::unindex_provider_ids(const MessageId& id) {
    {
        auto probe = conn_->prepare(kHasProviderIds);
        if (!probe) return Unexpected(std::move(probe).error());
        StmtUse use(*probe);
        if (const int b = bind_id(use.get(), 1, id); b != SQLITE_OK) {
            return Unexpected(conn_->error(b, "bind provider ids"));
        }
        const int rc = sqlite3_step(use.get());
        if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "look up provider ids"));
        if (sqlite3_column_int(use.get(), 0) == 0) return {};
    }
    auto prepared = conn_->prepare(kDeleteProviderIds);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* del = *prepared;
    if (const int b = bind_id(del, 1, id); b != SQLITE_OK) {
        return Unexpected(conn_->error(b, "bind provider ids"));
    }
    return step_done(kDeleteProviderIds, "unindex provider ids", del);
}

Expected<void, StoreError> GroupWriter::apply_insert(const WriteRequest& r, bool& wrote) {
    // Validation, before any write: no id twice in the batch, and every event must belong to a
    // message of the batch or a stored one. An id stored already fails its INSERT (primary key:
    // duplicate, "<id> exists"), and the group runs again without this request: ids are random
    // UUIDv7s, so that costs less than a look-up before every insert (3% of the writer's time).
    std::vector<MessageId> batch_ids;
    batch_ids.reserve(r.messages.size());
    for (const auto& m : r.messages) batch_ids.push_back(m.id);
    std::sort(batch_ids.begin(), batch_ids.end());
    if (const auto twice = std::adjacent_find(batch_ids.begin(), batch_ids.end());
        twice != batch_ids.end()) {
        return Unexpected(
            StoreError{StoreErrc::duplicate, twice->to_string() + " twice in the batch"});
    }
    // Credits: each metered client's charges in this batch must fit its balance.
    std::map<std::string, std::pair<CreditAmount, CaptureOn>, std::less<>> metered;  // -> sum
    for (const auto& m : r.messages) {
        if (m.charge <= 0) continue;
        auto it = metered.find(m.client);
        if (it == metered.end()) {
            auto acc = account(m.client);
            if (!acc) return Unexpected(std::move(acc).error());
            if (!*acc) continue;  // unlimited
            it = metered.emplace(m.client, std::pair{CreditAmount{0}, (*acc)->capture}).first;
        }
        it->second.first = saturating_add(it->second.first, m.charge);
    }
    for (const auto& [client, need] : metered) {
        auto acc = account(client);
        if (!acc) return Unexpected(std::move(acc).error());
        if ((*acc)->balance < need.first) {
            return Unexpected(StoreError{StoreErrc::insufficient_credit,
                                         "client " + client + ": balance " +
                                             std::to_string((*acc)->balance) + ", needs " +
                                             std::to_string(need.first)});
        }
    }
    for (const auto& e : r.events) {
        if (std::binary_search(batch_ids.begin(), batch_ids.end(), e.id)) continue;
        auto found = exists(e.id);
        if (!found) return Unexpected(std::move(found).error());
        if (!*found) {
            return Unexpected(
                StoreError{StoreErrc::not_found, "event for unknown message " + e.id.to_string()});
        }
    }
    // Each message's events of this batch, in order, as its history; the others' are appended.
    std::vector<std::string> histories(r.messages.size());
    std::vector<const MessageEvent*> stored_events;
    for (std::size_t k = 0; k < r.events.size(); ++k) {
        const MessageEvent& e = r.events[k];
        // Usually the k-th event is the k-th message's (one acceptance event each).
        auto at = k < r.messages.size() && r.messages[k].id == e.id
                      ? r.messages.begin() + static_cast<std::ptrdiff_t>(k)
                      : std::find_if(r.messages.begin(), r.messages.end(),
                                     [&](const Message& m) { return m.id == e.id; });
        if (at == r.messages.end()) {
            stored_events.push_back(&e);
        } else {
            append_history(histories[static_cast<std::size_t>(at - r.messages.begin())], e);
        }
    }
    auto prepared = conn_->prepare(insert_message_sql());
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* insert = *prepared;
    wrote = true;
    for (std::size_t i = 0; i < r.messages.size(); ++i) {
        const Message& m = r.messages[i];
        const auto meter = m.charge > 0 ? metered.find(m.client) : metered.end();
        const bool held = meter != metered.end();
        int rc = bind_message(insert, m);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert, 25, held ? m.charge : 0);
        if (rc == SQLITE_OK)
            rc = bind_text(insert, 26, held ? to_string(meter->second.second) : "");
        if (rc == SQLITE_OK) {
            const std::string& h = histories[i];
            rc = h.empty() ? sqlite3_bind_null(insert, 27)
                           : sqlite3_bind_blob(insert, 27, h.data(), static_cast<int>(h.size()),
                                               SQLITE_STATIC);
        }
        if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind message"));
        if (auto done = step_done(insert_message_sql(), "insert message", insert); !done) {
            auto e = std::move(done).error();
            if (e.code == StoreErrc::duplicate) e.detail = m.id.to_string() + " exists";
            return Unexpected(std::move(e));
        }
        if (!m.segments.empty()) {
            if (auto indexed = index_provider_ids(m); !indexed) return indexed;
        }
        if (held) {
            const std::int64_t at = to_nanos(m.accepted_at);
            sqlite3_stmt* hold = nullptr;
            auto prepared_hold = conn_->prepare(kHold);
            if (!prepared_hold) return Unexpected(std::move(prepared_hold).error());
            hold = *prepared_hold;
            int b = bind_text(hold, 1, m.client);
            if (b == SQLITE_OK) b = sqlite3_bind_int64(hold, 2, m.charge);
            if (b == SQLITE_OK) b = sqlite3_bind_int64(hold, 3, at);
            if (b != SQLITE_OK) return Unexpected(conn_->error(b, "bind hold"));
            if (auto done = step_done(kHold, "hold credit", hold); !done) return done;
            if (auto done = ledger(m.client, &m.id, CreditKind::hold, m.charge, at, ""); !done) {
                return done;
            }
        }
    }
    if (stored_events.empty()) return {};
    auto append_stmt = conn_->prepare(kAppendHistory);
    if (!append_stmt) return Unexpected(std::move(append_stmt).error());
    sqlite3_stmt* append = *append_stmt;
    std::string record;
    for (const auto* e : stored_events) {
        record.clear();
        append_history(record, *e);
        int rc = bind_id(append, 1, e->id);
        if (rc == SQLITE_OK) {
            rc = sqlite3_bind_blob(append, 2, record.data(), static_cast<int>(record.size()),
                                   SQLITE_STATIC);
        }
        if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind event"));
        if (auto done = step_done(kAppendHistory, "append event", append); !done) return done;
        if (sqlite3_changes(conn_->db()) == 0) {  // checked before writing; cannot happen
            return Unexpected(
                StoreError{StoreErrc::not_found, "event for unknown message " + e->id.to_string()});
        }
    }
    return {};
}

Expected<void, StoreError> GroupWriter::apply_transition(const WriteRequest& r, bool& wrote) {
    return transition_one(*r.next, r.from, r.event, wrote);
}

// Each write is its own compare-and-set: a clean refusal (nothing written) is that write's
// result and the others go on; a failure after a write fails the whole request (the group then
// rolls back and runs again without it).
Expected<void, StoreError> GroupWriter::apply_transitions(WriteRequest& r, bool& wrote) {
    r.write_results.assign(r.writes.size(), Expected<void, StoreError>{});
    for (std::size_t i = 0; i < r.writes.size(); ++i) {
        const auto& w = r.writes[i];
        bool this_wrote = false;
        auto done = transition_one(w.next, w.from, w.event ? &*w.event : nullptr, this_wrote,
                                   w.earlier ? &*w.earlier : nullptr);
        if (!done && this_wrote) {
            wrote = true;
            return done;
        }
        wrote = wrote || this_wrote;
        r.write_results[i] = std::move(done);
    }
    return {};
}

Expected<void, StoreError> GroupWriter::transition_one(const Message& next, MessageState from,
                                                       const MessageEvent* event, bool& wrote,
                                                       const MessageEvent* earlier) {
    auto prepared = conn_->prepare(kUpdateMessage);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* update = *prepared;
    thread_local std::string record;  // outlives the step (SQLITE_STATIC)
    record.clear();
    if (earlier != nullptr) append_history(record, *earlier);
    if (event != nullptr) append_history(record, *event);
    int rc = bind_message(update, next);
    if (rc == SQLITE_OK) rc = bind_text(update, 25, to_string(from));
    if (rc == SQLITE_OK) {
        rc = record.empty() ? sqlite3_bind_null(update, 26)
                            : sqlite3_bind_blob(update, 26, record.data(),
                                                static_cast<int>(record.size()), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind transition"));
    wrote = true;  // until the UPDATE is known to have changed nothing
    if (auto done = step_done(kUpdateMessage, "update message", update); !done) return done;
    if (sqlite3_changes(conn_->db()) == 0) {
        wrote = false;
        // Nothing matched: tell a missing message from a state conflict.
        auto state_stmt = conn_->prepare(kStateOf);
        if (!state_stmt) return Unexpected(std::move(state_stmt).error());
        StmtUse use(*state_stmt);
        bind_id(use.get(), 1, next.id);
        const int step = sqlite3_step(use.get());
        if (step == SQLITE_DONE)
            return Unexpected(StoreError{StoreErrc::not_found, next.id.to_string()});
        if (step != SQLITE_ROW) return Unexpected(conn_->error(step, "read state"));
        return Unexpected(
            StoreError{StoreErrc::conflict, "stored state is " + read_text(use.get(), 0)});
    }
    // Provider ids change only around a send: the dispatch clears them (-> SENDING) and the
    // submit result sets them (SENDING ->). Leaving SENT for anything but SENDING (a receipt's
    // verdict) keeps them: no delete and re-insert of the same index rows.
    if (from != MessageState::sent || next.state == MessageState::sending) {
        if (auto cleared = unindex_provider_ids(next.id); !cleared) return cleared;
        if (!next.segments.empty()) {
            if (auto indexed = index_provider_ids(next); !indexed) return indexed;
        }
    }
    if (from != next.state) {
        if (auto settled = settle_hold(next.id, next.state, to_nanos(next.updated_at)); !settled) {
            return settled;
        }
    }
    return {};
}

Expected<void, StoreError> GroupWriter::apply_purge(WriteRequest& r, bool& wrote) {
    std::vector<MessageId> ids;
    {
        auto prepared = conn_->prepare(purge_select_sql());
        if (!prepared) return Unexpected(std::move(prepared).error());
        StmtUse use(*prepared);
        sqlite3_bind_int64(use.get(), 1, r.purge_before);
        sqlite3_bind_int64(use.get(), 2, r.purge_limit);
        for (;;) {
            const int rc = sqlite3_step(use.get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "select purgeable"));
            auto id = read_id(use.get(), 0);
            if (!id) return Unexpected(std::move(id).error());
            ids.push_back(*id);
        }
    }
    auto prepared = conn_->prepare(kDeleteMessage);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* del = *prepared;
    wrote = !ids.empty();
    for (const auto& id : ids) {
        if (const int b = bind_id(del, 1, id); b != SQLITE_OK) {
            return Unexpected(conn_->error(b, "bind purge"));
        }
        if (auto done = step_done(kDeleteMessage, "purge message", del); !done) return done;
    }
    r.purged = ids.size();
    return {};
}

Expected<std::optional<CreditAccount>, StoreError> GroupWriter::account(std::string_view client) {
    auto prepared = conn_->prepare(kSelectAccount);
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    bind_text(use.get(), 1, client);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::optional<CreditAccount>();
    if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "read credit account"));
    CreditAccount a;
    a.client = std::string(client);
    a.balance = sqlite3_column_int64(use.get(), 0);
    a.held = sqlite3_column_int64(use.get(), 1);
    const auto capture = parse_capture_on(read_text(use.get(), 2));
    if (!capture) {
        return Unexpected(
            StoreError{StoreErrc::corrupt, "credit account " + a.client + ": capture"});
    }
    a.capture = *capture;
    a.updated_at = from_nanos(sqlite3_column_int64(use.get(), 3));
    return std::optional<CreditAccount>(std::move(a));
}

Expected<void, StoreError> GroupWriter::ledger(std::string_view client, const MessageId* id,
                                               CreditKind kind, CreditAmount amount,
                                               std::int64_t at, std::string_view note) {
    auto prepared = conn_->prepare(kInsertLedger);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* stmt = *prepared;
    int rc = bind_text(stmt, 1, client);
    if (rc == SQLITE_OK) rc = id != nullptr ? bind_id(stmt, 2, *id) : sqlite3_bind_null(stmt, 2);
    if (rc == SQLITE_OK) rc = bind_text(stmt, 3, to_string(kind));
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, amount);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, at);
    if (rc == SQLITE_OK) rc = bind_text(stmt, 6, note);
    if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind ledger entry"));
    return step_done(kInsertLedger, "insert ledger entry", stmt);
}

Expected<void, StoreError> GroupWriter::settle_hold(const MessageId& id, MessageState to,
                                                    std::int64_t at) {
    // Only states that can close a hold pay for the lookup, and only when a client is metered.
    if (!metered_ || credit_action(to, CaptureOn::sent) == CreditAction::none) return {};
    std::string client;
    CreditAmount held = 0;
    CaptureOn capture = CaptureOn::delivered;
    {
        auto prepared = conn_->prepare(kOpenHold);
        if (!prepared) return Unexpected(std::move(prepared).error());
        StmtUse use(*prepared);
        bind_id(use.get(), 1, id);
        const int rc = sqlite3_step(use.get());
        if (rc != SQLITE_ROW)
            return Unexpected(conn_->error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "read hold"));
        held = sqlite3_column_int64(use.get(), 1);
        if (held <= 0) return {};
        client = read_text(use.get(), 0);
        const auto parsed = parse_capture_on(read_text(use.get(), 2));
        if (!parsed)
            return Unexpected(
                StoreError{StoreErrc::corrupt, "credit_capture of " + id.to_string()});
        capture = *parsed;
    }
    const auto action = credit_action(to, capture);
    if (action == CreditAction::none) return {};
    const std::string_view sql = action == CreditAction::capture ? kCapture : kRelease;
    auto prepared = conn_->prepare(sql);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* move = *prepared;
    int b = bind_text(move, 1, client);
    if (b == SQLITE_OK) b = sqlite3_bind_int64(move, 2, held);
    if (b == SQLITE_OK) b = sqlite3_bind_int64(move, 3, at);
    if (b != SQLITE_OK) return Unexpected(conn_->error(b, "bind credit move"));
    if (auto done = step_done(sql, "move credit", move); !done) return done;
    auto close = conn_->prepare(kCloseHold);
    if (!close) return Unexpected(std::move(close).error());
    sqlite3_stmt* close_stmt = *close;
    if (const int c = bind_id(close_stmt, 1, id); c != SQLITE_OK) {
        return Unexpected(conn_->error(c, "bind close hold"));
    }
    if (auto done = step_done(kCloseHold, "close hold", close_stmt); !done) return done;
    return ledger(client, &id,
                  action == CreditAction::capture ? CreditKind::capture : CreditKind::release, held,
                  at, "");
}

Expected<bool, StoreError> GroupWriter::any_account() {
    auto prepared = conn_->prepare(kAnyAccount);
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    const int rc = sqlite3_step(use.get());
    if (rc != SQLITE_ROW) return Unexpected(conn_->error(rc, "any credit account"));
    return sqlite3_column_int64(use.get(), 0) != 0;
}

Expected<void, StoreError> GroupWriter::apply_credit(WriteRequest& r, bool& wrote) {
    metered_ = true;  // an account may be opened by this request
    auto existing = account(r.credit_client);
    if (!existing) return Unexpected(std::move(existing).error());
    const std::string client(r.credit_client);
    if (r.credit_open) {
        if (r.credit_amount < 0) {
            return Unexpected(
                StoreError{StoreErrc::insufficient_credit, "negative initial balance"});
        }
        if (*existing) {
            r.account = **existing;
            if (r.account.capture == r.credit_capture) return {};
            auto prepared = conn_->prepare(kSetCapture);
            if (!prepared) return Unexpected(std::move(prepared).error());
            sqlite3_stmt* set = *prepared;
            int b = bind_text(set, 1, client);
            if (b == SQLITE_OK) b = bind_text(set, 2, to_string(r.credit_capture));
            if (b == SQLITE_OK) b = sqlite3_bind_int64(set, 3, r.credit_at);
            if (b != SQLITE_OK) return Unexpected(conn_->error(b, "bind capture"));
            wrote = true;
            if (auto done = step_done(kSetCapture, "set capture", set); !done) return done;
            r.account.capture = r.credit_capture;
            r.account.updated_at = from_nanos(r.credit_at);
            return {};
        }
    } else if (r.credit_amount < 0) {
        const CreditAmount balance = *existing ? (*existing)->balance : 0;
        if (balance < -r.credit_amount) {
            return Unexpected(StoreError{StoreErrc::insufficient_credit,
                                         "client " + client + ": balance " +
                                             std::to_string(balance) + ", cannot take " +
                                             std::to_string(-r.credit_amount)});
        }
    }
    wrote = true;
    if (!*existing) {
        auto prepared = conn_->prepare(kInsertAccount);
        if (!prepared) return Unexpected(std::move(prepared).error());
        sqlite3_stmt* ins = *prepared;
        int b = bind_text(ins, 1, client);
        if (b == SQLITE_OK) b = sqlite3_bind_int64(ins, 2, r.credit_amount);
        if (b == SQLITE_OK) b = bind_text(ins, 3, to_string(r.credit_capture));
        if (b == SQLITE_OK) b = sqlite3_bind_int64(ins, 4, r.credit_at);
        if (b != SQLITE_OK) return Unexpected(conn_->error(b, "bind account"));
        if (auto done = step_done(kInsertAccount, "create credit account", ins); !done) return done;
        r.account =
            CreditAccount{client, r.credit_amount, 0, r.credit_capture, from_nanos(r.credit_at)};
    } else {
        auto prepared = conn_->prepare(kAddBalance);
        if (!prepared) return Unexpected(std::move(prepared).error());
        sqlite3_stmt* add = *prepared;
        int b = bind_text(add, 1, client);
        if (b == SQLITE_OK) b = sqlite3_bind_int64(add, 2, r.credit_amount);
        if (b == SQLITE_OK) b = sqlite3_bind_int64(add, 3, r.credit_at);
        if (b != SQLITE_OK) return Unexpected(conn_->error(b, "bind top-up"));
        if (auto done = step_done(kAddBalance, "top up", add); !done) return done;
        r.account = **existing;
        r.account.balance += r.credit_amount;
        r.account.updated_at = from_nanos(r.credit_at);
    }
    return ledger(client, nullptr, CreditKind::topup, r.credit_amount, r.credit_at,
                  r.credit_open ? std::string_view("initial balance") : r.credit_note);
}

}  // namespace bindery::router::sqlite
