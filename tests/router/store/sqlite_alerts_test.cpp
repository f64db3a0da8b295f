// SqliteAlerts: alert notification records, the dedup lookup and the directory cache in the
// gateway's SQLite file (migration 5), across a reopen.

#include "router/store/sqlite_alerts.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "router/core/random.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using testing::TempDir;

struct Alerts : ::testing::Test {
    TempDir dir;
    SqliteStoreConfig config;
    std::unique_ptr<SqliteStore> store;
    std::unique_ptr<SqliteAlerts> alerts;
    MessageIdGenerator ids{7};
    SystemTime t0{std::chrono::hours(490000)};

    void SetUp() override {
        config.path = dir.file("bindery.db");
        auto s = SqliteStore::open(config);
        ASSERT_TRUE(s) << s.error().detail;
        store = std::move(*s);
        reopen();
    }
    void reopen() {
        alerts.reset();
        auto a = SqliteAlerts::open(config);
        ASSERT_TRUE(a) << a.error().detail;
        alerts = std::move(*a);
    }
    AlertRecord sample(SystemTime at, std::string dedup,
                       AlertOutcome outcome = AlertOutcome::sent) {
        AlertRecord r;
        r.id = ids.next(at);
        r.received_at = at;
        r.receiver = "sms-gateway";
        r.status = "firing";
        r.group_key = "{}:{alertname=\"DiskFull\"}";
        r.dedup_key = std::move(dedup);
        r.client = "ops";
        r.firing = 2;
        r.truncated = 1;
        r.outcome = outcome;
        r.text = "[FIRING:2] DiskFull \xE2\x80\x94 Disk almost full";
        r.notes = {"group sre: skipped bob: disabled", "second\nline"};
        r.messages = {{"Ann", "+989121110001", "0190b7e2-0000-7000-8000-000000000001", ""},
                      {"", "+989121110002", "", "invalid_destination: nope"}};
        return r;
    }
};

TEST_F(Alerts, RecordsSurviveAReopenWithTheirMessages) {
    const auto r = sample(t0, "k1");
    ASSERT_TRUE(alerts->record(r));
    reopen();
    auto got = alerts->get(r.id);
    ASSERT_TRUE(got) << got.error();
    ASSERT_TRUE(*got);
    const AlertRecord& g = **got;
    EXPECT_EQ(g.received_at, r.received_at);
    EXPECT_EQ(g.receiver, r.receiver);
    EXPECT_EQ(g.group_key, r.group_key);
    EXPECT_EQ(g.dedup_key, "k1");
    EXPECT_EQ(g.client, "ops");
    EXPECT_EQ(g.firing, 2U);
    EXPECT_EQ(g.truncated, 1U);
    EXPECT_EQ(g.outcome, AlertOutcome::sent);
    EXPECT_EQ(g.text, r.text);
    EXPECT_EQ(g.notes,
              (std::vector<std::string>{"group sre: skipped bob: disabled", "second line"}));
    ASSERT_EQ(g.messages.size(), 2U);
    EXPECT_EQ(g.messages[0].recipient, "Ann");
    EXPECT_EQ(g.messages[0].message_id, r.messages[0].message_id);
    EXPECT_EQ(g.messages[1].error, "invalid_destination: nope");
    EXPECT_FALSE(g.duplicate_of);
    auto none = alerts->get(ids.next(t0));
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

TEST_F(Alerts, FindSentSeesOnlySentRecordsInsideTheWindow) {
    const auto sent = sample(t0, "k");
    ASSERT_TRUE(alerts->record(sent));
    auto dup = sample(t0 + std::chrono::seconds(5), "k", AlertOutcome::duplicate);
    dup.duplicate_of = sent.id;
    ASSERT_TRUE(alerts->record(dup));
    auto found = alerts->find_sent("k", t0 - std::chrono::minutes(1));
    ASSERT_TRUE(found);
    ASSERT_TRUE(*found);
    EXPECT_EQ(**found, sent.id);
    EXPECT_FALSE(*alerts->find_sent("k", t0 + std::chrono::seconds(1)));
    EXPECT_FALSE(*alerts->find_sent("other", t0 - std::chrono::minutes(1)));
    auto got = alerts->get(dup.id);
    ASSERT_TRUE(got && *got && (*got)->duplicate_of);
    EXPECT_EQ(*(*got)->duplicate_of, sent.id);
}

TEST_F(Alerts, RecentPagesNewestFirstAndPurgeDropsOldRecords) {
    std::vector<AlertRecord> rs;
    for (int i = 0; i < 5; ++i) {
        rs.push_back(sample(t0 + std::chrono::seconds(i), "k" + std::to_string(i)));
        ASSERT_TRUE(alerts->record(rs.back()));
    }
    auto page = alerts->recent(std::nullopt, 2);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->size(), 2U);
    EXPECT_EQ((*page)[0].id, rs[4].id);
    EXPECT_EQ((*page)[1].id, rs[3].id);
    EXPECT_EQ((*page)[0].messages.size(), 2U);
    auto next = alerts->recent((*page)[1].id, 10);
    ASSERT_TRUE(next);
    ASSERT_EQ(next->size(), 3U);
    EXPECT_EQ((*next)[0].id, rs[2].id);

    auto purged = alerts->purge(t0 + std::chrono::seconds(2));
    ASSERT_TRUE(purged);
    EXPECT_EQ(*purged, 2U);
    EXPECT_EQ(alerts->recent(std::nullopt, 10)->size(), 3U);
}

