#include "router/core/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

BreakerConfig config() {
    BreakerConfig c;
    c.window = 10;
    c.min_samples = 10;
    c.error_rate = 0.5;
    c.consecutive_timeouts = 3;
    c.open_for = 30s;
    c.probes = 1;
    c.probe_successes = 2;
    return c;
}

TEST(CircuitBreaker, StaysClosedBelowTheErrorRate) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    for (int i = 0; i < 100; ++i) {
        b.record(i % 3 == 0 ? Outcome::failure : Outcome::success, t0);  // 34% failures
    }
    EXPECT_EQ(b.state(t0), BreakerState::closed);
}

TEST(CircuitBreaker, OpensAtTheErrorRateOnceEnoughSamples) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    for (int i = 0; i < 4; ++i) b.record(Outcome::failure, t0);
    EXPECT_EQ(b.state(t0), BreakerState::closed);  // too few samples
    for (int i = 0; i < 5; ++i) b.record(Outcome::success, t0);
    EXPECT_EQ(b.state(t0), BreakerState::closed);  // 4/9
    b.record(Outcome::failure, t0);                // 5/10
    EXPECT_EQ(b.state(t0), BreakerState::open);
    EXPECT_FALSE(b.allows(t0));
    EXPECT_EQ(b.opened_count(), 1u);
}

TEST(CircuitBreaker, OpensOnConsecutiveTimeouts) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    b.record(Outcome::timeout, t0);
    b.record(Outcome::timeout, t0);
    b.record(Outcome::success, t0);  // breaks the run
    b.record(Outcome::timeout, t0);
    b.record(Outcome::timeout, t0);
    EXPECT_EQ(b.state(t0), BreakerState::closed);
    b.record(Outcome::timeout, t0);
    EXPECT_EQ(b.state(t0), BreakerState::open);
}

TEST(CircuitBreaker, HalfOpenAdmitsOneProbeAndClosesAfterEnoughSuccesses) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    for (int i = 0; i < 3; ++i) b.record(Outcome::timeout, t0);
    EXPECT_FALSE(b.allows(t0 + 29s));
    const TimePoint t1 = t0 + 30s;
    EXPECT_EQ(b.state(t1), BreakerState::half_open);
    EXPECT_TRUE(b.allows(t1));
    b.on_send(t1);
    EXPECT_FALSE(b.allows(t1));  // one probe at a time
    b.record(Outcome::success, t1);
    EXPECT_EQ(b.state(t1), BreakerState::half_open);
    EXPECT_TRUE(b.allows(t1));
    b.on_send(t1);
    b.record(Outcome::success, t1);
    EXPECT_EQ(b.state(t1), BreakerState::closed);
    EXPECT_TRUE(b.allows(t1));
}

TEST(CircuitBreaker, AFailedProbeReopensForAnotherCoolDown) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    for (int i = 0; i < 3; ++i) b.record(Outcome::timeout, t0);
    const TimePoint t1 = t0 + 30s;
    ASSERT_TRUE(b.allows(t1));
    b.on_send(t1);
    b.record(Outcome::failure, t1);
    EXPECT_EQ(b.state(t1), BreakerState::open);
    EXPECT_FALSE(b.allows(t1 + 29s));
    EXPECT_TRUE(b.allows(t1 + 30s));
    EXPECT_EQ(b.opened_count(), 2u);
}

TEST(CircuitBreaker, ACancelledProbeGivesItsSlotBack) {
    CircuitBreaker b(config());
    const TimePoint t0{};
    for (int i = 0; i < 3; ++i) b.record(Outcome::timeout, t0);
    const TimePoint t1 = t0 + 30s;
    b.on_send(t1);
    EXPECT_FALSE(b.allows(t1));
    b.cancel_send();
    EXPECT_TRUE(b.allows(t1));
}

}  // namespace
}  // namespace bindery::router
