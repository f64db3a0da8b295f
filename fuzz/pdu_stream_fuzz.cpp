// Fuzzes the SMPP stream path exactly as smpp/net drives it: frame with scan_frame(), decode each
// frame, answer decode errors. Invariants checked (abort on violation):
//  - scan_frame never reports a frame larger than the buffer or outside [16, max_pdu_size];
//  - whatever decodes re-encodes, and those octets decode to an equal PDU that re-encodes to the
//    very same octets (a fixpoint);
//  - every decode error yields an encodable reply carrying the request's sequence_number.
// The first input octet picks the max PDU size, so the limit paths are explored too.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "smpp/codec/codec.hpp"

namespace {

using namespace bindery::smpp;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "pdu_stream invariant violated: %s\n", what);
        std::abort();
    }
}

void round_trip(const Pdu& pdu) {
    std::vector<std::uint8_t> first;
    check(!encode(pdu, first), "a decoded PDU must re-encode");
    const auto size = encoded_size(pdu);
    check(size && *size == first.size(), "encoded_size matches encode");
    const auto again = decode(first);
    check(again.has_value(), "re-encoded octets must decode");
    check(again->body == pdu.body, "re-decoded body equals the decoded body");
    check(again->header.sequence_number == pdu.header.sequence_number &&
              again->header.command_status == pdu.header.command_status &&
              again->header.command_id == pdu.header.command_id,
          "re-decoded header equals the decoded header");
    std::vector<std::uint8_t> second;
    check(!encode(*again, second), "second encode");
    check(second == first, "encode(decode(encode(x))) is a fixpoint");
    (void)dump(pdu);
    // Typed TLV accessors must be safe on anything decode accepted.
    const auto visit_tlvs = [](const TlvRange& t) {
        (void)t.sar_msg_ref_num();
        (void)t.receipted_message_id();
        (void)t.network_error_code();
        (void)t.message_payload();
        (void)t.count();
    };
    if (const auto* s = pdu.get_if<SubmitSm>()) visit_tlvs(s->tlvs);
    if (const auto* d = pdu.get_if<DeliverSm>()) visit_tlvs(d->tlvs);
    if (const auto* d = pdu.get_if<DataSm>()) visit_tlvs(d->tlvs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    CodecLimits limits;
    limits.max_pdu_size = data[0] < 0x80 ? 64 * 1024 : 16U + data[0];
    std::span<const std::uint8_t> rest(data + 1, size - 1);
    while (!rest.empty()) {
        const auto scan = scan_frame(rest, limits);
        if (scan.status == FrameStatus::malformed) {
            check(scan.command_length < 16 || scan.command_length > limits.max_pdu_size,
                  "malformed only for impossible lengths");
            break;
        }
        if (scan.status == FrameStatus::need_more) {
            check(scan.frame_size == 0 || scan.frame_size > rest.size(), "need_more means more");
            break;
        }
        check(scan.frame_size >= 16 && scan.frame_size <= rest.size() &&
                  scan.frame_size <= limits.max_pdu_size,
              "complete frame within bounds");
        // A copy of exactly the frame, so ASan sees any read past its end.
        const std::vector<std::uint8_t> frame(
            rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(scan.frame_size));
        const auto pdu = decode(frame);
        if (pdu) {
            round_trip(*pdu);
        } else {
            const auto& err = pdu.error();
            check(err.offset <= frame.size(), "error offset within the frame");
            check(err.header.has_value(), "a framed PDU always has a readable header");
            const Pdu reply = make_error_response(err);
            check(reply.header.sequence_number == err.header->sequence_number, "reply echoes seq");
            std::vector<std::uint8_t> out;
            check(!encode(reply, out), "error replies encode");
            (void)dump(err);
        }
        rest = rest.subspan(scan.frame_size);
    }
    return 0;
}
