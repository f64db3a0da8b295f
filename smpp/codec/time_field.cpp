#include "smpp/codec/time_field.hpp"

namespace bindery::smpp {

namespace {

constexpr std::size_t kTimeFieldSize = 16;

int two(std::string_view t, std::size_t at) noexcept {
    return (t[at] - '0') * 10 + (t[at + 1] - '0');
}

}  // namespace

std::string_view to_string(TimeFieldErrc e) noexcept {
    switch (e) {
        case TimeFieldErrc::bad_length: return "not 16 characters";
        case TimeFieldErrc::not_digit: return "not a digit";
        case TimeFieldErrc::bad_sign: return "last character not '+', '-' or 'R'";
        case TimeFieldErrc::bad_date: return "no such date";
        case TimeFieldErrc::bad_clock: return "no such time of day";
        case TimeFieldErrc::bad_offset: return "UTC offset above 48 quarter hours";
    }
    return "invalid";
}

Expected<std::optional<TimeField>, TimeFieldError> parse_time_field(
    std::string_view text, std::chrono::system_clock::time_point now) noexcept {
    using namespace std::chrono;
    if (text.empty()) return std::optional<TimeField>{};
    if (text.size() != kTimeFieldSize)
        return Unexpected(TimeFieldError{TimeFieldErrc::bad_length, 0});
    for (std::size_t i = 0; i + 1 < kTimeFieldSize; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return Unexpected(TimeFieldError{TimeFieldErrc::not_digit, i});
    }
    const char p = text[15];
    if (p != '+' && p != '-' && p != 'R')
        return Unexpected(TimeFieldError{TimeFieldErrc::bad_sign, 15});
    const int yy = two(text, 0), mo = two(text, 2), dd = two(text, 4);
    const int hh = two(text, 6), mi = two(text, 8), ss = two(text, 10);
    const auto tenths = milliseconds(100 * (text[12] - '0'));

    if (p == 'R') {
        // A period from now: calendar years and months first (the day of month kept, clamped to
        // the target month's last day), then the fixed-length units.
        const auto today = floor<days>(now);
        const year_month_day ymd{today};
        const year_month ym = year_month{ymd.year(), ymd.month()} + months(12 * yy + mo);
        const year_month_day target =
            ymd.day() <= year_month_day_last{ym.year(), month_day_last{ym.month()}}.day()
                ? year_month_day{ym.year(), ym.month(), ymd.day()}
                : year_month_day{year_month_day_last{ym.year(), month_day_last{ym.month()}}};
        TimeField f;
        f.kind = TimeFieldKind::relative;
        f.at =
            time_point_cast<system_clock::duration>(sys_days{target} + (now - today) + days(dd) +
                                                    hours(hh) + minutes(mi) + seconds(ss) + tenths);
        return std::optional<TimeField>{f};
    }

    const year_month_day date{year{2000 + yy}, month{static_cast<unsigned>(mo)},
                              day{static_cast<unsigned>(dd)}};
    if (!date.ok())
        return Unexpected(TimeFieldError{TimeFieldErrc::bad_date, mo < 1 || mo > 12 ? 2U : 4U});
    if (hh > 23) return Unexpected(TimeFieldError{TimeFieldErrc::bad_clock, 6});
    if (mi > 59) return Unexpected(TimeFieldError{TimeFieldErrc::bad_clock, 8});
    if (ss > 59) return Unexpected(TimeFieldError{TimeFieldErrc::bad_clock, 10});
    const int nn = two(text, 13);
    if (nn > 48) return Unexpected(TimeFieldError{TimeFieldErrc::bad_offset, 13});
    // Local time = UTC + offset ('+': local ahead of UTC), so UTC = local - offset.
    const auto offset = minutes(15 * nn) * (p == '+' ? 1 : -1);
    TimeField f;
    f.kind = TimeFieldKind::absolute;
    f.at = time_point_cast<system_clock::duration>(sys_days{date} + hours(hh) + minutes(mi) +
                                                   seconds(ss) + tenths - offset);
    return std::optional<TimeField>{f};
}

}  // namespace bindery::smpp
