#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string dec(bool (*f)(std::span<const std::uint8_t>, std::string&), const Bytes& in, bool* clean = nullptr) {
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
        {std::string("a\xC3" "b", 3), 1},          // missing continuation
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
    EXPECT_EQ(sanitize_utf8(std::string("a\xFF" "b\xE2\x82", 5)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
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
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xD8, 0x3D, 0x00, 0x41}, &clean), "\xEF\xBF\xBD" "A");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xDE, 0x00}, &clean), "\xEF\xBF\xBD");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0x00, 0x41, 0x00}, &clean), "A\xEF\xBF\xBD");
    EXPECT_FALSE(clean);
    EXPECT_EQ(dec(decode_ucs2, Bytes{0xD8, 0x3D}, &clean), "\xEF\xBF\xBD");
    EXPECT_EQ(dec(decode_ucs2, Bytes{0x20, 0xAC}, &clean), "\xE2\x82\xAC");
    EXPECT_TRUE(clean);
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
