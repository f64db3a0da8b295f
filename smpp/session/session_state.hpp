#pragma once
// Session states (SMPP 3.4 §2.2, with 5.0's OUTBOUND and UNBOUND) and the operation matrix: which
// command_ids a session may send or accept in which state, for each role. Both sides of Bindery
// share it: role esme for carrier binds, role smsc for the SMPP server side and the simulator.

#include <cstdint>
#include <optional>
#include <string_view>

#include "smpp/codec/command.hpp"

namespace bindery::smpp {

enum class Role : std::uint8_t {
    esme,  // binds to an SMSC (Bindery towards a carrier)
    smsc,  // accepts binds (Bindery's SMPP server side, the simulator)
};

enum class SessionState : std::uint8_t {
    open,       // connected, not bound: only bind_* (and outbind from an SMSC)
    outbound,   // SMSC side: outbind sent, waiting for the ESME's bind
    bound_tx,   // the ESME may submit; the SMSC does not deliver
    bound_rx,   // the SMSC delivers; the ESME may not submit
    bound_trx,  // both directions
    unbound,    // unbind sent or received: in-flight responses only, then close
    closed,     // no connection (the start state and the final one)
};

enum class Direction : std::uint8_t { send, receive };

enum class BindType : std::uint8_t { transmitter, receiver, transceiver };

[[nodiscard]] std::string_view to_string(Role r) noexcept;
[[nodiscard]] std::string_view to_string(SessionState s) noexcept;

[[nodiscard]] constexpr bool is_bound(SessionState s) noexcept {
    return s == SessionState::bound_tx || s == SessionState::bound_rx ||
           s == SessionState::bound_trx;
}

// bind_transmitter, bind_receiver or bind_transceiver (the requests, not their responses).
[[nodiscard]] constexpr bool is_bind_request(CommandId id) noexcept {
    return id == CommandId::bind_transmitter || id == CommandId::bind_receiver ||
           id == CommandId::bind_transceiver;
}

// The state a successful bind of this kind leads to (bind_* or bind_*_resp id); `open` for ids
// that are not binds.
[[nodiscard]] SessionState bound_state_for(CommandId bind) noexcept;
// The other way: the kind of bind a bound state is (bound_tx: transmitter, bound_rx: receiver,
// bound_trx: transceiver); nullopt for states that are not bound.
[[nodiscard]] std::optional<BindType> bind_type_for(SessionState state) noexcept;

// True when `role` may send (Direction::send) or accept (Direction::receive) a PDU with `id` while
// in `state`. Unknown ids are never allowed.
[[nodiscard]] bool allowed(Role role, SessionState state, Direction direction,
                           CommandId id) noexcept;

// How a session answers a received request that allowed() refuses: the status of its _resp (or of
// a generic_nack for requests without a response / unknown ids). ESME_RALYBND for a bind while
// bound, ESME_RINVCMDID for unknown ids, ESME_RINVBNDSTS otherwise. Responses are never answered
// (nullopt-like ESME_ROK is returned; the caller drops them).
[[nodiscard]] CommandStatus refusal_status(SessionState state, CommandId id) noexcept;

}  // namespace bindery::smpp
