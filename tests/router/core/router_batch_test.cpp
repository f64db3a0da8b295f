// Batched transitions: one store commit per poll, side effects (provider sends, on_transition,
// receipt settlement) only after that commit, a failed commit loses nothing, and recovery pages a
// backlog larger than memory.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "router/core/router.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

// An InMemoryStore that counts how it is written and can refuse the next transition batches.
class CountingStore final : public MessageStore {
public:
    InMemoryStore inner;
    int batches = 0;
    int singles = 0;
    std::size_t largest = 0;
    int fail_batches = 0;  // refuse this many coming batches as a whole (nothing written)
    int pages = 0;
    std::size_t largest_page = 0;
    std::function<void()> before_batch;   // runs (once) at the start of the next batch
    std::function<void()> before_lookup;  // runs (once) at the start of the next receipt lookup
    std::function<void()> after_lookup;   // runs (once) at the end of the next receipt lookup
    // start_transition_batch: the batch is written when the router waits for it, not before
    // (as a group commit still running while the router goes on).
    bool defer = false;
    int started = 0;  // batches started, written or not

    Expected<void, StoreError> insert_batch(std::span<const Message> m,
                                            std::span<const MessageEvent> e) override {
        return inner.insert_batch(m, e);
    }
    Expected<std::vector<Message>, StoreError> load_active() override {
        return inner.load_active();
    }
    Expected<StoredPage, StoreError> load_active_page(std::optional<MessageId> after,
                                                      std::uint32_t limit) override {
        ++pages;
        auto page = inner.load_active_page(after, limit);
        if (page) largest_page = std::max(largest_page, page->messages.size());
        return page;
    }
    Expected<void, StoreError> transition(const Message& next, MessageState from,
                                          std::optional<MessageEvent> event) override {
        ++singles;
        return inner.transition(next, from, std::move(event));
    }
    std::vector<Expected<void, StoreError>> transition_batch(
        std::span<const TransitionWrite> writes) override {
        if (auto gate = std::exchange(before_batch, {})) gate();
        ++batches;
        largest = std::max(largest, writes.size());
        if (fail_batches > 0) {
            --fail_batches;
            return std::vector<Expected<void, StoreError>>(
                writes.size(), Expected<void, StoreError>(Unexpected(
                                   StoreError{StoreErrc::unavailable, "disk I/O error"})));
        }
        return inner.transition_batch(writes);
    }
    class Deferred final : public PendingBatch {
    public:
        Deferred(CountingStore& store, std::span<const TransitionWrite> writes,
                 std::function<void()> done)
            : store_(store), writes_(writes), done_(std::move(done)) {}
        bool ready() const override { return false; }
        std::vector<Expected<void, StoreError>> wait() override {
            auto results = store_.transition_batch(writes_);
            if (done_) done_();
            return results;
        }

    private:
        CountingStore& store_;
        std::span<const TransitionWrite> writes_;
        std::function<void()> done_;
    };
    std::unique_ptr<PendingBatch> start_transition_batch(std::span<const TransitionWrite> writes,
                                                         std::function<void()> done) override {
        ++started;
        if (!defer) return MessageStore::start_transition_batch(writes, std::move(done));
        return std::make_unique<Deferred>(*this, writes, std::move(done));
    }
    Expected<std::optional<Message>, StoreError> get(const MessageId& id) override {
        return inner.get(id);
    }
    Expected<std::vector<MessageEvent>, StoreError> events(const MessageId& id) override {
        return inner.events(id);
    }
    Expected<std::optional<SegmentRef>, StoreError> find_by_provider_id(
        std::string_view provider, std::string_view key) override {
        return inner.find_by_provider_id(provider, key);
    }
    Expected<std::optional<ReceiptTarget>, StoreError> find_receipt_target(
        std::string_view provider, std::string_view key) override {
        if (auto gate = std::exchange(before_lookup, {})) gate();
        auto found = inner.find_receipt_target(provider, key);
        if (auto then = std::exchange(after_lookup, {})) then();
        return found;
    }
    Expected<StoredPage, StoreError> list(const MessageQuery& q) override { return inner.list(q); }
    Expected<std::uint64_t, StoreError> count(MessageState s) override { return inner.count(s); }
    Expected<std::uint64_t, StoreError> purge(SystemTime before) override {
        return inner.purge(before);
    }
};

// Answers nothing by itself; checks at every send that the store already has the message SENDING.
class CheckingProvider final : public Provider {
public:
    CheckingProvider(std::string name, CountingStore& store)
        : name_(std::move(name)), store_(store) {}
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 100}; }
    void send(OutboundMessage m, std::function<void(SendResult)> done) override {
        auto stored = store_.inner.get(m.id);
        if (!stored || !*stored || (*stored)->state != MessageState::sending) ++not_durable;
        order.push_back(m.id);
        priorities.push_back(m.priority);
        pending.push_back({m.id, std::move(done)});
    }
    void ok_all() {
        for (auto& p : std::exchange(pending, {}))
            p.second(SendResult{{"id-" + p.first.to_string()}, {}});
    }
    void fail_all(SendErrorKind kind) {
        for (auto& p : std::exchange(pending, {})) {
            p.second(SendResult{{}, SendError{kind, 8, "test"}});
        }
    }
    int not_durable = 0;
    std::vector<MessageId> order;
    std::vector<Priority> priorities;
    std::deque<std::pair<MessageId, std::function<void(SendResult)>>> pending;

