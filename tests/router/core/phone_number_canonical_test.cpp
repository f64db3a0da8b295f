// normalize() builds canonical "+CC<NSN>" numbers without libphonenumber's Parse; these tests
// hold it to the Parse-based reference path, field by field, on every region's example numbers,
// on national-prefix look-alikes, and on a fixed pseudo-random sweep of '+' digit strings.
#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "router/core/phone_number.hpp"

namespace bindery::router {

struct PhoneNumberNormalizerPeer {
    static Expected<PhoneNumber, NumberError> parsed(const PhoneNumberNormalizer& n,
                                                     std::string_view raw) {
        return n.normalize_parsed(raw);
    }
    static std::optional<Expected<PhoneNumber, NumberError>> canonical(
        const PhoneNumberNormalizer& n, std::string_view raw) {
        return n.normalize_canonical(raw);
    }
};

namespace {

using i18n::phonenumbers::PhoneNumberUtil;
using Result = Expected<PhoneNumber, NumberError>;

::testing::AssertionResult same(const std::string& raw, const Result& got, const Result& want) {
    if (got.has_value() != want.has_value()) {
        return ::testing::AssertionFailure()
               << raw << ": " << (got ? "accepted as " + got->e164 : got.error().reason)
               << ", reference: " << (want ? "accepted as " + want->e164 : want.error().reason);
    }
    if (want) {
        if (got->e164 != want->e164 || got->region != want->region ||
            got->country_code != want->country_code || got->type != want->type) {
            return ::testing::AssertionFailure()
                   << raw << ": " << got->e164 << " " << got->region << " " << got->country_code
                   << " " << to_string(got->type) << ", reference: " << want->e164 << " "
                   << want->region << " " << want->country_code << " " << to_string(want->type);
        }
    } else if (got.error().code != want.error().code || got.error().reason != want.error().reason) {
        return ::testing::AssertionFailure()
               << raw << ": " << to_string(got.error().code) << " " << got.error().reason
               << ", reference: " << to_string(want.error().code) << " " << want.error().reason;
    }
    return ::testing::AssertionSuccess();
}

struct Tally {
    std::size_t cases = 0;
    std::size_t canonical = 0;  // took the path without Parse
    std::size_t accepted = 0;
};

// The canonical path's answer (when it gives one) and normalize()'s must both be the reference's.
void check(const PhoneNumberNormalizer& n, const std::string& raw, Tally& tally) {
    const auto want = PhoneNumberNormalizerPeer::parsed(n, raw);
    const auto fast = PhoneNumberNormalizerPeer::canonical(n, raw);
    ++tally.cases;
    if (want) ++tally.accepted;
    if (fast) {
        ++tally.canonical;
        EXPECT_TRUE(same(raw, *fast, want));
    }
    if (tally.cases % 8 == 0 || fast) EXPECT_TRUE(same(raw, n.normalize(raw), want));
}

std::vector<PhoneNumberNormalizer> configurations() {
    std::vector<PhoneNumberNormalizer> out;
    out.emplace_back(PhoneNumberConfig{"", false});
    out.emplace_back(PhoneNumberConfig{"IR", true});
    out.emplace_back(PhoneNumberConfig{"US", false});
    return out;
}

// Example numbers of every type of every region and non-geographic entity, as E.164, and with the
// digits of national prefixes (and of NANPA's trunk 1) between the country code and the NSN.
std::vector<std::string> example_inputs() {
    const auto& util = *PhoneNumberUtil::GetInstance();
    std::vector<i18n::phonenumbers::PhoneNumber> examples;
    std::set<std::string> regions;
    util.GetSupportedRegions(&regions);
    for (const auto& region : regions) {
        for (int t = PhoneNumberUtil::FIXED_LINE; t < PhoneNumberUtil::UNKNOWN; ++t) {
            i18n::phonenumbers::PhoneNumber example;
            if (util.GetExampleNumberForType(
                    region, static_cast<PhoneNumberUtil::PhoneNumberType>(t), &example)) {
                examples.push_back(example);
            }
        }
    }
    std::set<int> global;
    util.GetSupportedGlobalNetworkCallingCodes(&global);
    for (const int code : global) {
        i18n::phonenumbers::PhoneNumber example;
        if (util.GetExampleNumberForNonGeoEntity(code, &example)) examples.push_back(example);
    }
    std::vector<std::string> out;
    for (const auto& example : examples) {
        std::string e164;
        util.Format(example, PhoneNumberUtil::E164, &e164);
        const std::string code = "+" + std::to_string(example.country_code());
        const std::string nsn = e164.substr(code.size());
        out.push_back(e164);
        for (const char* prefix : {"0", "1", "8", "9", "00", "01", "06", "15", "90"}) {
            out.push_back(code + prefix + nsn);
        }
        out.push_back(e164.substr(0, e164.size() - 1));
        out.push_back(e164 + "5");
    }
    return out;
}

TEST(PhoneNumberNormalizerCanonical, MatchesParseOnEveryExampleNumber) {
    const auto inputs = example_inputs();
    ASSERT_GT(inputs.size(), 10'000u);
    for (const auto& n : configurations()) {
        Tally tally;
        for (const auto& raw : inputs) check(n, raw, tally);
        EXPECT_GT(tally.accepted, 500u);              // mobile_only refuses most types
        EXPECT_GT(tally.canonical, tally.cases / 2);  // the fast path is not a dead branch
    }
}

TEST(PhoneNumberNormalizerCanonical, MatchesParseOnAPseudoRandomSweep) {
    const auto& util = *PhoneNumberUtil::GetInstance();
    std::set<int> known;
    util.GetSupportedCallingCodes(&known);
    std::vector<std::string> codes;
    for (const int code : known) codes.push_back(std::to_string(code));
    // Unknown and odd ones too: Parse's refusals must come out word for word.
    for (const char* code : {"0", "00", "999", "80", "82", "83", "878", "882", "883", "888", "979",
                             "969", "210", "259", "42", "5", "6"}) {
        codes.emplace_back(code);
    }
    const auto normalizers = configurations();
    std::mt19937_64 random(20261124);  // fixed: the same cases on every run and machine
    const auto next = [&random](std::uint64_t bound) { return random() % bound; };
    Tally tally;
    constexpr std::size_t kCases = 200'000;
    for (std::size_t i = 0; i < kCases; ++i) {
        const std::size_t length = 2 + next(16);  // digits after '+': 2..17
        std::string raw = "+";
        switch (next(4)) {
            case 0: break;  // any digits at all
            case 1:
            case 2: raw += codes[next(codes.size())]; break;
            default:  // a known code, then a national-prefix-like digit
                raw += codes[next(codes.size())];
                raw += "0189"[next(4)];
                break;
        }
        while (raw.size() < 1 + length) raw += static_cast<char>('0' + next(10));
        raw.resize(1 + length);
        check(normalizers[i % normalizers.size()], raw, tally);
    }
    EXPECT_GT(tally.canonical, kCases / 3);
    EXPECT_GT(tally.accepted, kCases / 50);
    std::printf("sweep: %zu cases, %zu without Parse, %zu accepted\n", tally.cases, tally.canonical,
                tally.accepted);
}

TEST(PhoneNumberNormalizerCanonical, CommonNumbersSkipParse) {
    const PhoneNumberNormalizer n({"IR", false});
    for (const char* raw : {"+989121234567", "+14155550123", "+447700900123", "+4915123456789",
                            "+390612345678", "+79161234567", "+8613812345678"}) {
        const auto fast = PhoneNumberNormalizerPeer::canonical(n, raw);
        ASSERT_TRUE(fast.has_value()) << raw;
        EXPECT_TRUE(same(raw, *fast, PhoneNumberNormalizerPeer::parsed(n, raw)));
    }
    const auto ir = PhoneNumberNormalizerPeer::canonical(n, "+989121234567");
    ASSERT_TRUE(ir && ir->has_value());
    EXPECT_EQ((*ir)->e164, "+989121234567");
    EXPECT_EQ((*ir)->region, "IR");
    EXPECT_EQ((*ir)->type, NumberType::mobile);
    const auto it = n.normalize("+390612345678");  // Italian leading zero kept
    ASSERT_TRUE(it.has_value()) << it.error().reason;
    EXPECT_EQ(it->e164, "+390612345678");
}

TEST(PhoneNumberNormalizerCanonical, LeavesPossibleNationalPrefixesAndOtherFormsToParse) {
    const PhoneNumberNormalizer n({"IR", false});
    for (const char* raw :
         {"+9809121234567",    // IR's national prefix 0 after the code
          "+112015550123",     // NANPA's trunk 1 after the code
          "+540111523456789",  // Argentina's 0 and 15 around the area code
          "+861112345678",     // China's carrier code 11xxx
          "+0989121234567", "+999123456789", "+98 9121234567", "00989121234567", "09121234567",
          "+98912", "+9891212345678901", "+98912123456x", " +989121234567"}) {
        const std::string input = raw;
        EXPECT_FALSE(PhoneNumberNormalizerPeer::canonical(n, input).has_value()) << input;
        EXPECT_TRUE(same(input, n.normalize(input), PhoneNumberNormalizerPeer::parsed(n, input)));
    }
}

}  // namespace
}  // namespace bindery::router
