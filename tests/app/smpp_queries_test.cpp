// query_sm / cancel_sm / replace_sm on the SMPP server side (app/smpp_queries.hpp). The mapping
// helpers table-driven; then end to end: a raw-socket ESME bound to SmppFrontend, a real Router
// over InMemoryStore, SmppCarrierProvider and the SMSC simulator as the carrier.
#include "app/smpp_queries.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <memory>
#include <string>

#include "app/smpp_frontend.hpp"
#include "router/core/message_store.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/providers/text_planner.hpp"
#include "smpp/net/password.hpp"
#include "tests/app/raw_esme.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::app {
namespace {

namespace asio = boost::asio;
using esme_test::RawEsme;
using esme_test::run_io_until;
using smpp::CommandStatus;
using std::chrono::milliseconds;

TEST(SmppQueriesMapping, EveryRouterStateHasAMessageStateFinalExactlyWhenTheRoutersIs) {
    using R = router::MessageState;
    using M = smpp::MessageState;
    const std::pair<R, M> table[] = {
        {R::accepted, M::enroute},          {R::queued, M::enroute},
        {R::sending, M::enroute},           {R::sent, M::enroute},
        {R::delivered, M::delivered},       {R::undeliverable, M::undeliverable},
        {R::expired, M::expired},           {R::rejected, M::rejected},
        {R::failed_temp, M::enroute},       {R::failed_perm, M::undeliverable},
        {R::dead_letter, M::undeliverable}, {R::cancelled, M::deleted},
    };
    static_assert(std::size(table) == router::kMessageStateCount);
    for (const auto& [r, m] : table) {
        EXPECT_EQ(SmppQueries::message_state(r), m) << router::to_string(r);
        EXPECT_EQ(smpp::is_final(SmppQueries::message_state(r)), router::is_final(r))
            << router::to_string(r);
    }
}

TEST(SmppQueriesMapping, FinalDateIsAnAbsoluteUtcTimeOfSixteenCharacters) {
    // 2026-11-29 13:02:03.456 UTC
    const auto t = router::SystemTime(std::chrono::milliseconds(1'795'957'323'456));
    EXPECT_EQ(SmppQueries::absolute_time(t), "261129130203400+");
}

TEST(SmppQueriesMapping, ErrorCodeTakesSmallDecimalCarrierCodesOnly) {
    EXPECT_EQ(SmppQueries::error_code(""), 0);
    EXPECT_EQ(SmppQueries::error_code("001"), 1);
    EXPECT_EQ(SmppQueries::error_code("255"), 255);
    EXPECT_EQ(SmppQueries::error_code("256"), 0);
    EXPECT_EQ(SmppQueries::error_code("0B"), 0);
    EXPECT_EQ(SmppQueries::error_code("1234"), 0);
}

TEST(SmppQueriesMapping, DestinationsCompareByTheirTrailingDigitsWhateverTheTon) {
    EXPECT_TRUE(SmppQueries::same_destination("+989121234567", "989121234567"));
    EXPECT_TRUE(SmppQueries::same_destination("+989121234567", "+989121234567"));
    EXPECT_TRUE(SmppQueries::same_destination("+989121234567", "09121234567"));
    EXPECT_FALSE(SmppQueries::same_destination("+989121234567", "09121234568"));
    EXPECT_FALSE(SmppQueries::same_destination("+989121234567", "4567"));  // too few digits
    EXPECT_FALSE(SmppQueries::same_destination("+989121234567", "0"));
    EXPECT_FALSE(SmppQueries::same_destination("+989121234567", "ACME"));
}

// A gateway that knows one message (client "c", queued, from "Bindery"); counts the calls.
class OneMessageGateway final : public router::GatewayApi {
public:
    explicit OneMessageGateway(router::MessageId id) : id_(id) {}
    std::vector<router::SubmitOutcome> submit(std::span<const router::SubmitRequest>) override {
        return {};
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId& id, std::optional<std::string_view>) override {
        ++status_calls;
        if (id != id_)
            return Unexpected(router::QueryError{router::QueryErrc::not_found, "unknown"});
        return known();
    }
    Expected<router::MessageStatus, router::ChangeError> cancel(
        const router::MessageId& id, std::optional<std::string_view>) override {
        ++cancel_calls;
        if (id != id_)
            return Unexpected(
                router::ChangeError{router::ChangeErrc::not_found, "unknown", std::nullopt});
        auto s = known();
        s.state = router::MessageState::cancelled;
        return s;
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return Unexpected(router::QueryError{});
    }
    router::Backpressure backpressure() const override { return {}; }

