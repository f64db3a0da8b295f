// Session tests: PDUs and fake-clock times in, outbox and listener events out.
#include "smpp/session/session.hpp"

#include <gtest/gtest.h>

#include "smpp/codec/build.hpp"
#include "smpp/codec/tlv.hpp"
#include "tests/smpp/session/session_test_support.hpp"

namespace bindery::smpp {
namespace {

using namespace std::chrono_literals;
using testing::drain;
using testing::peer;
using testing::RecordingListener;
using testing::sample_submit;
using testing::submit_resp;

const TimePoint t0 = TimePoint{} + 1000s;

SessionConfig esme_config() {
    SessionConfig c;
    c.role = Role::esme;
    c.window = 3;
    c.response_timeout = 30s;
    c.bind_timeout = 10s;
    c.enquire_link_interval = 30s;
    c.enquire_link_timeout = 10s;
    c.drain_timeout = 5s;
    return c;
}

class EsmeSession : public ::testing::Test {
protected:
    RecordingListener listener;
    SessionConfig config = esme_config();
    std::optional<Session> session;

    Session& make() {
        session.emplace(config, listener, t0);
        return *session;
    }
    // A transceiver bound at t0.
    Session& bound(BindType type = BindType::transceiver) {
        Session& s = make();
        BindParams p;
        p.type = type;
        p.system_id = "bindery";
        p.password = "secret";
        EXPECT_TRUE(s.bind(p, t0));
        const auto sent = drain(s);
        EXPECT_EQ(sent.pdus.size(), 1U);
        const std::uint32_t seq = sent.pdus.at(0).header.sequence_number;
        switch (type) {
            case BindType::transceiver: {
                BindTransceiverResp r{};
                r.system_id = "SMSC";
                s.on_pdu(peer(r, seq), t0);
                break;
            }
            case BindType::transmitter: {
                BindTransmitterResp r{};
                r.system_id = "SMSC";
                s.on_pdu(peer(r, seq), t0);
                break;
            }
            case BindType::receiver: {
                BindReceiverResp r{};
                r.system_id = "SMSC";
                s.on_pdu(peer(r, seq), t0);
                break;
            }
        }
        listener.events.clear();
        return s;
    }
    std::uint32_t submit(Session& s, UserTag tag, TimePoint now = t0) {
        auto r = s.submit(sample_submit(), tag, now);
        EXPECT_TRUE(r.has_value()) << (r ? "" : to_string(r.error().reason));
        return r ? *r : 0;
    }
};

// ---- bind --------------------------------------------------------------------------------------

TEST_F(EsmeSession, BindSendsTheBindPduAndBindsOnSuccess) {
    Session& s = make();
    EXPECT_EQ(s.state(), SessionState::open);
    BindParams p;
    p.system_id = "bindery";
    p.password = "secret";
    p.system_type = "SMPP";
    ASSERT_TRUE(s.bind(p, t0));
    auto sent = drain(s);
    ASSERT_TRUE(sent.well_formed);
    ASSERT_EQ(sent.pdus.size(), 1U);
    const auto* b = sent.pdus[0].get_if<BindTransceiver>();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->system_id, "bindery");
    EXPECT_EQ(b->password, "secret");
    EXPECT_EQ(b->system_type, "SMPP");
    EXPECT_EQ(b->interface_version, 0x34);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 1U);
    EXPECT_FALSE(s.bind(p, t0)) << "one bind at a time";

    BindTransceiverResp r{};
    r.system_id = "SMSC";
    s.on_pdu(peer(r, 1), t0 + 1s);
    EXPECT_EQ(s.state(), SessionState::bound_trx);
    EXPECT_EQ(s.peer_system_id(), "SMSC");
    ASSERT_EQ(listener.of("bound").size(), 1U);
    EXPECT_EQ(listener.of("bound")[0].state, SessionState::bound_trx);
    EXPECT_EQ(listener.of("bound")[0].text, "SMSC");
}

TEST_F(EsmeSession, BindTypesLeadToTheirStates) {
    bound(BindType::transmitter);
    EXPECT_EQ(session->state(), SessionState::bound_tx);
    bound(BindType::receiver);
    EXPECT_EQ(session->state(), SessionState::bound_rx);
}

