#include "smpp/session/window.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace bindery::smpp {
namespace {

using std::chrono::seconds;
const TimePoint t0{};

TEST(InflightWindow, RefusesInsertWhenFullOrDuplicate) {
    InflightWindow<int> w(2, seconds(10));
    EXPECT_EQ(w.capacity(), 2U);
    EXPECT_TRUE(w.has_room());
    EXPECT_TRUE(w.insert(1, 10, t0));
    EXPECT_FALSE(w.insert(1, 11, t0)) << "duplicate sequence number";
    EXPECT_TRUE(w.insert(2, 20, t0));
    EXPECT_FALSE(w.has_room());
    EXPECT_FALSE(w.insert(3, 30, t0));
    EXPECT_EQ(w.size(), 2U);
}

TEST(InflightWindow, CompletesOutOfOrder) {
    InflightWindow<std::string> w(4, seconds(10));
    ASSERT_TRUE(w.insert(1, "a", t0));
    ASSERT_TRUE(w.insert(2, "b", t0));
    ASSERT_TRUE(w.insert(3, "c", t0));
    EXPECT_EQ(w.complete(2), "b");
    EXPECT_EQ(w.complete(2), std::nullopt);
    EXPECT_EQ(w.complete(3), "c");
    EXPECT_EQ(w.complete(99), std::nullopt);
    EXPECT_EQ(w.complete(1), "a");
    EXPECT_TRUE(w.empty());
}

TEST(InflightWindow, ExpiresOnlyEntriesPastDeadline) {
    InflightWindow<int> w(4, seconds(10));
    ASSERT_TRUE(w.insert(1, 1, t0));
    ASSERT_TRUE(w.insert(2, 2, t0 + seconds(3)));
    ASSERT_TRUE(w.insert(3, 3, t0 + seconds(1)));
    EXPECT_TRUE(w.take_expired(t0 + seconds(9)).empty());
    auto expired = w.take_expired(t0 + seconds(11));  // deadlines 10 and 11
    ASSERT_EQ(expired.size(), 2U);
    EXPECT_EQ(expired[0], 1);  // oldest deadline first
    EXPECT_EQ(expired[1], 3);
    EXPECT_TRUE(w.contains(2));
    EXPECT_EQ(w.next_deadline(), t0 + seconds(13));
}

TEST(InflightWindow, NextDeadlineIsTheEarliestAndEmptyHasNone) {
    InflightWindow<int> w(4, seconds(5));
    EXPECT_EQ(w.next_deadline(), std::nullopt);
    ASSERT_TRUE(w.insert(7, 0, t0 + seconds(2)));
    ASSERT_TRUE(w.insert(8, 0, t0 + seconds(1)));
    EXPECT_EQ(w.next_deadline(), t0 + seconds(6));
    (void)w.complete(8);
    EXPECT_EQ(w.next_deadline(), t0 + seconds(7));
}

// The session's timer: O(1) per PDU, never after a deadline in flight. A completion leaves it
// where it was (early); take_expired at that time finds nothing and makes it exact.
TEST(InflightWindow, DeadlineBoundIsNeverLateAndExactAgainAfterATick) {
    InflightWindow<int> w(4, seconds(5));
    EXPECT_EQ(w.deadline_bound(), std::nullopt);
    ASSERT_TRUE(w.insert(1, 0, t0));
    ASSERT_TRUE(w.insert(2, 0, t0 + seconds(2)));
    EXPECT_EQ(w.deadline_bound(), t0 + seconds(5));
    (void)w.complete(1);
    EXPECT_EQ(w.next_deadline(), t0 + seconds(7));
    EXPECT_EQ(w.deadline_bound(), t0 + seconds(5)) << "early, not late";
    EXPECT_TRUE(w.take_expired(t0 + seconds(5)).empty());
    EXPECT_EQ(w.deadline_bound(), t0 + seconds(7));
    ASSERT_TRUE(w.insert(3, 0, t0 + seconds(1)));  // an earlier deadline lowers it at once
    EXPECT_EQ(w.deadline_bound(), t0 + seconds(6));
    (void)w.complete(2);
    (void)w.complete(3);
    EXPECT_EQ(w.deadline_bound(), std::nullopt);
}

// A duplicate is refused also when sequence numbers wrapped (a new number below those in flight).
TEST(InflightWindow, RefusesADuplicateAfterTheSequenceNumbersWrapped) {
    InflightWindow<int> w(4, seconds(10));
    ASSERT_TRUE(w.insert(0x7FFFFFFE, 0, t0));
    ASSERT_TRUE(w.insert(1, 0, t0));
    ASSERT_TRUE(w.insert(2, 0, t0));
    EXPECT_FALSE(w.insert(1, 0, t0));
    EXPECT_FALSE(w.insert(0x7FFFFFFE, 0, t0));
    EXPECT_TRUE(w.insert(3, 0, t0));
    EXPECT_EQ(w.size(), 4U);
}

TEST(InflightWindow, DrainHandsBackEverythingInSendOrder) {
    InflightWindow<std::unique_ptr<int>> w(3, seconds(5));  // move-only requests work
    ASSERT_TRUE(w.insert(5, std::make_unique<int>(5), t0 + seconds(2)));
    ASSERT_TRUE(w.insert(6, std::make_unique<int>(6), t0 + seconds(1)));
    auto all = w.drain();
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(*all[0], 6);
    EXPECT_EQ(*all[1], 5);
    EXPECT_TRUE(w.empty());
    EXPECT_TRUE(w.has_room());
    EXPECT_TRUE(w.insert(5, std::make_unique<int>(1), t0));
}

TEST(InflightWindow, EntryKeepsSendTimeForRoundTripMeasurement) {
    InflightWindow<int> w(1, seconds(5));
    ASSERT_TRUE(w.insert(1, 0, t0 + seconds(3)));
    ASSERT_NE(w.find(1), nullptr);
    EXPECT_EQ(w.find(1)->sent_at, t0 + seconds(3));
    auto e = w.complete_entry(1);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->deadline, t0 + seconds(8));
}

TEST(InflightWindow, ZeroCapacityMeansOne) {
    InflightWindow<int> w(0, seconds(1));
    EXPECT_EQ(w.capacity(), 1U);
    EXPECT_TRUE(w.insert(1, 0, t0));
    EXPECT_FALSE(w.has_room());
}

}  // namespace
}  // namespace bindery::smpp
