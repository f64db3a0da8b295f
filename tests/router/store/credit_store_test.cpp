// Credit moves in the stores: hold at acceptance, capture or release with the state change that
// closes the hold, the same on InMemoryStore and SqliteStore; the SQLite store keeps balances,
// ledger and message states consistent across kill -9.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <thread>

#include "router/core/credits.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

template <class Store>
class CreditStore : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = make_store<Store>(sqlite_config(dir_.file("credits.db")));
        ASSERT_NE(store_, nullptr);
    }
    MessageStore& store() { return *store_; }

    Message message(std::string client, CreditAmount charge) {
        Message m = sample_message(ids_, std::move(client));
        m.schedule_at.reset();
        m.charge = charge;
        return m;
    }
    static std::vector<MessageEvent> events_of(std::span<const Message> batch) {
        std::vector<MessageEvent> out;
        for (const auto& m : batch) out.push_back(accepted_event(m));
        return out;
    }
    Expected<void, StoreError> accept(std::vector<Message> batch) {
        return store().insert_batch(batch, events_of(batch));
    }
    // Moves `m` through `path` (each a stored transition), as the router does.
    void walk(Message& m, std::initializer_list<MessageState> path) {
        for (const auto to : path) {
            const auto from = m.state;
            m.state = to;
            m.updated_at += 1s;
            auto done =
                store().transition(m, from, MessageEvent{m.id, from, to, m.updated_at, 1, "p", ""});
            ASSERT_TRUE(done) << to_string(from) << " -> " << to_string(to) << ": "
                              << done.error().detail;
        }
    }
    CreditAccount account(const std::string& client) {
        auto a = store().credit_account(client);
        EXPECT_TRUE(a.has_value());
        EXPECT_TRUE(a.has_value() && a->has_value()) << client << " has no account";
        return a && *a ? **a : CreditAccount{};
    }
    std::vector<CreditEntry> ledger(const std::string& client) {
        auto l = store().credit_ledger(client, 0, 1000);
        EXPECT_TRUE(l.has_value());
        return l ? *l : std::vector<CreditEntry>{};
    }

    TempDir dir_;
    std::unique_ptr<MessageStore> store_;
    MessageIdGenerator ids_{4242};
};

TYPED_TEST_SUITE(CreditStore, MessageStoreTypes, MessageStoreNames);

TYPED_TEST(CreditStore, AcceptanceHoldsTheChargeOfAMeteredClient) {
    ASSERT_TRUE(this->store().credit_open("acme", 100, CaptureOn::delivered, kT0));
    auto a = this->message("acme", 30);
    auto b = this->message("acme", 20);
    ASSERT_TRUE(this->accept({a, b}));
    const auto acc = this->account("acme");
    EXPECT_EQ(acc.balance, 50);
    EXPECT_EQ(acc.held, 50);
    EXPECT_EQ(acc.capture, CaptureOn::delivered);
    const auto l = this->ledger("acme");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0].kind, CreditKind::topup);
    EXPECT_EQ(l[0].amount, 100);
    EXPECT_FALSE(l[0].message.has_value());
    EXPECT_EQ(l[1].kind, CreditKind::hold);
    EXPECT_EQ(l[1].message, a.id);
    EXPECT_EQ(l[1].amount, 30);
    EXPECT_EQ(l[2].kind, CreditKind::hold);
    EXPECT_EQ(l[2].message, b.id);
    EXPECT_LT(l[1].seq, l[2].seq);
    // The charge is part of the stored message.
    EXPECT_EQ((*this->store().get(a.id))->charge, 30);
}

