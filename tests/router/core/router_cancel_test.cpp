// Router::cancel (GatewayApi::cancel): which states can be cancelled, what it does to the store,
// credits, hooks and the backlog, and the race with the dispatcher.
#include "router/core/router.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

// Records sends; answers them later (complete_front) or at once (auto_ok). Thread-safe: the race
// test sends from the polling thread while the test thread reads.
class RecordingProvider final : public Provider {
public:
    // router::Provider
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return up; }
    ProviderHealth health() const override { return {up, 0, up ? 100u : 0u}; }
    void send(OutboundMessage message, std::function<void(SendResult)> done) override {
        {
            std::lock_guard lock(mutex);
            sent.push_back(message.id);
        }
        if (auto_ok) {
            done(SendResult{{message.id.to_string()}, {}});
            return;
        }
        pending.push_back(std::move(done));
    }

    void complete_front(SendResult r) {
        ASSERT_FALSE(pending.empty());
        auto done = std::move(pending.front());
        pending.pop_front();
        done(std::move(r));
    }
    std::vector<MessageId> sends() {
        std::lock_guard lock(mutex);
        return sent;
    }

    bool up = true;
    bool auto_ok = false;
    std::deque<std::function<void(SendResult)>> pending;

private:
    std::mutex mutex;
    std::vector<MessageId> sent;
};

Expected<TextPlan, std::string> one_segment(std::string_view, std::optional<TextEncoding>) {
    return TextPlan{TextEncoding::gsm7, 1};
}

RouterConfig config() {
    RouterConfig c;
    c.acceptance.numbers.default_region = "IR";
    c.acceptance.default_validity = 1h;
    c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    c.routing.default_route = "main";
    c.retry.max_attempts = 3;
    c.retry.base = 1000ms;
    c.retry.cap = 10s;
    c.retry.jitter = 0;
    c.breaker.min_samples = 1000;
    c.breaker.consecutive_timeouts = 1000;
    c.credits.default_price = 2;
    c.seed = 99;
    return c;
}

struct RouterCancel : ::testing::Test {
    InMemoryStore store;
    RecordingProvider smsc;
    TimePoint now{};
    SystemTime wall = kT0;
    std::mutex hook_mutex;
    std::vector<MessageEvent> transitions;
    std::unique_ptr<Router> router;

    void build(RouterConfig c = config()) {
        RouterHooks hooks;
        hooks.on_transition = [this](const Message&, const MessageEvent& e) {
            std::lock_guard lock(hook_mutex);
            transitions.push_back(e);
        };
        router = std::make_unique<Router>(std::move(c), store, one_segment, std::move(hooks));
        router->add_provider(smsc);
    }
    void advance(Duration d) {
        now += d;
        wall += std::chrono::duration_cast<SystemClock::duration>(d);
    }
    void poll() { router->poll(now, wall); }
    MessageId submit(std::optional<SystemTime> schedule_at = std::nullopt,
                     std::string client = "acme") {
        SubmitRequest r;
        r.client = std::move(client);
        r.sender = "Bindery";
        r.destination = "09123456789";
        r.text = "hello";
        r.schedule_at = schedule_at;
        auto out = router->submit(std::span<const SubmitRequest>(&r, 1), now, wall);
        EXPECT_TRUE(out.front().has_value());
        return out.front() ? out.front()->id : MessageId{};
    }
    Expected<MessageStatus, ChangeError> cancel(const MessageId& id,
                                                std::optional<std::string_view> client = "acme") {
        return router->cancel(id, client, wall);
    }
    MessageState state(const MessageId& id) { return (**store.get(id)).state; }
    std::size_t cancelled_events() {
        std::lock_guard lock(hook_mutex);
        return static_cast<std::size_t>(
            std::count_if(transitions.begin(), transitions.end(),
                          [](const MessageEvent& e) { return e.to == MessageState::cancelled; }));
    }
};

TEST_F(RouterCancel, AQueuedMessageIsCancelledDurablyAndNeverSent) {
    build();
    const auto id = submit();
    EXPECT_EQ(router->backpressure().backlog, 1u);
    const auto done = cancel(id);
    ASSERT_TRUE(done.has_value()) << done.error().reason;
    EXPECT_EQ(done->state, MessageState::cancelled);
    EXPECT_EQ(done->id, id);
    EXPECT_EQ(state(id), MessageState::cancelled);
    const auto events = *store.events(id);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].from, MessageState::queued);
    EXPECT_EQ(events[1].to, MessageState::cancelled);
    EXPECT_EQ(events[1].detail, "cancelled by client");
    EXPECT_EQ(cancelled_events(), 1u);  // the hook (callbacks, metrics, SMPP receipts) saw it
    EXPECT_EQ(router->stats().cancelled, 1u);
    EXPECT_EQ(router->backpressure().backlog, 0u);
    for (int i = 0; i < 3; ++i) poll();
    EXPECT_TRUE(smsc.sends().empty());
    EXPECT_EQ(state(id), MessageState::cancelled);
}

