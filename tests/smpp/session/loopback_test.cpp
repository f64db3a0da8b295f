// An ESME Session and an SMSC Session wired back to back through their outboxes (bytes framed and
// decoded as smpp/net would): both roles of the same engine interoperate end to end.
#include <gtest/gtest.h>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/frame.hpp"
#include "smpp/session/session.hpp"
#include "tests/smpp/session/session_test_support.hpp"

namespace bindery::smpp {
namespace {

using namespace std::chrono_literals;
using testing::RecordingListener;
using testing::sample_submit;

// Moves every byte one session wrote into the other; returns the number of PDUs moved.
int pump(Session& from, Session& to, TimePoint now) {
    auto bytes = from.take_outbox();
    std::span<const std::uint8_t> rest(bytes);
    int n = 0;
    while (!rest.empty()) {
        const FrameScan scan = scan_frame(rest);
        EXPECT_EQ(scan.status, FrameStatus::complete);
        if (scan.status != FrameStatus::complete) break;
        auto pdu = decode(rest.first(scan.frame_size));
        if (pdu)
            to.on_pdu(*pdu, now);
        else
            to.on_decode_error(pdu.error(), now);
        rest = rest.subspan(scan.frame_size);
        ++n;
    }
    from.recycle(std::move(bytes));
    return n;
}

void settle(Session& a, Session& b, TimePoint now) {
    for (int i = 0; i < 20; ++i) {
        if (pump(a, b, now) + pump(b, a, now) == 0) return;
    }
    ADD_FAILURE() << "sessions kept talking";
}

TEST(SessionLoopback, EsmeAndSmscBindSubmitDeliverAndUnbind) {
    const TimePoint t0 = TimePoint{} + 100s;
    RecordingListener esme_events;
    RecordingListener smsc_events;
    SessionConfig ec;
    ec.role = Role::esme;
    SessionConfig sc;
    sc.role = Role::smsc;
    sc.system_id = "bindery-sim";
    Session esme(ec, esme_events, t0);
    Session smsc(sc, smsc_events, t0);

    BindParams p;
    p.system_id = "acme";
    p.password = "secret";
    ASSERT_TRUE(esme.bind(p, t0));
    settle(esme, smsc, t0);
    ASSERT_EQ(smsc_events.of("bind_request").size(), 1U);
    EXPECT_EQ(smsc_events.of("bind_request")[0].text, "acme");
    EXPECT_EQ(smsc_events.of("bind_request")[0].text2, "secret");
    ASSERT_TRUE(smsc.accept_bind(t0));
    settle(esme, smsc, t0);
    EXPECT_EQ(esme.state(), SessionState::bound_trx);
    EXPECT_EQ(smsc.state(), SessionState::bound_trx);
    EXPECT_EQ(esme.peer_system_id(), "bindery-sim");

    // MT: ESME submits, the SMSC's owner accepts with a message id.
    ASSERT_TRUE(esme.submit(sample_submit("hello"), 501, t0));
    settle(esme, smsc, t0);
    const auto in = smsc_events.of("incoming");
    ASSERT_EQ(in.size(), 1U);
    EXPECT_EQ(in[0].text, "hello");
    ASSERT_TRUE(smsc.respond_submit(in[0].token, CommandStatus::ESME_ROK, "MSG-1"));
    settle(esme, smsc, t0 + 10ms);
    auto results = esme_events.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].tag, 501U);
    EXPECT_EQ(results[0].message_id, "MSG-1");

    // Receipt: the SMSC delivers, the ESME acknowledges once durable.
    DeliverSm d{};
    d.esm_class = 0x04;
    d.short_message = as_bytes("id:MSG-1 sub:001 dlvrd:001 stat:DELIVRD err:000");
    ASSERT_TRUE(smsc.submit(d, 9001, t0 + 1s));
    settle(esme, smsc, t0 + 1s);
    const auto receipts = esme_events.of("incoming");
    ASSERT_EQ(receipts.size(), 1U);
    EXPECT_TRUE(smsc_events.of("result").empty()) << "not acknowledged yet";
    ASSERT_TRUE(esme.complete_incoming(receipts[0].token, CommandStatus::ESME_ROK));
    settle(esme, smsc, t0 + 1s);
    ASSERT_EQ(smsc_events.of("result").size(), 1U);
    EXPECT_TRUE(smsc_events.of("result")[0].result.ok());

    // Idle: the ESME's enquire_link is answered by the SMSC.
    esme.on_tick(t0 + 40s);
    settle(esme, smsc, t0 + 40s);
    esme.on_tick(t0 + 55s);
    EXPECT_TRUE(esme_events.of("link_dead").empty());

    // Graceful stop from the ESME.
    esme.unbind(t0 + 60s);
    settle(esme, smsc, t0 + 60s);
    EXPECT_EQ(esme.state(), SessionState::closed);
    EXPECT_EQ(smsc.state(), SessionState::closed);
    EXPECT_EQ(esme_events.of("closed").at(0).reason, CloseReason::unbound);
    EXPECT_EQ(smsc_events.of("closed").at(0).reason, CloseReason::peer_unbound);
}

}  // namespace
}  // namespace bindery::smpp