class BindFailureStatus : public EsmeSession,
                          public ::testing::WithParamInterface<CommandStatus> {};

TEST_P(BindFailureStatus, IsReportedWithItsStatusAndCloses) {
    Session& s = make();
    BindParams p;
    p.type = BindType::transmitter;
    ASSERT_TRUE(s.bind(p, t0));
    (void)drain(s);
    s.on_pdu(peer(BindTransmitterResp{}, 1, GetParam()), t0 + 1s);
    ASSERT_EQ(listener.of("bind_failed").size(), 1U);
    EXPECT_EQ(listener.of("bind_failed")[0].failure, BindFailure::rejected);
    EXPECT_EQ(listener.of("bind_failed")[0].status, GetParam());
    EXPECT_EQ(s.state(), SessionState::closed);
    ASSERT_EQ(listener.of("closed").size(), 1U);
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::bind_failed);
    EXPECT_TRUE(listener.of("bound").empty());
}

INSTANTIATE_TEST_SUITE_P(Statuses, BindFailureStatus,
                         ::testing::Values(CommandStatus::ESME_RBINDFAIL,
                                           CommandStatus::ESME_RINVPASWD,
                                           CommandStatus::ESME_RINVSYSID,
                                           CommandStatus::ESME_RINVSYSTYP,
                                           CommandStatus::ESME_RALYBND));

TEST_F(EsmeSession, GenericNackToBindIsABindFailure) {
    Session& s = make();
    ASSERT_TRUE(s.bind(BindParams{}, t0));
    (void)drain(s);
    s.on_pdu(make_generic_nack(1, CommandStatus::ESME_RINVCMDID), t0);
    ASSERT_EQ(listener.of("bind_failed").size(), 1U);
    EXPECT_EQ(listener.of("bind_failed")[0].status, CommandStatus::ESME_RINVCMDID);
    EXPECT_EQ(s.state(), SessionState::closed);
}

TEST_F(EsmeSession, UnansweredBindTimesOut) {
    Session& s = make();
    ASSERT_TRUE(s.bind(BindParams{}, t0 + 2s));
    EXPECT_EQ(s.next_timer(), t0 + 10s) << "session_init timer from connect";
    s.on_tick(t0 + 9s);
    EXPECT_EQ(s.state(), SessionState::open);
    s.on_tick(t0 + 10s);
    EXPECT_EQ(s.state(), SessionState::closed);
    ASSERT_EQ(listener.of("bind_failed").size(), 1U);
    EXPECT_EQ(listener.of("bind_failed")[0].failure, BindFailure::timeout);
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::bind_timeout);
}

TEST_F(EsmeSession, OutbindIsReportedSoTheOwnerBindsAsReceiver) {
    Session& s = make();
    Outbind o{};
    o.system_id = "SMSC";
    o.password = "pw";
    s.on_pdu(peer(o, 1), t0);
    ASSERT_EQ(listener.of("outbind").size(), 1U);
    EXPECT_EQ(listener.of("outbind")[0].text, "SMSC");
    EXPECT_EQ(listener.of("outbind")[0].text2, "pw");
    EXPECT_TRUE(drain(s).pdus.empty()) << "outbind has no response";
    BindParams p;
    p.type = BindType::receiver;
    EXPECT_TRUE(s.bind(p, t0));
}

// ---- submit / responses -------------------------------------------------------------------------

TEST_F(EsmeSession, SubmitRefusedBeforeBind) {
    Session& s = make();
    auto r = s.submit(sample_submit(), 1, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::not_bound);
    EXPECT_TRUE(drain(s).pdus.empty());
}

TEST_F(EsmeSession, SubmitOnReceiverBindIsNotAllowed) {
    Session& s = bound(BindType::receiver);
    auto r = s.submit(sample_submit(), 1, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::not_allowed);
    auto d = s.submit(DeliverSm{}, 1, t0);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().reason, Refusal::not_allowed) << "an ESME never sends deliver_sm";
}