private:
    std::string name_;
    CountingStore& store_;
};

Expected<TextPlan, std::string> plan(std::string_view, std::optional<TextEncoding>) {
    return TextPlan{TextEncoding::gsm7, 1};
}

RouterConfig config() {
    RouterConfig c;
    c.acceptance.numbers.default_region = "IR";
    c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    c.routing.default_route = "main";
    c.retry.max_attempts = 5;
    c.retry.base = 1000ms;
    c.retry.jitter = 0;
    c.pending_receipts = {100, 5min};
    c.seed = 99;
    return c;
}

struct RouterBatchTest : ::testing::Test {
    CountingStore store;
    CheckingProvider smsc{"smsc", store};
    TimePoint now{};
    SystemTime wall = kT0;
    int hook_not_durable = 0;
    std::atomic<int> wakes = 0;
    std::vector<MessageEvent> hooked;
    std::unique_ptr<Router> router;

    void build(RouterConfig c = config()) {
        RouterHooks hooks;
        hooks.on_transition = [this](const Message& m, const MessageEvent& e) {
            hooked.push_back(e);
            auto stored = store.inner.get(m.id);
            // Stored: the message is in the state the event led to, or (an event stored with a
            // later one: a dispatch not recorded) the event is in its history.
            auto history = store.inner.events(m.id);
            const bool in_history = history && std::any_of(history->begin(), history->end(),
                                                           [&](const MessageEvent& h) {
                                                               return h.to == e.to && h.at == e.at;
                                                           });
            if (!stored || !*stored || ((*stored)->state != e.to && !in_history)) {
                ++hook_not_durable;
            }
        };
        hooks.wake = [this] { ++wakes; };
        router = std::make_unique<Router>(std::move(c), store, plan, std::move(hooks));
        router->add_provider(smsc);
    }
    void poll() { router->poll(now, wall); }
    MessageId submit_ok(Priority p = Priority::normal, std::string client = "acme",
                        std::optional<SystemTime> schedule_at = std::nullopt) {
        SubmitRequest r;
        r.client = std::move(client);
        r.sender = "Bindery";
        r.destination = "09123456789";
        r.text = "hello";
        r.priority = p;
        r.schedule_at = schedule_at;
        auto out = router->submit(std::span<const SubmitRequest>(&r, 1), now, wall);
        EXPECT_TRUE(out.front().has_value());
        return out.front() ? out.front()->id : MessageId{};
    }
    // A message scheduled an hour ahead: QUEUED (cancellable) whatever the polls meanwhile do.
    MessageId submit_later() { return submit_ok(Priority::normal, "acme", wall + 1h); }
    MessageState state(const MessageId& id) { return (*store.inner.get(id))->state; }
    // The carrier's DELIVERED receipt for `id` (sent by sent_one's carrier: "id-<message id>");
    // each answer to it lands in `settled` (recorded or not).
    static Receipt delivered_receipt(const MessageId& id, std::vector<bool>& settled) {
        Receipt r = delivered("id-" + id.to_string());
        r.settled = [&settled](bool recorded) { settled.push_back(recorded); };
        return r;
    }
    // The carrier's DELIVERED receipt for its id `provider_id`.
    static Receipt delivered(std::string provider_id) {
        Receipt r;
        r.provider = "smsc";
        r.provider_id = std::move(provider_id);
        r.status = ReceiptStatus::delivered;
        return r;
    }
    // A pipelined router (as the gateway's) on a store that writes a batch only when it is
    // waited for.
    void build_pipelined(RouterConfig c = config()) {
        store.defer = true;
        c.pipeline_writes = true;
        build(std::move(c));
    }
    // At the end of the next receipt lookup, cancel(id) from another thread (its outcome in
    // `cancel_outcome`), given 200 ms to finish before the lookup returns: it cannot while poll()
    // reads, it waits for it.
    void cancel_during_the_lookup(const MessageId& id) {
        store.after_lookup = [this, id] {
            cancel_outcome = std::async(std::launch::async, [this, id] {
                return router->cancel(id, std::nullopt, wall).has_value();
            });
            (void)cancel_outcome.wait_for(200ms);
        };
    }
    std::future<bool> cancel_outcome;  // after `router`: waited for before router goes
    // Answers the one submit waiting at the carrier: accepted as two segments, "s1" and "s2".
    void answer_in_two_segments() {
        ASSERT_EQ(smsc.pending.size(), 1u);
        smsc.pending.front().second(SendResult{{"s1", "s2"}, {}});
        smsc.pending.clear();
    }
    // A pipelined router and one message submitted through it: its dispatch's batch is
    // completed, so its submit went out.
    MessageId dispatched_pipelined() {
        build_pipelined();
        const auto id = submit_ok();
        poll();
        poll();
        return id;
    }
    void advance(std::chrono::seconds d) {
        now += d;
        wall += d;
    }
    // One message submitted whose first attempt timed out: FAILED_TEMP, its retry due in 1 s.
    MessageId failed_temp_once() {
        const auto id = submit_ok();
        poll();
        smsc.fail_all(SendErrorKind::timeout);
        poll();
        EXPECT_EQ(state(id), MessageState::failed_temp);
        return id;
    }
    // One message submitted and acknowledged by the carrier (its id there: "id-<message id>").
    MessageId sent_one() {
        const auto id = submit_ok();
        poll();
        smsc.ok_all();
        poll();
        return id;
    }
};

