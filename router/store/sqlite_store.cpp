#include "router/store/sqlite_store.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "router/store/group_commit.hpp"
#include "router/store/row_codec.hpp"
#include "router/store/side_connection.hpp"
#include "router/store/schema.hpp"
#include "router/store/sqlite_db.hpp"
#include "smpp/base/thread_name.hpp"

namespace bindery::router {
namespace {

using sqlite::Connection;
using sqlite::StmtUse;

// Settings every connection gets; the writer adds its own afterwards.
Expected<void, StoreError> configure(Connection& conn, const SqliteStoreConfig& config,
                                     std::size_t cache_kib) {
    if (const int rc =
            sqlite3_busy_timeout(conn.db(), static_cast<int>(config.busy_timeout.count()));
        rc != SQLITE_OK) {
        return Unexpected(conn.error(rc, "busy_timeout"));
    }
    const std::string pragmas = std::string(sqlite::sync_pragma(config.synchronous)) +
                                "; PRAGMA foreign_keys = ON; PRAGMA cache_size = -" +
                                std::to_string(cache_kib) + ";";
    return conn.exec(pragmas.c_str(), "configure connection");
}

// The active (recoverable) states: not final and not SENT.
std::vector<MessageState> active_states() {
    std::vector<MessageState> out;
    for (std::size_t i = 0; i < kMessageStateCount; ++i) {
        const auto s = static_cast<MessageState>(i);
        if (!is_final(s) && s != MessageState::sent) out.push_back(s);
    }
    return out;
}

// Built at their first use from the shared column lists: function-local statics, not
// namespace-scope ones whose initializer could throw before main.
const std::string& select_message_sql() {
    static const std::string sql =
        std::string("SELECT ") + sqlite::kMessageColumns + " FROM messages WHERE id = ?1";
    return sql;
}
const std::string& select_events_sql() {
    static const std::string sql = std::string("SELECT ") + sqlite::kEventColumns +
                                   " FROM events WHERE message_id = ?1 ORDER BY seq";
    return sql;
}
constexpr std::string_view kSelectHistory = "SELECT history FROM messages WHERE id = ?1";
// kMessageColumns qualified with `m.` (provider_ids has a `provider` column too).
std::string qualified_message_columns() {
    std::string out;
    std::string_view rest(sqlite::kMessageColumns);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        auto name = rest.substr(0, comma);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        if (!out.empty()) out += ", ";
        out += "m.";
        out += name;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return out;
}
const std::string& find_receipt_target_sql() {
    static const std::string sql = "SELECT p.segment, " + qualified_message_columns() +
                                   " FROM provider_ids p JOIN messages m ON m.id = p.message_id"
                                   " WHERE p.provider = ?1 AND p.key = ?2";
    return sql;
}
constexpr std::string_view kFindProviderId =
    "SELECT message_id, segment FROM provider_ids WHERE provider = ?1 AND key = ?2";
constexpr std::string_view kCountState = "SELECT count(*) FROM messages WHERE state = ?1";
const std::string& active_of_state_sql() {
    static const std::string sql =
        std::string("SELECT ") + sqlite::kMessageColumns +
        " FROM messages WHERE state = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    return sql;
}

}  // namespace

// WAL checkpoints, off the writer thread. SQLite's automatic checkpoint runs inside the commit
// that crosses the threshold: the writer copies the WAL into the database and syncs the file
// while every caller waiting for a commit waits too (tens of ms per 10,000 pages, the latency
// tail under load). Instead the writer's WAL hook wakes this thread, which checkpoints PASSIVE
// on its own connection, concurrently with commits. PASSIVE copies only what no reader still
// needs and never blocks. The WAL restarts from its beginning only when it is fully copied at the
// start of a write, so past kWriterCheckpointPages the writer also checkpoints itself: what the
// thread has not copied yet, usually little, and then the next write restarts the WAL.
//
// The thread is woken past kCheckpointPages, then each time the WAL has grown by
// kCheckpointStep pages since it was last woken (until the WAL starts over). A checkpoint copies
// each page once however many of its frames it covers, and the same pages (the ends of the
// tables and indexes the messages are written to) come back in commit after commit: waking it
// after every commit past the threshold copied nearly every frame. Every 500 pages: the thread's
// CPU 6.4% -> 5.2% of a core at 32,000 messages/s, the acceptance p50 at 5,000 messages/s 1.0 ->
// 0.8 ms, its p99 unchanged (~3 ms). Every 1,000 or 2,000 pages saves more CPU (4.2%, 3.5%) but
// that p99 rises to 4.6-5.0 ms: fewer, bigger checkpoints (docs/store.md).
struct Checkpointer {
    static constexpr int kCheckpointPages = 1000;         // SQLite's default auto-checkpoint
    static constexpr int kCheckpointStep = 500;           // then every ~2 MiB of WAL
    static constexpr int kWriterCheckpointPages = 10000;  // ~40 MiB of WAL with 4 KiB pages

