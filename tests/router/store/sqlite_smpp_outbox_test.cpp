// Deliveries to SMPP server accounts (smpp_outbox, migration 11): enqueue order per account, due
// and skip, attempts recorded in the message's history, expiry, idempotent receipts, the receipt
// scan and its watermark, and everything across a reopen. Real files in a temp directory.

#include <gtest/gtest.h>

#include "router/store/sqlite_smpp_outbox.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

SmppDelivery receipt_for(const Message& m, std::string account, SystemTime at) {
    SmppDelivery d;
    d.account = std::move(account);
    d.kind = SmppDeliveryKind::receipt;
    d.message_id = m.id;
    d.state = m.state;
    d.receipt_id = m.id.to_string();
    d.source_addr = "989123456789";
    d.destination_addr = m.sender;
    d.pdu = std::string("\x00\x01\x02receipt", 10);
    d.created_at = at;
    d.next_attempt_at = at;
    d.expires_at = at + 48h;
    return d;
}

SmppDelivery mo(std::string account, std::string text, SystemTime at) {
    SmppDelivery d;
    d.account = std::move(account);
    d.kind = SmppDeliveryKind::mo;
    d.source_addr = "989121000001";
    d.destination_addr = "3000";
    d.pdu = std::move(text);
    d.created_at = at;
    d.next_attempt_at = at;
    d.expires_at = at + 1h;
    return d;
}

// A message stored in a final state (inserted, then moved there by a transition).
Message store_final(SqliteStore& store, MessageIdGenerator& ids, MessageState state, SystemTime at,
                    std::vector<std::string> tags) {
    auto m = sample_message(ids, "acme", MessageState::queued);
    m.tags = std::move(tags);
    EXPECT_TRUE(store.insert_batch(std::span(&m, 1), std::vector{accepted_event(m)}).has_value());
    auto next = m;
    next.state = state;
    next.updated_at = at;
    const TransitionWrite w{next, MessageState::queued,
                            MessageEvent{m.id, MessageState::queued, state, at, 1, "sim", ""}};
    const auto results = store.transition_batch(std::span(&w, 1));
    EXPECT_TRUE(results.size() == 1 && results[0].has_value());
    return next;
}

TEST(SqliteSmppOutbox, DeliveriesSurviveAReopenAndComeBackPerAccountInEnqueueOrder) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    {
        auto outbox = open_ok<SqliteSmppOutbox>(config);
        ASSERT_NE(outbox, nullptr);
        const std::vector<SmppDelivery> items = {
            mo("acme", "first", kT0 + 2s), mo("other", "x", kT0), mo("acme", "second", kT0 + 1s)};
        auto seqs = outbox->enqueue(items);
        ASSERT_TRUE(seqs.has_value()) << seqs.error();
        ASSERT_EQ(seqs->size(), 3u);
        EXPECT_LT((*seqs)[0], (*seqs)[2]);
    }
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    const auto pending = outbox->pending();
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->at({"acme", SmppDeliveryKind::mo}), 2u);
    EXPECT_EQ(pending->at({"other", SmppDeliveryKind::mo}), 1u);
    // Due at kT0 + 1s: only "second"; at kT0 + 2s both, in enqueue order (not due order).
    auto early = outbox->due("acme", kT0 + 1s, 10, {});
    ASSERT_EQ(early->size(), 1u);
    EXPECT_EQ((*early)[0].pdu, "second");
    auto both = outbox->due("acme", kT0 + 2s, 10, {});
    ASSERT_TRUE(both.has_value());
    ASSERT_EQ(both->size(), 2u);
    EXPECT_EQ((*both)[0].pdu, "first");
    EXPECT_EQ((*both)[1].pdu, "second");
    EXPECT_EQ((*both)[0].kind, SmppDeliveryKind::mo);
    EXPECT_EQ((*both)[0].destination_addr, "3000");
    EXPECT_EQ((*both)[0].expires_at, kT0 + 2s + 1h);
    EXPECT_FALSE((*both)[0].message_id.has_value());
    // In flight: skipped, and the limit fills from the rest.
    const std::int64_t skip[] = {(*both)[0].seq};
    auto rest = outbox->due("acme", kT0 + 2s, 1, skip);
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ((*rest)[0].pdu, "second");
    EXPECT_TRUE(outbox->due("nobody", kT0 + 2s, 10, {})->empty());
}

