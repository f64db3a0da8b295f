#pragma once
// Strict UTF-8 reading (no overlongs, no surrogates, nothing above U+10FFFF) and writing.

#include "smpp/base/expected.hpp"
#include "smpp/codec/text/text_error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace bindery::smpp {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Step {
    char32_t code_point = kReplacementChar;
    std::size_t length = 1;  // octets consumed; for an invalid sequence its maximal subpart (>= 1)
    bool valid = false;
};

// Reads the code point starting at s[pos] (pos < s.size()).
[[nodiscard]] Utf8Step next_utf8(std::string_view s, std::size_t pos) noexcept;

// Appends the UTF-8 form of cp; surrogates and values above U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// Every code point, or the offset of the first ill-formed sequence.
[[nodiscard]] Expected<std::u32string, TextError> decode_utf8(std::string_view s);

[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

// A copy with each ill-formed sequence replaced by U+FFFD (for logs and lossy paths).
[[nodiscard]] std::string sanitize_utf8(std::string_view s);

}  // namespace bindery::smpp
