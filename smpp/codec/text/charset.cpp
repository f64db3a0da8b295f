#include "smpp/codec/text/charset.hpp"

#include "smpp/codec/text/utf8.hpp"

namespace bindery::smpp {

namespace {

template <class Fit>
Expected<Octets, TextError> encode_octets(std::string_view utf8, Fit fits) {
    Octets out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        const auto st = next_utf8(utf8, i);
        if (!st.valid) return Unexpected(TextError{TextErrc::invalid_utf8, i});
        if (!fits(st.code_point)) return Unexpected(TextError{TextErrc::unrepresentable, i});
        out.push_back(static_cast<std::uint8_t>(st.code_point));
        i += st.length;
    }
    return out;
}

std::string_view as_chars(std::span<const std::uint8_t> in) noexcept {
    return in.empty() ? std::string_view{}
                      : std::string_view(reinterpret_cast<const char*>(in.data()), in.size());
}

}  // namespace

Expected<Octets, TextError> encode_ia5(std::string_view utf8) {
    return encode_octets(utf8, [](char32_t cp) { return cp < 0x80; });
}

Expected<Octets, TextError> encode_latin1(std::string_view utf8) {
    return encode_octets(utf8, [](char32_t cp) { return cp <= 0xFF; });
}

void append_ucs2(Octets& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
    if (cp >= 0x10000) {
        const char32_t v = cp - 0x10000;
        const auto hi = static_cast<std::uint16_t>(0xD800 + (v >> 10));
        const auto lo = static_cast<std::uint16_t>(0xDC00 + (v & 0x3FF));
        out.push_back(static_cast<std::uint8_t>(hi >> 8));
        out.push_back(static_cast<std::uint8_t>(hi & 0xFF));
        out.push_back(static_cast<std::uint8_t>(lo >> 8));
        out.push_back(static_cast<std::uint8_t>(lo & 0xFF));
    } else {
        out.push_back(static_cast<std::uint8_t>(cp >> 8));
        out.push_back(static_cast<std::uint8_t>(cp & 0xFF));
    }
}

Expected<Octets, TextError> encode_ucs2(std::string_view utf8) {
    Octets out;
    out.reserve(utf8.size() * 2);
    for (std::size_t i = 0; i < utf8.size();) {
        const auto st = next_utf8(utf8, i);
        if (!st.valid) return Unexpected(TextError{TextErrc::invalid_utf8, i});
        append_ucs2(out, st.code_point);
        i += st.length;
    }
    return out;
}

bool decode_ia5(std::span<const std::uint8_t> in, std::string& out) {
    bool clean = true;
    for (const std::uint8_t b : in) {
        if (b < 0x80) {
            out.push_back(static_cast<char>(b));
        } else {
            append_utf8(out, kReplacementChar);
            clean = false;
        }
    }
    return clean;
}

bool decode_latin1(std::span<const std::uint8_t> in, std::string& out) {
    for (const std::uint8_t b : in) append_utf8(out, b);
    return true;
}

bool decode_ucs2(std::span<const std::uint8_t> in, std::string& out) {
    bool clean = true;
    const std::size_t units = in.size() / 2;
    for (std::size_t i = 0; i < units; ++i) {
        const auto u = static_cast<char32_t>((in[2 * i] << 8) | in[2 * i + 1]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            const auto lo = static_cast<char32_t>((in[2 * i + 2] << 8) | in[2 * i + 3]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                ++i;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            append_utf8(out, kReplacementChar);
            clean = false;
            continue;
        }
        append_utf8(out, u);
    }
    if (in.size() % 2 != 0) {
        append_utf8(out, kReplacementChar);
        clean = false;
    }
    return clean;
}

bool decode_iso8859_5(std::span<const std::uint8_t> in, std::string& out) {
    for (const std::uint8_t b : in) {
        char32_t cp = b;
        if (b == 0xAD) {
            cp = 0x00AD;  // soft hyphen
        } else if (b == 0xF0) {
            cp = 0x2116;  // numero sign
        } else if (b == 0xFD) {
            cp = 0x00A7;  // section sign
        } else if (b > 0xA0) {
            cp = 0x0360 + char32_t{b};  // 0xA1 -> U+0401 ... 0xFF -> U+045F
        }
        append_utf8(out, cp);
    }
    return true;
}

bool decode_iso8859_8(std::span<const std::uint8_t> in, std::string& out) {
    bool clean = true;
    for (const std::uint8_t b : in) {
        char32_t cp = kReplacementChar;
        if (b < 0xA1 || (b >= 0xA2 && b <= 0xBE)) {
            cp = b;
            if (b == 0xAA) cp = 0x00D7;  // multiplication sign
            if (b == 0xBA) cp = 0x00F7;  // division sign
        } else if (b == 0xDF) {
            cp = 0x2017;
        } else if (b >= 0xE0 && b <= 0xFA) {
            cp = 0x05D0 + char32_t{b} - 0xE0;
        } else if (b == 0xFD) {
            cp = 0x200E;
        } else if (b == 0xFE) {
            cp = 0x200F;
        }
        if (cp == kReplacementChar) clean = false;
        append_utf8(out, cp);
    }
    return clean;
}

bool decode_utf8_lossy(std::span<const std::uint8_t> in, std::string& out) {
    const auto s = as_chars(in);
    bool clean = true;
    for (std::size_t i = 0; i < s.size();) {
        const auto st = next_utf8(s, i);
        if (st.valid) {
            out.append(s.substr(i, st.length));
        } else {
            append_utf8(out, kReplacementChar);
            clean = false;
        }
        i += st.length;
    }
    return clean;
}

}  // namespace bindery::smpp