TEST_F(EsmeSession, ResponsesAreMatchedOutOfOrder) {
    Session& s = bound();
    const auto a = submit(s, 100);
    const auto b = submit(s, 200);
    const auto c = submit(s, 300);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 3U);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, a);
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    const auto* sm = sent.pdus[1].get_if<SubmitSm>();
    ASSERT_NE(sm, nullptr);
    EXPECT_EQ(sm->destination_addr, "989121234567");
    EXPECT_EQ(sm->short_message.as_chars(), "Hi");

    s.on_pdu(peer(submit_resp("id-c"), c), t0 + 1s);
    s.on_pdu(peer(submit_resp(""), a, CommandStatus::ESME_RINVDSTADR), t0 + 1s);
    s.on_pdu(peer(submit_resp("id-b"), b), t0 + 2s);
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 3U);
    EXPECT_EQ(results[0].tag, 300U);
    EXPECT_EQ(results[0].message_id, "id-c");
    EXPECT_TRUE(results[0].result.ok());
    EXPECT_EQ(results[1].tag, 100U);
    EXPECT_EQ(results[1].status, CommandStatus::ESME_RINVDSTADR);
    EXPECT_FALSE(results[1].result.temporary());
    EXPECT_EQ(results[2].tag, 200U);
    EXPECT_EQ(results[2].message_id, "id-b");
    EXPECT_EQ(s.in_flight(), 0U);
}

TEST_F(EsmeSession, ResponseWithUnknownSequenceOrWrongCommandIsIgnored) {
    Session& s = bound();
    const auto a = submit(s, 1);
    s.on_pdu(peer(submit_resp("x"), a + 100), t0);
    s.on_pdu(peer(DataSmResp{}, a), t0);  // right sequence, wrong command
    EXPECT_TRUE(listener.of("result").empty());
    EXPECT_EQ(s.stats().unexpected_responses, 2U);
    EXPECT_EQ(s.in_flight(), 1U);
}

TEST_F(EsmeSession, GenericNackCompletesTheRequestAsAFailure) {
    Session& s = bound();
    const auto a = submit(s, 9);
    (void)drain(s);
    s.on_pdu(make_generic_nack(a, CommandStatus::ESME_RINVCMDID), t0);
    ASSERT_EQ(listener.of("result").size(), 1U);
    EXPECT_EQ(listener.of("result")[0].status, CommandStatus::ESME_RINVCMDID);
    EXPECT_FALSE(listener.of("result")[0].result.temporary());
    EXPECT_TRUE(drain(s).pdus.empty()) << "generic_nack is never answered";
}

TEST_F(EsmeSession, ResponseTimeoutIsATemporaryFailure) {
    Session& s = bound();
    submit(s, 1, t0);
    submit(s, 2, t0 + 5s);
    EXPECT_EQ(s.next_timer(), t0 + 30s);
    s.on_tick(t0 + 30s);
    auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].tag, 1U);
    EXPECT_EQ(results[0].result.outcome, SubmitOutcome::timeout);
    EXPECT_TRUE(results[0].result.temporary());
    EXPECT_EQ(s.stats().timeouts, 1U);
    EXPECT_EQ(s.in_flight(), 1U);
    EXPECT_EQ(s.state(), SessionState::bound_trx);
}

TEST_F(EsmeSession, LateResponseAfterTimeoutIsDropped) {
    Session& s = bound();
    const auto a = submit(s, 1);
    s.on_tick(t0 + 31s);
    s.on_pdu(peer(submit_resp("late"), a), t0 + 32s);
    EXPECT_EQ(listener.of("result").size(), 1U);
    EXPECT_EQ(s.stats().unexpected_responses, 1U);
}

TEST_F(EsmeSession, WindowFullIsRefusedUntilAResponseFreesASlot) {
    Session& s = bound();
    const auto a = submit(s, 1);
    submit(s, 2);
    submit(s, 3);
    auto r = s.submit(sample_submit(), 4, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::window_full);
    EXPECT_FALSE(s.window_has_room());
    s.on_pdu(peer(submit_resp("a"), a), t0);
    EXPECT_TRUE(s.submit(sample_submit(), 4, t0));
}

TEST_F(EsmeSession, InvalidRequestIsRefusedAndNothingIsSent) {
    Session& s = bound();
    SubmitSm bad = sample_submit();
    bad.destination_addr = "0123456789012345678901234567890";  // over 20 characters
    auto r = s.submit(bad, 1, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::invalid);
    EXPECT_TRUE(r.error().error);
    EXPECT_TRUE(drain(s).pdus.empty());
    EXPECT_EQ(s.in_flight(), 0U);
}

