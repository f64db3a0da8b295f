#pragma once
// One-line human-readable text of a PDU for logs, e.g.
//   submit_sm seq=2 status=ESME_ROK service_type="" source_addr=1/1:"447700900123" ...
// Passwords are redacted; binary octets are shown as hex; long payloads are truncated.

#include <string>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/pdu.hpp"

namespace bindery::smpp {

[[nodiscard]] std::string dump(const Pdu& pdu);
[[nodiscard]] std::string dump(const DecodeError& error);

}  // namespace bindery::smpp
