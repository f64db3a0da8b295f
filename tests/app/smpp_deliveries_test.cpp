// SmppDeliveries: receipts and MO for SMPP server accounts through the durable outbox (a real
// SQLite file) to a real SmppFrontend, with a Bindery ClientBind as the ESME on 127.0.0.1. Pure
// parts (MO routing, MO deliver_sm encoding, backoff) table-driven; then: a receipt waits for a
// receiver bind, survives a restart, is retried after errors, given up on ESME_RX_P_APPN or expiry
// (and written to the message's history), queued by the start-up scan after a crash; an MO is
// answered only once stored and reaches the ESME as deliver_sm; an MO with no route is counted.
#include "app/smpp_deliveries.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "router/core/random.hpp"
#include "router/store/sqlite_smpp_outbox.hpp"
#include "router/store/sqlite_store.hpp"
#include "smpp/codec/text/charset.hpp"
#include "smpp/net/client_bind.hpp"
#include "smpp/net/password.hpp"
#include "tests/app/refusing_gateway.hpp"

namespace bindery::app {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using smpp::CommandStatus;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

template <class Pred>
bool run_until(asio::io_context& io, Pred done,
               std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(milliseconds(5));
        if (io.stopped()) io.restart();
    }
    return true;
}

// ---- pure parts -------------------------------------------------------------------------------

TEST(SmppDeliveriesRouting, TheMostSpecificRouteWins) {
    const std::vector<MoRoute> routes = {
        {"", "98", "", "country"},     {"", "98912", "", "operator"},
        {"3000", "", "", "shortcode"}, {"3000", "", "sim-b", "shortcode-b"},
        {"", "4", "sim-b", "fours-b"},
    };
    struct Case {
        const char* carrier;
        const char* destination;
        std::optional<std::string> account;
    };
    const Case cases[] = {
        {"sim", "3000", "shortcode"},          // exact
        {"sim-b", "3000", "shortcode-b"},      // exact naming the carrier beats exact for any
        {"sim", "+989121234567", "operator"},  // longest prefix, "+" ignored
        {"sim", "989351234567", "country"},
        {"sim", "4000", std::nullopt},  // only from sim-b
        {"sim-b", "4000", "fours-b"},
        {"sim", "30001", std::nullopt},  // exact is exact
        {"sim", "", std::nullopt},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(SmppDeliveries::route_mo(routes, c.carrier, c.destination), c.account)
            << c.carrier << " " << c.destination;
    }
    EXPECT_EQ(SmppDeliveries::route_mo({}, "sim", "3000"), std::nullopt);
}

router::MoMessage mo_of(std::string text, std::string destination = "3000") {
    router::MoMessage mo;
    mo.provider = "sim";
    mo.source = "989121000001";
    mo.source_ton = 1;
    mo.source_npi = 1;
    mo.destination = std::move(destination);
    mo.destination_ton = 3;
    mo.text = std::move(text);
    return mo;
}

TEST(SmppDeliveriesMo, GsmTextGoesAsDataCoding0AndOtherTextAsUcs2) {
    const auto gsm = SmppDeliveries::mo_deliver_sm(mo_of("Hello {world} @ 5€"));
    EXPECT_EQ(gsm.esm_class, 0);
    EXPECT_EQ(gsm.data_coding, 0);
    EXPECT_EQ(gsm.source_addr, "989121000001");
    EXPECT_EQ(gsm.source_addr_ton, 1);
    EXPECT_EQ(gsm.destination_addr, "3000");
    EXPECT_EQ(gsm.dest_addr_ton, 3);
    EXPECT_TRUE(gsm.tlvs.empty());
    // Unpacked septets, one octet each: 18 characters, { } and € as escape pairs.
    EXPECT_EQ(gsm.short_message.size(), 21u);

    const auto persian = SmppDeliveries::mo_deliver_sm(mo_of("سلام"));
    EXPECT_EQ(persian.data_coding, 8);
    std::string text;
    ASSERT_TRUE(smpp::decode_ucs2(persian.short_message, text));
    EXPECT_EQ(text, "سلام");

    // Longer than one SMS: the whole text in message_payload, short_message empty.
    const std::string long_text(200, 'a');
    const auto payload = SmppDeliveries::mo_deliver_sm(mo_of(long_text));
    EXPECT_TRUE(payload.short_message.empty());
    const auto view = payload.view<smpp::DeliverSm>();
    const auto octets = view.tlvs.message_payload();
    ASSERT_TRUE(octets.has_value());
    EXPECT_EQ(octets->size(), 200u);
    EXPECT_EQ(payload.data_coding, 0);
}