TEST_F(Alerts, PurgeWorksInChunksAndTakesTheRecordsMessagesWithIt) {
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(alerts->record(sample(t0 + std::chrono::seconds(i), "k")));
    auto purged = alerts->purge(t0 + std::chrono::seconds(4), 2);  // chunks of 2, 2, 0
    ASSERT_TRUE(purged);
    EXPECT_EQ(*purged, 4U);
    EXPECT_EQ(alerts->recent(std::nullopt, 10)->size(), 1U);
    EXPECT_EQ(alerts->recent(std::nullopt, 10)->at(0).messages.size(), 2U);
    // The messages of the purged records went with them (ON DELETE CASCADE): only the kept
    // record's two are left (abs() of the smallest integer overflows: the statement fails).
    EXPECT_TRUE(sqlite_execute(config.path,
                               "SELECT CASE WHEN (SELECT count(*) FROM alert_messages) = 2 THEN 1 "
                               "ELSE abs(-9223372036854775807 - 1) END"));
    EXPECT_FALSE(
        sqlite_execute(config.path,
                       "SELECT CASE WHEN (SELECT count(*) FROM alert_messages) = 10 THEN 1 "
                       "ELSE abs(-9223372036854775807 - 1) END"));
}

// The gateway's wiring: alert records purged by the store's retention thread (the one that purges
// finished messages), old ones gone and fresh ones kept, in a real SQLite file.
TEST_F(Alerts, TheStoresRetentionThreadPurgesOldAlertRecordsAndKeepsFreshOnes) {
    store.reset();
    config.purge_interval = std::chrono::milliseconds(20);
    config.retention.reset();  // no message retention: the task alone starts the thread
    auto s = SqliteStore::open(config);
    ASSERT_TRUE(s) << s.error().detail;
    store = std::move(*s);
    const auto now = SystemClock::now();
    const auto old1 = sample(now - std::chrono::hours(24 * 40), "old1");
    const auto old2 = sample(now - std::chrono::hours(24 * 31), "old2");
    const auto fresh = sample(now - std::chrono::hours(24 * 29), "fresh");
    for (const auto* r : {&old1, &old2, &fresh}) ASSERT_TRUE(alerts->record(*r));

    std::shared_ptr<SqliteAlerts> shared = std::move(alerts);
    RetentionTask task;
    task.records = "alerts";
    task.retention = std::chrono::hours(24 * 30);
    task.purge = [shared](SystemTime before) { return shared->purge(before); };
    store->add_retention_task(std::move(task));
    bool purged = false;
    for (int i = 0; i < 3000 && !purged; ++i) {  // 30 s at most
        const auto stats = store->retention_stats();
        purged = stats.size() == 1 && stats[0].runs >= 1;
        if (!purged) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(purged);
    const auto stats = store->retention_stats();
    EXPECT_EQ(stats[0].records, "alerts");
    EXPECT_EQ(stats[0].purged, 2U);
    EXPECT_EQ(stats[0].failures, 0U);
    EXPECT_FALSE(*shared->get(old1.id));
    EXPECT_FALSE(*shared->get(old2.id));
    auto kept = shared->get(fresh.id);
    ASSERT_TRUE(kept && *kept);
    EXPECT_EQ((*kept)->messages.size(), 2U);
    // A failing purge is counted and retried on the next run.
    std::atomic<int> calls{0};
    RetentionTask failing;
    failing.records = "broken";
    failing.purge = [&calls](SystemTime) -> Expected<std::uint64_t, std::string> {
        ++calls;
        return Unexpected(std::string("disk on fire"));
    };
    store->add_retention_task(std::move(failing));
    bool retried = false;
    for (int i = 0; i < 3000 && !retried; ++i) {
        retried = store->retention_stats().at(1).failures >= 2;
        if (!retried) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(retried);
    store.reset();  // stops the thread before `calls` goes
}

TEST_F(Alerts, TheDirectoryCacheKeepsTheLastAnswerPerDirectoryAndGroup) {
    auto empty = alerts->load_members("kc", "sre");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(*empty);
    ASSERT_TRUE(alerts->save_members("kc", "sre",
                                     {{{"Ann\tA.", "+989121110001"}, {"", "+989121110002"}}, t0}));
    ASSERT_TRUE(alerts->save_members("kc", "sre",
                                     {{{"Bob", "+989121110003"}}, t0 + std::chrono::minutes(1)}));
    ASSERT_TRUE(alerts->save_members("kc", "/ops/sre", {{{"Cy", "+989121110004"}}, t0}));
    reopen();
    auto got = alerts->load_members("kc", "sre");
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->recipients, (std::vector<Recipient>{{"Bob", "+989121110003"}}));
    EXPECT_EQ((*got)->fetched_at, t0 + std::chrono::minutes(1));
    EXPECT_EQ((*alerts->load_members("kc", "/ops/sre"))->recipients.size(), 1U);
}

TEST(RecipientsCodec, RoundTripsAndNeutralisesSeparators) {
    const std::vector<Recipient> rs{{"Ann\tA.\nB", "+989121110001"}, {"", "+989121110002"}};
    const auto decoded = decode_recipients(encode_recipients(rs));
    ASSERT_EQ(decoded.size(), 2U);
    EXPECT_EQ(decoded[0].name, "Ann A. B");
    EXPECT_EQ(decoded[0].phone, "+989121110001");
    EXPECT_EQ(decoded[1].name, "");
    EXPECT_TRUE(decode_recipients("").empty());
}

}  // namespace
}  // namespace bindery::router
