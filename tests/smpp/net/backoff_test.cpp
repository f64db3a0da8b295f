#include "smpp/net/backoff.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace bindery::smpp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

BackoffConfig config() {
    BackoffConfig c;
    c.initial = milliseconds(100);
    c.max = seconds(5);
    c.bind_failure_initial = seconds(10);
    c.bind_failure_max = seconds(60);
    c.stable_after = seconds(30);
    return c;
}

TEST(ReconnectBackoff, CeilingDoublesUpToTheMaximumAndDelaysStayUnderIt) {
    ReconnectBackoff b(config(), 1);
    Duration expected = milliseconds(100);
    for (int i = 0; i < 12; ++i) {
        EXPECT_EQ(b.ceiling(RetryCause::network), expected) << i;
        const auto d = b.next_delay(RetryCause::network);
        EXPECT_GE(d, Duration::zero());
        EXPECT_LE(d, expected);
        expected = std::min<Duration>(expected * 2, seconds(5));
    }
    EXPECT_EQ(b.ceiling(RetryCause::network), seconds(5));
}

TEST(ReconnectBackoff, MultiplierSetsTheGrowthOfTheNetworkCeiling) {
    auto c = config();
    c.multiplier = 1.5;
    ReconnectBackoff b(c, 1);
    const std::vector<Duration> expected{milliseconds(100), milliseconds(150),
                                         microseconds(225'000), microseconds(337'500),
                                         microseconds(506'250)};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(b.ceiling(RetryCause::network), expected[i]) << i;
        EXPECT_LE(b.next_delay(RetryCause::network), expected[i]) << i;
    }
    for (int i = 0; i < 20; ++i) (void)b.next_delay(RetryCause::network);
    EXPECT_EQ(b.ceiling(RetryCause::network), seconds(5));  // capped at max
    // The bind-failure schedule keeps doubling.
    EXPECT_EQ(b.ceiling(RetryCause::rejected), seconds(10));
    (void)b.next_delay(RetryCause::rejected);
    EXPECT_EQ(b.ceiling(RetryCause::rejected), seconds(20));
}

TEST(ReconnectBackoff, MultiplierOneKeepsTheCeilingAtInitial) {
    auto c = config();
    c.multiplier = 1.0;
    ReconnectBackoff b(c, 2);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(b.ceiling(RetryCause::network), milliseconds(100)) << i;
        (void)b.next_delay(RetryCause::network);
    }
}

TEST(ReconnectBackoff, FullJitterSpreadsDelaysOverTheWholeRange) {
    ReconnectBackoff b(config(), 7);
    for (int i = 0; i < 10; ++i) (void)b.next_delay(RetryCause::network);  // ceiling now 5 s
    Duration lo = seconds(5), hi = Duration::zero();
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next_delay(RetryCause::network);
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(lo, seconds(1));
    EXPECT_GT(hi, seconds(4));
}

TEST(ReconnectBackoff, RejectedBindsWaitLongerThanNetworkFailures) {
    ReconnectBackoff b(config(), 3);
    const auto first = b.next_delay(RetryCause::rejected);
    EXPECT_GE(first, seconds(5));
    EXPECT_LE(first, seconds(10));
    const auto second = b.next_delay(RetryCause::rejected);
    EXPECT_GE(second, seconds(10));
    EXPECT_LE(second, seconds(20));
    for (int i = 0; i < 10; ++i) EXPECT_LE(b.next_delay(RetryCause::rejected), seconds(60));
}

TEST(ReconnectBackoff, ClassifiesBindStatuses) {
    EXPECT_EQ(classify_bind_status(CommandStatus::ESME_RBINDFAIL), RetryCause::rejected);
    EXPECT_EQ(classify_bind_status(CommandStatus::ESME_RINVPASWD), RetryCause::rejected);
    EXPECT_EQ(classify_bind_status(CommandStatus::ESME_RINVSYSID), RetryCause::rejected);
    EXPECT_EQ(classify_bind_status(CommandStatus::ESME_RTHROTTLED), RetryCause::throttled);
    EXPECT_EQ(classify_bind_status(CommandStatus::ESME_RSYSERR), RetryCause::network);
}

TEST(ReconnectBackoff, ResetsOnlyAfterAStableBind) {
    ReconnectBackoff b(config(), 5);
    for (int i = 0; i < 5; ++i) (void)b.next_delay(RetryCause::network);
    const auto high = b.ceiling(RetryCause::network);
    EXPECT_GT(high, milliseconds(100));

    const TimePoint t0{};
    b.on_bound(t0);
    b.on_unbound(t0 + seconds(10));  // flapping: not stable
    EXPECT_EQ(b.ceiling(RetryCause::network), high);

    b.on_bound(t0 + seconds(20));
    b.on_unbound(t0 + seconds(60));  // up 40 s: stable
    EXPECT_EQ(b.ceiling(RetryCause::network), milliseconds(100));
    EXPECT_EQ(b.attempts(), 0U);
}

}  // namespace
}  // namespace bindery::smpp