// ---- throttling ---------------------------------------------------------------------------------

TEST_F(EsmeSession, FixedRateRefusesWithRetryAt) {
    config.rate = 10.0;
    config.burst = 1.0;
    Session& s = bound();
    submit(s, 1);
    auto r = s.submit(sample_submit(), 2, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::throttled);
    EXPECT_EQ(r.error().retry_at, t0 + 100ms);
    EXPECT_TRUE(s.submit(sample_submit(), 2, r.error().retry_at));
}

TEST_F(EsmeSession, NextSubmitTimeReflectsStateWindowAndRate) {
    config.rate = 2.0;
    config.window = 2;
    Session& s = make();
    EXPECT_EQ(s.next_submit_time(t0), std::nullopt) << "not bound";
    s.on_pdu(peer(BindTransceiverResp{}, 1), t0);  // no bind pending: ignored
    EXPECT_EQ(s.state(), SessionState::open);
    ASSERT_TRUE(s.bind(BindParams{}, t0));
    s.on_pdu(peer(BindTransceiverResp{}, 1), t0);
    ASSERT_EQ(s.state(), SessionState::bound_trx);
    EXPECT_EQ(s.next_submit_time(t0), t0);
    submit(s, 1);
    EXPECT_EQ(s.next_submit_time(t0), t0 + 500ms);
    submit(s, 2, t0 + 500ms);
    EXPECT_EQ(s.next_submit_time(t0 + 500ms), std::nullopt) << "window full";
    s.unbind(t0 + 1s);
    EXPECT_EQ(s.next_submit_time(t0 + 1s), std::nullopt) << "closing";
}

TEST_F(EsmeSession, ThrottledResponseHandsTheRequestBackWithABackoff) {
    Session& s = bound();
    const auto a = submit(s, 7);
    s.on_pdu(peer(submit_resp(""), a, CommandStatus::ESME_RTHROTTLED), t0 + 1s);
    EXPECT_TRUE(listener.of("result").empty()) << "throttled is not a failure";
    const auto th = listener.of("throttled");
    ASSERT_EQ(th.size(), 1U);
    EXPECT_EQ(th[0].tag, 7U);
    EXPECT_EQ(th[0].status, CommandStatus::ESME_RTHROTTLED);
    EXPECT_GE(th[0].retry_at, t0 + 2s) << "a fixed rate backs off for a second";
    EXPECT_EQ(s.in_flight(), 0U);
}

TEST_F(EsmeSession, AdaptiveRateSlowsDownOnceForABurstOfThrottles) {
    config.window = 50;
    config.adaptive_rate = true;
    config.adaptive.initial_rate = 100.0;
    Session& s = bound();
    ASSERT_NE(s.adaptive_rate(), nullptr);
    EXPECT_DOUBLE_EQ(s.rate(), 100.0);
    std::vector<std::uint32_t> seqs;
    TimePoint now = t0;
    for (int i = 0; i < 20; ++i) {
        now += 10ms;
        seqs.push_back(submit(s, static_cast<UserTag>(i), now));
    }
    for (auto seq : seqs) {
        s.on_pdu(peer(submit_resp(""), seq, CommandStatus::ESME_RMSGQFUL), now + 50ms);
    }
    EXPECT_EQ(listener.of("throttled").size(), 20U);
    EXPECT_DOUBLE_EQ(s.rate(), 100.0 * config.adaptive.decrease_factor);
    EXPECT_EQ(s.adaptive_rate()->decreases(), 1U);
    const auto th = listener.of("throttled");
    EXPECT_GE(th.back().retry_at, now + 50ms);
}

