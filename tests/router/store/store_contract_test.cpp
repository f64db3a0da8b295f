// The MessageStore contract, run against the in-memory reference and the SQLite store: the same
// cases must pass on both, so the SQLite store's semantics match InMemoryStore's.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>

#include "router/core/receipts.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

template <class Store>
class StoreContract : public ::testing::Test {
protected:
    void SetUp() override {
        auto config = sqlite_config(dir_.file("contract.db"));
        config.purge_chunk = 3;  // purges below cross several chunks
        store_ = make_store<Store>(config);
        ASSERT_NE(store_, nullptr);
    }
    MessageStore& store() { return *store_; }

    Message make(std::string client = "acme", MessageState state = MessageState::queued,
                 SystemTime accepted = kT0) {
        return sample_message(ids_, std::move(client), state, accepted);
    }
    // A message stored SENDING through `provider`, then SENT with these segment ids.
    Message sent_through(const std::string& provider, std::vector<Segment> segments) {
        auto m = make("acme", MessageState::sending);
        m.provider = provider;
        m.attempts = 1;
        insert({m});
        auto sent = m;
        sent.state = MessageState::sent;
        sent.segments = std::move(segments);
        const auto r = store().transition(sent, MessageState::sending, std::nullopt);
        EXPECT_TRUE(r.has_value()) << r.error().detail;
        return sent;
    }
    // The segment a receipt carrying `provider_id` finds, as the router looks it up: key by key of
    // provider_id_keys, first hit wins.
    std::optional<SegmentRef> find_as_receipt(std::string_view provider,
                                              std::string_view provider_id) {
        for (const auto& key : provider_id_keys(provider_id)) {
            auto hit = store().find_by_provider_id(provider, key);
            EXPECT_TRUE(hit.has_value());
            if (hit && *hit) return *hit;
        }
        return std::nullopt;
    }
    void insert(const std::vector<Message>& batch) {
        std::vector<MessageEvent> events;
        for (const auto& m : batch) events.push_back(accepted_event(m));
        const auto r = store().insert_batch(batch, events);
        ASSERT_TRUE(r.has_value()) << r.error().detail;
    }

    TempDir dir_;
    std::unique_ptr<MessageStore> store_;
    MessageIdGenerator ids_{7};
};

TYPED_TEST_SUITE(StoreContract, MessageStoreTypes, MessageStoreNames);

TYPED_TEST(StoreContract, GetReturnsEveryFieldAsInserted) {
    auto m = this->make();
    m.segments = {{"0A1B", SegmentState::delivered, "000"}, {"77", SegmentState::pending, ""}};
    m.provider = "smsc-a";
    m.next_attempt_at = kT0 + 5s;
    m.last_error = "throttled";
    m.attempts = 3;
    auto plain = this->make();
    plain.tags.clear();
    plain.schedule_at.reset();
    plain.text.clear();
    this->insert({m, plain});
    auto got = this->store().get(m.id);
    ASSERT_TRUE(got.has_value() && got->has_value());
    expect_same(**got, m);
    auto got_plain = this->store().get(plain.id);
    ASSERT_TRUE(got_plain.has_value() && got_plain->has_value());
    expect_same(**got_plain, plain);
}

TYPED_TEST(StoreContract, UnknownIdsReadAsAbsentNotAsErrors) {
    const auto id = this->ids_.next(kT0);
    auto got = this->store().get(id);
    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(got->has_value());
    auto events = this->store().events(id);
    ASSERT_TRUE(events.has_value());
    EXPECT_TRUE(events->empty());
    auto found = this->store().find_by_provider_id("smsc", "abc");
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
}

TYPED_TEST(StoreContract, InsertBatchIsAllOrNothing) {
    auto a = this->make();
    auto b = this->make();
    this->insert({a});
    const auto dup = this->store().insert_batch(std::vector<Message>{b, a},
                                                std::vector<MessageEvent>{accepted_event(b)});
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, StoreErrc::duplicate);
    EXPECT_NE(dup.error().detail.find(a.id.to_string()), std::string::npos) << dup.error().detail;
    EXPECT_FALSE(this->store().get(b.id)->has_value());
    EXPECT_TRUE(this->store().events(b.id)->empty());
    EXPECT_EQ(*this->store().count(MessageState::queued), 1u);
}

