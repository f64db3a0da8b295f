#pragma once
// GSM 03.38 (3GPP TS 23.038) default alphabet + extension table, unpacked septets (one per octet,
// what most SMPP carriers take for data_coding 0) and packed 7-bit with UDH fill bits.

#include "smpp/base/expected.hpp"
#include "smpp/codec/text/text_error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::smpp {

inline constexpr std::uint8_t kGsm7Escape = 0x1B;

// Septet -> Unicode for the default table. Entry 0x1B is the escape (kept as U+001B here; it is
// never a character of its own).
[[nodiscard]] const std::array<char32_t, 128>& gsm7_default_table() noexcept;

struct Gsm7ExtensionEntry {
    std::uint8_t code;  // the septet that follows ESC
    char32_t code_point;
};
// The ten characters of the extension table (form feed, ^ { } \ [ ~ ] | €).
[[nodiscard]] std::span<const Gsm7ExtensionEntry> gsm7_extension_table() noexcept;

struct Gsm7Code {
    std::uint8_t septet = 0;
    bool extended = false;  // sent as ESC + septet (2 septets)
    friend bool operator==(const Gsm7Code&, const Gsm7Code&) = default;
};
// Where a code point lives in GSM 7-bit; both U+00C7 and U+00E7 map to 0x09.
[[nodiscard]] std::optional<Gsm7Code> gsm7_lookup(char32_t cp) noexcept;
// 1 or 2 septets, 0 when the code point is not in the default or extension table.
[[nodiscard]] std::size_t gsm7_septets(char32_t cp) noexcept;

// UTF-8 -> unpacked septets. Fails on ill-formed UTF-8 or a code point outside both tables.
[[nodiscard]] Expected<std::vector<std::uint8_t>, TextError> encode_gsm7(std::string_view utf8);
// Appends the septets of one code point (must be representable).
void append_gsm7(std::vector<std::uint8_t>& out, char32_t cp);

// Unpacked septets -> UTF-8, lossy: an octet above 0x7F becomes U+FFFD, ESC + undefined code
// becomes the default-table character of that code, a trailing ESC is dropped. Returns false when
// something was replaced or dropped.
bool decode_gsm7(std::span<const std::uint8_t> septets, std::string& out);
[[nodiscard]] std::string decode_gsm7(std::span<const std::uint8_t> septets);

// Packing (TS 23.038 6.1.2.1): septet i occupies bits fill_bits + 7i ... + 6, LSB first.
// fill_bits (0-6) are the zero bits that align text after a UDH (see udh_fill_bits).
[[nodiscard]] constexpr std::size_t packed_size(std::size_t septets,
                                                unsigned fill_bits = 0) noexcept {
    return septets == 0 ? 0 : (fill_bits + septets * 7 + 7) / 8;
}
// Fill bits after a UDH of `udh_octets` octets (UDHL included): (7 - 8n mod 7) mod 7.
[[nodiscard]] constexpr unsigned udh_fill_bits(std::size_t udh_octets) noexcept {
    return static_cast<unsigned>((7 - (udh_octets * 8) % 7) % 7);
}
// Appends the packed form. When the last octet would leave exactly 7 spare bits they are set to
// CR (0x0D) so the reader does not see a spurious '@' (TS 23.038); readers drop that CR.
void pack_septets(std::span<const std::uint8_t> septets, std::vector<std::uint8_t>& out,
                  unsigned fill_bits = 0, bool pad_with_cr = true);
[[nodiscard]] std::vector<std::uint8_t> pack_septets(std::span<const std::uint8_t> septets,
                                                     unsigned fill_bits = 0,
                                                     bool pad_with_cr = true);
// Unpacks floor((8n - fill_bits) / 7) septets, or exactly `septet_count` when the caller knows it
// (TP-UDL). Without a count, a final CR in a slot made only of spare bits is padding and dropped.
[[nodiscard]] std::vector<std::uint8_t> unpack_septets(
    std::span<const std::uint8_t> packed, unsigned fill_bits = 0,
    std::optional<std::size_t> septet_count = {});

}  // namespace bindery::smpp