TEST_F(EsmeSession, AdaptiveRateHoldsWhileResponsesReportCongestion) {
    config.window = 50;
    config.adaptive_rate = true;
    config.adaptive.initial_rate = 20.0;
    auto run = [&](std::optional<std::uint8_t> congestion) {
        Session& s = bound();
        TlvBuilder tlvs;
        if (congestion) tlvs.u8(tlv_tag::congestion_state, *congestion);
        TimePoint now = t0;
        for (int i = 0; i < 30; ++i) {  // 3 s at the full allowed rate, answered in 20 ms
            now += 50ms;
            auto seq = s.submit(sample_submit(), 1, now);
            if (!seq) continue;
            auto resp = submit_resp("id");
            resp.tlvs = tlvs.range();
            s.on_pdu(peer(resp, *seq), now + 20ms);
        }
        return s.rate();
    };
    EXPECT_DOUBLE_EQ(run(std::uint8_t{100}), 20.0);
    EXPECT_GT(run(std::nullopt), 20.0);
}

TEST_F(EsmeSession, SharedCarrierBucketLimitsTwoSessions) {
    TokenBucket carrier(1.0, 1.0, t0);
    Session& a = bound();
    a.set_shared_bucket(&carrier);
    RecordingListener other_listener;
    Session b(config, other_listener, t0);
    b.set_shared_bucket(&carrier);
    ASSERT_TRUE(b.bind(BindParams{}, t0));
    (void)drain(b);
    b.on_pdu(peer(BindTransceiverResp{}, 1), t0);
    submit(a, 1);
    auto r = b.submit(sample_submit(), 2, t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::throttled);
    EXPECT_EQ(r.error().retry_at, t0 + 1s);
}

// ---- liveness -----------------------------------------------------------------------------------

TEST_F(EsmeSession, SendsEnquireLinkWhenIdleAndDeclaresTheLinkDeadWhenUnanswered) {
    Session& s = bound();
    EXPECT_EQ(s.next_timer(), t0 + 30s);
    s.on_tick(t0 + 29s);
    EXPECT_TRUE(drain(s).pdus.empty());
    s.on_tick(t0 + 30s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::enquire_link);
    EXPECT_EQ(s.next_timer(), t0 + 40s);
    s.on_tick(t0 + 35s);
    EXPECT_TRUE(drain(s).pdus.empty()) << "one enquire_link at a time";
    s.on_tick(t0 + 40s);
    EXPECT_EQ(listener.of("link_dead").size(), 1U);
    EXPECT_EQ(s.state(), SessionState::closed);
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::link_dead);
}

TEST_F(EsmeSession, AnsweredEnquireLinkKeepsTheLinkAndRestartsTheIdleTimer) {
    Session& s = bound();
    s.on_tick(t0 + 30s);
    const auto seq = drain(s).pdus.at(0).header.sequence_number;
    s.on_pdu(peer(EnquireLinkResp{}, seq), t0 + 31s);
    s.on_tick(t0 + 45s);
    EXPECT_TRUE(listener.of("link_dead").empty());
    EXPECT_EQ(s.next_timer(), t0 + 61s);
    s.on_tick(t0 + 61s);
    EXPECT_EQ(drain(s).pdus.at(0).header.command_id, CommandId::enquire_link);
}

TEST_F(EsmeSession, AnswersPeerEnquireLinkWithItsSequenceNumber) {
    Session& s = bound();
    s.on_pdu(peer(EnquireLink{}, 4242), t0 + 1s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::enquire_link_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 4242U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
}

TEST_F(EsmeSession, InactivityStartsAnUnbind) {
    config.inactivity_timeout = 20s;
    config.enquire_link_interval = {};
    Session& s = bound();
    s.on_tick(t0 + 20s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind);
    EXPECT_EQ(s.state(), SessionState::unbound);
}

// ---- peer unbind, closing --------------------------------------------------------------------

TEST_F(EsmeSession, PeerUnbindIsAnsweredThenTheSessionClosesAndInFlightIsHandedBack) {
    Session& s = bound();
    submit(s, 5);
    (void)drain(s);
    s.on_pdu(peer(Unbind{}, 77), t0 + 1s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 77U);
    EXPECT_EQ(s.state(), SessionState::closed);
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].tag, 5U);
    EXPECT_EQ(results[0].result.outcome, SubmitOutcome::connection_lost);
    EXPECT_TRUE(results[0].result.temporary());
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::peer_unbound);
    s.on_pdu(peer(EnquireLink{}, 1), t0 + 2s);
    EXPECT_TRUE(drain(s).pdus.empty()) << "a closed session answers nothing";
    EXPECT_EQ(s.next_timer(), std::nullopt);
}

