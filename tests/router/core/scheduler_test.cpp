#include "router/core/scheduler.hpp"

#include <gtest/gtest.h>

#include <map>

namespace bindery::router {
namespace {

MessageId id_of(std::uint32_t n) {
    MessageId::Bytes b{};
    b[12] = static_cast<std::uint8_t>(n >> 24);
    b[13] = static_cast<std::uint8_t>(n >> 16);
    b[14] = static_cast<std::uint8_t>(n >> 8);
    b[15] = static_cast<std::uint8_t>(n);
    return MessageId(b);
}

TEST(FairScheduler, OneBulkSenderCannotStarveAnother) {
    FairScheduler s;
    std::uint32_t n = 0;
    for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(s.push({id_of(n++), "big", Priority::bulk, 1}));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(s.push({id_of(n++), "small", Priority::bulk, 1}));
    // The small client's 10 messages all go out within the first 20 picks.
    int small_seen = 0;
    for (int i = 0; i < 20; ++i) {
        const auto item = s.pop();
        ASSERT_TRUE(item.has_value());
        if (item->client == "small") ++small_seen;
    }
    EXPECT_EQ(small_seen, 10);
}

TEST(FairScheduler, SharesBySegmentsNotMessages) {
    FairScheduler s;
    std::uint32_t n = 0;
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(s.push({id_of(n++), "long", Priority::normal, 4}));
        ASSERT_TRUE(s.push({id_of(n++), "short", Priority::normal, 1}));
        ASSERT_TRUE(s.push({id_of(n++), "short", Priority::normal, 1}));
        ASSERT_TRUE(s.push({id_of(n++), "short", Priority::normal, 1}));
        ASSERT_TRUE(s.push({id_of(n++), "short", Priority::normal, 1}));
    }
    std::map<std::string, std::uint64_t> segments;
    for (int i = 0; i < 1000; ++i) {
        const auto item = s.pop();
        ASSERT_TRUE(item.has_value());
        segments[item->client] += item->cost;
    }
    const double ratio =
        static_cast<double>(segments["long"]) / static_cast<double>(segments["short"]);
    EXPECT_NEAR(ratio, 1.0, 0.05);
}

TEST(FairScheduler, HigherLanesGoFirst) {
    FairScheduler s;
    std::uint32_t n = 0;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.push({id_of(n++), "a", Priority::bulk, 1}));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.push({id_of(n++), "a", Priority::normal, 1}));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.push({id_of(n++), "b", Priority::express, 1}));
    EXPECT_EQ(s.size(Priority::express), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s.pop()->priority, Priority::express);
    ASSERT_TRUE(s.push({id_of(n++), "c", Priority::express, 1}));  // arrives late, still first
    EXPECT_EQ(s.pop()->priority, Priority::express);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s.pop()->priority, Priority::normal);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s.pop()->priority, Priority::bulk);
    EXPECT_FALSE(s.pop().has_value());
}

TEST(FairScheduler, KeepsEachClientsOrder) {
    FairScheduler s;
    for (std::uint32_t i = 0; i < 50; ++i) {
        ASSERT_TRUE(s.push({id_of(i), i % 2 ? "odd" : "even", Priority::normal, 1 + i % 3}));
    }
    std::map<std::string, std::uint32_t> last;
    while (auto item = s.pop()) {
        const std::uint32_t n = item->id.bytes()[15];
        if (last.contains(item->client)) EXPECT_GT(n, last[item->client]);
        last[item->client] = n;
    }
}

TEST(FairScheduler, RefusesWhenFull) {
    FairScheduler s({3, 1});
    EXPECT_TRUE(s.push({id_of(1), "a", Priority::normal, 1}));
    EXPECT_TRUE(s.push({id_of(2), "b", Priority::bulk, 1}));
    EXPECT_TRUE(s.push({id_of(3), "c", Priority::express, 1}));
    EXPECT_TRUE(s.full());
    EXPECT_FALSE(s.push({id_of(4), "d", Priority::express, 1}));
    EXPECT_EQ(s.size(), 3u);
    ASSERT_TRUE(s.pop().has_value());
    EXPECT_TRUE(s.push({id_of(4), "d", Priority::express, 1}));
}

}  // namespace
}  // namespace bindery::router