TEST(SmppDeliveriesMo, TheStoredPduRoundTrips) {
    auto d = SmppDeliveries::mo_deliver_sm(mo_of(std::string(300, 'x')));
    const auto pdu = SmppDeliveries::encode_pdu(d);
    ASSERT_FALSE(pdu.empty());
    const auto back = SmppDeliveries::decode_pdu(pdu);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->source_addr, d.source_addr);
    EXPECT_EQ(back->destination_addr, d.destination_addr);
    EXPECT_EQ(back->dest_addr_ton, 3);
    EXPECT_EQ(back->tlvs, d.tlvs);
    EXPECT_FALSE(SmppDeliveries::decode_pdu("garbage").has_value());
}

TEST(SmppDeliveriesBackoff, DoublesFromTheInitialDelayUpToTheCap) {
    SmppDeliveriesSettings s;
    s.retry_initial = 5s;
    s.retry_max = 30s;
    EXPECT_EQ(SmppDeliveries::backoff(s, 1), 5s);
    EXPECT_EQ(SmppDeliveries::backoff(s, 2), 10s);
    EXPECT_EQ(SmppDeliveries::backoff(s, 3), 20s);
    EXPECT_EQ(SmppDeliveries::backoff(s, 4), 30s);
    EXPECT_EQ(SmppDeliveries::backoff(s, 400), 30s);
}

// ---- with a frontend, an outbox and an ESME -----------------------------------------------------

struct Received {
    std::uint8_t esm_class = 0;
    std::uint8_t data_coding = 0;
    std::string text;
    std::string receipted_message_id;
    std::string source_addr, destination_addr;
};

// Answers every deliver_sm with `answer()` (ESME_ROK once `refusals` ran out).
class Esme final : public smpp::ClientBindObserver {
public:
    std::vector<Received> received;
    int refusals = 0;
    CommandStatus refusal = CommandStatus::ESME_RX_T_APPN;
    std::size_t offered = 0;
    void on_deliver(smpp::ClientBind&, const smpp::Pdu& request, smpp::IncomingDone done) override {
        ++offered;
        if (refusals > 0) {
            --refusals;
            done(refusal);
            return;
        }
        if (const auto* d = request.get_if<smpp::DeliverSm>()) {
            Received r;
            r.esm_class = d->esm_class;
            r.data_coding = d->data_coding;
            r.text = std::string(d->short_message.as_chars());
            r.receipted_message_id = std::string(d->tlvs.receipted_message_id().value_or(""));
            r.source_addr = std::string(d->source_addr);
            r.destination_addr = std::string(d->destination_addr);
            received.push_back(std::move(r));
        }
        done(CommandStatus::ESME_ROK);
    }
};

SmppFrontendConfig frontend_config() {
    SmppFrontendConfig c;
    c.server.listen.host = "127.0.0.1";
    c.server.listen.port = 0;
    c.server.deliver_retry = milliseconds(50);
    c.server.deliver_timeout = milliseconds(300);  // hand-off: back to the outbox after this
    smpp::ServerAccount a;
    a.system_id = "acme";
    a.password_hash = smpp::hash_password("secret");
    c.server.accounts.push_back(a);
    c.accounts.emplace("acme", SmppFrontendAccount{"acme-client", {}});
    return c;
}

SmppDeliveriesSettings settings() {
    SmppDeliveriesSettings s;
    s.retry_initial = milliseconds(50);
    s.retry_max = milliseconds(200);
    s.poll_interval = milliseconds(50);
    s.bind_check = milliseconds(20);
    s.mo_routes = {{"3000", "", "", "acme"}};
    return s;
}

router::Message final_message(router::MessageState state, std::string tag = "smpp-dlr:acme:1") {
    static router::MessageIdGenerator ids(42);
    router::Message m;
    m.id = ids.next(router::SystemClock::now());
    m.client = "acme-client";
    m.sender = "Bindery";
    m.destination = "+989121234567";
    m.region = "IR";
    m.text = "hello";
    m.tags = {"smpp", std::move(tag)};
    m.state = state;
    m.accepted_at = router::SystemClock::now();
    m.updated_at = m.accepted_at;
    m.expires_at = m.accepted_at + 24h;
    return m;
}

