// The operation matrix, spelled out row by row from SMPP 3.4 §4 (reference §3/§4) and checked for
// every state x command x role x direction.
#include "smpp/session/session_state.hpp"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>

#include "smpp/session/session.hpp"

namespace bindery::smpp {
namespace {

using S = SessionState;
constexpr std::array kAllStates = {S::open,      S::outbound, S::bound_tx, S::bound_rx,
                                   S::bound_trx, S::unbound,  S::closed};

struct States {
    unsigned bits = 0;
    States(std::initializer_list<S> list) {
        for (S s : list) bits |= 1U << static_cast<unsigned>(s);
    }
    [[nodiscard]] bool has(S s) const { return (bits & (1U << static_cast<unsigned>(s))) != 0; }
};

struct Row {
    CommandId id;
    States esme_send, esme_receive, smsc_send, smsc_receive;
};

const States kNone{};
const States kBindable{S::open, S::outbound};
const States kTransmit{S::bound_tx, S::bound_trx};
const States kTransmitResp{S::bound_tx, S::bound_trx, S::unbound};
const States kReceive{S::bound_rx, S::bound_trx};
const States kReceiveResp{S::bound_rx, S::bound_trx, S::unbound};
const States kBound{S::bound_tx, S::bound_rx, S::bound_trx};
const States kBoundResp{S::bound_tx, S::bound_rx, S::bound_trx, S::unbound};
const States kConnected{S::open, S::outbound, S::bound_tx, S::bound_rx, S::bound_trx, S::unbound};

const Row kTable[] = {
    // id                                 ESME send   ESME recv     SMSC send     SMSC recv
    {CommandId::bind_transmitter, kBindable, kNone, kNone, kBindable},
    {CommandId::bind_receiver, kBindable, kNone, kNone, kBindable},
    {CommandId::bind_transceiver, kBindable, kNone, kNone, kBindable},
    {CommandId::bind_transmitter_resp, kNone, kBindable, kBindable, kNone},
    {CommandId::bind_receiver_resp, kNone, kBindable, kBindable, kNone},
    {CommandId::bind_transceiver_resp, kNone, kBindable, kBindable, kNone},
    {CommandId::outbind, kNone, {S::open}, {S::open}, kNone},
    {CommandId::submit_sm, kTransmit, kNone, kNone, kTransmit},
    {CommandId::submit_sm_resp, kNone, kTransmitResp, kTransmitResp, kNone},
    {CommandId::submit_multi, kTransmit, kNone, kNone, kTransmit},
    {CommandId::submit_multi_resp, kNone, kTransmitResp, kTransmitResp, kNone},
    {CommandId::query_sm, kTransmit, kNone, kNone, kTransmit},
    {CommandId::query_sm_resp, kNone, kTransmitResp, kTransmitResp, kNone},
    {CommandId::cancel_sm, kTransmit, kNone, kNone, kTransmit},
    {CommandId::cancel_sm_resp, kNone, kTransmitResp, kTransmitResp, kNone},
    {CommandId::replace_sm, kTransmit, kNone, kNone, kTransmit},
    {CommandId::replace_sm_resp, kNone, kTransmitResp, kTransmitResp, kNone},
    {CommandId::deliver_sm, kNone, kReceive, kReceive, kNone},
    {CommandId::deliver_sm_resp, kReceiveResp, kNone, kNone, kReceiveResp},
    {CommandId::alert_notification, kNone, kReceive, kReceive, kNone},
    {CommandId::data_sm, kTransmit, kReceive, kReceive, kTransmit},
    {CommandId::data_sm_resp, kReceiveResp, kTransmitResp, kTransmitResp, kReceiveResp},
    {CommandId::unbind, kBound, kBound, kBound, kBound},
    {CommandId::unbind_resp, kBoundResp, kBoundResp, kBoundResp, kBoundResp},
    {CommandId::enquire_link, kConnected, kConnected, kConnected, kConnected},
    {CommandId::enquire_link_resp, kConnected, kConnected, kConnected, kConnected},
    {CommandId::generic_nack, kConnected, kConnected, kConnected, kConnected},
    // Not SMPP 3.4 (5.0 broadcast_sm, reserved, vendor): never allowed.
    {static_cast<CommandId>(0x00000111), kNone, kNone, kNone, kNone},
    {static_cast<CommandId>(0x00000010), kNone, kNone, kNone, kNone},
    {static_cast<CommandId>(0x80000010), kNone, kNone, kNone, kNone},
    {static_cast<CommandId>(0x00010200), kNone, kNone, kNone, kNone},
};

TEST(OperationMatrix, EveryStateCommandRoleAndDirectionMatchesTheSpecTable) {
    int checked = 0;
    for (const Row& row : kTable) {
        for (S state : kAllStates) {
            const struct {
                Role role;
                Direction dir;
                const States& expect;
            } cases[] = {{Role::esme, Direction::send, row.esme_send},
                         {Role::esme, Direction::receive, row.esme_receive},
                         {Role::smsc, Direction::send, row.smsc_send},
                         {Role::smsc, Direction::receive, row.smsc_receive}};
            for (const auto& c : cases) {
                EXPECT_EQ(allowed(c.role, state, c.dir, row.id), c.expect.has(state))
                    << to_string(row.id) << " (0x" << std::hex << static_cast<std::uint32_t>(row.id)
                    << std::dec << ") role " << to_string(c.role)
                    << (c.dir == Direction::send ? " send" : " receive") << " in "
                    << to_string(state);
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, static_cast<int>(std::size(kTable) * kAllStates.size() * 4));
}

TEST(OperationMatrix, ClosedAllowsNothing) {
    for (const Row& row : kTable) {
        for (Role r : {Role::esme, Role::smsc}) {
            EXPECT_FALSE(allowed(r, S::closed, Direction::send, row.id));
            EXPECT_FALSE(allowed(r, S::closed, Direction::receive, row.id));
        }
    }
}

TEST(OperationMatrix, RefusalStatusFollowsTheSpec) {
    EXPECT_EQ(refusal_status(S::open, CommandId::submit_sm), CommandStatus::ESME_RINVBNDSTS);
    EXPECT_EQ(refusal_status(S::bound_rx, CommandId::submit_sm), CommandStatus::ESME_RINVBNDSTS);
    EXPECT_EQ(refusal_status(S::bound_trx, CommandId::bind_transceiver),
              CommandStatus::ESME_RALYBND);
    EXPECT_EQ(refusal_status(S::bound_tx, CommandId::bind_receiver), CommandStatus::ESME_RALYBND);
    EXPECT_EQ(refusal_status(S::open, CommandId::alert_notification),
              CommandStatus::ESME_RINVBNDSTS);
    EXPECT_EQ(refusal_status(S::bound_trx, static_cast<CommandId>(0x00000111)),
              CommandStatus::ESME_RINVCMDID);
    EXPECT_EQ(refusal_status(S::open, CommandId::submit_sm_resp), CommandStatus::ESME_ROK);
}

TEST(OperationMatrix, BindKindsLeadToTheirBoundStates) {
    EXPECT_EQ(bound_state_for(CommandId::bind_transmitter), S::bound_tx);
    EXPECT_EQ(bound_state_for(CommandId::bind_receiver_resp), S::bound_rx);
    EXPECT_EQ(bound_state_for(CommandId::bind_transceiver), S::bound_trx);
    EXPECT_EQ(bound_state_for(CommandId::submit_sm), S::open);
    EXPECT_EQ(bind_type_for(S::bound_tx), BindType::transmitter);
    EXPECT_EQ(bind_type_for(S::bound_rx), BindType::receiver);
    EXPECT_EQ(bind_type_for(S::bound_trx), BindType::transceiver);
    for (const auto s : {S::open, S::outbound, S::unbound, S::closed}) {
        EXPECT_EQ(bind_type_for(s), std::nullopt) << to_string(s);
    }
    for (const auto t : {BindType::transmitter, BindType::receiver, BindType::transceiver}) {
        EXPECT_EQ(bind_type_for(bound_state_for(bind_command(t))), t);
    }
    EXPECT_TRUE(is_bound(S::bound_rx));
    EXPECT_FALSE(is_bound(S::unbound));
    EXPECT_EQ(to_string(S::bound_trx), "BOUND_TRX");
}

}  // namespace
}  // namespace bindery::smpp
