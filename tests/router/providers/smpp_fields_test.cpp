// Address TON/NPI rules, validity_period strings and the receipt mapping, without sockets.
#include "router/providers/smpp_fields.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace bindery::router {
namespace {

using namespace std::chrono;

TEST(SmppFields, E164DestinationGoesInternationalWithoutPlus) {
    const auto a = destination_address("+989121234567", AddressRules{});
    EXPECT_EQ(a, (SmppAddress{1, 1, "989121234567"}));
}

TEST(SmppFields, AlphanumericSenderIsTon5Npi0) {
    EXPECT_EQ(source_address("Bindery", AddressRules{}), (SmppAddress{5, 0, "Bindery"}));
    EXPECT_EQ(source_address("+98 Shop", AddressRules{}), (SmppAddress{5, 0, "+98 Shop"}));
}

TEST(SmppFields, NumericSenderIsInternationalUnlessShortCode) {
    EXPECT_EQ(source_address("+989120000000", AddressRules{}), (SmppAddress{1, 1, "989120000000"}));
    EXPECT_EQ(source_address("3000123", AddressRules{}), (SmppAddress{1, 1, "3000123"}));
    AddressRules rules;
    rules.short_code_max_digits = 8;
    EXPECT_EQ(source_address("3000123", rules), (SmppAddress{3, 0, "3000123"}));
    EXPECT_EQ(source_address("+3000123", rules), (SmppAddress{1, 1, "3000123"}));
}

TEST(SmppFields, ForcedTonNpiAndKeepPlusApplyLast) {
    AddressRules rules;
    rules.force_dest_ton = 0;
    rules.force_source_npi = 9;
    rules.keep_plus = true;
    EXPECT_EQ(destination_address("+989121234567", rules), (SmppAddress{0, 1, "+989121234567"}));
    EXPECT_EQ(source_address("Bindery", rules), (SmppAddress{5, 9, "Bindery"}));
}

TEST(SmppFields, RelativeValidityCountsTimeLeft) {
    const SystemTime now = sys_days{year{2026} / 11 / 23} + hours{17};
    EXPECT_EQ(
        validity_period(now + hours{26} + minutes{3} + seconds{9}, now, ValidityFormat::relative),
        "000001020309000R");
    EXPECT_EQ(validity_period(now - hours{1}, now, ValidityFormat::relative), "000000000001000R");
    EXPECT_EQ(validity_period(now + days{400}, now, ValidityFormat::relative), "010110000000000R");
    EXPECT_EQ(validity_period(SystemTime{}, now, ValidityFormat::relative), "");
    EXPECT_EQ(validity_period(now + hours{1}, now, ValidityFormat::none), "");
}

TEST(SmppFields, AbsoluteValidityIsUtc) {
    const SystemTime at =
        sys_days{year{2026} / 11 / 24} + hours{7} + minutes{5} + seconds{59} + milliseconds{900};
    EXPECT_EQ(validity_period(at, at - hours{3}, ValidityFormat::absolute), "261124070559000+");
}

TEST(SmppFields, ReceiptFromTlvsWinsOverText) {
    smpp::ReceiptTlvs tlvs;
    tlvs.receipted_message_id = "7B";
    tlvs.message_state = 2;
    auto r = map_receipt("carrier",
                         "id:123 sub:001 dlvrd:001 submit date:2611231700 done date:2611231701 "
                         "stat:UNDELIV err:001 text:x",
                         tlvs);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->provider, "carrier");
    EXPECT_EQ(r->provider_id, "7B");
    EXPECT_EQ(r->status, ReceiptStatus::delivered);
    EXPECT_EQ(r->error, "001");
    ASSERT_TRUE(r->done_at);
    EXPECT_EQ(*r->done_at, SystemTime(sys_days{year{2026} / 11 / 23} + hours{17} + minutes{1}));
}

TEST(SmppFields, ReceiptDoneDateHonoursSmscOffset) {
    auto r = map_receipt("c", "id:9 done date:2611231701 stat:DELIVRD", {}, minutes{210});
    ASSERT_TRUE(r && r->done_at);
    EXPECT_EQ(*r->done_at, SystemTime(sys_days{year{2026} / 11 / 23} + hours{13} + minutes{31}));
}

TEST(SmppFields, EveryMessageStateMaps) {
    const std::pair<const char*, ReceiptStatus> table[] = {
        {"DELIVRD", ReceiptStatus::delivered}, {"EXPIRED", ReceiptStatus::expired},
        {"DELETED", ReceiptStatus::deleted},   {"UNDELIV", ReceiptStatus::undeliverable},
        {"ACCEPTD", ReceiptStatus::accepted},  {"UNKNOWN", ReceiptStatus::unknown},
        {"REJECTD", ReceiptStatus::rejected},  {"ENROUTE", ReceiptStatus::enroute},
    };
    for (const auto& [stat, want] : table) {
        const std::string text = std::string("id:1 stat:") + stat + " err:000";
        auto r = map_receipt("c", text, {});
        ASSERT_TRUE(r) << stat;
        EXPECT_EQ(r->status, want) << stat;
    }
}

TEST(SmppFields, NetworkErrorCodeFillsErrorWhenTextHasNone) {
    smpp::ReceiptTlvs tlvs;
    tlvs.receipted_message_id = "abc";
    tlvs.message_state = 5;
    tlvs.network_error_code = smpp::NetworkErrorCode{3, 34};
    auto r = map_receipt("c", "", tlvs);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, ReceiptStatus::undeliverable);
    EXPECT_EQ(r->error, "34");
}

// Receipt id "10" under each message_id_format: the id the router looks for, and how.
TEST(SmppFields, MessageIdFormatPutsTheReceiptIdInSubmitFormAndSaysHowToMatchIt) {
    struct Case {
        MessageIdFormat format;
        std::string receipt_id;
        std::string id;
        ReceiptIdMatch match;
    };
    const Case cases[] = {
        {MessageIdFormat::automatic, "10", "10", ReceiptIdMatch::any_reading},
        {MessageIdFormat::as_is, "10", "10", ReceiptIdMatch::exact},
        {MessageIdFormat::hex, "10", "a", ReceiptIdMatch::exact},  // decimal receipt, hex submit id
        {MessageIdFormat::decimal, "10", "16",
         ReceiptIdMatch::exact},  // hex receipt, decimal submit id
        {MessageIdFormat::hex, "0439041101", "1a2b3c4d", ReceiptIdMatch::exact},
        {MessageIdFormat::decimal, "1A2B3C4D", "439041101", ReceiptIdMatch::exact},
        {MessageIdFormat::hex, "1f", "1f", ReceiptIdMatch::exact},  // not decimal: as written
        {MessageIdFormat::decimal, "id-7", "id-7", ReceiptIdMatch::exact},  // not hex: as written
        {MessageIdFormat::hex, "18446744073709551616", "18446744073709551616",
         ReceiptIdMatch::exact},
    };
    for (const auto& c : cases) {
        Receipt r;
        r.provider_id = c.receipt_id;
        apply_message_id_format(r, c.format);
        EXPECT_EQ(r.provider_id, c.id) << c.receipt_id << " format " << static_cast<int>(c.format);
        EXPECT_EQ(r.id_match, c.match) << c.receipt_id;
    }
}

TEST(SmppFields, GarbageIsNotAReceipt) { EXPECT_FALSE(map_receipt("c", "hello there", {})); }

}  // namespace
}  // namespace bindery::router
