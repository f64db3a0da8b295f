#pragma once
// The router: acceptance, routing, scheduling, retries and receipt correlation around a
// MessageStore and a set of Providers. Does no I/O of its own and reads no clock: the owner calls
// poll(now, wall) on a timer and whenever the `wake` hook fires. Public members are thread-safe
// (one internal lock); providers may complete sends and deliver receipts from any thread (they
// land in an inbox that the next poll() drains). Hooks run under the router's lock: they must not
// call back into the router.
//
// State changes are batched: during a poll() every transition changes the message in memory and
// queues its write; at the end of the poll all of them go to the store in one
// MessageStore::transition_batch (one transaction, one fsync, grouped with concurrent
// acceptances). Side effects wait for that commit: a provider send (QUEUED -> SENDING is durable
// before the submit goes out), on_transition, a receipt's `settled`. A write the store refuses
// puts the message back as it was and retries its cause (docs/store.md, "Batched transitions").
// With RouterConfig::pipeline_writes, poll() hands its batch to the store and returns; the next
// poll prepares its own while that one commits, and completes it before handing on its own
// (docs/router.md, "Pipelined batches").

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "router/api/gateway_api.hpp"
#include "router/core/circuit_breaker.hpp"
#include "router/core/credits.hpp"
#include "router/core/error_class.hpp"
#include "router/core/message.hpp"
#include "router/core/message_store.hpp"
#include "router/core/phone_number.hpp"
#include "router/core/provider.hpp"
#include "router/core/random.hpp"
#include "router/core/receipts.hpp"
#include "router/core/retry.hpp"
#include "router/core/routing.hpp"
#include "router/core/scheduler.hpp"
#include "smpp/base/clock.hpp"

namespace bindery::router {

// The acceptance-time estimate of how a text will be sent. The composition root injects the GSM
// 7-bit / UCS-2 segment counter from smpp/codec/text; core does not depend on smpp/.
struct TextPlan {
    TextEncoding encoding = TextEncoding::gsm7;
    std::uint32_t segments = 1;
};
// Called concurrently from front-end threads: must be thread-safe (a pure function is).
// `forced`: the client's encoding choice, if any. Error: a reason for the client (e.g. "not valid
// UTF-8", "cannot be sent as gsm7").
using TextPlanner = std::function<Expected<TextPlan, std::string>(
    std::string_view utf8, std::optional<TextEncoding> forced)>;

struct AcceptanceConfig {
    PhoneNumberConfig numbers;
    std::chrono::seconds default_validity{std::chrono::hours(24)};
    std::chrono::seconds max_validity{std::chrono::hours(72)};
    std::chrono::seconds max_schedule_ahead{std::chrono::hours(24 * 30)};
    std::uint32_t max_segments = 10;
    std::size_t max_sender_length = 20;  // numeric senders; alphanumeric ones are at most 11
    std::size_t max_text_bytes = 4096;
};

struct BackpressureConfig {
    std::uint64_t high_watermark = 500'000;  // refuse new messages at this backlog...
    std::uint64_t low_watermark = 400'000;   // ...until it drains to this
    std::chrono::seconds retry_after{5};
};

struct RouterConfig {
    AcceptanceConfig acceptance;
    RoutingConfig routing;
    SchedulerConfig scheduler;
    RetryPolicy retry;
    BreakerConfig breaker;
    std::vector<StatusMapConfig> status_maps;  // overrides of StatusMap::defaults()
    PendingReceiptConfig pending_receipts;
    BackpressureConfig backpressure;
    CreditConfig credits;                // prices (a message's charge); accounts live in the store
    std::size_t dispatch_budget = 1000;  // sends started per poll()
    std::size_t refill_batch = 1000;     // messages read back from the store per poll()
    std::uint32_t recovery_page = 1000;  // messages read per store page by recover()
    // poll() does not wait for its batch's commit: the next poll() completes it (sends,
    // on_transition, settlements) after preparing its own, so the router's work and the store's
    // overlap. The wake hook is called when a batch's commit ends. The gateway turns it on.
    bool pipeline_writes = false;
    // QUEUED -> SENDING is committed before the submit goes out (true), or the submit goes out at
    // once and the change is stored with the message's next one (its send result: QUEUED -> SENT
    // in one write, both events in its history). Off saves the writer about a fifth of its work
    // per message (bench_store --lifecycle); the price is after a crash: a message whose submit
    // went out but whose result was not stored yet is sent again in both modes, but with this off
    // the store does not show it as maybe sent (it is QUEUED) and its attempt is not counted
    // (docs/store.md).
    bool record_dispatch = true;
    std::uint64_t seed = 0;  // ids and jitter; the app seeds from the OS
};

struct RouterStats {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;        // failed validation at acceptance
    std::uint64_t backpressured = 0;  // refused with backlog_full
    std::uint64_t dispatched = 0;     // sends handed to providers
    std::uint64_t sent = 0;
    std::uint64_t retries_scheduled = 0;
    std::uint64_t failed_perm = 0;
    std::uint64_t dead_lettered = 0;
    std::uint64_t cancelled = 0;      // cancelled by their client (GatewayApi::cancel)
    std::uint64_t receipts = 0;       // applied to a message
    std::uint64_t receipts_held = 0;  // arrived before their send result
    std::uint64_t unknown_receipts = 0;
    std::uint64_t store_errors = 0;
    std::uint64_t stale_results = 0;  // send results for messages no longer sending
    std::uint64_t commits = 0;        // transition batches written (one per poll with changes)
    std::uint64_t transitions = 0;    // transitions in those batches (committed or not)
    std::uint64_t max_batch = 0;      // most transitions in one batch
    // Messages waiting for dispatch in memory, by lane (index: Priority): the dispatch queue plus
    // those parked while every provider of their route is down. bindery_queue_depth{lane}.
    std::array<std::uint64_t, kPriorityCount> queued_by_lane{};
    // QUEUED messages held in the store only (memory bound reached); fed back by refill.
    std::uint64_t queued_in_store_only = 0;
};

struct RouterHooks {
    // Every recorded transition (delivery callbacks, metrics), once it is durable (acceptances
    // after their insert, the others after their batch committed). Runs under the router's lock.
    std::function<void(const Message&, const MessageEvent&)> on_transition;
    // A receipt no message could be found for (after the hold), or one the hold evicted.
    std::function<void(const Receipt&)> on_unknown_receipt;
    std::function<void(std::string_view provider, BreakerState)> on_breaker;
    std::function<void(const StoreError&)> on_store_error;
    // Work is waiting: call poll() soon. May be called from any thread, without the lock.
    std::function<void()> wake;
};

class Router final : public ReceiptSink {
public:
    Router(RouterConfig config, MessageStore& store, TextPlanner planner, RouterHooks hooks = {});
    ~Router() override;
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    // Providers outlive the router's use of them; register before recover()/poll(). `breaker`
    // replaces RouterConfig::breaker for this provider (a carrier's own thresholds and cool-down).
    void add_provider(Provider& provider, std::optional<BreakerConfig> breaker = std::nullopt);