TEST_F(RouterBatchTest, TransitionsOfOnePollShareOneCommit) {
    build();
    std::vector<MessageId> ids;
    for (int i = 0; i < 50; ++i) ids.push_back(submit_ok());
    poll();
    EXPECT_EQ(store.batches, 1);
    EXPECT_EQ(store.largest, 50u);
    EXPECT_EQ(store.singles, 0);
    EXPECT_EQ(smsc.pending.size(), 50u);
    smsc.ok_all();
    poll();  // 50 results: SENT, one more commit
    EXPECT_EQ(store.batches, 2);
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(router->stats().commits, 2u);
    EXPECT_EQ(router->stats().transitions, 100u);
    EXPECT_EQ(router->stats().sent, 50u);
}

TEST_F(RouterBatchTest, SubmitsGoOutAndHooksFireOnlyAfterTheirCommit) {
    build();
    for (int i = 0; i < 20; ++i) submit_ok();
    hooked.clear();
    poll();
    smsc.ok_all();
    poll();
    EXPECT_EQ(smsc.order.size(), 20u);
    EXPECT_EQ(smsc.not_durable, 0);  // SENDING was in the store before each submit
    EXPECT_EQ(hooked.size(), 40u);   // SENDING and SENT of each
    EXPECT_EQ(hook_not_durable, 0);  // every hook saw its state stored
}

TEST_F(RouterBatchTest, AFailedCommitSendsNothingAndLosesNothing) {
    build();
    std::vector<MessageId> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(submit_ok());
    hooked.clear();
    store.fail_batches = 1;
    poll();  // QUEUED -> SENDING refused as a whole
    EXPECT_TRUE(smsc.order.empty());
    EXPECT_TRUE(hooked.empty());
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::queued);
    EXPECT_GE(router->stats().store_errors, 10u);
    poll();  // the store is back: one probe message, then the full budget
    poll();
    EXPECT_EQ(smsc.order.size(), 10u);
    EXPECT_EQ(std::set<MessageId>(smsc.order.begin(), smsc.order.end()).size(), 10u);
    // Send results whose SENT commit fails are handled again, not dropped.
    store.fail_batches = 1;
    smsc.ok_all();
    poll();
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sending);
    poll();
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(smsc.order.size(), 10u);  // no resubmission
    EXPECT_EQ(hook_not_durable, 0);
}

// A poll() on its own thread held inside the store: `gate` (one of CountingStore's hooks) blocks
// it until release(); the destructor releases and joins whatever happened in between.
class HeldPoll {
public:
    HeldPoll(std::function<void()>& gate, std::function<void()> poll) {
        auto released = release_.get_future().share();
        gate = [this, released] {
            entered_.set_value();
            released.wait();
        };
        poller_ = std::thread(std::move(poll));
    }
    HeldPoll(const HeldPoll&) = delete;
    HeldPoll& operator=(const HeldPoll&) = delete;
    ~HeldPoll() { finish(); }
    bool entered() { return entered_.get_future().wait_for(60s) == std::future_status::ready; }
    void release() {
        if (open_) release_.set_value();
        open_ = false;
    }
    void finish() {
        release();
        if (poller_.joinable()) poller_.join();
    }

private:
    std::promise<void> entered_;
    std::promise<void> release_;
    bool open_ = true;
    std::thread poller_;
};

