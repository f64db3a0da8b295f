#pragma once
// Group commit: every write of the store (insert_batch, transition, a purge chunk) becomes a
// WriteRequest handed to one writer thread. The writer takes everything queued (up to a row cap),
// applies the requests in one IMMEDIATE transaction, COMMITs once, and only then wakes each caller
// with its own result. A failed COMMIT fails every request of the group: nothing is acknowledged
// that is not durable.
//
// One caller's refusal must not fail the others. Each request checks what can refuse it (an
// existing id, the stored state) before its first write, so a refusal leaves the transaction
// untouched. A failure after a request's first write (which validation should make impossible
// for logical errors) rolls the transaction back and the group is run again without that request;
// an environmental failure there (disk full, I/O error) fails the rest of the group with it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "router/store/sqlite_db.hpp"
#include "router/store/sqlite_store.hpp"

namespace bindery::router::sqlite {

struct WriteRequest {
    enum class Kind : std::uint8_t { insert, transition, transitions, purge, credit, work };
    Kind kind = Kind::insert;
    // insert: borrowed from the blocked caller
    std::span<const Message> messages;
    std::span<const MessageEvent> events;
    // transition
    const Message* next = nullptr;
    MessageState from = MessageState::accepted;
    const MessageEvent* event = nullptr;
    // transitions: borrowed; one result each (a refused write does not fail the request)
    std::span<const TransitionWrite> writes;
    std::vector<Expected<void, StoreError>> write_results;
    // purge: one chunk of at most purge_limit messages
    std::int64_t purge_before = 0;
    std::uint32_t purge_limit = 0;
    std::uint64_t purged = 0;
    // credit: open an account (credit_open) or add to one (credit_add); the account after it
    bool credit_open = false;
    std::string_view credit_client;
    CreditAmount credit_amount = 0;
    CaptureOn credit_capture = CaptureOn::delivered;
    std::string_view credit_note;
    std::int64_t credit_at = 0;
    CreditAccount account;
    // work: a write of another table of the same file (SqliteStore::write), `work_rows` rows
    // towards the group's cap; it sets `wrote` on its first change, as apply does.
    const std::function<Expected<void, StoreError>(Connection&, bool& wrote)>* work = nullptr;
    std::size_t work_rows = 1;

    Expected<void, StoreError> result;
    bool done = false;
    std::condition_variable cv;
    // Called by the writer thread, under its lock, just before `done` is set (start()): must be
    // quick and must not call into the writer.
    std::function<void()> on_done;

    std::size_t rows() const noexcept;
};

class GroupWriter {
public:
    GroupWriter(std::unique_ptr<Connection> conn, std::chrono::microseconds window,
                std::size_t max_rows);
    // Runs every queued request, then stops the thread.
    ~GroupWriter();
    GroupWriter(const GroupWriter&) = delete;
    GroupWriter& operator=(const GroupWriter&) = delete;

    // Queues `r` and blocks until its group committed (or failed). Never throws.
    Expected<void, StoreError> submit(WriteRequest& r);
    // The same in two halves: start() queues `r` (which must stay alive until wait() returned)
    // and returns at once; a request start() refused (writer closing) is done already.
    void start(WriteRequest& r);
    bool done(const WriteRequest& r) const;
    Expected<void, StoreError> wait(WriteRequest& r);
    SqliteStoreStats stats() const;

private:
    void run();
    void run_group(std::span<WriteRequest* const> group);
    // `wrote` tells whether the request changed anything before it failed.
    Expected<void, StoreError> apply(WriteRequest& r, bool& wrote);
    Expected<void, StoreError> apply_insert(const WriteRequest& r, bool& wrote);
    Expected<void, StoreError> apply_transition(const WriteRequest& r, bool& wrote);
    Expected<void, StoreError> apply_transitions(WriteRequest& r, bool& wrote);
    Expected<void, StoreError> transition_one(const Message& next, MessageState from,
                                              const MessageEvent* event, bool& wrote,
                                              const MessageEvent* earlier = nullptr);
    Expected<void, StoreError> apply_purge(WriteRequest& r, bool& wrote);
    Expected<void, StoreError> apply_credit(WriteRequest& r, bool& wrote);
    // The account of `client`, nullopt when it is unmetered.
    Expected<std::optional<CreditAccount>, StoreError> account(std::string_view client);
    // Whether any client has a credit account (run once per group: `metered_`).
    Expected<bool, StoreError> any_account();
    // Moves the open hold of `id` as a transition into `to` requires (credits.hpp).
    Expected<void, StoreError> settle_hold(const MessageId& id, MessageState to, std::int64_t at);
    Expected<void, StoreError> ledger(std::string_view client, const MessageId* id, CreditKind kind,
                                      CreditAmount amount, std::int64_t at, std::string_view note);
    Expected<bool, StoreError> exists(const MessageId& id);
    Expected<void, StoreError> index_provider_ids(const Message& m);
    // Deletes the message's provider-id index rows, if it has any.
    Expected<void, StoreError> unindex_provider_ids(const MessageId& id);
    Expected<void, StoreError> step_done(std::string_view sql, std::string_view what,
                                         sqlite3_stmt*& stmt);
    Expected<void, StoreError> run_simple(std::string_view sql, std::string_view what);

    std::unique_ptr<Connection> conn_;
    sqlite3_stmt* exists_ = nullptr;  // cached in conn_
    const std::chrono::microseconds window_;
    const std::size_t max_rows_;
    bool metered_ = true;  // some client has a credit account (refreshed per group)

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<WriteRequest*> queue_;
    std::size_t queued_rows_ = 0;
    bool stopping_ = false;
    SqliteStoreStats stats_;
    std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace bindery::router::sqlite
