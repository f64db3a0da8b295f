#include "router/core/credits.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <limits>

#include "router/core/router.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

TEST(PriceTable, LongestPrefixWinsThenTheRoutePriceThenTheDefault) {
    CreditConfig c;
    c.default_price = 5;
    c.prices = {{"+98", "", 3}, {"", "premium", 9}, {"+98912", "", 2}, {"+1", "", 7}};
    const PriceTable t(c);
    EXPECT_EQ(t.price("+989121234567", "premium"), 2);
    EXPECT_EQ(t.price("+989351234567", "premium"), 3);
    EXPECT_EQ(t.price("+4915112345678", "premium"), 9);
    EXPECT_EQ(t.price("+4915112345678", "main"), 5);
    EXPECT_EQ(t.price("+4915112345678", ""), 5);
    EXPECT_EQ(t.charge("+989121234567", "", 3), 6);
    EXPECT_EQ(t.charge("+989121234567", "", 0), 2);  // never less than one segment
}

TEST(PriceTable, ChargeSaturatesInsteadOfOverflowing) {
    CreditConfig c;
    c.default_price = std::numeric_limits<CreditAmount>::max() / 2;
    EXPECT_EQ(PriceTable(c).charge("+1", "", 3), std::numeric_limits<CreditAmount>::max());
    c.default_price = -4;  // a negative price is treated as free, never as a refund
    EXPECT_EQ(PriceTable(c).charge("+1", "", 3), 0);
}

TEST(CreditAction, TableOfStatesAndCaptureModes) {
    using S = MessageState;
    struct Row {
        S to;
        CreditAction on_sent;
        CreditAction on_delivered;
    };
    const Row rows[] = {
        {S::accepted, CreditAction::none, CreditAction::none},
        {S::queued, CreditAction::none, CreditAction::none},
        {S::sending, CreditAction::none, CreditAction::none},
        {S::failed_temp, CreditAction::none, CreditAction::none},
        {S::sent, CreditAction::capture, CreditAction::none},
        {S::delivered, CreditAction::capture, CreditAction::capture},
        {S::undeliverable, CreditAction::release, CreditAction::release},
        {S::expired, CreditAction::release, CreditAction::release},
        {S::rejected, CreditAction::release, CreditAction::release},
        {S::failed_perm, CreditAction::release, CreditAction::release},
        {S::dead_letter, CreditAction::release, CreditAction::release},
        {S::cancelled, CreditAction::release, CreditAction::release},
    };
    static_assert(std::size(rows) == kMessageStateCount);
    for (const auto& r : rows) {
        EXPECT_EQ(credit_action(r.to, CaptureOn::sent), r.on_sent) << to_string(r.to);
        EXPECT_EQ(credit_action(r.to, CaptureOn::delivered), r.on_delivered) << to_string(r.to);
    }
}

TEST(CreditNames, RoundTrip) {
    for (auto c : {CaptureOn::sent, CaptureOn::delivered})
        EXPECT_EQ(parse_capture_on(to_string(c)), c);
    for (auto k : {CreditKind::topup, CreditKind::hold, CreditKind::capture, CreditKind::release}) {
        EXPECT_EQ(parse_credit_kind(to_string(k)), k);
    }
    EXPECT_FALSE(parse_capture_on("submit"));
    EXPECT_FALSE(parse_credit_kind("refund"));
}

// ---- through the router ------------------------------------------------------------------------

class ScriptedProvider final : public Provider {
public:
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 100}; }
    void send(OutboundMessage message, std::function<void(SendResult)> done) override {
        pending.push_back({std::move(message), std::move(done)});
    }
    struct Pending {
        OutboundMessage message;
        std::function<void(SendResult)> done;
    };
    std::deque<Pending> pending;
};

Expected<TextPlan, std::string> one_segment_per_10_bytes(std::string_view text,
                                                         std::optional<TextEncoding>) {
    return TextPlan{TextEncoding::gsm7, static_cast<std::uint32_t>((text.size() + 9) / 10)};
}