    // Reload unfinished messages after a restart: SENDING ones (outcome unknown) count as a
    // failed attempt and are retried; expired ones go to the dead letter.
    Expected<void, StoreError> recover(TimePoint now, SystemTime wall);

    std::vector<SubmitOutcome> submit(std::span<const SubmitRequest> batch, TimePoint now,
                                      SystemTime wall);
    // Drain the inbox (send results, receipts), release due retries and schedules, expire,
    // dispatch.
    void poll(TimePoint now, SystemTime wall);
    // Waits for the batch a pipelined poll() left in flight and completes it (at shutdown, after
    // the last poll).
    void finish_writes(SystemTime wall);
    // Earliest retry / schedule / validity end, for the owner's timer.
    std::optional<SystemTime> next_due() const;

    Expected<MessageStatus, QueryError> status(const MessageId& id,
                                               std::optional<std::string_view> client);
    // GatewayApi::cancel. Takes the router's lock and writes CANCELLED before letting go of it
    // (one transition batch of its own), so a poll() cannot dispatch the message meanwhile: the
    // first of cancel and dispatch to take the lock wins (docs/router.md, "Cancelling").
    Expected<MessageStatus, ChangeError> cancel(const MessageId& id,
                                                std::optional<std::string_view> client,
                                                SystemTime wall);
    Expected<MessagePage, QueryError> list(const MessageQuery& query);
    Backpressure backpressure() const;
    // The client's credit as the store has it (unlimited when it has no account).
    Expected<CreditBalance, QueryError> balance(std::string_view client);
    // Operator top-up (negative: a correction), creating the account with the configured
    // capture mode when the client had none.
    Expected<CreditAccount, StoreError> add_credit(std::string_view client, CreditAmount amount,
                                                   std::string note, SystemTime wall);
    Expected<std::vector<CreditEntry>, StoreError> credit_ledger(std::string_view client,
                                                                 std::uint64_t after_seq,
                                                                 std::uint32_t limit);
    const PriceTable& prices() const noexcept { return prices_; }
    RouterStats stats() const;
    BreakerState breaker_state(std::string_view provider, TimePoint now);

