#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string dec(bool (*f)(std::span<const std::uint8_t>, std::string&), const Bytes& in,
                bool* clean = nullptr) {
    std::string out;
    const bool c = f(in, out);
    if (clean) *clean = c;
    return out;
}

TEST(Utf8, RejectsIllFormedSequencesAtTheirOffset) {
    struct Case {
        std::string in;
        std::size_t offset;
    };
    const Case cases[] = {
        {std::string("\xC0\xAF", 2), 0},          // overlong
        {std::string("a\xE0\x80\xAF", 4), 1},     // overlong 3-octet
        {std::string("ab\xED\xA0\x80", 5), 2},    // UTF-8 encoded surrogate
        {std::string("\xF4\x90\x80\x80", 4), 0},  // above U+10FFFF
        {std::string("xyz\xE2\x82", 5), 3},       // truncated
        {std::string("\x80", 1), 0},              // lone continuation
        {std::string("\xFF", 1), 0},
        {std::string("a\xC3"
                     "b",
                     3),
         1},  // missing continuation
    };
    for (const auto& c : cases) {
        const auto r = decode_utf8(c.in);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), (TextError{TextErrc::invalid_utf8, c.offset}));
        EXPECT_FALSE(is_valid_utf8(c.in));
    }
}

TEST(Utf8, DecodesEveryLength) {
    const auto r = decode_utf8("A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (std::u32string{0x41, 0xE9, 0x20AC, 0x1F600}));
    std::string back;
    for (const char32_t c : *r) append_utf8(back, c);
    EXPECT_EQ(back, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Utf8, SanitizeReplacesEachBadSequence) {
    EXPECT_EQ(sanitize_utf8(std::string("a\xFF"
                                        "b\xE2\x82",
                                        5)),
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD");
}

TEST(Ucs2, EncodesEmojiAsSurrogatePair) {
    const auto r = encode_ucs2("Hi \xF0\x9F\x98\x80");  // "Hi 😀"
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Bytes{0x00, 0x48, 0x00, 0x69, 0x00, 0x20, 0xD8, 0x3D, 0xDE, 0x00}));
    EXPECT_EQ(dec(decode_ucs2, *r), "Hi \xF0\x9F\x98\x80");
}

TEST(Ucs2, EncodesPersianBigEndianWithoutBom) {
    const auto r = encode_ucs2("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85");  // سلام
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Bytes{0x06, 0x33, 0x06, 0x44, 0x06, 0x27, 0x06, 0x45}));
}

TEST(Ucs2, DecodesUnpairedSurrogatesAndOddLengthAsReplacement) {
    bool clean = true;
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xD8, 0x3D, 0x00, 0x41}, &clean),
              "\xEF\xBF\xBD"
              "A");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xDE, 0x00}, &clean), "\xEF\xBF\xBD");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0x00, 0x41, 0x00}, &clean), "A\xEF\xBF\xBD");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xD8, 0x3D}, &clean), "\xEF\xBF\xBD");
    EXPECT_EQ(dec(decode_ucs2, Bytes{0x20, 0xAC}, &clean), "\xE2\x82\xAC");
    EXPECT_TRUE(clean);
}

std::string utf8_of(char32_t cp) {
    std::string s;
    append_utf8(s, cp);
    return s;
}

Bytes be16(std::initializer_list<unsigned> units) {
    Bytes out;
    for (const unsigned u : units) {
        out.push_back(static_cast<std::uint8_t>(u >> 8));
        out.push_back(static_cast<std::uint8_t>(u & 0xFF));
    }
    return out;
}

TEST(Ucs2, EveryBmpScalarValueRoundTrips) {
    std::string all;
    Bytes all_units;
    for (char32_t cp = 0; cp <= 0xFFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        const std::string one = utf8_of(cp);
        const auto r = encode_ucs2(one);
        ASSERT_TRUE(r) << std::hex << static_cast<unsigned>(cp);
        ASSERT_EQ(*r, be16({static_cast<unsigned>(cp)})) << std::hex << static_cast<unsigned>(cp);
        bool clean = false;
        ASSERT_EQ(dec(decode_ucs2, *r, &clean), one) << std::hex << static_cast<unsigned>(cp);
        ASSERT_TRUE(clean) << std::hex << static_cast<unsigned>(cp);
        all += one;
        all_units.insert(all_units.end(), r->begin(), r->end());
    }
    // And as one text: 63,488 code points, 126,976 octets.
    const auto r = encode_ucs2(all);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->size(), 2U * (0x10000 - 0x800));
    EXPECT_EQ(*r, all_units);
    bool clean = false;
    EXPECT_EQ(dec(decode_ucs2, *r, &clean), all);
    EXPECT_TRUE(clean);
}

