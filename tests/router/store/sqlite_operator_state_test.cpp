// Operator decisions kept in the messages database: paused carriers and dead-letter retries
// survive a reopen (a restart of `bindery serve`), and repeating either is harmless.

#include <gtest/gtest.h>

#include "router/store/sqlite_operator_state.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

SqliteStoreConfig state_config(const std::string& path) {
    SqliteStoreConfig c;
    c.path = path;
    c.synchronous = SqliteSync::full;
    return c;
}

std::unique_ptr<SqliteOperatorState> open_state(const SqliteStoreConfig& config) {
    auto opened = SqliteOperatorState::open(config);
    if (!opened) {
        ADD_FAILURE() << opened.error().detail;
        return nullptr;
    }
    return std::move(*opened);
}

TEST(SqliteOperatorState, APausedCarrierStaysPausedAcrossAReopenUntilResumed) {
    TempDir dir;
    const auto config = state_config(dir.file("m.db"));
    {
        auto state = open_state(config);
        ASSERT_NE(state, nullptr);
        EXPECT_TRUE(state->paused_carriers()->empty());
        ASSERT_TRUE(state->set_paused("mci", true, kT0).has_value());
        ASSERT_TRUE(state->set_paused("mci", true, kT0 + 1s).has_value());  // twice: one row
        ASSERT_TRUE(state->set_paused("tci", true, kT0).has_value());
        ASSERT_TRUE(state->set_paused("rightel", false, kT0).has_value());  // not paused: no-op
    }
    {
        auto state = open_state(config);
        ASSERT_NE(state, nullptr);
        EXPECT_EQ(*state->paused_carriers(), (std::vector<std::string>{"mci", "tci"}));
        ASSERT_TRUE(state->set_paused("mci", false, kT0 + 2s).has_value());
    }
    auto state = open_state(config);
    ASSERT_NE(state, nullptr);
    EXPECT_EQ(*state->paused_carriers(), (std::vector<std::string>{"tci"}));
}

TEST(SqliteOperatorState, ADeadLetterKeepsItsFirstRetryAcrossAReopen) {
    TempDir dir;
    const auto config = state_config(dir.file("m.db"));
    MessageIdGenerator ids(11);
    const MessageId dead = ids.next(kT0);
    const MessageId first = ids.next(kT0 + 1s);
    const MessageId second = ids.next(kT0 + 2s);
    {
        auto state = open_state(config);
        ASSERT_NE(state, nullptr);
        EXPECT_FALSE(state->retry_of(dead)->has_value());
        ASSERT_TRUE(state->record_retry(dead, first, kT0 + 1s).has_value());
        ASSERT_TRUE(state->record_retry(dead, second, kT0 + 2s).has_value());  // ignored
    }
    auto state = open_state(config);
    ASSERT_NE(state, nullptr);
    const auto found = state->retry_of(dead);
    ASSERT_TRUE(found.has_value()) << found.error().detail;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(**found, first);
    EXPECT_FALSE(state->retry_of(first)->has_value());
}

TEST(SqliteOperatorState, SharesTheFileWithTheMessageStore) {
    TempDir dir;
    const auto config = state_config(dir.file("m.db"));
    auto store = SqliteStore::open(config);
    ASSERT_TRUE(store.has_value()) << store.error().detail;
    auto state = open_state(config);
    ASSERT_NE(state, nullptr);
    ASSERT_TRUE(state->set_paused("mci", true, kT0).has_value());
    EXPECT_EQ(*state->paused_carriers(), (std::vector<std::string>{"mci"}));
    EXPECT_GE((*store)->schema_version(), 8);
}

TEST(InMemoryOperatorState, BehavesLikeTheStoreWithinAProcess) {
    InMemoryOperatorState state;
    MessageIdGenerator ids(3);
    const MessageId dead = ids.next(kT0);
    const MessageId first = ids.next(kT0);
    ASSERT_TRUE(state.set_paused("mci", true, kT0).has_value());
    EXPECT_EQ(*state.paused_carriers(), (std::vector<std::string>{"mci"}));
    ASSERT_TRUE(state.set_paused("mci", false, kT0).has_value());
    EXPECT_TRUE(state.paused_carriers()->empty());
    ASSERT_TRUE(state.record_retry(dead, first, kT0).has_value());
    ASSERT_TRUE(state.record_retry(dead, ids.next(kT0), kT0).has_value());
    EXPECT_EQ(**state.retry_of(dead), first);
}

}  // namespace
}  // namespace bindery::router