    std::mutex mutex;
    std::condition_variable wake;
    bool due = false;
    bool stop = false;
    std::unique_ptr<Connection> conn;
    std::thread thread;
    std::atomic<std::uint64_t> runs{0};
    std::atomic<std::uint64_t> writer_runs{0};
    std::atomic<std::uint64_t> failures{0};
    std::atomic<std::uint64_t> wal_pages{0};
    int woken_at = 0;  // WAL pages when the thread was last woken, 0 since the WAL started over
                       // (read and written on the writer's thread only)

    // sqlite3_wal_hook callback, on the writer thread after each commit.
    static int on_commit(void* arg, sqlite3* db, const char* name, int frames) {
        auto& self = *static_cast<Checkpointer*>(arg);
        const auto pages = static_cast<std::uint64_t>(std::max(frames, 0));
        if (pages < self.wal_pages.exchange(pages, std::memory_order_relaxed)) {
            self.woken_at = 0;  // the WAL started over
        }
        if (frames >= kWriterCheckpointPages) {
            const int rc =
                sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            if (rc == SQLITE_OK) {
                ++self.writer_runs;
            } else if (rc != SQLITE_BUSY) {  // busy: the thread is at it
                ++self.failures;
            }
        } else if (frames >= kCheckpointPages &&
                   (self.woken_at == 0 || frames - self.woken_at >= kCheckpointStep)) {
            self.woken_at = frames;
            {
                std::lock_guard lock(self.mutex);
                self.due = true;
            }
            self.wake.notify_one();
        }
        return SQLITE_OK;
    }

    void run() {
        std::unique_lock lock(mutex);
        for (;;) {
            // Also once a second: the side tables' connections commit without a hook.
            wake.wait_for(lock, std::chrono::seconds(1), [&] { return stop || due; });
            if (stop) return;
            due = false;
            lock.unlock();
            const int rc = sqlite3_wal_checkpoint_v2(conn->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                     nullptr, nullptr);
            if (rc == SQLITE_OK) {
                ++runs;
            } else if (rc != SQLITE_BUSY) {  // busy: the writer's own checkpoint is running
                ++failures;                  // (disk full, I/O error): the next commit retries
            }
            lock.lock();
        }
    }

    void halt() {
        if (!thread.joinable()) return;
        {
            std::lock_guard lock(mutex);
            stop = true;
        }
        wake.notify_one();
        thread.join();
    }
};

struct SqliteStore::Impl {
    SqliteStoreConfig config;
    int version = 0;
    std::unique_ptr<sqlite::GroupWriter> writer;
    Checkpointer checkpointer;

    // retention thread
    std::mutex purge_mutex;
    std::condition_variable purge_wake;
    bool purge_stop = false;
    std::atomic<std::uint64_t> purged{0};
    std::atomic<std::uint64_t> purge_failures{0};
    std::thread purger;
    struct Task {
        RetentionTask task;
        std::atomic<std::uint64_t> runs{0};
        std::atomic<std::uint64_t> purged{0};
        std::atomic<std::uint64_t> failures{0};
    };
    std::vector<std::shared_ptr<Task>> tasks;  // under purge_mutex

    std::mutex readers_mutex;
    std::condition_variable reader_free;
    std::vector<std::unique_ptr<Connection>> readers;
    std::vector<Connection*> idle;

    class Lease {
    public:
        Lease(Impl& impl, Connection* conn) : impl_(impl), conn_(conn) {}
        ~Lease() {
            {
                std::lock_guard lock(impl_.readers_mutex);
                impl_.idle.push_back(conn_);
            }
            impl_.reader_free.notify_one();
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() const noexcept { return *conn_; }
        Connection* operator->() const noexcept { return conn_; }

    private:
        Impl& impl_;
        Connection* conn_;
    };

    Lease reader() {
        std::unique_lock lock(readers_mutex);
        reader_free.wait(lock, [&] { return !idle.empty(); });
        Connection* c = idle.back();
        idle.pop_back();
        return Lease(*this, c);
    }