TEST_F(EsmeSession, GracefulUnbindWaitsForOutstandingResponses) {
    Session& s = bound();
    const auto a = submit(s, 1);
    const auto b = submit(s, 2);
    (void)drain(s);
    s.unbind(t0 + 1s);
    EXPECT_TRUE(s.stopping());
    EXPECT_TRUE(drain(s).pdus.empty()) << "unbind waits for the window to empty";
    auto r = s.submit(sample_submit(), 3, t0 + 1s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, Refusal::closing);
    // The peer may still deliver meanwhile; the session still answers it.
    s.on_pdu(peer(EnquireLink{}, 900), t0 + 1s);
    EXPECT_EQ(drain(s).pdus.at(0).header.command_id, CommandId::enquire_link_resp);
    s.on_pdu(peer(submit_resp("a"), a), t0 + 2s);
    EXPECT_TRUE(drain(s).pdus.empty());
    s.on_pdu(peer(submit_resp("b"), b), t0 + 3s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind);
    EXPECT_EQ(s.state(), SessionState::unbound);
    EXPECT_EQ(listener.of("result").size(), 2U);
    s.on_pdu(peer(UnbindResp{}, sent.pdus[0].header.sequence_number), t0 + 4s);
    EXPECT_EQ(s.state(), SessionState::closed);
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::unbound);
}

TEST_F(EsmeSession, GracefulUnbindGivesUpWaitingAtTheDrainDeadline) {
    Session& s = bound();
    submit(s, 1);
    (void)drain(s);
    s.unbind(t0, 5s);
    EXPECT_EQ(s.next_timer(), t0 + 5s);
    s.on_tick(t0 + 5s);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind);
    // No unbind_resp either: closed after response_timeout; the request is handed back.
    s.on_tick(t0 + 35s);
    EXPECT_EQ(s.state(), SessionState::closed);
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_TRUE(results[0].result.temporary());
}

TEST_F(EsmeSession, CloseHandsBackInFlightRequestsExactlyOnce) {
    Session& s = bound();
    submit(s, 1);
    submit(s, 2);
    s.close(CloseReason::connection_lost);
    s.close();
    EXPECT_EQ(listener.of("result").size(), 2U);
    EXPECT_EQ(listener.of("closed").size(), 1U);
    EXPECT_EQ(listener.of("closed")[0].reason, CloseReason::connection_lost);
}

// ---- peer requests ------------------------------------------------------------------------------

TEST_F(EsmeSession, DeliverSmIsAnsweredOnlyWhenTheOwnerCompletesIt) {
    Session& s = bound();
    DeliverSm d{};
    d.esm_class = 0x04;
    d.short_message = as_bytes("id:1 stat:DELIVRD");
    s.on_pdu(peer(d, 77), t0);
    const auto in = listener.of("incoming");
    ASSERT_EQ(in.size(), 1U);
    EXPECT_EQ(in[0].command_id, CommandId::deliver_sm);
    EXPECT_EQ(in[0].text, "id:1 stat:DELIVRD");
    EXPECT_TRUE(drain(s).pdus.empty()) << "no deliver_sm_resp before the receipt is durable";
    EXPECT_EQ(s.pending_incoming(), 1U);
    EXPECT_TRUE(s.complete_incoming(in[0].token, CommandStatus::ESME_ROK));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::deliver_sm_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 77U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
    EXPECT_FALSE(s.complete_incoming(in[0].token, CommandStatus::ESME_ROK)) << "answered once";
}

TEST_F(EsmeSession, IncomingBeyondTheIncomingWindowIsRefusedTemporarily) {
    config.incoming_window = 1;
    Session& s = bound();
    s.on_pdu(peer(DeliverSm{}, 1), t0);
    s.on_pdu(peer(DeliverSm{}, 2), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 2U);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RX_T_APPN);
    EXPECT_EQ(listener.of("incoming").size(), 1U);
}

TEST_F(EsmeSession, DataSmFromTheSmscIsHandedToTheOwner) {
    Session& s = bound();
    s.on_pdu(peer(DataSm{}, 3), t0);
    const auto in = listener.of("incoming");
    ASSERT_EQ(in.size(), 1U);
    EXPECT_TRUE(s.complete_incoming(in[0].token, CommandStatus::ESME_ROK, "ignored"));
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::data_sm_resp);
}

