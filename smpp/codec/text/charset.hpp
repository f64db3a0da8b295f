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
// UTF-16BE, code points above U+FFFF as surrogate pairs, no BOM. Every scalar value U+0000..U+D7FF,
// U+E000..U+10FFFF is carried (noncharacters such as U+FFFE / U+FFFF too). A surrogate cannot reach
// it: UTF-8 that encodes one (ED A0 80..ED BF BF, also as a CESU-8 pair) is ill-formed and refused
// with invalid_utf8 at its offset, never sent as a lone surrogate or replaced.
[[nodiscard]] Expected<Octets, TextError> encode_ucs2(std::string_view utf8);
// Appends one code point; one that is not a scalar value (a surrogate, above U+10FFFF) goes out
// as U+FFFD, so no caller can put a lone surrogate on the wire.
void append_ucs2(Octets& out, char32_t cp);

bool decode_ia5(std::span<const std::uint8_t> in, std::string& out);     // > 0x7F -> U+FFFD
bool decode_latin1(std::span<const std::uint8_t> in, std::string& out);  // never lossy
// Unpaired surrogates (a high one not followed by a low one, a low one on its own) and an odd
// trailing octet each become U+FFFD; the unit after an unpaired high surrogate is read afresh.
bool decode_ucs2(std::span<const std::uint8_t> in, std::string& out);
bool decode_iso8859_5(std::span<const std::uint8_t> in, std::string& out);
bool decode_iso8859_8(std::span<const std::uint8_t> in, std::string& out);  // unassigned -> U+FFFD
// Octets read as UTF-8, ill-formed sequences replaced (8-bit data that carries text).
bool decode_utf8_lossy(std::span<const std::uint8_t> in, std::string& out);

}  // namespace bindery::smpp