TYPED_TEST(StoreContract, EventsComeBackInTheOrderTheyWereStored) {
    auto m = this->make();
    this->insert({m});
    auto next = m;
    next.state = MessageState::sending;
    next.attempts = 1;
    next.provider = "smsc";
    const MessageEvent sending{m.id,   MessageState::queued, MessageState::sending, kT0 + 1s, 1,
                               "smsc", "attempt 1"};
    ASSERT_TRUE(this->store().transition(next, MessageState::queued, sending).has_value());
    auto sent = next;
    sent.state = MessageState::sent;
    const MessageEvent sent_event{
        m.id, MessageState::sending, MessageState::sent, kT0 + 2s, 1, "smsc", "id 1234"};
    ASSERT_TRUE(this->store().transition(sent, MessageState::sending, sent_event).has_value());
    const auto events = this->store().events(m.id);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(events->size(), 3u);
    expect_same((*events)[0], accepted_event(m));
    expect_same((*events)[1], sending);
    expect_same((*events)[2], sent_event);
}

TYPED_TEST(StoreContract, TransitionIsACompareAndSet) {
    auto m = this->make();
    this->insert({m});
    auto next = m;
    next.state = MessageState::sending;
    next.attempts = 1;
    next.updated_at = kT0 + 1s;
    const MessageEvent e{m.id, MessageState::queued, MessageState::sending, kT0 + 1s, 1, "smsc",
                         "a1"};
    ASSERT_TRUE(this->store().transition(next, MessageState::queued, e).has_value());
    expect_same(**this->store().get(m.id), next);

    auto stale = next;
    stale.attempts = 9;
    const auto conflict = this->store().transition(stale, MessageState::queued, e);
    ASSERT_FALSE(conflict.has_value());
    EXPECT_EQ(conflict.error().code, StoreErrc::conflict);
    EXPECT_NE(conflict.error().detail.find("SENDING"), std::string::npos)
        << conflict.error().detail;
    EXPECT_EQ((*this->store().get(m.id))->attempts, 1u);
    EXPECT_EQ(this->store().events(m.id)->size(), 2u);

    auto ghost = this->make();
    const auto missing = this->store().transition(ghost, MessageState::queued, std::nullopt);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, StoreErrc::not_found);
}

// One batch: a chain of writes of one message applies in order, a refused write fails alone, a
// missing message is not_found, and forced_encoding survives the rewrite.
TYPED_TEST(StoreContract, TransitionBatchChainsWritesAndRefusesOneAlone) {
    auto a = this->make();
    a.forced_encoding = TextEncoding::ucs2;
    auto b = this->make();
    this->insert({a, b});
    auto a1 = a;
    a1.state = MessageState::sending;
    a1.attempts = 1;
    auto a2 = a1;
    a2.state = MessageState::sent;
    a2.provider = "smsc";
    a2.segments = {{"0A", SegmentState::pending, ""}};
    auto b1 = b;
    b1.state = MessageState::sent;
    auto ghost = this->make();
    std::vector<TransitionWrite> writes{
        {a1, MessageState::queued,
         MessageEvent{a.id, MessageState::queued, MessageState::sending, kT0, 1, "smsc", "a1"}},
        {a2, MessageState::sending,
         MessageEvent{a.id, MessageState::sending, MessageState::sent, kT0, 1, "smsc", "ok"}},
        {b1, MessageState::sending, std::nullopt},
        {ghost, MessageState::queued, std::nullopt},
    };
    const auto results = this->store().transition_batch(writes);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_TRUE(results[0].has_value());
    EXPECT_TRUE(results[1].has_value());
    ASSERT_FALSE(results[2].has_value());
    EXPECT_EQ(results[2].error().code, StoreErrc::conflict);
    ASSERT_FALSE(results[3].has_value());
    EXPECT_EQ(results[3].error().code, StoreErrc::not_found);
    expect_same(**this->store().get(a.id), a2);
    EXPECT_EQ((*this->store().get(a.id))->forced_encoding, TextEncoding::ucs2);
    EXPECT_EQ((*this->store().get(b.id))->state, MessageState::queued);
    EXPECT_EQ(this->store().events(a.id)->size(), 3u);  // accepted + two
    EXPECT_EQ(this->store().events(b.id)->size(), 1u);
    EXPECT_TRUE(this->find_as_receipt("smsc", "10").has_value());  // 0x0A
    EXPECT_TRUE(this->store().transition_batch({}).empty());
}

