#pragma once
// The durable MessageStore: one SQLite file in WAL mode. Writes from every thread go through one
// writer thread that commits many callers' work per transaction (group commit) and wakes each
// caller only after COMMIT returned; reads use a small pool of separate connections (WAL readers
// do not block the writer). docs/store.md has the schema, the durability choice and recovery.
// This header does not include sqlite3.h.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "router/core/message_store.hpp"

namespace bindery::router {

namespace sqlite {
class Connection;
}

// PRAGMA synchronous in WAL mode. full: every COMMIT waits for the WAL fsync, so an acknowledged
// acceptance survives power loss and an OS crash. normal: the WAL is synced only at checkpoints,
// so acknowledged work survives a process crash (kill -9) but the last commits can be lost with
// power. off: never synced (tests, throwaway nodes).
enum class SqliteSync : std::uint8_t { off, normal, full };

struct SqliteStoreConfig {
    std::string path;  // created when missing
    SqliteSync synchronous = SqliteSync::full;
    std::chrono::milliseconds busy_timeout{5000};  // waiting for another connection's lock
    // Extra time the writer waits after the first request of a group for more to join. 0: none;
    // groups still form on their own from callers that arrive while a commit is in flight.
    std::chrono::microseconds commit_window{0};
    std::size_t max_group_rows = 20'000;  // rows (messages + events) per group commit, soft cap
    std::size_t readers = 2;              // read connections
    std::size_t writer_cache_kib = std::size_t{64} * 1024;  // page cache of the writer connection
    std::size_t reader_cache_kib = std::size_t{8} * 1024;   // page cache of each reader
    std::uint32_t purge_chunk = 1000;  // messages deleted per transaction by purge()
    // Retention: when set, a background thread purges messages that finished (final state) more
    // than `retention` ago, every `purge_interval` (first run one interval after open). Unset:
    // the owner calls purge() itself.
    std::optional<std::chrono::milliseconds> retention;
    std::chrono::milliseconds purge_interval{std::chrono::minutes(1)};
    std::uint64_t max_size_bytes = 0;  // 0: unlimited; above it writes fail with unavailable
    int migrate_to = 0;                // stop migrations at this version (0: latest); tests
};

// Ledger amounts recorded after a sequence number, summed per client and kind: what the credit
// counters (bindery_credit_*_total) advance by on a scrape.
struct CreditMoves {
    std::uint64_t last_seq = 0;  // the highest seq read (the `after_seq` asked when none)
    // client, kind, amount (the sum of the positive amounts: a negative top-up, a correction, is
    // left out); seq/message/at/note unset.
    std::vector<CreditEntry> sums;
};

struct SqliteStoreStats {
    std::uint64_t commits = 0;    // group transactions committed
    std::uint64_t requests = 0;   // insert/transition/purge requests committed or refused
    std::uint64_t max_group = 0;  // most requests seen in one group
    std::uint64_t failed_commits = 0;
    std::uint64_t writer_cpu_ns = 0;        // CPU time of the writer thread (its capacity figure)
    std::uint64_t purged = 0;               // messages removed by the retention thread
    std::uint64_t purge_failures = 0;       // retention runs that stopped on an error
    std::uint64_t checkpoints = 0;          // WAL checkpoints by the checkpoint thread
    std::uint64_t writer_checkpoints = 0;   // by the writer, past 10,000 WAL pages
    std::uint64_t checkpoint_failures = 0;  // failed other than busy (disk full, I/O error)
    std::uint64_t wal_pages = 0;            // WAL length after the last commit
};

// Another table the retention thread keeps trimmed, beside the finished messages: alert records
// (SqliteAlerts::purge), ... `purge` deletes the rows older than `before` and returns how many;
// it runs on the retention thread, after the messages' purge, with `before` = wall clock now -
// `retention`. An error is counted and the next run tries again.
struct RetentionTask {
    std::string records;  // what it purges, for stats and logs ("alerts")
    std::chrono::milliseconds retention{std::chrono::hours(24 * 30)};
    std::function<Expected<std::uint64_t, std::string>(SystemTime before)> purge;
};

struct RetentionTaskStats {
    std::string records;
    std::uint64_t runs = 0;      // purges that succeeded
    std::uint64_t purged = 0;    // rows removed
    std::uint64_t failures = 0;  // purges that returned an error
};

class SqliteStore final : public MessageStore {
public:
    // Opens or creates the file, applies migrations, starts the writer. Errors are unavailable
    // (cannot open, read-only, locked, newer schema) or corrupt (not a database) with a detail
    // naming the file.
    static Expected<std::unique_ptr<SqliteStore>, StoreError> open(const SqliteStoreConfig& config);
    // Finishes every queued request, stops the writer and closes the connections.
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    // router::MessageStore
    Expected<void, StoreError> insert_batch(std::span<const Message> messages,
                                            std::span<const MessageEvent> events) override;
    Expected<std::vector<Message>, StoreError> load_active() override;
    Expected<void, StoreError> transition(const Message& next, MessageState from,
                                          std::optional<MessageEvent> event) override;
    Expected<std::optional<Message>, StoreError> get(const MessageId& id) override;
    Expected<std::vector<MessageEvent>, StoreError> events(const MessageId& id) override;
    Expected<std::optional<SegmentRef>, StoreError> find_by_provider_id(
        std::string_view provider, std::string_view key) override;
    // One statement (provider_ids joined to messages), one read transaction.
    Expected<std::optional<ReceiptTarget>, StoreError> find_receipt_target(
        std::string_view provider, std::string_view key) override;
    // The same statement for every key, in one read transaction on one reader connection: one
    // snapshot, and its pages read once (a reader's page cache is dropped at the start of each
    // read transaction that finds the WAL changed, which under load is each one).
    std::vector<ReceiptLookup> find_receipt_targets(std::span<const ReceiptQuery> queries) override;
    Expected<StoredPage, StoreError> list(const MessageQuery& query) override;
    Expected<std::uint64_t, StoreError> count(MessageState state) override;
    Expected<std::uint64_t, StoreError> purge(SystemTime before) override;
    // One writer request: the batch joins the group commit with everyone else's writes.
    std::vector<Expected<void, StoreError>> transition_batch(
        std::span<const TransitionWrite> writes) override;
    // Queued to the writer (it joins the next group commit) without waiting for it.
    std::unique_ptr<PendingBatch> start_transition_batch(std::span<const TransitionWrite> writes,
                                                         std::function<void()> done) override;
    // load_active() one page at a time, so recovery of a large backlog need not hold it all.
    Expected<StoredPage, StoreError> load_active_page(std::optional<MessageId> after,
                                                      std::uint32_t limit) override;
    Expected<CreditAccount, StoreError> credit_open(std::string_view client, CreditAmount initial,
                                                    CaptureOn capture, SystemTime at) override;
    Expected<CreditAccount, StoreError> credit_add(std::string_view client, CreditAmount amount,
                                                   CaptureOn capture_if_new, std::string note,
                                                   SystemTime at) override;
    Expected<std::optional<CreditAccount>, StoreError> credit_account(
        std::string_view client) override;
    Expected<std::vector<CreditEntry>, StoreError> credit_ledger(std::string_view client,
                                                                 std::uint64_t after_seq,
                                                                 std::uint32_t limit) override;

