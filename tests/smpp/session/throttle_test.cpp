#include "smpp/session/throttle.hpp"

#include <gtest/gtest.h>

namespace bindery::smpp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const TimePoint t0{};

TEST(TokenBucket, StartsFullAndAllowsBurstThenPaces) {
    TokenBucket b(10.0, 3.0, t0);
    EXPECT_TRUE(b.try_acquire(t0));
    EXPECT_TRUE(b.try_acquire(t0));
    EXPECT_TRUE(b.try_acquire(t0));
    EXPECT_FALSE(b.try_acquire(t0));
    EXPECT_EQ(b.next_available(t0), t0 + milliseconds(100));
    EXPECT_FALSE(b.try_acquire(t0 + milliseconds(99)));
    EXPECT_TRUE(b.try_acquire(t0 + milliseconds(100)));
}

TEST(TokenBucket, WaitingUntilNextAvailableAlwaysSucceeds) {
    TokenBucket b(7.0, 1.0, t0);  // 1/7 s is not a whole number of nanoseconds
    TimePoint now = t0;
    for (int i = 0; i < 1000; ++i) {
        now = b.next_available(now);
        ASSERT_TRUE(b.try_acquire(now)) << i;
    }
    // 1000 tokens at 7/s, the first free: ~142.7 s.
    EXPECT_NEAR(std::chrono::duration<double>(now - t0).count(), 999.0 / 7.0, 1e-3);
}

TEST(TokenBucket, NeverAccumulatesMoreThanBurst) {
    TokenBucket b(100.0, 5.0, t0);
    EXPECT_DOUBLE_EQ(b.available(t0 + seconds(60)), 5.0);
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
    TokenBucket b(0.0, 1.0, t0);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(b.try_acquire(t0));
    EXPECT_EQ(b.next_available(t0), t0);
}

TEST(TokenBucket, SetRateKeepsAccruedTokensAndChangesPace) {
    TokenBucket b(10.0, 1.0, t0);
    ASSERT_TRUE(b.try_acquire(t0));
    b.set_rate(1.0, t0 + milliseconds(50));  // half a token accrued at 10/s
    EXPECT_EQ(b.next_available(t0 + milliseconds(50)), t0 + milliseconds(550));
}

TEST(TokenBucket, ForceAcquireCreatesDebtAndRefundReturnsTokens) {
    TokenBucket b(10.0, 1.0, t0);
    b.force_acquire(t0);
    b.force_acquire(t0);  // balance -1
    EXPECT_EQ(b.next_available(t0), t0 + milliseconds(200));
    b.refund();
    EXPECT_EQ(b.next_available(t0), t0 + milliseconds(100));
}

TEST(TokenBucket, SharedCarrierBucketLimitsSeveralSessions) {
    TokenBucket carrier(10.0, 1.0, t0);
    TokenBucket a(100.0, 1.0, t0);
    TokenBucket b(100.0, 1.0, t0);
    EXPECT_EQ(acquire_both(a, &carrier, t0), std::nullopt);
    // b has its own token but the carrier has none: nothing is taken from b.
    auto retry = acquire_both(b, &carrier, t0);
    ASSERT_TRUE(retry.has_value());
    EXPECT_EQ(*retry, t0 + milliseconds(100));
    EXPECT_DOUBLE_EQ(b.available(t0), 1.0);
    EXPECT_EQ(acquire_both(b, &carrier, *retry), std::nullopt);
    // Without a shared bucket only the session's own counts.
    EXPECT_EQ(acquire_both(a, nullptr, t0 + milliseconds(10)), std::nullopt);
}

TEST(AdaptiveRate, DoublesInSlowStartWhileTheSenderUsesTheRate) {
    AdaptiveRateConfig cfg;
    cfg.initial_rate = 10.0;
    AdaptiveRate c(cfg);
    TimePoint now = t0;
    // One interval (100 ms) at the full 10/s = 1 message: sent and accepted.
    c.on_sent(now);
    now += milliseconds(100);
    EXPECT_FALSE(c.on_accepted(now - milliseconds(20), now - milliseconds(50)));
    c.on_sent(now);
    EXPECT_TRUE(c.on_accepted(now - milliseconds(20), now));
    EXPECT_DOUBLE_EQ(c.rate(), 20.0);
    EXPECT_EQ(c.phase(), AdaptiveRate::Phase::slow_start);
}

