#include "app/config_values.hpp"

#include <gtest/gtest.h>

namespace bindery::app {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsEveryUnitAndSums) {
    EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
    EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
    EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
    EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
    EXPECT_EQ(parse_duration("30d"), milliseconds(2'592'000'000));
    EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
    EXPECT_EQ(parse_duration("0"), milliseconds(0));
    EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(ParseDuration, RejectsMissingUnitsSpacesSignsAndOverflow) {
    for (const char* bad : {"", "10", "10 s", " 10s", "10sec", "-5s", "s", "1.5s", "10S",
                            "99999999999999999999d", "999999999999999d"}) {
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
    }
}

TEST(ParseAddress, AcceptsHostPortAndBracketedIpv6) {
    EXPECT_EQ(parse_address("127.0.0.1:8080"), (Address{"127.0.0.1", 8080}));
    EXPECT_EQ(parse_address("smsc.example.net:2775"), (Address{"smsc.example.net", 2775}));
    EXPECT_EQ(parse_address("[::1]:2775"), (Address{"::1", 2775}));
    EXPECT_EQ(parse_address("0.0.0.0:0"), (Address{"0.0.0.0", 0}));
    EXPECT_EQ((Address{"::1", 2775}).to_string(), "[::1]:2775");
    EXPECT_EQ((Address{"h", 1}).to_string(), "h:1");
}

TEST(ParseAddress, RejectsMalformedAddresses) {
    for (const char* bad : {"localhost", ":80", "host:", "host:65536", "host:-1", "host:8o",
                            "::1:80", "[::1]80", "[]:80", "a b:80", "http://h:80"}) {
        EXPECT_FALSE(parse_address(bad).has_value()) << bad;
    }
}

TEST(ParseSize, AcceptsBytesAndUnits) {
    EXPECT_EQ(parse_size("1024"), 1024U);
    EXPECT_EQ(parse_size("64KiB"), 65536U);
    EXPECT_EQ(parse_size("1MiB"), 1048576U);
    EXPECT_EQ(parse_size("2MB"), 2000000U);
    EXPECT_FALSE(parse_size("1 MiB").has_value());
    EXPECT_FALSE(parse_size("MiB").has_value());
    EXPECT_FALSE(parse_size("1TiB").has_value());
}

TEST(ConfigValues, RecognisesE164NumbersAndSha256Hashes) {
    EXPECT_TRUE(is_e164("+989121234567"));
    EXPECT_TRUE(is_e164("+15555550100"));
    EXPECT_FALSE(is_e164("09121234567"));
    EXPECT_FALSE(is_e164("+0912123456"));
    EXPECT_FALSE(is_e164("+98912abc4567"));
    EXPECT_FALSE(is_e164("+1234567"));
    EXPECT_FALSE(is_e164("+1234567890123456"));
    EXPECT_TRUE(
        is_sha256_hash("sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"));
    EXPECT_FALSE(is_sha256_hash("sha256:5e884898"));
    EXPECT_FALSE(
        is_sha256_hash("md5:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"));
}

TEST(ConfigValues, EditDistanceCountsInsertionsDeletionsSubstitutionsAndTranspositions) {
    EXPECT_EQ(edit_distance("window", "window"), 0U);
    EXPECT_EQ(edit_distance("widnow", "window"), 1U);  // one transposition
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
    EXPECT_EQ(edit_distance("drain_timout", "drain_timeout"), 1U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
}

}  // namespace
}  // namespace bindery::app
