#include "smpp/codec/text/segment.hpp"

#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/gsm7.hpp"
#include "smpp/codec/text/udh.hpp"
#include "smpp/codec/text/utf8.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::string kEuro = "\xE2\x82\xAC";          // GSM extension: 2 septets
const std::string kEmoji = "\xF0\x9F\x98\x80";     // U+1F600: 2 UTF-16 units
const std::string kSeen = "\xD8\xB3";              // Persian س: 1 UTF-16 unit
const std::string kThumb = "\xF0\x9F\x91\x8D";     // U+1F44D
const std::string kSkinTone = "\xF0\x9F\x8F\xBD";  // U+1F3FD modifier

std::string rep(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::vector<std::size_t> units_of(const EncodedMessage& m) {
    std::vector<std::size_t> u;
    for (const auto& s : m.segments) u.push_back(s.units);
    return u;
}

// Decodes every segment (UDH stripped) and joins the text.
std::string rejoin(const EncodedMessage& m, Gsm7Packing packing = Gsm7Packing::unpacked) {
    std::string out;
    const DecodeOptions d{SmscDefaultAlphabet::gsm7, packing};
    if (m.message_payload) return decode_text(m.data_coding, *m.message_payload, d).utf8;
    for (const auto& s : m.segments) {
        const auto r = decode_user_data(m.data_coding, s.short_message, s.udhi, d);
        EXPECT_TRUE(r);
        if (r) out += r->text.utf8;
    }
    return out;
}

struct BoundaryCase {
    const char* name;
    std::string text;
    Concatenation mode;
    Alphabet alphabet;
    std::vector<std::size_t> split;  // units per segment
};

// Encodes c.text with `o` (c.mode as the concatenation) and checks the alphabet, the units per
// part, the round trip and that count_segments agrees. Returns the message for further checks.
std::optional<EncodedMessage> expect_split(const BoundaryCase& c, EncodeOptions o,
                                           std::uint16_t reference) {
    o.concatenation = c.mode;
    auto m = encode_message(c.text, reference, o);
    EXPECT_TRUE(m);
    if (!m) return std::nullopt;
    EXPECT_EQ(m->alphabet, c.alphabet);
    EXPECT_EQ(units_of(*m), c.split);
    EXPECT_EQ(rejoin(*m, o.gsm7_packing), c.text);
    const auto n = count_segments(c.text, o);
    EXPECT_TRUE(n);
    if (!n) return std::nullopt;
    EXPECT_EQ(n->segments, c.split.size());
    EXPECT_EQ(n->alphabet, c.alphabet);
    std::size_t total = 0;
    for (const auto u : c.split) total += u;
    EXPECT_EQ(n->units, total);
    EXPECT_EQ(m->units, total);
    return std::move(*m);
}

// A GSM escape pair (the euro sign) at the first cut of a 153-septet part: the same splits whether
// the parts are told apart by an 8-bit UDH or by SAR TLVs, packed or not.
std::vector<BoundaryCase> escape_pair_at_the_first_cut(Concatenation mode) {
    return {
        {"158 a + euro ends at 160", rep("a", 158) + kEuro, mode, Alphabet::gsm7, {160}},
        {"159 a + euro is 161", rep("a", 159) + kEuro, mode, Alphabet::gsm7, {153, 8}},
        {"euro on septets 152-153",
         rep("a", 151) + kEuro + rep("b", 10),
         mode,
         Alphabet::gsm7,
         {153, 10}},
        {"euro straddles 153",
         rep("a", 152) + kEuro + rep("b", 10),
         mode,
         Alphabet::gsm7,
         {152, 12}},
    };
}

TEST(Segment, SplitsExactlyAtTheBoundaries) {
    const BoundaryCase cases[] = {
        {"160 a", rep("a", 160), Concatenation::udh8, Alphabet::gsm7, {160}},
        {"161 a", rep("a", 161), Concatenation::udh8, Alphabet::gsm7, {153, 8}},
        {"306 a", rep("a", 306), Concatenation::udh8, Alphabet::gsm7, {153, 153}},
        {"307 a", rep("a", 307), Concatenation::udh8, Alphabet::gsm7, {153, 153, 1}},
        {"161 a udh16", rep("a", 161), Concatenation::udh16, Alphabet::gsm7, {152, 9}},
        {"158 a + euro", rep("a", 158) + kEuro, Concatenation::udh8, Alphabet::gsm7, {160}},
        {"159 a + euro", rep("a", 159) + kEuro, Concatenation::udh8, Alphabet::gsm7, {153, 8}},
        // sms-encoding.md 6.4 "152 a + euro": the pair moves to the next part (with more text after
        // it; 154 septets alone would fit one SMS).
        {"152 a + euro moves",
         rep("a", 152) + kEuro + rep("b", 10),
         Concatenation::udh8,
         Alphabet::gsm7,
         {152, 12}},
        {"153 a + euro",
         rep("a", 153) + kEuro + rep("b", 10),
         Concatenation::udh8,
         Alphabet::gsm7,
         {153, 12}},
        {"151 a + euro udh16",
         rep("a", 151) + kEuro + rep("b", 10),
         Concatenation::udh16,
         Alphabet::gsm7,
         {151, 12}},
        {"80 euro", rep(kEuro, 80), Concatenation::udh8, Alphabet::gsm7, {160}},
        {"80 euro + a", rep(kEuro, 80) + "a", Concatenation::udh8, Alphabet::gsm7, {152, 9}},
        {"304 a udh16", rep("a", 304), Concatenation::udh16, Alphabet::gsm7, {152, 152}},
        {"305 a udh16", rep("a", 305), Concatenation::udh16, Alphabet::gsm7, {152, 152, 1}},
        {"euro straddles 2nd boundary",
         rep("a", 305) + kEuro,
         Concatenation::udh8,
         Alphabet::gsm7,
         {153, 152, 2}},
        {"70 persian", rep(kSeen, 70), Concatenation::udh8, Alphabet::ucs2, {70}},
        {"134 persian", rep(kSeen, 134), Concatenation::udh8, Alphabet::ucs2, {67, 67}},
        {"135 persian", rep(kSeen, 135), Concatenation::udh8, Alphabet::ucs2, {67, 67, 1}},
        {"emoji straddles 2nd boundary",
         rep(kSeen, 133) + kEmoji,
         Concatenation::udh8,
         Alphabet::ucs2,
         {67, 66, 2}},
        {"132 persian udh16", rep(kSeen, 132), Concatenation::udh16, Alphabet::ucs2, {66, 66}},
        {"133 persian udh16", rep(kSeen, 133), Concatenation::udh16, Alphabet::ucs2, {66, 66, 1}},
        {"71 persian", rep(kSeen, 71), Concatenation::udh8, Alphabet::ucs2, {67, 4}},
        {"71 persian udh16", rep(kSeen, 71), Concatenation::udh16, Alphabet::ucs2, {66, 5}},
        {"68 persian + emoji", rep(kSeen, 68) + kEmoji, Concatenation::udh8, Alphabet::ucs2, {70}},
        {"66 letters + emoji",
         rep(kSeen, 66) + kEmoji + rep(kSeen, 3),
         Concatenation::udh8,
         Alphabet::ucs2,
         {66, 5}},
        {"65 letters + emoji",
         rep(kSeen, 65) + kEmoji + kSeen + kSeen + kSeen + kSeen,
         Concatenation::udh8,
         Alphabet::ucs2,
         {67, 4}},
        {"66 + emoji + 10",
         rep(kSeen, 66) + kEmoji + rep(kSeen, 10),
         Concatenation::udh8,
         Alphabet::ucs2,
         {66, 12}},
        {"65 + emoji udh16",
         rep(kSeen, 65) + kEmoji + "xxxx",
         Concatenation::udh16,
         Alphabet::ucs2,
         {65, 6}},
        {"35 emoji", rep(kEmoji, 35), Concatenation::udh8, Alphabet::ucs2, {70}},
        {"36 emoji", rep(kEmoji, 36), Concatenation::udh8, Alphabet::ucs2, {66, 6}},
        {"ascii + emoji is ucs2",
         rep("a", 69) + kEmoji,
         Concatenation::udh8,
         Alphabet::ucs2,
         {67, 4}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        (void)expect_split(c, {}, 0x42);
    }
}

TEST(Segment, UdhPartsCarryReferenceTotalAndSequence) {
    const auto m = encode_message(rep("a", 400), 0x1234, {});
    ASSERT_TRUE(m);
    ASSERT_EQ(m->segments.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& s = m->segments[i];
        EXPECT_TRUE(s.udhi);
        EXPECT_FALSE(s.sar);
        const Bytes head(s.short_message.begin(), s.short_message.begin() + 6);
        EXPECT_EQ(head, (Bytes{0x05, 0x00, 0x03, 0x34, 0x03, static_cast<std::uint8_t>(i + 1)}));
    }
    EXPECT_EQ(m->segments[0].short_message.size(), 6U + 153U);
    EXPECT_EQ(m->data_coding, 0x00);

    EncodeOptions wide;
    wide.concatenation = Concatenation::udh16;
    const auto w = encode_message(rep(kSeen, 100), 0xBEEF, wide);
    ASSERT_TRUE(w);
    ASSERT_EQ(w->segments.size(), 2U);
    EXPECT_EQ(w->data_coding, 0x08);
    const auto& s1 = w->segments[1].short_message;
    EXPECT_EQ(Bytes(s1.begin(), s1.begin() + 7), (Bytes{0x06, 0x08, 0x04, 0xBE, 0xEF, 0x02, 0x02}));
    EXPECT_EQ(w->segments[0].short_message.size(), 7U + 66U * 2U);
}

TEST(Segment, NeverEndsASegmentInsideAnEscapeOrSurrogatePair) {
    for (std::size_t lead = 140; lead <= 170; ++lead) {
        for (const auto mode : {Concatenation::udh8, Concatenation::udh16, Concatenation::sar}) {
            EncodeOptions o;
            o.concatenation = mode;
            const std::string gsm = rep("a", lead) + rep(kEuro, 10) + rep("b", lead);
            const auto g = encode_message(gsm, 7, o);
            ASSERT_TRUE(g);
            for (const auto& s : g->segments) {
                ASSERT_FALSE(s.short_message.empty());
                EXPECT_NE(s.short_message.back(), kGsm7Escape) << lead;
            }
            EXPECT_EQ(rejoin(*g), gsm);
            const std::string ucs = rep(kSeen, lead / 3) + rep(kEmoji, 40) + rep(kSeen, lead / 2);
            const auto u = encode_message(ucs, 7, o);
            ASSERT_TRUE(u);
            for (const auto& s : u->segments) {
                const auto& b = s.short_message;
                ASSERT_GE(b.size(), 2U);
                const unsigned last = (unsigned{b[b.size() - 2]} << 8) | b.back();
                EXPECT_FALSE(last >= 0xD800 && last <= 0xDBFF) << lead;
            }
            EXPECT_EQ(rejoin(*u), ucs);
        }
    }
}

TEST(Segment, SarModeReturnsTlvValuesAndNoUdh) {
    EncodeOptions o;
    o.concatenation = Concatenation::sar;
    const auto m = encode_message(rep("x", 161), 0xABCD, o);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->segments.size(), 2U);
    EXPECT_EQ(units_of(*m), (std::vector<std::size_t>{153, 8}));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& s = m->segments[i];
        EXPECT_FALSE(s.udhi);
        ASSERT_TRUE(s.sar);
        EXPECT_EQ(*s.sar, (Sar{0xABCD, 2, static_cast<std::uint8_t>(i + 1)}));
    }
    EXPECT_EQ(m->segments[0].short_message, Bytes(153, 'x'));
    // A text that fits one SMS is a plain message in every mode.
    const auto single = encode_message("hello", 1, o);
    ASSERT_TRUE(single);
    ASSERT_EQ(single->segments.size(), 1U);
    EXPECT_FALSE(single->segments[0].sar);
    EXPECT_FALSE(single->segments[0].udhi);
}

