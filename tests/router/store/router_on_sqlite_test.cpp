// The Router on a real SqliteStore: batched transitions under kill -9. A forked child accepts
// messages and drives them through a provider that reports every submit to the parent; the parent
// SIGKILLs it mid-stream. Afterwards every acknowledged acceptance is in the file, and every
// message the provider was handed is at least SENDING there (its QUEUED -> SENDING commit came
// before the submit), so recovery resubmits nothing that was never durable as sent and loses
// nothing acknowledged. Then a new router recovers the file and drains it completely.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <thread>

#include "router/core/router.hpp"
#include "router/store/sqlite_store.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::router {
namespace {

using namespace testing;

Expected<TextPlan, std::string> plan(std::string_view, std::optional<TextEncoding>) {
    return TextPlan{TextEncoding::gsm7, 1};
}

RouterConfig config() {
    RouterConfig c;
    c.acceptance.numbers.default_region = "IR";
    c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    c.routing.default_route = "main";
    c.retry.max_attempts = 10;
    c.dispatch_budget = 200;
    c.scheduler.capacity = 500;
    c.seed = 5;
    return c;
}

// Tags written to the pipe: 'A' acknowledged acceptance, 'S' handed to the provider.
void put(int fd, char tag, const MessageId& id) {
    char buf[17];
    buf[0] = tag;
    std::memcpy(buf + 1, id.bytes().data(), 16);
    if (::write(fd, buf, sizeof buf) != static_cast<ssize_t>(sizeof buf)) ::_exit(4);
}

// The "smsc" carrier of config()'s route, always up; each test's provider says how it sends.
class Smsc : public Provider {
public:
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 100}; }
};

// Answers every other send at once; the rest stay in flight until the crash.
class PipeProvider final : public Smsc {
public:
    explicit PipeProvider(int fd) : fd_(fd) {}
    void send(OutboundMessage m, std::function<void(SendResult)> done) override {
        put(fd_, 'S', m.id);
        if (++n_ % 2 == 0)
            done(SendResult{{"p" + std::to_string(n_)}, {}});
        else
            held_.push_back(std::move(done));
    }

private:
    int fd_;
    std::uint64_t n_ = 0;
    std::vector<std::function<void(SendResult)>> held_;
};

class RouterOnSqlite : public ::testing::TestWithParam<SqliteSync> {};