    // Messages in an active state after `after`, ascending id, at most `limit`: one index range
    // per state (messages_state is (state, id)), merged.
    Expected<StoredPage, StoreError> active_page(Connection& conn, std::optional<MessageId> after,
                                                 std::uint32_t limit);
};

namespace {

Expected<std::vector<Message>, StoreError> read_messages(Connection& conn, sqlite3_stmt* stmt,
                                                         std::string_view what) {
    std::vector<Message> out;
    for (;;) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return Unexpected(conn.error(rc, what));
        auto m = sqlite::read_message(stmt);
        if (!m) return Unexpected(std::move(m).error());
        out.push_back(std::move(*m));
    }
}

}  // namespace

Expected<StoredPage, StoreError> SqliteStore::Impl::active_page(Connection& conn,
                                                                std::optional<MessageId> after,
                                                                std::uint32_t limit) {
    const MessageId from = after.value_or(MessageId{});
    std::vector<Message> merged;
    for (const auto state : active_states()) {
        auto prepared = conn.prepare(active_of_state_sql());
        if (!prepared) return Unexpected(std::move(prepared).error());
        StmtUse use(*prepared);
        sqlite::bind_text(use.get(), 1, to_string(state));
        if (after) {
            sqlite::bind_id(use.get(), 2, from);
        } else {
            sqlite3_bind_zeroblob(use.get(), 2, 0);  // '' sorts before every 16-byte id
        }
        sqlite3_bind_int64(use.get(), 3, static_cast<sqlite3_int64>(limit) + 1);
        auto rows = read_messages(conn, use.get(), "load active");
        if (!rows) return Unexpected(std::move(rows).error());
        for (auto& m : *rows) merged.push_back(std::move(m));
    }
    std::sort(merged.begin(), merged.end(),
              [](const Message& a, const Message& b) { return a.id < b.id; });
    StoredPage page;
    if (merged.size() > limit) {
        merged.resize(limit);
        page.next = merged.back().id;
    }
    page.messages = std::move(merged);
    return page;
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() {
    if (impl_->purger.joinable()) {
        {
            std::lock_guard lock(impl_->purge_mutex);
            impl_->purge_stop = true;
        }
        impl_->purge_wake.notify_one();
        impl_->purger.join();
    }
    impl_->checkpointer.halt();
    impl_->writer.reset();  // drains queued requests first
    impl_->idle.clear();
    impl_->readers.clear();
}

Expected<std::unique_ptr<SqliteStore>, StoreError> SqliteStore::open(
    const SqliteStoreConfig& config) {
    if (config.path.empty()) {
        return Unexpected(StoreError{StoreErrc::unavailable, "open: empty database path"});
    }
    auto impl = std::make_unique<Impl>();
    impl->config = config;

    auto writer = Connection::open(config.path, true);
    if (!writer) return Unexpected(std::move(writer).error());
    Connection& w = **writer;
    if (auto r = configure(w, config, config.writer_cache_kib); !r) return Unexpected(r.error());
    // WAL: readers never block the writer and a commit is one append (plus fsync when FULL).
    auto mode = w.query_text("PRAGMA journal_mode = WAL", "set WAL mode");
    if (!mode) return Unexpected(std::move(mode).error());
    if (*mode != "wal") {
        return Unexpected(
            StoreError{StoreErrc::unavailable,
                       "open: cannot use WAL journal mode (got '" + *mode + "'): " + config.path});
    }
    // Keep the WAL file from staying large after a burst. Checkpoints: see Checkpointer (its WAL
    // hook replaces SQLite's automatic checkpoint once the migrations are done).
    if (auto r = w.exec("PRAGMA journal_size_limit = 67108864", "journal_size_limit"); !r) {
        return Unexpected(r.error());
    }
    if (config.max_size_bytes > 0) {
        auto page_size = w.query_int("PRAGMA page_size", "page_size");
        if (!page_size) return Unexpected(std::move(page_size).error());
        const auto pages = std::max<std::uint64_t>(
            1, config.max_size_bytes /
                   static_cast<std::uint64_t>(std::max<std::int64_t>(*page_size, 512)));
        const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
        if (auto r = w.query_int(sql.c_str(), "max_page_count"); !r) return Unexpected(r.error());
    }
    auto version = sqlite::migrate(w, config.migrate_to);
    if (!version) return Unexpected(std::move(version).error());
    impl->version = *version;

    const std::size_t readers = std::max<std::size_t>(config.readers, 1);
    for (std::size_t i = 0; i < readers; ++i) {
        auto reader = Connection::open(config.path, false);
        if (!reader) return Unexpected(std::move(reader).error());
        if (auto r = configure(**reader, config, config.reader_cache_kib); !r) {
            return Unexpected(r.error());
        }
        if (auto r = (*reader)->exec("PRAGMA query_only = ON", "query_only"); !r) {
            return Unexpected(r.error());
        }
        impl->idle.push_back(reader->get());
        impl->readers.push_back(std::move(*reader));
    }
    auto checkpoints = Connection::open(config.path, false);
    if (!checkpoints) return Unexpected(std::move(checkpoints).error());
    if (auto r = configure(**checkpoints, config, 256); !r) return Unexpected(r.error());
    impl->checkpointer.conn = std::move(*checkpoints);
    sqlite3_wal_hook(w.db(), &Checkpointer::on_commit, &impl->checkpointer);
    Checkpointer* checkpointer = &impl->checkpointer;
    impl->checkpointer.thread = std::thread([checkpointer] {
        name_this_thread("store-ckpt");
        checkpointer->run();
    });
    impl->writer = std::make_unique<sqlite::GroupWriter>(std::move(*writer), config.commit_window,
                                                         config.max_group_rows);
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(impl)));
    if (config.retention) {
        SqliteStore* self = store.get();
        self->impl_->purger = std::thread([self] { self->run_retention(); });
    }
    return store;
}