TYPED_TEST(CreditStore, ABatchTheBalanceCannotCoverIsRefusedWholeAndNothingIsStored) {
    ASSERT_TRUE(this->store().credit_open("acme", 50, CaptureOn::delivered, kT0));
    auto a = this->message("acme", 30);
    auto b = this->message("acme", 30);
    auto done = this->accept({a, b});
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, StoreErrc::insufficient_credit);
    EXPECT_NE(done.error().detail.find("balance 50"), std::string::npos) << done.error().detail;
    EXPECT_FALSE(this->store().get(a.id)->has_value());
    EXPECT_FALSE(this->store().get(b.id)->has_value());
    EXPECT_TRUE(this->store().events(a.id)->empty());
    EXPECT_EQ(this->account("acme").balance, 50);
    EXPECT_EQ(this->account("acme").held, 0);
    EXPECT_EQ(this->ledger("acme").size(), 1u);
    // Exactly the balance fits.
    EXPECT_TRUE(this->accept({this->message("acme", 50)}));
    EXPECT_EQ(this->account("acme").balance, 0);
    EXPECT_FALSE(this->accept({this->message("acme", 1)}));
}

TYPED_TEST(CreditStore, UnmeteredClientsAreUnlimitedAndLeaveNoLedger) {
    auto m = this->message("free", 1'000'000);
    ASSERT_TRUE(this->accept({m}));
    auto acc = this->store().credit_account("free");
    ASSERT_TRUE(acc.has_value());
    EXPECT_FALSE(acc->has_value());
    EXPECT_TRUE(this->ledger("free").empty());
    this->walk(m, {MessageState::sending, MessageState::sent, MessageState::delivered});
    EXPECT_FALSE(this->store().credit_account("free")->has_value());
    EXPECT_EQ((*this->store().get(m.id))->charge, 1'000'000);
}

TYPED_TEST(CreditStore, OneMeteredClientShortRefusesTheBatchOfAnother) {
    ASSERT_TRUE(this->store().credit_open("poor", 5, CaptureOn::delivered, kT0));
    auto rich = this->message("free", 10);
    auto poor = this->message("poor", 10);
    EXPECT_FALSE(this->accept({rich, poor}));
    EXPECT_FALSE(this->store().get(rich.id)->has_value());
}

// Capture on DELIVERED: SENT keeps the hold; the receipt's verdict captures or releases it.
TYPED_TEST(CreditStore, CaptureOnDeliveredCapturesOnlyWithTheDeliveredReceipt) {
    ASSERT_TRUE(this->store().credit_open("acme", 100, CaptureOn::delivered, kT0));
    auto m = this->message("acme", 10);
    ASSERT_TRUE(this->accept({m}));
    this->walk(m, {MessageState::sending, MessageState::sent});
    EXPECT_EQ(this->account("acme").held, 10);
    this->walk(m, {MessageState::delivered});
    const auto acc = this->account("acme");
    EXPECT_EQ(acc.balance, 90);
    EXPECT_EQ(acc.held, 0);
    const auto l = this->ledger("acme");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[2].kind, CreditKind::capture);
    EXPECT_EQ(l[2].message, m.id);
    EXPECT_EQ(l[2].amount, 10);
}

TYPED_TEST(CreditStore, CaptureOnSentCapturesWithTheSubmitAndNothingMovesAfterwards) {
    ASSERT_TRUE(this->store().credit_open("acme", 100, CaptureOn::sent, kT0));
    auto delivered = this->message("acme", 10);
    auto failed = this->message("acme", 10);
    ASSERT_TRUE(this->accept({delivered, failed}));
    this->walk(delivered, {MessageState::sending, MessageState::sent});
    EXPECT_EQ(this->account("acme").held, 10);
    EXPECT_EQ(this->account("acme").balance, 80);
    this->walk(delivered, {MessageState::delivered});
    // A carrier failure after the submit was captured: no refund.
    this->walk(failed, {MessageState::sending, MessageState::sent, MessageState::undeliverable});
    const auto acc = this->account("acme");
    EXPECT_EQ(acc.balance, 80);
    EXPECT_EQ(acc.held, 0);
    const auto l = this->ledger("acme");
    ASSERT_EQ(l.size(), 5u);  // topup, 2 holds, 2 captures
    EXPECT_EQ(l[3].kind, CreditKind::capture);
    EXPECT_EQ(l[4].kind, CreditKind::capture);
    EXPECT_EQ(l[4].message, failed.id);
}

