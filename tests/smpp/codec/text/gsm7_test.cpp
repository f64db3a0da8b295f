#include "smpp/codec/text/gsm7.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// sms-encoding.md 2: positions identical to ASCII, and the exact code point of every other one.
std::map<std::uint8_t, char32_t> reference_default_table() {
    std::map<std::uint8_t, char32_t> t;
    auto same = [&](unsigned from, unsigned to) {
        for (unsigned s = from; s <= to; ++s) t[static_cast<std::uint8_t>(s)] = s;
    };
    same(0x0A, 0x0A);
    same(0x0D, 0x0D);
    same(0x20, 0x23);
    same(0x25, 0x3F);
    same(0x41, 0x5A);
    same(0x61, 0x7A);
    const std::pair<std::uint8_t, char32_t> differing[] = {
        {0x00, 0x0040}, {0x01, 0x00A3}, {0x02, 0x0024}, {0x03, 0x00A5}, {0x04, 0x00E8},
        {0x05, 0x00E9}, {0x06, 0x00F9}, {0x07, 0x00EC}, {0x08, 0x00F2}, {0x09, 0x00C7},
        {0x0B, 0x00D8}, {0x0C, 0x00F8}, {0x0E, 0x00C5}, {0x0F, 0x00E5}, {0x10, 0x0394},
        {0x11, 0x005F}, {0x12, 0x03A6}, {0x13, 0x0393}, {0x14, 0x039B}, {0x15, 0x03A9},
        {0x16, 0x03A0}, {0x17, 0x03A8}, {0x18, 0x03A3}, {0x19, 0x0398}, {0x1A, 0x039E},
        {0x1C, 0x00C6}, {0x1D, 0x00E6}, {0x1E, 0x00DF}, {0x1F, 0x00C9}, {0x24, 0x00A4},
        {0x40, 0x00A1}, {0x5B, 0x00C4}, {0x5C, 0x00D6}, {0x5D, 0x00D1}, {0x5E, 0x00DC},
        {0x5F, 0x00A7}, {0x60, 0x00BF}, {0x7B, 0x00E4}, {0x7C, 0x00F6}, {0x7D, 0x00F1},
        {0x7E, 0x00FC}, {0x7F, 0x00E0},
    };
    for (const auto& [s, cp] : differing) t[s] = cp;
    return t;
}

const std::pair<std::uint8_t, char32_t> kReferenceExtension[] = {
    {0x0A, 0x000C}, {0x14, 0x005E}, {0x28, 0x007B}, {0x29, 0x007D}, {0x2F, 0x005C},
    {0x3C, 0x005B}, {0x3D, 0x007E}, {0x3E, 0x005D}, {0x40, 0x007C}, {0x65, 0x20AC},
};

std::string utf8_of(char32_t cp) {
    std::u32string s(1, cp);
    std::string out;
    // Minimal encoder for the test (independent of the library's).
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return out;
}

TEST(Gsm7Table, EveryDefaultEntryMatchesTheReference) {
    const auto ref = reference_default_table();
    ASSERT_EQ(ref.size(), 127U);  // all but ESC
    const auto& table = gsm7_default_table();
    for (const auto& [septet, cp] : ref) {
        SCOPED_TRACE(testing::Message() << "septet 0x" << std::hex << unsigned{septet});
        EXPECT_EQ(table[septet], cp);
        // Encoding the code point gives back the septet, one septet long.
        const auto code = gsm7_lookup(cp);
        ASSERT_TRUE(code.has_value());
        EXPECT_EQ(code->septet, septet);
        EXPECT_FALSE(code->extended);
        EXPECT_EQ(gsm7_septets(cp), 1U);
        // Through UTF-8 both ways.
        const auto enc = encode_gsm7(utf8_of(cp));
        ASSERT_TRUE(enc);
        EXPECT_EQ(*enc, Bytes{septet});
        EXPECT_EQ(decode_gsm7(Bytes{septet}), utf8_of(cp));
    }
}

TEST(Gsm7Table, EveryExtensionEntryMatchesTheReference) {
    const auto ext = gsm7_extension_table();
    ASSERT_EQ(ext.size(), std::size(kReferenceExtension));
    for (const auto& [code, cp] : kReferenceExtension) {
        SCOPED_TRACE(testing::Message() << "code 0x" << std::hex << unsigned{code});
        bool listed = false;
        for (const auto& e : ext) listed = listed || (e.code == code && e.code_point == cp);
        EXPECT_TRUE(listed);
        const auto c = gsm7_lookup(cp);
        ASSERT_TRUE(c.has_value());
        EXPECT_EQ(*c, (Gsm7Code{code, true}));
        EXPECT_EQ(gsm7_septets(cp), 2U);
        const auto enc = encode_gsm7(utf8_of(cp));
        ASSERT_TRUE(enc);
        EXPECT_EQ(*enc, (Bytes{0x1B, code}));
        EXPECT_EQ(decode_gsm7(Bytes{0x1B, code}), utf8_of(cp));
    }
}

TEST(Gsm7Table, SmallCCedillaEncodesLikeCapitalAndDecodesAsCapital) {
    EXPECT_EQ(gsm7_lookup(0x00E7), (Gsm7Code{0x09, false}));
    EXPECT_EQ(*encode_gsm7("\xC3\xA7"), Bytes{0x09});
    EXPECT_EQ(decode_gsm7(Bytes{0x09}), "\xC3\x87");
}

