// ClientBind against the SMSC simulator running in-process on 127.0.0.1 port 0, on the same
// io_context as the test (driven by run_until: every wait is for an event, with a timeout).
#include "smpp/net/client_bind.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "tests/smpp/net/net_test_util.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::smpp {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using test::run_until;

struct Delivered {
    std::uint8_t esm_class = 0;
    std::string text;
    std::string receipted_message_id;
    std::optional<std::uint8_t> message_state;
    std::string source_addr, destination_addr;
};

class Observer : public ClientBindObserver {
public:
    int up = 0, down = 0, ready = 0;
    std::vector<Delivered> delivered;
    bool hold = false;  // keep `done` instead of answering at once
    std::vector<IncomingDone> held;

    void on_bind_up(ClientBind&) override { ++up; }
    void on_bind_down(ClientBind&) override { ++down; }
    void on_ready(ClientBind&) override { ++ready; }
    void on_deliver(ClientBind&, const Pdu& request, IncomingDone done) override {
        if (const auto* d = request.get_if<DeliverSm>()) {
            Delivered x;
            x.esm_class = d->esm_class;
            x.text = std::string(d->short_message.as_chars());
            x.receipted_message_id = std::string(d->tlvs.receipted_message_id().value_or(""));
            x.message_state = d->tlvs.message_state();
            x.source_addr = std::string(d->source_addr);
            x.destination_addr = std::string(d->destination_addr);
            delivered.push_back(std::move(x));
        }
        if (hold) {
            held.push_back(std::move(done));
        } else {
            done(CommandStatus::ESME_ROK);
        }
    }
};

using test::message;

class ClientBindTest : public ::testing::Test {
protected:
    void start_sim(sim::SimConfig cfg = {}) {
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        cfg.seed = 42;
        sim_ = std::make_shared<sim::SmscSimulator>(io_.get_executor(), std::move(cfg));
        sim_->start();
    }
    ClientBindConfig bind_config(std::string system_id = "esme", std::string password = "pw") {
        ClientBindConfig c;
        c.name = "test-carrier#1";
        c.host = "127.0.0.1";
        c.port = sim_->port();
        c.system_id = std::move(system_id);
        c.password = std::move(password);
        c.session.window = 10;
        c.session.response_timeout = std::chrono::seconds(5);
        c.session.enquire_link_interval = std::chrono::seconds(30);
        c.backoff.initial = milliseconds(10);
        c.backoff.max = milliseconds(50);
        c.backoff.bind_failure_initial = milliseconds(200);
        c.backoff.bind_failure_max = milliseconds(400);
        c.backoff_seed = 9;
        return c;
    }
    std::shared_ptr<ClientBind> make_bind(ClientBindConfig c, Observer* obs) {
        auto b = std::make_shared<ClientBind>(io_.get_executor(), std::move(c), obs);
        b->start();
        binds_.push_back(b);
        return b;
    }
    void TearDown() override {
        for (auto& b : binds_) {
            bool done = false;
            b->stop(milliseconds(200), [&] { done = true; });
            run_until(
                io_, [&] { return done; }, std::chrono::seconds(3));
        }
        if (sim_) sim_->stop();
        run_until(
            io_, [&] { return sim_ == nullptr || sim_->server().connections() == 0; },
            std::chrono::seconds(3));
    }

    asio::io_context io_;
    Observer obs_;  // outlives the binds (they report to it until stopped)
    std::shared_ptr<sim::SmscSimulator> sim_;
    std::vector<std::shared_ptr<ClientBind>> binds_;
};

