#include "smpp/codec/frame.hpp"

#include "smpp/codec/pdu.hpp"
#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

FrameScan scan_frame(std::span<const std::uint8_t> buffered, const CodecLimits& limits) noexcept {
    if (buffered.size() < 4) return {FrameStatus::need_more, 0, 0};
    const std::uint32_t length = wire::load_u32(buffered.data());
    if (length < kHeaderSize || length > limits.max_pdu_size) {
        return {FrameStatus::malformed, 0, length};
    }
    if (buffered.size() < length) return {FrameStatus::need_more, length, length};
    return {FrameStatus::complete, length, length};
}

}  // namespace bindery::smpp
