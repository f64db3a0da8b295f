// SqliteStore::write: another table's writes run in the store writer's group transaction. A work
// that fails after writing is undone, and the others of its group are run again and committed
// once (the callback outbox and the idempotency store rely on both). Real files.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "router/store/sqlite_db.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // bindery::router::testing: TempDir, sqlite_config, open_ok

// A work running `sql` (one insert into table t), counting its runs.
SqliteStore::WriteWork insert_work(const char* sql, std::atomic<int>& runs) {
    return [sql, &runs](sqlite::Connection& c, bool& wrote) -> Expected<void, StoreError> {
        ++runs;
        wrote = true;
        return c.exec(sql, "insert");
    };
}

// A store on a new file that also has a table t(x) for the works to write.
std::unique_ptr<SqliteStore> store_with_table(const TempDir& dir) {
    const auto config = sqlite_config(dir.file("m.db"));
    if (auto made = sqlite_execute(config.path, "CREATE TABLE t(x INTEGER NOT NULL)"); !made) {
        ADD_FAILURE() << made.error().detail;
        return nullptr;
    }
    return open_ok<SqliteStore>(config);
}

// Waits (bounded) until `flag` reaches `n`.
void await(const std::atomic<int>& flag, int n) {
    for (int i = 0; i < 3000 && flag.load() < n; ++i) std::this_thread::sleep_for(10ms);
}

TEST(SqliteStoreWrite, AWorkFailingAfterItsWriteIsUndoneAndTheRestOfItsGroupCommitsOnce) {
    TempDir dir;
    auto store = store_with_table(dir);
    ASSERT_NE(store, nullptr);

    std::atomic<int> blocker_runs{0};
    std::atomic<int> submitted{0};
    std::atomic<int> good_runs{0};
    std::atomic<int> bad_runs{0};
    // Holds the writer until the two others have been submitted (and a margin after), so they
    // wait in the queue together and share the next group.
    const SqliteStore::WriteWork blocker = [&](sqlite::Connection& c,
                                               bool& wrote) -> Expected<void, StoreError> {
        ++blocker_runs;
        await(submitted, 2);
        std::this_thread::sleep_for(300ms);
        wrote = true;
        return c.exec("INSERT INTO t VALUES (1)", "blocker");
    };
    const auto good = insert_work("INSERT INTO t VALUES (3)", good_runs);
    const SqliteStore::WriteWork bad = [&](sqlite::Connection& c,
                                           bool& wrote) -> Expected<void, StoreError> {
        ++bad_runs;
        wrote = true;
        if (auto r = c.exec("INSERT INTO t VALUES (2)", "bad"); !r) return r;
        return Unexpected(StoreError{StoreErrc::conflict, "refused after writing"});
    };

    Expected<void, StoreError> blocker_result, good_result, bad_result;
    std::thread first([&] { blocker_result = store->write(blocker, 1); });
    await(blocker_runs, 1);  // the first group is the blocker alone
    std::thread second([&] {
        ++submitted;
        good_result = store->write(good, 1);
    });
    await(submitted, 1);
    std::this_thread::sleep_for(50ms);  // queued behind: the good one first
    std::thread third([&] {
        ++submitted;
        bad_result = store->write(bad, 1);
    });
    first.join();
    second.join();
    third.join();

    EXPECT_TRUE(blocker_result.has_value());
    EXPECT_TRUE(good_result.has_value()) << good_result.error().detail;
    ASSERT_FALSE(bad_result.has_value());
    EXPECT_EQ(bad_result.error().code, StoreErrc::conflict);
    EXPECT_EQ(bad_runs.load(), 1);
    // Run before the bad one and again after the rollback (2), or only after it when the queue
    // order came out the other way (1): committed once either way.
    EXPECT_GE(good_runs.load(), 1);
    EXPECT_LE(good_runs.load(), 2);

    std::int64_t ones = -1, twos = -1, threes = -1;
    const SqliteStore::WriteWork count = [&](sqlite::Connection& c,
                                             bool&) -> Expected<void, StoreError> {
        auto a = c.query_int("SELECT count(*) FROM t WHERE x = 1", "count");
        auto b = c.query_int("SELECT count(*) FROM t WHERE x = 2", "count");
        auto d = c.query_int("SELECT count(*) FROM t WHERE x = 3", "count");
        if (!a || !b || !d) return Unexpected(StoreError{StoreErrc::unavailable, "count"});
        ones = *a;
        twos = *b;
        threes = *d;
        return {};
    };
    ASSERT_TRUE(store->write(count, 1).has_value());
    EXPECT_EQ(ones, 1);
    EXPECT_EQ(twos, 0);    // undone with its group's first attempt
    EXPECT_EQ(threes, 1);  // committed once
}

TEST(SqliteStoreWrite, AWorkRefusingBeforeItsFirstWriteLeavesItsGroupAlone) {
    TempDir dir;
    auto store = store_with_table(dir);
    ASSERT_NE(store, nullptr);
    const SqliteStore::WriteWork refuse = [](sqlite::Connection&,
                                             bool&) -> Expected<void, StoreError> {
        return Unexpected(StoreError{StoreErrc::duplicate, "nothing written"});
    };
    auto refused = store->write(refuse, 1);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, StoreErrc::duplicate);
    std::atomic<int> runs{0};
    EXPECT_TRUE(store->write(insert_work("INSERT INTO t VALUES (7)", runs), 1).has_value());
    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(store->stats().failed_commits, 0U);
}

}  // namespace
}  // namespace bindery::router