// Every permanent failure gives the hold back, whichever way the message got there.
TYPED_TEST(CreditStore, EveryPermanentFailureReleasesTheHold) {
    ASSERT_TRUE(this->store().credit_open("acme", 1000, CaptureOn::delivered, kT0));
    using S = MessageState;
    const std::vector<std::vector<S>> paths = {
        {S::sending, S::sent, S::undeliverable},
        {S::sending, S::sent, S::expired},
        {S::sending, S::sent, S::rejected},
        {S::sending, S::failed_perm},
        {S::sending, S::failed_temp, S::dead_letter},
        {S::dead_letter},
        {S::sending, S::failed_temp, S::queued, S::sending, S::failed_perm},
    };
    for (const auto& path : paths) {
        auto m = this->message("acme", 7);
        ASSERT_TRUE(this->accept({m}));
        EXPECT_EQ(this->account("acme").held, 7);
        for (const auto to : path) this->walk(m, {to});
        const auto acc = this->account("acme");
        EXPECT_EQ(acc.held, 0) << to_string(path.back());
        EXPECT_EQ(acc.balance, 1000) << to_string(path.back());
        const auto l = this->ledger("acme");
        EXPECT_EQ(l.back().kind, CreditKind::release) << to_string(path.back());
        EXPECT_EQ(l.back().message, m.id);
        EXPECT_EQ(l.back().amount, 7);
    }
    // Each message: one hold and one release.
    EXPECT_EQ(this->ledger("acme").size(), 1 + 2 * paths.size());
}

TYPED_TEST(CreditStore, ATransitionWithoutAStateChangeMovesNothing) {
    ASSERT_TRUE(this->store().credit_open("acme", 100, CaptureOn::sent, kT0));
    auto m = this->message("acme", 10);
    ASSERT_TRUE(this->accept({m}));
    this->walk(m, {MessageState::sending, MessageState::sent});
    m.segments = {Segment{"abc", SegmentState::delivered, ""}};
    ASSERT_TRUE(this->store().transition(m, MessageState::sent, std::nullopt));
    EXPECT_EQ(this->ledger("acme").size(), 3u);
}

TYPED_TEST(CreditStore, BatchedTransitionsMoveCreditWriteByWrite) {
    ASSERT_TRUE(this->store().credit_open("acme", 100, CaptureOn::delivered, kT0));
    auto ok = this->message("acme", 10);
    auto bad = this->message("acme", 20);
    ASSERT_TRUE(this->accept({ok, bad}));
    this->walk(ok, {MessageState::sending, MessageState::sent});
    this->walk(bad, {MessageState::sending});
    std::vector<TransitionWrite> writes;
    Message delivered = ok;
    delivered.state = MessageState::delivered;
    writes.push_back(TransitionWrite{delivered, MessageState::sent, std::nullopt});
    Message stale = bad;  // refused: the stored state is SENDING, not SENT
    stale.state = MessageState::undeliverable;
    writes.push_back(TransitionWrite{stale, MessageState::sent, std::nullopt});
    Message failed = bad;
    failed.state = MessageState::failed_perm;
    writes.push_back(TransitionWrite{failed, MessageState::sending, std::nullopt});
    const auto results = this->store().transition_batch(writes);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0]);
    ASSERT_FALSE(results[1]);
    EXPECT_EQ(results[1].error().code, StoreErrc::conflict);
    EXPECT_TRUE(results[2]);
    const auto acc = this->account("acme");
    EXPECT_EQ(acc.held, 0);
    EXPECT_EQ(acc.balance, 90);  // 100 - 10 captured (the 20 came back)
    const auto l = this->ledger("acme");
    ASSERT_EQ(l.size(), 5u);
    EXPECT_EQ(l[3].kind, CreditKind::capture);
    EXPECT_EQ(l[4].kind, CreditKind::release);
    EXPECT_EQ(l[4].amount, 20);
}

