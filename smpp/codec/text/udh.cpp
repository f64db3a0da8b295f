#include "smpp/codec/text/udh.hpp"

namespace bindery::smpp {

Expected<Udh, UdhError> parse_udh(std::span<const std::uint8_t> sm) {
    if (sm.empty()) return Unexpected(UdhError{UdhErrc::empty, 0});
    const std::size_t udhl = sm[0];
    if (1 + udhl > sm.size()) return Unexpected(UdhError{UdhErrc::length_exceeds_data, 0});
    Udh udh;
    udh.header = sm.first(1 + udhl);
    udh.payload = sm.subspan(1 + udhl);
    std::size_t pos = 1;
    const std::size_t end = 1 + udhl;
    while (pos < end) {
        if (pos + 2 > end) return Unexpected(UdhError{UdhErrc::ie_truncated, pos});
        const std::uint8_t id = sm[pos];
        const std::size_t len = sm[pos + 1];
        if (pos + 2 + len > end) return Unexpected(UdhError{UdhErrc::ie_truncated, pos});
        const auto data = sm.subspan(pos + 2, len);
        if (id == iei::concat_8bit || id == iei::concat_16bit) {
            const bool wide = id == iei::concat_16bit;
            if (len != (wide ? 4U : 3U))
                return Unexpected(UdhError{UdhErrc::bad_concat_length, pos});
            ConcatInfo c;
            c.reference_16bit = wide;
            c.reference = wide ? static_cast<std::uint16_t>((data[0] << 8) | data[1]) : data[0];
            c.total = data[wide ? 2 : 1];
            c.seqnum = data[wide ? 3 : 2];
            // TS 23.040 9.2.3.24.1: such an IE is ignored, the rest of the message is kept.
            if (c.total != 0 && c.seqnum != 0 && c.seqnum <= c.total) {
                udh.concat = c;
            } else {
                udh.concat.reset();
            }
        }
        udh.elements.push_back(InformationElement{id, data});
        pos += 2 + len;
    }
    return udh;
}

std::array<std::uint8_t, kConcatUdh8Size> concat_udh8(std::uint8_t reference, std::uint8_t total,
                                                      std::uint8_t seqnum) noexcept {
    return {0x05, iei::concat_8bit, 0x03, reference, total, seqnum};
}

std::array<std::uint8_t, kConcatUdh16Size> concat_udh16(std::uint16_t reference, std::uint8_t total,
                                                        std::uint8_t seqnum) noexcept {
    return {0x06,
            iei::concat_16bit,
            0x04,
            static_cast<std::uint8_t>(reference >> 8),
            static_cast<std::uint8_t>(reference & 0xFF),
            total,
            seqnum};
}

}  // namespace bindery::smpp