void SqliteStore::add_retention_task(RetentionTask task) {
    auto entry = std::make_shared<Impl::Task>();
    entry->task = std::move(task);
    const std::lock_guard lock(impl_->purge_mutex);
    impl_->tasks.push_back(std::move(entry));
    if (!impl_->purger.joinable() && !impl_->purge_stop) {
        impl_->purger = std::thread([this] { run_retention(); });
    }
}

std::vector<RetentionTaskStats> SqliteStore::retention_stats() const {
    const std::lock_guard lock(impl_->purge_mutex);
    std::vector<RetentionTaskStats> out;
    out.reserve(impl_->tasks.size());
    for (const auto& t : impl_->tasks) {
        out.push_back({t->task.records, t->runs.load(), t->purged.load(), t->failures.load()});
    }
    return out;
}

void SqliteStore::run_retention() {
    Impl& impl = *impl_;
    const auto interval = std::max(impl.config.purge_interval, std::chrono::milliseconds(1));
    std::unique_lock lock(impl.purge_mutex);
    for (;;) {
        if (impl.purge_wake.wait_for(lock, interval, [&] { return impl.purge_stop; })) return;
        const auto tasks = impl.tasks;
        lock.unlock();
        // Stored times are wall-clock, so retention is measured on the wall clock too.
        if (impl.config.retention) {
            auto purged = purge(SystemClock::now() - *impl.config.retention);
            if (purged) {
                impl.purged += *purged;
            } else {
                ++impl.purge_failures;  // the next run tries again
            }
        }
        for (const auto& t : tasks) {
            if (!t->task.purge) continue;
            auto purged = t->task.purge(SystemClock::now() - t->task.retention);
            if (purged) {
                t->purged += *purged;
                ++t->runs;  // after the count: a reader seeing the run sees its rows
            } else {
                ++t->failures;  // the next run tries again
            }
        }
        lock.lock();
    }
}

// ---- writes: through the group-commit writer ----------------------------------------------------

Expected<void, StoreError> SqliteStore::insert_batch(std::span<const Message> messages,
                                                     std::span<const MessageEvent> events) {
    if (messages.empty() && events.empty()) return {};
    sqlite::WriteRequest r;
    r.kind = sqlite::WriteRequest::Kind::insert;
    r.messages = messages;
    r.events = events;
    return impl_->writer->submit(r);
}

Expected<void, StoreError> SqliteStore::transition(const Message& next, MessageState from,
                                                   std::optional<MessageEvent> event) {
    sqlite::WriteRequest r;
    r.kind = sqlite::WriteRequest::Kind::transition;
    r.next = &next;
    r.from = from;
    r.event = event ? &*event : nullptr;
    return impl_->writer->submit(r);
}

namespace {

// A transitions request's outcome, one result per write.
std::vector<Expected<void, StoreError>> batch_results(sqlite::WriteRequest& r,
                                                      const Expected<void, StoreError>& done,
                                                      std::size_t writes) {
    if (!done || r.write_results.size() != writes) {
        // Refused as a whole or rolled back: nothing of it is durable.
        StoreError error =
            done ? StoreError{StoreErrc::unavailable, "transition batch not run"} : done.error();
        return std::vector<Expected<void, StoreError>>(
            writes, Expected<void, StoreError>(Unexpected(error)));
    }
    return std::move(r.write_results);
}

class QueuedBatch final : public MessageStore::PendingBatch {
public:
    QueuedBatch(sqlite::GroupWriter& writer, std::span<const TransitionWrite> writes,
                std::function<void()> done)
        : writer_(writer), size_(writes.size()) {
        request_.kind = sqlite::WriteRequest::Kind::transitions;
        request_.writes = writes;
        request_.on_done = std::move(done);
        writer_.start(request_);
    }
    QueuedBatch(const QueuedBatch&) = delete;
    QueuedBatch& operator=(const QueuedBatch&) = delete;
    ~QueuedBatch() override {
        if (!waited_) (void)writer_.wait(request_);  // the writer must be done with request_
    }
    bool ready() const override { return writer_.done(request_); }
    std::vector<Expected<void, StoreError>> wait() override {
        const auto done = writer_.wait(request_);
        waited_ = true;
        return batch_results(request_, done, size_);
    }

private:
    sqlite::GroupWriter& writer_;
    std::size_t size_;
    sqlite::WriteRequest request_;
    bool waited_ = false;
};

}  // namespace

