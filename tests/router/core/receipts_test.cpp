#include "router/core/receipts.hpp"

#include <gtest/gtest.h>

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

TEST(ProviderIdKeys, CanonicalFirstThenHexDecimalReadings) {
    EXPECT_EQ(provider_id_keys("0A1B"), (std::vector<std::string>{"a1b", "2587"}));
    EXPECT_EQ(provider_id_keys("2587"), (std::vector<std::string>{"2587", "9607", "a1b"}));
    EXPECT_EQ(provider_id_keys(" 000123 "), (std::vector<std::string>{"123", "291", "7b"}));
    EXPECT_EQ(provider_id_keys("abc-def"), (std::vector<std::string>{"abc-def"}));
    EXPECT_EQ(provider_id_keys("0000"), (std::vector<std::string>{"0"}));
    EXPECT_TRUE(provider_id_keys("").empty());
    // Too large for 64 bits: only the canonical form.
    EXPECT_EQ(provider_id_keys("123456789012345678901234567890").size(), 1u);
}

TEST(ProviderIdKeys, HexResponseMatchesDecimalReceipt) {
    // submit_sm_resp "1a2b3c4d" (hex), receipt "id:0439041101" (decimal, zero padded).
    const auto resp = provider_id_keys("1a2b3c4d");
    const auto receipt = provider_id_keys("0439041101");
    EXPECT_NE(std::find(resp.begin(), resp.end(), receipt.front()), resp.end());
}

TEST(ReceiptIdKeys, ExactIsTheCanonicalIdAloneAnyReadingAddsTheReadings) {
    EXPECT_EQ(receipt_id_keys(" 0010", ReceiptIdMatch::exact), (std::vector<std::string>{"10"}));
    EXPECT_EQ(receipt_id_keys("10", ReceiptIdMatch::any_reading),
              (std::vector<std::string>{"10", "16", "a"}));
    EXPECT_EQ(receipt_id_keys("0A", ReceiptIdMatch::exact), (std::vector<std::string>{"a"}));
    EXPECT_TRUE(receipt_id_keys("  ", ReceiptIdMatch::exact).empty());
}

TEST(RebaseProviderId, ConvertsBetweenDecimalAndHexOrSaysItCannot) {
    EXPECT_EQ(rebase_provider_id("0439041101", 10, 16), "1a2b3c4d");
    EXPECT_EQ(rebase_provider_id("1A2B3C4D", 16, 10), "439041101");
    EXPECT_EQ(rebase_provider_id("10", 10, 16), "a");
    EXPECT_EQ(rebase_provider_id("10", 16, 10), "16");
    EXPECT_EQ(rebase_provider_id("000", 10, 16), "0");
    EXPECT_EQ(rebase_provider_id("ffffffffffffffff", 16, 10), "18446744073709551615");
    EXPECT_FALSE(rebase_provider_id("1a", 10, 16));                    // not decimal
    EXPECT_FALSE(rebase_provider_id("xyz", 16, 10));                   // not hex
    EXPECT_FALSE(rebase_provider_id("18446744073709551616", 10, 16));  // over 64 bits
    EXPECT_FALSE(rebase_provider_id("", 10, 16));
}

Receipt receipt(std::string provider, std::string id,
                ReceiptIdMatch id_match = ReceiptIdMatch::any_reading) {
    Receipt r;
    r.provider = std::move(provider);
    r.provider_id = std::move(id);
    r.status = ReceiptStatus::delivered;
    r.id_match = id_match;
    return r;
}

TEST(PendingReceipts, MatchesByProviderAndAnyIdForm) {
    PendingReceipts p({10, 10min});
    const TimePoint t0{};
    EXPECT_FALSE(p.hold(receipt("smsc-a", "439041101"), t0).has_value());
    EXPECT_FALSE(p.hold(receipt("smsc-b", "439041101"), t0).has_value());
    EXPECT_TRUE(p.take_matching("smsc-a", "999").empty());
    const auto hit = p.take_matching("smsc-a", "1A2B3C4D");
    ASSERT_EQ(hit.size(), 1u);
    EXPECT_EQ(hit[0].provider, "smsc-a");
    EXPECT_EQ(p.size(), 1u);
}

TEST(PendingReceipts, ReturnsEveryHeldReceiptForAnIdInArrivalOrder) {
    PendingReceipts p({10, 10min});
    const TimePoint t0{};
    auto first = receipt("a", "00ff");
    first.status = ReceiptStatus::enroute;
    EXPECT_FALSE(p.hold(first, t0).has_value());
    EXPECT_FALSE(p.hold(receipt("a", "7"), t0).has_value());
    EXPECT_FALSE(p.hold(receipt("a", "255"), t0 + 1s).has_value());  // decimal of 0xff
    const auto hit = p.take_matching("a", "FF");
    ASSERT_EQ(hit.size(), 2u);
    EXPECT_EQ(hit[0].status, ReceiptStatus::enroute);
    EXPECT_EQ(hit[1].provider_id, "255");
    EXPECT_EQ(p.size(), 1u);
    EXPECT_TRUE(p.take_matching("a", "ff").empty());  // taken once only
    EXPECT_EQ(p.take_matching("a", "7").size(), 1u);
    EXPECT_EQ(p.size(), 0u);
}

TEST(PendingReceipts, ExactReceiptIsReleasedByItsOwnIdOnlyNotByAReading) {
    PendingReceipts p({10, 10min});
    const TimePoint t0{};
    EXPECT_FALSE(p.hold(receipt("a", "10", ReceiptIdMatch::exact), t0).has_value());
    EXPECT_TRUE(p.take_matching("a", "16").empty());  // "16"'s keys include "10" (hex of 16)
    EXPECT_TRUE(p.take_matching("a", "a").empty());   // "a"'s keys include "10" (decimal of 0xa)
    const auto hit = p.take_matching("a", "010");
    ASSERT_EQ(hit.size(), 1u);
    EXPECT_EQ(hit[0].id_match, ReceiptIdMatch::exact);
    // The same receipt by any reading is released by either.
    EXPECT_FALSE(p.hold(receipt("a", "10"), t0).has_value());
    EXPECT_EQ(p.take_matching("a", "16").size(), 1u);
}

TEST(PendingReceipts, BoundedAndExpiring) {
    PendingReceipts p({2, 10min});
    const TimePoint t0{};
    EXPECT_FALSE(p.hold(receipt("a", "1"), t0).has_value());
    EXPECT_FALSE(p.hold(receipt("a", "2"), t0 + 1min).has_value());
    const auto evicted = p.hold(receipt("a", "3"), t0 + 2min);
    ASSERT_TRUE(evicted.has_value());
    EXPECT_EQ(evicted->provider_id, "1");
    EXPECT_TRUE(p.take_expired(t0 + 10min).empty());
    const auto expired = p.take_expired(t0 + 11min);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].provider_id, "2");
    EXPECT_EQ(p.size(), 1u);
}

}  // namespace
}  // namespace bindery::router