TEST_F(RouterCancel, AScheduledMessageIsCancelledAndItsTimeComesToNothing) {
    build();
    const auto id = submit(wall + 10min);
    EXPECT_EQ(router->backpressure().backlog, 0u);  // scheduled: not backlog until due
    poll();
    ASSERT_TRUE(cancel(id).has_value());
    EXPECT_EQ(router->backpressure().backlog, 0u);
    const auto other = submit();
    EXPECT_EQ(router->backpressure().backlog, 1u);  // the scheduled count was not left behind
    smsc.auto_ok = true;
    advance(11min);
    poll();  // dispatched (the provider answers at once) ...
    poll();  // ... and its result: SENT
    ASSERT_EQ(smsc.sends().size(), 1u);
    EXPECT_EQ(smsc.sends()[0], other);
    EXPECT_EQ(state(id), MessageState::cancelled);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterCancel, AMessageWaitingForARetryIsCancelled) {
    build();
    const auto id = submit();
    poll();
    smsc.complete_front(SendResult{{}, SendError{SendErrorKind::timeout, 0, "test"}});
    poll();
    ASSERT_EQ(state(id), MessageState::failed_temp);
    ASSERT_TRUE(cancel(id).has_value());
    EXPECT_EQ(state(id), MessageState::cancelled);
    advance(30s);
    poll();
    EXPECT_EQ(smsc.sends().size(), 1u);  // the first attempt only
    EXPECT_EQ(state(id), MessageState::cancelled);
}

TEST_F(RouterCancel, SendingSentAndFinalMessagesAreRefusedWithTheirState) {
    build();
    const auto id = submit();
    poll();  // dispatched: SENDING, the submit is with the carrier
    auto refused = cancel(id);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ChangeErrc::with_carrier);
    EXPECT_EQ(refused.error().state, MessageState::sending);
    smsc.complete_front(SendResult{{"c-1"}, {}});
    poll();
    ASSERT_EQ(state(id), MessageState::sent);
    refused = cancel(id);
    EXPECT_EQ(refused.error().code, ChangeErrc::with_carrier);
    EXPECT_EQ(refused.error().state, MessageState::sent);
    router->on_receipt(Receipt{"smsc", "c-1", ReceiptStatus::delivered, "", {}, {}});
    poll();
    ASSERT_EQ(state(id), MessageState::delivered);
    refused = cancel(id);
    EXPECT_EQ(refused.error().code, ChangeErrc::final);
    EXPECT_EQ(refused.error().state, MessageState::delivered);
    EXPECT_EQ(router->stats().cancelled, 0u);
    EXPECT_EQ(cancelled_events(), 0u);

    // A cancelled message is final too.
    const auto other = submit();
    ASSERT_TRUE(cancel(other).has_value());
    EXPECT_EQ(cancel(other).error().code, ChangeErrc::final);
}

TEST_F(RouterCancel, UnknownIdsAndOtherClientsMessagesAreNotFound) {
    build();
    const auto id = submit();
    EXPECT_EQ(cancel(MessageId{}).error().code, ChangeErrc::not_found);
    EXPECT_EQ(cancel(id, "someone-else").error().code, ChangeErrc::not_found);
    EXPECT_EQ(state(id), MessageState::queued);
    EXPECT_TRUE(cancel(id, std::nullopt).has_value());  // no client: the operator's view
    // In the store only (final): still filtered by client.
    EXPECT_EQ(cancel(id, "someone-else").error().code, ChangeErrc::not_found);
}

