#include "router/store/group_commit.hpp"

#include <time.h>

#include <algorithm>

#include "router/core/receipts.hpp"
#include "router/store/row_codec.hpp"
#include "router/store/schema.hpp"

namespace bindery::router::sqlite {
namespace {

const std::string kBegin = "BEGIN IMMEDIATE";
const std::string kCommit = "COMMIT";
const std::string kRollback = "ROLLBACK";

const std::string kInsertMessage =
    std::string("INSERT INTO messages(") + kMessageColumns +
    ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";
const std::string kInsertEvent =
    std::string("INSERT INTO events(") + kEventColumns + ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const std::string kUpdateMessage =
    "UPDATE messages SET client = ?2, sender = ?3, destination = ?4, region = ?5, text = ?6, "
    "encoding = ?7, segments_estimate = ?8, priority = ?9, tags = ?10, client_ref = ?11, "
    "callback_url = ?12, state = ?13, attempts = ?14, provider = ?15, segments = ?16, "
    "last_error = ?17, accepted_at = ?18, updated_at = ?19, expires_at = ?20, schedule_at = ?21, "
    "next_attempt_at = ?22, forced_encoding = ?23 WHERE id = ?1 AND state = ?24";
const std::string kStateOf = "SELECT state FROM messages WHERE id = ?1";
const std::string kDeleteProviderIds = "DELETE FROM provider_ids WHERE message_id = ?1";
const std::string kInsertProviderId =
    "INSERT OR REPLACE INTO provider_ids(provider, key, message_id, segment) VALUES(?1, ?2, ?3, "
    "?4)";
const std::string kPurgeSelect = std::string("SELECT id FROM messages WHERE state IN ") +
                                 kFinalStatesIn + " AND updated_at < ?1 LIMIT ?2";
// events and provider_ids go with ON DELETE CASCADE (their message_id columns are indexed).
const std::string kDeleteMessage = "DELETE FROM messages WHERE id = ?1";

}  // namespace

std::size_t WriteRequest::rows() const noexcept {
    switch (kind) {
        case Kind::insert:
            return messages.size() + events.size();
        case Kind::transition:
            return 1;
        case Kind::transitions:
            return writes.size();
        case Kind::purge:
            return purge_limit;
    }
    return 1;
}

GroupWriter::GroupWriter(std::unique_ptr<Connection> conn, std::chrono::microseconds window,
                         std::size_t max_rows)
    : conn_(std::move(conn)),
      window_(window),
      max_rows_(std::max<std::size_t>(max_rows, 1)),
      thread_([this] { run(); }) {}

GroupWriter::~GroupWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

Expected<void, StoreError> GroupWriter::submit(WriteRequest& r) {
    std::unique_lock lock(mutex_);
    if (stopping_) return Unexpected(StoreError{StoreErrc::unavailable, "store is closing"});
    queue_.push_back(&r);
    queued_rows_ += r.rows();
    wake_.notify_one();
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
        case WriteRequest::Kind::insert:
            return apply_insert(r, wrote);
        case WriteRequest::Kind::transition:
            return apply_transition(r, wrote);
        case WriteRequest::Kind::transitions:
            return apply_transitions(r, wrote);
        case WriteRequest::Kind::purge:
            return apply_purge(r, wrote);
    }
    return Unexpected(StoreError{StoreErrc::unavailable, "unknown write request"});
}

Expected<void, StoreError> GroupWriter::run_simple(const std::string& sql, std::string_view what) {
    sqlite3_stmt* stmt = nullptr;
    return step_done(sql, what, stmt);
}

// Prepares (cached) `sql` when `stmt` is null, steps it once to completion and resets it; the
// caller binds between prepare and step by calling with a prepared `stmt`.
Expected<void, StoreError> GroupWriter::step_done(const std::string& sql, std::string_view what,
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
    for (std::size_t i = 0; i < m.segments.size(); ++i) {
        for (const auto& key : provider_id_keys(m.segments[i].provider_id)) {
            int rc = bind_text(stmt, 1, m.provider);
            if (rc == SQLITE_OK) rc = bind_text(stmt, 2, key);
            if (rc == SQLITE_OK) rc = bind_id(stmt, 3, m.id);
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(i));
            if (rc != SQLITE_OK) return Unexpected(conn_->error(rc, "bind provider id"));
            if (auto r = step_done(kInsertProviderId, "index provider id", stmt); !r) return r;
        }
    }
    return {};
}

