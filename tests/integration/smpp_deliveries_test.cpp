// The SMPP server side of the real `bindery serve` with the bundled simulator as its carrier and a
// Bindery ClientBind as the ESME: a delivery receipt survives a kill -9 of the gateway between the
// message's DELIVERED and the ESME's receiver bind; a receipt waits (pending gauge) for a receiver
// bind and is then delivered once; MO from the simulator reaches the ESME bound RX as deliver_sm
// through smpp_server.mo_routes, and an MO matching no route is counted.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "gateway_harness.hpp"
#include "smpp/net/client_bind.hpp"

namespace {

using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::read_all;
using bindery::test::TempDir;
namespace h = bindery::test::harness;
namespace smpp = bindery::smpp;
namespace asio = boost::asio;

const std::string kAccount =
    "  accounts:\n"
    "    - system_id: esme1\n"
    "      password: secret1\n"
    "      client: test\n";

struct Received {
    std::uint8_t esm_class = 0;
    std::string text;
    std::string receipted_message_id;
    std::string source_addr, destination_addr;
};

// An ESME on a thread of its own: one ClientBind to the gateway's SMPP server side.
class Esme final : public smpp::ClientBindObserver {
public:
    Esme(std::uint16_t port, smpp::BindType type) : guard_(asio::make_work_guard(io_)) {
        smpp::ClientBindConfig c;
        c.name = "esme";
        c.port = port;
        c.bind_type = type;
        c.system_id = "esme1";
        c.password = "secret1";
        c.backoff.initial = 50ms;
        c.backoff.max = 500ms;
        c.backoff_seed = 3;
        bind_ = std::make_shared<smpp::ClientBind>(io_.get_executor(), std::move(c), this);
        asio::post(io_, [b = bind_] { b->start(); });
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Esme() override {
        std::promise<void> stopped;
        asio::post(io_, [&] { bind_->stop(500ms, [&] { stopped.set_value(); }); });
        stopped.get_future().wait_for(10s);
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    Esme(const Esme&) = delete;
    Esme& operator=(const Esme&) = delete;

    bool bound() const { return up_.load(); }
    // submit_sm; the submit_sm_resp's message id (empty on failure).
    std::string submit(const std::string& destination, const std::string& text,
                       std::uint8_t registered_delivery) {
        smpp::ShortMessageData m;
        m.source_addr_ton = 5;
        m.source_addr = "Bindery";
        m.dest_addr_ton = 1;
        m.dest_addr_npi = 1;
        m.destination_addr = destination;
        m.registered_delivery = registered_delivery;
        m.short_message.assign(text.begin(), text.end());
        auto result = std::make_shared<std::promise<smpp::SubmitReport>>();
        asio::post(io_, [b = bind_, m = std::move(m), result]() mutable {
            b->submit(std::move(m),
                      [result](const smpp::SubmitReport& r) { result->set_value(r); });
        });
        auto future = result->get_future();
        if (future.wait_for(30s) != std::future_status::ready) return {};
        const auto report = future.get();
        return report.sent && report.status == smpp::CommandStatus::ESME_ROK ? report.message_id
                                                                             : std::string();
    }
    std::vector<Received> received() const {
        const std::lock_guard lock(mutex_);
        return received_;
    }

    // smpp::ClientBindObserver (on the ESME's thread)
    void on_bind_up(smpp::ClientBind&) override { up_ = true; }
    void on_bind_down(smpp::ClientBind&) override { up_ = false; }
    void on_deliver(smpp::ClientBind&, const smpp::Pdu& request, smpp::IncomingDone done) override {
        if (const auto* d = request.get_if<smpp::DeliverSm>()) {
            Received r;
            r.esm_class = d->esm_class;
            r.text = std::string(d->short_message.as_chars());
            r.receipted_message_id = std::string(d->tlvs.receipted_message_id().value_or(""));
            r.source_addr = std::string(d->source_addr);
            r.destination_addr = std::string(d->destination_addr);
            const std::lock_guard lock(mutex_);
            received_.push_back(std::move(r));
        }
        done(smpp::CommandStatus::ESME_ROK);
    }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::shared_ptr<smpp::ClientBind> bind_;
    std::thread thread_;
    std::atomic<bool> up_{false};
    mutable std::mutex mutex_;
    std::vector<Received> received_;
};

double scrape(std::uint16_t port, const std::string& series) {
    return h::metric_value(h::http(port, "GET", "/metrics", {}, {}).body, series);
}

std::string state_of(std::uint16_t port, const std::string& id) {
    const auto body = h::http(port, "GET", "/v1/messages/" + id).body;
    std::smatch m;
    if (!std::regex_search(body, m, std::regex(R"re("state":"([A-Z_]+)")re"))) return {};
    return m[1];
}

std::size_t receipts_for(const std::vector<Received>& received, const std::string& id) {
    std::size_t n = 0;
    for (const auto& r : received) n += r.esm_class == 0x04 && r.receipted_message_id == id ? 1 : 0;
    return n;
}

TEST(SmppServerDeliveries, AReceiptSurvivesKillNineBeforeTheEsmeBindsAReceiver) {
    TempDir dir("bindery-smpp-dlr-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "50"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = h::write_config(dir.path(), sim.port(), kAccount);
    std::string id;
    {
        h::Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
        ASSERT_NE(gateway.smpp_port(), 0) << gateway.log();
        Esme transmitter(gateway.smpp_port(), smpp::BindType::transmitter);
        ASSERT_TRUE(eventually([&] { return transmitter.bound(); }, 30s)) << gateway.log();
        id = transmitter.submit("989121234567", "kill me", 1);
        ASSERT_FALSE(id.empty()) << gateway.log();
        ASSERT_TRUE(eventually([&] { return state_of(gateway.port(), id) == "DELIVERED"; }, 30s))
            << h::http(gateway.port(), "GET", "/v1/messages/" + id).body;
        // No receiver bind has existed: the receipt can only be in the outbox (or not yet there:
        // the start-up scan finds it then).
        gateway.process().signal(SIGKILL);
        EXPECT_EQ(bindery::test::exit_code(gateway.process().wait(10s)), -SIGKILL);
    }
    h::Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    ASSERT_NE(restarted.smpp_port(), 0) << restarted.log();
    Esme receiver(restarted.smpp_port(), smpp::BindType::receiver);
    ASSERT_TRUE(eventually([&] { return receipts_for(receiver.received(), id) >= 1; }, 30s))
        << restarted.log();
    const auto received = receiver.received();
    const auto it = std::find_if(received.begin(), received.end(),
                                 [&](const Received& r) { return r.receipted_message_id == id; });
    EXPECT_NE(it->text.find("id:" + id + " "), std::string::npos) << it->text;
    EXPECT_NE(it->text.find("stat:DELIVRD"), std::string::npos) << it->text;
    EXPECT_EQ(it->destination_addr, "Bindery");
    // The message's history says where the receipt went.
    std::string body;
    EXPECT_TRUE(eventually([&] {
        body = h::http(restarted.port(), "GET", "/v1/messages/" + id).body;
        return body.find("receipt delivered to ESME 'esme1'") != std::string::npos;
    })) << body;
    restarted.process().signal(SIGTERM);
    EXPECT_EQ(bindery::test::exit_code(restarted.process().wait(15s)), 0) << restarted.log();
}

TEST(SmppServerDeliveries, AReceiptWaitsForAReceiverBindAndIsDeliveredOnce) {
    TempDir dir("bindery-smpp-wait-");
    h::Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    h::Gateway gateway(dir.path(), h::write_config(dir.path(), sim.port(), kAccount));
    ASSERT_NE(gateway.port(), 0) << gateway.log();
    ASSERT_NE(gateway.smpp_port(), 0) << gateway.log();
    const std::string pending =
        R"(bindery_smpp_deliveries_pending{account="esme1",kind="receipt"})";
    EXPECT_EQ(scrape(gateway.port(), pending), 0);

    Esme transmitter(gateway.smpp_port(), smpp::BindType::transmitter);
    ASSERT_TRUE(eventually([&] { return transmitter.bound(); }, 30s)) << gateway.log();
    const auto id = transmitter.submit("989121234568", "wait for me", 1);
    ASSERT_FALSE(id.empty()) << gateway.log();
    ASSERT_TRUE(eventually([&] { return state_of(gateway.port(), id) == "DELIVERED"; }, 30s));
    // Waiting durably, for as long as no receiver binds (a transmitter does not take it).
    ASSERT_TRUE(eventually([&] { return scrape(gateway.port(), pending) == 1; }, 30s))
        << gateway.log();
    EXPECT_TRUE(transmitter.received().empty());

    Esme receiver(gateway.smpp_port(), smpp::BindType::receiver);
    ASSERT_TRUE(eventually([&] { return receipts_for(receiver.received(), id) == 1; }, 30s))
        << gateway.log();
    ASSERT_TRUE(eventually([&] { return scrape(gateway.port(), pending) == 0; }, 30s));
    EXPECT_EQ(scrape(gateway.port(),
                     R"(bindery_smpp_deliveries_total{kind="receipt",outcome="delivered"})"),
              1);
    EXPECT_EQ(receipts_for(receiver.received(), id), 1u);
}

TEST(SmppServerDeliveries, MoFromTheCarrierReachesTheEsmeItsRouteNames) {
    TempDir dir("bindery-smpp-mo-");
    h::Simulator sim(dir.path(), {"--mo-rate", "5"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    h::Gateway gateway(dir.path(), h::write_config(dir.path(), sim.port(),
                                                   kAccount + "  mo_routes:\n"
                                                              "    - destination: \"3000\"\n"
                                                              "      account: esme1\n"));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_NE(gateway.smpp_port(), 0) << gateway.log();
    Esme receiver(gateway.smpp_port(), smpp::BindType::receiver);
    ASSERT_TRUE(eventually([&] { return !receiver.received().empty(); }, 30s)) << gateway.log();
    const auto first = receiver.received().front();
    EXPECT_EQ(first.esm_class, 0);
    EXPECT_EQ(first.destination_addr, "3000");
    EXPECT_EQ(first.source_addr.rfind("98912", 0), 0u) << first.source_addr;
    EXPECT_EQ(first.text.rfind("MO ", 0), 0u) << first.text;
    EXPECT_TRUE(eventually([&] {
        return scrape(gateway.port(),
                      R"(bindery_smpp_mo_routed_total{account="esme1",carrier="sim"})") >= 1 &&
               scrape(gateway.port(),
                      R"(bindery_smpp_deliveries_total{kind="mo",outcome="delivered"})") >= 1;
    }));
    EXPECT_EQ(scrape(gateway.port(), R"(bindery_smpp_mo_unrouted_total{carrier="sim"})"),
              -1);  // none yet
}

TEST(SmppServerDeliveries, AnMoMatchingNoRouteIsCounted) {
    TempDir dir("bindery-smpp-mo-none-");
    h::Simulator sim(dir.path(), {"--mo-rate", "5"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    h::Gateway gateway(dir.path(), h::write_config(dir.path(), sim.port(),
                                                   kAccount + "  mo_routes:\n"
                                                              "    - prefix: \"4\"\n"
                                                              "      account: esme1\n"));
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    std::string text;
    ASSERT_TRUE(eventually(
        [&] {
            text = h::http(gateway.port(), "GET", "/metrics", {}, {}).body;
            return h::metric_value(text, R"(bindery_smpp_mo_unrouted_total{carrier="sim"})") >= 1;
        },
        30s))
        << text << gateway.log();
    EXPECT_EQ(
        h::metric_value(text, R"(bindery_smpp_deliveries_pending{account="esme1",kind="mo"})"), 0);
    EXPECT_NE(gateway.log().find("matches no mo_route"), std::string::npos);
}

}  // namespace