// What the credit metrics read on a scrape (app/gateway_metrics add_credit_collector): every
// account, and the ledger's moves after a seq summed by client and kind (positive amounts only).
using SqliteCreditStore = CreditStore<SqliteStore>;
TEST_F(SqliteCreditStore, ListsEveryAccountAndSumsTheLedgerMovesAfterASeq) {
    auto& store = static_cast<SqliteStore&>(this->store());
    auto none = store.credit_moves(0);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->last_seq, 0U);
    EXPECT_TRUE(none->sums.empty());
    ASSERT_TRUE(store.credit_open("beta", 50, CaptureOn::sent, kT0));
    ASSERT_TRUE(store.credit_open("acme", 100, CaptureOn::delivered, kT0));
    auto a = this->message("acme", 30);
    auto b = this->message("acme", 20);
    ASSERT_TRUE(this->accept({a, b}));
    this->walk(a, {MessageState::sending, MessageState::sent, MessageState::delivered});
    this->walk(b, {MessageState::sending, MessageState::sent, MessageState::undeliverable});

    auto accounts = store.credit_accounts();
    ASSERT_TRUE(accounts);
    ASSERT_EQ(accounts->size(), 2U);
    EXPECT_EQ((*accounts)[0].client, "acme");  // by client name
    EXPECT_EQ((*accounts)[0].balance, 70);
    EXPECT_EQ((*accounts)[0].held, 0);
    EXPECT_EQ((*accounts)[0].capture, CaptureOn::delivered);
    EXPECT_EQ((*accounts)[1].client, "beta");
    EXPECT_EQ((*accounts)[1].balance, 50);
    EXPECT_EQ((*accounts)[1].capture, CaptureOn::sent);

    auto all = store.credit_moves(0);
    ASSERT_TRUE(all);
    std::map<std::pair<std::string, CreditKind>, CreditAmount> sums;
    for (const auto& e : all->sums) sums[{e.client, e.kind}] = e.amount;
    const std::map<std::pair<std::string, CreditKind>, CreditAmount> expected{
        {{"acme", CreditKind::topup}, 100},
        {{"acme", CreditKind::hold}, 50},
        {{"acme", CreditKind::capture}, 30},
        {{"acme", CreditKind::release}, 20},
        {{"beta", CreditKind::topup}, 50}};
    EXPECT_EQ(sums, expected);
    const auto end = all->last_seq;
    EXPECT_EQ(end, this->ledger("acme").back().seq);

    // After `end`: only what came later; a negative correction is not a move the counters add.
    auto unchanged = store.credit_moves(end);
    ASSERT_TRUE(unchanged);
    EXPECT_EQ(unchanged->last_seq, end);
    EXPECT_TRUE(unchanged->sums.empty());
    ASSERT_TRUE(store.credit_add("beta", 25, CaptureOn::delivered, "top-up", kT0 + 5s));
    ASSERT_TRUE(store.credit_add("beta", -5, CaptureOn::delivered, "correction", kT0 + 6s));
    auto later = store.credit_moves(end);
    ASSERT_TRUE(later);
    ASSERT_EQ(later->sums.size(), 1U);
    EXPECT_EQ(later->sums[0].client, "beta");
    EXPECT_EQ(later->sums[0].kind, CreditKind::topup);
    EXPECT_EQ(later->sums[0].amount, 25);
    EXPECT_EQ(later->last_seq, end + 2);
}

TYPED_TEST(CreditStore, OpenKeepsAnExistingBalanceAndTopUpsAddToIt) {
    auto first = this->store().credit_open("acme", 100, CaptureOn::delivered, kT0);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->balance, 100);
    // A restart with the same (or another) initial balance does not add it again.
    auto again = this->store().credit_open("acme", 500, CaptureOn::sent, kT0 + 1s);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->balance, 100);
    EXPECT_EQ(again->capture, CaptureOn::sent);
    auto added = this->store().credit_add("acme", 250, CaptureOn::delivered, "invoice 7", kT0 + 2s);
    ASSERT_TRUE(added);
    EXPECT_EQ(added->balance, 350);
    EXPECT_EQ(added->capture, CaptureOn::sent);
    auto corrected =
        this->store().credit_add("acme", -50, CaptureOn::delivered, "correction", kT0 + 3s);
    ASSERT_TRUE(corrected);
    EXPECT_EQ(corrected->balance, 300);
    auto too_much = this->store().credit_add("acme", -301, CaptureOn::delivered, "", kT0 + 4s);
    ASSERT_FALSE(too_much);
    EXPECT_EQ(too_much.error().code, StoreErrc::insufficient_credit);
    EXPECT_EQ(this->account("acme").balance, 300);
    const auto l = this->ledger("acme");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[1].note, "invoice 7");
    EXPECT_EQ(l[2].amount, -50);
    // Paging by seq.
    auto rest = this->store().credit_ledger("acme", l[0].seq, 1);
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ((*rest)[0].seq, l[1].seq);
}