    // Extensions (not in MessageStore):
    // Every credit account, by client name (one row per metered client: small).
    Expected<std::vector<CreditAccount>, StoreError> credit_accounts();
    // Ledger entries with seq > after_seq, summed by client and kind (a range scan of the ledger's
    // primary key, so a scrape reads only what is new). credit_moves(0).last_seq: the ledger's end.
    Expected<CreditMoves, StoreError> credit_moves(std::uint64_t after_seq);
    // PRAGMA integrity_check plus foreign_key_check: "ok" or SQLite's findings.
    Expected<std::string, StoreError> integrity_check();
    int schema_version() const noexcept;
    static int latest_schema_version() noexcept;

    // A write of another table of the same file (the delivery-callback outbox): `work` runs on
    // the writer thread inside the next group's transaction, and write returns once that
    // transaction committed or failed. Such writes share the messages' commits instead of taking
    // the file's write lock on a connection of their own: a commit by any other connection makes
    // the writer drop its whole page cache (WAL) and read every page it touches again. `work`
    // must check what can refuse it before its first change and set `wrote` then (as the
    // store's own writes do), and it may run more than once when another request of the group
    // fails after writing and the group is rolled back and run again, so it starts from scratch
    // each time. `rows` counts towards the group's row cap.
    using WriteWork = std::function<Expected<void, StoreError>(sqlite::Connection&, bool& wrote)>;
    Expected<void, StoreError> write(const WriteWork& work, std::size_t rows);

    SqliteStoreStats stats() const;
    // Runs `task` on the retention thread every purge_interval (the first run one interval after
    // this call), starting that thread when `retention` is unset. Thread-safe.
    void add_retention_task(RetentionTask task);
    // One entry per added task, in the order added.
    std::vector<RetentionTaskStats> retention_stats() const;
    const std::string& path() const noexcept;

private:
    struct Impl;
    explicit SqliteStore(std::unique_ptr<Impl> impl);
    void run_retention();
    std::unique_ptr<Impl> impl_;
};

}  // namespace bindery::router

namespace bindery::router {

// Maintenance: runs `sql` against the database file at `path` on a connection of its own (the
// file is created when missing). For admin tools and tests that need to shape a file by hand;
// not for use while a SqliteStore has the file open for writing.
Expected<void, StoreError> sqlite_execute(const std::string& path, const std::string& sql);

}  // namespace bindery::router