// A write carrying an earlier change (a dispatch the router did not record): one compare-and-set
// from the state before it, both events stored in order, the new segment's id indexed; from any
// other state it is refused and nothing changes.
TYPED_TEST(StoreContract, AWriteWithAnEarlierChangeStoresBothFromTheStateBeforeIt) {
    auto a = this->make();
    auto b = this->make();
    this->insert({a, b});
    auto a2 = a;
    a2.state = MessageState::sent;
    a2.attempts = 1;
    a2.provider = "smsc";
    a2.segments = {{"0B", SegmentState::pending, ""}};
    auto b2 = b;
    b2.state = MessageState::sent;
    b2.attempts = 1;
    TransitionWrite wa{
        a2, MessageState::queued,
        MessageEvent{a.id, MessageState::sending, MessageState::sent, kT0 + 2s, 1, "smsc", "ok"}};
    wa.earlier = MessageEvent{a.id,   MessageState::queued, MessageState::sending, kT0 + 1s, 1,
                              "smsc", "attempt 1"};
    TransitionWrite wb{b2, MessageState::sending, std::nullopt};  // b is QUEUED: refused
    wb.earlier =
        MessageEvent{b.id, MessageState::sending, MessageState::sending, kT0, 1, "smsc", ""};
    const std::vector<TransitionWrite> writes{wa, wb};
    const auto results = this->store().transition_batch(writes);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].has_value());
    ASSERT_FALSE(results[1].has_value());
    EXPECT_EQ(results[1].error().code, StoreErrc::conflict);
    expect_same(**this->store().get(a.id), a2);
    const auto events = *this->store().events(a.id);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[1].from, MessageState::queued);
    EXPECT_EQ(events[1].to, MessageState::sending);
    EXPECT_EQ(events[1].detail, "attempt 1");
    EXPECT_EQ(events[2].from, MessageState::sending);
    EXPECT_EQ(events[2].to, MessageState::sent);
    EXPECT_TRUE(this->find_as_receipt("smsc", "11").has_value());  // 0x0B
    EXPECT_EQ((*this->store().get(b.id))->state, MessageState::queued);
    EXPECT_EQ(this->store().events(b.id)->size(), 1u);
}

// start_transition_batch: the same outcome as transition_batch, collected later; `done` is
// called once, before wait() returns; a handle dropped without wait() still lets the batch finish.
TYPED_TEST(StoreContract, AStartedBatchCommitsCallsDoneOnceAndCanBeDropped) {
    auto a = this->make();
    auto b = this->make();
    this->insert({a, b});
    auto a1 = a;
    a1.state = MessageState::sending;
    a1.attempts = 1;
    auto b1 = b;
    b1.state = MessageState::sent;  // from SENDING: b is QUEUED, so refused
    std::vector<TransitionWrite> writes{
        {a1, MessageState::queued,
         MessageEvent{a.id, MessageState::queued, MessageState::sending, kT0, 1, "smsc", "a1"}},
        {b1, MessageState::sending, std::nullopt},
    };
    std::atomic<int> done = 0;
    auto pending = this->store().start_transition_batch(writes, [&] { ++done; });
    ASSERT_NE(pending, nullptr);
    const auto results = pending->wait();
    EXPECT_EQ(done.load(), 1);
    EXPECT_TRUE(pending->ready());
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].has_value());
    ASSERT_FALSE(results[1].has_value());
    EXPECT_EQ(results[1].error().code, StoreErrc::conflict);
    EXPECT_EQ((*this->store().get(a.id))->state, MessageState::sending);
    EXPECT_EQ(this->store().events(a.id)->size(), 2u);

    auto a2 = a1;
    a2.state = MessageState::sent;
    std::vector<TransitionWrite> more{{a2, MessageState::sending, std::nullopt}};
    this->store().start_transition_batch(more, [&] { ++done; }).reset();  // not waited for
    EXPECT_EQ(done.load(), 2);
    EXPECT_EQ((*this->store().get(a.id))->state, MessageState::sent);

    auto empty = this->store().start_transition_batch({}, [&] { ++done; });
    EXPECT_TRUE(empty->ready());
    EXPECT_TRUE(empty->wait().empty());
    EXPECT_EQ(done.load(), 3);
}