    // router::ReceiptSink
    void on_receipt(Receipt receipt) override;

private:
    struct Inbox;
    struct ProviderSlot {
        Provider* provider = nullptr;
        CircuitBreaker breaker;
        BreakerState last_state = BreakerState::closed;
    };
    struct Timed {
        SystemTime at;
        MessageId id;
        bool operator>(const Timed& o) const noexcept {
            return at > o.at || (at == o.at && id > o.id);
        }
    };
    using TimedHeap = std::priority_queue<Timed, std::vector<Timed>, std::greater<>>;

    // A transition waiting for the end-of-poll commit.
    struct PendingWrite {
        TransitionWrite write;
        std::optional<Message> before;    // active message to put back when the write fails
        std::function<void()> on_commit;  // after it is durable
        std::function<void(const StoreError&)> on_fail;  // after `before` was put back
    };

    Expected<Message, SubmitError> validate(const SubmitRequest& request, SystemTime wall) const;
    // Changes `message` (an active one) now and queues its write; callers go on as if stored.
    void record(Message& message, MessageState to, SystemTime wall, std::string detail,
                std::function<void()> on_commit = {},
                std::function<void(const StoreError&)> on_fail = {});
    // The same, for a caller that already changed other fields of `message`: `before` is the
    // message as stored, put back if the write fails. `leaving`: the caller forgets `message`
    // next (SENT, FAILED_PERM), so the write takes it instead of a copy.
    void record_from(Message before, Message& message, MessageState to, SystemTime wall,
                     std::string detail, std::function<void()> on_commit = {},
                     std::function<void(const StoreError&)> on_fail = {}, bool leaving = false);
    // A receipt's change to a message that is not active (SENT or final).
    void record_receipt(Message next, MessageState from, MessageEvent event, Receipt receipt);
    // Writes the queued transitions and runs their completions (which may queue more). With
    // `lock` (poll's), the lock is let go while the store commits: acceptance (submit) and
    // status reads go on meanwhile; cancel() waits for the write to end (flushing_).
    // `to_the_end`: also with pipeline_writes, return with nothing in flight or queued.
    void flush(SystemTime wall, std::unique_lock<std::mutex>* lock = nullptr,
               bool to_the_end = false);
    // writes_ to the store as the batch in flight (at most one); without `lock` meanwhile.
    void start_batch(std::unique_lock<std::mutex>* lock);
    // f() without `lock` (poll's), if given; flushing_ is set meanwhile.
    template <class F>
    decltype(auto) without_lock(std::unique_lock<std::mutex>* lock, F&& f);
    // Waits for the batch in flight (without `lock` meanwhile, if given) and completes it: the
    // completions of its committed writes, the put-backs of its failed ones, and the failure of
    // the writes queued since that build on a failed one (drop_chained).
    void finish_batch(SystemTime wall, std::unique_lock<std::mutex>* lock);
    void drop_chained(std::size_t queued,
                      const std::unordered_map<MessageId, StoreError, MessageIdHash>& failed);
    void restore(const Message& before, SystemTime wall);
    static void settle(Receipt& receipt, bool recorded);
    // Into the dispatch queue, or into delayed_ until its schedule_at (counted in
    // scheduled_waiting_). Invariant: an active QUEUED message has schedule_at set only while it
    // is counted there (a schedule already due is cleared here, in memory).
    void enqueue(const MessageId& id, SystemTime wall);
    void forget(const MessageId& id);
    void dead_letter(Message& message, SystemTime wall, std::string why);
    // What the store has for a receipt's id: the first of its keys that finds a segment. Reads the
    // store only (no router state): a receipt that poll() did not look up with the others (one
    // retried, or released from the hold).
    ReceiptLookup lookup_receipt(const Receipt& receipt) const;

    void handle_result(const MessageId& id, std::uint32_t attempt, std::string provider,
                       SendResult result, TimePoint now, SystemTime wall);
    // `looked_up`: the receipt's lookup_receipt, when it was done before (without the lock).
    void handle_receipt(Receipt receipt, TimePoint now, SystemTime wall, bool from_hold,
                        std::optional<ReceiptLookup> looked_up = std::nullopt);
    void release_due(SystemTime wall);
    void expire(SystemTime wall);
    void unpark(TimePoint now);
    void refill(SystemTime wall);
    void dispatch(TimePoint now, SystemTime wall);
    bool available(std::string_view provider, TimePoint now);
    void note_breaker(ProviderSlot& slot, TimePoint now);
    void store_failed(const StoreError& error);
    void update_accepting();
    // Waiting to be sent: in memory (less those scheduled for later), in the store only, or being
    // inserted.
    std::uint64_t backlog_locked() const noexcept {
        return active_.size() - scheduled_waiting_ + spilled_ + inserting_;
    }
    MessageStatus to_status(const Message& message) const;