// poll() lets go of the router's lock while its transitions commit: acceptance goes on meanwhile
// (before, submit() waited for the router's commit twice per request), and cancel() waits for the
// commit's outcome. Here the commit is held open, then fails: the message is QUEUED again, and
// the cancel that came in meanwhile must see that, not the SENDING the failed batch wrote in
// memory.
TEST_F(RouterBatchTest, AcceptanceGoesOnWhilePollCommitsAndCancelWaitsForTheOutcome) {
    build();
    const auto first = submit_ok();
    store.fail_batches = 1;
    HeldPoll held(store.before_batch, [this] { poll(); });
    ASSERT_TRUE(held.entered());
    // The gate is closed: poll() is inside transition_batch.
    auto accepted = std::async(std::launch::async, [&] { return submit_ok(); });
    const bool accepted_meanwhile = accepted.wait_for(60s) == std::future_status::ready;
    EXPECT_TRUE(accepted_meanwhile) << "submit() waited for poll's commit";
    auto cancelled =
        std::async(std::launch::async, [&] { return router->cancel(first, "acme", wall); });
    // (Cannot fail spuriously: a cancel that did not wait would usually be done by now.)
    EXPECT_EQ(cancelled.wait_for(200ms), std::future_status::timeout) << "cancel() did not wait";
    held.finish();
    const auto second = accepted.get();
    const auto outcome = cancelled.get();
    ASSERT_TRUE(outcome.has_value()) << outcome.error().reason;  // QUEUED again: cancellable
    EXPECT_EQ(outcome->state, MessageState::cancelled);
    EXPECT_EQ(state(first), MessageState::cancelled);
    EXPECT_EQ(state(second), MessageState::queued);
    EXPECT_TRUE(smsc.order.empty());  // the failed batch sent nothing
    poll();
    poll();
    ASSERT_EQ(smsc.order.size(), 1u);
    EXPECT_EQ(smsc.order.front(), second);
}

// A receipt's store read (find_receipt_target) happens before poll() takes the router's lock:
// here the read is held open and a submit goes through meanwhile; the receipt then applies.
TEST_F(RouterBatchTest, AcceptanceGoesOnWhileReceiptsAreLookedUp) {
    build();
    const auto id = sent_one();
    ASSERT_EQ(state(id), MessageState::sent);
    Receipt r;
    r.provider = "smsc";
    r.provider_id = "id-" + id.to_string();
    r.status = ReceiptStatus::delivered;
    router->on_receipt(std::move(r));
    HeldPoll held(store.before_lookup, [this] { poll(); });
    ASSERT_TRUE(held.entered());
    auto accepted = std::async(std::launch::async, [&] { return submit_ok(); });
    EXPECT_EQ(accepted.wait_for(60s), std::future_status::ready)
        << "submit() waited for the lookup";
    held.finish();
    EXPECT_EQ(state(id), MessageState::delivered);
    EXPECT_EQ(state(accepted.get()), MessageState::sending);  // dispatched by that same poll
}

// poll() looks receipts up without the lock; a cancel() on another thread meanwhile must not
// complete the batch in flight under the lookup (it waits, flushing_). Here that batch holds the
// SENT of the receipt's message: completed under the lookup, the lookup (made before its commit)
// would find nothing and the hold's release at its commit would go before the receipt was held,
// which then waited in the hold until it expired.
TEST_F(RouterBatchTest, AReceiptLookedUpWhileAnotherThreadCompletesItsSentStillApplies) {
    const auto x = dispatched_pipelined();
    smsc.ok_all();
    poll();  // X's SENT: the batch in flight, not committed
    ASSERT_EQ(state(x), MessageState::sending);
    const auto y = submit_later();
    std::vector<bool> settled;
    router->on_receipt(delivered_receipt(x, settled));
    cancel_during_the_lookup(y);
    poll();
    poll();  // the receipt's own batch
    EXPECT_TRUE(cancel_outcome.get());
    EXPECT_EQ(state(x), MessageState::delivered);
    EXPECT_EQ(settled, std::vector<bool>{true});
    EXPECT_EQ(router->stats().unknown_receipts, 0u);
}

// The same with the receipt of another segment in that batch: completed under the lookup, the
// lookup would read the message without that segment's verdict after the completion dropped the
// overlay that had it, and write the segment back to pending: the message SENT for good.
TEST_F(RouterBatchTest, AReceiptLookedUpWhileAnotherThreadCompletesAnEarlierVerdictKeepsIt) {
    const auto x = dispatched_pipelined();
    answer_in_two_segments();
    poll();
    poll();  // SENT committed
    ASSERT_EQ(state(x), MessageState::sent);
    router->on_receipt(delivered("s2"));
    poll();  // s2's verdict: the batch in flight
    const auto y = submit_later();
    router->on_receipt(delivered("s1"));
    cancel_during_the_lookup(y);
    poll();
    poll();
    EXPECT_TRUE(cancel_outcome.get());
    EXPECT_EQ(state(x), MessageState::delivered);
}

TEST_F(RouterBatchTest, AFailedRetryCommitKeepsTheMessageForLater) {
    build();
    const auto id = failed_temp_once();
    wall += 2s;
    now += 2s;
    store.fail_batches = 1;
    poll();  // FAILED_TEMP -> QUEUED -> SENDING refused together
    EXPECT_EQ(state(id), MessageState::failed_temp);
    EXPECT_EQ(smsc.order.size(), 1u);
    wall += 2s;
    now += 2s;
    poll();
    poll();
    EXPECT_EQ(state(id), MessageState::sending);
    EXPECT_EQ(smsc.order.size(), 2u);
}