TYPED_TEST(StoreContract, SameStateUpdateWithoutEventKeepsHistory) {
    auto m = this->make("acme", MessageState::sent);
    m.provider = "smsc";
    m.segments = {{"10", SegmentState::pending, ""}, {"11", SegmentState::pending, ""}};
    this->insert({m});
    auto verdict = m;
    verdict.segments[0].state = SegmentState::delivered;
    verdict.segments[0].error = "000";
    ASSERT_TRUE(this->store().transition(verdict, MessageState::sent, std::nullopt).has_value());
    expect_same(**this->store().get(m.id), verdict);
    EXPECT_EQ(this->store().events(m.id)->size(), 1u);
    const auto hit = this->store().find_by_provider_id("smsc", "11");
    ASSERT_TRUE(hit.has_value() && hit->has_value());
    EXPECT_EQ((*hit)->segment, 1u);
}

TYPED_TEST(StoreContract, FindsSegmentsByEveryKeyOfTheProviderId) {
    auto m = this->make("acme", MessageState::sent);
    m.provider = "smsc";
    // submit_sm_resp gave hex ids; receipts may carry them in decimal, upper case or zero-padded.
    m.segments = {{"1a2b3c4d", {}, {}}, {"1A2B3C4E", {}, {}}};
    this->insert({m});
    for (const std::string form : {"1a2b3c4e", "001A2B3C4E", "439041102"}) {
        bool found = false;
        for (const auto& key : provider_id_keys(form)) {
            const auto hit = this->store().find_by_provider_id("smsc", key);
            ASSERT_TRUE(hit.has_value());
            if (!hit->has_value()) continue;
            EXPECT_EQ((*hit)->id, m.id);
            EXPECT_EQ((*hit)->segment, 1u) << form;
            found = true;
            break;
        }
        EXPECT_TRUE(found) << form;
    }
    const auto first = this->find_as_receipt("smsc", "439041101");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->segment, 0u);
    EXPECT_FALSE(this->store().find_by_provider_id("other", "1a2b3c4d")->has_value());
}

// A stored id is indexed under its canonical key only (trimmed, lower-case, no leading zeros): the
// other readings of it are found through the receipt's own keys, not stored.
TYPED_TEST(StoreContract, IndexesTheCanonicalKeyOfEachSegment) {
    const auto m = this->sent_through("smsc", {{" 00FF", {}, {}}, {"ID-7q", {}, {}}, {"", {}, {}}});
    const auto hex = this->store().find_by_provider_id("smsc", "ff");
    ASSERT_TRUE(hex.has_value() && hex->has_value());
    EXPECT_EQ((*hex)->id, m.id);
    EXPECT_EQ((*hex)->segment, 0u);
    EXPECT_FALSE(this->store().find_by_provider_id("smsc", "255")->has_value());   // a reading
    EXPECT_FALSE(this->store().find_by_provider_id("smsc", "00FF")->has_value());  // not canonical
    const auto odd = this->store().find_by_provider_id("smsc", "id-7q");
    ASSERT_TRUE(odd.has_value() && odd->has_value());
    EXPECT_EQ((*odd)->segment, 1u);
    EXPECT_FALSE(this->store().find_by_provider_id("smsc", "")->has_value());  // blank: no row
    const auto receipt = this->find_as_receipt("smsc", "255");  // decimal receipt, hex id
    ASSERT_TRUE(receipt.has_value());
    EXPECT_EQ(receipt->segment, 0u);
}

TYPED_TEST(StoreContract, TransitionReindexesProviderIds) {
    auto m = this->make("acme", MessageState::sending);
    m.provider = "smsc-a";
    m.attempts = 1;
    this->insert({m});
    auto sent = m;
    sent.state = MessageState::sent;
    sent.segments = {{"ff", {}, {}}};
    ASSERT_TRUE(this->store().transition(sent, MessageState::sending, std::nullopt).has_value());
    ASSERT_TRUE(this->store().find_by_provider_id("smsc-a", "ff")->has_value());
    ASSERT_TRUE(this->find_as_receipt("smsc-a", "255").has_value());
    // Retried through another provider: the old ids no longer point at the message.
    auto retried = sent;
    retried.state = MessageState::sending;
    retried.provider = "smsc-b";
    retried.attempts = 2;
    retried.segments = {{"42", {}, {}}};
    ASSERT_TRUE(this->store().transition(retried, MessageState::sent, std::nullopt).has_value());
    EXPECT_FALSE(this->store().find_by_provider_id("smsc-a", "ff")->has_value());
    EXPECT_FALSE(this->find_as_receipt("smsc-a", "255").has_value());
    const auto hit = this->store().find_by_provider_id("smsc-b", "42");
    ASSERT_TRUE(hit.has_value() && hit->has_value());
    EXPECT_EQ((*hit)->id, m.id);
}

