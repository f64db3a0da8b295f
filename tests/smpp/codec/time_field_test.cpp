#include "smpp/codec/time_field.hpp"

#include <chrono>
#include <string_view>

#include <gtest/gtest.h>

namespace bindery::smpp {
namespace {

using namespace std::chrono;
using Time = system_clock::time_point;

constexpr Time at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
    return time_point_cast<system_clock::duration>(sys_days{year{y} / month{mo} / day{d}} +
                                                   hours(h) + minutes(mi) + seconds(s) +
                                                   milliseconds(ms));
}

const Time kNow = at(2026, 11, 24, 4, 30, 15, 250);

TEST(TimeField, EmptyMeansNotGiven) {
    auto r = parse_time_field("", kNow);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
}

struct Good {
    std::string_view text;
    Time now;
    TimeFieldKind kind;
    Time expected;
};

TEST(TimeField, ParsesAbsoluteAndRelativeForms) {
    const Good cases[] = {
        // absolute, UTC
        {"251231235959000+", kNow, TimeFieldKind::absolute, at(2025, 12, 31, 23, 59, 59)},
        {"251231235959000-", kNow, TimeFieldKind::absolute, at(2025, 12, 31, 23, 59, 59)},
        {"260101000000500+", kNow, TimeFieldKind::absolute, at(2026, 1, 1, 0, 0, 0, 500)},
        // quarter-hour offsets: +14 = 3 h 30 ahead of UTC, -20 = 5 h behind, 48 = the maximum
        {"260101120000014+", kNow, TimeFieldKind::absolute, at(2026, 1, 1, 8, 30)},
        {"260101120000020-", kNow, TimeFieldKind::absolute, at(2026, 1, 1, 17, 0)},
        {"260101010000008+", kNow, TimeFieldKind::absolute, at(2025, 12, 31, 23, 0)},
        {"261231230000048-", kNow, TimeFieldKind::absolute, at(2027, 1, 1, 11, 0)},
        {"240229000000000+", kNow, TimeFieldKind::absolute, at(2024, 2, 29)},
        {"000101000000000+", kNow, TimeFieldKind::absolute, at(2000, 1, 1)},
        {"991231235959900+", kNow, TimeFieldKind::absolute, at(2099, 12, 31, 23, 59, 59, 900)},
        // relative: periods from now
        {"000000020000000R", kNow, TimeFieldKind::relative, kNow + hours(2)},
        {"000001000000000R", kNow, TimeFieldKind::relative, kNow + days(1)},
        {"000000000001500R", kNow, TimeFieldKind::relative, kNow + milliseconds(1500)},
        {"000000000000000R", kNow, TimeFieldKind::relative, kNow},
        // any two digits per unit: 99 hours, 90 minutes, 75 seconds
        {"000000999075000R", kNow, TimeFieldKind::relative,
         kNow + hours(99) + minutes(90) + seconds(75)},
        // nn is ignored in the relative form
        {"000000010000012R", kNow, TimeFieldKind::relative, kNow + hours(1)},
        // calendar months: the day is kept, clamped to the target month's last day
        {"000100000000000R", at(2026, 1, 31, 10), TimeFieldKind::relative, at(2026, 2, 28, 10)},
        {"000100000000000R", at(2024, 1, 31, 10), TimeFieldKind::relative, at(2024, 2, 29, 10)},
        {"001300000000000R", at(2026, 3, 15, 1), TimeFieldKind::relative, at(2027, 4, 15, 1)},
        {"010000000000000R", at(2024, 2, 29, 12), TimeFieldKind::relative, at(2025, 2, 28, 12)},
        {"000102030405000R", at(2026, 12, 30, 22), TimeFieldKind::relative,
         at(2027, 2, 2, 1, 4, 5)},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.text));
        auto r = parse_time_field(c.text, c.now);
        ASSERT_TRUE(r) << to_string(r.error().code);
        ASSERT_TRUE(r->has_value());
        EXPECT_EQ((*r)->kind, c.kind);
        EXPECT_EQ((*r)->at, c.expected);
    }
}

TEST(TimeField, TheLongestRelativePeriodDoesNotOverflow) {
    auto r = parse_time_field("999999999999900R", kNow);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_GT((*r)->at, kNow + years(100));
}

struct Bad {
    std::string_view text;
    TimeFieldErrc code;
    std::size_t offset;
};

TEST(TimeField, RefusesMalformedFieldsNamingTheProblem) {
    const Bad cases[] = {
        {"25123123595900+", TimeFieldErrc::bad_length, 0},
        {"251231235959000+0", TimeFieldErrc::bad_length, 0},
        {"R", TimeFieldErrc::bad_length, 0},
        {"2512312359590a0+", TimeFieldErrc::not_digit, 13},
        {" 51231235959000+", TimeFieldErrc::not_digit, 0},
        {"00000002000000-R", TimeFieldErrc::not_digit, 14},
        {"251231235959000Z", TimeFieldErrc::bad_sign, 15},
        {"251231235959000r", TimeFieldErrc::bad_sign, 15},
        {"251231235959000 ", TimeFieldErrc::bad_sign, 15},
        {"251331235959000+", TimeFieldErrc::bad_date, 2},
        {"250031235959000+", TimeFieldErrc::bad_date, 2},
        {"251200235959000+", TimeFieldErrc::bad_date, 4},
        {"250431235959000+", TimeFieldErrc::bad_date, 4},
        {"250229000000000+", TimeFieldErrc::bad_date, 4},
        {"251231245959000+", TimeFieldErrc::bad_clock, 6},
        {"251231236059000+", TimeFieldErrc::bad_clock, 8},
        {"251231235960000+", TimeFieldErrc::bad_clock, 10},
        {"251231235959049+", TimeFieldErrc::bad_offset, 13},
        {"251231235959099-", TimeFieldErrc::bad_offset, 13},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.text));
        auto r = parse_time_field(c.text, kNow);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, c.code);
        EXPECT_EQ(r.error().offset, c.offset);
        EXPECT_FALSE(to_string(r.error().code).empty());
    }
}

}  // namespace
}  // namespace bindery::smpp
