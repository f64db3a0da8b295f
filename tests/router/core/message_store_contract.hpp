#pragma once
// The MessageStore contract as value-parameterized tests, for every implementation: the in-memory
// store here, the SQLite store (tests/router/store) and any later one. Use:
//   #include "tests/router/core/message_store_contract.hpp"
//   INSTANTIATE_TEST_SUITE_P(Sqlite, MessageStoreContract,
//       ::testing::Values(bindery::router::StoreFactory([] { return make_sqlite_store(); })));

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "router/core/message_store.hpp"
#include "router/core/random.hpp"
#include "router/core/receipts.hpp"

namespace bindery::router {

using StoreFactory = std::function<std::unique_ptr<MessageStore>()>;

class MessageStoreContract : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override { store_ = GetParam()(); }

    static SystemTime t0() { return SystemTime(std::chrono::milliseconds(1'790'000'000'000)); }

    Message make(std::string client, MessageState state = MessageState::queued,
                 std::chrono::seconds accepted_offset = std::chrono::seconds(0)) {
        Message m;
        m.id = ids_.next(t0() + accepted_offset);
        m.client = std::move(client);
        m.sender = "Bindery";
        m.destination = "+989123456789";
        m.region = "IR";
        m.text = "سلام hello";  // UTF-8 survives the round trip
        m.encoding = TextEncoding::ucs2;
        m.forced_encoding = TextEncoding::ucs2;
        m.segments_estimate = 1;
        m.priority = Priority::bulk;
        m.tags = {"a", "b"};
        m.client_ref = "ref";
        m.callback_url = "https://example.invalid/cb";
        m.state = state;
        m.accepted_at = t0() + accepted_offset;
        m.updated_at = m.accepted_at;
        m.expires_at = m.accepted_at + std::chrono::hours(1);
        return m;
    }
    MessageEvent event(const Message& m, MessageState from, MessageState to, std::string detail) {
        return MessageEvent{m.id, from, to, t0(), m.attempts, m.provider, std::move(detail)};
    }
    MessageStore& store() { return *store_; }

private:
    std::unique_ptr<MessageStore> store_;
    MessageIdGenerator ids_{77};
};

TEST_P(MessageStoreContract, InsertedMessagesReadBackFieldForField) {
    auto m = make("acme");
    m.schedule_at = t0() + std::chrono::minutes(5);
    const auto e = event(m, MessageState::accepted, MessageState::queued, "accepted");
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{m}, std::vector<MessageEvent>{e}));
    const auto got = store().get(m.id);
    ASSERT_TRUE(got.has_value() && got->has_value());
    const Message& r = **got;
    EXPECT_EQ(r.id, m.id);
    EXPECT_EQ(r.client, m.client);
    EXPECT_EQ(r.sender, m.sender);
    EXPECT_EQ(r.destination, m.destination);
    EXPECT_EQ(r.region, m.region);
    EXPECT_EQ(r.text, m.text);
    EXPECT_EQ(r.encoding, m.encoding);
    EXPECT_EQ(r.forced_encoding, m.forced_encoding);
    EXPECT_EQ(r.segments_estimate, m.segments_estimate);
    EXPECT_EQ(r.priority, m.priority);
    EXPECT_EQ(r.tags, m.tags);
    EXPECT_EQ(r.client_ref, m.client_ref);
    EXPECT_EQ(r.callback_url, m.callback_url);
    EXPECT_EQ(r.state, m.state);
    EXPECT_EQ(r.accepted_at, m.accepted_at);
    EXPECT_EQ(r.expires_at, m.expires_at);
    EXPECT_EQ(r.schedule_at, m.schedule_at);
    const auto events = store().events(m.id);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(events->size(), 1u);
    EXPECT_EQ((*events)[0].detail, "accepted");
    EXPECT_FALSE(store().get(make("other").id)->has_value());
}

TEST_P(MessageStoreContract, InsertBatchIsAllOrNothing) {
    auto a = make("acme");
    auto b = make("acme");
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{a}, {}));
    const auto dup = store().insert_batch(std::vector<Message>{b, a}, {});
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, StoreErrc::duplicate);
    EXPECT_FALSE(store().get(b.id)->has_value());
}

