#include "router/core/phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstddef>

#include "router/core/phone_metadata.hpp"

namespace bindery::router {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

NumberType map_type(PhoneNumberUtil::PhoneNumberType t) {
    switch (t) {
        case PhoneNumberUtil::FIXED_LINE: return NumberType::fixed_line;
        case PhoneNumberUtil::MOBILE: return NumberType::mobile;
        case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return NumberType::fixed_line_or_mobile;
        case PhoneNumberUtil::TOLL_FREE: return NumberType::toll_free;
        case PhoneNumberUtil::PREMIUM_RATE: return NumberType::premium_rate;
        case PhoneNumberUtil::SHARED_COST: return NumberType::shared_cost;
        case PhoneNumberUtil::VOIP: return NumberType::voip;
        case PhoneNumberUtil::PERSONAL_NUMBER: return NumberType::personal_number;
        case PhoneNumberUtil::PAGER: return NumberType::pager;
        case PhoneNumberUtil::UAN: return NumberType::uan;
        case PhoneNumberUtil::VOICEMAIL: return NumberType::voicemail;
        case PhoneNumberUtil::UNKNOWN: return NumberType::unknown;
    }
    return NumberType::unknown;
}

Unexpected<NumberError> fail(NumberErrc code, std::string reason) {
    return Unexpected(NumberError{code, "destination: " + std::move(reason)});
}

constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// PhoneNumberUtil::GetNumberTypeHelper (protected) is what GetNumberType does once it has found
// the number's region and its metadata: the number-type patterns of that metadata, in order.
class NumberTypeHelper final : public PhoneNumberUtil {
public:
    static PhoneNumberType type(const PhoneNumberUtil& util, const std::string& nsn,
                                const i18n::phonenumbers::PhoneMetadata& metadata) {
        return (util.*&NumberTypeHelper::GetNumberTypeHelper)(nsn, metadata);
    }
};

// The checks after parsing, shared by both paths. The canonical path passes its input as
// known_e164 (it is the E.164 form already), its calling code's table entry and the NSN: what
// spares Format and the region lookups. The reference path passes {}, nullptr, {}.
Expected<PhoneNumber, NumberError> classify(const PhoneNumberUtil& util,
                                            const i18n::phonenumbers::PhoneNumber& number,
                                            bool mobile_only, std::string_view known_e164,
                                            const CallingCodeInfo* code, std::string_view nsn) {
    switch (util.IsPossibleNumberWithReason(number)) {
        case PhoneNumberUtil::IS_POSSIBLE:
        case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: break;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE:
            return fail(NumberErrc::invalid_country_code, "invalid country code");
        case PhoneNumberUtil::TOO_SHORT: return fail(NumberErrc::too_short, "too short");
        case PhoneNumberUtil::TOO_LONG: return fail(NumberErrc::too_long, "too long");
        case PhoneNumberUtil::INVALID_LENGTH:
            return fail(NumberErrc::invalid_number, "invalid length for its country");
    }
    // IsValidNumber(n) is GetNumberType(n) != UNKNOWN: both find the region, then match the
    // national number against every number-type pattern of its metadata (regular expressions,
    // most of this function's cost). Asking for the type once does the matching once.
    //
    // GetNumberType finds the region with GetRegionCodeForNumber: a calling code's only region;
    // for a shared code (1, 7, 44, ...) the first region in its list (the main one, the one in
    // `code`) whose leading digits match or, when it has none, whose number types know the NSN.
    // So when the code has one region, or its main region has no leading digits and knows the
    // NSN, the main region's types are GetNumberType's answer and the region is known; otherwise
    // libphonenumber looks through the list (twice: once more for the region).
    auto type = PhoneNumberUtil::UNKNOWN;
    const std::string* region = nullptr;
    bool typed = false;
    if (code != nullptr && code->metadata != nullptr &&
        (code->single_region || !code->main_has_leading_digits)) {
        type = NumberTypeHelper::type(util, std::string(nsn), *code->metadata);
        typed = type != PhoneNumberUtil::UNKNOWN || code->single_region;
        if (type != PhoneNumberUtil::UNKNOWN) region = &code->region;
    }
    if (!typed) type = util.GetNumberType(number);
    if (type == PhoneNumberUtil::UNKNOWN) {
        return fail(NumberErrc::invalid_number, "not a valid number in its numbering plan");
    }
    if (region == nullptr && code != nullptr && code->single_region) region = &code->region;
    PhoneNumber out;
    if (known_e164.empty()) {
        util.Format(number, PhoneNumberUtil::E164, &out.e164);
    } else {
        out.e164.assign(known_e164);
    }
    if (region != nullptr) {
        out.region = *region;
    } else {
        util.GetRegionCodeForNumber(number, &out.region);
    }
    out.country_code = static_cast<std::uint32_t>(number.country_code());
    out.type = map_type(type);
    if (mobile_only && out.type != NumberType::mobile &&
        out.type != NumberType::fixed_line_or_mobile && out.type != NumberType::unknown) {
        return fail(NumberErrc::not_allowed_type,
                    "not a mobile number (" + std::string(to_string(out.type)) + ")");
    }
    return out;
}

}  // namespace

std::string_view to_string(NumberType t) noexcept {
    switch (t) {
        case NumberType::fixed_line: return "fixed_line";
        case NumberType::mobile: return "mobile";
        case NumberType::fixed_line_or_mobile: return "fixed_line_or_mobile";
        case NumberType::toll_free: return "toll_free";
        case NumberType::premium_rate: return "premium_rate";
        case NumberType::shared_cost: return "shared_cost";
        case NumberType::voip: return "voip";
        case NumberType::personal_number: return "personal_number";
        case NumberType::pager: return "pager";
        case NumberType::uan: return "uan";
        case NumberType::voicemail: return "voicemail";
        case NumberType::unknown: return "unknown";
    }
    return "unknown";
}

