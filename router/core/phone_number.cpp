#include "router/core/phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

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

Expected<PhoneNumber, NumberError> PhoneNumberNormalizer::normalize(std::string_view raw) const {
    const bool blank = std::all_of(raw.begin(), raw.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    });
    if (blank) return fail(NumberErrc::empty, "empty");
    if (raw.size() > 64) return fail(NumberErrc::too_long, "longer than 64 characters");

    const auto& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    const std::string region = config_.default_region.empty() ? "ZZ" : config_.default_region;
    switch (util.Parse(std::string(raw), region, &number)) {
        case PhoneNumberUtil::NO_PARSING_ERROR: break;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
            return fail(NumberErrc::invalid_country_code,
                        config_.default_region.empty()
                            ? "no country code (use the +CC international form)"
                            : "invalid country code");
        case PhoneNumberUtil::NOT_A_NUMBER: return fail(NumberErrc::not_a_number, "not a phone number");
        case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        case PhoneNumberUtil::TOO_SHORT_NSN: return fail(NumberErrc::too_short, "too short");
        case PhoneNumberUtil::TOO_LONG_NSN: return fail(NumberErrc::too_long, "too long");
        default: return fail(NumberErrc::not_a_number, "not a phone number");
    }
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
    const auto type = util.GetNumberType(number);
    if (type == PhoneNumberUtil::UNKNOWN) {
        return fail(NumberErrc::invalid_number, "not a valid number in its numbering plan");
    }
    PhoneNumber out;
    util.Format(number, PhoneNumberUtil::E164, &out.e164);
    util.GetRegionCodeForNumber(number, &out.region);
    out.country_code = static_cast<std::uint32_t>(number.country_code());
    out.type = map_type(type);
    if (config_.mobile_only && out.type != NumberType::mobile &&
        out.type != NumberType::fixed_line_or_mobile && out.type != NumberType::unknown) {
        return fail(NumberErrc::not_allowed_type,
                    "not a mobile number (" + std::string(to_string(out.type)) + ")");
    }
    return out;
}

}  // namespace bindery::router