TEST_P(MessageStoreContract, TransitionIsACompareAndSetWithItsEvent) {
    auto m = make("acme");
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{m}, {}));
    auto next = m;
    next.state = MessageState::sending;
    next.attempts = 1;
    next.provider = "smsc";
    ASSERT_TRUE(store().transition(next, MessageState::queued,
                                   event(next, MessageState::queued, MessageState::sending, "a1")));
    const auto conflict = store().transition(
        next, MessageState::queued, event(next, MessageState::queued, MessageState::sending, "a1"));
    ASSERT_FALSE(conflict.has_value());
    EXPECT_EQ(conflict.error().code, StoreErrc::conflict);
    const auto got = **store().get(m.id);
    EXPECT_EQ(got.state, MessageState::sending);
    EXPECT_EQ(got.attempts, 1u);
    EXPECT_EQ(got.provider, "smsc");
    EXPECT_EQ(store().events(m.id)->size(), 1u);  // the refused one left no event

    auto missing = make("ghost");
    EXPECT_EQ(store().transition(missing, MessageState::queued, std::nullopt).error().code,
              StoreErrc::not_found);
}

TEST_P(MessageStoreContract, SameStateUpdatesKeepSegmentVerdicts) {
    auto m = make("acme", MessageState::sent);
    m.provider = "smsc";
    m.segments = {{"10", {}, {}}, {"11", {}, {}}};
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{m}, {}));
    m.segments[0].state = SegmentState::delivered;
    m.segments[0].error = "000";
    ASSERT_TRUE(store().transition(m, MessageState::sent, std::nullopt));
    const auto got = **store().get(m.id);
    ASSERT_EQ(got.segments.size(), 2u);
    EXPECT_EQ(got.segments[0].state, SegmentState::delivered);
    EXPECT_EQ(got.segments[0].error, "000");
    EXPECT_EQ(got.segments[1].state, SegmentState::pending);
}

TEST_P(MessageStoreContract, FindsSegmentsByEveryKeyOfTheirProviderIds) {
    auto m = make("acme", MessageState::sending);
    m.provider = "smsc";
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{m}, {}));
    auto sent = m;
    sent.state = MessageState::sent;
    sent.segments = {{"1a2b3c4d", {}, {}}, {"1A2B3C4E", {}, {}}};
    ASSERT_TRUE(store().transition(sent, MessageState::sending, std::nullopt));
    for (const auto& key : provider_id_keys("0439041102")) {
        const auto hit = store().find_by_provider_id("smsc", key);
        ASSERT_TRUE(hit.has_value());
        if (!*hit) continue;
        EXPECT_EQ((*hit)->id, m.id);
        EXPECT_EQ((*hit)->segment, 1u);
    }
    // Stored under the canonical key of the hex id; the decimal form finds it by its third key.
    const auto hit = store().find_by_provider_id("smsc", "1a2b3c4e");
    ASSERT_TRUE(hit.has_value() && hit->has_value());
    EXPECT_EQ((*hit)->segment, 1u);
    bool found = false;
    for (const auto& key : provider_id_keys("0439041102")) {
        const auto by_key = store().find_by_provider_id("smsc", key);
        ASSERT_TRUE(by_key.has_value());
        found = found || by_key->has_value();
    }
    EXPECT_TRUE(found);
    EXPECT_FALSE(store().find_by_provider_id("other", "1a2b3c4d")->has_value());
}

TEST_P(MessageStoreContract, ListFiltersAndPagesByCursor) {
    std::vector<Message> batch;
    for (int i = 0; i < 6; ++i) {
        batch.push_back(
            make(i % 2 ? "acme" : "globex", MessageState::queued, std::chrono::seconds(i)));
    }
    batch[4].client_ref = "special";
    ASSERT_TRUE(store().insert_batch(batch, {}));
    MessageQuery q;
    q.client = "globex";
    q.limit = 2;
    const auto page = store().list(q);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->messages.size(), 2u);
    EXPECT_EQ(page->messages[0].id, batch[0].id);
    ASSERT_TRUE(page->next.has_value());
    q.after = page->next;
    const auto rest = store().list(q);
    ASSERT_EQ(rest->messages.size(), 1u);
    EXPECT_EQ(rest->messages[0].id, batch[4].id);
    EXPECT_FALSE(rest->next.has_value());

    MessageQuery by_ref;
    by_ref.client_ref = "special";
    EXPECT_EQ(store().list(by_ref)->messages.size(), 1u);
    MessageQuery by_time;
    by_time.accepted_from = t0() + std::chrono::seconds(2);
    by_time.accepted_to = t0() + std::chrono::seconds(4);
    const auto window = store().list(by_time);
    ASSERT_EQ(window->messages.size(), 2u);
    EXPECT_EQ(window->messages[0].id, batch[2].id);
    MessageQuery by_state;
    by_state.state = MessageState::sent;
    EXPECT_TRUE(store().list(by_state)->messages.empty());
}