std::vector<Expected<void, StoreError>> SqliteStore::transition_batch(
    std::span<const TransitionWrite> writes) {
    if (writes.empty()) return {};
    return QueuedBatch(*impl_->writer, writes, {}).wait();
}

std::unique_ptr<MessageStore::PendingBatch> SqliteStore::start_transition_batch(
    std::span<const TransitionWrite> writes, std::function<void()> done) {
    if (writes.empty()) return MessageStore::start_transition_batch(writes, std::move(done));
    return std::make_unique<QueuedBatch>(*impl_->writer, writes, std::move(done));
}

Expected<std::uint64_t, StoreError> SqliteStore::purge(SystemTime before) {
    // Chunk by chunk, each its own request: writers queued behind a purge wait for one chunk, not
    // for the whole purge.
    std::uint64_t total = 0;
    const std::uint32_t chunk = std::max<std::uint32_t>(impl_->config.purge_chunk, 1);
    for (;;) {
        sqlite::WriteRequest r;
        r.kind = sqlite::WriteRequest::Kind::purge;
        r.purge_before = sqlite::to_nanos(before);
        r.purge_limit = chunk;
        if (auto done = impl_->writer->submit(r); !done) return Unexpected(done.error());
        total += r.purged;
        if (r.purged < chunk) return total;
    }
}

// ---- credits ------------------------------------------------------------------------------------

Expected<CreditAccount, StoreError> SqliteStore::credit_open(std::string_view client,
                                                             CreditAmount initial,
                                                             CaptureOn capture, SystemTime at) {
    sqlite::WriteRequest r;
    r.kind = sqlite::WriteRequest::Kind::credit;
    r.credit_open = true;
    r.credit_client = client;
    r.credit_amount = initial;
    r.credit_capture = capture;
    r.credit_at = sqlite::to_nanos(at);
    if (auto done = impl_->writer->submit(r); !done) return Unexpected(done.error());
    return r.account;
}

Expected<void, StoreError> SqliteStore::write(const WriteWork& work, std::size_t rows) {
    sqlite::WriteRequest r;
    r.kind = sqlite::WriteRequest::Kind::work;
    r.work = &work;
    r.work_rows = std::max<std::size_t>(rows, 1);
    return impl_->writer->submit(r);
}

Expected<CreditAccount, StoreError> SqliteStore::credit_add(std::string_view client,
                                                            CreditAmount amount,
                                                            CaptureOn capture_if_new,
                                                            std::string note, SystemTime at) {
    sqlite::WriteRequest r;
    r.kind = sqlite::WriteRequest::Kind::credit;
    r.credit_client = client;
    r.credit_amount = amount;
    r.credit_capture = capture_if_new;
    r.credit_note = note;
    r.credit_at = sqlite::to_nanos(at);
    if (auto done = impl_->writer->submit(r); !done) return Unexpected(done.error());
    return r.account;
}

Expected<std::optional<CreditAccount>, StoreError> SqliteStore::credit_account(
    std::string_view client) {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(
        "SELECT balance, held, capture, updated_at FROM credit_accounts WHERE client = ?1");
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_text(use.get(), 1, client);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::optional<CreditAccount>();
    if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "credit account"));
    CreditAccount a;
    a.client = std::string(client);
    a.balance = sqlite3_column_int64(use.get(), 0);
    a.held = sqlite3_column_int64(use.get(), 1);
    const auto capture = parse_capture_on(sqlite::read_text(use.get(), 2));
    if (!capture) {
        return Unexpected(
            StoreError{StoreErrc::corrupt, "credit account " + a.client + ": capture"});
    }
    a.capture = *capture;
    a.updated_at = sqlite::from_nanos(sqlite3_column_int64(use.get(), 3));
    return std::optional<CreditAccount>(std::move(a));
}

