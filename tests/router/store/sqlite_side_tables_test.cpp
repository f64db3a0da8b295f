// The tables beside the messages: delivery callbacks (durable outbox, history events) and
// Idempotency-Key responses (replay across a reopen, retention). Real files in a temp directory.

#include <gtest/gtest.h>

#include "router/store/sqlite_callbacks.hpp"
#include "router/store/sqlite_idempotency.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

CallbackJob job_for(const Message& m, SystemTime at) {
    CallbackJob j;
    j.message_id = m.id;
    j.client = m.client;
    j.state = m.state;
    j.url = "http://127.0.0.1:1/cb";
    j.body = R"({"event":"message.delivered"})";
    j.created_at = at;
    j.next_attempt_at = at;
    return j;
}

// A store with two stored messages of client acme: a DELIVERED, b in `b_state` (store null, with
// the failure added, when that did not work).
struct StoredPair {
    std::unique_ptr<SqliteStore> store;
    Message a;
    Message b;
};

StoredPair stored_pair(const SqliteStoreConfig& config, std::uint64_t seed, MessageState b_state) {
    MessageIdGenerator ids(seed);
    StoredPair p{open_ok<SqliteStore>(config), sample_message(ids, "acme", MessageState::delivered),
                 sample_message(ids, "acme", b_state)};
    if (p.store == nullptr) return p;
    std::vector<Message> messages = {p.a, p.b};
    auto inserted =
        p.store->insert_batch(messages, std::vector{accepted_event(p.a), accepted_event(p.b)});
    if (!inserted) {
        ADD_FAILURE() << inserted.error().detail;
        p.store.reset();
    }
    return p;
}

// After attempts "HTTP 200" (delivered) for a and "HTTP 503" (retry) for b: each history is the
// acceptance and that attempt.
void expect_first_attempts(SqliteStore& store, const Message& a, const Message& b) {
    auto ha = store.events(a.id);
    auto hb = store.events(b.id);
    ASSERT_TRUE(ha.has_value() && hb.has_value());
    ASSERT_EQ(ha->size(), 2u);
    ASSERT_EQ(hb->size(), 2u);
    EXPECT_EQ((*ha)[1].detail, "callback attempt 1: HTTP 200 (delivered)");
    EXPECT_EQ((*hb)[1].detail, "callback attempt 1: HTTP 503 (will retry)");
    EXPECT_EQ((*hb)[1].from, b.state);
}

TEST(SqliteCallbackOutbox, PendingJobsSurviveAReopenAndComeBackInDueOrder) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(7);
    const auto a = sample_message(ids, "acme", MessageState::delivered);
    const auto b = sample_message(ids, "acme", MessageState::undeliverable);
    {
        auto outbox = open_ok<SqliteCallbackOutbox>(config);
        ASSERT_NE(outbox, nullptr);
        std::vector<CallbackJob> jobs = {job_for(a, kT0 + 2s), job_for(b, kT0 + 1s)};
        ASSERT_TRUE(outbox->enqueue(jobs).has_value());
        EXPECT_EQ(*outbox->pending(), 2u);
    }
    auto outbox = open_ok<SqliteCallbackOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    EXPECT_EQ(*outbox->pending(), 2u);
    EXPECT_EQ(**outbox->next_due(), kT0 + 1s);
    auto none = outbox->due(kT0, 10, {});
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
    auto due = outbox->due(kT0 + 5s, 10, {});
    ASSERT_TRUE(due.has_value());
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].message_id, b.id);
    EXPECT_EQ((*due)[0].state, MessageState::undeliverable);
    EXPECT_EQ((*due)[1].message_id, a.id);
    EXPECT_EQ((*due)[1].body, R"({"event":"message.delivered"})");
    EXPECT_EQ((*due)[1].url, "http://127.0.0.1:1/cb");
    EXPECT_EQ((*due)[1].created_at, kT0 + 2s);
    // In-flight seqs are skipped, and the limit still fills from the rest.
    const std::int64_t skip[] = {(*due)[0].seq};
    auto rest = outbox->due(kT0 + 5s, 1, skip);
    ASSERT_TRUE(rest.has_value());
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ((*rest)[0].message_id, a.id);
}

