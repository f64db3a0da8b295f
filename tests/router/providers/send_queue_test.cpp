// The pieces HttpProvider and KavenegarProvider share (router/providers/send_queue.hpp): the rate
// bucket that paces their calls, the stop flush of their queue and the health it reports.
#include "router/providers/send_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace bindery::router {
namespace {

using std::chrono::milliseconds;

TEST(RateBucket, StartsFullThenGivesRateTokensASecondUpToTheBurst) {
    const TimePoint t0{};
    RateBucket b(/*rate=*/10, /*burst=*/3, t0);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.try_take(t0)) << i;
    EXPECT_FALSE(b.try_take(t0));
    // One token every 100 ms; the wait names when the next is due (plus a millisecond).
    EXPECT_EQ(b.wait(), milliseconds(101));
    EXPECT_FALSE(b.try_take(t0 + milliseconds(50)));
    EXPECT_EQ(b.wait(), milliseconds(51));
    EXPECT_TRUE(b.try_take(t0 + milliseconds(100)));
    // A long pause saves no more than the burst.
    const auto later = t0 + std::chrono::seconds(60);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.try_take(later)) << i;
    EXPECT_FALSE(b.try_take(later));
}

TEST(RateBucket, ReadyDoesNotSpendUntilTakeIsCalled) {
    const TimePoint t0{};
    RateBucket b(1, 1, t0);
    EXPECT_TRUE(b.ready(t0));
    EXPECT_TRUE(b.ready(t0));   // still there
    EXPECT_EQ(b.wait(), milliseconds(0));
    b.take();
    EXPECT_FALSE(b.ready(t0));
    EXPECT_EQ(b.wait(), milliseconds(1001));
}

TEST(RateBucket, BurstZeroMeansTheRateOrOneAndRateZeroMeansUnlimited) {
    const TimePoint t0{};
    RateBucket fast(5, 0, t0);   // burst max(1, 5) = 5
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(fast.try_take(t0)) << i;
    EXPECT_FALSE(fast.try_take(t0));
    RateBucket slow(0.5, 0, t0);   // burst max(1, 0.5) = 1
    EXPECT_TRUE(slow.try_take(t0));
    EXPECT_FALSE(slow.try_take(t0 + milliseconds(1999)));
    EXPECT_TRUE(slow.try_take(t0 + milliseconds(2000)));
    RateBucket unlimited(0, 0, t0);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.try_take(t0)) << i;
    EXPECT_EQ(unlimited.wait(), milliseconds(0));
}

TEST(SendQueue, FailQueuedAnswersEachEntryNotSentInOrderAndEmptiesTheQueue) {
    std::deque<QueuedSend> queue;
    std::vector<std::string> answered;
    for (const char* to : {"+1", "+2", "+3"}) {
        QueuedSend q;
        q.message.destination = to;
        q.done = [&answered, to = std::string(to)](SendResult r) {
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error->kind, SendErrorKind::not_sent);
            EXPECT_EQ(r.error->text, "provider stopping");
            answered.push_back(to);
        };
        queue.push_back(std::move(q));
    }
    fail_queued(queue, "provider stopping");
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(answered, (std::vector<std::string>{"+1", "+2", "+3"}));
}

TEST(SendQueue, HealthCapacityIsTheRoomLeftInTheQueueNeverNegative) {
    auto h = queue_health(true, 3, 7, 10);
    EXPECT_TRUE(h.connected);
    EXPECT_EQ(h.inflight, 7U);
    EXPECT_EQ(h.capacity, 7U);
    h = queue_health(false, 12, 12, 10);
    EXPECT_FALSE(h.connected);
    EXPECT_EQ(h.capacity, 0U);
}

}  // namespace
}  // namespace bindery::router
