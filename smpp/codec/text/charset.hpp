#pragma once
// The octet charsets of SMPP data_coding: IA5/ASCII (1), Latin-1 (3), UCS-2/UTF-16BE (8), and the
// decoders for Cyrillic ISO-8859-5 (6) and Hebrew ISO-8859-8 (7). Encoders take UTF-8 and refuse
// (typed error) what they cannot represent; decoders never fail and return false when they had to
// replace something with U+FFFD.

#include "smpp/base/expected.hpp"
#include "smpp/codec/text/text_error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::smpp {

using Octets = std::vector<std::uint8_t>;

[[nodiscard]] Expected<Octets, TextError> encode_ia5(std::string_view utf8);
[[nodiscard]] Expected<Octets, TextError> encode_latin1(std::string_view utf8);
// UTF-16BE, code points above U+FFFF as surrogate pairs, no BOM.
[[nodiscard]] Expected<Octets, TextError> encode_ucs2(std::string_view utf8);
void append_ucs2(Octets& out, char32_t cp);  // cp must be a scalar value

bool decode_ia5(std::span<const std::uint8_t> in, std::string& out);     // > 0x7F -> U+FFFD
bool decode_latin1(std::span<const std::uint8_t> in, std::string& out);  // never lossy
// Unpaired surrogates and an odd trailing octet become U+FFFD.
bool decode_ucs2(std::span<const std::uint8_t> in, std::string& out);
bool decode_iso8859_5(std::span<const std::uint8_t> in, std::string& out);
bool decode_iso8859_8(std::span<const std::uint8_t> in, std::string& out);  // unassigned -> U+FFFD
// Octets read as UTF-8, ill-formed sequences replaced (8-bit data that carries text).
bool decode_utf8_lossy(std::span<const std::uint8_t> in, std::string& out);

}  // namespace bindery::smpp