struct RouterCredits : ::testing::Test {
    InMemoryStore store;
    ScriptedProvider smsc;
    std::unique_ptr<Router> router;
    TimePoint now{};
    SystemTime wall = kT0;

    void build(CaptureOn capture) {
        RouterConfig c;
        c.acceptance.numbers.default_region = "IR";
        c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
        c.routing.default_route = "main";
        c.credits.default_price = 4;
        c.credits.prices = {{"+98912", "", 3}};
        c.credits.currency = "IRR";
        c.credits.capture = capture;
        c.seed = 9;
        router = std::make_unique<Router>(std::move(c), store, one_segment_per_10_bytes);
        router->add_provider(smsc);
    }
    SubmitRequest request(std::string client, std::string to, std::string text) {
        SubmitRequest r;
        r.client = std::move(client);
        r.sender = "Bindery";
        r.destination = std::move(to);
        r.text = std::move(text);
        return r;
    }
    void poll() { router->poll(now, wall); }
};

TEST_F(RouterCredits, AcceptanceReportsTheCostOfMeteredAndUnlimitedClients) {
    build(CaptureOn::delivered);
    ASSERT_TRUE(store.credit_open("acme", 100, CaptureOn::delivered, kT0));
    std::vector<SubmitRequest> batch = {request("acme", "+989121234567", "twenty-one characters"),
                                        request("acme", "+4915112345678", "short")};
    auto out = router->submit(batch, now, wall);
    ASSERT_EQ(out.size(), 2u);
    ASSERT_TRUE(out[0]);
    EXPECT_EQ(out[0]->segments, 3u);
    EXPECT_EQ(out[0]->cost, 9);  // 3 segments x 3 (+98912)
    ASSERT_TRUE(out[1]);
    EXPECT_EQ(out[1]->cost, 4);  // 1 x the default
    auto balance = router->balance("acme");
    ASSERT_TRUE(balance);
    EXPECT_TRUE(balance->metered);
    EXPECT_EQ(balance->balance, 87);
    EXPECT_EQ(balance->held, 13);
    EXPECT_EQ(balance->capture, "delivered");
    EXPECT_EQ(balance->currency, "IRR");

    auto free = router->submit(std::vector<SubmitRequest>{request("free", "+989121234567", "x")},
                               now, wall);
    ASSERT_TRUE(free[0]);
    EXPECT_EQ(free[0]->cost, 3);
    auto unlimited = router->balance("free");
    ASSERT_TRUE(unlimited);
    EXPECT_FALSE(unlimited->metered);
    EXPECT_EQ(unlimited->balance, 0);
}

TEST_F(RouterCredits, AClientOutOfCreditIsRefusedForTheWholeBatch) {
    build(CaptureOn::delivered);
    ASSERT_TRUE(store.credit_open("acme", 5, CaptureOn::delivered, kT0));
    std::vector<SubmitRequest> batch = {request("acme", "+989121234567", "a"),
                                        request("acme", "+989121234568", "b"),
                                        request("acme", "not a number", "c")};
    auto out = router->submit(batch, now, wall);
    ASSERT_EQ(out.size(), 3u);
    for (std::size_t i = 0; i < 2; ++i) {
        ASSERT_FALSE(out[i]);
        EXPECT_EQ(out[i].error().code, SubmitErrc::insufficient_credit);
        EXPECT_NE(out[i].error().reason.find("balance 5, needs 6"), std::string::npos)
            << out[i].error().reason;
    }
    EXPECT_EQ(out[2].error().code, SubmitErrc::invalid_destination);
    EXPECT_EQ(router->backpressure().backlog, 0u);
    EXPECT_EQ(*store.count(MessageState::queued), 0u);
    EXPECT_EQ(router->balance("acme")->balance, 5);
    // The router is not put in store trouble by a refusal.
    EXPECT_EQ(router->stats().store_errors, 0u);
    EXPECT_TRUE(router->submit(std::vector<SubmitRequest>{request("acme", "+989121234567", "a")},
                               now, wall)[0]);
}