TEST(SqliteCallbackOutbox, AttemptsAreRecordedInTheMessageHistoryAndEndTheJob) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(8);
    auto m = sample_message(ids, "acme", MessageState::delivered);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->insert_batch(std::span(&m, 1), std::vector{accepted_event(m)}).has_value());
    auto outbox = open_ok<SqliteCallbackOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->enqueue(std::vector{job_for(m, kT0)}).has_value());
    auto due = outbox->due(kT0, 10, {});
    ASSERT_TRUE(due.has_value());
    ASSERT_EQ(due->size(), 1u);
    const auto seq = (*due)[0].seq;

    CallbackAttempt first{seq, 1, kT0 + 1s, CallbackVerdict::retry, "HTTP 500", kT0 + 31s};
    ASSERT_TRUE(outbox->record(first).has_value());
    EXPECT_TRUE(outbox->due(kT0 + 30s, 10, {})->empty());
    auto again = outbox->due(kT0 + 31s, 10, {});
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ((*again)[0].attempts, 1u);
    EXPECT_EQ((*again)[0].last_error, "HTTP 500");

    CallbackAttempt second{seq, 2, kT0 + 32s, CallbackVerdict::delivered, "HTTP 200", {}};
    ASSERT_TRUE(outbox->record(second).has_value());
    EXPECT_EQ(*outbox->pending(), 0u);
    EXPECT_FALSE(outbox->next_due()->has_value());
    // Recording an attempt of a finished job changes nothing.
    ASSERT_TRUE(outbox->record(second).has_value());

    auto history = store->events(m.id);
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ((*history)[1].provider, "callback");
    EXPECT_EQ((*history)[1].from, MessageState::delivered);
    EXPECT_EQ((*history)[1].to, MessageState::delivered);
    EXPECT_EQ((*history)[1].attempt, 1u);
    EXPECT_EQ((*history)[1].detail, "callback attempt 1: HTTP 500 (will retry)");
    EXPECT_EQ((*history)[2].detail, "callback attempt 2: HTTP 200 (delivered)");
    EXPECT_EQ((*history)[2].at, kT0 + 32s);
}

TEST(SqliteCallbackOutbox, AJobWhoseMessageWasPurgedStillEnds) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(9);
    const auto m = sample_message(ids, "acme", MessageState::expired);  // never stored
    auto outbox = open_ok<SqliteCallbackOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    ASSERT_TRUE(outbox->enqueue(std::vector{job_for(m, kT0)}).has_value());
    const auto seq = (*outbox->due(kT0, 1, {}))[0].seq;
    ASSERT_TRUE(outbox->record({seq, 5, kT0, CallbackVerdict::gave_up, "timeout", {}}).has_value());
    EXPECT_EQ(*outbox->pending(), 0u);
}

TEST(SqliteCallbackOutbox, EnqueueAnswersTheSeqsAndSeveralAttemptsAreRecordedAtOnce) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    auto [store, a, b] = stored_pair(config, 10, MessageState::delivered);
    ASSERT_NE(store, nullptr);
    auto outbox = open_ok<SqliteCallbackOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    auto seqs = outbox->enqueue(std::vector{job_for(a, kT0), job_for(b, kT0 + 1s)});
    ASSERT_TRUE(seqs.has_value());
    ASSERT_EQ(seqs->size(), 2u);
    auto due = outbox->due(kT0 + 1s, 10, {});
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].seq, (*seqs)[0]);
    EXPECT_EQ((*due)[1].seq, (*seqs)[1]);

    const CallbackAttempt attempts[] = {
        {(*seqs)[0], 1, kT0 + 2s, CallbackVerdict::delivered, "HTTP 200", {}},
        {(*seqs)[1], 1, kT0 + 2s, CallbackVerdict::retry, "HTTP 503", kT0 + 40s},
        {(*seqs)[0] + 100, 1, kT0 + 2s, CallbackVerdict::delivered, "HTTP 200", {}},  // unknown
    };
    ASSERT_TRUE(outbox->record_all(attempts).has_value());
    EXPECT_EQ(*outbox->pending(), 1u);
    EXPECT_EQ(**outbox->next_due(), kT0 + 40s);
    expect_first_attempts(*store, a, b);
    // A finished job's attempt recorded again adds no history.
    ASSERT_TRUE(outbox->record(attempts[0]).has_value());
    EXPECT_EQ(store->events(a.id)->size(), 2u);
}