    std::atomic<int> status_calls{0};
    std::atomic<int> cancel_calls{0};

private:
    router::MessageStatus known() const {
        router::MessageStatus s;
        s.id = id_;
        s.state = router::MessageState::queued;
        s.client = "c";
        s.sender = "Bindery";
        s.destination = "+989121234567";
        return s;
    }
    router::MessageId id_;
};

TEST(SmppQueriesTarget, AMessageIdNeedsNoPartLookupAndAPartIdResolvesToItsCombinedMessage) {
    const auto message = *router::MessageId::parse("0190c0de-0000-7000-8000-000000000001");
    const auto part = *router::MessageId::parse("0190c0de-0000-7000-8000-000000000002");
    asio::io_context io;
    OneMessageGateway gateway(message);
    SmppQueries queries(io.get_executor(), gateway);
    std::atomic<int> lookups{0};
    queries.set_resolver([&](const router::MessageId& id) -> std::optional<router::MessageId> {
        ++lookups;
        if (id == part) return message;
        return std::nullopt;
    });
    queries.start();
    struct Answer {
        CommandStatus status = CommandStatus::ESME_RSYSERR;
        std::string message_id;
        std::uint8_t message_state = 0;
    };
    const auto ask = [&](const smpp::Pdu& request) {
        std::optional<Answer> got;
        queries.handle("c", request,
                       smpp::QueryResponder([&](CommandStatus st, const smpp::QuerySmResp* q) {
                           got = Answer{st, q ? std::string(q->message_id) : std::string(),
                                        q ? q->message_state : std::uint8_t{0}};
                       }));
        EXPECT_TRUE(run_io_until(
            io, [&] { return got.has_value(); }, [] {}));
        return got.value_or(Answer{});
    };
    const auto query = [&](const router::MessageId& id) {
        const auto text = id.to_string();
        return ask(
            smpp::Pdu{smpp::Header{}, smpp::QuerySm{.message_id = text, .source_addr = "Bindery"}});
    };

    // The message's own id: answered from one status read, the part link never read.
    auto a = query(message);
    EXPECT_EQ(a.status, CommandStatus::ESME_ROK);
    EXPECT_EQ(a.message_state, static_cast<std::uint8_t>(smpp::MessageState::enroute));
    EXPECT_EQ(lookups.load(), 0);
    EXPECT_EQ(gateway.status_calls.load(), 1);

    // A part id: unknown as a message, then the message its parts went into, answered under the
    // id the ESME asked about.
    a = query(part);
    EXPECT_EQ(a.status, CommandStatus::ESME_ROK);
    EXPECT_EQ(a.message_id, part.to_string());
    EXPECT_EQ(lookups.load(), 1);
    EXPECT_EQ(gateway.status_calls.load(), 3);

    // Neither a message nor a part.
    a = query(*router::MessageId::parse("0190c0de-0000-7000-8000-000000000003"));
    EXPECT_EQ(a.status, CommandStatus::ESME_RINVMSGID);
    EXPECT_EQ(lookups.load(), 2);

    // cancel_sm by a part id, with and without addresses to check: the combined message is
    // cancelled.
    const auto part_text = part.to_string();
    a = ask(smpp::Pdu{smpp::Header{}, smpp::CancelSm{.message_id = part_text}});
    EXPECT_EQ(a.status, CommandStatus::ESME_ROK);
    EXPECT_EQ(gateway.cancel_calls.load(), 2);  // the part id, then the message
    a = ask(smpp::Pdu{smpp::Header{},
                      smpp::CancelSm{.message_id = part_text, .source_addr = "Bindery"}});
    EXPECT_EQ(a.status, CommandStatus::ESME_ROK);
    EXPECT_EQ(gateway.cancel_calls.load(), 3);  // checked on the message, cancelled there at once
    EXPECT_EQ(lookups.load(), 4);
    a = ask(
        smpp::Pdu{smpp::Header{}, smpp::CancelSm{.message_id = part_text, .source_addr = "Other"}});
    EXPECT_EQ(a.status, CommandStatus::ESME_RINVSRCADR);
    EXPECT_EQ(gateway.cancel_calls.load(), 3);
    queries.stop();
}

SmppFrontendConfig frontend_config() {
    SmppFrontendConfig c;
    c.server.listen.host = "127.0.0.1";
    c.server.listen.port = 0;
    c.server.deliver_retry = milliseconds(50);
    for (const char* id : {"acme", "globex"}) {
        smpp::ServerAccount a;
        a.system_id = id;
        a.password_hash = smpp::hash_password("secret");
        a.window = 20;
        c.server.accounts.push_back(a);
        c.accounts.emplace(id, SmppFrontendAccount{std::string(id) + "-client", {}});
    }
    c.server.session.incoming_window = 21;
    return c;
}

// Router + InMemoryStore + the simulator as the only carrier, and the SMPP server side in front.
// The router is polled only when a test says so (`polling`): a message stays QUEUED until then.
class SmppQueriesEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        sim::SimConfig sc;
        sc.host = "127.0.0.1";
        sc.port = 0;
        sc.dlr_delay = milliseconds(20);
        sc.seed = 1;
        smsc_ = std::make_shared<sim::SmscSimulator>(io_.get_executor(), sc);
        smsc_->start();
        router::RouterConfig rc;
        rc.acceptance.numbers.default_region = "IR";
        rc.routing.routes = {{"main", {{"carrier-a", 1}}, {}}};
        rc.routing.default_route = "main";
        rc.seed = 42;
        router::SmppCarrierConfig pc;
        pc.name = "carrier-a";
        pc.pool.port = smsc_->port();
        pc.pool.system_id = "router";
        pc.pool.window = 20;
        pc.pool.backoff.initial = milliseconds(10);
        pc.refresh_interval = milliseconds(10);
        router::RouterHooks hooks;
        hooks.on_transition = [this](const router::Message& m, const router::MessageEvent& e) {
            if (frontend_) frontend_->on_transition(m, e);
        };
        router_ = std::make_unique<router::Router>(
            rc, store_, router::SmppTextPlanner(pc.text).planner(), hooks);
        provider_ = std::make_unique<router::SmppCarrierProvider>(pc, io_.get_executor(), *router_);
        router_->add_provider(*provider_);
        provider_->start();
        api_ = std::make_unique<router::RouterGateway>(
            *router_, [] { return Clock::now(); }, [] { return router::SystemClock::now(); });
        frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), *api_);
        frontend_->start();
        esme_ = std::make_unique<RawEsme>(io_, [this] {
            if (polling_) poll();
        });
        ASSERT_TRUE(esme_->connect(frontend_->port()));
        const auto bound = esme_->bind_transceiver("acme", "secret");
        ASSERT_TRUE(bound);
        ASSERT_EQ(bound->status, CommandStatus::ESME_ROK);
    }
    void TearDown() override {
        esme_.reset();
        if (frontend_) frontend_->stop();
        bool provider_stopped = false;
        provider_->stop(milliseconds(200), [&] { provider_stopped = true; });
        run_io_until(
            io_, [&] { return provider_stopped; }, [this] { poll(); });
        frontend_.reset();
        smsc_->stop();
        io_.poll();
    }
    void poll() { router_->poll(Clock::now(), router::SystemClock::now()); }
    std::string submit(std::string destination = "989121234567") {
        const auto r = esme_->submit_sm("Bindery", 1, std::move(destination), "hello there");
        EXPECT_TRUE(r);
        if (!r) return {};
        EXPECT_EQ(r->status, CommandStatus::ESME_ROK);
        return r->message_id;
    }
    router::MessageState state(const std::string& id) {
        return (**store_.get(*router::MessageId::parse(id))).state;
    }

    asio::io_context io_;
    std::shared_ptr<sim::SmscSimulator> smsc_;
    router::InMemoryStore store_;
    std::unique_ptr<router::Router> router_;
    std::unique_ptr<router::SmppCarrierProvider> provider_;
    std::unique_ptr<router::RouterGateway> api_;
    std::unique_ptr<SmppFrontend> frontend_;
    std::unique_ptr<RawEsme> esme_;
    bool polling_ = false;
};