// SAR parts are sized like 8-bit-UDH parts: 160 / 153 septets, 70 / 67 UTF-16 units, with an
// escape pair or a surrogate pair that would straddle a cut moved whole to the next part.
TEST(Segment, SarModeSplitsExactlyAtTheBoundaries) {
    std::vector<BoundaryCase> cases = {
        {"160 a", rep("a", 160), Concatenation::sar, Alphabet::gsm7, {160}},
        {"161 a", rep("a", 161), Concatenation::sar, Alphabet::gsm7, {153, 8}},
        {"306 a", rep("a", 306), Concatenation::sar, Alphabet::gsm7, {153, 153}},
        {"307 a", rep("a", 307), Concatenation::sar, Alphabet::gsm7, {153, 153, 1}},
        {"euro starts part 2",
         rep("a", 153) + kEuro + rep("b", 10),
         Concatenation::sar,
         Alphabet::gsm7,
         {153, 12}},
        {"brace straddles 306",
         rep("a", 305) + "{" + "c",
         Concatenation::sar,
         Alphabet::gsm7,
         {153, 152, 3}},
        {"70 persian", rep(kSeen, 70), Concatenation::sar, Alphabet::ucs2, {70}},
        {"71 persian", rep(kSeen, 71), Concatenation::sar, Alphabet::ucs2, {67, 4}},
        {"68 persian + emoji ends at 70",
         rep(kSeen, 68) + kEmoji,
         Concatenation::sar,
         Alphabet::ucs2,
         {70}},
        {"69 persian + emoji is 71",
         rep(kSeen, 69) + kEmoji,
         Concatenation::sar,
         Alphabet::ucs2,
         {67, 4}},
        {"emoji on units 66-67",
         rep(kSeen, 65) + kEmoji + rep(kSeen, 5),
         Concatenation::sar,
         Alphabet::ucs2,
         {67, 5}},
        {"emoji straddles 67",
         rep(kSeen, 66) + kEmoji + rep(kSeen, 5),
         Concatenation::sar,
         Alphabet::ucs2,
         {66, 7}},
        {"emoji starts part 2",
         rep(kSeen, 67) + kEmoji + rep(kSeen, 5),
         Concatenation::sar,
         Alphabet::ucs2,
         {67, 7}},
        {"ascii + emoji is ucs2",
         rep("a", 69) + kEmoji,
         Concatenation::sar,
         Alphabet::ucs2,
         {67, 4}},
    };
    for (auto& c : escape_pair_at_the_first_cut(Concatenation::sar)) cases.push_back(std::move(c));
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto m = expect_split(c, {}, 0x5A5A);
        ASSERT_TRUE(m);
        const auto total = static_cast<std::uint8_t>(c.split.size());
        for (std::size_t i = 0; i < m->segments.size(); ++i) {
            const auto& s = m->segments[i];
            EXPECT_FALSE(s.udhi);
            if (total == 1) {
                EXPECT_FALSE(s.sar);  // one SMS: no SAR TLVs
            } else {
                ASSERT_TRUE(s.sar);
                EXPECT_EQ(*s.sar, (Sar{0x5A5A, total, static_cast<std::uint8_t>(i + 1)}));
            }
            // No part ends inside an escape pair or a surrogate pair.
            const auto& b = s.short_message;
            ASSERT_FALSE(b.empty());
            if (c.alphabet == Alphabet::gsm7) {
                EXPECT_EQ(b.size(), s.units);
                EXPECT_NE(b.back(), kGsm7Escape);
            } else {
                EXPECT_EQ(b.size(), 2 * s.units);
                const unsigned last = (unsigned{b[b.size() - 2]} << 8) | b.back();
                EXPECT_FALSE(last >= 0xD800 && last <= 0xDBFF);
            }
        }
    }
}

