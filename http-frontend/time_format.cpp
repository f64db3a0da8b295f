#include "http-frontend/time_format.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace bindery::http {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

// Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<router::SystemTime> parse_rfc3339(std::string_view s) noexcept {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
        s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
        !digits(s, 17, 2, second)) {
        return std::nullopt;
    }
    // The system clock counts nanoseconds in 64 bits (years 1678-2262); anything outside
    // 1970-2200 is no plausible send or query time.
    if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    if (second == 60) second = 59;  // leap second: clamp
    std::size_t pos = 19;
    std::int64_t nanos = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 9) nanos = nanos * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0) return std::nullopt;
        for (std::size_t i = n; i < 9; ++i) nanos *= 10;
    }
    if (pos >= s.size()) return std::nullopt;
    std::int64_t offset_seconds = 0;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_seconds =
            (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t secs = days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 +
                              second - offset_seconds;
    const auto since_epoch = std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos);
    return router::SystemTime(
        std::chrono::duration_cast<router::SystemClock::duration>(since_epoch));
}

std::string format_rfc3339(router::SystemTime t) {
    std::string out;
    append_rfc3339(out, t);
    return out;
}

void append_rfc3339(std::string& out, router::SystemTime t) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    const std::int64_t in_day = ms - days * 86400000;
    // civil_from_days
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = y0 + (m <= 2 ? 1 : 0);
    const auto hour = static_cast<unsigned>(in_day / 3600000);
    const auto minute = static_cast<unsigned>(in_day / 60000 % 60);
    const auto second = static_cast<unsigned>(in_day / 1000 % 60);
    const auto milli = static_cast<unsigned>(in_day % 1000);
    if (y < 0 || y > 9999) {
        // Outside a system_clock's nanosecond range (1677-2262): only a coarser clock gets here.
        char buf[48];
        const int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                                    static_cast<long long>(y), m, d, hour, minute, second, milli);
        if (n > 0) out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
        return;
    }
    const auto digit = [](unsigned v) { return static_cast<char>('0' + v); };
    const auto year = static_cast<unsigned>(y);
    const char text[24] = {digit(year / 1000),
                           digit(year / 100 % 10),
                           digit(year / 10 % 10),
                           digit(year % 10),
                           '-',
                           digit(m / 10),
                           digit(m % 10),
                           '-',
                           digit(d / 10),
                           digit(d % 10),
                           'T',
                           digit(hour / 10),
                           digit(hour % 10),
                           ':',
                           digit(minute / 10),
                           digit(minute % 10),
                           ':',
                           digit(second / 10),
                           digit(second % 10),
                           '.',
                           digit(milli / 100),
                           digit(milli / 10 % 10),
                           digit(milli % 10),
                           'Z'};
    out.append(text, sizeof text);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) noexcept {
    constexpr std::int64_t kMax = 10LL * 366 * 86400;
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t pos = 0;
    bool plain = true;
    char last_unit = 0;
    while (pos < text.size()) {
        std::int64_t n = 0;
        std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            n = n * 10 + (text[pos] - '0');
            if (n > kMax) return std::nullopt;
            ++pos;
        }
        if (pos == start) return std::nullopt;
        std::int64_t unit = 1;
        if (pos < text.size()) {
            plain = false;
            const char c = text[pos++];
            // Units must appear in decreasing order, each at most once.
            static constexpr std::string_view kOrder = "dhms";
            const auto rank = kOrder.find(c);
            if (rank == std::string_view::npos) return std::nullopt;
            if (last_unit != 0 && kOrder.find(last_unit) >= rank) return std::nullopt;
            last_unit = c;
            unit = c == 'd' ? 86400 : c == 'h' ? 3600 : c == 'm' ? 60 : 1;
        } else if (!plain) {
            return std::nullopt;  // "1h30" is ambiguous
        }
        total += n * unit;
        if (total > kMax) return std::nullopt;
    }
    if (total <= 0) return std::nullopt;
    return std::chrono::seconds(total);
}

}  // namespace bindery::http
