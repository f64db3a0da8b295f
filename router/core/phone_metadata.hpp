#pragma once
// What PhoneNumberNormalizer's fast path for the canonical "+CC..." form needs to know about
// libphonenumber's metadata, read once from the library itself (libphonenumber stays out of this
// header).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace i18n::phonenumbers {
class PhoneMetadata;
}  // namespace i18n::phonenumbers

namespace bindery::router {

// Bit d (0..9) stands for the ASCII digit '0' + d.
inline constexpr std::uint16_t kAllDigits = 0x3FF;

// The digits that can begin a non-empty match of a libphonenumber metadata pattern (a national
// prefix for parsing such as "0", "0|(183[12])" or "0?(?:(11|2(?:...))15)?"). An
// over-approximation: assertions count as empty, and syntax it does not know (anything beyond
// digits, [..] classes of digits, \d, groups, |, ?, *, +, {n,m}, ^ and $) gives kAllDigits.
[[nodiscard]] std::uint16_t pattern_first_digits(std::string_view pattern) noexcept;

struct CallingCodeInfo {
    bool known = false;  // libphonenumber has a region, or "001", for this country calling code
    // GetRegionCodeForNumber gives `region` for every number with this code (one region only).
    bool single_region = false;
    // First digits of a national significant number from which Parse might strip a national
    // prefix (the national_prefix_for_parsing of the code's main region): such numbers take
    // Parse. kAllDigits when the metadata could not be read.
    std::uint16_t national_prefix_digits = kAllDigits;
    std::string region;  // GetRegionCodeForCountryCode: "US" for 1, "001" for 800
    // That region's metadata (for "001": the entity of this code), parsed from the same compiled-in
    // bytes PhoneNumberUtil loads; null when it could not be read.
    const i18n::phonenumbers::PhoneMetadata* metadata = nullptr;
    bool main_has_leading_digits = true;  // its leading_digits field is set
};

// Indexed by the calling code, 0..999. Built on first use, then read-only (thread-safe).
[[nodiscard]] const std::array<CallingCodeInfo, 1000>& calling_codes();

}  // namespace bindery::router
