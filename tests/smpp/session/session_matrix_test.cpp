// The operation matrix as the Session applies it: every request command arriving in every
// reachable state, for both roles. Allowed ones are handled (answered automatically or handed to
// the owner); the others are answered with the refusal status and the request's sequence number.
#include <gtest/gtest.h>

#include <string>

#include "smpp/codec/build.hpp"
#include "smpp/session/session.hpp"
#include "tests/smpp/session/session_test_support.hpp"

namespace bindery::smpp {
namespace {

using namespace std::chrono_literals;
using testing::drain;
using testing::peer;
using testing::RecordingListener;

const TimePoint t0 = TimePoint{} + 10s;

constexpr CommandId kRequests[] = {
    CommandId::bind_transmitter, CommandId::bind_receiver,      CommandId::bind_transceiver,
    CommandId::outbind,          CommandId::submit_sm,          CommandId::submit_multi,
    CommandId::query_sm,         CommandId::cancel_sm,          CommandId::replace_sm,
    CommandId::deliver_sm,       CommandId::alert_notification, CommandId::data_sm,
    CommandId::unbind,           CommandId::enquire_link,
};

// Brings a fresh session of `role` into `state`.
void reach(Session& s, Role role, SessionState state) {
    if (state == SessionState::open) return;
    if (state == SessionState::outbound) {
        ASSERT_TRUE(s.outbind("smsc", "pw", t0));
        (void)drain(s);
        return;
    }
    const SessionState bound_as = state == SessionState::unbound ? SessionState::bound_trx : state;
    const CommandId bind = bound_as == SessionState::bound_tx   ? CommandId::bind_transmitter
                           : bound_as == SessionState::bound_rx ? CommandId::bind_receiver
                                                                : CommandId::bind_transceiver;
    if (role == Role::esme) {
        BindParams p;
        p.type = bind == CommandId::bind_transmitter ? BindType::transmitter
                 : bind == CommandId::bind_receiver  ? BindType::receiver
                                                     : BindType::transceiver;
        ASSERT_TRUE(s.bind(p, t0));
        const auto seq = drain(s).pdus.at(0).header.sequence_number;
        s.on_pdu(
            make_response(Header{0, bind, CommandStatus::ESME_ROK, seq}, CommandStatus::ESME_ROK),
            t0);
    } else {
        s.on_pdu(Pdu{Header{0, bind, CommandStatus::ESME_ROK, 1}, *make_body(bind)}, t0);
        ASSERT_TRUE(s.accept_bind(t0));
        (void)drain(s);
    }
    ASSERT_EQ(s.state(), bound_as);
    if (state == SessionState::unbound) {
        s.unbind(t0);
        (void)drain(s);
        ASSERT_EQ(s.state(), SessionState::unbound);
    }
}

struct Case {
    Role role;
    SessionState state;
};

class SessionMatrix : public ::testing::TestWithParam<Case> {};

TEST_P(SessionMatrix, EveryRequestIsHandledOrRefusedAsTheMatrixSays) {
    const auto [role, state] = GetParam();
    for (CommandId id : kRequests) {
        SCOPED_TRACE(std::string(to_string(id)));
        RecordingListener listener;
        SessionConfig cfg;
        cfg.role = role;
        Session s(cfg, listener, t0);
        reach(s, role, state);
        listener.events.clear();

        constexpr std::uint32_t kSeq = 1000;
        s.on_pdu(Pdu{Header{0, id, CommandStatus::ESME_ROK, kSeq}, *make_body(id)}, t0 + 1s);
        const auto sent = drain(s);
        ASSERT_TRUE(sent.well_formed);
        const bool crossing_unbind = id == CommandId::unbind && state == SessionState::unbound;
        if (!allowed(role, state, Direction::receive, id) && !crossing_unbind) {
            ASSERT_EQ(sent.pdus.size(), 1U);
            const Header& h = sent.pdus[0].header;
            EXPECT_EQ(h.command_id,
                      has_response(id) ? response_id_for(id) : CommandId::generic_nack);
            EXPECT_EQ(h.command_status, refusal_status(state, id));
            EXPECT_NE(h.command_status, CommandStatus::ESME_ROK);
            EXPECT_EQ(h.sequence_number, kSeq);
            EXPECT_TRUE(listener.of("incoming").empty());
            EXPECT_TRUE(listener.of("bind_request").empty());
            continue;
        }
        switch (id) {
            case CommandId::enquire_link:
            case CommandId::unbind:
                ASSERT_EQ(sent.pdus.size(), 1U);
                EXPECT_EQ(sent.pdus[0].header.command_id, response_id_for(id));
                EXPECT_EQ(sent.pdus[0].header.command_status, CommandStatus::ESME_ROK);
                EXPECT_EQ(sent.pdus[0].header.sequence_number, kSeq);
                EXPECT_EQ(s.state() == SessionState::closed, id == CommandId::unbind);
                break;
            case CommandId::bind_transmitter:
            case CommandId::bind_receiver:
            case CommandId::bind_transceiver:
                EXPECT_TRUE(sent.pdus.empty()) << "the owner authenticates first";
                EXPECT_EQ(listener.of("bind_request").size(), 1U);
                break;
            case CommandId::outbind:
                EXPECT_TRUE(sent.pdus.empty());
                EXPECT_EQ(listener.of("outbind").size(), 1U);
                break;
            case CommandId::alert_notification:
                EXPECT_TRUE(sent.pdus.empty());
                EXPECT_EQ(listener.of("alert").size(), 1U);
                break;
            default:
                EXPECT_TRUE(sent.pdus.empty()) << "answered by the owner via complete_incoming";
                ASSERT_EQ(listener.of("incoming").size(), 1U);
                EXPECT_EQ(listener.of("incoming")[0].command_id, id);
                EXPECT_EQ(listener.of("incoming")[0].token.sequence_number, kSeq);
                break;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(RolesAndStates, SessionMatrix,
                         ::testing::Values(Case{Role::esme, SessionState::open},
                                           Case{Role::esme, SessionState::bound_tx},
                                           Case{Role::esme, SessionState::bound_rx},
                                           Case{Role::esme, SessionState::bound_trx},
                                           Case{Role::esme, SessionState::unbound},
                                           Case{Role::smsc, SessionState::open},
                                           Case{Role::smsc, SessionState::outbound},
                                           Case{Role::smsc, SessionState::bound_tx},
                                           Case{Role::smsc, SessionState::bound_rx},
                                           Case{Role::smsc, SessionState::bound_trx},
                                           Case{Role::smsc, SessionState::unbound}),
                         [](const auto& info) {
                             return std::string(to_string(info.param.role)) + "_" +
                                    std::string(to_string(info.param.state));
                         });

}  // namespace
}  // namespace bindery::smpp