// Packed 7-bit: the same cuts (an ESC is never the last septet of a part), packed after the UDH
// with its fill bits.
TEST(Segment, PackedSevenBitKeepsAnEscapeAtTheEdgeWhole) {
    std::vector<BoundaryCase> cases = {
        {"tilde straddles 152 (udh16)",
         rep("a", 151) + "~" + rep("b", 10),
         Concatenation::udh16,
         Alphabet::gsm7,
         {151, 12}},
        {"sar: euro straddles 153",
         rep("a", 152) + kEuro + rep("b", 10),
         Concatenation::sar,
         Alphabet::gsm7,
         {152, 12}},
    };
    for (auto& c : escape_pair_at_the_first_cut(Concatenation::udh8)) cases.push_back(std::move(c));
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EncodeOptions o;
        o.gsm7_packing = Gsm7Packing::packed;
        const auto m = expect_split(c, o, 0x21);
        ASSERT_TRUE(m);
        for (std::size_t i = 0; i < m->segments.size(); ++i) {
            const auto& s = m->segments[i];
            const std::size_t udh = !s.udhi ? 0 : c.mode == Concatenation::udh16 ? 7 : 6;
            // Octets: the UDH, then the septets packed after the fill bits that align them.
            const std::size_t fill = udh == 0 ? 0 : (7 - (udh * 8) % 7) % 7;
            EXPECT_EQ(s.short_message.size(), udh + (fill + 7 * s.units + 7) / 8);
            const std::span<const std::uint8_t> payload(s.short_message.data() + udh,
                                                        s.short_message.size() - udh);
            const auto septets = unpack_septets(payload, static_cast<unsigned>(fill));
            ASSERT_GE(septets.size(), s.units);
            EXPECT_NE(septets[s.units - 1], kGsm7Escape);
        }
    }
}