Expected<std::vector<CreditEntry>, StoreError> SqliteStore::credit_ledger(std::string_view client,
                                                                          std::uint64_t after_seq,
                                                                          std::uint32_t limit) {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(
        "SELECT seq, message_id, kind, amount, at, note FROM credit_ledger WHERE client = ?1 AND "
        "seq > ?2 ORDER BY seq LIMIT ?3");
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_text(use.get(), 1, client);
    sqlite3_bind_int64(use.get(), 2,
                       static_cast<sqlite3_int64>(std::min<std::uint64_t>(after_seq, INT64_MAX)));
    sqlite3_bind_int64(use.get(), 3, limit == 0 ? 100 : limit);
    std::vector<CreditEntry> out;
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "credit ledger"));
        CreditEntry e;
        e.seq = static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 0));
        e.client = std::string(client);
        if (sqlite3_column_type(use.get(), 1) != SQLITE_NULL) {
            auto id = sqlite::read_id(use.get(), 1);
            if (!id) return Unexpected(std::move(id).error());
            e.message = *id;
        }
        const auto kind = parse_credit_kind(sqlite::read_text(use.get(), 2));
        if (!kind) return Unexpected(StoreError{StoreErrc::corrupt, "credit ledger kind"});
        e.kind = *kind;
        e.amount = sqlite3_column_int64(use.get(), 3);
        e.at = sqlite::from_nanos(sqlite3_column_int64(use.get(), 4));
        e.note = sqlite::read_text(use.get(), 5);
        out.push_back(std::move(e));
    }
}

Expected<std::vector<CreditAccount>, StoreError> SqliteStore::credit_accounts() {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(
        "SELECT client, balance, held, capture, updated_at FROM credit_accounts ORDER BY client");
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    std::vector<CreditAccount> out;
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "credit accounts"));
        CreditAccount a;
        a.client = sqlite::read_text(use.get(), 0);
        a.balance = sqlite3_column_int64(use.get(), 1);
        a.held = sqlite3_column_int64(use.get(), 2);
        const auto capture = parse_capture_on(sqlite::read_text(use.get(), 3));
        if (!capture) {
            return Unexpected(
                StoreError{StoreErrc::corrupt, "credit account " + a.client + ": capture"});
        }
        a.capture = *capture;
        a.updated_at = sqlite::from_nanos(sqlite3_column_int64(use.get(), 4));
        out.push_back(std::move(a));
    }
}

Expected<CreditMoves, StoreError> SqliteStore::credit_moves(std::uint64_t after_seq) {
    auto conn = impl_->reader();
    CreditMoves out;
    out.last_seq = after_seq;
    // One statement, so the sums and the last seq come from the same snapshot.
    auto prepared = conn->prepare(
        "SELECT client, kind, sum(max(amount, 0)), max(seq) FROM credit_ledger WHERE seq > ?1 "
        "GROUP BY client, kind ORDER BY client, kind");
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite3_bind_int64(use.get(), 1,
                       static_cast<sqlite3_int64>(std::min<std::uint64_t>(after_seq, INT64_MAX)));
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "credit moves"));
        CreditEntry e;
        e.client = sqlite::read_text(use.get(), 0);
        const auto kind = parse_credit_kind(sqlite::read_text(use.get(), 1));
        if (!kind) return Unexpected(StoreError{StoreErrc::corrupt, "credit ledger kind"});
        e.kind = *kind;
        e.amount = sqlite3_column_int64(use.get(), 2);
        out.last_seq =
            std::max(out.last_seq, static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 3)));
        out.sums.push_back(std::move(e));
    }
}

// ---- reads: a pooled reader connection each ----------------------------------------------------

Expected<std::optional<Message>, StoreError> SqliteStore::get(const MessageId& id) {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(select_message_sql());
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_id(use.get(), 1, id);
    auto rows = read_messages(*conn, use.get(), "get");
    if (!rows) return Unexpected(std::move(rows).error());
    if (rows->empty()) return std::optional<Message>();
    return std::optional<Message>(std::move(rows->front()));
}

namespace {

// A message's own history and the events table's rows for it, each in its own order, merged by
// time; on a tie the history's event comes first (a callback outcome recorded at the time of its
// transition comes after it).
std::vector<MessageEvent> merge_by_time(std::vector<MessageEvent> history,
                                        std::vector<MessageEvent> rows) {
    if (rows.empty()) return history;
    if (history.empty()) return rows;
    std::vector<MessageEvent> merged;
    merged.reserve(history.size() + rows.size());
    std::size_t h = 0;
    std::size_t r = 0;
    while (h < history.size() || r < rows.size()) {
        const bool take_row =
            h == history.size() || (r < rows.size() && rows[r].at < history[h].at);
        merged.push_back(std::move(take_row ? rows[r++] : history[h++]));
    }
    return merged;
}

Expected<std::vector<MessageEvent>, StoreError> read_events(Connection& conn, const MessageId& id) {
    std::vector<MessageEvent> history;
    {
        auto prepared = conn.prepare(kSelectHistory);
        if (!prepared) return Unexpected(std::move(prepared).error());
        StmtUse use(*prepared);
        sqlite::bind_id(use.get(), 1, id);
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_ROW) {
            if (auto r = sqlite::read_history(use.get(), 0, id, history); !r)
                return Unexpected(r.error());
        } else if (rc != SQLITE_DONE) {
            return Unexpected(conn.error(rc, "history"));
        }
    }
    std::vector<MessageEvent> rows;
    auto prepared = conn.prepare(select_events_sql());
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_id(use.get(), 1, id);
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) return merge_by_time(std::move(history), std::move(rows));
        if (rc != SQLITE_ROW) return Unexpected(conn.error(rc, "events"));
        auto e = sqlite::read_event(use.get());
        if (!e) return Unexpected(std::move(e).error());
        rows.push_back(std::move(*e));
    }
}

}  // namespace

