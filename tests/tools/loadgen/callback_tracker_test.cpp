// The --callbacks bookkeeping: what counts as completed, missing, duplicate and unknown, which
// latency a message gets (send -> first final callback, also when the callback beats the 202),
// and the bounded wait. Times are made up; nothing here sleeps.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "tools/loadgen/callback_tracker.hpp"

namespace bindery::loadgen {
namespace {

using namespace std::chrono_literals;
using Clock = CallbackTracker::Clock;

MessageKey key(std::uint64_t n) { return MessageKey{0x0190a0b05c1e7a3bULL, n}; }

CallbackTracker::Arrival arrival(std::uint64_t n, CallbackState s, Clock::time_point at,
                                 bool signature_ok = true, unsigned attempt = 1) {
    CallbackTracker::Arrival a;
    a.fields = CallbackFields{key(n), s};
    a.at = at;
    a.signature_ok = signature_ok;
    a.attempt = attempt;
    return a;
}

TEST(CallbackTracker, CountsEventsByStateDuplicatesUnknownAndMissing) {
    const auto t0 = Clock::time_point{} + 100s;
    CallbackTracker tracker(16);
    tracker.sending_started(t0);
    const std::vector<MessageKey> batch = {key(1), key(2), key(3)};
    tracker.accepted(batch, t0);

    tracker.received(arrival(1, CallbackState::delivered, t0 + 5ms));
    tracker.received(arrival(1, CallbackState::delivered, t0 + 6ms, true, 2));  // a retry
    tracker.received(arrival(2, CallbackState::sent, t0 + 7ms));  // on_sent: not final
    tracker.received(arrival(2, CallbackState::undeliverable, t0 + 20ms, false));
    tracker.received(arrival(9, CallbackState::delivered, t0 + 21ms));  // nobody's id
    CallbackTracker::Arrival junk;
    junk.at = t0 + 22ms;
    tracker.received(junk);  // no message id

    const auto s = tracker.summary();
    EXPECT_EQ(s.expected, 3U);
    EXPECT_EQ(s.received, 6U);
    EXPECT_EQ(s.by_state.at("DELIVERED"), 2U);  // message 1 and the unknown one
    EXPECT_EQ(s.by_state.at("SENT"), 1U);
    EXPECT_EQ(s.by_state.at("UNDELIVERABLE"), 1U);
    EXPECT_EQ(s.duplicates, 1U);
    EXPECT_EQ(s.retried, 1U);
    EXPECT_EQ(s.bad_signatures, 1U);
    EXPECT_EQ(s.malformed, 1U);
    EXPECT_EQ(s.unknown, 1U);
    EXPECT_EQ(s.completed, 2U);
    EXPECT_EQ(s.missing, 1U);  // message 3
    // Latency per completed message, from its send to its first final callback.
    EXPECT_EQ(s.latency.count(), 2U);
    EXPECT_EQ(s.latency.min_us(), 5'000U);
    EXPECT_EQ(s.latency.max_us(), 20'000U);
    // First send -> last callback.
    EXPECT_DOUBLE_EQ(s.seconds, 0.022);
    EXPECT_DOUBLE_EQ(s.per_second(), 6 / 0.022);
    // First callback -> last: the rate they arrived at.
    EXPECT_DOUBLE_EQ(s.arrival_seconds, 0.017);  // 5 ms -> 22 ms
    EXPECT_DOUBLE_EQ(s.arrival_per_second(), 5 / 0.017);
}

TEST(CallbackTracker, ACallbackBeforeItsAcceptanceIsMatchedWhenTheIdArrives) {
    const auto t0 = Clock::time_point{} + 100s;
    CallbackTracker tracker;
    tracker.sending_started(t0);
    tracker.received(arrival(7, CallbackState::delivered, t0 + 30ms));
    EXPECT_EQ(tracker.summary().unknown, 1U);  // not yet named by a 202
    const std::vector<MessageKey> ids = {key(7)};
    tracker.accepted(ids, t0 + 10ms);
    tracker.accepted(ids, t0 + 11ms);  // named twice: counted once
    const auto s = tracker.summary();
    EXPECT_EQ(s.unknown, 0U);
    EXPECT_EQ(s.expected, 1U);
    EXPECT_EQ(s.completed, 1U);
    EXPECT_EQ(s.missing, 0U);
    ASSERT_EQ(s.latency.count(), 1U);
    EXPECT_EQ(s.latency.max_us(), 20'000U);
}

TEST(CallbackTracker, WaitEndsAtTheDeadlineOrWhenEveryMessageHasItsCallback) {
    const auto t0 = Clock::now();
    CallbackTracker tracker;
    tracker.sending_started(t0);
    const std::vector<MessageKey> ids = {key(1), key(2)};
    tracker.accepted(ids, t0);
    tracker.received(arrival(1, CallbackState::expired, t0));
    EXPECT_FALSE(tracker.wait_complete(Clock::now()));  // one missing: the deadline ends it
    tracker.received(arrival(2, CallbackState::sent, t0));
    EXPECT_FALSE(tracker.wait_complete(Clock::now()));  // SENT is not final
    tracker.received(arrival(2, CallbackState::rejected, t0));
    EXPECT_TRUE(tracker.wait_complete(Clock::now()));
    EXPECT_EQ(tracker.summary().missing, 0U);
}

}  // namespace
}  // namespace bindery::loadgen