TEST(AdaptiveRate, DoesNotGrowWhileDemandLimited) {
    AdaptiveRateConfig cfg;
    cfg.initial_rate = 100.0;
    AdaptiveRate c(cfg);
    TimePoint now = t0;
    for (int i = 0; i < 50; ++i) {  // 1 message per 100 ms against an allowed 100/s
        c.on_sent(now);
        now += milliseconds(100);
        (void)c.on_accepted(now - milliseconds(20), now);
    }
    EXPECT_DOUBLE_EQ(c.rate(), 100.0);
}

TEST(AdaptiveRate, HoldsTheRateWhileTheCarrierReportsCongestion) {
    AdaptiveRateConfig cfg;
    cfg.initial_rate = 10.0;
    AdaptiveRate c(cfg);
    TimePoint now = t0;
    for (int i = 0; i < 20; ++i) {
        c.on_sent(now);
        now += milliseconds(100);
        (void)c.on_accepted(now - milliseconds(20), now, std::uint8_t{95});
    }
    EXPECT_DOUBLE_EQ(c.rate(), 10.0);
    for (int i = 0; i < 3; ++i) {  // congestion eased (80 = optimum): growth resumes
        for (int k = 0; k < 4; ++k) c.on_sent(now);
        now += milliseconds(100);
        (void)c.on_accepted(now - milliseconds(20), now, std::uint8_t{80});
    }
    EXPECT_GT(c.rate(), 10.0);
}

TEST(AdaptiveRate, ABurstOfThrottlesFromOneWindowDecreasesOnce) {
    AdaptiveRateConfig cfg;
    cfg.initial_rate = 1000.0;
    AdaptiveRate c(cfg);
    const TimePoint now = t0 + seconds(1);
    // Fifty requests sent before the first throttle arrives all come back throttled.
    EXPECT_TRUE(c.on_throttled(now - milliseconds(50), now));
    const double after = c.rate();
    EXPECT_DOUBLE_EQ(after, 1000.0 * cfg.decrease_factor);
    for (int i = 0; i < 50; ++i) {
        EXPECT_FALSE(
            c.on_throttled(now - milliseconds(40) + milliseconds(i % 30), now + milliseconds(i)));
    }
    EXPECT_DOUBLE_EQ(c.rate(), after);
    EXPECT_EQ(c.decreases(), 1U);
    // A request sent after the decrease that is throttled again is a new event.
    EXPECT_TRUE(c.on_throttled(now + milliseconds(60), now + milliseconds(100)));
    EXPECT_DOUBLE_EQ(c.rate(), after * cfg.decrease_factor);
    EXPECT_DOUBLE_EQ(c.known_limit(), after);
}

TEST(AdaptiveRate, NeverLeavesConfiguredBounds) {
    AdaptiveRateConfig cfg;
    cfg.initial_rate = 5.0;
    cfg.min_rate = 2.0;
    cfg.max_rate = 40.0;
    AdaptiveRate c(cfg);
    TimePoint now = t0;
    for (int i = 0; i < 40; ++i) {
        now += seconds(1);
        (void)c.on_throttled(now - milliseconds(1), now);
    }
    EXPECT_DOUBLE_EQ(c.rate(), 2.0);
    AdaptiveRate d(cfg);
    now = t0;
    for (int i = 0; i < 200; ++i) {
        for (int k = 0; k < 10; ++k) d.on_sent(now);
        now += milliseconds(100);
        (void)d.on_accepted(now - milliseconds(10), now);
    }
    EXPECT_DOUBLE_EQ(d.rate(), 40.0);
}

}  // namespace
}  // namespace bindery::smpp