// The gateway's outbox writes through the store's group-commit writer: its enqueue and
// record_all are commits of the store's writer (counted in its stats), and everything reads back
// as with an outbox of its own.
TEST(SqliteCallbackOutbox, WritesThroughTheStoreAreTheStoreWritersCommits) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    auto [store, a, b] = stored_pair(config, 11, MessageState::undeliverable);
    ASSERT_NE(store, nullptr);
    auto opened = SqliteCallbackOutbox::open(config, store.get());
    ASSERT_TRUE(opened.has_value()) << opened.error().detail;
    auto& outbox = **opened;

    const auto before = store->stats();
    auto seqs = outbox.enqueue(std::vector{job_for(a, kT0), job_for(b, kT0 + 1s)});
    ASSERT_TRUE(seqs.has_value()) << seqs.error();
    ASSERT_EQ(seqs->size(), 2u);
    EXPECT_LT((*seqs)[0], (*seqs)[1]);
    const auto enqueued = store->stats();
    EXPECT_EQ(enqueued.commits, before.commits + 1);
    EXPECT_EQ(enqueued.requests, before.requests + 1);
    EXPECT_EQ(*outbox.pending(), 2u);
    auto due = outbox.due(kT0 + 1s, 10, {});
    ASSERT_TRUE(due.has_value());
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].seq, (*seqs)[0]);
    EXPECT_EQ((*due)[1].message_id, b.id);

    const CallbackAttempt attempts[] = {
        {(*seqs)[0], 1, kT0 + 2s, CallbackVerdict::delivered, "HTTP 200", {}},
        {(*seqs)[1], 1, kT0 + 2s, CallbackVerdict::retry, "HTTP 503", kT0 + 40s},
    };
    ASSERT_TRUE(outbox.record_all(attempts).has_value());
    EXPECT_EQ(store->stats().commits, enqueued.commits + 1);
    EXPECT_EQ(*outbox.pending(), 1u);
    EXPECT_EQ(**outbox.next_due(), kT0 + 40s);
    expect_first_attempts(*store, a, b);

    // The jobs are in the file: an outbox of its own opened later sees the one left.
    opened->reset();
    auto alone = open_ok<SqliteCallbackOutbox>(config);
    ASSERT_NE(alone, nullptr);
    EXPECT_EQ(*alone->pending(), 1u);
}

TEST(SqliteIdempotencyStore, ACompletedResponseIsReplayedAfterAReopen) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    {
        auto store = open_ok<SqliteIdempotencyStore>(config);
        ASSERT_NE(store, nullptr);
        EXPECT_EQ(store->begin("acme", "k1", "fp", kT0).state, IdempotencyState::reserved);
        EXPECT_EQ(store->begin("acme", "k1", "fp", kT0).state, IdempotencyState::in_progress);
        EXPECT_EQ(store->begin("acme", "k1", "other", kT0).state, IdempotencyState::mismatch);
        store->complete("acme", "k1", {202, "application/json", std::string("{\"a\":\0}", 8)},
                        kT0 + 1s);
        EXPECT_EQ(store->stats().stored, 1u);
        // Reserved and never completed: forgotten with the process.
        EXPECT_EQ(store->begin("acme", "k2", "fp", kT0).state, IdempotencyState::reserved);
    }
    auto store = open_ok<SqliteIdempotencyStore>(config);
    ASSERT_NE(store, nullptr);
    const auto replay = store->begin("acme", "k1", "fp", kT0 + 1h);
    ASSERT_EQ(replay.state, IdempotencyState::replay);
    EXPECT_EQ(replay.response.status, 202u);
    EXPECT_EQ(replay.response.content_type, "application/json");
    EXPECT_EQ(replay.response.body, std::string("{\"a\":\0}", 8));
    EXPECT_EQ(store->begin("acme", "k1", "changed", kT0 + 1h).state, IdempotencyState::mismatch);
    // Keys are per client.
    EXPECT_EQ(store->begin("other", "k1", "fp", kT0 + 1h).state, IdempotencyState::reserved);
    EXPECT_EQ(store->begin("acme", "k2", "fp", kT0 + 1h).state, IdempotencyState::reserved);
    EXPECT_EQ(store->last_error(), "");
}