TEST_F(ClientBindTest, BindsSubmitsAndReceivesTheDeliveryReceipt) {
    start_sim();
    Observer& obs = obs_;
    auto bind = make_bind(bind_config(), &obs);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    EXPECT_EQ(obs.up, 1);
    std::optional<SubmitReport> report;
    bind->submit(message("Hello from Bindery"), [&](const SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(io_, [&] { return report.has_value(); }));
    ASSERT_TRUE(report->ok()) << static_cast<int>(report->status);
    EXPECT_FALSE(report->message_id.empty());
    ASSERT_TRUE(run_until(io_, [&] { return obs.delivered.size() == 1; }));
    const auto& r = obs.delivered[0];
    EXPECT_EQ(r.esm_class, 0x04);
    EXPECT_EQ(r.receipted_message_id, report->message_id);
    EXPECT_EQ(r.message_state, std::optional<std::uint8_t>(2));
    EXPECT_NE(r.text.find("id:" + report->message_id + " sub:001 dlvrd:001 submit date:"),
              std::string::npos)
        << r.text;
    EXPECT_NE(r.text.find("stat:DELIVRD err:000 text:Hello from Bindery"), std::string::npos)
        << r.text;
    EXPECT_EQ(r.source_addr, "989121234567");
    EXPECT_EQ(r.destination_addr, "Bindery");
    ASSERT_TRUE(run_until(io_, [&] { return sim_->counters().receipts_delivered == 1; }));
    EXPECT_EQ(bind->stats().submit_ok, 1U);
}

TEST_F(ClientBindTest, MessageIdsAreUniqueAcrossManySubmits) {
    start_sim();
    auto bind = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::set<std::string> ids;
    int done = 0;
    std::function<void(int)> send = [&](int i) {
        bind->submit(message("m" + std::to_string(i), 0), [&](const SubmitReport& r) {
            EXPECT_TRUE(r.ok());
            ids.insert(r.message_id);
            ++done;
        });
    };
    for (int i = 0; i < 30; ++i) send(i);  // queue holds 4 x window = 40
    ASSERT_TRUE(run_until(io_, [&] { return done == 30; }));
    EXPECT_EQ(ids.size(), 30U);
}

TEST_F(ClientBindTest, DeliverSmRespWaitsForTheHandler) {
    start_sim();
    Observer& obs = obs_;
    obs.hold = true;
    auto bind = make_bind(bind_config(), &obs);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::optional<SubmitReport> report;
    bind->submit(message("hold me"), [&](const SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(io_, [&] { return obs.held.size() == 1; }));
    // Not answered yet: the simulator has no response for a while.
    EXPECT_FALSE(run_until(
        io_, [&] { return sim_->counters().receipts_delivered > 0; }, milliseconds(300)));
    obs.held[0](CommandStatus::ESME_ROK);
    ASSERT_TRUE(run_until(io_, [&] { return sim_->counters().receipts_delivered == 1; }));
}

TEST_F(ClientBindTest, KeepsTheLinkAliveWithEnquireLink) {
    start_sim();
    auto cfg = bind_config();
    cfg.session.enquire_link_interval = milliseconds(30);
    auto bind = make_bind(cfg, nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    ASSERT_TRUE(run_until(io_, [&] {
        return bind->session_stats() != nullptr && bind->session_stats()->enquire_links_sent >= 3;
    }));
    EXPECT_TRUE(bind->bound());
    EXPECT_EQ(bind->stats().binds_down, 0U);
}

TEST_F(ClientBindTest, ReconnectsAfterTheSimulatorDropsTheLink) {
    sim::SimConfig cfg;
    cfg.drop_after = 3;
    start_sim(cfg);
    Observer& obs = obs_;
    auto bind = make_bind(bind_config(), &obs);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    int ok = 0;
    for (int i = 0; i < 3; ++i) {
        bind->submit(message("x", 0), [&](const SubmitReport& r) { ok += r.ok() ? 1 : 0; });
    }
    ASSERT_TRUE(run_until(io_, [&] { return obs.down == 1; }));
    EXPECT_EQ(ok, 3);
    ASSERT_TRUE(run_until(io_, [&] { return obs.up == 2 && bind->bound(); }));
    EXPECT_EQ(bind->stats().binds_up, 2U);
    std::optional<SubmitReport> after;
    bind->submit(message("after", 0), [&](const SubmitReport& r) { after = r; });
    ASSERT_TRUE(run_until(io_, [&] { return after.has_value(); }));
    EXPECT_TRUE(after->ok());
    EXPECT_EQ(sim_->counters().disconnects, 1U);
}

TEST_F(ClientBindTest, BacksOffAndRetriesWhenTheCarrierThrottles) {
    sim::SimConfig cfg;
    cfg.throttle_tps = 100;
    cfg.throttle_burst = 5;
    start_sim(cfg);
    auto bind = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    int ok = 0, failed = 0;
    unsigned retried = 0;
    for (int i = 0; i < 30; ++i) {
        bind->submit(message("t", 0), [&](const SubmitReport& r) {
            r.ok() ? ++ok : ++failed;
            retried += r.throttle_retries;
        });
    }
    ASSERT_TRUE(run_until(
        io_, [&] { return ok + failed == 30; }, std::chrono::seconds(20)));
    EXPECT_EQ(ok, 30);
    EXPECT_GT(bind->stats().throttled, 0U);
    EXPECT_GT(retried, 0U);
    EXPECT_GT(sim_->counters().throttled, 0U);
}

TEST_F(ClientBindTest, GivesAThrottledSubmitBackAsTemporaryAfterMaxRetries) {
    sim::SimConfig cfg;
    cfg.error_rate = 1.0;  // the carrier throttles every submit, forever
    cfg.error_status = CommandStatus::ESME_RTHROTTLED;
    start_sim(cfg);
    auto c = bind_config();
    c.max_throttle_retries = 3;
    auto bind = make_bind(c, nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::optional<SubmitReport> report;
    bind->submit(message("never accepted", 0), [&](const SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(
        io_, [&] { return report.has_value(); }, std::chrono::seconds(30)));
    EXPECT_TRUE(report->sent);
    EXPECT_FALSE(report->ok());
    EXPECT_TRUE(report->temporary());
    EXPECT_EQ(report->status, CommandStatus::ESME_RTHROTTLED);
    EXPECT_EQ(report->throttle_retries, 3U);
    EXPECT_EQ(sim_->counters().errors_injected, 4U);  // first try + 3 retries, then given back
    EXPECT_EQ(bind->stats().throttle_gave_up, 1U);
    EXPECT_TRUE(bind->bound());  // the bind itself stays up
}

TEST_F(ClientBindTest, GivesAThrottledSubmitBackOnceThrottledForTooLong) {
    sim::SimConfig cfg;
    cfg.error_rate = 1.0;
    cfg.error_status = CommandStatus::ESME_RMSGQFUL;
    start_sim(cfg);
    auto c = bind_config();
    c.max_throttle_retries = 0;  // no count bound: only the age bound
    c.throttle_give_up = milliseconds(300);
    auto bind = make_bind(c, nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::optional<SubmitReport> report;
    bind->submit(message("never accepted", 0), [&](const SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(
        io_, [&] { return report.has_value(); }, std::chrono::seconds(30)));
    EXPECT_TRUE(report->sent);
    EXPECT_TRUE(report->temporary());
    EXPECT_EQ(report->status, CommandStatus::ESME_RMSGQFUL);
    EXPECT_GE(report->throttle_retries, 1U);
}

TEST_F(ClientBindTest, GracefulStopWaitsForOutstandingSubmitsThenUnbinds) {
    sim::SimConfig cfg;
    cfg.resp_delay = milliseconds(150);
    start_sim(cfg);
    auto bind = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::optional<SubmitReport> report, refused;
    bind->submit(message("slow", 0), [&](const SubmitReport& r) { report = r; });
    ASSERT_TRUE(run_until(io_, [&] { return bind->in_flight() == 1; }));
    bool stopped = false;
    bind->stop(std::chrono::seconds(5), [&] { stopped = true; });
    bind->submit(message("late", 0), [&](const SubmitReport& r) { refused = r; });
    ASSERT_TRUE(refused.has_value());
    EXPECT_FALSE(refused->sent);
    EXPECT_EQ(refused->refusal, Refusal::closing);
    ASSERT_TRUE(run_until(io_, [&] { return stopped; }));
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(bind->state(), ClientBind::State::stopped);
    ASSERT_TRUE(run_until(io_, [&] { return sim_->server().connections() == 0; }));
    EXPECT_EQ(bind->stats().connects, 1U);  // no reconnect after a stop
}

TEST_F(ClientBindTest, RefusedCredentialsBackOffOnTheLongSchedule) {
    sim::SimConfig cfg;
    cfg.accounts = {{"alice", "secret"}};
    start_sim(cfg);
    Observer& obs = obs_;
    auto bad = make_bind(bind_config("alice", "wrong"), &obs);
    ASSERT_TRUE(run_until(io_, [&] {
        return bad->stats().bind_failures >= 1 && bad->state() == ClientBind::State::waiting;
    }));
    EXPECT_FALSE(bad->bound());
    EXPECT_GE(bad->last_backoff(), milliseconds(100));  // half of bind_failure_initial at least
    auto unknown = make_bind(bind_config("mallory", "secret"), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return unknown->stats().bind_failures >= 1; }));
    auto good = make_bind(bind_config("alice", "secret"), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return good->bound(); }));
    EXPECT_EQ(obs.up, 0);
    EXPECT_GE(sim_->counters().bind_rejects, 2U);
}

// A TLS file that cannot be read (missing at start, and at the reconnects after) fails each
// attempt: logged, counted as a failure, retried with the usual backoff; never a throw out of the
// io thread (bindery serve aborted with "terminate called ... tls: cannot load ca_file").
TEST_F(ClientBindTest, AnUnreadableTlsCaFileFailsTheAttemptAndIsRetriedUntilItAppears) {
    sim::SimConfig cfg;
    cfg.tls.enabled = true;
    cfg.tls.verify_peer = false;
    cfg.tls.cert_file = BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.crt";
    cfg.tls.key_file = BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.key";
    start_sim(cfg);
    const auto ca = std::filesystem::temp_directory_path() /
                    ("bindery-client-bind-ca-" + std::to_string(::getpid()) + ".pem");
    std::filesystem::remove(ca);
    auto c = bind_config();
    c.tls.enabled = true;
    c.tls.ca_file = ca.string();
    c.tls.server_name = "localhost";
    auto bind = make_bind(c, nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->stats().bind_failures >= 2; }));
    EXPECT_FALSE(bind->bound());
    EXPECT_GE(bind->stats().connects, 2U);
    EXPECT_EQ(sim_->counters().binds, 0U);
    // The file appears: the next attempt connects over TLS and binds.
    std::filesystem::copy_file(BINDERY_SOURCE_DIR "/tests/smpp/net/data/server.crt", ca);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::filesystem::remove(ca);
}

TEST_F(ClientBindTest, BindsOverTheAccountLimitAreRefused) {
    sim::SimConfig cfg;
    cfg.max_binds = 1;
    start_sim(cfg);
    auto first = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return first->bound(); }));
    auto second = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return second->stats().bind_failures >= 1; }));
    EXPECT_FALSE(second->bound());
    EXPECT_TRUE(first->bound());
}