TEST_F(EsmeSession, AlertNotificationIsReportedWithoutResponse) {
    Session& s = bound();
    AlertNotification a{};
    a.source_addr = "447700900123";
    s.on_pdu(peer(a, 3), t0);
    ASSERT_EQ(listener.of("alert").size(), 1U);
    EXPECT_EQ(listener.of("alert")[0].text, "447700900123");
    EXPECT_TRUE(drain(s).pdus.empty());
}

// PDUs not allowed in the current state: each gets its _resp with ESME_RINVBNDSTS (or
// generic_nack).
struct NotAllowedCase {
    const char* name;
    BindType bind;  // bound with this type (bound_state) unless `open`
    bool open;
    Pdu pdu;
    CommandId reply_id;
    CommandStatus reply_status;
};

class NotAllowedInState : public EsmeSession,
                          public ::testing::WithParamInterface<NotAllowedCase> {};

TEST_P(NotAllowedInState, IsAnsweredWithTheRightStatus) {
    const auto& c = GetParam();
    Session& s = c.open ? make() : bound(c.bind);
    s.on_pdu(c.pdu, t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, c.reply_id);
    EXPECT_EQ(sent.pdus[0].header.command_status, c.reply_status);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, c.pdu.header.sequence_number);
    EXPECT_TRUE(listener.of("incoming").empty());
    EXPECT_NE(s.state(), SessionState::closed);
}

INSTANTIATE_TEST_SUITE_P(
    Esme, NotAllowedInState,
    ::testing::Values(
        NotAllowedCase{"deliver_before_bind", BindType::transceiver, true, peer(DeliverSm{}, 11),
                       CommandId::deliver_sm_resp, CommandStatus::ESME_RINVBNDSTS},
        NotAllowedCase{"deliver_on_tx", BindType::transmitter, false, peer(DeliverSm{}, 12),
                       CommandId::deliver_sm_resp, CommandStatus::ESME_RINVBNDSTS},
        NotAllowedCase{"data_sm_on_tx", BindType::transmitter, false, peer(DataSm{}, 13),
                       CommandId::data_sm_resp, CommandStatus::ESME_RINVBNDSTS},
        NotAllowedCase{"submit_to_esme", BindType::transceiver, false, peer(SubmitSm{}, 14),
                       CommandId::submit_sm_resp, CommandStatus::ESME_RINVBNDSTS},
        NotAllowedCase{"bind_to_esme", BindType::transceiver, false, peer(BindTransceiver{}, 15),
                       CommandId::bind_transceiver_resp, CommandStatus::ESME_RALYBND},
        NotAllowedCase{"unbind_before_bind", BindType::transceiver, true, peer(Unbind{}, 16),
                       CommandId::unbind_resp, CommandStatus::ESME_RINVBNDSTS},
        NotAllowedCase{"alert_before_bind", BindType::transceiver, true,
                       peer(AlertNotification{}, 17), CommandId::generic_nack,
                       CommandStatus::ESME_RINVBNDSTS}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- decode errors ------------------------------------------------------------------------------

std::vector<std::uint8_t> frame(std::uint32_t id, std::uint32_t status, std::uint32_t seq,
                                std::vector<std::uint8_t> body = {}) {
    std::vector<std::uint8_t> f;
    const auto len = static_cast<std::uint32_t>(16 + body.size());
    for (std::uint32_t v : {len, id, status, seq}) {
        for (int shift = 24; shift >= 0; shift -= 8)
            f.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    f.insert(f.end(), body.begin(), body.end());
    return f;
}

TEST_F(EsmeSession, UnknownCommandIdGetsGenericNackWithItsSequenceNumber) {
    Session& s = bound();
    const auto f = frame(0x00000111, 0, 31337);
    auto d = decode(f);
    ASSERT_FALSE(d);
    s.on_decode_error(d.error(), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::generic_nack);
    EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_RINVCMDID);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 31337U);
    EXPECT_EQ(s.state(), SessionState::bound_trx) << "an unknown command keeps the session";
}

TEST_F(EsmeSession, MalformedDeliverSmGetsItsOwnResponseWithTheDecodeStatus) {
    Session& s = bound();
    // deliver_sm whose body stops in the middle of service_type (no NUL).
    const auto f = frame(0x00000005, 0, 55, {'C', 'M'});
    auto d = decode(f);
    ASSERT_FALSE(d);
    s.on_decode_error(d.error(), t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::deliver_sm_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 55U);
    EXPECT_EQ(sent.pdus[0].header.command_status, d.error().command_status());
    EXPECT_NE(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
    EXPECT_TRUE(listener.of("incoming").empty());
}

TEST_F(EsmeSession, UnreadableErrorResponseStillCompletesItsRequest) {
    Session& s = bound();
    const auto a = submit(s, 8);
    (void)drain(s);
    // submit_sm_resp, status ESME_RSYSERR, with a message_id lacking its NUL.
    const auto f = frame(0x80000004, 0x08, a, {'x', 'y'});
    auto d = decode(f);
    ASSERT_FALSE(d);
    s.on_decode_error(d.error(), t0);
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].tag, 8U);
    EXPECT_EQ(results[0].status, CommandStatus::ESME_RSYSERR);
    EXPECT_TRUE(results[0].result.malformed);
    EXPECT_EQ(s.in_flight(), 0U);
}

