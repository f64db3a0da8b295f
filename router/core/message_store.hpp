#pragma once
// The durable store behind the router. Narrow on purpose: the SQLite store implements it first; a
// PostgreSQL one should need nothing more. Implementations are thread-safe and never throw.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "router/api/gateway_api.hpp"
#include "router/core/credits.hpp"
#include "router/core/message.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

enum class StoreErrc : std::uint8_t {
    unavailable,  // cannot reach / open / write (disk full, locked too long, connection lost)
    conflict,     // transition's `from` did not match the stored state
    not_found,
    duplicate,            // insert of an id that exists
    corrupt,              // a row that cannot be read back
    insufficient_credit,  // a metered client's balance cannot cover the charge (nothing stored)
};
std::string_view to_string(StoreErrc e) noexcept;

struct StoreError {
    StoreErrc code = StoreErrc::unavailable;
    std::string detail;
};

// A segment a provider id belongs to.
struct SegmentRef {
    MessageId id;
    std::uint32_t segment = 0;
};

// A receipt's target: the segment and the message it belongs to.
struct ReceiptTarget {
    SegmentRef ref;
    Message message;
};

// One receipt's look-up for MessageStore::find_receipt_targets: its provider and its id's lookup
// keys (receipt_id_keys(): the id's provider_id_keys(), or its provider_id_key() alone for an exact
// receipt), tried in order.
struct ReceiptQuery {
    std::string_view provider;
    std::span<const std::string> keys;
};

// What a receipt's look-up found: its target, nothing (nullopt), or the store's error.
using ReceiptLookup = Expected<std::optional<ReceiptTarget>, StoreError>;

// The target of the first of `keys` that `lookup(key)` (a find_receipt_target) finds; an error
// ends the search with it.
template <class Lookup>
ReceiptLookup first_receipt_target(std::span<const std::string> keys, Lookup&& lookup) {
    ReceiptLookup found{std::optional<ReceiptTarget>()};
    for (const auto& key : keys) {
        found = lookup(key);
        if (!found || *found) break;
    }
    return found;
}

struct StoredPage {
    std::vector<Message> messages;  // ascending id
    std::optional<MessageId> next;
};

// One compare-and-set of a transition batch (see MessageStore::transition).
struct TransitionWrite {
    Message next;
    MessageState from = MessageState::accepted;
    std::optional<MessageEvent> event;
    // A change made before `event` that was never stored on its own, appended first: the
    // dispatch (QUEUED -> SENDING) when the router does not record dispatches
    // (RouterConfig::record_dispatch). `from` is then the state before it (earlier->from), and
    // the write takes the message from there to next.state in one compare-and-set.
    std::optional<MessageEvent> earlier =
        std::nullopt;  // brace-initialised writes may leave it out
};

class MessageStore {
public:
    virtual ~MessageStore() = default;

    // All or nothing, in one transaction (the implementation may group commit several callers'
    // batches). Each message's first event (ACCEPTED -> QUEUED or similar) goes with it.
    // Credits: for every client of the batch that has a credit account, each message's `charge`
    // is held (balance -> held, one `hold` ledger entry per message) in the same transaction; when
    // the balance cannot cover the client's messages of the batch, the whole batch is refused
    // with insufficient_credit and nothing is stored.
    virtual Expected<void, StoreError> insert_batch(std::span<const Message> messages,
                                                    std::span<const MessageEvent> events) = 0;

    // Recovery: every message not in a final state and not SENT (SENT ones wait for receipts,
    // found through find_by_provider_id), ascending id.
    virtual Expected<std::vector<Message>, StoreError> load_active() = 0;

    // Atomically: if the stored state of next.id is `from`, store `next` (whole row, including its
    // new state, attempts, provider, segments and their provider ids) and append `event`;
    // otherwise StoreErrc::conflict and nothing changes. `from == next.state` is allowed for
    // updates that do not change the state (segment verdicts), with or without an event.
    // Credits: a state change that closes the message's open hold (credit_action() with the
    // capture mode recorded at the hold) captures or releases it in the same transaction.
    virtual Expected<void, StoreError> transition(const Message& next, MessageState from,
                                                  std::optional<MessageEvent> event) = 0;

    // Many transitions, committed together (one transaction, one fsync): one result per write, in
    // order, each known durable when this returns. Each write is the compare-and-set of
    // transition(); a refused write (conflict, not_found) does not fail the others, and writes for
    // the same message apply in order (a later one sees an earlier one's state). An environmental
    // failure (unavailable) fails every write of the batch. Default: transition() one by one.
    virtual std::vector<Expected<void, StoreError>> transition_batch(
        std::span<const TransitionWrite> writes);

