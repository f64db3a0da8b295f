#pragma once
// Framing: find where the next PDU ends in a byte stream. Reads only the 4-octet command_length
// (and, when that is impossible, the rest of the 16-octet header for the reply); never allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "smpp/codec/command.hpp"

namespace bindery::smpp {

struct CodecLimits {
    // Largest command_length accepted (the reference recommends rejecting > 64 KiB; Kannel: 7424).
    std::uint32_t max_pdu_size = 64 * 1024;
};

enum class FrameStatus : std::uint8_t {
    need_more,  // fewer octets than the next PDU needs: read more
    complete,   // the first frame_size octets are one PDU: decode them, then consume
    malformed,  // command_length < 16 or > max_pdu_size: answer FrameScan::error, then close
};

// Why framing was lost, and what to answer before dropping the connection (reference §2, §12):
// generic_nack with `command_status` and the peer's sequence_number when it could be read.
//
// The header fields are read from the first 16 octets buffered at the frame's start, whatever
// command_length says: with command_length < 16 those octets are still what the peer sent as a
// header. With fewer than 16 octets buffered they are not waited for (a peer that sent only a
// short length would then never be answered): command_id and sequence_number stay empty and the
// generic_nack goes out with sequence_number 0.
struct FrameError {
    CommandStatus command_status = CommandStatus::ESME_RINVCMDLEN;
    std::uint32_t command_length = 0;              // as read
    std::optional<std::uint32_t> command_id;       // when 16 octets were buffered
    std::optional<std::uint32_t> sequence_number;  // when 16 octets were buffered
    friend bool operator==(const FrameError&, const FrameError&) = default;
};

struct FrameScan {
    FrameStatus status = FrameStatus::need_more;
    std::size_t frame_size = 0;  // complete: PDU size; need_more: octets needed in total (0 if
                                 // the length is not readable yet); malformed: 0
    std::uint32_t command_length = 0;  // as read (when at least 4 octets were buffered)
    std::optional<FrameError> error;   // set exactly when malformed
};

[[nodiscard]] FrameScan scan_frame(std::span<const std::uint8_t> buffered,
                                   const CodecLimits& limits = {}) noexcept;

}  // namespace bindery::smpp
