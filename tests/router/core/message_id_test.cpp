#include <gtest/gtest.h>

#include <set>

#include "router/api/types.hpp"
#include "router/core/random.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

TEST(MessageIdGenerator, ProducesVersion7WithTheTimestamp) {
    MessageIdGenerator gen(1);
    const auto id = gen.next(kT0);
    EXPECT_EQ(id.bytes()[6] >> 4, 7);     // version
    EXPECT_EQ(id.bytes()[8] >> 6, 0b10);  // RFC 4122/9562 variant
    EXPECT_EQ(id.unix_millis(), 1'790'000'000'000u);
    const auto text = id.to_string();
    ASSERT_EQ(text.size(), 36u);
    EXPECT_EQ(text[14], '7');
    EXPECT_EQ(MessageId::parse(text), id);
}

TEST(MessageIdGenerator, StrictlyIncreasingEvenWhenTheClockStallsOrStepsBack) {
    MessageIdGenerator gen(2);
    std::set<MessageId> seen;
    MessageId last;
    for (int i = 0; i < 10'000; ++i) {
        const SystemTime t = kT0 + std::chrono::milliseconds(i / 1000) - (i % 7 == 0 ? 5ms : 0ms);
        const auto id = gen.next(t);
        EXPECT_LT(last, id) << i;
        last = id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 10'000u);
}

TEST(MessageIdGenerator, SameSeedSameIds) {
    MessageIdGenerator a(9), b(9), c(10);
    EXPECT_EQ(a.next(kT0), b.next(kT0));
    EXPECT_NE(a.next(kT0 + 1ms).to_string(), c.next(kT0 + 1ms).to_string());
}

TEST(MessageId, ParseRejectsMalformedText) {
    EXPECT_FALSE(MessageId::parse("").has_value());
    EXPECT_FALSE(MessageId::parse("0190d7a4-8c3e-7b3c-9a4e-6f1d2c3b4a5").has_value());
    EXPECT_FALSE(MessageId::parse("0190d7a4x8c3e-7b3c-9a4e-6f1d2c3b4a5e").has_value());
    EXPECT_FALSE(MessageId::parse("0190d7a4-8c3e-7b3c-9a4e-6f1d2c3b4a5g").has_value());
    const auto ok = MessageId::parse("0190D7A4-8C3E-7B3C-9A4E-6F1D2C3B4A5E");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->to_string(), "0190d7a4-8c3e-7b3c-9a4e-6f1d2c3b4a5e");
}

TEST(ApiVocabulary, NamesRoundTrip) {
    for (auto e : {TextEncoding::gsm7, TextEncoding::ucs2, TextEncoding::latin1}) {
        EXPECT_EQ(parse_text_encoding(to_string(e)), e);
    }
    EXPECT_FALSE(parse_text_encoding("auto").has_value());
    for (auto p : {Priority::express, Priority::normal, Priority::bulk}) {
        EXPECT_EQ(parse_priority(to_string(p)), p);
    }
    EXPECT_EQ(parse_priority("alert"), Priority::express);
    EXPECT_FALSE(parse_priority("urgent").has_value());
}

TEST(Rng, BelowIsInRangeAndUniformish) {
    Rng rng(3);
    int counts[10] = {};
    for (int i = 0; i < 100'000; ++i) {
        const auto v = rng.below(10);
        ASSERT_LT(v, 10u);
        ++counts[v];
    }
    for (int c : counts) EXPECT_NEAR(c, 10'000, 500);
    for (int i = 0; i < 1000; ++i) {
        const double u = rng.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
}

}  // namespace
}  // namespace bindery::router
