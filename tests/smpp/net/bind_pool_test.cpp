// BindPool against the in-process simulator: spreads submits over its binds, shares one carrier
// bucket, hands deliveries up and answers them only when the handler completes.
#include "smpp/net/bind_pool.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "tests/smpp/net/net_test_util.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::smpp {
namespace {

using std::chrono::milliseconds;
using test::run_until;

ShortMessageData sms(std::uint8_t registered_delivery = 0) {
    ShortMessageData m;
    m.source_addr = "Bindery";
    m.destination_addr = "989121234567";
    m.registered_delivery = registered_delivery;
    const std::string text = "pool";
    m.short_message.assign(text.begin(), text.end());
    return m;
}

class BindPoolTest : public ::testing::Test {
protected:
    void start(sim::SimConfig sc, BindPoolConfig pc) {
        sc.host = "127.0.0.1";
        sc.port = 0;
        sim_ = std::make_shared<sim::SmscSimulator>(io_.get_executor(), std::move(sc));
        sim_->start();
        pc.host = "127.0.0.1";
        pc.port = sim_->port();
        pc.system_id = "pool";
        pc.password = "pw";
        pc.backoff.initial = milliseconds(10);
        pool_ = std::make_shared<BindPool>(io_.get_executor(), std::move(pc),
                                           [this](const Pdu& pdu, IncomingDone done) {
                                               delivered_.push_back(pdu.header.sequence_number);
                                               if (hold_)
                                                   held_.push_back(std::move(done));
                                               else
                                                   done(CommandStatus::ESME_ROK);
                                           });
        pool_->start();
    }
    void TearDown() override {
        if (pool_) {
            bool done = false;
            pool_->stop(milliseconds(200), [&] { done = true; });
            run_until(
                io_, [&] { return done; }, std::chrono::seconds(3));
        }
        if (sim_) sim_->stop();
        run_until(
            io_, [&] { return sim_->server().connections() == 0; }, std::chrono::seconds(3));
    }

    boost::asio::io_context io_;
    std::shared_ptr<sim::SmscSimulator> sim_;
    std::shared_ptr<BindPool> pool_;
    std::vector<std::uint32_t> delivered_;
    bool hold_ = false;
    std::vector<IncomingDone> held_;
};

TEST_F(BindPoolTest, SpreadsSubmitsOverEveryBoundTransceiver) {
    sim::SimConfig sc;
    sc.resp_delay = milliseconds(20);  // keep windows occupied so load matters
    BindPoolConfig pc;
    pc.count = 3;
    pc.window = 4;
    start(sc, pc);
    ASSERT_TRUE(run_until(io_, [&] { return pool_->stats().binds_up == 3; }));
    EXPECT_TRUE(pool_->ready());
    int ok = 0;
    for (int i = 0; i < 12; ++i)
        pool_->submit(sms(), [&](const SubmitReport& r) { ok += r.ok() ? 1 : 0; });
    EXPECT_EQ(pool_->stats().in_flight, 12U);  // 3 binds x window 4, none queued
    for (const auto& b : pool_->binds()) EXPECT_EQ(b->in_flight(), 4U);
    ASSERT_TRUE(run_until(io_, [&] { return ok == 12; }));
    const auto s = pool_->stats();
    EXPECT_EQ(s.submit_ok, 12U);
    EXPECT_EQ(s.window, 12U);
    EXPECT_EQ(s.in_flight, 0U);
}

TEST_F(BindPoolTest, SharedCarrierBucketLimitsAllBindsTogether) {
    BindPoolConfig pc;
    pc.count = 2;
    pc.window = 10;
    pc.max_tps = 50;
    pc.burst = 2;
    start({}, pc);
    ASSERT_TRUE(run_until(io_, [&] { return pool_->stats().binds_up == 2; }));
    int ok = 0;
    for (int i = 0; i < 20; ++i)
        pool_->submit(sms(), [&](const SubmitReport& r) { ok += r.ok() ? 1 : 0; });
    // Only the burst leaves at once; the rest waits on the binds' timers.
    EXPECT_EQ(pool_->stats().in_flight, 2U);
    ASSERT_TRUE(run_until(io_, [&] { return ok == 20; }));
    EXPECT_GT(pool_->stats().throttle_waits, 0U);
    EXPECT_EQ(sim_->counters().throttled, 0U);  // the carrier never had to push back
}

TEST_F(BindPoolTest, TxRxPairsSubmitOnTransmittersAndReceiveOnReceivers) {
    BindPoolConfig pc;
    pc.count = 1;
    pc.tx_rx_pairs = true;
    start({}, pc);
    ASSERT_TRUE(run_until(io_, [&] { return pool_->stats().binds_up == 2; }));
    hold_ = true;
    std::optional<SubmitReport> r;
    pool_->submit(sms(1), [&](const SubmitReport& x) { r = x; });
    ASSERT_TRUE(run_until(io_, [&] { return r.has_value() && held_.size() == 1; }));
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(pool_->binds()[0]->stats().submits, 1U);   // the transmitter
    EXPECT_EQ(pool_->binds()[1]->stats().delivers, 1U);  // the receiver
    EXPECT_EQ(sim_->counters().receipts_delivered, 0U);  // not answered yet
    held_[0](CommandStatus::ESME_ROK);
    ASSERT_TRUE(run_until(io_, [&] { return sim_->counters().receipts_delivered == 1; }));
    EXPECT_EQ(pool_->stats().delivers, 1U);
}

TEST_F(BindPoolTest, RefusesWithoutSendingWhenNoBindIsUp) {
    BindPoolConfig pc;
    start({}, pc);
    std::optional<SubmitReport> r;
    pool_->submit(sms(), [&](const SubmitReport& x) { r = x; });  // before any bind completes
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->sent);
    EXPECT_EQ(r->refusal, Refusal::not_bound);
}

}  // namespace
}  // namespace bindery::smpp
