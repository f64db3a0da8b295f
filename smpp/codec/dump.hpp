#pragma once
// One-line human-readable text of a PDU for logs, e.g.
//   submit_sm seq=2 status=ESME_ROK service_type="" source_addr=1/1:"447700900123" ...
// Passwords are redacted; binary octets are shown as hex; long payloads are truncated.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/pdu.hpp"

namespace bindery::smpp {

[[nodiscard]] std::string dump(const Pdu& pdu);
[[nodiscard]] std::string dump(const DecodeError& error);

// The raw octets as space-separated hex (for debug logs of the wire), with the password of a
// bind_* / outbind frame replaced by '*' octets (0x2A). At most `max_octets` are shown, then "...".
[[nodiscard]] std::string dump_hex(std::span<const std::uint8_t> frame,
                                   std::size_t max_octets = 512);

}  // namespace bindery::smpp
