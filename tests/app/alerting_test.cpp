// The gateway's alert retention (add_alert_retention): alert records past alerting.retention are
// purged by the store's retention thread, in a real SQLite file, and counted in
// bindery_store_purged_alerts_total.

#include "app/alerting.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/store_metrics.hpp"
#include "router/core/random.hpp"

namespace bindery::app {
namespace {

using ::testing::HasSubstr;

class ScratchDir {
public:
    ScratchDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "bindery-alerting-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

router::AlertRecord record(router::MessageIdGenerator& ids, router::SystemTime at) {
    router::AlertRecord r;
    r.id = ids.next(at);
    r.received_at = at;
    r.receiver = "sre";
    r.status = "firing";
    r.group_key = "{}:{alertname=\"DiskFull\"}";
    r.dedup_key = "k";
    r.client = "ops";
    r.firing = 1;
    r.outcome = router::AlertOutcome::sent;
    r.text = "DiskFull";
    r.messages = {{"Ann", "+989121110001", "0190b7e2-0000-7000-8000-000000000001", ""}};
    return r;
}

TEST(AlertRetention, OldAlertRecordsGoWithTheStoresRetentionRunAndFreshOnesStay) {
    ScratchDir dir;
    router::SqliteStoreConfig config;
    config.path = dir.file("bindery.db");
    config.synchronous = router::SqliteSync::normal;
    config.retention = std::chrono::hours(24 * 30);  // as `serve` runs it: messages purged too
    config.purge_interval = std::chrono::milliseconds(20);
    auto store = router::SqliteStore::open(config);
    ASSERT_TRUE(store) << store.error().detail;
    auto opened = router::SqliteAlerts::open(config);
    ASSERT_TRUE(opened) << opened.error().detail;
    std::shared_ptr<router::SqliteAlerts> alerts = std::move(*opened);

    router::MessageIdGenerator ids{3};
    const auto now = router::SystemClock::now();
    const auto old = record(ids, now - std::chrono::hours(24 * 8));
    const auto older = record(ids, now - std::chrono::hours(24 * 100));
    const auto fresh = record(ids, now - std::chrono::hours(24 * 6));
    const auto newest = record(ids, now);
    for (const auto* r : {&old, &older, &fresh, &newest}) ASSERT_TRUE(alerts->record(*r));

    http::Metrics metrics;
    add_store_collector(metrics, **store);
    add_alert_retention(**store, alerts, std::chrono::hours(24 * 7));
    bool ran = false;
    for (int i = 0; i < 3000 && !ran; ++i) {  // 30 s at most
        const auto stats = (*store)->retention_stats();
        ran = stats.size() == 1 && stats[0].runs >= 1;
        if (!ran) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(ran);
    EXPECT_FALSE(*alerts->get(old.id));
    EXPECT_FALSE(*alerts->get(older.id));
    EXPECT_TRUE(*alerts->get(fresh.id));
    EXPECT_TRUE(*alerts->get(newest.id));
    const auto page = alerts->recent(std::nullopt, 10);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->size(), 2U);

    const auto text = metrics.serialize();
    EXPECT_THAT(text, HasSubstr("\nbindery_store_purged_alerts_total 2\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_store_alert_purge_failures_total 0\n"));
    EXPECT_THAT(text, HasSubstr("\nbindery_store_purged_messages_total 0\n"));
    store->reset();  // stops the retention thread (it holds `alerts`)
}

}  // namespace
}  // namespace bindery::app