    // transition_batch without waiting for it: the caller goes on while the store commits and
    // collects the results with wait(). `writes` must stay alive and unchanged until wait()
    // returned (or the handle is destroyed, which waits too). `done` is called once, from any
    // thread, when the results are ready (before wait() can return); it must not call into the
    // store. Default: runs transition_batch() at once and returns a ready handle.
    class PendingBatch {
    public:
        virtual ~PendingBatch() = default;
        virtual bool ready() const = 0;
        virtual std::vector<Expected<void, StoreError>> wait() = 0;
    };
    virtual std::unique_ptr<PendingBatch> start_transition_batch(
        std::span<const TransitionWrite> writes, std::function<void()> done);

    // Recovery a page at a time, so a large backlog need not be held at once: the messages
    // load_active() returns with ids after `after`, at most `limit`, ascending; `next` is set when
    // there may be more. Default: slices load_active().
    virtual Expected<StoredPage, StoreError> load_active_page(std::optional<MessageId> after,
                                                              std::uint32_t limit);

    virtual Expected<std::optional<Message>, StoreError> get(const MessageId& id) = 0;
    virtual Expected<std::vector<MessageEvent>, StoreError> events(const MessageId& id) = 0;

    // The segment whose provider id has lookup key `key` (see provider_id_keys()), among messages
    // sent through `provider`. Implementations index every key of every stored segment id.
    virtual Expected<std::optional<SegmentRef>, StoreError> find_by_provider_id(
        std::string_view provider, std::string_view key) = 0;
    // find_by_provider_id and get of what it found, in one read where the store can (every
    // receipt asks); nullopt when either finds nothing.
    virtual Expected<std::optional<ReceiptTarget>, StoreError> find_receipt_target(
        std::string_view provider, std::string_view key) {
        auto ref = find_by_provider_id(provider, key);
        if (!ref) return Unexpected(std::move(ref).error());
        if (!*ref) return std::optional<ReceiptTarget>();
        auto message = get((*ref)->id);
        if (!message) return Unexpected(std::move(message).error());
        if (!*message) return std::optional<ReceiptTarget>();
        return std::optional<ReceiptTarget>(ReceiptTarget{**ref, std::move(**message)});
    }

    // find_receipt_target for each query: the target of its first key that has one (nullopt: no
    // key has). An error fails its query only. As one read where the store can (SQLite: one read
    // transaction on one connection, instead of one each): the router looks up every receipt of
    // a poll at once. Default: find_receipt_target per key.
    virtual std::vector<ReceiptLookup> find_receipt_targets(std::span<const ReceiptQuery> queries);

    // Filters from MessageQuery (client, state, destination, client_ref, accepted range, cursor,
    // limit); ascending id.
    virtual Expected<StoredPage, StoreError> list(const MessageQuery& query) = 0;

    // Number of messages in `state` (for the backlog figure after recovery).
    virtual Expected<std::uint64_t, StoreError> count(MessageState state) = 0;

    // Delete messages in a final state last updated before `before`, with their events and ids.
    // The credit ledger is kept.
    virtual Expected<std::uint64_t, StoreError> purge(SystemTime before) = 0;

    // ---- credits (router/core/credits.hpp). Defaults: unavailable ("no credit support"). ----
    // Makes `client` metered: creates its account with `initial` balance (a `topup` ledger entry)
    // when it has none; an existing account keeps its balance and takes `capture`.
    virtual Expected<CreditAccount, StoreError> credit_open(std::string_view client,
                                                            CreditAmount initial, CaptureOn capture,
                                                            SystemTime at);
    // Adds `amount` (negative: a correction) to the balance with a `topup` entry, creating the
    // account (with `capture_if_new`) when missing. insufficient_credit when the balance would
    // fall below zero.
    virtual Expected<CreditAccount, StoreError> credit_add(std::string_view client,
                                                           CreditAmount amount,
                                                           CaptureOn capture_if_new,
                                                           std::string note, SystemTime at);
    // The account, or nullopt for an unlimited (unmetered) client.
    virtual Expected<std::optional<CreditAccount>, StoreError> credit_account(
        std::string_view client);
    // Ledger entries of `client` with seq > after_seq, ascending, at most `limit` (0: 100).
    virtual Expected<std::vector<CreditEntry>, StoreError> credit_ledger(std::string_view client,
                                                                         std::uint64_t after_seq,
                                                                         std::uint32_t limit);
};

// Everything in maps: for tests and for running without persistence. Thread-safe.
class InMemoryStore final : public MessageStore {
public:
    InMemoryStore();
    ~InMemoryStore() override;

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
    Expected<StoredPage, StoreError> list(const MessageQuery& query) override;
    Expected<std::uint64_t, StoreError> count(MessageState state) override;
    Expected<std::uint64_t, StoreError> purge(SystemTime before) override;
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

    // Test hook: fail every call with `unavailable` while set.
    void set_unavailable(bool unavailable);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bindery::router
