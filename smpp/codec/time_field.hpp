#pragma once
// SMPP 3.4 time fields (7.1.1): schedule_delivery_time and validity_period of submit_sm /
// submit_multi / replace_sm, as an ESME writes them. Pure, std only: `now` is passed in, no clock
// is read; never throws on network input.
//
//   ""                  not given (deliver now / the SMSC's default validity)
//   "YYMMDDhhmmsstnnp"  absolute: local date and time, t tenths of a second, nn the local time's
//                       offset from UTC in quarter hours (00-48), p '+' (local ahead of UTC) or
//                       '-' (behind). YY is 2000 + YY.
//   "YYMMDDhhmmsstnnR"  relative: a period from `now` (the SMSC's current time): YY years, MM
//                       months (calendar: the day is kept, clamped to the target month's last
//                       day), then DD days, hh hours, mm minutes, ss seconds, t tenths. Every
//                       field takes any two digits (a period, not a date); nn is ignored (the
//                       spec writes "00").

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "smpp/base/expected.hpp"

namespace bindery::smpp {

enum class TimeFieldErrc : std::uint8_t {
    bad_length,  // neither "" nor 16 characters
    not_digit,   // one of the first 15 characters is not a digit
    bad_sign,    // the 16th is not '+', '-' or 'R'
    bad_date,    // absolute: month outside 01-12, or day not in that month
    bad_clock,   // absolute: hh above 23, mm or ss above 59
    bad_offset,  // absolute: nn above 48
};
[[nodiscard]] std::string_view to_string(TimeFieldErrc e) noexcept;

struct TimeFieldError {
    TimeFieldErrc code = TimeFieldErrc::bad_length;
    std::size_t offset = 0;  // the first offending character (0 for bad_length)
};

enum class TimeFieldKind : std::uint8_t { absolute, relative };

struct TimeField {
    TimeFieldKind kind = TimeFieldKind::absolute;
    std::chrono::system_clock::time_point at{};  // the instant it names, in UTC
};

// nullopt for "" (the field was not given). `now` anchors relative periods; it must lie within
// years 1970-2199 (any wall clock does), so no arithmetic can overflow.
[[nodiscard]] Expected<std::optional<TimeField>, TimeFieldError> parse_time_field(
    std::string_view text, std::chrono::system_clock::time_point now) noexcept;

}  // namespace bindery::smpp