TEST_F(SmppQueriesEndToEnd,
       QueryShowsEnrouteWhileQueuedAndDeliveredWithItsFinalDateAfterTheReceipt) {
    const auto id = submit();
    auto q = esme_->query_sm(id, "Bindery");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(q->message_id, id);
    EXPECT_EQ(q->message_state, static_cast<std::uint8_t>(smpp::MessageState::enroute));
    EXPECT_EQ(q->final_date, "");

    polling_ = true;
    ASSERT_TRUE(run_io_until(
        io_, [&] { return state(id) == router::MessageState::delivered; }, [this] { poll(); }));
    q = esme_->query_sm(id, "Bindery");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(q->message_state, static_cast<std::uint8_t>(smpp::MessageState::delivered));
    EXPECT_EQ(q->final_date.size(), 16u);
    EXPECT_EQ(q->final_date.back(), '+');
    EXPECT_EQ(q->error_code, 0);
    EXPECT_EQ(smsc_->counters().submits, 1u);
}

TEST_F(SmppQueriesEndToEnd, QueryChecksTheIdTheSourceAndTheClient) {
    const auto id = submit();
    EXPECT_EQ(esme_->query_sm(id, "Other")->status, CommandStatus::ESME_RINVSRCADR);
    EXPECT_EQ(esme_->query_sm(id, "")->status,
              CommandStatus::ESME_ROK);  // no source given: not checked
    EXPECT_EQ(esme_->query_sm("not-an-id", "Bindery")->status, CommandStatus::ESME_RINVMSGID);
    EXPECT_EQ(esme_->query_sm("0190c0de-0000-7000-8000-000000000001", "Bindery")->status,
              CommandStatus::ESME_RINVMSGID);
    // Another account (another router client) cannot see it.
    RawEsme other(io_);
    ASSERT_TRUE(other.connect(frontend_->port()));
    ASSERT_EQ(other.bind_transceiver("globex", "secret")->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(other.query_sm(id, "Bindery")->status, CommandStatus::ESME_RINVMSGID);
    EXPECT_EQ(other.cancel_sm(id, "Bindery", "")->status, CommandStatus::ESME_RINVMSGID);
    EXPECT_EQ(state(id), router::MessageState::queued);
}

TEST_F(SmppQueriesEndToEnd, CancelOfAScheduledMessageShowsDeletedAndNothingReachesTheCarrier) {
    // Scheduled through the router's API (the same client as the SMPP account): 10 minutes ahead.
    router::SubmitRequest r;
    r.client = "acme-client";
    r.sender = "Bindery";
    r.destination = "+989121234567";
    r.text = "later";
    r.schedule_at = router::SystemClock::now() + std::chrono::minutes(10);
    const auto accepted = api_->submit(std::span<const router::SubmitRequest>(&r, 1));
    ASSERT_TRUE(accepted.front());
    const auto scheduled = accepted.front()->id.to_string();
    const auto queued = submit("989121234568");  // one QUEUED, not yet dispatched

    EXPECT_EQ(esme_->cancel_sm(scheduled, "Bindery", "09121234568")->status,
              CommandStatus::ESME_RINVDSTADR);
    EXPECT_EQ(esme_->cancel_sm(scheduled, "Other", "")->status, CommandStatus::ESME_RINVSRCADR);
    EXPECT_EQ(esme_->cancel_sm("", "Bindery", "989121234567")->status,
              CommandStatus::ESME_RCANCELFAIL);
    EXPECT_EQ(esme_->cancel_sm(scheduled, "Bindery", "989121234567")->status,
              CommandStatus::ESME_ROK);
    EXPECT_EQ(esme_->cancel_sm(queued, "", "")->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(state(scheduled), router::MessageState::cancelled);

    auto q = esme_->query_sm(scheduled, "Bindery");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(q->message_state, static_cast<std::uint8_t>(smpp::MessageState::deleted));
    EXPECT_EQ(q->final_date.size(), 16u);
    // Already final: a second cancel fails.
    EXPECT_EQ(esme_->cancel_sm(scheduled, "Bindery", "")->status, CommandStatus::ESME_RCANCELFAIL);

    // A message that goes through: cancelled neither while with the carrier nor after.
    const auto sent = submit("989121234569");
    polling_ = true;
    ASSERT_TRUE(run_io_until(
        io_, [&] { return state(sent) == router::MessageState::delivered; }, [this] { poll(); }));
    EXPECT_EQ(esme_->cancel_sm(sent, "Bindery", "")->status, CommandStatus::ESME_RCANCELFAIL);
    // Only that one reached the simulator.
    for (int i = 0; i < 20; ++i) poll();
    EXPECT_EQ(smsc_->counters().submits, 1u);
    EXPECT_EQ(state(queued), router::MessageState::cancelled);
}

// schedule_delivery_time over SMPP: the message waits in the router (QUEUED with its schedule),
// query_sm shows it ENROUTE (Bindery answers as an SMPP 3.4 SMSC: SCHEDULED is 5.0 only) while a
// later unscheduled one is delivered, and it can still be cancelled.
TEST_F(SmppQueriesEndToEnd,
       AMessageScheduledOverSmppStaysEnrouteWhileLaterOnesGoAndCanBeCancelled) {
    const auto before = router::SystemClock::now();
    const auto r = esme_->submit_sm("Bindery", 1, "989121234567", "tomorrow", "000001000000000R");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, CommandStatus::ESME_ROK);
    const auto scheduled = r->message_id;
    const auto stored = **store_.get(*router::MessageId::parse(scheduled));
    EXPECT_EQ(stored.state, router::MessageState::queued);
    ASSERT_TRUE(stored.schedule_at);
    EXPECT_GE(*stored.schedule_at, before + std::chrono::hours(24));
    EXPECT_LE(*stored.schedule_at, router::SystemClock::now() + std::chrono::hours(24));

    const auto now = submit("989121234568");
    polling_ = true;
    ASSERT_TRUE(run_io_until(
        io_, [&] { return state(now) == router::MessageState::delivered; }, [this] { poll(); }));
    for (int i = 0; i < 20; ++i) poll();
    EXPECT_EQ(smsc_->counters().submits, 1u);  // only the unscheduled one
    EXPECT_EQ(state(scheduled), router::MessageState::queued);

    auto q = esme_->query_sm(scheduled, "Bindery");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->status, CommandStatus::ESME_ROK);
    EXPECT_EQ(q->message_state, static_cast<std::uint8_t>(smpp::MessageState::enroute));
    EXPECT_EQ(q->final_date, "");
    EXPECT_EQ(esme_->cancel_sm(scheduled, "Bindery", "")->status, CommandStatus::ESME_ROK);
    q = esme_->query_sm(scheduled, "Bindery");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->message_state, static_cast<std::uint8_t>(smpp::MessageState::deleted));
    // A malformed schedule is refused before anything is stored.
    const auto bad = esme_->submit_sm("Bindery", 1, "989121234567", "never", "261324000000000+");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, CommandStatus::ESME_RINVSCHED);
}

TEST_F(SmppQueriesEndToEnd, ReplaceIsRefusedAsNotSupported) {
    const auto id = submit();
    EXPECT_EQ(esme_->replace_sm(id, "Bindery", "new text")->status,
              CommandStatus::ESME_RREPLACEFAIL);
    EXPECT_EQ(state(id), router::MessageState::queued);
}

}  // namespace
}  // namespace bindery::app