// The gateway's idempotency store writes completed responses through the store's writer: one of
// its commits per response, and the row is there for a store of its own opened later.
TEST(SqliteIdempotencyStore, ResponsesWrittenThroughTheStoreAreItsCommitsAndReplay) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    {
        auto messages = open_ok<SqliteStore>(config);
        ASSERT_NE(messages, nullptr);
        auto opened = SqliteIdempotencyStore::open(config, {}, messages.get());
        ASSERT_TRUE(opened.has_value()) << opened.error().detail;
        auto& keys = **opened;
        EXPECT_EQ(keys.begin("acme", "k1", "fp", kT0).state, IdempotencyState::reserved);
        const auto before = messages->stats().commits;
        keys.complete("acme", "k1", {202, "application/json", "{\"id\":1}"}, kT0 + 1s);
        EXPECT_EQ(messages->stats().commits, before + 1);
        EXPECT_EQ(keys.stats().stored, 1u);
        EXPECT_EQ(keys.last_error(), "");
        // Completed: replayed from the table (the reservation is gone).
        const auto replay = keys.begin("acme", "k1", "fp", kT0 + 2s);
        ASSERT_EQ(replay.state, IdempotencyState::replay);
        EXPECT_EQ(replay.response.body, "{\"id\":1}");
    }
    auto alone = open_ok<SqliteIdempotencyStore>(config);
    ASSERT_NE(alone, nullptr);
    const auto replay = alone->begin("acme", "k1", "fp", kT0 + 1h);
    ASSERT_EQ(replay.state, IdempotencyState::replay);
    EXPECT_EQ(replay.response.status, 202u);
}

TEST(SqliteIdempotencyStore, KeysExpireAfterTheRetentionAndArePurged) {
    TempDir dir;
    auto store = open_ok<SqliteIdempotencyStore>(sqlite_config(dir.file("m.db")));
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(store->begin("acme", "k", "fp", kT0).state, IdempotencyState::reserved);
    store->complete("acme", "k", {400, "application/json", "{}"}, kT0);
    EXPECT_EQ(store->begin("acme", "k", "fp", kT0 + 24h - 1s).state, IdempotencyState::replay);
    // At 24 h the key is free again (the new request is processed, and its answer stored).
    ASSERT_EQ(store->begin("acme", "k", "fp2", kT0 + 24h).state, IdempotencyState::reserved);
    store->complete("acme", "k", {202, "application/json", "{\"new\":1}"}, kT0 + 24h);
    const auto r = store->begin("acme", "k", "fp2", kT0 + 25h);
    ASSERT_EQ(r.state, IdempotencyState::replay);
    EXPECT_EQ(r.response.body, "{\"new\":1}");
    EXPECT_EQ(*store->purge(kT0 + 48h), 1u);
    EXPECT_EQ(store->begin("acme", "k", "fp3", kT0 + 48h).state, IdempotencyState::reserved);
    store->release("acme", "k");
    EXPECT_EQ(store->begin("acme", "k", "fp4", kT0 + 48h).state, IdempotencyState::reserved);
}

}  // namespace
}  // namespace bindery::router
