// Session in role SMSC (Bindery's SMPP server side and the simulator): binds are authenticated by
// the owner, submits are answered by the owner, deliver_sm goes out through the window.
#include <gtest/gtest.h>

#include "smpp/codec/build.hpp"
#include "smpp/session/session.hpp"
#include "tests/smpp/session/session_test_support.hpp"

namespace bindery::smpp {
namespace {

using namespace std::chrono_literals;
using testing::drain;
using testing::peer;
using testing::RecordingListener;
using testing::sample_submit;

const TimePoint t0 = TimePoint{} + 5000s;

class SmscSession : public ::testing::Test {
protected:
    RecordingListener listener;
    SessionConfig config = [] {
        SessionConfig c;
        c.role = Role::smsc;
        c.window = 4;
        c.system_id = "bindery";
        c.bind_timeout = 10s;
        return c;
    }();
    std::optional<Session> session;

    Session& make() {
        session.emplace(config, listener, t0);
        return *session;
    }
    template <class Bind>
    Session& bound_with() {
        Session& s = make();
        Bind b{};
        b.system_id = "client";
        b.password = "pw";
        s.on_pdu(peer(b, 1), t0);
        EXPECT_TRUE(s.accept_bind(t0));
        (void)drain(s);
        listener.events.clear();
        return s;
    }
};

TEST_F(SmscSession, BindRequestIsAuthenticatedByTheOwnerThenAccepted) {
    Session& s = make();
    BindTransceiver b{};
    b.system_id = "client";
    b.password = "pw";
    s.on_pdu(peer(b, 9), t0 + 1s);
    const auto req = listener.of("bind_request");
    ASSERT_EQ(req.size(), 1U);
    EXPECT_EQ(req[0].command_id, CommandId::bind_transceiver);
    EXPECT_EQ(req[0].text, "client");
    EXPECT_EQ(req[0].text2, "pw");
    EXPECT_TRUE(drain(s).pdus.empty()) << "no answer until the owner decides";
    EXPECT_EQ(s.state(), SessionState::open);

    ASSERT_TRUE(s.accept_bind(t0 + 1s));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::bind_transceiver_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 9U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
    const auto* r = sent.pdus[0].get_if<BindTransceiverResp>();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->system_id, "bindery");
    EXPECT_EQ(r->tlvs.sc_interface_version(), 0x34);
    EXPECT_EQ(s.state(), SessionState::bound_trx);
    EXPECT_EQ(s.peer_system_id(), "client");
    EXPECT_EQ(listener.of("bound").size(), 1U);
    EXPECT_FALSE(s.accept_bind(t0 + 1s)) << "nothing pending any more";
}

TEST_F(SmscSession, RejectedBindIsAnsweredWithTheStatusAndTheEsmeMayRetry) {
    Session& s = make();
    s.on_pdu(peer(BindTransmitter{}, 2), t0);
    ASSERT_TRUE(s.reject_bind(CommandStatus::ESME_RINVPASWD, t0));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::bind_transmitter_resp);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RINVPASWD);
    EXPECT_EQ(s.state(), SessionState::open);
    s.on_pdu(peer(BindTransmitter{}, 3), t0 + 1s);
    EXPECT_TRUE(s.accept_bind(t0 + 1s));
    EXPECT_EQ(s.state(), SessionState::bound_tx);
}

TEST_F(SmscSession, AnAcceptThatCannotBeEncodedRefusesTheBindInstead) {
    Session& s = make();
    s.on_pdu(peer(BindReceiver{}, 4), t0);
    EXPECT_FALSE(s.accept_bind(t0, "a-system-id-of-20-ch"));  // past 15 characters + NUL
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::bind_receiver_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 4U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RBINDFAIL);
    EXPECT_EQ(s.state(), SessionState::open);
    EXPECT_TRUE(listener.of("bound").empty());
    EXPECT_FALSE(s.accept_bind(t0)) << "nothing pending any more";
    s.on_pdu(peer(BindReceiver{}, 5), t0 + 1s);  // the ESME may try again
    EXPECT_TRUE(s.accept_bind(t0 + 1s));
    EXPECT_EQ(s.state(), SessionState::bound_rx);
}

TEST_F(SmscSession, SecondBindWhilePendingOrBoundIsRefused) {
    Session& s = make();
    s.on_pdu(peer(BindTransceiver{}, 1), t0);
    s.on_pdu(peer(BindTransceiver{}, 2), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 2U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RALYBND);
    ASSERT_TRUE(s.accept_bind(t0));
    (void)drain(s);
    s.on_pdu(peer(BindReceiver{}, 3), t0);
    sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::bind_receiver_resp);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RALYBND);
}

