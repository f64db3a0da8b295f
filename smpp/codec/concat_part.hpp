#pragma once
// What the text fields of a submit_sm / data_sm say about concatenation: a part of a long message
// numbered by a UDH concatenation IE (0x00: 8-bit reference, 0x08: 16-bit reference; esm_class
// UDHI 0x40) or by the sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs. Used by the
// SMPP server side (app/smpp_concat.hpp) to hold parts until the message is complete. Pure,
// std only; never throws on network input.

#include <cstdint>
#include <optional>
#include <vector>

#include "smpp/base/expected.hpp"
#include "smpp/codec/bytes.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/text/reassembler.hpp"  // ConcatRefKind
#include "smpp/codec/tlv.hpp"

namespace bindery::smpp {

struct ConcatRef {
    ConcatRefKind kind = ConcatRefKind::udh8;
    std::uint16_t reference = 0;
    std::uint8_t total = 0;   // 1-255
    std::uint8_t seqnum = 0;  // 1-total
};

// One part of a concatenated submit: its numbering and its user data with the UDH removed.
struct SubmitPart {
    ConcatRef ref;
    std::uint8_t data_coding = 0;
    std::vector<std::uint8_t> user_data;
};

// What the text fields of a submit_sm / data_sm say about concatenation. nullopt: not a part
// (no concatenation IE, no sar_* TLV). Errors, as the command_status to answer:
//   malformed UDH, or a concatenation IE with total 0 or seqnum outside 1..total ->
//   ESME_RINVESMCLASS sar_* TLVs incomplete (one or two of the three)                            ->
//   ESME_RMISSINGOPTPARAM sar_* values out of range, or disagreeing with a concatenation IE ->
//   ESME_RINVOPTPARAMVAL short_message and message_payload both given (5.3.2.32) -> ESME_RINVPARLEN
[[nodiscard]] Expected<std::optional<SubmitPart>, CommandStatus> concat_part(
    std::uint8_t data_coding, std::uint8_t esm_class, ByteView short_message, const TlvRange& tlvs);

}  // namespace bindery::smpp