TEST(Ucs2, EdgesOfTheSurrogateRangeAndOfUnicode) {
    struct Edge {
        char32_t cp;
        Bytes utf16be;
    };
    const Edge edges[] = {
        {0x0000, be16({0x0000})},           {0xD7FF, be16({0xD7FF})},
        {0xE000, be16({0xE000})},           {0xFFFD, be16({0xFFFD})},
        {0xFFFE, be16({0xFFFE})},           {0xFFFF, be16({0xFFFF})},
        {0x10000, be16({0xD800, 0xDC00})},  {0x1F600, be16({0xD83D, 0xDE00})},
        {0x10FFFF, be16({0xDBFF, 0xDFFF})},
    };
    for (const auto& e : edges) {
        SCOPED_TRACE(static_cast<unsigned>(e.cp));
        const std::string text = utf8_of(e.cp);
        const auto r = encode_ucs2(text);
        ASSERT_TRUE(r);
        EXPECT_EQ(*r, e.utf16be);
        bool clean = false;
        EXPECT_EQ(dec(decode_ucs2, e.utf16be, &clean), text);
        EXPECT_TRUE(clean);
        Bytes appended;
        append_ucs2(appended, e.cp);
        EXPECT_EQ(appended, e.utf16be);
    }
}

// The rule: a surrogate in the input is ill-formed UTF-8 and refused at its offset (never sent
// alone, never silently replaced); append_ucs2 given one writes U+FFFD.
TEST(Ucs2, RefusesSurrogatesOnEncode) {
    struct Bad {
        std::string utf8;
        std::size_t offset;
    };
    const Bad bad[] = {
        {"\xED\xA0\x80", 0},    // U+D800, high
        {"ab\xED\xAF\xBF", 2},  // U+DBFF
        {"\xED\xB0\x80"
         "z",
         0},                              // U+DC00, low
        {"x\xED\xBF\xBF", 1},             // U+DFFF
        {"\xED\xA0\xBD\xED\xB8\x80", 0},  // U+1F600 as a CESU-8 surrogate pair
        {"\xF4\x90\x80\x80", 0},          // U+110000
    };
    for (const auto& b : bad) {
        SCOPED_TRACE(b.utf8);
        const auto r = encode_ucs2(b.utf8);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), (TextError{TextErrc::invalid_utf8, b.offset}));
    }
    for (const char32_t cp : {char32_t{0xD800}, char32_t{0xDBFF}, char32_t{0xDC00},
                              char32_t{0xDFFF}, char32_t{0x110000}}) {
        Bytes out;
        append_ucs2(out, cp);
        EXPECT_EQ(out, be16({0xFFFD})) << std::hex << static_cast<unsigned>(cp);
    }
}

TEST(Ucs2, ReplacesLoneSurrogatesOnDecode) {
    const std::string fffd = "\xEF\xBF\xBD";
    struct Case {
        Bytes in;
        std::string out;
    };
    const Case cases[] = {
        {be16({0xD800}), fffd},                                       // high at the end
        {be16({0xDBFF, 0x0041}), fffd + "A"},                         // high then a BMP unit
        {be16({0xDC00}), fffd},                                       // low alone
        {be16({0xDFFF, 0xD800}), fffd + fffd},                        // reversed pair
        {be16({0xD800, 0xD800, 0xDC00}), fffd + "\xF0\x90\x80\x80"},  // high, then a good pair
        {be16({0x0041, 0xDC00, 0x0042}), "A" + fffd + "B"},
        {be16({0xDBFF, 0xDFFF}), "\xF4\x8F\xBF\xBF"},  // U+10FFFF, clean
    };
    for (const auto& c : cases) {
        bool clean = true;
        EXPECT_EQ(dec(decode_ucs2, c.in, &clean), c.out);
        EXPECT_EQ(clean, c.out.find(fffd) == std::string::npos);
    }
}

TEST(Latin1, RoundTripsEveryOctet) {
    Bytes all;
    for (unsigned b = 0; b < 256; ++b) all.push_back(static_cast<std::uint8_t>(b));
    const std::string utf8 = dec(decode_latin1, all);
    const auto back = encode_latin1(utf8);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, all);
}

TEST(Latin1, RefusesCodePointsAboveFF) {
    const auto r = encode_latin1("caf\xC3\xA9 \xE2\x82\xAC");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), (TextError{TextErrc::unrepresentable, 6}));
}

TEST(Ia5, AsciiOnly) {
    EXPECT_EQ(*encode_ia5("Hi {x}"), (Bytes{'H', 'i', ' ', '{', 'x', '}'}));
    EXPECT_FALSE(encode_ia5("\xC3\xA9"));
    bool clean = true;
    EXPECT_EQ(dec(decode_ia5, Bytes{'o', 'k', 0xE9}, &clean), "ok\xEF\xBF\xBD");
    EXPECT_FALSE(clean);
}

TEST(Iso8859, CyrillicAndHebrewSamples) {
    EXPECT_EQ(dec(decode_iso8859_5, Bytes{0xBF, 0xE0, 0xD8, 0xD2, 0xD5, 0xE2, 0xF0}),
              "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82\xE2\x84\x96");  // Привет№
    bool clean = true;
    EXPECT_EQ(dec(decode_iso8859_8, Bytes{0xF9, 0xEC, 0xE5, 0xED, 0xC0}, &clean),
              "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\xEF\xBF\xBD");  // שלום + unassigned
    EXPECT_FALSE(clean);
}

}  // namespace
}  // namespace bindery::smpp
