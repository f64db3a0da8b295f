#pragma once
// encode(): Pdu -> wire octets in a caller's buffer. command_length and command_id are computed
// (from the body); command_status and sequence_number come from pdu.header. Every field is
// checked against its spec maximum before a single octet is written.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "smpp/base/expected.hpp"
#include "smpp/codec/pdu.hpp"

namespace bindery::smpp {

enum class EncodeErrc {
    field_too_long = 1,       // C-octet string longer than its spec maximum
    embedded_nul,             // C-octet string containing a NUL octet
    invalid_time,             // time field neither "" nor 16 characters
    short_message_too_long,   // more than 254 octets
    payload_conflict,         // short_message and message_payload TLV both set
    invalid_number_of_dests,  // submit_multi with 0 or more than 254 destinations
    invalid_dest_flag,
    too_many_unsuccess,  // more than 255 unsuccess_sme entries
    invalid_tlvs,        // TLV octets that do not parse, or a standard TLV of the wrong length
    pdu_too_large,       // encoded PDU would exceed max_pdu_size (CodecLimits)
    buffer_too_small,    // span variant only
};

[[nodiscard]] const std::error_category& encode_category() noexcept;
[[nodiscard]] std::error_code make_error_code(EncodeErrc e) noexcept;

// Appends the PDU to `out` (a reused buffer: existing content is kept). On error `out` is left
// as it was and the code says why.
[[nodiscard]] std::error_code encode(const Pdu& pdu, std::vector<std::uint8_t>& out,
                                     std::uint32_t max_pdu_size = 64 * 1024);

// Writes into `out`; returns the number of octets written.
[[nodiscard]] Expected<std::size_t, std::error_code> encode(
    const Pdu& pdu, std::span<std::uint8_t> out, std::uint32_t max_pdu_size = 64 * 1024) noexcept;

// The size encode() would write (after the same checks).
[[nodiscard]] Expected<std::size_t, std::error_code> encoded_size(const Pdu& pdu) noexcept;

}  // namespace bindery::smpp

template <>
struct std::is_error_code_enum<bindery::smpp::EncodeErrc> : std::true_type {};