    RouterConfig config_;
    MessageStore& store_;
    TextPlanner planner_;
    RouterHooks hooks_;
    PhoneNumberNormalizer numbers_;
    RoutingTable routing_;
    StatusMap status_map_;
    PriceTable prices_;
    FairScheduler scheduler_;
    PendingReceipts pending_;
    MessageIdGenerator ids_;
    Rng jitter_;

    mutable std::mutex mutex_;
    std::shared_ptr<Inbox> inbox_;
    std::map<std::string, ProviderSlot, std::less<>> providers_;
    // Messages the router is working on: ACCEPTED, QUEUED, SENDING, FAILED_TEMP held in memory.
    std::unordered_map<MessageId, Message, MessageIdHash> active_;
    TimedHeap delayed_;  // schedule_at / next_attempt_at
    TimedHeap expiry_;   // expires_at
    std::map<std::string, std::deque<std::pair<MessageId, Priority>>, std::less<>>
        parked_;  // route -> waiting
    std::size_t parked_count_ = 0;
    std::array<std::size_t, kPriorityCount> parked_by_lane_{};
    std::size_t inserting_ = 0;
    std::size_t scheduled_waiting_ = 0;  // in active_ and delayed_ until their schedule_at   //
                                         // accepted, being written by insert_batch outside the lock
    std::uint64_t spilled_ = 0;          // QUEUED in the store only (memory queue was full)
    std::optional<MessageId> refill_cursor_;
    std::vector<Receipt> receipt_retry_;  // receipts the store could not take; next poll
    std::vector<PendingWrite> writes_;    // this poll's transitions, written by flush()
    // The batch handed to the store and not completed yet (pipeline_writes).
    struct InFlight {
        std::uint64_t number = 0;
        std::vector<PendingWrite> batch;      // completions (their `write` moved to `writes`)
        std::vector<TransitionWrite> writes;  // borrowed by the store until it is done
        std::unique_ptr<MessageStore::PendingBatch> pending;
    };
    std::unique_ptr<InFlight> in_flight_;
    // Dispatches not recorded (record_dispatch off): SENDING in memory, QUEUED in the store. The
    // message's next write takes its event (TransitionWrite::earlier); a failed write puts it back.
    std::unordered_map<MessageId, MessageEvent, MessageIdHash> unrecorded_;
    std::uint64_t next_batch_ = 1;  // the number writes_ will have as a batch
    // Messages changed by a receipt whose write is not committed yet (not active; the store may
    // still have them as before): receipts build on these. Entries go when their batch ends.
    struct Overlaid {
        Message message;
        std::uint64_t batch = 0;
    };
    std::unordered_map<MessageId, Overlaid, MessageIdHash> receipt_overlay_;
    bool store_trouble_ = false;  // the last batch failed: dispatch one message per poll
    bool flushing_ = false;       // poll is in a store call without the lock (a commit, lookups)
    std::condition_variable flushed_;
    std::optional<StoreError> recovery_error_;
    bool accepting_ = true;
    RouterStats stats_;
};

// GatewayApi over a Router, reading the clocks it is given (the app passes the real ones).
class RouterGateway final : public GatewayApi {
public:
    RouterGateway(Router& router, std::function<TimePoint()> steady_now,
                  std::function<SystemTime()> wall_now)
        : router_(router), steady_now_(std::move(steady_now)), wall_now_(std::move(wall_now)) {}

    // router::GatewayApi
    std::vector<SubmitOutcome> submit(std::span<const SubmitRequest> batch) override;
    Expected<MessageStatus, QueryError> status(const MessageId& id,
                                               std::optional<std::string_view> client) override;
    Expected<MessageStatus, ChangeError> cancel(const MessageId& id,
                                                std::optional<std::string_view> client) override;
    Expected<MessagePage, QueryError> list(const MessageQuery& query) override;
    Backpressure backpressure() const override;
    Expected<CreditBalance, QueryError> balance(std::string_view client) override;
    Expected<CreditBalance, QueryError> add_credit(std::string_view client, std::int64_t amount,
                                                   std::string note) override;
    Expected<std::vector<CreditLedgerEntry>, QueryError> credit_ledger(
        std::string_view client, std::uint64_t after_seq, std::uint32_t limit) override;

private:
    Router& router_;
    std::function<TimePoint()> steady_now_;
    std::function<SystemTime()> wall_now_;
};

}  // namespace bindery::router