// Binds the session answers itself never reach on_bind_request; the owner hears of them through
// on_bind_refused (the SMPP server counts them by reason), with the status that was sent.
TEST_F(SmscSession, BindsTheSessionRefusesItselfAreReportedToTheOwner) {
    Session& s = make();
    s.on_pdu(peer(BindTransceiver{}, 1), t0);
    s.on_pdu(peer(BindTransceiver{}, 2), t0);  // while the first is being answered
    auto refused = listener.of("bind_refused");
    ASSERT_EQ(refused.size(), 1U);
    EXPECT_EQ(refused[0].refusal, BindRefusal::already_bound);
    EXPECT_EQ(refused[0].status, CommandStatus::ESME_RALYBND);
    EXPECT_EQ(listener.of("bind_request").size(), 1U);
    ASSERT_TRUE(s.accept_bind(t0));
    s.on_pdu(peer(BindReceiver{}, 3), t0);  // while bound
    refused = listener.of("bind_refused");
    ASSERT_EQ(refused.size(), 2U);
    EXPECT_EQ(refused[1].refusal, BindRefusal::already_bound);
    EXPECT_EQ(refused[1].status, CommandStatus::ESME_RALYBND);
    (void)drain(s);

    // A bind_transmitter whose password is over the spec's 9 octets: answered with the decode
    // status, reported as invalid_pdu.
    Session& fresh = make();
    listener.events.clear();
    std::vector<std::uint8_t> body = {'c', 'l', 'i', 'e', 'n', 't', 0};
    for (int i = 0; i < 12; ++i) body.push_back('p');
    body.insert(body.end(), {0, 0, 0x34, 0, 0, 0});
    std::vector<std::uint8_t> f = {
        0, 0, 0, static_cast<std::uint8_t>(16 + body.size()), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7};
    f.insert(f.end(), body.begin(), body.end());
    auto d = decode(f);
    ASSERT_FALSE(d);
    fresh.on_decode_error(d.error(), t0);
    auto sent = drain(fresh);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::bind_transmitter_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 7U);
    EXPECT_NE(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
    refused = listener.of("bind_refused");
    ASSERT_EQ(refused.size(), 1U);
    EXPECT_EQ(refused[0].refusal, BindRefusal::invalid_pdu);
    EXPECT_EQ(refused[0].status, sent.pdus[0].header.command_status);
    EXPECT_TRUE(listener.of("bind_request").empty());
    // A malformed submit is not a bind.
    std::vector<std::uint8_t> submit = {0, 0, 0, 20, 0, 0, 0,   4,   0,   0,
                                        0, 0, 0, 0,  0, 8, 'a', 'b', 'c', 'd'};
    auto ds = decode(submit);
    ASSERT_FALSE(ds);
    fresh.on_decode_error(ds.error(), t0);
    EXPECT_EQ(listener.of("bind_refused").size(), 1U);
}

// Role ESME: a bind from the peer is refused by the operation matrix, but that is not a refused
// bind of an SMSC's ESME (nothing to report).
TEST(EsmeSessionBindRefusal, ABindReceivedByAnEsmeIsNotReportedAsARefusedBind) {
    RecordingListener listener;
    SessionConfig config;
    config.role = Role::esme;
    Session s(config, listener, t0);
    s.on_pdu(peer(BindTransceiver{}, 1), t0);
    EXPECT_FALSE(drain(s).pdus.empty()) << "answered with an error";
    EXPECT_TRUE(listener.of("bind_refused").empty());
}

TEST_F(SmscSession, NoBindWithinTheInitTimerClosesTheConnection) {
    Session& s = make();
    EXPECT_EQ(s.next_timer(), t0 + 10s);
    s.on_tick(t0 + 10s);
    EXPECT_EQ(s.state(), SessionState::closed);
    EXPECT_EQ(listener.of("closed").at(0).reason, CloseReason::bind_timeout);
    EXPECT_TRUE(listener.of("bind_failed").empty()) << "the SMSC did not bind";
}

TEST_F(SmscSession, SubmitSmIsAnsweredByTheOwnerWithItsMessageId) {
    Session& s = bound_with<BindTransmitter>();
    s.on_pdu(peer(sample_submit("hello"), 40), t0);
    const auto in = listener.of("incoming");
    ASSERT_EQ(in.size(), 1U);
    EXPECT_EQ(in[0].command_id, CommandId::submit_sm);
    EXPECT_EQ(in[0].text, "hello");
    EXPECT_TRUE(drain(s).pdus.empty());
    ASSERT_TRUE(s.respond_submit(in[0].token, CommandStatus::ESME_ROK, "5F3A2B"));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 40U);
    const auto* r = sent.pdus[0].get_if<SubmitSmResp>();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->message_id, "5F3A2B");
}

