#pragma once
// User Data Header (TS 23.040 9.2.3.24): parse incoming headers (MO), build concatenation headers.

#include "smpp/base/expected.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace bindery::smpp {

namespace iei {
inline constexpr std::uint8_t concat_8bit = 0x00;
inline constexpr std::uint8_t port_8bit = 0x04;
inline constexpr std::uint8_t port_16bit = 0x05;
inline constexpr std::uint8_t concat_16bit = 0x08;
inline constexpr std::uint8_t single_shift = 0x24;
inline constexpr std::uint8_t locking_shift = 0x25;
}  // namespace iei

inline constexpr std::size_t kConcatUdh8Size = 6;   // 05 00 03 rr tt ss
inline constexpr std::size_t kConcatUdh16Size = 7;  // 06 08 04 rr rr tt ss

struct InformationElement {
    std::uint8_t iei = 0;
    std::span<const std::uint8_t> data;
};

struct ConcatInfo {
    std::uint16_t reference = 0;
    std::uint8_t total = 0;   // 1-255
    std::uint8_t seqnum = 0;  // 1-based, <= total
    bool reference_16bit = false;
    friend bool operator==(const ConcatInfo&, const ConcatInfo&) = default;
};

enum class UdhErrc : std::uint8_t {
    empty = 1,            // udhi set but short_message is empty
    length_exceeds_data,  // UDHL points past the end of short_message
    ie_truncated,         // an IE header or its data runs past UDHL
    bad_concat_length,    // concatenation IE with IEDL other than 3 (0x00) / 4 (0x08)
};

[[nodiscard]] constexpr std::string_view to_string(UdhErrc e) noexcept {
    switch (e) {
        case UdhErrc::empty: return "empty";
        case UdhErrc::length_exceeds_data: return "length_exceeds_data";
        case UdhErrc::ie_truncated: return "ie_truncated";
        case UdhErrc::bad_concat_length: return "bad_concat_length";
    }
    return "unknown";
}

struct UdhError {
    UdhErrc code = UdhErrc::empty;
    std::size_t offset = 0;  // octet offset in short_message
    friend bool operator==(const UdhError&, const UdhError&) = default;
};

// A parsed header borrowing from short_message.
struct Udh {
    std::span<const std::uint8_t> header;      // UDHL octet + IEs
    std::span<const std::uint8_t> payload;     // what follows the header
    std::vector<InformationElement> elements;  // wire order; unknown IEs kept
    // The last well-formed concatenation IE. Values that TS 23.040 says to ignore (total 0,
    // seqnum 0 or above total) leave this empty.
    std::optional<ConcatInfo> concat;
    // Zero bits between the header and packed 7-bit text.
    [[nodiscard]] unsigned fill_bits() const noexcept {
        return static_cast<unsigned>((7 - (header.size() * 8) % 7) % 7);
    }
};

// Parses the header at the start of short_message (call when esm_class has UDHI, 0x40).
[[nodiscard]] Expected<Udh, UdhError> parse_udh(std::span<const std::uint8_t> short_message);

// Concatenation headers, UDHL included.
[[nodiscard]] std::array<std::uint8_t, kConcatUdh8Size> concat_udh8(std::uint8_t reference,
                                                                    std::uint8_t total,
                                                                    std::uint8_t seqnum) noexcept;
[[nodiscard]] std::array<std::uint8_t, kConcatUdh16Size> concat_udh16(std::uint16_t reference,
                                                                      std::uint8_t total,
                                                                      std::uint8_t seqnum) noexcept;

}  // namespace bindery::smpp