TYPED_TEST(CreditStore, ATopUpOfAnUnknownClientMakesItMetered) {
    auto added = this->store().credit_add("new", 40, CaptureOn::sent, "first", kT0);
    ASSERT_TRUE(added);
    EXPECT_EQ(added->capture, CaptureOn::sent);
    EXPECT_FALSE(this->accept({this->message("new", 41)}));
    EXPECT_TRUE(this->accept({this->message("new", 40)}));
    EXPECT_FALSE(this->store().credit_add("other", -1, CaptureOn::sent, "", kT0));
    EXPECT_FALSE(this->store().credit_account("other")->has_value());
}

TYPED_TEST(CreditStore, ConcurrentAcceptancesNeverHoldMoreThanTheBalance) {
    ASSERT_TRUE(this->store().credit_open("acme", 55, CaptureOn::delivered, kT0));
    std::atomic<int> accepted{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    std::vector<Message> messages;
    for (int i = 0; i < 12; ++i) messages.push_back(this->message("acme", 10));
    for (int i = 0; i < 12; ++i) {
        threads.emplace_back([&, i] {
            auto done = this->accept({messages[static_cast<std::size_t>(i)]});
            (done ? accepted : refused)++;
            if (!done) EXPECT_EQ(done.error().code, StoreErrc::insufficient_credit);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted.load(), 5);
    EXPECT_EQ(refused.load(), 7);
    EXPECT_EQ(this->account("acme").balance, 5);
    EXPECT_EQ(this->account("acme").held, 50);
}

// ---- kill -9 while credit moves: the ledger, balances and message states stay consistent -------

// Every message of `client` in the ledger: its hold and the entry that closed it, if any.
struct Ledgered {
    CreditAmount hold = 0;
    std::optional<CreditKind> closed;
    int entries = 0;
};

void expect_consistent(SqliteStore& store, const std::string& client, CaptureOn capture,
                       std::size_t& checked) {
    std::vector<CreditEntry> all;
    std::uint64_t after = 0;
    for (int page = 0; page < 10'000; ++page) {
        auto l = store.credit_ledger(client, after, 1000);
        ASSERT_TRUE(l);
        if (l->empty()) break;
        after = l->back().seq;
        all.insert(all.end(), l->begin(), l->end());
    }
    CreditAmount topups = 0, holds = 0, captures = 0, releases = 0;
    std::map<MessageId, Ledgered> per_message;
    for (const auto& e : all) {
        switch (e.kind) {
            case CreditKind::topup: topups += e.amount; continue;
            case CreditKind::hold: holds += e.amount; break;
            case CreditKind::capture: captures += e.amount; break;
            case CreditKind::release: releases += e.amount; break;
        }
        ASSERT_TRUE(e.message.has_value());
        auto& m = per_message[*e.message];
        ++m.entries;
        if (e.kind == CreditKind::hold) {
            m.hold = e.amount;
        } else {
            EXPECT_FALSE(m.closed.has_value()) << "hold closed twice";
            m.closed = e.kind;
        }
    }
    auto account = store.credit_account(client);
    ASSERT_TRUE(account && *account);
    EXPECT_EQ((*account)->balance, topups - holds + releases);
    EXPECT_EQ((*account)->held, holds - captures - releases);

    // Every stored message of the client against its ledger entries.
    MessageQuery q;
    q.client = client;
    q.limit = 1000;
    std::size_t messages = 0;
    for (int page = 0; page < 10'000; ++page) {
        auto p = store.list(q);
        ASSERT_TRUE(p);
        for (const auto& m : p->messages) {
            ++messages;
            const auto it = per_message.find(m.id);
            ASSERT_NE(it, per_message.end()) << "a stored message without its hold";
            EXPECT_EQ(it->second.hold, m.charge);
            const auto action = credit_action(m.state, capture);
            const bool passed_capture_point =
                capture == CaptureOn::sent
                    ? (m.state == MessageState::sent || m.state == MessageState::delivered ||
                       m.state == MessageState::undeliverable || m.state == MessageState::expired ||
                       m.state == MessageState::rejected)
                    : m.state == MessageState::delivered;
            if (passed_capture_point) {
                EXPECT_EQ(it->second.closed, CreditKind::capture) << to_string(m.state);
            } else if (action == CreditAction::release) {
                EXPECT_EQ(it->second.closed, CreditKind::release) << to_string(m.state);
            } else {
                EXPECT_FALSE(it->second.closed.has_value()) << to_string(m.state);
            }
        }
        if (!p->next) break;
        q.after = p->next;
    }
    // No ledger entry for a message that is not stored (an insert rolled back with its hold).
    EXPECT_EQ(messages, per_message.size());
    checked = messages;
}

class CreditCrash : public ::testing::TestWithParam<CaptureOn> {};

TEST_P(CreditCrash, Kill9LeavesBalancesLedgerAndStatesConsistent) {
    TempDir dir;
    const auto path = dir.file("credit-crash.db");
    const CaptureOn capture = GetParam();
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        auto store = SqliteStore::open(sqlite_config(path));
        if (!store) ::_exit(2);
        if (!(*store)->credit_open("acme", 1'000'000'000, capture, kT0)) ::_exit(3);
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t) {
            threads.emplace_back([&, t] {
                MessageIdGenerator ids(500 + static_cast<std::uint64_t>(t));
                for (std::uint64_t round = 0;; ++round) {  // until killed
                    std::vector<Message> batch;
                    for (int j = 0; j < 6; ++j) {
                        Message m = sample_message(ids);
                        m.schedule_at.reset();
                        m.charge = 1 + j;
                        batch.push_back(std::move(m));
                    }
                    std::vector<MessageEvent> events;
                    for (const auto& m : batch) events.push_back(accepted_event(m));
                    if (!(*store)->insert_batch(batch, events)) ::_exit(4);
                    // Each message its own way to an end, one batched transition per step.
                    using S = MessageState;
                    const std::vector<std::vector<S>> paths = {
                        {S::sending, S::sent, S::delivered},
                        {S::sending, S::sent, S::undeliverable},
                        {S::sending, S::failed_perm},
                        {S::sending, S::failed_temp, S::dead_letter},
                        {S::sending, S::sent},
                        {S::sending, S::sent, S::expired},
                    };
                    for (std::size_t step = 0; step < 3; ++step) {
                        std::vector<TransitionWrite> writes;
                        for (std::size_t j = 0; j < batch.size(); ++j) {
                            if (step >= paths[j].size()) continue;
                            Message next = batch[j];
                            next.state = paths[j][step];
                            next.updated_at += 1s;
                            writes.push_back(TransitionWrite{next, batch[j].state, std::nullopt});
                            batch[j] = next;
                        }
                        for (const auto& r : (*store)->transition_batch(writes)) {
                            if (!r) ::_exit(5);
                        }
                    }
                    const char tick = 1;
                    if (::write(fds[1], &tick, 1) != 1) ::_exit(6);
                }
            });
        }
        for (auto& th : threads) th.join();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::size_t rounds = 0;
    char buf[64];
    while (rounds < 150) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        rounds += static_cast<std::size_t>(n);
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    ASSERT_GE(rounds, 150u);

    auto reopened = SqliteStore::open(sqlite_config(path));
    ASSERT_TRUE(reopened) << reopened.error().detail;
    EXPECT_EQ(*(*reopened)->integrity_check(), "ok");
    std::size_t checked = 0;
    expect_consistent(**reopened, "acme", capture, checked);
    EXPECT_GE(checked, 150u * 6u);
}

INSTANTIATE_TEST_SUITE_P(Capture, CreditCrash,
                         ::testing::Values(CaptureOn::sent, CaptureOn::delivered),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace bindery::router