TEST(Gsm7Table, CharactersOutsideBothTablesAreUnrepresentable) {
    const char32_t outside[] = {0x0060 /* ` */,
                                0x00E1 /* á */,
                                0x00ED,
                                0x00F3,
                                0x00FA,
                                0x00E2,
                                0x00EA,
                                0x03B1 /* α */,
                                0x201C,
                                0x201D,
                                0x2018,
                                0x2019,
                                0x2013,
                                0x2014,
                                0x2026,
                                0x00A0,
                                0x0627 /* alef */,
                                0x1F600,
                                0x0009,
                                0x0000};
    for (const char32_t cp : outside) {
        SCOPED_TRACE(testing::Message() << "U+" << std::hex << static_cast<unsigned>(cp));
        EXPECT_FALSE(gsm7_lookup(cp).has_value());
        EXPECT_EQ(gsm7_septets(cp), 0U);
    }
    const auto r = encode_gsm7("ab\xE2\x80\x9C");  // a b “
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), (TextError{TextErrc::unrepresentable, 2}));
}

TEST(Gsm7Encode, DollarAndAtAreNotAscii) { EXPECT_EQ(*encode_gsm7("$@"), (Bytes{0x02, 0x00})); }

TEST(Gsm7Encode, RejectsInvalidUtf8WithItsOffset) {
    const auto r = encode_gsm7(std::string("ok\xC3", 3));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), (TextError{TextErrc::invalid_utf8, 2}));
}

TEST(Gsm7Decode, IsLossyButNeverFails) {
    std::string out;
    EXPECT_FALSE(decode_gsm7(Bytes{0x41, 0x1B}, out));  // trailing ESC dropped
    EXPECT_EQ(out, "A");
    out.clear();
    EXPECT_FALSE(decode_gsm7(Bytes{0x1B, 0x41}, out));  // ESC + undefined: default char
    EXPECT_EQ(out, "A");
    out.clear();
    EXPECT_FALSE(decode_gsm7(Bytes{0x80, 0x41}, out));  // not a septet
    EXPECT_EQ(out,
              "\xEF\xBF\xBD"
              "A");
    out.clear();
    EXPECT_FALSE(decode_gsm7(Bytes{0x1B, 0x1B}, out));  // reserved double escape
    EXPECT_EQ(out, " ");
    out.clear();
    EXPECT_TRUE(decode_gsm7(Bytes{0x1B, 0x65, 0x10}, out));
    EXPECT_EQ(out, "\xE2\x82\xAC\xCE\x94");  // € Δ
}

TEST(Gsm7Pack, HelloHelloKnownAnswer) {
    const Bytes septets = *encode_gsm7("hellohello");
    EXPECT_EQ(pack_septets(septets), (Bytes{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}));
    EXPECT_EQ(unpack_septets(pack_septets(septets)), septets);
}

TEST(Gsm7Pack, OneFillBitAfterSixOctetUdhKnownAnswer) {
    const Bytes septets = *encode_gsm7("hello");
    EXPECT_EQ(udh_fill_bits(6), 1U);
    EXPECT_EQ(udh_fill_bits(7), 0U);
    EXPECT_EQ(udh_fill_bits(4), 3U);
    EXPECT_EQ(udh_fill_bits(9), 5U);
    EXPECT_EQ(udh_fill_bits(12), 2U);
    EXPECT_EQ(pack_septets(septets, 1), (Bytes{0xD0, 0x65, 0x36, 0xFB, 0x0D}));
    EXPECT_EQ(unpack_septets(Bytes{0xD0, 0x65, 0x36, 0xFB, 0x0D}, 1), septets);
}

TEST(Gsm7Pack, SevenSpareBitsArePaddedWithCarriageReturnAndDroppedOnRead) {
    const Bytes seven = *encode_gsm7("1234567");  // 49 bits -> 7 octets, 7 spare bits
    const Bytes packed = pack_septets(seven);
    ASSERT_EQ(packed.size(), 7U);
    EXPECT_EQ(packed.back() >> 1, 0x0D);
    EXPECT_EQ(unpack_septets(packed), seven);
    // Without padding the reader would see a trailing '@'.
    const Bytes unpadded = pack_septets(seven, 0, false);
    EXPECT_EQ(unpack_septets(unpadded).size(), 8U);
    EXPECT_EQ(unpack_septets(unpadded, 0, 7U), seven);
}

TEST(Gsm7Pack, RoundTripsEveryLengthAndFill) {
    Bytes septets;
    for (std::size_t n = 0; n <= 40; ++n) {
        for (unsigned fill = 0; fill < 7; ++fill) {
            const Bytes packed = pack_septets(septets, fill);
            EXPECT_EQ(packed.size(), packed_size(n, fill));
            EXPECT_EQ(unpack_septets(packed, fill, n), septets) << n << " fill " << fill;
            EXPECT_EQ(unpack_septets(packed, fill), septets) << n << " fill " << fill;
        }
        septets.push_back(
            static_cast<std::uint8_t>((n * 37 + 1) % 128 == 0x0D ? 0x0E : (n * 37 + 1) % 128));
    }
}

TEST(Gsm7Pack, UnpackOfShortOrEmptyInputIsSafe) {
    EXPECT_TRUE(unpack_septets(Bytes{}).empty());
    EXPECT_TRUE(unpack_septets(Bytes{}, 6).empty());
    EXPECT_EQ(unpack_septets(Bytes{0xFF}, 6).size(), 0U);
    EXPECT_EQ(unpack_septets(Bytes{0xFF}, 0, 99U).size(), 1U);
}

}  // namespace
}  // namespace bindery::smpp
