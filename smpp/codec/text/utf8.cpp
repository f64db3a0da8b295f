#include "smpp/codec/text/utf8.hpp"

namespace bindery::smpp {

namespace {
constexpr bool is_cont(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }
}  // namespace

Utf8Step next_utf8(std::string_view s, std::size_t pos) noexcept {
    const auto b0 = static_cast<unsigned char>(s[pos]);
    if (b0 < 0x80U) return {static_cast<char32_t>(b0), 1, true};
    std::size_t need = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second octet (Unicode Table 3-7)
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        need = 1;
        cp = b0 & 0x1FU;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        need = 2;
        cp = b0 & 0x0FU;
        if (b0 == 0xE0U) lo = 0xA0;
        if (b0 == 0xEDU) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        need = 3;
        cp = b0 & 0x07U;
        if (b0 == 0xF0U) lo = 0x90;
        if (b0 == 0xF4U) hi = 0x8F;
    } else {
        return {kReplacementChar, 1, false};
    }
    std::size_t i = 1;
    for (; i <= need; ++i) {
        if (pos + i >= s.size()) return {kReplacementChar, i, false};
        const auto b = static_cast<unsigned char>(s[pos + i]);
        if (i == 1 ? (b < lo || b > hi) : !is_cont(b)) return {kReplacementChar, i, false};
        cp = (cp << 6) | (b & 0x3FU);
    }
    return {cp, need + 1, true};
}

void append_utf8(std::string& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0U | (cp >> 6)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0U | (cp >> 12)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xF0U | (cp >> 18)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 12) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    }
}

Expected<std::u32string, TextError> decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto st = next_utf8(s, i);
        if (!st.valid) return Unexpected(TextError{TextErrc::invalid_utf8, i});
        out.push_back(st.code_point);
        i += st.length;
    }
    return out;
}

bool is_valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const auto st = next_utf8(s, i);
        if (!st.valid) return false;
        i += st.length;
    }
    return true;
}

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto st = next_utf8(s, i);
        if (st.valid) {
            out.append(s.substr(i, st.length));
        } else {
            append_utf8(out, kReplacementChar);
        }
        i += st.length;
    }
    return out;
}

}  // namespace bindery::smpp