// find_receipt_target: the segment and its whole message in one call (SQLite: one JOIN), the
// same as find_by_provider_id then get; nothing for an unknown key or another provider.
TYPED_TEST(StoreContract, ReceiptTargetIsTheSegmentAndItsMessage) {
    const auto m = this->sent_through("smsc-a", {{"b1", {}, {}}, {"b2", {}, {}}});
    const auto hit = this->store().find_receipt_target("smsc-a", "b2");
    ASSERT_TRUE(hit.has_value() && hit->has_value());
    EXPECT_EQ((*hit)->ref.id, m.id);
    EXPECT_EQ((*hit)->ref.segment, 1U);
    const auto got = this->store().get(m.id);
    ASSERT_TRUE(got.has_value() && got->has_value());
    expect_same((*hit)->message, **got);
    EXPECT_EQ((*hit)->message.provider, "smsc-a");  // the message's column, not provider_ids'
    EXPECT_FALSE(this->store().find_receipt_target("smsc-a", "b3")->has_value());
    EXPECT_FALSE(this->store().find_receipt_target("smsc-b", "b1")->has_value());
}

// find_receipt_targets: each query's first key with a target wins; a query without one gets
// nullopt, and the others are unaffected. A second call sees what was written after the first
// (SQLite: the read transaction of the first ended; a reader left in it would answer from the
// old snapshot).
TYPED_TEST(StoreContract, ReceiptTargetsAreLookedUpTogetherKeyByKey) {
    const auto a = this->sent_through("smsc-a", {{"a1", {}, {}}, {"a2", {}, {}}});
    const auto b = this->sent_through("smsc-b", {{"b1", {}, {}}});
    const std::vector<std::string> second_key{"zz", "a2"};
    const std::vector<std::string> none{"a9", "b1"};  // b1 is smsc-b's, not smsc-a's
    const std::vector<std::string> first_key{"b1", "a1"};
    const std::vector<std::string> no_keys;
    const std::vector<ReceiptQuery> queries{
        {"smsc-a", second_key}, {"smsc-a", none}, {"smsc-b", first_key}, {"smsc-b", no_keys}};
    const auto found = this->store().find_receipt_targets(queries);
    ASSERT_EQ(found.size(), 4U);
    for (const auto& f : found) ASSERT_TRUE(f.has_value()) << f.error().detail;
    ASSERT_TRUE(found[0]->has_value());
    EXPECT_EQ((*found[0])->ref.id, a.id);
    EXPECT_EQ((*found[0])->ref.segment, 1U);
    EXPECT_EQ((*found[0])->message.state, MessageState::sent);
    EXPECT_FALSE(found[1]->has_value());
    ASSERT_TRUE(found[2]->has_value());
    EXPECT_EQ((*found[2])->ref.id, b.id);
    EXPECT_EQ((*found[2])->ref.segment, 0U);
    EXPECT_FALSE(found[3]->has_value());
    EXPECT_TRUE(this->store().find_receipt_targets({}).empty());

    auto delivered = a;
    delivered.state = MessageState::delivered;
    ASSERT_TRUE(this->store().transition(delivered, MessageState::sent, std::nullopt).has_value());
    for (int i = 0; i < 3; ++i) {  // whichever reader answers
        const auto again =
            this->store().find_receipt_targets(std::vector<ReceiptQuery>{{"smsc-a", second_key}});
        ASSERT_EQ(again.size(), 1U);
        ASSERT_TRUE(again[0].has_value() && again[0]->has_value());
        EXPECT_EQ((*again[0])->message.state, MessageState::delivered);
    }
}

