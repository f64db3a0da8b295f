// Router core + a store + SmppCarrierProvider over 127.0.0.1: accepted messages are dispatched
// through the bind, and the simulator's receipts bring every one of them to DELIVERED, with
// SmppTextPlanner's segment counts at acceptance; and on a SqliteStore, against an SMSC that gives
// chosen submit_sm_resp ids, which message a receipt id reaches under each message_id_format.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "router/core/message_store.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/providers/text_planner.hpp"
#include "router/store/sqlite_store.hpp"
#include "smpp/net/smpp_server.hpp"
#include "tests/router/store/store_test_util.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::router {
namespace {

using std::chrono::milliseconds;

// Every message to `carrier` (the only route).
RouterConfig one_route_to(const std::string& carrier) {
    RouterConfig rc;
    rc.acceptance.numbers.default_region = "IR";
    rc.routing.routes = {{"main", {{carrier, 1}}, {}}};
    rc.routing.default_route = "main";
    rc.seed = 42;
    return rc;
}

TEST(RouterWithSmppCarrier, HundredMessagesAllReachDelivered) {
    boost::asio::io_context io;
    sim::SimConfig sc;
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.dlr_delay = milliseconds(20);
    auto smsc = std::make_shared<sim::SmscSimulator>(io.get_executor(), sc);
    smsc->start();

    InMemoryStore store;
    const RouterConfig rc = one_route_to("carrier-a");
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

// An SMSC whose submit_sm_resp ids are the test's, in order.
class ChosenIdSmsc : public smpp::SubmitHandler {
public:
    std::deque<std::string> ids;
    void on_submit(const smpp::SubmitOrigin&, const smpp::Pdu&,
                   smpp::SubmitResponder respond) override {
        std::string id = ids.empty() ? std::string("spare") : ids.front();
        if (!ids.empty()) ids.pop_front();
        respond(smpp::CommandStatus::ESME_ROK, id);
    }
};

struct IdFormatCase {
    MessageIdFormat format;
    std::vector<std::string> in_flight;  // submit_sm_resp ids, one message each
    std::optional<std::string> reached;  // the message receipt "10" makes DELIVERED
};

void PrintTo(const IdFormatCase& c, std::ostream* os) {
    static constexpr const char* kNames[] = {"auto", "as_is", "hex", "decimal"};
    *os << kNames[static_cast<int>(c.format)] << ", in flight";
    for (const auto& id : c.in_flight) *os << ' ' << id;
    *os << ", reaches " << c.reached.value_or("none");
}

class MessageIdFormatOnSqlite : public ::testing::TestWithParam<IdFormatCase> {};

// Receipt id "10" is ambiguous between submit ids "10", "16" (0x10) and "a" (10): each
// message_id_format reaches one of them, or none (the receipt is held, then counted unknown).
TEST_P(MessageIdFormatOnSqlite, ReceiptIdTenReachesTheMessageItsFormatSays) {
    const auto& param = GetParam();
    boost::asio::io_context io;
    ChosenIdSmsc smsc;
    smsc.ids.assign(param.in_flight.begin(), param.in_flight.end());
    smpp::SmppServerConfig sc;
    sc.listen.host = "127.0.0.1";
    sc.listen.port = 0;
    sc.accept_any = true;
    auto server = std::make_shared<smpp::SmppServer>(io.get_executor(), std::move(sc), smsc);
    server->start();

    testing::TempDir dir;
    auto store = testing::open_ok<SqliteStore>(testing::sqlite_config(dir.file("router.db")));
    ASSERT_TRUE(store);
    const RouterConfig rc = one_route_to("carrier-a");
    SmppCarrierConfig pc;
    pc.name = "carrier-a";
    pc.pool.host = "127.0.0.1";
    pc.pool.port = server->port();
    pc.pool.system_id = "prov";
    pc.pool.window = 1;  // one at a time: the ids go out in submission order
    pc.pool.backoff.initial = milliseconds(10);
    pc.refresh_interval = milliseconds(10);
    pc.message_id_format = param.format;
    Router router(rc, *store, SmppTextPlanner(pc.text).planner());
    auto provider = std::make_unique<SmppCarrierProvider>(pc, io.get_executor(), router);
    router.add_provider(*provider);
    provider->start();

    auto pump = [&](const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(milliseconds(5));
            if (io.stopped()) io.restart();
            router.poll(Clock::now(), SystemClock::now());
        }
        return done();
    };
    auto state_of = [&](const MessageId& id) {
        auto st = router.status(id, std::nullopt);
        return st ? st->state : MessageState::accepted;
    };
    std::map<std::string, MessageId> by_id;
    for (const auto& sid : param.in_flight) {
        SubmitRequest r;
        r.client = "acme";
        r.sender = "Bindery";
        r.destination = "+989121000001";
        r.text = "for " + sid;
        const auto out =
            router.submit(std::span<const SubmitRequest>(&r, 1), Clock::now(), SystemClock::now());
        ASSERT_TRUE(out.front());
        by_id[sid] = out.front()->id;
        ASSERT_TRUE(pump([&] { return state_of(by_id[sid]) == MessageState::sent; },
                         std::chrono::seconds(10)))
            << sid;
    }

    smpp::ShortMessageData d;
    d.esm_class = 0x04;
    const std::string text =
        "id:10 sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD err:000 "
        "text:hi";
    d.short_message.assign(text.begin(), text.end());
    std::optional<smpp::DeliverReport> answered;
    server->deliver("prov", d, [&](const smpp::DeliverReport& rep) { answered = rep; });
    if (param.reached) {
        ASSERT_TRUE(pump([&] { return answered.has_value(); }, std::chrono::seconds(10)));
        EXPECT_TRUE(answered->delivered);
    } else {
        ASSERT_TRUE(
            pump([&] { return router.stats().receipts_held == 1; }, std::chrono::seconds(10)));
        pump([] { return false; }, milliseconds(100));
    }
    for (const auto& [sid, id] : by_id) {
        EXPECT_EQ(state_of(id), param.reached == sid ? MessageState::delivered : MessageState::sent)
            << "id " << sid;
    }
    EXPECT_EQ(router.stats().unknown_receipts, 0U);

    bool stopped = false;
    provider->stop(milliseconds(200), [&] { stopped = true; });
    pump([&] { return stopped; }, std::chrono::seconds(3));
    provider.reset();
    server->stop();
    io.poll();
}

INSTANTIATE_TEST_SUITE_P(
    EachFormat, MessageIdFormatOnSqlite,
    ::testing::Values(
        // auto: the id itself first, else a reading: "16" when "10" is not in flight.
        IdFormatCase{MessageIdFormat::automatic, {"16", "a", "10"}, "10"},
        IdFormatCase{MessageIdFormat::automatic, {"a", "16"}, "16"},
        IdFormatCase{MessageIdFormat::as_is, {"16", "a", "10"}, "10"},
        IdFormatCase{MessageIdFormat::as_is, {"a", "16"}, std::nullopt},
        // hex: submit ids hex, receipts decimal: "10" is 0xa.
        IdFormatCase{MessageIdFormat::hex, {"16", "10", "a"}, "a"},
        IdFormatCase{MessageIdFormat::hex, {"16", "10"}, std::nullopt},
        // decimal: submit ids decimal, receipts hex: "10" is 16.
        IdFormatCase{MessageIdFormat::decimal, {"10", "a", "16"}, "16"},
        IdFormatCase{MessageIdFormat::decimal, {"10", "a"}, std::nullopt}));

}  // namespace
}  // namespace bindery::router