router::MessageEvent event_to(const router::Message& m) {
    return router::MessageEvent{
        m.id, router::MessageState::sent, m.state, router::SystemClock::now(), 1, "sim", ""};
}

class SmppDeliveriesTest : public ::testing::Test {
protected:
    SmppDeliveriesTest() {
        path_ = fs::temp_directory_path() / ("smpp-deliveries-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(counter_++) + ".db");
        config_.path = path_.string();
        config_.synchronous = router::SqliteSync::off;
        store_ = std::move(*router::SqliteStore::open(config_));
        outbox_ = std::move(*router::SqliteSmppOutbox::open(config_));
    }
    ~SmppDeliveriesTest() override {
        stop_all();
        store_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
    }
    void stop_all() {
        for (auto& b : binds_) {
            bool done = false;
            b->stop(milliseconds(200), [&] { done = true; });
            run_until(io_, [&] { return done; });
        }
        binds_.clear();
        if (deliveries_) deliveries_->stop();
        if (frontend_) frontend_->stop();
        for (int i = 0; i < 50; ++i) io_.poll();
        deliveries_.reset();
        frontend_.reset();
    }
    void start(SmppDeliveriesSettings s = settings()) {
        frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api_);
        deliveries_ = std::make_unique<SmppDeliveries>(std::move(s), *outbox_, *store_);
        deliveries_->attach(*frontend_);
        deliveries_->start();
        frontend_->start();
    }
    std::shared_ptr<smpp::ClientBind> bind_receiver() {
        smpp::ClientBindConfig c;
        c.name = "esme";
        c.port = frontend_->port();
        c.bind_type = smpp::BindType::receiver;
        c.system_id = "acme";
        c.password = "secret";
        c.backoff.initial = milliseconds(10);
        c.backoff.max = milliseconds(50);
        c.backoff_seed = 7;
        auto b = std::make_shared<smpp::ClientBind>(io_.get_executor(), std::move(c), &esme_);
        b->start();
        binds_.push_back(b);
        return b;
    }
    // Stores a message already in its final state (as the router would have).
    router::Message stored(router::MessageState state, std::string tag = "smpp-dlr:acme:1") {
        auto m = final_message(router::MessageState::queued, std::move(tag));
        const router::MessageEvent accepted{m.id,
                                            router::MessageState::accepted,
                                            router::MessageState::queued,
                                            m.accepted_at,
                                            0,
                                            {},
                                            "accepted"};
        EXPECT_TRUE(store_->insert_batch(std::span(&m, 1), std::vector{accepted}).has_value());
        auto next = m;
        next.state = state;
        next.updated_at = router::SystemClock::now();
        const router::TransitionWrite w{next, router::MessageState::queued, event_to(next)};
        EXPECT_TRUE(store_->transition_batch(std::span(&w, 1))[0].has_value());
        return next;
    }
    std::uint64_t pending() {
        std::uint64_t n = 0;
        for (const auto& [k, v] : deliveries_->stats().pending) n += v;
        return n;
    }
    std::vector<router::MessageEvent> receipt_history(const router::MessageId& id) {
        std::vector<router::MessageEvent> out;
        auto events = store_->events(id);
        if (!events) return out;
        for (auto& e : *events) {
            if (e.provider == "smpp-receipt") out.push_back(e);
        }
        return out;
    }

    static inline int counter_ = 0;
    fs::path path_;
    router::SqliteStoreConfig config_;
    std::unique_ptr<router::SqliteStore> store_;
    std::unique_ptr<router::SqliteSmppOutbox> outbox_;
    asio::io_context io_;
    RefusingGateway api_{router::SubmitErrc::unavailable};
    Esme esme_;
    std::unique_ptr<SmppFrontend> frontend_;
    std::unique_ptr<SmppDeliveries> deliveries_;
    std::vector<std::shared_ptr<smpp::ClientBind>> binds_;
};