TEST_P(RouterOnSqlite, Kill9BetweenBatchesLosesNothingAcknowledgedAndSendsNothingUnrecorded) {
    TempDir dir;
    const auto path = dir.file("router.db");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        SqliteStoreConfig sc;
        sc.path = path;
        sc.synchronous = GetParam();
        auto store = SqliteStore::open(sc);
        if (!store) ::_exit(2);
        PipeProvider provider(fds[1]);
        Router router(config(), **store, plan);
        router.add_provider(provider);
        std::thread poller([&] {
            for (;;) router.poll(Clock::now(), SystemClock::now());  // until killed
        });
        std::vector<std::thread> acceptors;
        for (int t = 0; t < 3; ++t) {
            acceptors.emplace_back([&, t] {
                std::vector<SubmitRequest> batch(5);
                for (auto& r : batch) {
                    r.client = "c" + std::to_string(t);
                    r.sender = "Bindery";
                    r.destination = "09123456789";
                    r.text = "hello";
                }
                for (;;) {
                    auto out = router.submit(batch, Clock::now(), SystemClock::now());
                    for (const auto& o : out) {
                        if (o) put(fds[1], 'A', o->id);
                    }
                }
            });
        }
        poller.join();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::set<MessageId> acked, handed;
    char buf[17 * 64];
    std::size_t have = 0;
    while (acked.size() < 2000 || handed.size() < 500) {
        const ssize_t n = ::read(fds[0], buf + have, sizeof buf - have);
        if (n <= 0) break;
        have += static_cast<std::size_t>(n);
        std::size_t off = 0;
        for (; off + 17 <= have; off += 17) {
            MessageId::Bytes b{};
            std::memcpy(b.data(), buf + off + 1, 16);
            (buf[off] == 'A' ? acked : handed).insert(MessageId(b));
        }
        std::memmove(buf, buf + off, have - off);
        have -= off;
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    ASSERT_GE(acked.size(), 2000u);
    ASSERT_GE(handed.size(), 500u);

    SqliteStoreConfig sc;
    sc.path = path;
    auto store = SqliteStore::open(sc);
    ASSERT_TRUE(store.has_value()) << store.error().detail;
    EXPECT_EQ(*(*store)->integrity_check(), "ok");
    std::size_t missing = 0, sent_unrecorded = 0;
    for (const auto& id : acked) {
        auto got = (*store)->get(id);
        ASSERT_TRUE(got.has_value());
        if (!got->has_value()) ++missing;
    }
    for (const auto& id : handed) {
        auto got = (*store)->get(id);
        ASSERT_TRUE(got.has_value());
        if (!got->has_value() || (*got)->state == MessageState::queued ||
            (*got)->state == MessageState::accepted || (*got)->attempts == 0) {
            ++sent_unrecorded;
        }
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(sent_unrecorded, 0u);

    // A new router recovers the file and drains every unfinished message.
    class Instant final : public Smsc {
    public:
        void send(OutboundMessage, std::function<void(SendResult)> done) override {
            done(SendResult{{"r" + std::to_string(++n)}, {}});
        }
        std::uint64_t n = 0;
    } instant;
    auto c = config();
    c.retry.base = std::chrono::milliseconds(1);
    c.retry.jitter = 0;
    Router router(c, **store, plan);
    router.add_provider(instant);
    const SystemTime wall = SystemClock::now();
    ASSERT_TRUE(router.recover(Clock::now(), wall).has_value());
    for (int i = 0; i < 10'000 && router.backpressure().backlog > 0; ++i) {
        router.poll(Clock::now(), wall + std::chrono::seconds(i));
    }
    EXPECT_EQ(router.backpressure().backlog, 0u);
    for (auto state : {MessageState::accepted, MessageState::queued, MessageState::sending,
                       MessageState::failed_temp}) {
        EXPECT_EQ(*(*store)->count(state), 0u) << to_string(state);
    }
    for (const auto& id : acked) {
        auto got = (*store)->get(id);
        ASSERT_TRUE(got.has_value() && got->has_value());
        EXPECT_EQ((*got)->state, MessageState::sent);
    }
}

INSTANTIATE_TEST_SUITE_P(Sync, RouterOnSqlite,
                         ::testing::Values(SqliteSync::normal, SqliteSync::full),
                         [](const auto& info) {
                             return std::string(info.param == SqliteSync::full ? "Full" : "Normal");
                         });

// A database written before 2026-11-24 also indexes each id under its hex/decimal readings: here
// message "a" has a row under "10" too (0xa = 10). A receipt matched exactly (message_id_format
// as_is/hex/decimal) ignores that row: receipt "10" is not message "a"'s. One matched by any
// reading finds "a" as before.
TEST(RouterOnSqliteReceipts, ExactReceiptIgnoresAnOldDatabasesReadingRows) {
    TempDir dir;
    const auto path = dir.file("router.db");
    auto store = open_ok<SqliteStore>(sqlite_config(path));
    ASSERT_TRUE(store);
    class Fixed final : public Smsc {
    public:
        void send(OutboundMessage, std::function<void(SendResult)> done) override {
            done(SendResult{{"a"}, {}});
        }
    } provider;
    Router router(config(), *store, plan);
    router.add_provider(provider);
    SubmitRequest r;
    r.client = "acme";
    r.sender = "Bindery";
    r.destination = "09123456789";
    r.text = "hello";
    const auto out =
        router.submit(std::span<const SubmitRequest>(&r, 1), Clock::now(), SystemClock::now());
    ASSERT_TRUE(out.front());
    const auto id = out.front()->id;
    auto state = [&] { return (*store->get(id))->state; };
    for (int i = 0; i < 100 && state() != MessageState::sent; ++i)
        router.poll(Clock::now(), SystemClock::now());
    ASSERT_EQ(state(), MessageState::sent);

    const auto old_row = sqlite_execute(
        path,
        "INSERT INTO provider_ids(provider, key, message_id, segment) "
        "SELECT provider, '10', message_id, segment FROM provider_ids WHERE key = 'a'");
    ASSERT_TRUE(old_row.has_value()) << old_row.error().detail;
    ASSERT_TRUE(store->find_by_provider_id("smsc", "10")->has_value());  // the old reading row

    Receipt exact{"smsc", "10", ReceiptStatus::delivered, {}, {}, {}};
    exact.id_match = ReceiptIdMatch::exact;
    router.on_receipt(exact);
    for (int i = 0; i < 5; ++i) router.poll(Clock::now(), SystemClock::now());
    EXPECT_EQ(state(), MessageState::sent);
    EXPECT_EQ(router.stats().receipts_held, 1u);

    router.on_receipt(Receipt{"smsc", "10", ReceiptStatus::delivered, {}, {}, {}});
    for (int i = 0; i < 5 && state() != MessageState::delivered; ++i)
        router.poll(Clock::now(), SystemClock::now());
    EXPECT_EQ(state(), MessageState::delivered);
}

}  // namespace
}  // namespace bindery::router