// Every BMP scalar value goes through the segmenter as UCS-2 and comes back (500 per message).
TEST(Segment, EveryBmpCharacterSurvivesSegmentingAsUcs2) {
    EncodeOptions o;
    o.force_alphabet = Alphabet::ucs2;
    std::string chunk;
    std::size_t n = 0;
    for (char32_t cp = 0; cp <= 0x10000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        if (cp < 0x10000) {
            append_utf8(chunk, cp);
            ++n;
        }
        if (n == 500 || (cp == 0x10000 && n > 0)) {
            const auto m = encode_message(chunk, 1, o);
            ASSERT_TRUE(m) << std::hex << static_cast<unsigned>(cp);
            EXPECT_EQ(m->units, n);
            EXPECT_EQ(m->segments.size(), (n + 66) / 67);
            ASSERT_EQ(rejoin(*m), chunk) << std::hex << static_cast<unsigned>(cp);
            chunk.clear();
            n = 0;
        }
    }
}

TEST(Segment, PayloadModeKeepsTheWholeTextInOneMessagePayload) {
    EncodeOptions o;
    o.concatenation = Concatenation::payload;
    const std::string text = rep(kSeen, 100) + kEmoji;
    const auto m = encode_message(text, 1, o);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->segments.empty());
    ASSERT_TRUE(m->message_payload);
    EXPECT_EQ(m->message_payload->size(), 102U * 2U);
    EXPECT_EQ(m->data_coding, 0x08);
    EXPECT_EQ(rejoin(*m), text);
    const auto n = count_segments(text, o);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->segments, 2U);  // what the SMSC will send
    const auto small = encode_message("hi", 1, o);
    ASSERT_TRUE(small);
    EXPECT_FALSE(small->message_payload);
    ASSERT_EQ(small->segments.size(), 1U);
    // Over the 65535-octet TLV limit.
    EncodeOptions big = o;
    const auto huge = encode_message(rep(kSeen, 33000), 1, big);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code, TextErrc::too_many_segments);
}