// The message's history (migration 14) and the events table's rows (written before it, and by
// other tables' writers), in one read transaction: both from the same snapshot.
Expected<std::vector<MessageEvent>, StoreError> SqliteStore::events(const MessageId& id) {
    auto conn = impl_->reader();
    if (auto r = conn->exec("BEGIN", "events"); !r) return Unexpected(r.error());
    auto out = read_events(*conn, id);
    (void)conn->exec("COMMIT", "events");
    return out;
}

Expected<std::optional<SegmentRef>, StoreError> SqliteStore::find_by_provider_id(
    std::string_view provider, std::string_view key) {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(kFindProviderId);
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_text(use.get(), 1, provider);
    sqlite::bind_text(use.get(), 2, key);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::optional<SegmentRef>();
    if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "find by provider id"));
    auto id = sqlite::read_id(use.get(), 0);
    if (!id) return Unexpected(std::move(id).error());
    const auto segment = sqlite3_column_int64(use.get(), 1);
    if (segment < 0 || segment > 0xFFFFFFFFLL) {
        return Unexpected(StoreError{StoreErrc::corrupt, "provider id segment out of range"});
    }
    return std::optional<SegmentRef>(SegmentRef{*id, static_cast<std::uint32_t>(segment)});
}

namespace {

ReceiptLookup receipt_target(Connection& conn, std::string_view provider, std::string_view key) {
    auto prepared = conn.prepare(find_receipt_target_sql());
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_text(use.get(), 1, provider);
    sqlite::bind_text(use.get(), 2, key);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::optional<ReceiptTarget>();
    if (rc != SQLITE_ROW) return Unexpected(conn.error(rc, "find receipt target"));
    const auto segment = sqlite3_column_int64(use.get(), 0);
    if (segment < 0 || segment > 0xFFFFFFFFLL) {
        return Unexpected(StoreError{StoreErrc::corrupt, "provider id segment out of range"});
    }
    auto m = sqlite::read_message(use.get(), 1);
    if (!m) return Unexpected(std::move(m).error());
    ReceiptTarget target{SegmentRef{m->id, static_cast<std::uint32_t>(segment)}, std::move(*m)};
    return std::optional<ReceiptTarget>(std::move(target));
}

}  // namespace

Expected<std::optional<ReceiptTarget>, StoreError> SqliteStore::find_receipt_target(
    std::string_view provider, std::string_view key) {
    auto conn = impl_->reader();
    return receipt_target(*conn, provider, key);
}

std::vector<ReceiptLookup> SqliteStore::find_receipt_targets(
    std::span<const ReceiptQuery> queries) {
    std::vector<ReceiptLookup> out;
    out.reserve(queries.size());
    if (queries.empty()) return out;
    auto conn = impl_->reader();
    // One read transaction, as events() and load_active(). Without it each statement is its own
    // read (as find_receipt_target's): slower, not wrong.
    const bool together = conn->exec("BEGIN", "find receipt targets").has_value();
    for (const auto& q : queries) {
        out.push_back(first_receipt_target(q.keys, [&](const std::string& key) {
            return receipt_target(*conn, q.provider, key);
        }));
    }
    // A reader left inside a transaction would serve its next users an old snapshot.
    if (together && !conn->exec("COMMIT", "find receipt targets")) {
        (void)conn->exec("ROLLBACK", "find receipt targets");
    }
    return out;
}

