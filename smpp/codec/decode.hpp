#pragma once
// decode(): one frame (exactly command_length octets) -> Pdu whose views borrow from the frame.
// Strict: every length is checked against the specification; never throws, never allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "smpp/base/expected.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/pdu.hpp"

namespace bindery::smpp {

enum class DecodeErrc : std::uint8_t {
    frame_too_short,     // fewer than 16 octets
    length_mismatch,     // command_length differs from the frame size
    unknown_command_id,  // not an SMPP 3.4 command
    truncated,           // a mandatory field runs past the end of the PDU
    trailing_octets,     // octets after the body of a PDU that takes no TLVs
    missing_nul,         // C-octet string without its terminating NUL
    string_too_long,     // C-octet string longer than its spec maximum
    invalid_time,        // time field neither "" nor 16 characters (+NUL)
    invalid_sm_length,   // sm_length > 254 or past the end of the PDU
    payload_conflict,    // sm_length > 0 together with a message_payload TLV
    invalid_number_of_dests,
    invalid_dest_flag,
    tlv_truncated,       // 1-3 octets left where a TLV header should be
    tlv_length_overrun,  // a TLV's length runs past the end of the PDU
    tlv_invalid_length,  // a standard TLV with a length its definition forbids
    tlv_invalid_value,   // a standard C-string TLV without its NUL
    tlv_missing,         // an incomplete SAR set (sar_msg_ref_num/total/seqnum come together)
};

[[nodiscard]] std::string_view to_string(DecodeErrc e) noexcept;

struct DecodeError {
    std::optional<Header> header;  // set whenever the 16 header octets were readable
    DecodeErrc code = DecodeErrc::frame_too_short;
    std::string_view field;  // spec name of the offending field ("" when not field-specific)
    std::size_t offset = 0;  // octet offset in the frame where the problem starts

    // The command_status to report to the peer (ESME_RINVCMDLEN, ESME_RINVCMDID, ESME_RINVMSGLEN,
    // ESME_RINVSRCADR, ESME_RINVDSTADR, ESME_RINVPARLEN, ESME_RMISSINGOPTPARAM, ...).
    [[nodiscard]] CommandStatus command_status() const noexcept;
    // True when the reply must be generic_nack (unreadable header, unknown command_id, a response
    // PDU, or a request that has no _resp); otherwise reply with the request's own _resp.
    [[nodiscard]] bool needs_generic_nack() const noexcept;
    // False when the broken PDU is itself a response (generic_nack included): answering a response
    // invites nack ping-pong, so the session should fail the matching request instead.
    [[nodiscard]] bool should_reply() const noexcept {
        return !header || !is_response(header->command_id);
    }

    friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

// `frame` is one PDU as delimited by scan_frame(). The Pdu borrows from `frame`.
[[nodiscard]] Expected<Pdu, DecodeError> decode(std::span<const std::uint8_t> frame) noexcept;

// Reads the 16-octet header only (nullopt when fewer than 16 octets).
[[nodiscard]] std::optional<Header> decode_header(std::span<const std::uint8_t> frame) noexcept;

}  // namespace bindery::smpp