TEST_F(RouterBatchTest, ReceiptsSettleOnlyOnceTheirChangeIsDurable) {
    build();
    const auto id = sent_one();
    ASSERT_EQ(state(id), MessageState::sent);
    std::vector<std::pair<bool, MessageState>> settled;  // (recorded, stored state at the time)
    auto receipt = [&](std::string provider_id, ReceiptStatus status) {
        Receipt r;
        r.provider = "smsc";
        r.provider_id = std::move(provider_id);
        r.status = status;
        r.settled = [&, id](bool recorded) { settled.emplace_back(recorded, state(id)); };
        return r;
    };
    const std::string pid = "id-" + id.to_string();
    store.fail_batches = 1;
    router->on_receipt(receipt(pid, ReceiptStatus::delivered));
    poll();  // the DELIVERED commit failed: not settled, kept for the next poll
    EXPECT_TRUE(settled.empty());
    EXPECT_EQ(state(id), MessageState::sent);
    poll();
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_TRUE(settled[0].first);
    EXPECT_EQ(settled[0].second, MessageState::delivered);       // durable before the answer
    router->on_receipt(receipt(pid, ReceiptStatus::delivered));  // carrier resent it
    router->on_receipt(receipt(pid, ReceiptStatus::enroute));
    poll();
    ASSERT_EQ(settled.size(), 3u);
    EXPECT_FALSE(settled[1].first);  // duplicate
    EXPECT_FALSE(settled[2].first);  // intermediate
}

TEST_F(RouterBatchTest, AHeldReceiptSettlesAfterItsMessagesSentCommitOrWhenItExpires) {
    build();
    const auto id = submit_ok();
    poll();
    std::vector<bool> settled;
    const Receipt early = delivered_receipt(id, settled);
    router->on_receipt(early);
    poll();  // ahead of its send result: held, not answered
    EXPECT_TRUE(settled.empty());
    smsc.ok_all();
    poll();
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_TRUE(settled[0]);
    EXPECT_EQ(state(id), MessageState::delivered);

    Receipt stray = early;
    stray.provider_id = "nobody";
    stray.settled = [&](bool recorded) { settled.push_back(recorded); };
    router->on_receipt(stray);
    poll();
    EXPECT_EQ(settled.size(), 1u);  // held in case its send result is on the way
    now += 6min;
    poll();
    ASSERT_EQ(settled.size(), 2u);
    EXPECT_FALSE(settled[1]);
    EXPECT_EQ(router->stats().unknown_receipts, 1u);
}

TEST_F(RouterBatchTest, TwoReceiptsForOneMessageInOnePollBothCount) {
    build();
    SubmitRequest r;
    r.client = "acme";
    r.sender = "Bindery";
    r.destination = "09123456789";
    r.text = "hello";
    auto out = router->submit(std::span<const SubmitRequest>(&r, 1), now, wall);
    ASSERT_TRUE(out.front().has_value());
    const auto id = out.front()->id;
    poll();
    answer_in_two_segments();
    poll();
    ASSERT_EQ(state(id), MessageState::sent);
    for (const auto* pid : {"s1", "s2"}) router->on_receipt(delivered(pid));
    poll();  // both in one batch: the second builds on the first
    EXPECT_EQ(state(id), MessageState::delivered);
}

// Recovery pages the backlog: never more than a page read at once, never more than the scheduler
// holds in memory, and the whole backlog drains with each window sent in priority order.
TEST_F(RouterBatchTest, RecoveryPagesABacklogLargerThanMemoryAndDrainsItAll) {
    std::vector<MessageId> ids;
    {
        auto c = config();
        c.scheduler.capacity = 100'000;
        build(c);
        for (int i = 0; i < 60; ++i) {
            ids.push_back(submit_ok(i % 3 == 0   ? Priority::express
                                    : i % 3 == 1 ? Priority::normal
                                                 : Priority::bulk,
                                    i % 2 == 0 ? "acme" : "globex"));
        }
        router.reset();  // "crash" with 60 QUEUED
    }
    auto c = config();
    c.scheduler.capacity = 12;
    c.recovery_page = 7;
    c.dispatch_budget = 12;
    c.refill_batch = 12;
    build(c);
    ASSERT_TRUE(router->recover(now, wall).has_value());
    EXPECT_GE(store.pages, 60 / 7);
    EXPECT_LE(store.largest_page, 7u);
    EXPECT_EQ(router->backpressure().backlog, 60u);
    for (int round = 0; round < 20 && smsc.order.size() < 60; ++round) {
        const std::size_t before = smsc.order.size();
        poll();
        EXPECT_LE(smsc.order.size() - before, 12u);  // at most the memory bound per round
        // Each round's dispatches are in lane order: express, then normal, then bulk.
        EXPECT_TRUE(std::is_sorted(
            smsc.priorities.begin() + static_cast<std::ptrdiff_t>(before), smsc.priorities.end(),
            [](Priority a, Priority b) { return static_cast<int>(a) < static_cast<int>(b); }));
        smsc.ok_all();
    }
    poll();
    EXPECT_EQ(smsc.order.size(), 60u);
    EXPECT_EQ(std::set<MessageId>(smsc.order.begin(), smsc.order.end()).size(), 60u);
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterBatchTest, RecoveryMovesAcceptedAndSendingInBatches) {
    build();
    const auto a = submit_ok();
    const auto b = submit_ok();
    poll();  // both SENDING
    router.reset();
    // One of them back to ACCEPTED by hand (as an old version could leave it).
    auto m = **store.inner.get(a);
    m.state = MessageState::accepted;
    ASSERT_TRUE(store.inner.transition(m, MessageState::sending, std::nullopt).has_value());
    const int batches_before = store.batches;
    build();
    ASSERT_TRUE(router->recover(now, wall).has_value());
    EXPECT_EQ(store.batches - batches_before, 1);  // one page, one commit
    EXPECT_EQ(store.singles, 0);
    EXPECT_EQ(state(a), MessageState::queued);
    EXPECT_EQ(state(b), MessageState::failed_temp);
}