TEST_F(SmscSession, RefusedSubmitCarriesNoMessageId) {
    Session& s = bound_with<BindTransceiver>();
    s.on_pdu(peer(sample_submit(), 41), t0);
    const auto in = listener.of("incoming");
    ASSERT_TRUE(s.respond_submit(in.at(0).token, CommandStatus::ESME_RINVDSTADR, "ignored"));
    auto sent = drain(s);
    EXPECT_EQ(sent.pdus.at(0).header.command_status, CommandStatus::ESME_RINVDSTADR);
    EXPECT_EQ(sent.pdus.at(0).get_if<SubmitSmResp>()->message_id, "");
}

TEST_F(SmscSession, SubmitMultiAndQuerySmTakeFullResponseBodies) {
    Session& s = bound_with<BindTransceiver>();
    s.on_pdu(peer(QuerySm{}, 50), t0);
    const auto in = listener.of("incoming");
    ASSERT_EQ(in.size(), 1U);
    QuerySmResp q{};
    q.message_id = "abc";
    q.message_state = 2;
    EXPECT_FALSE(s.complete_incoming(in[0].token, CommandStatus::ESME_ROK, Body{SubmitSmResp{}}))
        << "a response of the wrong kind is refused";
    ASSERT_TRUE(s.complete_incoming(in[0].token, CommandStatus::ESME_ROK, Body{q}));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    const auto* r = sent.pdus[0].get_if<QuerySmResp>();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->message_state, 2);
}

TEST_F(SmscSession, SubmitFromAReceiverBindIsRefusedWithInvalidBindStatus) {
    Session& s = bound_with<BindReceiver>();
    s.on_pdu(peer(sample_submit(), 60), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::submit_sm_resp);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RINVBNDSTS);
    EXPECT_TRUE(listener.of("incoming").empty());
}

TEST_F(SmscSession, ClientIgnoringItsWindowIsThrottled) {
    config.incoming_window = 2;
    Session& s = bound_with<BindTransmitter>();
    for (std::uint32_t seq = 1; seq <= 3; ++seq) s.on_pdu(peer(sample_submit(), seq), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 3U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RTHROTTLED);
}

TEST_F(SmscSession, DeliverSmGoesThroughTheWindowToAReceiver) {
    Session& s = bound_with<BindReceiver>();
    DeliverSm d{};
    d.esm_class = 0x04;
    d.short_message = as_bytes("id:5F3A2B stat:DELIVRD");
    auto seq = s.submit(d, 77, t0);
    ASSERT_TRUE(seq);
    auto sub = s.submit(sample_submit(), 78, t0);
    ASSERT_FALSE(sub);
    EXPECT_EQ(sub.error().reason, Refusal::not_allowed) << "an SMSC does not send submit_sm";
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::deliver_sm);
    s.on_pdu(peer(DeliverSmResp{}, *seq), t0 + 1s);
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].tag, 77U);
    EXPECT_TRUE(results[0].result.ok());
}

TEST_F(SmscSession, DeliverSmToATransmitterIsNotAllowed) {
    Session& s = bound_with<BindTransmitter>();
    auto r = s.submit(DeliverSm{}, 1, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::not_allowed);
}

TEST_F(SmscSession, OutbindThenTheEsmesBindReceiver) {
    Session& s = make();
    ASSERT_TRUE(s.outbind("bindery", "pw", t0));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    const auto* o = sent.pdus[0].get_if<Outbind>();
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->system_id, "bindery");
    EXPECT_EQ(s.state(), SessionState::outbound);
    s.on_pdu(peer(BindReceiver{}, 1), t0);
    ASSERT_TRUE(s.accept_bind(t0));
    EXPECT_EQ(s.state(), SessionState::bound_rx);
}

TEST_F(SmscSession, MalformedSubmitGetsSubmitSmRespWithTheDecodeStatus) {
    Session& s = bound_with<BindTransmitter>();
    // submit_sm: service_type "", src 1/1 then an address longer than 20 digits.
    std::vector<std::uint8_t> body = {0x00, 0x01, 0x01};
    for (int i = 0; i < 30; ++i) body.push_back('1');
    body.push_back(0x00);
    std::vector<std::uint8_t> f = {
        0, 0,    0,   static_cast<std::uint8_t>(16 + body.size()), 0, 0, 0, 4, 0, 0, 0, 0, 0,
        0, 0x01, 0x02};
    f.insert(f.end(), body.begin(), body.end());
    auto d = decode(f);
    ASSERT_FALSE(d);
    s.on_decode_error(d.error(), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::submit_sm_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 0x0102U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RINVSRCADR);
}

TEST_F(SmscSession, ClientUnbindClosesAfterUnbindResp) {
    Session& s = bound_with<BindTransceiver>();
    s.on_pdu(peer(sample_submit(), 5), t0);  // pending incoming is forgotten on close
    s.on_pdu(peer(Unbind{}, 6), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind_resp);
    EXPECT_EQ(s.state(), SessionState::closed);
    EXPECT_FALSE(
        s.respond_submit(listener.of("incoming").at(0).token, CommandStatus::ESME_ROK, "x"));
}

}  // namespace
}  // namespace bindery::smpp