TYPED_TEST(StoreContract, ProviderIdsStillFindTheMessageAfterItsReceipt) {
    const auto sent = this->sent_through("smsc-a", {{"a1", {}, {}}, {"a2", {}, {}}});
    const auto& m = sent;
    // The receipt's verdict (SENT -> DELIVERED) keeps the ids: a duplicate receipt still finds it.
    auto delivered = sent;
    delivered.state = MessageState::delivered;
    delivered.segments[0].state = SegmentState::delivered;
    delivered.segments[1].state = SegmentState::delivered;
    ASSERT_TRUE(this->store().transition(delivered, MessageState::sent, std::nullopt).has_value());
    for (const char* key : {"a1", "a2"}) {
        const auto hit = this->store().find_by_provider_id("smsc-a", key);
        ASSERT_TRUE(hit.has_value() && hit->has_value()) << key;
        EXPECT_EQ((*hit)->id, m.id);
    }
    const auto back = this->store().get(m.id);
    ASSERT_TRUE(back.has_value() && back->has_value());
    EXPECT_EQ((*back)->state, MessageState::delivered);
    EXPECT_EQ((*back)->client, "acme");
    EXPECT_EQ((*back)->destination, m.destination);
    EXPECT_EQ((*back)->accepted_at, m.accepted_at);
    EXPECT_EQ((*back)->segments[1].state, SegmentState::delivered);
}

TYPED_TEST(StoreContract, ListFiltersAndPagesByCursor) {
    std::vector<Message> batch;
    for (int i = 0; i < 7; ++i) {
        auto m =
            this->make(i % 2 ? "acme" : "globex", i < 5 ? MessageState::queued : MessageState::sent,
                       kT0 + std::chrono::seconds(i));
        m.destination = i == 3 ? "+14155550100" : "+989123456789";
        m.client_ref = i == 4 ? "order-77" : "";
        batch.push_back(m);
    }
    this->insert(batch);

    MessageQuery q;
    q.client = "globex";
    q.limit = 2;
    auto page = this->store().list(q);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->messages.size(), 2u);
    EXPECT_EQ(page->messages[0].id, batch[0].id);
    EXPECT_EQ(page->messages[1].id, batch[2].id);
    ASSERT_TRUE(page->next.has_value());
    EXPECT_EQ(*page->next, batch[2].id);
    q.after = page->next;
    auto rest = this->store().list(q);
    ASSERT_TRUE(rest.has_value());
    ASSERT_EQ(rest->messages.size(), 2u);
    EXPECT_EQ(rest->messages[0].id, batch[4].id);
    EXPECT_EQ(rest->messages[1].id, batch[6].id);
    EXPECT_FALSE(rest->next.has_value());

    MessageQuery exact_page;  // exactly `limit` matches: no next cursor
    exact_page.client = "acme";
    exact_page.limit = 3;
    auto acme = this->store().list(exact_page);
    ASSERT_EQ(acme->messages.size(), 3u);
    EXPECT_FALSE(acme->next.has_value());

    MessageQuery by_state;
    by_state.state = MessageState::sent;
    auto sent = this->store().list(by_state);
    ASSERT_EQ(sent->messages.size(), 2u);
    EXPECT_EQ(sent->messages[0].id, batch[5].id);

    MessageQuery by_destination;
    by_destination.destination = "+14155550100";
    auto dest = this->store().list(by_destination);
    ASSERT_EQ(dest->messages.size(), 1u);
    EXPECT_EQ(dest->messages[0].id, batch[3].id);

    MessageQuery by_ref;
    by_ref.client_ref = "order-77";
    auto ref = this->store().list(by_ref);
    ASSERT_EQ(ref->messages.size(), 1u);
    EXPECT_EQ(ref->messages[0].id, batch[4].id);
    by_ref.client_ref = "";
    EXPECT_EQ(this->store().list(by_ref)->messages.size(), 6u);

    MessageQuery by_time;  // [from, to)
    by_time.accepted_from = kT0 + 2s;
    by_time.accepted_to = kT0 + 4s;
    auto window = this->store().list(by_time);
    ASSERT_EQ(window->messages.size(), 2u);
    EXPECT_EQ(window->messages[0].id, batch[2].id);
    EXPECT_EQ(window->messages[1].id, batch[3].id);

    MessageQuery combined;
    combined.client = "globex";
    combined.state = MessageState::queued;
    combined.accepted_from = kT0 + 1s;
    auto both = this->store().list(combined);
    ASSERT_EQ(both->messages.size(), 2u);
    EXPECT_EQ(both->messages[0].id, batch[2].id);

    MessageQuery all;
    all.limit = 0;  // default page size
    EXPECT_EQ(this->store().list(all)->messages.size(), 7u);
}

