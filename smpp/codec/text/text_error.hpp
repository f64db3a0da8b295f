#pragma once
// Errors of the text layer (encoding, segmentation). Decoders of network input never fail: they
// replace what they cannot read with U+FFFD; only *local* text (UTF-8 from the router) is refused.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bindery::smpp {

enum class TextErrc : std::uint8_t {
    invalid_utf8 = 1,      // the input is not well-formed UTF-8 (offset = first bad octet)
    unrepresentable,       // a forced alphabet cannot represent a code point (offset = its octet)
    unsupported_alphabet,  // the alphabet has no encoder here (JIS, Cyrillic, ...)
    too_many_segments,     // more than EncodeOptions::max_segments (or 255) parts
    too_long,              // message_payload over 65535 octets
};

struct TextError {
    TextErrc code = TextErrc::invalid_utf8;
    std::size_t offset = 0;  // octet offset in the UTF-8 input, where meaningful
    friend bool operator==(const TextError&, const TextError&) = default;
};

[[nodiscard]] constexpr std::string_view to_string(TextErrc e) noexcept {
    switch (e) {
        case TextErrc::invalid_utf8: return "invalid_utf8";
        case TextErrc::unrepresentable: return "unrepresentable";
        case TextErrc::unsupported_alphabet: return "unsupported_alphabet";
        case TextErrc::too_many_segments: return "too_many_segments";
        case TextErrc::too_long: return "too_long";
    }
    return "unknown";
}

}  // namespace bindery::smpp
