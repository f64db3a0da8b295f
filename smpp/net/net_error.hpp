#pragma once
// Errors the net layer reports besides the socket's own (boost::system::error_code throughout).

#include <string_view>

#include <boost/system/error_code.hpp>

namespace bindery::smpp {

enum class NetErrc {
    // command_length < 16 or over the limit: answered with generic_nack, then closed
    framing_lost = 1,
    encode_failed,    // a PDU handed to send() did not encode (programmer or config error)
    closed,           // the connection was closed locally
    connect_timeout,  // TCP connect (or TLS handshake) did not finish in time
    bind_timeout,     // no bind_*_resp in time
    bind_rejected,    // bind_*_resp with a non-zero status
    link_dead,        // enquire_link unanswered / the session declared the link dead
    stopped,          // the owner stopped (graceful stop, no reconnect)
};

[[nodiscard]] const boost::system::error_category& net_category() noexcept;
[[nodiscard]] boost::system::error_code make_error_code(NetErrc e) noexcept;

}  // namespace bindery::smpp

template <>
struct boost::system::is_error_code_enum<bindery::smpp::NetErrc> : std::true_type {};