TEST_F(RouterBatchTest, RecoveryFailsWhenTheStoreRefusesItsWrites) {
    build();
    submit_ok();
    poll();
    router.reset();
    build();
    store.fail_batches = 1;
    auto recovered = router->recover(now, wall);
    ASSERT_FALSE(recovered.has_value());
    EXPECT_EQ(recovered.error().code, StoreErrc::unavailable);
}

// ---- pipelined batches (RouterConfig::pipeline_writes) ----------------------------------------

RouterConfig pipelined() {
    auto c = config();
    c.pipeline_writes = true;
    return c;
}

// A pipelined poll hands its batch to the store and returns; nothing of it takes effect before
// the commit, which the next poll (or finish_writes) completes.
TEST_F(RouterBatchTest, APipelinedPollReturnsBeforeItsCommitAndTheNextPollCompletesIt) {
    store.defer = true;
    build(pipelined());
    std::vector<MessageId> ids;
    for (int i = 0; i < 20; ++i) ids.push_back(submit_ok());
    hooked.clear();
    const int wakes_before = wakes;
    poll();
    EXPECT_EQ(store.started, 1);
    EXPECT_EQ(store.batches, 0);      // not written yet
    EXPECT_TRUE(smsc.order.empty());  // so nothing went out
    EXPECT_TRUE(hooked.empty());
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::queued);
    poll();  // completes the first batch: the sends go out
    EXPECT_EQ(store.batches, 1);
    EXPECT_EQ(wakes - wakes_before, 1);  // the store's "done" wakes the owner for that poll
    EXPECT_EQ(smsc.order.size(), 20u);
    EXPECT_EQ(smsc.not_durable, 0);
    smsc.ok_all();
    poll();  // SENT of all 20, in flight
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sending);
    router->finish_writes(wall);
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(hooked.size(), 40u);
    EXPECT_EQ(hook_not_durable, 0);
    EXPECT_EQ(router->stats().sent, 20u);
    router->finish_writes(wall);  // nothing in flight: nothing to do
    EXPECT_EQ(store.batches, 2);
}

// The second segment's receipt comes while the first one's change is still being written: the
// store still has segment 1 pending, so the receipt must build on the change in flight, or the
// message would stay SENT with segment 1 forgotten.
TEST_F(RouterBatchTest, AReceiptBuildsOnAnEarlierReceiptWhoseCommitIsInFlight) {
    const auto id = dispatched_pipelined();
    answer_in_two_segments();
    poll();
    router->finish_writes(wall);
    ASSERT_EQ(state(id), MessageState::sent);
    std::vector<bool> settled;
    auto receipt = [&](const char* pid) {
        Receipt r = delivered(pid);
        r.settled = [&](bool recorded) { settled.push_back(recorded); };
        return r;
    };
    submit_ok();
    poll();  // another message's batch in flight: the next poll completes it
    router->on_receipt(receipt("s1"));
    poll();  // segment 1 DELIVERED: in flight
    router->on_receipt(receipt("s2"));
    poll();  // segment 2, on top of segment 1's change; the first batch completes
    EXPECT_EQ(settled, std::vector<bool>{true});
    router->finish_writes(wall);
    EXPECT_EQ(settled, (std::vector<bool>{true, true}));
    EXPECT_EQ(state(id), MessageState::delivered);
    const auto m = **store.inner.get(id);
    ASSERT_EQ(m.segments.size(), 2u);
    EXPECT_EQ(m.segments[0].state, SegmentState::delivered);
    EXPECT_EQ(m.segments[1].state, SegmentState::delivered);
}

