// Router core + InMemoryStore + SmppCarrierProvider + the SMSC simulator over 127.0.0.1: accepted
// messages are dispatched through the bind, and the simulator's receipts bring every one of them
// to DELIVERED, with SmppTextPlanner's segment counts at acceptance.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "router/core/message_store.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/providers/text_planner.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::router {
namespace {

using std::chrono::milliseconds;

TEST(RouterWithSmppCarrier, HundredMessagesAllReachDelivered) {
    boost::asio::io_context io;
    sim::SimConfig sc;
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.dlr_delay = milliseconds(20);
    auto smsc = std::make_shared<sim::SmscSimulator>(io.get_executor(), sc);
    smsc->start();

    InMemoryStore store;
    RouterConfig rc;
    rc.acceptance.numbers.default_region = "IR";
    rc.routing.routes = {{"main", {{"carrier-a", 1}}, {}}};
    rc.routing.default_route = "main";
    rc.seed = 42;
    SmppCarrierConfig pc;
    pc.name = "carrier-a";
    pc.pool.port = smsc->port();
    pc.pool.system_id = "router";
    pc.pool.window = 20;
    pc.pool.backoff.initial = milliseconds(10);
    pc.refresh_interval = milliseconds(10);
    Router router(rc, store, SmppTextPlanner(pc.text).planner());
    auto provider = std::make_unique<SmppCarrierProvider>(pc, io.get_executor(), router);
    router.add_provider(*provider);
    provider->start();

    std::vector<SubmitRequest> batch;
    for (int i = 0; i < 100; ++i) {
        SubmitRequest r;
        r.client = "acme";
        r.sender = "Bindery";
        r.destination = "+98912" + std::to_string(1000000 + i);
        // Every fifth message needs two segments.
        r.text = i % 5 == 0 ? std::string(200, 'x') : "message " + std::to_string(i);
        batch.push_back(std::move(r));
    }
    const auto outcomes = router.submit(batch, Clock::now(), SystemClock::now());
    std::vector<MessageId> ids;
    for (const auto& o : outcomes) {
        ASSERT_TRUE(o) << to_string(o.error().code);
        ids.push_back(o->id);
    }

    auto all_delivered = [&] {
        for (const auto& id : ids) {
            auto st = router.status(id, std::nullopt);
            if (!st || st->state != MessageState::delivered) return false;
        }
        return true;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!all_delivered() && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(milliseconds(5));
        if (io.stopped()) io.restart();
        router.poll(Clock::now(), SystemClock::now());
    }
    EXPECT_TRUE(all_delivered());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto st = router.status(ids[i], std::nullopt);
        ASSERT_TRUE(st);
        EXPECT_EQ(st->segments, i % 5 == 0 ? 2U : 1U);
        EXPECT_EQ(st->provider, "carrier-a");
    }
    EXPECT_EQ(smsc->counters().submits, 120U);
    EXPECT_EQ(router.stats().unknown_receipts, 0U);

    bool stopped = false;
    provider->stop(milliseconds(200), [&] { stopped = true; });
    const auto stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!stopped && std::chrono::steady_clock::now() < stop_deadline) {
        io.run_one_for(milliseconds(5));
        if (io.stopped()) io.restart();
    }
    provider.reset();
    smsc->stop();
    io.poll();
}

}  // namespace
}  // namespace bindery::router