Expected<StoredPage, StoreError> SqliteStore::list(const MessageQuery& query) {
    // The WHERE clause names only the filters present; each shape is one cached statement.
    std::string sql = std::string("SELECT ") + sqlite::kMessageColumns + " FROM messages WHERE 1";
    if (query.client) sql += " AND client = ?1";
    if (query.state) sql += " AND state = ?2";
    if (query.destination) sql += " AND destination = ?3";
    if (query.client_ref) {
        // The partial index on client_ref holds non-empty refs only.
        sql += query.client_ref->empty() ? " AND client_ref = ?4"
                                         : " AND client_ref = ?4 AND client_ref <> ''";
    }
    if (query.accepted_from) sql += " AND accepted_at >= ?5";
    if (query.accepted_to) sql += " AND accepted_at < ?6";
    if (query.after) sql += " AND id > ?7";
    sql += " ORDER BY id LIMIT ?8";
    const std::uint32_t limit = query.limit == 0 ? 100 : query.limit;

    auto conn = impl_->reader();
    auto prepared = conn->prepare(sql);
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite3_stmt* s = use.get();
    if (query.client) sqlite::bind_text(s, 1, *query.client);
    if (query.state) sqlite::bind_text(s, 2, to_string(*query.state));
    if (query.destination) sqlite::bind_text(s, 3, *query.destination);
    if (query.client_ref) sqlite::bind_text(s, 4, *query.client_ref);
    if (query.accepted_from) sqlite3_bind_int64(s, 5, sqlite::to_nanos(*query.accepted_from));
    if (query.accepted_to) sqlite3_bind_int64(s, 6, sqlite::to_nanos(*query.accepted_to));
    if (query.after) sqlite::bind_id(s, 7, *query.after);
    sqlite3_bind_int64(s, 8, static_cast<sqlite3_int64>(limit) + 1);
    auto rows = read_messages(*conn, s, "list");
    if (!rows) return Unexpected(std::move(rows).error());
    StoredPage page;
    if (rows->size() > limit) {
        rows->resize(limit);
        page.next = rows->back().id;
    }
    page.messages = std::move(*rows);
    return page;
}

Expected<std::uint64_t, StoreError> SqliteStore::count(MessageState state) {
    auto conn = impl_->reader();
    auto prepared = conn->prepare(kCountState);
    if (!prepared) return Unexpected(std::move(prepared).error());
    StmtUse use(*prepared);
    sqlite::bind_text(use.get(), 1, to_string(state));
    const int rc = sqlite3_step(use.get());
    if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "count"));
    return static_cast<std::uint64_t>(sqlite3_column_int64(use.get(), 0));
}

Expected<std::vector<Message>, StoreError> SqliteStore::load_active() {
    auto conn = impl_->reader();
    // One read transaction: every page sees the same snapshot.
    if (auto r = conn->exec("BEGIN", "load active"); !r) return Unexpected(r.error());
    std::vector<Message> out;
    std::optional<MessageId> after;
    for (;;) {
        auto page = impl_->active_page(*conn, after, 4096);
        if (!page) {
            (void)conn->exec("ROLLBACK", "load active");
            return Unexpected(std::move(page).error());
        }
        for (auto& m : page->messages) out.push_back(std::move(m));
        if (!page->next) break;
        after = page->next;
    }
    (void)conn->exec("COMMIT", "load active");
    return out;
}

Expected<StoredPage, StoreError> SqliteStore::load_active_page(std::optional<MessageId> after,
                                                               std::uint32_t limit) {
    auto conn = impl_->reader();
    return impl_->active_page(*conn, after, limit == 0 ? 100 : limit);
}

Expected<std::string, StoreError> SqliteStore::integrity_check() {
    auto conn = impl_->reader();
    auto prepared = conn->prepare("PRAGMA integrity_check");
    if (!prepared) return Unexpected(std::move(prepared).error());
    std::string report;
    {
        StmtUse use(*prepared);
        for (;;) {
            const int rc = sqlite3_step(use.get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "integrity_check"));
            if (!report.empty()) report += '\n';
            report += sqlite::read_text(use.get(), 0);
        }
    }
    auto fk = conn->prepare("PRAGMA foreign_key_check");
    if (!fk) return Unexpected(std::move(fk).error());
    StmtUse use(*fk);
    for (;;) {
        const int rc = sqlite3_step(use.get());
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Unexpected(conn->error(rc, "foreign_key_check"));
        report += "\nforeign key violation in " + sqlite::read_text(use.get(), 0) + " row " +
                  std::to_string(sqlite3_column_int64(use.get(), 1));
    }
    return report;
}

int SqliteStore::schema_version() const noexcept { return impl_->version; }

int SqliteStore::latest_schema_version() noexcept { return sqlite::latest_version(); }

SqliteStoreStats SqliteStore::stats() const {
    auto s = impl_->writer->stats();
    s.purged = impl_->purged.load();
    s.purge_failures = impl_->purge_failures.load();
    s.checkpoints = impl_->checkpointer.runs.load();
    s.writer_checkpoints = impl_->checkpointer.writer_runs.load();
    s.checkpoint_failures = impl_->checkpointer.failures.load();
    s.wal_pages = impl_->checkpointer.wal_pages.load(std::memory_order_relaxed);
    return s;
}

const std::string& SqliteStore::path() const noexcept { return impl_->config.path; }

}  // namespace bindery::router

namespace bindery::router {

Expected<void, StoreError> sqlite_execute(const std::string& path, const std::string& sql) {
    auto conn = sqlite::Connection::open(path, true);
    if (!conn) return Unexpected(std::move(conn).error());
    return (*conn)->exec(sql.c_str(), "execute");
}

}  // namespace bindery::router