TYPED_TEST(StoreContract, LoadActiveReturnsUnfinishedNotSentAscending) {
    std::vector<Message> batch;
    for (std::size_t i = 0; i < kMessageStateCount; ++i) {
        batch.push_back(
            this->make("acme", static_cast<MessageState>(i), kT0 + std::chrono::seconds(i)));
    }
    // Insert in reverse so ascending order cannot come from insertion order.
    std::reverse(batch.begin(), batch.end());
    this->insert(batch);
    const auto active = this->store().load_active();
    ASSERT_TRUE(active.has_value());
    std::vector<MessageState> states;
    for (const auto& m : *active) states.push_back(m.state);
    EXPECT_EQ(states,
              (std::vector<MessageState>{MessageState::accepted, MessageState::queued,
                                         MessageState::sending, MessageState::failed_temp}));
    EXPECT_TRUE(std::is_sorted(active->begin(), active->end(),
                               [](const Message& a, const Message& b) { return a.id < b.id; }));
}

TYPED_TEST(StoreContract, CountsByState) {
    this->insert({this->make("a"), this->make("b"), this->make("c", MessageState::sent)});
    EXPECT_EQ(*this->store().count(MessageState::queued), 2u);
    EXPECT_EQ(*this->store().count(MessageState::sent), 1u);
    EXPECT_EQ(*this->store().count(MessageState::delivered), 0u);
}

TYPED_TEST(StoreContract, PurgeRemovesOldFinishedMessagesWithTheirEventsAndIds) {
    std::vector<Message> batch;
    std::vector<MessageId> old_final;
    for (int i = 0; i < 8; ++i) {
        const auto state = i == 7 ? MessageState::queued
                                  : (i % 2 ? MessageState::delivered : MessageState::dead_letter);
        auto m = this->make("acme", state);
        m.updated_at = kT0 + std::chrono::seconds(i < 6 ? 0 : 100);
        m.provider = "smsc";
        m.segments = {{std::to_string(1000 + i), {}, {}}};
        if (i < 6) old_final.push_back(m.id);
        batch.push_back(m);
    }
    auto sent = this->make("acme", MessageState::sent);  // not final: kept whatever its age
    sent.updated_at = kT0;
    batch.push_back(sent);
    this->insert(batch);

    EXPECT_EQ(*this->store().purge(kT0), 0u);  // strictly before
    const auto purged = this->store().purge(kT0 + 50s);
    ASSERT_TRUE(purged.has_value());
    EXPECT_EQ(*purged, 6u);
    for (const auto& id : old_final) {
        EXPECT_FALSE(this->store().get(id)->has_value());
        EXPECT_TRUE(this->store().events(id)->empty());
    }
    EXPECT_FALSE(this->store().find_by_provider_id("smsc", "1000")->has_value());
    EXPECT_TRUE(this->store().find_by_provider_id("smsc", "1006")->has_value());
    EXPECT_TRUE(this->store().get(batch[6].id)->has_value());
    EXPECT_TRUE(this->store().get(batch[7].id)->has_value());
    EXPECT_TRUE(this->store().get(sent.id)->has_value());
    EXPECT_EQ(this->store().events(batch[7].id)->size(), 1u);
    EXPECT_EQ(*this->store().purge(kT0 + 1h), 1u);
    EXPECT_EQ(*this->store().purge(kT0 + 1h), 0u);
}

TYPED_TEST(StoreContract, PurgeRemovesOldCancelledMessagesToo) {
    // CANCELLED is final but not in migration 2's partial index: the SQLite store selects it
    // separately, across chunks (purge_chunk is 3 here).
    std::vector<Message> batch;
    for (int i = 0; i < 8; ++i) {
        auto m = this->make("acme", i < 2 ? MessageState::delivered : MessageState::cancelled);
        m.updated_at = kT0 + std::chrono::seconds(i < 7 ? 0 : 100);
        batch.push_back(m);
    }
    this->insert(batch);
    EXPECT_EQ(*this->store().count(MessageState::cancelled), 6u);
    EXPECT_EQ(*this->store().purge(kT0 + 50s), 7u);
    EXPECT_TRUE(this->store().get(batch[7].id)->has_value());
    EXPECT_FALSE(this->store().get(batch[3].id)->has_value());
    EXPECT_EQ(*this->store().count(MessageState::cancelled), 1u);
}

}  // namespace
}  // namespace bindery::router
