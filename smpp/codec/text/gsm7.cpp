#include "smpp/codec/text/gsm7.hpp"

#include "smpp/codec/text/utf8.hpp"

namespace bindery::smpp {

namespace {

constexpr std::array<char32_t, 128> kDefault = {
    // 0x00
    0x0040,
    0x00A3,
    0x0024,
    0x00A5,
    0x00E8,
    0x00E9,
    0x00F9,
    0x00EC,
    0x00F2,
    0x00C7,
    0x000A,
    0x00D8,
    0x00F8,
    0x000D,
    0x00C5,
    0x00E5,
    // 0x10
    0x0394,
    0x005F,
    0x03A6,
    0x0393,
    0x039B,
    0x03A9,
    0x03A0,
    0x03A8,
    0x03A3,
    0x0398,
    0x039E,
    0x001B,
    0x00C6,
    0x00E6,
    0x00DF,
    0x00C9,
    // 0x20
    0x0020,
    0x0021,
    0x0022,
    0x0023,
    0x00A4,
    0x0025,
    0x0026,
    0x0027,
    0x0028,
    0x0029,
    0x002A,
    0x002B,
    0x002C,
    0x002D,
    0x002E,
    0x002F,
    // 0x30
    0x0030,
    0x0031,
    0x0032,
    0x0033,
    0x0034,
    0x0035,
    0x0036,
    0x0037,
    0x0038,
    0x0039,
    0x003A,
    0x003B,
    0x003C,
    0x003D,
    0x003E,
    0x003F,
    // 0x40
    0x00A1,
    0x0041,
    0x0042,
    0x0043,
    0x0044,
    0x0045,
    0x0046,
    0x0047,
    0x0048,
    0x0049,
    0x004A,
    0x004B,
    0x004C,
    0x004D,
    0x004E,
    0x004F,
    // 0x50
    0x0050,
    0x0051,
    0x0052,
    0x0053,
    0x0054,
    0x0055,
    0x0056,
    0x0057,
    0x0058,
    0x0059,
    0x005A,
    0x00C4,
    0x00D6,
    0x00D1,
    0x00DC,
    0x00A7,
    // 0x60
    0x00BF,
    0x0061,
    0x0062,
    0x0063,
    0x0064,
    0x0065,
    0x0066,
    0x0067,
    0x0068,
    0x0069,
    0x006A,
    0x006B,
    0x006C,
    0x006D,
    0x006E,
    0x006F,
    // 0x70
    0x0070,
    0x0071,
    0x0072,
    0x0073,
    0x0074,
    0x0075,
    0x0076,
    0x0077,
    0x0078,
    0x0079,
    0x007A,
    0x00E4,
    0x00F6,
    0x00F1,
    0x00FC,
    0x00E0,
};

constexpr std::array<Gsm7ExtensionEntry, 10> kExtension = {{
    {0x0A, 0x000C},
    {0x14, 0x005E},
    {0x28, 0x007B},
    {0x29, 0x007D},
    {0x2F, 0x005C},
    {0x3C, 0x005B},
    {0x3D, 0x007E},
    {0x3E, 0x005D},
    {0x40, 0x007C},
    {0x65, 0x20AC},
}};

// Reverse map for U+0000-U+00FF: bit 7 = present, bit 6 unused, low 7 bits = septet; a second
// table flags the extension characters. Built once at compile time.
struct Latin1Reverse {
    std::array<std::uint8_t, 256> septet{};
    std::array<std::uint8_t, 256> kind{};  // 0 absent, 1 default, 2 extension
};

constexpr Latin1Reverse make_reverse() {
    Latin1Reverse r{};
    for (std::size_t s = 0; s < kDefault.size(); ++s) {
        const char32_t cp = kDefault[s];
        if (s == kGsm7Escape || cp > 0xFF) continue;
        r.septet[cp] = static_cast<std::uint8_t>(s);
        r.kind[cp] = 1;
    }
    for (const auto& e : kExtension) {
        if (e.code_point > 0xFF) continue;
        r.septet[e.code_point] = e.code;
        r.kind[e.code_point] = 2;
    }
    r.septet[0xE7] = 0x09;  // small c cedilla: encoded like capital (see sms-encoding.md)
    r.kind[0xE7] = 1;
    return r;
}

constexpr Latin1Reverse kReverse = make_reverse();

}  // namespace

const std::array<char32_t, 128>& gsm7_default_table() noexcept { return kDefault; }

std::span<const Gsm7ExtensionEntry> gsm7_extension_table() noexcept { return kExtension; }

std::optional<Gsm7Code> gsm7_lookup(char32_t cp) noexcept {
    if (cp <= 0xFF) {
        switch (kReverse.kind[cp]) {
            case 1: return Gsm7Code{kReverse.septet[cp], false};
            case 2: return Gsm7Code{kReverse.septet[cp], true};
            default: return std::nullopt;
        }
    }
    switch (cp) {
        case 0x0394: return Gsm7Code{0x10, false};
        case 0x03A6: return Gsm7Code{0x12, false};
        case 0x0393: return Gsm7Code{0x13, false};
        case 0x039B: return Gsm7Code{0x14, false};
        case 0x03A9: return Gsm7Code{0x15, false};
        case 0x03A0: return Gsm7Code{0x16, false};
        case 0x03A8: return Gsm7Code{0x17, false};
        case 0x03A3: return Gsm7Code{0x18, false};
        case 0x0398: return Gsm7Code{0x19, false};
        case 0x039E: return Gsm7Code{0x1A, false};
        case 0x20AC: return Gsm7Code{0x65, true};
        default: return std::nullopt;
    }
}

std::size_t gsm7_septets(char32_t cp) noexcept {
    if (cp <= 0xFF) return kReverse.kind[cp];  // kind doubles as the septet count
    const auto c = gsm7_lookup(cp);
    return c ? (c->extended ? 2U : 1U) : 0U;
}

void append_gsm7(std::vector<std::uint8_t>& out, char32_t cp) {
    const auto c = gsm7_lookup(cp);
    if (!c) return;
    if (c->extended) out.push_back(kGsm7Escape);
    out.push_back(c->septet);
}

Expected<std::vector<std::uint8_t>, TextError> encode_gsm7(std::string_view utf8) {
    std::vector<std::uint8_t> out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        const auto st = next_utf8(utf8, i);
        if (!st.valid) return Unexpected(TextError{TextErrc::invalid_utf8, i});
        const auto c = gsm7_lookup(st.code_point);
        if (!c) return Unexpected(TextError{TextErrc::unrepresentable, i});
        if (c->extended) out.push_back(kGsm7Escape);
        out.push_back(c->septet);
        i += st.length;
    }
    return out;
}