TEST_P(MessageStoreContract, LoadActiveCountAndPurge) {
    auto queued = make("a");
    auto retry = make("a", MessageState::failed_temp);
    retry.next_attempt_at = t0() + std::chrono::seconds(30);
    auto sent = make("a", MessageState::sent);
    auto done = make("a", MessageState::delivered);
    done.provider = "smsc";
    done.segments = {{"99", SegmentState::delivered, {}}};
    ASSERT_TRUE(store().insert_batch(
        std::vector<Message>{queued, retry, sent, done},
        std::vector<MessageEvent>{event(done, MessageState::sent, MessageState::delivered, "x")}));
    const auto active = store().load_active();
    ASSERT_TRUE(active.has_value());
    ASSERT_EQ(active->size(), 2u);
    EXPECT_EQ((*active)[0].id, queued.id);
    EXPECT_EQ((*active)[1].next_attempt_at, retry.next_attempt_at);
    EXPECT_EQ(*store().count(MessageState::queued), 1u);
    EXPECT_EQ(*store().count(MessageState::sent), 1u);
    EXPECT_EQ(*store().purge(t0()), 0u);  // strictly before
    EXPECT_EQ(*store().purge(t0() + std::chrono::seconds(1)), 1u);
    EXPECT_FALSE(store().get(done.id)->has_value());
    EXPECT_TRUE(store().events(done.id)->empty());
    EXPECT_FALSE(store().find_by_provider_id("smsc", "99")->has_value());
    EXPECT_TRUE(store().get(sent.id)->has_value());  // not final: kept
}

TEST_P(MessageStoreContract, TransitionBatchChainsWritesAndRefusesOneWithoutTheOthers) {
    auto a = make("acme");
    auto b = make("acme");
    ASSERT_TRUE(store().insert_batch(std::vector<Message>{a, b}, std::vector<MessageEvent>{}));
    std::vector<TransitionWrite> writes;
    Message a1 = a;  // QUEUED -> SENDING -> SENT for `a`, in one batch
    a1.state = MessageState::sending;
    a1.attempts = 1;
    writes.push_back(
        {a1, MessageState::queued, event(a1, MessageState::queued, a1.state, "attempt 1")});
    Message a2 = a1;
    a2.state = MessageState::sent;
    a2.provider = "smsc";
    a2.segments = {{"0A", SegmentState::pending, {}}};
    writes.push_back({a2, MessageState::sending, event(a2, MessageState::sending, a2.state, "ok")});
    Message b1 = b;  // `from` does not match: refused alone
    b1.state = MessageState::sent;
    writes.push_back({b1, MessageState::sending, std::nullopt});
    const auto results = store().transition_batch(writes);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0].has_value());
    EXPECT_TRUE(results[1].has_value());
    ASSERT_FALSE(results[2].has_value());
    EXPECT_EQ(results[2].error().code, StoreErrc::conflict);
    EXPECT_EQ((*store().get(a.id))->state, MessageState::sent);
    EXPECT_EQ((*store().get(b.id))->state, MessageState::queued);
    EXPECT_EQ(store().events(a.id)->size(), 2u);
    EXPECT_EQ(store().events(b.id)->size(), 0u);
    EXPECT_TRUE(store().find_by_provider_id("smsc", "a")->has_value());  // "0A", canonical
    EXPECT_TRUE(store().transition_batch({}).empty());
}

TEST_P(MessageStoreContract, LoadActivePageWalksTheActiveSetInIdOrder) {
    std::vector<Message> batch;
    for (int i = 0; i < 7; ++i) batch.push_back(make("acme"));
    batch[3].state = MessageState::sent;  // not active
    ASSERT_TRUE(store().insert_batch(batch, std::vector<MessageEvent>{}));
    std::vector<MessageId> seen;
    std::optional<MessageId> after;
    for (int guard = 0; guard < 10; ++guard) {
        auto page = store().load_active_page(after, 2);
        ASSERT_TRUE(page.has_value());
        EXPECT_LE(page->messages.size(), 2u);
        for (const auto& m : page->messages) seen.push_back(m.id);
        if (!page->next) break;
        after = page->next;
    }
    std::vector<MessageId> expected;
    for (const auto& m : batch) {
        if (m.state != MessageState::sent) expected.push_back(m.id);
    }
    EXPECT_EQ(seen, expected);
}

}  // namespace bindery::router
