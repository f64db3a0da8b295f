#include "smpp/codec/frame.hpp"

#include "smpp/codec/pdu.hpp"
#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

FrameScan scan_frame(std::span<const std::uint8_t> buffered, const CodecLimits& limits) noexcept {
    if (buffered.size() < 4) return {FrameStatus::need_more, 0, 0, std::nullopt};
    const std::uint32_t length = wire::load_u32(buffered.data());
    if (length < kHeaderSize || length > limits.max_pdu_size) {
        FrameError error{CommandStatus::ESME_RINVCMDLEN, length, std::nullopt, std::nullopt};
        if (buffered.size() >= kHeaderSize) {
            error.command_id = wire::load_u32(buffered.data() + 4);
            error.sequence_number = wire::load_u32(buffered.data() + 12);
        }
        return {FrameStatus::malformed, 0, length, error};
    }
    if (buffered.size() < length) return {FrameStatus::need_more, length, length, std::nullopt};
    return {FrameStatus::complete, length, length, std::nullopt};
}

}  // namespace bindery::smpp