TEST_F(RouterCancel, AMessageQueuedInTheStoreOnlyIsCancelledThroughTheStore) {
    auto c = config();
    c.scheduler.capacity = 3;
    build(c);
    std::vector<MessageId> ids;
    for (int i = 0; i < 8; ++i) ids.push_back(submit());  // 5 of them spill to the store only
    EXPECT_EQ(router->backpressure().backlog, 8u);
    ASSERT_TRUE(cancel(ids.back()).has_value());
    ASSERT_TRUE(cancel(ids.front()).has_value());  // one in memory too
    EXPECT_EQ(router->backpressure().backlog, 6u);
    smsc.auto_ok = true;
    for (int i = 0; i < 20 && smsc.sends().size() < 6; ++i) poll();
    poll();  // the last send's result
    const auto sends = smsc.sends();
    EXPECT_EQ(sends.size(), 6u);
    EXPECT_EQ(std::count(sends.begin(), sends.end(), ids.back()), 0);
    EXPECT_EQ(std::count(sends.begin(), sends.end(), ids.front()), 0);
    EXPECT_EQ(state(ids.back()), MessageState::cancelled);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterCancel, TheCreditHoldIsReleasedInTheSameWrite) {
    build();
    ASSERT_TRUE(store.credit_open("acme", 10, CaptureOn::delivered, wall).has_value());
    const auto id = submit();
    auto account = **store.credit_account("acme");
    EXPECT_EQ(account.balance, 8);
    EXPECT_EQ(account.held, 2);
    ASSERT_TRUE(cancel(id).has_value());
    account = **store.credit_account("acme");
    EXPECT_EQ(account.balance, 10);
    EXPECT_EQ(account.held, 0);
    const auto ledger = *store.credit_ledger("acme", 0, 10);
    ASSERT_FALSE(ledger.empty());
    EXPECT_EQ(ledger.back().kind, CreditKind::release);
    EXPECT_EQ(ledger.back().amount, 2);
    EXPECT_EQ(ledger.back().message, id);
}

TEST_F(RouterCancel, AStoreFailureLeavesTheMessageAsItWasAndItIsSentLater) {
    build();
    const auto id = submit(wall + 1min);
    store.set_unavailable(true);
    const auto refused = cancel(id);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ChangeErrc::unavailable);
    store.set_unavailable(false);
    EXPECT_EQ(state(id), MessageState::queued);
    EXPECT_EQ(cancelled_events(), 0u);
    EXPECT_EQ(router->backpressure().backlog, 0u);  // still scheduled, counted as such
    smsc.auto_ok = true;
    advance(2min);
    for (int i = 0; i < 5 && smsc.sends().empty(); ++i) poll();
    poll();  // its result
    ASSERT_EQ(smsc.sends().size(), 1u);
    EXPECT_EQ(state(id), MessageState::sent);
}

// The crux: a cancel racing the dispatcher. Whatever the interleaving, every message ends either
// CANCELLED and never handed to the provider, or handed to it (SENT) with its cancel refused
// as with_carrier; never both, never neither.
TEST_F(RouterCancel, RacingTheDispatcherEachMessageIsEitherSentOrCancelledNeverBoth) {
    auto c = config();
    c.dispatch_budget = 1;  // one send per poll: the polls interleave with the cancels
    build(c);
    smsc.auto_ok = true;
    constexpr int kMessages = 200;
    std::vector<MessageId> ids;
    for (int i = 0; i < kMessages; ++i) ids.push_back(submit());

    std::atomic<bool> stop{false};
    std::thread poller([&] {
        for (int i = 0; i < 100'000 && !stop.load(); ++i) poll();
    });
    // Let the poller get going (bounded), so the cancels below do meet it.
    for (int i = 0; i < 10'000 && smsc.sends().empty(); ++i) std::this_thread::sleep_for(1ms);
    std::vector<std::optional<ChangeErrc>> outcome(ids.size());
    // Cancel from the back while the poller sends from the front: they meet in the middle.
    for (std::size_t i = ids.size(); i-- > 0;) {
        auto r = cancel(ids[i]);
        if (!r) outcome[i] = r.error().code;
    }
    stop = true;
    poller.join();
    for (int i = 0; i < 5; ++i) poll();

    const auto sends = smsc.sends();
    const std::set<MessageId> sent(sends.begin(), sends.end());
    EXPECT_EQ(sent.size(), sends.size());  // nothing sent twice
    std::size_t cancelled = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const bool was_sent = sent.contains(ids[i]);
        const auto st = state(ids[i]);
        if (!outcome[i]) {
            ++cancelled;
            EXPECT_FALSE(was_sent) << i;
            EXPECT_EQ(st, MessageState::cancelled) << i;
        } else {
            EXPECT_EQ(*outcome[i], ChangeErrc::with_carrier) << i;
            EXPECT_TRUE(was_sent) << i;
            EXPECT_EQ(st, MessageState::sent) << i;
        }
    }
    EXPECT_EQ(cancelled + sent.size(), ids.size());
    EXPECT_GE(sent.size(), 1u);  // the first message went before its cancel came
    EXPECT_EQ(router->stats().cancelled, cancelled);
    EXPECT_EQ(cancelled_events(), cancelled);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

}  // namespace
}  // namespace bindery::router
