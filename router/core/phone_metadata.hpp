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
// Bit 10 of a PrefixStarts entry: a match may be that one digit alone.
inline constexpr std::uint16_t kOneDigitMatch = 1u << 10;

// How the non-empty matches of a libphonenumber metadata pattern (a national prefix for parsing
// such as "0", "0|(1(?:[12]\d|79)\d\d)" or "0?(?:(11|2(?:...))15)?") can begin: entry d has
// bit e when a match may begin with the digits d e, and kOneDigitMatch when it may be d alone.
// An over-approximation: assertions count as empty, long repetitions as unbounded, and syntax it
// does not know (anything beyond digits, [..] classes of digits, \d, groups, |, ?, *, +, {n,m},
// ^ and $) gives kAnyPrefix.
using PrefixStarts = std::array<std::uint16_t, 10>;
inline constexpr PrefixStarts kAnyPrefix = {0x7FF, 0x7FF, 0x7FF, 0x7FF, 0x7FF,
                                            0x7FF, 0x7FF, 0x7FF, 0x7FF, 0x7FF};
[[nodiscard]] PrefixStarts pattern_starts(std::string_view pattern) noexcept;

struct CallingCodeInfo {
    bool known = false;  // libphonenumber has a region, or "001", for this country calling code
    // GetRegionCodeForNumber gives `region` for every number with this code (one region only).
    bool single_region = false;
    // How the national prefix for parsing of the code's main region can begin: a national
    // significant number that begins so might lose a prefix in Parse, and takes Parse.
    // kAnyPrefix when the metadata could not be read.
    PrefixStarts national_prefix_starts = kAnyPrefix;
    std::string region;  // GetRegionCodeForCountryCode: "US" for 1, "001" for 800
    // That region's metadata (for "001": the entity of this code), parsed from the same compiled-in
    // bytes PhoneNumberUtil loads; null when it could not be read.
    const i18n::phonenumbers::PhoneMetadata* metadata = nullptr;
    bool main_has_leading_digits = true;  // its leading_digits field is set
};

// Indexed by the calling code, 0..999. Built on first use, then read-only (thread-safe).
[[nodiscard]] const std::array<CallingCodeInfo, 1000>& calling_codes();

}  // namespace bindery::router