TEST(SqliteSmppOutbox, AttemptsOfAReceiptAreRecordedInItsMessageHistory) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(11);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    const auto m =
        store_final(*store, ids, MessageState::delivered, kT0 + 1s, {"smpp", "smpp-dlr:acme:1"});
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    auto seqs = outbox->enqueue(std::vector{receipt_for(m, "acme", kT0 + 2s)});
    ASSERT_TRUE(seqs.has_value()) << seqs.error();
    const auto seq = (*seqs)[0];
    ASSERT_GT(seq, 0);
    auto due = outbox->due("acme", kT0 + 2s, 10, {});
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].message_id, m.id);
    EXPECT_EQ((*due)[0].state, MessageState::delivered);
    EXPECT_EQ((*due)[0].pdu, std::string("\x00\x01\x02receipt", 10));

    const SmppDeliveryAttempt retry{
        seq, 1, kT0 + 3s, SmppDeliveryVerdict::retry, "ESME_RX_T_APPN", kT0 + 8s};
    ASSERT_TRUE(outbox->record(std::span(&retry, 1)).has_value());
    EXPECT_TRUE(outbox->due("acme", kT0 + 7s, 10, {})->empty());
    auto again = outbox->due("acme", kT0 + 8s, 10, {});
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ((*again)[0].attempts, 1u);
    EXPECT_EQ((*again)[0].last_error, "ESME_RX_T_APPN");

    const SmppDeliveryAttempt ok{seq, 2, kT0 + 9s, SmppDeliveryVerdict::delivered, "ESME_ROK", {}};
    ASSERT_TRUE(outbox->record(std::span(&ok, 1)).has_value());
    EXPECT_TRUE(outbox->pending()->empty());
    // Recording an attempt of a removed entry changes nothing.
    ASSERT_TRUE(outbox->record(std::span(&ok, 1)).has_value());

    auto history = store->events(m.id);
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 5u);  // accepted, delivered, queued, retry, delivered
    EXPECT_EQ((*history)[2].provider, "smpp-receipt");
    EXPECT_EQ((*history)[2].to, MessageState::delivered);
    EXPECT_EQ((*history)[2].detail, "receipt DELIVERED queued for ESME 'acme'");
    EXPECT_EQ((*history)[3].detail,
              "receipt to ESME 'acme' attempt 1: ESME_RX_T_APPN (will retry)");
    EXPECT_EQ((*history)[4].detail, "receipt delivered to ESME 'acme' (attempt 2)");
    EXPECT_EQ((*history)[4].at, kT0 + 9s);

    // Queued once per message and state: a second enqueue (the startup scan meeting a receipt
    // the live path queued, or one already delivered) is skipped.
    auto twice = outbox->enqueue(std::vector{receipt_for(m, "acme", kT0 + 10s)});
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ((*twice)[0], 0);
    EXPECT_TRUE(outbox->pending()->empty());
}

TEST(SqliteSmppOutbox, AReceiptStillQueuedIsNotQueuedTwice) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(12);
    const auto m =
        sample_message(ids, "acme", MessageState::undeliverable);  // purged / never stored
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    ASSERT_GT((*outbox->enqueue(std::vector{receipt_for(m, "acme", kT0)}))[0], 0);
    EXPECT_EQ((*outbox->enqueue(std::vector{receipt_for(m, "acme", kT0)}))[0], 0);
    EXPECT_EQ(outbox->pending()->at({"acme", SmppDeliveryKind::receipt}), 1u);
}

