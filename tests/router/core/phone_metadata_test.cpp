#include "router/core/phone_metadata.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bindery::router {
namespace {

// The PrefixStarts of a list of beginnings: "d" (the match may be that digit alone) or "de".
PrefixStarts starts(std::initializer_list<std::string_view> beginnings) {
    PrefixStarts out{};
    for (const auto b : beginnings) {
        auto& entry = out[static_cast<std::size_t>(b[0] - '0')];
        entry = static_cast<std::uint16_t>(entry |
                                           (b.size() == 1 ? kOneDigitMatch : 1u << (b[1] - '0')));
    }
    return out;
}

TEST(PatternStarts, ReadsThePatternsOfNationalPrefixesForParsing) {
    EXPECT_EQ(pattern_starts("0"), starts({"0"}));
    EXPECT_EQ(pattern_starts("06"), starts({"06"}));
    EXPECT_EQ(pattern_starts("[08]"), starts({"0", "8"}));
    EXPECT_EQ(pattern_starts("0|80?"), starts({"0", "8", "80"}));
    EXPECT_EQ(pattern_starts("0|(183[12])"), starts({"0", "18"}));
    // China: 0, or a carrier code 11xxx, 12xxx, 179xx; its mobiles 13x, 15x, 18x... do not begin
    // so.
    EXPECT_EQ(pattern_starts("0|(1(?:[12]\\d|79)\\d\\d)"), starts({"0", "11", "12", "17"}));
    EXPECT_EQ(
        pattern_starts("1|([2-9]\\d{6})$"),
        starts({"1",  "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32",
                "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46",
                "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60",
                "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74",
                "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88",
                "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99"}));
    EXPECT_EQ(pattern_starts("(?:0|90)(?:(1[245]|2[1-35]|31)(\\d{10,11}))?"),
              starts({"0", "01", "02", "03", "90"}));
    EXPECT_EQ(pattern_starts("0(?:[12]|4[45])|1"), starts({"01", "02", "04", "1"}));
    // Optional parts let what follows begin the match.
    EXPECT_EQ(pattern_starts("0?(?:(11|2(?:2(?:02?|[13]))|3(?:3(?:2[79]|6)))15)?"),
              starts({"0", "01", "02", "03", "11", "22", "33"}));
    EXPECT_EQ(pattern_starts("(?:5{0,2}|6*)7+8"), starts({"55", "57", "66", "67", "77", "78"}));
    EXPECT_EQ(pattern_starts("9{2,3}|4{0}5"), starts({"99", "5"}));
    EXPECT_EQ(pattern_starts(""), starts({}));
}

TEST(PatternStarts, AnswersAnythingForSyntaxItDoesNotKnow) {
    for (const char* pattern : {"(?=1)2", "(?!0)", ".", "a", "[^0]", "[0a]", "[0-]", "\\w", "0{",
                                "0{a}", "(0", "0)", "[0", "[]", "(?i)0", "[9-0]", "0{3,2}"}) {
        EXPECT_EQ(pattern_starts(pattern), kAnyPrefix) << pattern;
    }
}

TEST(CallingCodes, KnowTheRegionsAndNationalPrefixesOfLibphonenumber) {
    const auto& codes = calling_codes();
    EXPECT_FALSE(codes[0].known);
    EXPECT_FALSE(codes[999].known);
    EXPECT_FALSE(codes[80].known);

    EXPECT_TRUE(codes[98].known);
    EXPECT_TRUE(codes[98].single_region);
    EXPECT_EQ(codes[98].region, "IR");
    EXPECT_EQ(codes[98].national_prefix_starts, starts({"0"}));

    EXPECT_TRUE(codes[1].known);
    EXPECT_FALSE(codes[1].single_region);  // NANPA: US, CA, and the Caribbean
    EXPECT_EQ(codes[1].region, "US");
    EXPECT_EQ(codes[1].national_prefix_starts, starts({"1"}));

    EXPECT_NE(codes[1].metadata, nullptr);
    EXPECT_FALSE(codes[1].main_has_leading_digits);

    EXPECT_FALSE(codes[44].single_region);  // GB, GG, IM, JE
    EXPECT_FALSE(codes[44].main_has_leading_digits);
    EXPECT_EQ(codes[7].region, "RU");  // RU, KZ: RU is found by its leading digits
    EXPECT_TRUE(codes[7].main_has_leading_digits);
    EXPECT_EQ(codes[44].national_prefix_starts, starts({"0"}));

    EXPECT_EQ(codes[54].region, "AR");  // 0?(...15)? with the transform 9$1
    for (const char* b : {"0", "01", "02", "03", "11", "22", "33"}) {
        const auto want = starts({b})[static_cast<std::size_t>(b[0] - '0')];
        EXPECT_EQ(codes[54].national_prefix_starts[static_cast<std::size_t>(b[0] - '0')] & want,
                  want)
            << b;
    }
    EXPECT_EQ(codes[86].national_prefix_starts, starts({"0", "11", "12", "17"}));

    EXPECT_TRUE(codes[800].known);  // non-geographic: toll free
    EXPECT_EQ(codes[800].region, "001");
    EXPECT_NE(codes[800].metadata, nullptr);
    EXPECT_TRUE(codes[882].known);
    EXPECT_TRUE(codes[979].known);
}

}  // namespace
}  // namespace bindery::router
