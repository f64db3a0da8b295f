// The pieces HttpProvider and KavenegarProvider share (router/providers/send_queue.hpp): the rate
// bucket that paces their calls, the stop flush of their queue and the health it reports.
#include "router/providers/send_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>
#include <memory>
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
    EXPECT_TRUE(b.ready(t0));  // still there
    EXPECT_EQ(b.wait(), milliseconds(0));
    b.take();
    EXPECT_FALSE(b.ready(t0));
    EXPECT_EQ(b.wait(), milliseconds(1001));
}

TEST(RateBucket, BurstZeroMeansTheRateOrOneAndRateZeroMeansUnlimited) {
    const TimePoint t0{};
    RateBucket fast(5, 0, t0);  // burst max(1, 5) = 5
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(fast.try_take(t0)) << i;
    EXPECT_FALSE(fast.try_take(t0));
    RateBucket slow(0.5, 0, t0);  // burst max(1, 0.5) = 1
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

// What post_stop / post_shutdown / post_send need of a provider's State, recording the calls.
struct FakeState {
    explicit FakeState(boost::asio::io_context& io) : strand(boost::asio::make_strand(io)) {}
    struct Client {
        int stops = 0;
        void stop() { ++stops; }
    };
    void begin_stop(Duration drain, std::function<void()> done) {
        stopping = true;
        drains.push_back(drain);
        stop_done = std::move(done);
    }
    void enqueue(QueuedSend q) { queued.push_back(std::move(q)); }

    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    bool stopping = false;
    std::vector<Duration> drains;
    std::function<void()> stop_done;
    std::unique_ptr<Client> client = std::make_unique<Client>();
    std::vector<QueuedSend> queued;
};

TEST(SendQueue, PostedLifecycleQueuesSendsStartsTheDrainOnceAndShutsDownWithoutWaiting) {
    boost::asio::io_context io;
    auto s = std::make_shared<FakeState>(io);
    OutboundMessage m;
    m.destination = "+989121234567";
    post_send(s, m, [](SendResult) {});
    io.run();
    io.restart();
    ASSERT_EQ(s->queued.size(), 1U);
    EXPECT_EQ(s->queued[0].message.destination, "+989121234567");

    int first = 0;
    int second = 0;
    post_stop(s, milliseconds(500), [&] { ++first; });
    post_stop(s, milliseconds(700), [&] { ++second; });  // already stopping: only told so
    io.run();
    io.restart();
    EXPECT_EQ(s->drains, (std::vector<Duration>{milliseconds(500)}));
    EXPECT_EQ(second, 1);
    EXPECT_EQ(first, 0);  // the drain's own `done` waits for begin_stop's caller
    ASSERT_TRUE(s->stop_done);
    post_shutdown(s);  // stopping already: no second drain, the client closed
    io.run();
    io.restart();
    EXPECT_EQ(s->drains.size(), 1U);
    EXPECT_EQ(s->client->stops, 1);

    auto fresh = std::make_shared<FakeState>(io);
    post_shutdown(fresh);  // never stopped: a drain of zero, then the client closed
    io.run();
    EXPECT_EQ(fresh->drains, (std::vector<Duration>{Duration::zero()}));
    EXPECT_EQ(fresh->client->stops, 1);
}

}  // namespace
}  // namespace bindery::router