TEST(Segment, PackedSevenBitHonoursFillBitsAfterTheUdh) {
    EncodeOptions o;
    o.gsm7_packing = Gsm7Packing::packed;
    const std::string text = rep("a", 153) + "hellohello";
    const auto m = encode_message(text, 0x2A, o);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->segments.size(), 2U);
    EXPECT_EQ(m->segments[0].short_message.size(), 140U);  // 6 + ceil((1 + 153*7) / 8)
    EXPECT_EQ(m->segments[1].short_message, (Bytes{0x05, 0x00, 0x03, 0x2A, 0x02, 0x02, 0xD0, 0x65,
                                                   0x36, 0xFB, 0x8D, 0x2E, 0xB3, 0xD9, 0x6F}));
    EXPECT_EQ(rejoin(*m, Gsm7Packing::packed), text);
    const auto single = encode_message(rep("a", 160), 1, o);
    ASSERT_TRUE(single);
    EXPECT_EQ(single->segments[0].short_message.size(), 140U);

    o.concatenation = Concatenation::udh16;  // 7-octet UDH: no fill bits
    const auto w = encode_message(rep("a", 152) + "hellohello", 1, o);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->segments[1].short_message,
              (Bytes{0x06, 0x08, 0x04, 0x00, 0x01, 0x02, 0x02, 0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97,
                     0xD9, 0xEC, 0x37}));
    EXPECT_EQ(w->segments[0].short_message.size(), 7U + 133U);
}

