#include <gtest/gtest.h>

#include "router/core/message_store.hpp"
#include "router/core/random.hpp"
#include "router/core/receipts.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

struct Fixture : ::testing::Test {
    InMemoryStore store;
    MessageIdGenerator ids{5};

    Message make(std::string client, MessageState state = MessageState::queued) {
        Message m;
        m.id = ids.next(kT0);
        m.client = std::move(client);
        m.destination = "+989123456789";
        m.state = state;
        m.accepted_at = kT0;
        m.updated_at = kT0;
        return m;
    }
};

TEST_F(Fixture, InsertBatchIsAllOrNothing) {
    auto a = make("acme");
    auto b = make("acme");
    ASSERT_TRUE(store.insert_batch(std::vector<Message>{a}, {}).has_value());
    const auto dup = store.insert_batch(std::vector<Message>{b, a}, {});
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, StoreErrc::duplicate);
    EXPECT_FALSE(store.get(b.id)->has_value());
}

TEST_F(Fixture, TransitionIsACompareAndSetWithAnEvent) {
    auto m = make("acme");
    ASSERT_TRUE(store.insert_batch(std::vector<Message>{m}, {}).has_value());
    auto next = m;
    next.state = MessageState::sending;
    next.attempts = 1;
    MessageEvent e{m.id, MessageState::queued, MessageState::sending, kT0, 1, "smsc", "attempt 1"};
    ASSERT_TRUE(store.transition(next, MessageState::queued, e).has_value());
    const auto conflict = store.transition(next, MessageState::queued, e);
    ASSERT_FALSE(conflict.has_value());
    EXPECT_EQ(conflict.error().code, StoreErrc::conflict);
    EXPECT_EQ((*store.get(m.id))->attempts, 1u);
    EXPECT_EQ(store.events(m.id)->size(), 1u);
}

TEST_F(Fixture, FindsSegmentsByAnyFormOfTheProviderId) {
    auto m = make("acme", MessageState::sent);
    m.provider = "smsc";
    m.segments = {{"1a2b3c4d", {}, {}}, {"1A2B3C4E", {}, {}}};
    ASSERT_TRUE(store.insert_batch(std::vector<Message>{m}, {}).has_value());
    const auto hit = store.find_by_provider_id("smsc", provider_id_keys("0439041102").front());
    ASSERT_TRUE(hit.has_value() && hit->has_value());
    EXPECT_EQ((*hit)->id, m.id);
    EXPECT_EQ((*hit)->segment, 1u);
    EXPECT_FALSE(store.find_by_provider_id("other", "1a2b3c4d")->has_value());
}

TEST_F(Fixture, ListFiltersAndPagesByCursor) {
    std::vector<Message> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(make(i % 2 ? "acme" : "globex"));
    ASSERT_TRUE(store.insert_batch(batch, {}).has_value());
    MessageQuery q;
    q.client = "globex";
    q.limit = 2;
    auto page = store.list(q);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->messages.size(), 2u);
    ASSERT_TRUE(page->next.has_value());
    q.after = page->next;
    auto rest = store.list(q);
    ASSERT_EQ(rest->messages.size(), 1u);
    EXPECT_FALSE(rest->next.has_value());
    EXPECT_EQ(rest->messages[0].id, batch[4].id);
}

TEST_F(Fixture, LoadActiveSkipsFinalAndSentAndPurgeRemovesOldFinals) {
    auto queued = make("a");
    auto sent = make("a", MessageState::sent);
    auto done = make("a", MessageState::delivered);
    ASSERT_TRUE(store.insert_batch(std::vector<Message>{queued, sent, done}, {}).has_value());
    const auto active = store.load_active();
    ASSERT_EQ(active->size(), 1u);
    EXPECT_EQ((*active)[0].id, queued.id);
    EXPECT_EQ(*store.purge(kT0), 0u);
    EXPECT_EQ(*store.purge(kT0 + 1s), 1u);
    EXPECT_FALSE(store.get(done.id)->has_value());
    EXPECT_EQ(*store.count(MessageState::queued), 1u);
}

TEST_F(Fixture, UnavailableStoreFailsEveryCall) {
    store.set_unavailable(true);
    EXPECT_EQ(store.load_active().error().code, StoreErrc::unavailable);
    EXPECT_EQ(store.get(MessageId{}).error().code, StoreErrc::unavailable);
}

}  // namespace
}  // namespace bindery::router
