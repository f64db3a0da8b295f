#pragma once
// Destination normalization to E.164 (libphonenumber, kept out of this header).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smpp/base/expected.hpp"

namespace bindery::router {

enum class NumberType : std::uint8_t {
    fixed_line,
    mobile,
    fixed_line_or_mobile,
    toll_free,
    premium_rate,
    shared_cost,
    voip,
    personal_number,
    pager,
    uan,
    voicemail,
    unknown,
};
std::string_view to_string(NumberType t) noexcept;

struct PhoneNumber {
    std::string e164;    // "+989123456789"
    std::string region;  // "IR"; "001" for non-geographic entities
    std::uint32_t country_code = 0;
    NumberType type = NumberType::unknown;
};

enum class NumberErrc : std::uint8_t {
    empty,
    not_a_number,
    invalid_country_code,
    too_short,
    too_long,
    invalid_number,    // parses, but no such number exists in the numbering plan
    not_allowed_type,  // e.g. a fixed line when only mobiles are allowed
};
std::string_view to_string(NumberErrc e) noexcept;

struct NumberError {
    NumberErrc code = NumberErrc::invalid_number;
    std::string reason;  // for the client: "destination: ..."
};

struct PhoneNumberConfig {
    // Region assumed for numbers without a leading '+' or international prefix ("IR": 0912... is
    // +98912...). Empty: such numbers are rejected.
    std::string default_region;
    // Accept only numbers libphonenumber classifies as mobile (or fixed_line_or_mobile / unknown
    // type). Off by default: many plans cannot tell.
    bool mobile_only = false;
};

class PhoneNumberNormalizer {
public:
    explicit PhoneNumberNormalizer(PhoneNumberConfig config);
    // Thread-safe (libphonenumber's PhoneNumberUtil is). The canonical form, '+' and 7 to 15
    // ASCII digits, skips libphonenumber's Parse when the result cannot differ from it
    // (docs/router.md); every other input, and those it cannot be sure of, are parsed.
    Expected<PhoneNumber, NumberError> normalize(std::string_view raw) const;

private:
    // The reference: libphonenumber's Parse, then its checks. normalize() gives its results.
    Expected<PhoneNumber, NumberError> normalize_parsed(std::string_view raw) const;
    // "+CC<NSN>" without Parse; nullopt when the input must take normalize_parsed().
    std::optional<Expected<PhoneNumber, NumberError>> normalize_canonical(
        std::string_view raw) const;
    friend struct PhoneNumberNormalizerPeer;  // differential test and benchmark

    PhoneNumberConfig config_;
    std::string parse_region_;  // default_region, or "ZZ" (unknown) when it is empty
};

}  // namespace bindery::router