TEST(Segment, ChoosesTheCheapestAlphabet) {
    EXPECT_EQ(*choose_alphabet("Hello {world} \xE2\x82\xAC"), Alphabet::gsm7);
    EXPECT_EQ(*choose_alphabet("caf\xC3\xA9"), Alphabet::gsm7);  // é is GSM
    EXPECT_EQ(*choose_alphabet("\xC3\xA1"
                               "bc"),
              Alphabet::ucs2);  // á is not
    EXPECT_EQ(*choose_alphabet("it`s"), Alphabet::ucs2);
    EncodeOptions latin;
    latin.allow_latin1 = true;
    EXPECT_EQ(*choose_alphabet("\xC3\xA1"
                               "bc",
                               latin),
              Alphabet::latin1);
    EXPECT_EQ(*choose_alphabet("\xE2\x80\x9Cq\xE2\x80\x9D", latin), Alphabet::ucs2);
    const auto l = encode_message(rep("\xC3\xA1", 141), 3, latin);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->data_coding, 0x03);
    EXPECT_EQ(units_of(*l), (std::vector<std::size_t>{134, 7}));
    EXPECT_EQ(rejoin(*l), rep("\xC3\xA1", 141));
    EncodeOptions ia5;
    ia5.smsc_default = SmscDefaultAlphabet::ia5;
    const auto a = encode_message("@home $5", 1, ia5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->alphabet, Alphabet::ia5);
    EXPECT_EQ(a->data_coding, 0x00);
    EXPECT_EQ(a->segments[0].short_message, (Bytes{'@', 'h', 'o', 'm', 'e', ' ', '$', '5'}));
}

// The allowed alphabet with the fewest segments wins; ties go to the carrier's default, then GSM,
// IA5, Latin-1; UCS-2 only when nothing else carries the text.
TEST(Segment, ChoosesTheAllowedAlphabetWithTheFewestSegments) {
    struct Case {
        const char* name;
        std::string text;
        bool latin1, ia5;
        Alphabet alphabet;
        std::uint8_t data_coding;
        std::vector<std::size_t> split;
    };
    const std::vector<Case> cases = {
        // 100 extension characters: 200 septets (2 SMS) in GSM, 100 octets (1 SMS) in Latin-1.
        {"100 braces, default options",
         rep("{", 100),
         false,
         false,
         Alphabet::gsm7,
         0x00,
         {152, 48}},
        {"100 braces, latin1 allowed", rep("{", 100), true, false, Alphabet::latin1, 0x03, {100}},
        {"100 braces, ia5 allowed", rep("{", 100), false, true, Alphabet::ia5, 0x01, {100}},
        {"100 braces, both: tie to ia5", rep("{", 100), true, true, Alphabet::ia5, 0x01, {100}},
        // 119 + 21 escapes: 161 septets (2 SMS) against 140 octets (1 SMS).
        {"escapes over the edge: latin1",
         rep("a", 119) + rep("[", 21),
         true,
         false,
         Alphabet::latin1,
         0x03,
         {140}},
        {"escapes over the edge, e-acute: latin1",
         "\xC3\xA9" + rep("a", 118) + rep("~", 21),
         true,
         false,
         Alphabet::latin1,
         0x03,
         {140}},
        // 120 + 20 escapes: 160 septets, 140 octets: one SMS each, the tie goes to GSM.
        {"escapes to the edge: tie to gsm",
         rep("a", 120) + rep("]", 20),
         true,
         true,
         Alphabet::gsm7,
         0x00,
         {160}},
        // 150 + 5 escapes: 160 septets (1 SMS) against 155 octets (2 SMS).
        {"few escapes: gsm", rep("a", 150) + rep("|", 5), true, true, Alphabet::gsm7, 0x00, {160}},
        // Two parts either way (306 septets / 268 octets hold them): GSM.
        {"two parts either way: gsm",
         rep("a", 250) + rep("^", 10),
         true,
         true,
         Alphabet::gsm7,
         0x00,
         {153, 117}},
        // 3 GSM parts (310 septets) against 2 Latin-1 parts (260 octets).
        {"three against two: latin1",
         rep("a", 210) + rep("\\", 50),
         true,
         false,
         Alphabet::latin1,
         0x03,
         {134, 126}},
        // Not GSM: Latin-1 when allowed, else UCS-2; not Latin-1 either: UCS-2.
        {"a-acute: latin1",
         "\xC3\xA1"
         "bc",
         true,
         false,
         Alphabet::latin1,
         0x03,
         {3}},
        {"a-acute, latin1 off: ucs2",
         "\xC3\xA1"
         "bc",
         false,
         true,
         Alphabet::ucs2,
         0x08,
         {3}},
        {"persian: ucs2", kSeen + "{", true, true, Alphabet::ucs2, 0x08, {2}},
        {"emoji: ucs2", "{" + kEmoji, true, true, Alphabet::ucs2, 0x08, {3}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EncodeOptions o;
        o.allow_latin1 = c.latin1;
        o.allow_ia5 = c.ia5;
        EXPECT_EQ(*choose_alphabet(c.text, o), c.alphabet);
        const auto m = encode_message(c.text, 5, o);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->alphabet, c.alphabet);
        EXPECT_EQ(m->data_coding, c.data_coding);
        EXPECT_EQ(units_of(*m), c.split);
        EXPECT_EQ(rejoin(*m), c.text);
        const auto n = count_segments(c.text, o);
        ASSERT_TRUE(n);
        EXPECT_EQ(n->alphabet, c.alphabet);
        EXPECT_EQ(n->segments, c.split.size());
    }
}