std::string_view to_string(NumberErrc e) noexcept {
    switch (e) {
        case NumberErrc::empty: return "empty";
        case NumberErrc::not_a_number: return "not_a_number";
        case NumberErrc::invalid_country_code: return "invalid_country_code";
        case NumberErrc::too_short: return "too_short";
        case NumberErrc::too_long: return "too_long";
        case NumberErrc::invalid_number: return "invalid_number";
        case NumberErrc::not_allowed_type: return "not_allowed_type";
    }
    return "invalid_number";
}

PhoneNumberNormalizer::PhoneNumberNormalizer(PhoneNumberConfig config)
    : config_(std::move(config)),
      parse_region_(config_.default_region.empty() ? "ZZ" : config_.default_region) {
    static_cast<void>(calling_codes());  // read the metadata now, not on the first message
}

Expected<PhoneNumber, NumberError> PhoneNumberNormalizer::normalize(std::string_view raw) const {
    if (auto canonical = normalize_canonical(raw)) return std::move(*canonical);
    return normalize_parsed(raw);
}

// For "+" followed by digits, Parse (ParseHelper) does this: the '+' is stripped, the country
// calling code is the shortest prefix of one to three digits that has a region (none, or a
// leading 0: INVALID_COUNTRY_CODE_ERROR), and the rest is the national significant number (NSN),
// except that MaybeStripNationalPrefixAndCarrierCode then tries the national prefix for parsing of
// the code's main region at the start of the NSN and keeps the stripped (or transformed) NSN when
// that is still a possible length ("+61 0...", "+1 1...", "+54 0 11 15..."). A match can only
// change the NSN if it is non-empty, and a non-empty match is either one digit or begins with two
// digits the pattern allows (pattern_starts): NSNs that begin so take Parse, the others are built
// here as Parse builds them (Italian leading zeros included). No extension, phone-context or
// alpha characters can occur in digits. tests/router/core/phone_number_canonical_test.cpp
// compares the two paths.
std::optional<Expected<PhoneNumber, NumberError>> PhoneNumberNormalizer::normalize_canonical(
    std::string_view raw) const {
    constexpr std::size_t kMinDigits = 7;
    constexpr std::size_t kMaxDigits = 15;  // E.164's longest; the NSN fits a uint64 either way
    if (raw.size() < 1 + kMinDigits || raw.size() > 1 + kMaxDigits || raw.front() != '+') {
        return std::nullopt;
    }
    const std::string_view digits = raw.substr(1);
    if (!std::all_of(digits.begin(), digits.end(), is_ascii_digit) || digits.front() == '0') {
        return std::nullopt;
    }
    const auto& codes = calling_codes();
    std::size_t code = 0;
    std::size_t code_length = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        code = code * 10 + static_cast<std::size_t>(digits[i] - '0');
        if (codes[code].known) {
            code_length = i + 1;
            break;
        }
    }
    if (code_length == 0) return std::nullopt;  // Parse words the refusal
    const CallingCodeInfo& info = codes[code];
    const std::string_view nsn = digits.substr(code_length);
    const unsigned second = 1u << static_cast<unsigned>(nsn[1] - '0');  // the NSN has 4+ digits
    const auto starts = info.national_prefix_starts[static_cast<std::size_t>(nsn[0] - '0')];
    if ((starts & (kOneDigitMatch | second)) != 0u) return std::nullopt;

    i18n::phonenumbers::PhoneNumber number;
    number.set_country_code(static_cast<std::int32_t>(code));
    // PhoneNumberUtil::SetItalianLeadingZerosForPhoneNumber (private there), for NSNs such as
    // Italy's 06...: a run of zeros is counted, but never the NSN's last digit.
    if (nsn.size() > 1 && nsn.front() == '0') {
        number.set_italian_leading_zero(true);
        std::size_t zeros = 1;
        while (zeros < nsn.size() - 1 && nsn[zeros] == '0') ++zeros;
        if (zeros != 1) number.set_number_of_leading_zeros(static_cast<std::int32_t>(zeros));
    }
    std::uint64_t national = 0;
    for (const char c : nsn) national = national * 10 + static_cast<std::uint64_t>(c - '0');
    number.set_national_number(national);
    // E.164 is "+", the code and the NSN with its leading zeros: the input itself.
    return classify(*PhoneNumberUtil::GetInstance(), number, config_.mobile_only, raw, &info, nsn);
}

Expected<PhoneNumber, NumberError> PhoneNumberNormalizer::normalize_parsed(
    std::string_view raw) const {
    const bool blank = std::all_of(raw.begin(), raw.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    });
    if (blank) return fail(NumberErrc::empty, "empty");
    if (raw.size() > 64) return fail(NumberErrc::too_long, "longer than 64 characters");

    const auto& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    switch (util.Parse(std::string(raw), parse_region_, &number)) {
        case PhoneNumberUtil::NO_PARSING_ERROR: break;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
            return fail(NumberErrc::invalid_country_code,
                        config_.default_region.empty()
                            ? "no country code (use the +CC international form)"
                            : "invalid country code");
        case PhoneNumberUtil::NOT_A_NUMBER:
            return fail(NumberErrc::not_a_number, "not a phone number");
        case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        case PhoneNumberUtil::TOO_SHORT_NSN: return fail(NumberErrc::too_short, "too short");
        case PhoneNumberUtil::TOO_LONG_NSN: return fail(NumberErrc::too_long, "too long");
        default: return fail(NumberErrc::not_a_number, "not a phone number");
    }
    return classify(util, number, config_.mobile_only, {}, nullptr, {});
}

}  // namespace bindery::router