TEST(SqliteSmppOutbox, EachPartIdOfAConcatenatedSubmitGetsItsOwnReceiptOnce) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(15);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    const auto m = store_final(*store, ids, MessageState::delivered, kT0,
                               {"smpp-dlr:acme:1", "smpp-parts:p1,p2"});
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    auto p1 = receipt_for(m, "acme", kT0);
    p1.receipt_id = "p1";
    auto p2 = receipt_for(m, "acme", kT0);
    p2.receipt_id = "p2";
    auto seqs = outbox->enqueue(std::vector{p1, p2});
    ASSERT_TRUE(seqs.has_value()) << seqs.error();
    EXPECT_GT((*seqs)[0], 0);
    EXPECT_GT((*seqs)[1], 0);
    // Both again (the scan, or the live path late): skipped, each by its own id.
    auto again = outbox->enqueue(std::vector{p1, p2});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ((*again)[0], 0);
    EXPECT_EQ((*again)[1], 0);
    auto due = outbox->due("acme", kT0, 10, {});
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].receipt_id, "p1");
    EXPECT_EQ((*due)[1].receipt_id, "p2");
    // Delivered and gone, p1 is still known: not queued a third time.
    const SmppDeliveryAttempt ok{(*due)[0].seq, 1, kT0 + 1s, SmppDeliveryVerdict::delivered,
                                 "ESME_ROK",    {}};
    ASSERT_TRUE(outbox->record(std::span(&ok, 1)).has_value());
    EXPECT_EQ((*outbox->enqueue(std::vector{p1}))[0], 0);
    auto history = store->events(m.id);
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 5u);
    EXPECT_EQ((*history)[2].detail, "receipt for part p1 DELIVERED queued for ESME 'acme'");
    EXPECT_EQ((*history)[3].detail, "receipt for part p2 DELIVERED queued for ESME 'acme'");
    EXPECT_EQ((*history)[4].detail, "receipt for part p1 delivered to ESME 'acme' (attempt 1)");
}

TEST(SqliteSmppOutbox, ExpiredDeliveriesAreRemovedReturnedAndWrittenToTheHistory) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(13);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    const auto m = store_final(*store, ids, MessageState::expired, kT0, {"smpp-dlr:acme:2"});
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    auto r = receipt_for(m, "acme", kT0);
    r.expires_at = kT0 + 10s;
    r.attempts = 3;
    r.last_error = "no response";
    auto a = mo("acme", "a", kT0);
    a.expires_at = kT0 + 20s;
    auto b = mo("acme", "b", kT0);
    b.expires_at = kT0 + 5s;
    const auto seqs = *outbox->enqueue(std::vector{r, a, b});
    EXPECT_EQ(**outbox->next_expiry(), kT0 + 5s);
    EXPECT_TRUE(outbox->expire(kT0 + 4s, 10, {})->empty());
    // b is in flight: skipped; r expires.
    const std::int64_t skip[] = {seqs[2]};
    auto gone = outbox->expire(kT0 + 10s, 10, skip);
    ASSERT_TRUE(gone.has_value()) << gone.error();
    ASSERT_EQ(gone->size(), 1u);
    EXPECT_EQ((*gone)[0].seq, seqs[0]);
    EXPECT_EQ((*gone)[0].message_id, m.id);
    auto gone_b = outbox->expire(kT0 + 10s, 10, {});
    ASSERT_EQ(gone_b->size(), 1u);
    EXPECT_EQ((*gone_b)[0].pdu, "b");
    EXPECT_EQ(outbox->pending()->at({"acme", SmppDeliveryKind::mo}), 1u);
    EXPECT_EQ(**outbox->next_expiry(), kT0 + 20s);

    auto history = store->events(m.id);
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 4u);
    EXPECT_EQ((*history)[3].provider, "smpp-receipt");
    EXPECT_EQ((*history)[3].detail,
              "receipt to ESME 'acme' given up: expired after 3 attempt(s), last: no response");
    EXPECT_EQ((*history)[3].at, kT0 + 10s);
}

