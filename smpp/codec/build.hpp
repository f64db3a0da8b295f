#pragma once
// Small builders for the PDUs a session sends most.

#include <cstdint>
#include <optional>
#include <vector>

#include "smpp/codec/command.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/codec/receipt/receipt.hpp"

namespace bindery::smpp {

// The response to `request` (same sequence_number) with `status` and empty body fields
// (message_id "", system_id ""). For a request without a response (outbind, alert_notification),
// a response id, or an unknown id this is a generic_nack.
[[nodiscard]] Pdu make_response(const Header& request, CommandStatus status);

[[nodiscard]] Pdu make_generic_nack(std::uint32_t sequence_number, CommandStatus status);

// The reply to a PDU that failed to decode: generic_nack or the request's _resp, with
// error.command_status() and the request's sequence_number (0 when the header was unreadable).
[[nodiscard]] Pdu make_error_response(const DecodeError& error);

// A default-constructed body for a command id (nullopt for unknown ids).
[[nodiscard]] std::optional<Body> make_body(CommandId id);

// The TLVs an SMSC sends with a delivery receipt's text (build_receipt): receipted_message_id
// (r.id), message_state (r.state) and, when r.network_error is set, network_error_code.
[[nodiscard]] std::vector<std::uint8_t> make_receipt_tlvs(const Receipt& r);

[[nodiscard]] Pdu make_enquire_link(std::uint32_t sequence_number);
[[nodiscard]] Pdu make_unbind(std::uint32_t sequence_number);

}  // namespace bindery::smpp
