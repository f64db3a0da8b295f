#include "smpp/session/session_state.hpp"

namespace bindery::smpp {

std::string_view to_string(Role r) noexcept {
    switch (r) {
        case Role::esme: return "ESME";
        case Role::smsc: return "SMSC";
    }
    return "unknown";
}

std::string_view to_string(SessionState s) noexcept {
    switch (s) {
        case SessionState::open: return "OPEN";
        case SessionState::outbound: return "OUTBOUND";
        case SessionState::bound_tx: return "BOUND_TX";
        case SessionState::bound_rx: return "BOUND_RX";
        case SessionState::bound_trx: return "BOUND_TRX";
        case SessionState::unbound: return "UNBOUND";
        case SessionState::closed: return "CLOSED";
    }
    return "unknown";
}

SessionState bound_state_for(CommandId bind) noexcept {
    switch (bind) {
        case CommandId::bind_transmitter:
        case CommandId::bind_transmitter_resp: return SessionState::bound_tx;
        case CommandId::bind_receiver:
        case CommandId::bind_receiver_resp: return SessionState::bound_rx;
        case CommandId::bind_transceiver:
        case CommandId::bind_transceiver_resp: return SessionState::bound_trx;
        default: return SessionState::open;
    }
}

std::optional<BindType> bind_type_for(SessionState state) noexcept {
    switch (state) {
        case SessionState::bound_tx: return BindType::transmitter;
        case SessionState::bound_rx: return BindType::receiver;
        case SessionState::bound_trx: return BindType::transceiver;
        default: return std::nullopt;
    }
}

namespace {

// States as bits, so each rule below is one line.
using Mask = std::uint8_t;
constexpr Mask bit(SessionState s) noexcept {
    return static_cast<Mask>(1U << static_cast<unsigned>(s));
}
constexpr Mask kOpen = bit(SessionState::open);
constexpr Mask kOutbound = bit(SessionState::outbound);
constexpr Mask kTx = bit(SessionState::bound_tx);
constexpr Mask kRx = bit(SessionState::bound_rx);
constexpr Mask kTrx = bit(SessionState::bound_trx);
constexpr Mask kUnbound = bit(SessionState::unbound);
constexpr Mask kBound = kTx | kRx | kTrx;
constexpr Mask kTransmit = kTx | kTrx;                          // the ESME may submit
constexpr Mask kReceive = kRx | kTrx;                           // the SMSC may deliver
constexpr Mask kAlive = kOpen | kOutbound | kBound | kUnbound;  // any state with a connection

// Who originates a request: the ESME, the SMSC, or either.
enum class From : std::uint8_t { esme, smsc, either };

struct Rule {
    CommandId request;
    From from;
    Mask request_states;   // where the request may travel
    Mask response_states;  // where its response may travel (0: the request has no response)
};

// SMPP 3.4 §4 table, plus: enquire_link in every connected state (5.0 allows it before bind and
// while unbinding, and answering it is always harmless); responses also in UNBOUND, so requests in
// flight when an unbind crosses can still be answered; outbind leads to the ESME binding from OPEN
// and the SMSC accepting that bind in OUTBOUND.
constexpr Rule kRules[] = {
    {CommandId::bind_transmitter, From::esme, kOpen | kOutbound, kOpen | kOutbound},
    {CommandId::bind_receiver, From::esme, kOpen | kOutbound, kOpen | kOutbound},
    {CommandId::bind_transceiver, From::esme, kOpen | kOutbound, kOpen | kOutbound},
    {CommandId::outbind, From::smsc, kOpen, 0},
    {CommandId::submit_sm, From::esme, kTransmit, kTransmit | kUnbound},
    {CommandId::submit_multi, From::esme, kTransmit, kTransmit | kUnbound},
    {CommandId::query_sm, From::esme, kTransmit, kTransmit | kUnbound},
    {CommandId::cancel_sm, From::esme, kTransmit, kTransmit | kUnbound},
    {CommandId::replace_sm, From::esme, kTransmit, kTransmit | kUnbound},
    {CommandId::deliver_sm, From::smsc, kReceive, kReceive | kUnbound},
    {CommandId::alert_notification, From::smsc, kReceive, 0},
    {CommandId::unbind, From::either, kBound, kBound | kUnbound},
    {CommandId::enquire_link, From::either, kAlive, kAlive},
};

constexpr const Rule* find_rule(CommandId request) noexcept {
    for (const auto& r : kRules) {
        if (r.request == request) return &r;
    }
    return nullptr;
}

constexpr bool originates(Role role, From from) noexcept {
    return from == From::either || (from == From::esme) == (role == Role::esme);
}

}  // namespace

bool allowed(Role role, SessionState state, Direction direction, CommandId id) noexcept {
    if (state == SessionState::closed || !is_known(id)) return false;
    const Mask s = bit(state);
    // generic_nack answers anything, in any connected state.
    if (id == CommandId::generic_nack) return (s & kAlive) != 0;
    // data_sm travels ESME->SMSC on a transmitting bind and SMSC->ESME on a receiving one.
    if (id == CommandId::data_sm || id == CommandId::data_sm_resp) {
        const bool request = id == CommandId::data_sm;
        // Who sends this PDU, the ESME or the SMSC?
        const bool esme_sends = (role == Role::esme) == (direction == Direction::send);
        // A data_sm from the ESME (and the SMSC's resp to it) needs a transmitting bind.
        const bool esme_originated = request ? esme_sends : !esme_sends;
        const Mask states = esme_originated ? kTransmit : kReceive;
        return (s & (request ? states : static_cast<Mask>(states | kUnbound))) != 0;
    }
    const bool response = is_response(id);
    const CommandId request =
        response ? static_cast<CommandId>(static_cast<std::uint32_t>(id) & ~kResponseBit) : id;
    const Rule* rule = find_rule(request);
    if (rule == nullptr) return false;
    // The request's originator sends requests and receives responses; the other side the reverse.
    const bool i_originate = originates(role, rule->from);
    const bool peer_originates = rule->from == From::either || !i_originate;
    bool role_ok = false;
    if (!response) {
        role_ok = direction == Direction::send ? i_originate : peer_originates;
    } else {
        role_ok = direction == Direction::send ? peer_originates : i_originate;
    }
    if (!role_ok) return false;
    if (!response) return (s & rule->request_states) != 0;
    return (s & rule->response_states) != 0;
}

CommandStatus refusal_status(SessionState state, CommandId id) noexcept {
    if (!is_known(id)) return CommandStatus::ESME_RINVCMDID;
    if (is_response(id)) return CommandStatus::ESME_ROK;
    if (is_bind_request(id) && (is_bound(state) || state == SessionState::unbound)) {
        return CommandStatus::ESME_RALYBND;
    }
    return CommandStatus::ESME_RINVBNDSTS;
}

}  // namespace bindery::smpp