bool decode_gsm7(std::span<const std::uint8_t> septets, std::string& out) {
    bool clean = true;
    for (std::size_t i = 0; i < septets.size(); ++i) {
        const std::uint8_t s = septets[i];
        if (s > 0x7F) {
            append_utf8(out, kReplacementChar);
            clean = false;
            continue;
        }
        if (s != kGsm7Escape) {
            append_utf8(out, kDefault[s]);
            continue;
        }
        if (i + 1 == septets.size()) {  // trailing ESC: invalid, dropped
            clean = false;
            break;
        }
        const std::uint8_t code = septets[++i];
        if (code > 0x7F) {
            append_utf8(out, kReplacementChar);
            clean = false;
            continue;
        }
        bool found = false;
        for (const auto& e : kExtension) {
            if (e.code == code) {
                append_utf8(out, e.code_point);
                found = true;
                break;
            }
        }
        if (found) continue;
        clean = false;
        // ESC ESC (further extension) and undefined codes: the default-table character, or a
        // space for the escape itself.
        append_utf8(out, code == kGsm7Escape ? char32_t{0x20} : kDefault[code]);
    }
    return clean;
}

std::string decode_gsm7(std::span<const std::uint8_t> septets) {
    std::string out;
    out.reserve(septets.size());
    decode_gsm7(septets, out);
    return out;
}

void pack_septets(std::span<const std::uint8_t> septets, std::vector<std::uint8_t>& out,
                  unsigned fill_bits, bool pad_with_cr) {
    fill_bits %= 7;
    if (septets.empty()) return;
    const std::size_t base = out.size();
    const std::size_t total_bits = fill_bits + septets.size() * 7;
    out.resize(base + (total_bits + 7) / 8, 0);
    std::size_t bit = fill_bits;
    for (const std::uint8_t raw : septets) {
        const unsigned s = raw & 0x7FU;
        const std::size_t byte = base + bit / 8;
        const unsigned shift = static_cast<unsigned>(bit % 8);
        out[byte] = static_cast<std::uint8_t>(out[byte] | ((s << shift) & 0xFFU));
        if (shift > 1)
            out[byte + 1] = static_cast<std::uint8_t>(out[byte + 1] | (s >> (8 - shift)));
        bit += 7;
    }
    if (pad_with_cr && !septets.empty() && total_bits % 8 == 1) {
        out.back() = static_cast<std::uint8_t>(out.back() | (0x0DU << 1));
    }
}

std::vector<std::uint8_t> pack_septets(std::span<const std::uint8_t> septets, unsigned fill_bits,
                                       bool pad_with_cr) {
    std::vector<std::uint8_t> out;
    out.reserve(packed_size(septets.size(), fill_bits));
    pack_septets(septets, out, fill_bits, pad_with_cr);
    return out;
}

std::vector<std::uint8_t> unpack_septets(std::span<const std::uint8_t> packed, unsigned fill_bits,
                                         std::optional<std::size_t> septet_count) {
    fill_bits %= 7;
    const std::size_t bits = packed.size() * 8;
    const std::size_t avail = bits >= fill_bits ? (bits - fill_bits) / 7 : 0;
    const std::size_t count = septet_count ? std::min(*septet_count, avail) : avail;
    std::vector<std::uint8_t> out;
    out.reserve(count);
    std::size_t bit = fill_bits;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t byte = bit / 8;
        const unsigned shift = static_cast<unsigned>(bit % 8);
        unsigned v = static_cast<unsigned>(packed[byte]) >> shift;
        if (shift > 1) v |= static_cast<unsigned>(packed[byte + 1]) << (8 - shift);
        out.push_back(static_cast<std::uint8_t>(v & 0x7FU));
        bit += 7;
    }
    // A final septet made only of spare bits that reads as CR is padding (TS 23.038 6.1.2.1.1).
    // With (8n - fill) a multiple of 7 the last septet sits in the top 7 bits of the last octet.
    if (!septet_count && count > 0 && (bits - fill_bits) % 7 == 0 && out.back() == 0x0D) {
        out.pop_back();
    }
    return out;
}

}  // namespace bindery::smpp
