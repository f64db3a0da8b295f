#include "smpp/codec/concat_part.hpp"

#include "smpp/codec/text/udh.hpp"

namespace bindery::smpp {

Expected<std::optional<SubmitPart>, CommandStatus> concat_part(std::uint8_t data_coding,
                                                               std::uint8_t esm_class,
                                                               ByteView short_message,
                                                               const TlvRange& tlvs) {
    std::span<const std::uint8_t> data = short_message;
    const auto payload = tlvs.message_payload();
    if (data.empty()) {
        if (payload) data = *payload;
    } else if (payload) {
        return Unexpected(CommandStatus::ESME_RINVPARLEN);  // both given: 5.3.2.32 forbids it
    }
    std::optional<ConcatRef> from_udh;
    std::span<const std::uint8_t> user_data = data;
    if ((esm_class & 0x40) != 0) {
        auto udh = parse_udh(data);
        if (!udh) return Unexpected(CommandStatus::ESME_RINVESMCLASS);
        user_data = udh->payload;
        // The last concatenation IE wins (TS 23.040 9.2.3.24: a repeated IE, the last is used).
        for (const auto& ie : udh->elements) {
            if (ie.iei == iei::concat_8bit && ie.data.size() == 3) {
                from_udh = ConcatRef{ConcatRefKind::udh8, ie.data[0], ie.data[1], ie.data[2]};
            } else if (ie.iei == iei::concat_16bit && ie.data.size() == 4) {
                from_udh = ConcatRef{ConcatRefKind::udh16,
                                     static_cast<std::uint16_t>((ie.data[0] << 8) | ie.data[1]),
                                     ie.data[2], ie.data[3]};
            }
        }
        if (from_udh &&
            (from_udh->total == 0 || from_udh->seqnum == 0 || from_udh->seqnum > from_udh->total)) {
            return Unexpected(CommandStatus::ESME_RINVESMCLASS);
        }
    }
    const auto sar_ref = tlvs.sar_msg_ref_num();
    const auto sar_total = tlvs.sar_total_segments();
    const auto sar_seq = tlvs.sar_segment_seqnum();
    const int sar_count = (sar_ref ? 1 : 0) + (sar_total ? 1 : 0) + (sar_seq ? 1 : 0);
    const bool any_sar = tlvs.contains(tlv_tag::sar_msg_ref_num) ||
                         tlvs.contains(tlv_tag::sar_total_segments) ||
                         tlvs.contains(tlv_tag::sar_segment_seqnum);
    if (any_sar && sar_count < 3) {
        // Present but of the wrong length reads as absent above: say which.
        const bool malformed = (tlvs.contains(tlv_tag::sar_msg_ref_num) && !sar_ref) ||
                               (tlvs.contains(tlv_tag::sar_total_segments) && !sar_total) ||
                               (tlvs.contains(tlv_tag::sar_segment_seqnum) && !sar_seq);
        return Unexpected(malformed ? CommandStatus::ESME_RINVOPTPARAMVAL
                                    : CommandStatus::ESME_RMISSINGOPTPARAM);
    }
    std::optional<ConcatRef> from_sar;
    if (sar_count == 3) {
        if (*sar_total == 0 || *sar_seq == 0 || *sar_seq > *sar_total) {
            return Unexpected(CommandStatus::ESME_RINVOPTPARAMVAL);
        }
        from_sar = ConcatRef{ConcatRefKind::sar, *sar_ref, *sar_total, *sar_seq};
    }
    if (from_udh && from_sar &&
        (from_udh->reference != from_sar->reference || from_udh->total != from_sar->total ||
         from_udh->seqnum != from_sar->seqnum)) {
        return Unexpected(CommandStatus::ESME_RINVOPTPARAMVAL);
    }
    const auto ref = from_udh ? from_udh : from_sar;
    if (!ref) return std::optional<SubmitPart>();
    SubmitPart part;
    part.ref = *ref;
    part.data_coding = data_coding;
    part.user_data.assign(user_data.begin(), user_data.end());
    return std::optional<SubmitPart>(std::move(part));
}

}  // namespace bindery::smpp
