#include "http-frontend/time_format.hpp"

#include <gtest/gtest.h>

namespace bindery::http {
namespace {

std::int64_t epoch_ms(std::string_view s) {
    const auto t = parse_rfc3339(s);
    if (!t) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
    EXPECT_EQ(epoch_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(epoch_ms("2027-01-15T08:00:00Z"), 1'800'000'000'000);
    EXPECT_EQ(epoch_ms("2027-01-15T11:30:00+03:30"), 1'800'000'000'000);
    EXPECT_EQ(epoch_ms("2027-01-15T03:00:00-05:00"), 1'800'000'000'000);
    EXPECT_EQ(epoch_ms("2027-01-15t08:00:00.250z"), 1'800'000'000'250);
    EXPECT_EQ(epoch_ms("2027-01-15 08:00:00.123456789Z"), 1'800'000'000'123);
    EXPECT_EQ(epoch_ms("2024-02-29T00:00:00Z"), 1'709'164'800'000);
}

TEST(Rfc3339, RejectsMalformedAndOutOfRange) {
    for (const char* bad :
         {"", "2027-01-15", "2027-01-15T08:00:00", "2027-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
          "2027-01-15T24:00:00Z", "2027-01-15T08:00:00.Z", "2027-01-15T08:00:00+3:30",
          "2027-01-15T08:00:00Zjunk", "2027-01-15T08:60:00Z", "20x7-01-15T08:00:00Z",
          "8800-01-01T00:00:00Z", "1969-12-31T23:59:59Z"}) {
        EXPECT_FALSE(parse_rfc3339(bad)) << bad;
    }
}

TEST(Rfc3339, FormatsUtcWithMillisecondsAndRoundTrips) {
    const auto t = parse_rfc3339("2027-01-15T08:00:00.250Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(format_rfc3339(*t), "2027-01-15T08:00:00.250Z");
    EXPECT_EQ(format_rfc3339(router::SystemTime{}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339(*parse_rfc3339("2000-02-29T23:59:59.999+00:00")),
              "2000-02-29T23:59:59.999Z");
}

TEST(Duration, ParsesSecondsAndUnitGroups) {
    EXPECT_EQ(parse_duration("3600"), std::chrono::seconds(3600));
    EXPECT_EQ(parse_duration("90s"), std::chrono::seconds(90));
    EXPECT_EQ(parse_duration("15m"), std::chrono::seconds(900));
    EXPECT_EQ(parse_duration("1h"), std::chrono::seconds(3600));
    EXPECT_EQ(parse_duration("2d"), std::chrono::seconds(172800));
    EXPECT_EQ(parse_duration("1h30m"), std::chrono::seconds(5400));
    EXPECT_EQ(parse_duration("1d2h3m4s"), std::chrono::seconds(93784));
}

TEST(Duration, RejectsMalformedZeroAndHuge) {
    for (const char* bad :
         {"", "0", "0s", "h", "1x", "1h30", "30m1h", "1h1h", "-5", "1.5h", "99999999999d", "1 h"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
}

}  // namespace
}  // namespace bindery::http