TEST(SqliteSmppOutbox, TheScanFindsFinalMessagesWithAReceiptTagAndNoReceiptQueued) {
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(14);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    const auto old = store_final(*store, ids, MessageState::delivered, kT0, {"smpp-dlr:acme:1"});
    const auto a =
        store_final(*store, ids, MessageState::delivered, kT0 + 10s, {"smpp", "smpp-dlr:acme:1"});
    const auto untagged = store_final(*store, ids, MessageState::delivered, kT0 + 11s, {"smpp"});
    const auto b =
        store_final(*store, ids, MessageState::rejected, kT0 + 12s, {"smpp-dlr:other:2"});
    const auto c =
        store_final(*store, ids, MessageState::undeliverable, kT0 + 13s, {"smpp-dlr:acme:1"});
    auto pending_message = sample_message(ids, "acme", MessageState::queued);
    pending_message.tags = {"smpp-dlr:acme:1"};
    ASSERT_TRUE(store
                    ->insert_batch(std::span(&pending_message, 1),
                                   std::vector{accepted_event(pending_message)})
                    .has_value());
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    // c's receipt is queued already.
    ASSERT_GT((*outbox->enqueue(std::vector{receipt_for(c, "acme", kT0 + 14s)}))[0], 0);

    auto page = outbox->unreceipted(kT0 + 5s, std::nullopt, "smpp-dlr:", 1);
    ASSERT_TRUE(page.has_value()) << page.error();
    ASSERT_EQ(page->size(), 1u);
    EXPECT_EQ((*page)[0].id, a.id);
    EXPECT_EQ((*page)[0].updated_at, kT0 + 10s);
    auto next = outbox->unreceipted(kT0 + 5s, (*page)[0], "smpp-dlr:", 10);
    ASSERT_TRUE(next.has_value());
    ASSERT_EQ(next->size(), 1u);
    EXPECT_EQ((*next)[0].id, b.id);
    EXPECT_TRUE(outbox->unreceipted(kT0 + 5s, (*next)[0], "smpp-dlr:", 10)->empty());
    EXPECT_EQ(outbox->unreceipted(kT0, std::nullopt, "smpp-dlr:", 10)->size(), 3u);  // + old
    (void)untagged;

    EXPECT_FALSE(outbox->receipts_scanned_to()->has_value());
    ASSERT_TRUE(outbox->set_receipts_scanned_to(kT0 + 5s).has_value());
    ASSERT_TRUE(outbox->set_receipts_scanned_to(kT0 + 6s).has_value());
    outbox.reset();
    auto reopened = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(**reopened->receipts_scanned_to(), kT0 + 6s);
}

TEST(SqliteSmppOutbox, TheScanFindsCancelledMessagesToo) {
    // CANCELLED is final (an ESME that asked for receipts gets stat:DELETED): migration 12 put it
    // in the index the scan reads.
    TempDir dir;
    const auto config = sqlite_config(dir.file("m.db"));
    MessageIdGenerator ids(15);
    auto store = open_ok<SqliteStore>(config);
    ASSERT_NE(store, nullptr);
    const auto cancelled =
        store_final(*store, ids, MessageState::cancelled, kT0 + 10s, {"smpp-dlr:acme:1"});
    auto outbox = open_ok<SqliteSmppOutbox>(config);
    ASSERT_NE(outbox, nullptr);
    auto page = outbox->unreceipted(kT0, std::nullopt, "smpp-dlr:", 10);
    ASSERT_TRUE(page.has_value()) << page.error();
    ASSERT_EQ(page->size(), 1u);
    EXPECT_EQ((*page)[0].id, cancelled.id);
}

}  // namespace
}  // namespace bindery::router