// The batch in flight fails after the next poll built on it (the retry released and dispatched
// again a message whose FAILED_TEMP is in that batch): the writes built on it are dropped, the
// message is put back as the store has it, and it is retried once, not sent twice.
TEST_F(RouterBatchTest, WritesBuiltOnAFailedBatchInFlightAreDroppedAndRetried) {
    const auto id = dispatched_pipelined();
    ASSERT_EQ(smsc.order.size(), 1u);
    smsc.fail_all(SendErrorKind::timeout);
    poll();  // SENDING -> FAILED_TEMP in flight, retry due in 1 s
    wall += 2s;
    now += 2s;
    store.fail_batches = 1;
    poll();  // retry released and dispatched on top of it; then the batch fails
    EXPECT_EQ(smsc.order.size(), 1u);  // nothing sent on the strength of a failed write
    EXPECT_GE(router->stats().store_errors, 1u);
    router->finish_writes(wall);
    EXPECT_EQ(smsc.order.size(), 1u);
    // The send result is handled again, and the retry goes out once, after its own commits.
    for (int i = 0; i < 6 && smsc.order.size() < 2; ++i) {
        wall += 2s;
        now += 2s;
        poll();
    }
    router->finish_writes(wall);
    ASSERT_EQ(smsc.order.size(), 2u);
    EXPECT_EQ(smsc.not_durable, 0);
    EXPECT_EQ(state(id), MessageState::sending);
    EXPECT_EQ((*store.inner.get(id))->attempts, 2u);
    smsc.ok_all();
    poll();
    router->finish_writes(wall);
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(smsc.order.size(), 2u);
}

// finish_writes() (the gateway's driver at shutdown; a benchmark's main thread) while a poll on
// another thread is inside the store completing the batch in flight: it waits for that poll
// instead of completing the same batch a second time.
TEST_F(RouterBatchTest, FinishWritesWaitsForAPollCompletingTheBatchInFlight) {
    const auto id = dispatched_pipelined();
    ASSERT_EQ(smsc.order.size(), 1u);
    smsc.ok_all();
    poll();  // SENT in flight
    const int batches = store.batches;
    HeldPoll held(store.before_batch, [this] { poll(); });
    ASSERT_TRUE(held.entered());  // that poll is writing the SENT batch, without the lock
    auto finished = std::async(std::launch::async, [&] { router->finish_writes(wall); });
    EXPECT_EQ(finished.wait_for(200ms), std::future_status::timeout) << "did not wait";
    held.finish();
    finished.get();
    EXPECT_EQ(store.batches, batches + 1);  // written once
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(router->stats().store_errors, 0u);
    EXPECT_EQ(router->stats().sent, 1u);
}

// At shutdown finish_writes() leaves nothing behind: the SENT in flight commits, the receipt that
// beat it (held) is applied and its change committed too.
TEST_F(RouterBatchTest, FinishWritesCompletesWhatItsCompletionsQueue) {
    const auto id = dispatched_pipelined();
    std::vector<bool> settled;
    const Receipt early = delivered_receipt(id, settled);
    router->on_receipt(early);
    poll();  // ahead of its send result: held
    smsc.ok_all();
    poll();  // SENT in flight
    EXPECT_TRUE(settled.empty());
    router->finish_writes(wall);
    EXPECT_EQ(settled, std::vector<bool>{true});
    EXPECT_EQ(state(id), MessageState::delivered);
    const int batches = store.batches;
    router->finish_writes(wall);
    EXPECT_EQ(store.batches, batches);
}

// cancel() decides on what the store has: a batch in flight that fails leaves the message QUEUED,
// so it can be cancelled, and the failed batch sent nothing.
TEST_F(RouterBatchTest, CancelCompletesTheBatchInFlightFirst) {
    store.defer = true;
    build(pipelined());
    const auto id = submit_ok();
    store.fail_batches = 1;
    poll();  // QUEUED -> SENDING in flight, will fail
    const auto outcome = router->cancel(id, "acme", wall);
    ASSERT_TRUE(outcome.has_value()) << outcome.error().reason;
    EXPECT_EQ(outcome->state, MessageState::cancelled);
    EXPECT_EQ(state(id), MessageState::cancelled);
    poll();
    router->finish_writes(wall);
    EXPECT_TRUE(smsc.order.empty());
}

// The same flow with a store whose batches complete at once: the pipelined router behaves as
// the plain one.
TEST_F(RouterBatchTest, PipelinedWithAnImmediateStoreIsOnePollPerStep) {
    build(pipelined());
    const auto id = submit_ok();
    poll();
    EXPECT_EQ(smsc.order.size(), 1u);
    smsc.ok_all();
    poll();
    EXPECT_EQ(state(id), MessageState::sent);
}

// ---- dispatches not recorded (RouterConfig::record_dispatch off) ------------------------------

RouterConfig unrecorded() {
    auto c = config();
    c.record_dispatch = false;
    return c;
}

std::vector<MessageState> to_states(const std::vector<MessageEvent>& events) {
    std::vector<MessageState> out;
    for (const auto& e : events) out.push_back(e.to);
    return out;
}