TEST_F(EsmeSession, UnreadableResponseIsNeverAnsweredWithGenericNack) {
    Session& s = bound();
    const auto a = submit(s, 8);
    (void)drain(s);
    // submit_sm_resp, status 0, message_id without its NUL: reported, not nacked (the peer would
    // take a generic_nack with our sequence number for a nack of its own request).
    const auto f = frame(0x80000004, 0, a, {'x', 'y'});
    auto d = decode(f);
    ASSERT_FALSE(d);
    s.on_decode_error(d.error(), t0);
    EXPECT_TRUE(drain(s).pdus.empty());
    const auto results = listener.of("result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_TRUE(results[0].result.malformed);
    EXPECT_EQ(results[0].status, CommandStatus::ESME_ROK);
    // An unknown response id is not answered either.
    const auto g = frame(0x80000111, 0, 5);
    auto e = decode(g);
    ASSERT_FALSE(e);
    s.on_decode_error(e.error(), t0);
    EXPECT_TRUE(drain(s).pdus.empty());
}

TEST_F(EsmeSession, UnbindsCrossingEachOtherBothComplete) {
    Session& s = bound();
    s.unbind(t0);
    auto sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind);
    s.on_pdu(peer(Unbind{}, 12), t0);
    sent = drain(s);
    ASSERT_EQ(sent.pdus.size(), 1U);
    EXPECT_EQ(sent.pdus[0].header.command_id, CommandId::unbind_resp);
    EXPECT_EQ(sent.pdus[0].header.sequence_number, 12U);
    EXPECT_EQ(s.state(), SessionState::closed);
    EXPECT_EQ(listener.of("closed").at(0).reason, CloseReason::unbound);
}

// ---- outbox
// --------------------------------------------------------------------------------------

TEST_F(EsmeSession, OutboxBufferIsReusedAfterRecycle) {
    Session& s = bound();
    submit(s, 1);
    auto first = s.take_outbox();
    ASSERT_FALSE(first.empty());
    const auto* data = first.data();
    const auto cap = first.capacity();
    s.recycle(std::move(first));
    EXPECT_FALSE(s.has_output());
    (void)s.take_outbox();  // empty; swaps the recycled buffer in
    submit(s, 2);
    auto second = s.take_outbox();
    EXPECT_EQ(second.data(), data);
    EXPECT_GE(second.capacity(), cap);
}

TEST_F(EsmeSession, SequenceNumbersSkipOnesStillInFlight) {
    Session& s = bound();
    // Bind used 1; drive the counter: every submit answered except the first.
    const auto first = submit(s, 0);
    for (int i = 0; i < 10; ++i) {
        const auto seq = submit(s, 1);
        EXPECT_NE(seq, first);
        s.on_pdu(peer(submit_resp("x"), seq), t0);
    }
    EXPECT_EQ(s.in_flight(), 1U);
}

}  // namespace
}  // namespace bindery::smpp