TEST_F(ClientBindTest, SubmitWhileNotBoundIsRefusedWithoutSending) {
    start_sim();
    auto cfg = bind_config();
    auto bind = std::make_shared<ClientBind>(io_.get_executor(), cfg, nullptr);
    std::optional<SubmitReport> r;
    bind->submit(message("early"), [&](const SubmitReport& x) { r = x; });
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->sent);
    EXPECT_EQ(r->refusal, Refusal::not_bound);
    EXPECT_TRUE(r->temporary());
}

TEST_F(ClientBindTest, InjectedErrorsAreReportedWithTheirStatus) {
    sim::SimConfig cfg;
    cfg.error_rate = 1.0;
    cfg.error_status = CommandStatus::ESME_RINVDSTADR;
    start_sim(cfg);
    auto bind = make_bind(bind_config(), nullptr);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    std::optional<SubmitReport> r;
    bind->submit(message("bad"), [&](const SubmitReport& x) { r = x; });
    ASSERT_TRUE(run_until(io_, [&] { return r.has_value(); }));
    EXPECT_TRUE(r->sent);
    EXPECT_EQ(r->status, CommandStatus::ESME_RINVDSTADR);
    EXPECT_FALSE(r->temporary());
}

TEST_F(ClientBindTest, ReceiptOutcomesFollowTheMix) {
    sim::SimConfig cfg;
    cfg.dlr_mix = {{"UNDELIV", 1}};
    cfg.dlr_delay = milliseconds(1);
    start_sim(cfg);
    Observer& obs = obs_;
    auto bind = make_bind(bind_config(), &obs);
    ASSERT_TRUE(run_until(io_, [&] { return bind->bound(); }));
    bind->submit(message("fail me"), [](const SubmitReport&) {});
    ASSERT_TRUE(run_until(io_, [&] { return obs.delivered.size() == 1; }));
    EXPECT_NE(obs.delivered[0].text.find("stat:UNDELIV"), std::string::npos);
    EXPECT_EQ(obs.delivered[0].message_state, std::optional<std::uint8_t>(5));
}

TEST_F(ClientBindTest, MoMessagesReachReceivers) {
    sim::SimConfig cfg;
    cfg.mo_rate = 50;
    start_sim(cfg);
    Observer& obs = obs_;
    auto bind = make_bind(bind_config(), &obs);
    ASSERT_TRUE(run_until(io_, [&] { return obs.delivered.size() >= 2; }));
    EXPECT_EQ(obs.delivered[0].esm_class, 0);
    EXPECT_EQ(obs.delivered[0].text.rfind("MO ", 0), 0U);
}

}  // namespace
}  // namespace bindery::smpp