TEST(Segment, CarrierDefaultAlphabetIsTheOnlyDataCodingZero) {
    // A carrier whose data_coding 0 is Latin-1 or IA5 never gets GSM 7-bit (it has no other value).
    EncodeOptions latin;
    latin.smsc_default = SmscDefaultAlphabet::latin1;
    const auto l = encode_message(rep("{", 100), 1, latin);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->alphabet, Alphabet::latin1);
    EXPECT_EQ(l->data_coding, 0x00);
    EXPECT_EQ(*choose_alphabet("caf\xC3\xA9", latin), Alphabet::latin1);
    latin.allow_ia5 = true;  // a tie with the default goes to the default
    EXPECT_EQ(*choose_alphabet("plain", latin), Alphabet::latin1);
    EncodeOptions ia5;
    ia5.smsc_default = SmscDefaultAlphabet::ia5;
    EXPECT_EQ(*choose_alphabet("caf\xC3\xA9", ia5), Alphabet::ucs2);
    ia5.allow_latin1 = true;
    const auto e = encode_message("caf\xC3\xA9", 1, ia5);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->alphabet, Alphabet::latin1);
    EXPECT_EQ(e->data_coding, 0x03);
}

TEST(Segment, ForcedAlphabetRefusesWhatItCannotCarry) {
    EncodeOptions o;
    o.force_alphabet = Alphabet::gsm7;
    const auto r = encode_message("ok " + kSeen, 1, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), (TextError{TextErrc::unrepresentable, 3}));
    o.force_alphabet = Alphabet::ucs2;
    const auto u = encode_message("abc", 1, o);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->segments[0].short_message, (Bytes{0, 'a', 0, 'b', 0, 'c'}));
    o.force_alphabet = Alphabet::cyrillic;
    EXPECT_EQ(encode_message("abc", 1, o).error().code, TextErrc::unsupported_alphabet);
    o.force_alphabet = Alphabet::binary;  // UTF-8 octets, never split inside a sequence
    const auto b = encode_message(rep("a", 133) + kEmoji + "zzzzz", 1, o);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->data_coding, 0x04);
    EXPECT_EQ(units_of(*b), (std::vector<std::size_t>{133, 9}));
}