TEST_F(SmppDeliveriesTest, AReceiptWaitsForAReceiverBindAndSurvivesARestart) {
    start();
    const auto m = stored(router::MessageState::undeliverable);
    deliveries_->on_transition(m, event_to(m));
    // Not asked for / failures only and delivered: nothing.
    const auto quiet = final_message(router::MessageState::delivered, "other");
    deliveries_->on_transition(quiet, event_to(quiet));
    const auto failures_only = final_message(router::MessageState::delivered, "smpp-dlr:acme:2");
    deliveries_->on_transition(failures_only, event_to(failures_only));
    ASSERT_TRUE(run_until(io_, [&] { return pending() == 1; }));

    // Stop before any bind: the receipt stays in the file.
    stop_all();
    ASSERT_EQ(outbox_->pending()->size(), 1u);
    start();
    EXPECT_EQ(pending(), 1u);
    bind_receiver();
    ASSERT_TRUE(run_until(io_, [&] { return esme_.received.size() == 1 && pending() == 0; }));
    const auto& r = esme_.received[0];
    EXPECT_EQ(r.esm_class, 0x04);
    EXPECT_EQ(r.receipted_message_id, m.id.to_string());
    EXPECT_NE(r.text.find("stat:UNDELIV"), std::string::npos) << r.text;
    EXPECT_EQ(r.destination_addr, "Bindery");
    EXPECT_TRUE(outbox_->pending()->empty());
    EXPECT_EQ(deliveries_->stats().delivered, 1u);
    const auto history = receipt_history(m.id);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].detail, "receipt UNDELIVERABLE queued for ESME 'acme'");
    EXPECT_EQ(history[1].detail, "receipt delivered to ESME 'acme' (attempt 1)");
}

TEST_F(SmppDeliveriesTest, ABacklogDrainsPageByPageInEnqueueOrderOnceEach) {
    auto s = settings();
    s.max_in_flight = 16;  // many pages
    start(s);
    constexpr int kCount = 300;
    std::vector<std::string> ids;
    for (int i = 0; i < kCount; ++i) {
        const auto m = final_message(router::MessageState::delivered);
        ids.push_back(m.id.to_string());
        deliveries_->on_transition(m, event_to(m));
    }
    ASSERT_TRUE(run_until(io_, [&] { return pending() == kCount; }));
    const auto started = std::chrono::steady_clock::now();
    bind_receiver();
    ASSERT_TRUE(run_until(
        io_, [&] { return esme_.received.size() >= kCount && pending() == 0; },
        std::chrono::seconds(60)))
        << esme_.received.size() << " received, " << pending() << " pending";
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(esme_.received.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i)
        EXPECT_EQ(esme_.received[static_cast<std::size_t>(i)].receipted_message_id,
                  ids[static_cast<std::size_t>(i)])
            << i;
    EXPECT_EQ(deliveries_->stats().delivered, static_cast<std::uint64_t>(kCount));
    EXPECT_EQ(deliveries_->stats().retried, 0u);
    std::printf("%d receipts drained to one receiver bind in %.2f s (%.0f/s, max_in_flight 16)\n",
                kCount, took.count(), kCount / took.count());
}

TEST_F(SmppDeliveriesTest, AConcatenatedSubmitGetsOneReceiptPerPartIdThroughTheFrontendsRoute) {
    start();
    auto m = final_message(router::MessageState::delivered);
    const std::string p1 = "0190a0b0-5c1e-7a3b-9f00-000000000001";
    const std::string p2 = "0190a0b0-5c1e-7a3b-9f00-000000000002";
    m.tags.push_back("smpp-parts:" + p1 + "," + p2);
    // The router hook goes to the frontend, whose receipt route is this outbox.
    frontend_->on_transition(m, event_to(m));
    frontend_->on_transition(m, event_to(m));  // heard twice: still one receipt per part id
    bind_receiver();
    ASSERT_TRUE(run_until(io_, [&] { return esme_.received.size() >= 2 && pending() == 0; }));
    ASSERT_EQ(esme_.received.size(), 2u);
    EXPECT_EQ(esme_.received[0].receipted_message_id, p1);
    EXPECT_EQ(esme_.received[1].receipted_message_id, p2);
    EXPECT_NE(esme_.received[1].text.find("id:" + p2 + " "), std::string::npos)
        << esme_.received[1].text;
    EXPECT_EQ(frontend_->stats().receipts_queued, 0u);  // none took the in-memory path
}

TEST_F(SmppDeliveriesTest, TemporaryRefusalsAreRetriedUntilTheEsmeTakesIt) {
    esme_.refusals = 12;  // more than the server's own retries within one hand-off (300 ms / 50 ms)
    start();
    const auto m = stored(router::MessageState::delivered);
    bind_receiver();
    deliveries_->on_transition(m, event_to(m));
    ASSERT_TRUE(run_until(io_, [&] { return esme_.received.size() == 1 && pending() == 0; }));
    const auto stats = deliveries_->stats();
    EXPECT_EQ(stats.delivered, 1u);
    EXPECT_GE(stats.retried, 1u);
    EXPECT_EQ(stats.given_up, 0u);
    const auto history = receipt_history(m.id);
    ASSERT_GE(history.size(), 3u);
    EXPECT_NE(history[1].detail.find("(will retry)"), std::string::npos) << history[1].detail;
    EXPECT_NE(history.back().detail.find("receipt delivered to ESME 'acme'"), std::string::npos);
}