TEST_F(RouterCredits, CaptureOnSentHappensWithTheSubmitResult) {
    build(CaptureOn::sent);
    ASSERT_TRUE(store.credit_open("acme", 100, CaptureOn::sent, kT0));
    auto out = router->submit(std::vector<SubmitRequest>{request("acme", "+989121234567", "hello")},
                              now, wall);
    ASSERT_TRUE(out[0]);
    poll();
    ASSERT_EQ(smsc.pending.size(), 1u);
    EXPECT_EQ(router->balance("acme")->held, 3);
    smsc.pending.front().done(SendResult{{"carrier-1"}, {}});
    smsc.pending.pop_front();
    poll();
    EXPECT_EQ((*store.get(out[0]->id))->state, MessageState::sent);
    const auto b = router->balance("acme");
    EXPECT_EQ(b->held, 0);
    EXPECT_EQ(b->balance, 97);
    const auto l = *store.credit_ledger("acme", 0, 10);
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[2].kind, CreditKind::capture);
}

TEST_F(RouterCredits, APermanentSendFailureReleasesTheHold) {
    build(CaptureOn::delivered);
    ASSERT_TRUE(store.credit_open("acme", 100, CaptureOn::delivered, kT0));
    auto out = router->submit(std::vector<SubmitRequest>{request("acme", "+989121234567", "hello")},
                              now, wall);
    ASSERT_TRUE(out[0]);
    poll();
    ASSERT_EQ(smsc.pending.size(), 1u);
    smsc.pending.front().done(SendResult{{}, SendError{SendErrorKind::rejected_local, 0, "bad"}});
    smsc.pending.pop_front();
    poll();
    EXPECT_EQ((*store.get(out[0]->id))->state, MessageState::failed_perm);
    const auto b = router->balance("acme");
    EXPECT_EQ(b->held, 0);
    EXPECT_EQ(b->balance, 100);
    EXPECT_EQ(store.credit_ledger("acme", 0, 10)->back().kind, CreditKind::release);
}

TEST_F(RouterCredits, OperatorTopUpCreatesTheAccountWithTheConfiguredCaptureMode) {
    build(CaptureOn::sent);
    auto added = router->add_credit("new", 40, "welcome", wall);
    ASSERT_TRUE(added);
    EXPECT_EQ(added->capture, CaptureOn::sent);
    EXPECT_EQ(router->balance("new")->balance, 40);
}

TEST_F(RouterCredits, AStoreWithoutCreditSupportReportsBalanceUnavailable) {
    class NoCredits final : public MessageStore {
    public:
        Expected<void, StoreError> insert_batch(std::span<const Message>,
                                                std::span<const MessageEvent>) override {
            return {};
        }
        Expected<std::vector<Message>, StoreError> load_active() override {
            return std::vector<Message>{};
        }
        Expected<void, StoreError> transition(const Message&, MessageState,
                                              std::optional<MessageEvent>) override {
            return {};
        }
        Expected<std::optional<Message>, StoreError> get(const MessageId&) override {
            return std::optional<Message>();
        }
        Expected<std::vector<MessageEvent>, StoreError> events(const MessageId&) override {
            return std::vector<MessageEvent>{};
        }
        Expected<std::optional<SegmentRef>, StoreError> find_by_provider_id(
            std::string_view, std::string_view) override {
            return std::optional<SegmentRef>();
        }
        Expected<StoredPage, StoreError> list(const MessageQuery&) override { return StoredPage{}; }
        Expected<std::uint64_t, StoreError> count(MessageState) override {
            return std::uint64_t{0};
        }
        Expected<std::uint64_t, StoreError> purge(SystemTime) override { return std::uint64_t{0}; }
    } bare;
    RouterConfig c;
    c.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    c.routing.default_route = "main";
    Router r(std::move(c), bare, one_segment_per_10_bytes);
    auto b = r.balance("acme");
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, QueryErrc::unavailable);
}

}  // namespace
}  // namespace bindery::router
