#include "router/core/phone_metadata.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bindery::router {
namespace {

std::uint16_t digits(std::string_view set) {
    std::uint16_t out = 0;
    for (const char c : set) out = static_cast<std::uint16_t>(out | 1u << (c - '0'));
    return out;
}

TEST(PatternFirstDigits, ReadsThePatternsOfNationalPrefixesForParsing) {
    EXPECT_EQ(pattern_first_digits("0"), digits("0"));
    EXPECT_EQ(pattern_first_digits("06"), digits("0"));
    EXPECT_EQ(pattern_first_digits("[08]"), digits("08"));
    EXPECT_EQ(pattern_first_digits("0|80?"), digits("08"));
    EXPECT_EQ(pattern_first_digits("0|(183[12])"), digits("01"));
    EXPECT_EQ(pattern_first_digits("1|([2-9]\\d{6})$"), digits("123456789"));
    EXPECT_EQ(pattern_first_digits("([0-258]\\d{4})$"), digits("01258"));
    EXPECT_EQ(pattern_first_digits("(?:0|90)(?:(1[245]|2[1-35]|31)(\\d{10,11}))?"), digits("09"));
    EXPECT_EQ(pattern_first_digits("0(?:[12]|4[45])|1"), digits("01"));
    // Optional parts let what follows begin the match.
    EXPECT_EQ(pattern_first_digits("0?(?:(11|2(?:2(?:02?|[13]))|3(?:3(?:2[79]|6)))15)?"),
              digits("0123"));
    EXPECT_EQ(pattern_first_digits("(?:5{0,2}|6*)7+8"), digits("567"));
    EXPECT_EQ(pattern_first_digits("\\d"), kAllDigits);
    EXPECT_EQ(pattern_first_digits(""), 0);
}

TEST(PatternFirstDigits, AnswersAllDigitsForSyntaxItDoesNotKnow) {
    for (const char* pattern : {"(?=1)2", "(?!0)", ".", "a", "[^0]", "[0a]", "[0-]", "\\w", "0{",
                                "0{a}", "(0", "0)", "[0", "[]", "(?i)0", "[9-0]"}) {
        EXPECT_EQ(pattern_first_digits(pattern), kAllDigits) << pattern;
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
    EXPECT_EQ(codes[98].national_prefix_digits, digits("0"));

    EXPECT_TRUE(codes[1].known);
    EXPECT_FALSE(codes[1].single_region);  // NANPA: US, CA, and the Caribbean
    EXPECT_EQ(codes[1].region, "US");
    EXPECT_EQ(codes[1].national_prefix_digits, digits("1"));

    EXPECT_NE(codes[1].metadata, nullptr);
    EXPECT_FALSE(codes[1].main_has_leading_digits);

    EXPECT_FALSE(codes[44].single_region);  // GB, GG, IM, JE
    EXPECT_FALSE(codes[44].main_has_leading_digits);
    EXPECT_EQ(codes[7].region, "RU");  // RU, KZ: RU is found by its leading digits
    EXPECT_TRUE(codes[7].main_has_leading_digits);
    EXPECT_EQ(codes[44].national_prefix_digits, digits("0"));

    EXPECT_EQ(codes[54].region, "AR");  // 0?(...15)? with the transform 9$1
    EXPECT_EQ(codes[54].national_prefix_digits & digits("0123"), digits("0123"));

    EXPECT_TRUE(codes[800].known);  // non-geographic: toll free
    EXPECT_EQ(codes[800].region, "001");
    EXPECT_NE(codes[800].metadata, nullptr);
    EXPECT_TRUE(codes[882].known);
    EXPECT_TRUE(codes[979].known);
}

}  // namespace
}  // namespace bindery::router