TEST_F(SmppDeliveriesTest, APermanentRefusalGivesTheReceiptUpAndSaysSoInTheHistory) {
    esme_.refusals = 1;
    esme_.refusal = CommandStatus::ESME_RX_P_APPN;
    start();
    const auto m = stored(router::MessageState::rejected);
    bind_receiver();
    deliveries_->on_transition(m, event_to(m));
    ASSERT_TRUE(run_until(io_, [&] { return deliveries_->stats().given_up == 1; }));
    EXPECT_EQ(pending(), 0u);
    EXPECT_TRUE(esme_.received.empty());
    const auto history = receipt_history(m.id);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].detail, "receipt to ESME 'acme' given up after attempt 1: ESME_RX_P_APPN");
}

TEST_F(SmppDeliveriesTest, AReceiptNobodyBindsForIsGivenUpAtItsExpiry) {
    auto s = settings();
    s.account_expiry["acme"] = milliseconds(200);
    start(s);
    const auto m = stored(router::MessageState::expired);
    deliveries_->on_transition(m, event_to(m));
    ASSERT_TRUE(run_until(io_, [&] { return deliveries_->stats().given_up == 1; }));
    EXPECT_EQ(pending(), 0u);
    EXPECT_TRUE(outbox_->pending()->empty());
    const auto history = receipt_history(m.id);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].detail, "receipt to ESME 'acme' given up: expired after 0 attempt(s)");
}

TEST_F(SmppDeliveriesTest, TheStartUpScanQueuesAReceiptACrashLeftOut) {
    // A previous run watched from an hour ago and died between the final state's commit and
    // the receipt's enqueue.
    ASSERT_TRUE(outbox_->set_receipts_scanned_to(router::SystemClock::now() - 1h).has_value());
    const auto m = stored(router::MessageState::delivered);
    const auto not_asked =
        stored(router::MessageState::delivered, "smpp-dlr:acme:2");  // failures only
    start();
    EXPECT_EQ(deliveries_->stats().receipts_recovered, 1u);
    EXPECT_EQ(pending(), 1u);
    bind_receiver();
    ASSERT_TRUE(run_until(io_, [&] { return esme_.received.size() == 1 && pending() == 0; }));
    EXPECT_EQ(esme_.received[0].receipted_message_id, m.id.to_string());
    // The live path hearing of the same transition late does not queue it twice.
    deliveries_->on_transition(m, event_to(m));
    stop_all();
    EXPECT_TRUE(outbox_->pending()->empty());
    (void)not_asked;
}

TEST_F(SmppDeliveriesTest, AnMoIsAnsweredOnceStoredAndReachesTheEsme) {
    start();
    std::atomic<int> answered{-1};
    deliveries_->on_mo(mo_of("Hi there"), [&](bool ok) { answered = ok ? 1 : 0; });
    ASSERT_TRUE(run_until(io_, [&] { return answered.load() != -1; }));
    EXPECT_EQ(answered.load(), 1);
    EXPECT_EQ(outbox_->pending()->at({"acme", router::SmppDeliveryKind::mo}), 1u);

    // No route: answered at once (ESME_ROK) and counted.
    std::atomic<int> unrouted{-1};
    deliveries_->on_mo(mo_of("lost", "4000"), [&](bool ok) { unrouted = ok ? 1 : 0; });
    EXPECT_EQ(unrouted.load(), 1);
    EXPECT_EQ(deliveries_->stats().mo_unrouted, 1u);

    bind_receiver();
    ASSERT_TRUE(run_until(io_, [&] { return esme_.received.size() == 1 && pending() == 0; }));
    const auto& r = esme_.received[0];
    EXPECT_EQ(r.esm_class, 0);
    EXPECT_EQ(r.data_coding, 0);
    EXPECT_EQ(r.text, "Hi there");
    EXPECT_EQ(r.source_addr, "989121000001");
    EXPECT_EQ(r.destination_addr, "3000");
    EXPECT_EQ(deliveries_->stats().mo_routed, 1u);
}

}  // namespace
}  // namespace bindery::app