TEST(Segment, RejectsInvalidUtf8AndTooManySegments) {
    const auto bad = encode_message(std::string("abc\xF0\x9F", 5), 1, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), (TextError{TextErrc::invalid_utf8, 3}));
    EXPECT_FALSE(count_segments(std::string("\xED\xA0\x80", 3), {}));
    EncodeOptions o;
    o.max_segments = 3;
    EXPECT_TRUE(encode_message(rep("a", 459), 1, o));
    const auto over = encode_message(rep("a", 460), 1, o);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, TextErrc::too_many_segments);
    EXPECT_EQ(count_segments(rep("a", 460), o).error().code, TextErrc::too_many_segments);
    o.max_segments = 1000;  // clamped to 255
    EXPECT_TRUE(count_segments(rep("a", 255 * 153), o));
    EXPECT_FALSE(count_segments(rep("a", 255 * 153 + 1), o));
}

TEST(Segment, EmptyTextIsOneEmptyMessage) {
    const auto m = encode_message("", 1, {});
    ASSERT_TRUE(m);
    ASSERT_EQ(m->segments.size(), 1U);
    EXPECT_TRUE(m->segments[0].short_message.empty());
    EXPECT_EQ(count_segments("", {})->segments, 1U);
}

TEST(Segment, KeepClustersMovesModifierSequencesTogether) {
    const std::string text = rep(kSeen, 65) + kThumb + kSkinTone + rep(kSeen, 5);
    const auto plain = encode_message(text, 1, {});
    ASSERT_TRUE(plain);
    EXPECT_EQ(units_of(*plain), (std::vector<std::size_t>{67, 7}));
    EncodeOptions o;
    o.keep_clusters = true;
    const auto kept = encode_message(text, 1, o);
    ASSERT_TRUE(kept);
    EXPECT_EQ(units_of(*kept), (std::vector<std::size_t>{65, 9}));
    EXPECT_EQ(rejoin(*kept), text);
    EXPECT_EQ(count_segments(text, o)->segments, 2U);
}

TEST(Segment, BinaryDataSplitsOnOctets) {
    Bytes data(300);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
    const auto m = encode_binary(data, 9, {});
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data_coding, 0x04);
    EXPECT_EQ(units_of(*m), (std::vector<std::size_t>{134, 134, 32}));
    Bytes joined;
    for (const auto& s : m->segments)
        joined.insert(joined.end(), s.short_message.begin() + 6, s.short_message.end());
    EXPECT_EQ(joined, data);
    EXPECT_EQ(encode_binary(Bytes(140, 1), 9, {})->segments.size(), 1U);
}

}  // namespace
}  // namespace bindery::smpp

namespace bindery::smpp {
namespace {

TEST(Segment, TransliterationIsOptInAndOnlyForTypography) {
    const std::string typo =
        "\xE2\x80\x9CHi\xE2\x80\x9D \xE2\x80\x94 it\xE2\x80\x99s\xE2\x80\xA6\xC2\xA0ok";  // “Hi” —
                                                                                          // it’s…
                                                                                          // ok
    EXPECT_EQ(*choose_alphabet(typo), Alphabet::ucs2);
    EncodeOptions o;
    o.transliterate = true;
    const auto m = encode_message(typo, 1, o);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->transliterated);
    EXPECT_EQ(m->alphabet, Alphabet::gsm7);
    EXPECT_EQ(decode_text(0, m->segments[0].short_message).utf8, "\"Hi\" - it's... ok");
    const auto n = count_segments(typo, o);
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->transliterated);
    EXPECT_EQ(n->units, 17U);
    // Text that stays non-GSM (Persian) is sent untouched as UCS-2.
    const auto p = encode_message("\xE2\x80\x9C\xD8\xB3\xE2\x80\x9D", 1, o);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->transliterated);
    EXPECT_EQ(p->alphabet, Alphabet::ucs2);
    EXPECT_EQ(decode_text(8, p->segments[0].short_message).utf8,
              "\xE2\x80\x9C\xD8\xB3\xE2\x80\x9D");
    EXPECT_FALSE(transliterate_to_gsm7("plain"));
    EXPECT_EQ(transliterate_to_gsm7("a\xE2\x80\x8B"
                                    "b"),
              "ab");  // zero-width space dropped
}

}  // namespace
}  // namespace bindery::smpp