// The submit goes out in the poll that picks the message, with nothing written; its result's
// write takes the message from QUEUED to SENT with both events, and the hooks see both.
TEST_F(RouterBatchTest, ADispatchNotRecordedGoesOutAtOnceAndItsResultStoresBothEvents) {
    build(unrecorded());
    const auto id = submit_ok();
    hooked.clear();
    poll();
    ASSERT_EQ(smsc.order.size(), 1u);
    EXPECT_EQ(smsc.not_durable, 1);  // the store had it QUEUED at the send
    EXPECT_EQ(store.batches, 0);
    EXPECT_EQ(state(id), MessageState::queued);
    EXPECT_TRUE(hooked.empty());
    smsc.ok_all();
    poll();
    EXPECT_EQ(store.batches, 1);
    const auto stored = **store.inner.get(id);
    EXPECT_EQ(stored.state, MessageState::sent);
    EXPECT_EQ(stored.attempts, 1u);
    EXPECT_EQ(stored.provider, "smsc");
    EXPECT_EQ(to_states(*store.inner.events(id)),
              (std::vector<MessageState>{MessageState::queued, MessageState::sending,
                                         MessageState::sent}));
    EXPECT_EQ(to_states(hooked),
              (std::vector<MessageState>{MessageState::sending, MessageState::sent}));
    EXPECT_EQ(hook_not_durable, 0);
    EXPECT_EQ(router->stats().sent, 1u);
}

// The write carrying the dispatch fails: the message is SENDING in memory again with its
// dispatch still to store, and the result's retried write stores it once; nothing is resent.
TEST_F(RouterBatchTest, AFailedWriteKeepsItsDispatchForTheRetriedWrite) {
    build(unrecorded());
    const auto id = submit_ok();
    poll();
    store.fail_batches = 1;
    smsc.ok_all();
    poll();  // QUEUED -> SENT refused
    EXPECT_EQ(state(id), MessageState::queued);
    poll();  // the result again
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(to_states(*store.inner.events(id)),
              (std::vector<MessageState>{MessageState::queued, MessageState::sending,
                                         MessageState::sent}));
    EXPECT_EQ(smsc.order.size(), 1u);
}

// A temporary failure and its retry: each attempt's dispatch is stored with its result.
TEST_F(RouterBatchTest, EachAttemptsDispatchIsStoredWithItsResult) {
    build(unrecorded());
    const auto id = failed_temp_once();
    advance(2s);
    poll();  // released and dispatched again
    ASSERT_EQ(smsc.order.size(), 2u);
    smsc.ok_all();
    poll();
    const auto stored = **store.inner.get(id);
    EXPECT_EQ(stored.state, MessageState::sent);
    EXPECT_EQ(stored.attempts, 2u);
    EXPECT_EQ(to_states(*store.inner.events(id)),
              (std::vector<MessageState>{MessageState::queued, MessageState::sending,
                                         MessageState::failed_temp, MessageState::queued,
                                         MessageState::sending, MessageState::sent}));
}

// A retry's FAILED_TEMP -> QUEUED fails after the message was dispatched on top of it (the same
// poll): the message is put back FAILED_TEMP and that dispatch no longer applies, so its next
// release and dispatch store cleanly. (The submit made on the failed write went out: the price
// of not recording dispatches, a second send, never a lost message.)
TEST_F(RouterBatchTest, ADispatchOnAFailedWriteIsForgottenWithIt) {
    build(unrecorded());
    const auto id = failed_temp_once();
    advance(2s);
    store.fail_batches = 1;
    poll();  // FAILED_TEMP -> QUEUED refused; the dispatch on it went out
    ASSERT_EQ(smsc.order.size(), 2u);
    EXPECT_EQ(state(id), MessageState::failed_temp);
    smsc.ok_all();
    poll();  // a result for a dispatch that no longer applies: stale
    EXPECT_EQ(router->stats().stale_results, 1u);
    advance(2s);
    poll();  // released and dispatched again
    ASSERT_EQ(smsc.order.size(), 3u);
    smsc.ok_all();
    poll();
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(store.inner.events(id)->back().from, MessageState::sending);
}

// Refill reads QUEUED messages back from the store: not one whose result's write (QUEUED -> SENT,
// its dispatch not recorded) is queued and not committed yet, though it has left memory.
TEST_F(RouterBatchTest, RefillDoesNotReadBackAMessageWhoseSentIsNotCommittedYet) {
    auto c = unrecorded();
    c.scheduler.capacity = 2;
    c.dispatch_budget = 2;
    c.refill_batch = 2;
    build(c);
    std::vector<MessageId> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(submit_ok());
    for (int round = 0; round < 12 && smsc.order.size() < 6; ++round) {
        poll();
        smsc.ok_all();
    }
    poll();
    EXPECT_EQ(smsc.order.size(), 6u);
    EXPECT_EQ(std::set<MessageId>(smsc.order.begin(), smsc.order.end()).size(), 6u);
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
}

// Pipelined as in the gateway: the result's write is in flight while the next poll runs.
TEST_F(RouterBatchTest, APipelinedRouterStoresAnUnrecordedDispatchWithItsResult) {
    build_pipelined(unrecorded());
    const auto id = submit_ok();
    poll();
    EXPECT_EQ(smsc.order.size(), 1u);
    smsc.ok_all();
    poll();  // QUEUED -> SENT in flight
    EXPECT_EQ(state(id), MessageState::queued);
    poll();
    router->finish_writes(wall);
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(to_states(*store.inner.events(id)),
              (std::vector<MessageState>{MessageState::queued, MessageState::sending,
                                         MessageState::sent}));
}

}  // namespace
}  // namespace bindery::router
