#include "router/core/phone_number.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>
#include <string>

namespace bindery::router {
namespace {

struct Case {
    const char* raw;
    const char* e164;  // nullptr: rejected
    NumberErrc error;
};

TEST(PhoneNumberNormalizer, NormalizesNationalAndInternationalForms) {
    const PhoneNumberNormalizer n({"IR", false});
    const Case cases[] = {
        {"09123456789", "+989123456789", {}},
        {"0912 345 6789", "+989123456789", {}},
        {"+98 912 345 6789", "+989123456789", {}},
        {"00989123456789", "+989123456789", {}},  // international prefix of IR
        {"+44 7911 123456", "+447911123456", {}},
        {"+1 (650) 253-0000", "+16502530000", {}},
        {"+49 1512 3456789", "+4915123456789", {}},
    };
    for (const auto& c : cases) {
        const auto r = n.normalize(c.raw);
        ASSERT_TRUE(r.has_value()) << c.raw << ": " << r.error().reason;
        EXPECT_EQ(r->e164, c.e164) << c.raw;
    }
}

TEST(PhoneNumberNormalizer, ReportsRegionCountryCodeAndType) {
    const PhoneNumberNormalizer n({"IR", false});
    const auto ir = n.normalize("09123456789");
    ASSERT_TRUE(ir.has_value());
    EXPECT_EQ(ir->region, "IR");
    EXPECT_EQ(ir->country_code, 98u);
    EXPECT_EQ(ir->type, NumberType::mobile);
    const auto gb = n.normalize("+442079460000");
    ASSERT_TRUE(gb.has_value());
    EXPECT_EQ(gb->region, "GB");
    EXPECT_EQ(gb->type, NumberType::fixed_line);
}

TEST(PhoneNumberNormalizer, RejectsWithAReason) {
    const PhoneNumberNormalizer n({"IR", false});
    const Case cases[] = {
        {"", nullptr, NumberErrc::empty},
        {"   ", nullptr, NumberErrc::empty},
        {"hello", nullptr, NumberErrc::not_a_number},
        {"+999 123456789", nullptr, NumberErrc::invalid_country_code},
        {"+98 9", nullptr, NumberErrc::too_short},
        {"+98 912 345 6789 1234 5678", nullptr, NumberErrc::too_long},
        {"+98 199 999 9999", nullptr, NumberErrc::invalid_number},
        {"+98 912 345 678", nullptr, NumberErrc::invalid_number},  // one digit short of a mobile
        {"+1 555 0100 000", nullptr, NumberErrc::invalid_number},
    };
    for (const auto& c : cases) {
        const auto r = n.normalize(c.raw);
        ASSERT_FALSE(r.has_value()) << c.raw << " gave " << r->e164;
        EXPECT_EQ(r.error().code, c.error) << c.raw << ": " << r.error().reason;
        EXPECT_TRUE(r.error().reason.starts_with("destination: ")) << r.error().reason;
    }
}

TEST(PhoneNumberNormalizer, WithoutDefaultRegionNationalNumbersNeedACountryCode) {
    const PhoneNumberNormalizer n({"", false});
    const auto r = n.normalize("09123456789");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, NumberErrc::invalid_country_code);
    EXPECT_NE(r.error().reason.find("+CC"), std::string::npos);
    EXPECT_TRUE(n.normalize("+989123456789").has_value());
}

TEST(PhoneNumberNormalizer, MobileOnlyRefusesFixedLines) {
    const PhoneNumberNormalizer n({"GB", true});
    const auto fixed = n.normalize("020 7946 0000");
    ASSERT_FALSE(fixed.has_value());
    EXPECT_EQ(fixed.error().code, NumberErrc::not_allowed_type);
    EXPECT_TRUE(n.normalize("07911 123456").has_value());
}

// normalize() asks libphonenumber for the number type once instead of IsValidNumber and then the
// type (the same regular expressions twice): its verdict must be IsValidNumber's for every
// region, on example numbers of every type and on near misses of them.
TEST(PhoneNumberNormalizer, AcceptsExactlyWhatIsValidNumberAccepts) {
    using i18n::phonenumbers::PhoneNumberUtil;
    const auto& util = *PhoneNumberUtil::GetInstance();
    const PhoneNumberNormalizer n({"", false});
    std::set<std::string> regions;
    util.GetSupportedRegions(&regions);
    ASSERT_GT(regions.size(), 200u);
    std::size_t valid = 0;
    std::size_t invalid = 0;
    for (const auto& region : regions) {
        for (int t = PhoneNumberUtil::FIXED_LINE; t <= PhoneNumberUtil::UNKNOWN; ++t) {
            i18n::phonenumbers::PhoneNumber example;
            if (!util.GetExampleNumberForType(
                    region, static_cast<PhoneNumberUtil::PhoneNumberType>(t), &example)) {
                continue;
            }
            std::string e164;
            util.Format(example, PhoneNumberUtil::E164, &e164);
            std::string flipped = e164;
            flipped.back() = flipped.back() == '9' ? '0' : static_cast<char>(flipped.back() + 1);
            std::string first = e164;
            const auto cc = std::to_string(example.country_code());
            first[1 + cc.size()] = first[1 + cc.size()] == '1' ? '9' : '1';
            for (const std::string& raw :
                 {e164, e164 + "7", e164.substr(0, e164.size() - 1), flipped, first}) {
                i18n::phonenumbers::PhoneNumber parsed;
                if (util.Parse(raw, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) continue;
                const auto possible = util.IsPossibleNumberWithReason(parsed);
                if (possible != PhoneNumberUtil::IS_POSSIBLE &&
                    possible != PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY) {
                    continue;  // refused before the validity check
                }
                const bool expected = util.IsValidNumber(parsed);
                const auto got = n.normalize(raw);
                EXPECT_EQ(got.has_value(), expected) << region << " " << raw;
                if (got) {
                    std::string want_region;
                    util.GetRegionCodeForNumber(parsed, &want_region);
                    EXPECT_EQ(got->region, want_region) << raw;
                }
                ++(expected ? valid : invalid);
            }
        }
    }
    EXPECT_GT(valid, 1000u);
    EXPECT_GT(invalid, 100u);
}

}  // namespace
}  // namespace bindery::router
