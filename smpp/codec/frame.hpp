#pragma once
// Framing: find where the next PDU ends in a byte stream. Reads only the 4-octet command_length;
// never allocates.

#include <cstddef>
#include <cstdint>
#include <span>

namespace bindery::smpp {

struct CodecLimits {
    // Largest command_length accepted (the reference recommends rejecting > 64 KiB; Kannel: 7424).
    std::uint32_t max_pdu_size = 64 * 1024;
};

enum class FrameStatus : std::uint8_t {
    need_more,  // fewer octets than the next PDU needs: read more
    complete,   // the first frame_size octets are one PDU: decode them, then consume
    malformed,  // command_length < 16 or > max_pdu_size: the stream cannot be trusted, close
};

struct FrameScan {
    FrameStatus status = FrameStatus::need_more;
    std::size_t frame_size = 0;  // complete: PDU size; need_more: octets needed in total (0 if
                                 // the length is not readable yet); malformed: 0
    std::uint32_t command_length = 0;  // as read (when at least 4 octets were buffered)
};

[[nodiscard]] FrameScan scan_frame(std::span<const std::uint8_t> buffered,
                                   const CodecLimits& limits = {}) noexcept;

}  // namespace bindery::smpp