Expected<void, StoreError> GroupWriter::apply_insert(const WriteRequest& r, bool& wrote) {
    // Validation, before any write: no id may exist already or twice in the batch, and every
    // event must belong to a message of the batch or a stored one.
    std::vector<MessageId> batch_ids;
    batch_ids.reserve(r.messages.size());
    for (const auto& m : r.messages) {
        auto found = exists(m.id);
        if (!found) return Unexpected(std::move(found).error());
        if (*found)
            return Unexpected(StoreError{StoreErrc::duplicate, m.id.to_string() + " exists"});
        batch_ids.push_back(m.id);
    }
    std::sort(batch_ids.begin(), batch_ids.end());
    if (const auto twice = std::adjacent_find(batch_ids.begin(), batch_ids.end());
        twice != batch_ids.end()) {
        return Unexpected(
            StoreError{StoreErrc::duplicate, twice->to_string() + " twice in the batch"});
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
    auto prepared = conn_->prepare(kInsertMessage);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* insert = *prepared;
    wrote = true;
    for (const auto& m : r.messages) {
        if (const int rc = bind_message(insert, m); rc != SQLITE_OK) {
            return Unexpected(conn_->error(rc, "bind message"));
        }
        if (auto done = step_done(kInsertMessage, "insert message", insert); !done) {
            auto e = std::move(done).error();
            if (e.code == StoreErrc::duplicate) e.detail = m.id.to_string() + " exists";
            return Unexpected(std::move(e));
        }
        if (!m.segments.empty()) {
            if (auto indexed = index_provider_ids(m); !indexed) return indexed;
        }
    }
    auto event_stmt = conn_->prepare(kInsertEvent);
    if (!event_stmt) return Unexpected(std::move(event_stmt).error());
    sqlite3_stmt* ev = *event_stmt;
    for (const auto& e : r.events) {
        if (const int rc = bind_event(ev, e); rc != SQLITE_OK) {
            return Unexpected(conn_->error(rc, "bind event"));
        }
        if (auto done = step_done(kInsertEvent, "insert event", ev); !done) {
            auto err = std::move(done).error();
            if (err.code == StoreErrc::not_found)
                err.detail = "event for unknown message " + e.id.to_string();
            return Unexpected(std::move(err));
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
        auto done = transition_one(w.next, w.from, w.event ? &*w.event : nullptr, this_wrote);
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
                                                       const MessageEvent* event, bool& wrote) {
    auto prepared = conn_->prepare(kUpdateMessage);
    if (!prepared) return Unexpected(std::move(prepared).error());
    sqlite3_stmt* update = *prepared;
    int rc = bind_message(update, next);
    if (rc == SQLITE_OK) rc = bind_text(update, 24, to_string(from));
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
    sqlite3_stmt* del = nullptr;
    auto del_prepared = conn_->prepare(kDeleteProviderIds);
    if (!del_prepared) return Unexpected(std::move(del_prepared).error());
    del = *del_prepared;
    if (const int b = bind_id(del, 1, next.id); b != SQLITE_OK) {
        return Unexpected(conn_->error(b, "bind provider ids"));
    }
    if (auto done = step_done(kDeleteProviderIds, "unindex provider ids", del); !done) return done;
    if (!next.segments.empty()) {
        if (auto indexed = index_provider_ids(next); !indexed) return indexed;
    }
    if (event != nullptr) {
        auto event_stmt = conn_->prepare(kInsertEvent);
        if (!event_stmt) return Unexpected(std::move(event_stmt).error());
        sqlite3_stmt* ev = *event_stmt;
        if (const int b = bind_event(ev, *event); b != SQLITE_OK) {
            return Unexpected(conn_->error(b, "bind event"));
        }
        if (auto done = step_done(kInsertEvent, "insert event", ev); !done) return done;
    }
    return {};
}

Expected<void, StoreError> GroupWriter::apply_purge(WriteRequest& r, bool& wrote) {
    std::vector<MessageId> ids;
    {
        auto prepared = conn_->prepare(kPurgeSelect);
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

}  // namespace bindery::router::sqlite
