#include "smpp/codec/receipt/receipt.hpp"
#include "tests/smpp/codec/receipt/receipt_date.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace bindery::smpp {
namespace {

using test::date;
using test::expect_fields;
using test::ReceiptFields;

struct Variant {
    const char* name;
    std::string text;
    ReceiptFields want;
};

TEST(ReceiptParse, RealWorldVariants) {
    const Variant cases[] = {
        {"appendix B",
         "id:0123456789 sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD "
         "err:000 text:Hello world",
         {"0123456789", MessageState::delivered, 1, 1, date(2024, 1, 15, 12, 30),
          date(2024, 1, 15, 12, 31), "000", "Hello world"}},
        {"kannel style capital Text",
         "id:7f3a9c sub:001 dlvrd:000 submit date:2312312359 done date:2401010005 stat:UNDELIV "
         "err:001 Text:Happy new",
         {"7f3a9c", MessageState::undeliverable, 1, 0, date(2023, 12, 31, 23, 59),
          date(2024, 1, 1, 0, 5), "001", "Happy new"}},
        {"upper-case labels",
         "ID:55 SUB:001 DLVRD:001 SUBMIT DATE:2402021010 DONE DATE:2402021011 STAT:DELIVRD ERR:000 "
         "TEXT:x",
         {"55", MessageState::delivered, 1, 1, date(2024, 2, 2, 10, 10), date(2024, 2, 2, 10, 11),
          "000", "x"}},
        {"underscored dates",
         "id:abc sub:001 dlvrd:001 submit_date:2403031111 done_date:2403031112 stat:DELIVRD "
         "err:000 text:",
         {"abc", MessageState::delivered, 1, 1, date(2024, 3, 3, 11, 11), date(2024, 3, 3, 11, 12),
          "000", ""}},
        {"12-digit dates with seconds",
         "id:99 sub:001 dlvrd:001 submit date:240404121314 done date:240404121520 stat:DELIVRD "
         "err:000 text:hi",
         {"99", MessageState::delivered, 1, 1, date(2024, 4, 4, 12, 13, 14),
          date(2024, 4, 4, 12, 15, 20), "000", "hi"}},
        {"14-digit dates",
         "id:99 submit date:20240505060708 done date:20240505060709 stat:EXPIRED err:0",
         {"99", MessageState::expired, std::nullopt, std::nullopt, date(2024, 5, 5, 6, 7, 8),
          date(2024, 5, 5, 6, 7, 9), "0", ""}},
        {"other field order",
         "stat:REJECTD err:088 id:1001 done date:2406061200 dlvrd:000 sub:001 submit "
         "date:2406061159 text:nope",
         {"1001", MessageState::rejected, 1, 0, date(2024, 6, 6, 11, 59), date(2024, 6, 6, 12, 0),
          "088", "nope"}},
        {"missing fields",
         "id:42 stat:DELIVRD",
         {"42", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
        {"extra spaces",
         "  id: 42   sub: 001  dlvrd:001   submit date: 2407071000  done  date:2407071001 stat : "
         "DELIVRD   err:000   text:  spaced  ",
         {"42", MessageState::delivered, 1, 1, date(2024, 7, 7, 10, 0), date(2024, 7, 7, 10, 1),
          "000", "spaced"}},
        {"text with colons and labels",
         "id:5 sub:001 dlvrd:001 submit date:2408081200 done date:2408081201 stat:DELIVRD err:000 "
         "text:code: 1234 stat:x id:9",
         {"5", MessageState::delivered, 1, 1, date(2024, 8, 8, 12, 0), date(2024, 8, 8, 12, 1),
          "000", "code: 1234 stat:x id:9"}},
        {"full word state",
         "id:77 sub:1 dlvrd:1 submit date:2409091200 done date:2409091201 stat:DELIVERED err:0 "
         "text:",
         {"77", MessageState::delivered, 1, 1, date(2024, 9, 9, 12, 0), date(2024, 9, 9, 12, 1),
          "0", ""}},
        {"lower-case state",
         "id:77 stat:undeliv err:34",
         {"77", MessageState::undeliverable, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
          "34", ""}},
        {"FAILED synonym",
         "id:78 sub:001 dlvrd:000 stat:FAILED err:500",
         {"78", MessageState::undeliverable, 1, 0, std::nullopt, std::nullopt, "500", ""}},
        {"accepted",
         "id:a1 stat:ACCEPTD",
         {"a1", MessageState::accepted, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
        {"deleted",
         "id:a2 stat:DELETED err:000",
         {"a2", MessageState::deleted, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
          "000", ""}},
        {"unknown",
         "id:a3 stat:UNKNOWN",
         {"a3", MessageState::unknown, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
        {"enroute intermediate",
         "id:a4 sub:001 dlvrd:000 stat:ENROUTE",
         {"a4", MessageState::enroute, 1, 0, std::nullopt, std::nullopt, "", ""}},
        {"trailing NULs and newline",
         std::string("id:a5 stat:DELIVRD err:000 text:ok\r\n\0\0", 38),
         {"a5", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
          "000", "ok"}},
        {"trailing garbage after err",
         "id:a6 stat:DELIVRD err:000;;garbage",
         {"a6", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
          "000;;garbage", ""}},
        {"uuid id",
         "id:3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f sub:001 dlvrd:001 submit date:2410101010 done "
         "date:2410101011 stat:DELIVRD err:000 text:",
         {"3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f", MessageState::delivered, 1, 1,
          date(2024, 10, 10, 10, 10), date(2024, 10, 10, 10, 11), "000", ""}},
        {"invalid date dropped, rest kept",
         "id:9 submit date:2413401299 done date:24111 stat:DELIVRD",
         {"9", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
        {"status and error spellings",
         "id:10 status:REJECTED error:0x0B",
         {"10", MessageState::rejected, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
          "0x0B", ""}},
        {"numeric state",
         "id:11 stat:2",
         {"11", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
        {"unrecognised state word is unknown",
         "id:12 stat:WEIRD",
         {"12", MessageState::unknown, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "",
          ""}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto r = parse_receipt(c.text);
        ASSERT_TRUE(r) << to_string(r.error().code);
        expect_fields(*r, c.want);
        EXPECT_FALSE(r->id_from_tlv);
        EXPECT_FALSE(r->state_from_tlv);
        // Every variant survives build -> parse unchanged.
        const auto again = parse_receipt(build_receipt(*r));
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, *r) << build_receipt(*r);
    }
}

TEST(ReceiptParse, RefusesWhatIsNotAReceipt) {
    struct Case {
        std::string text;
        ReceiptErrc code;
    };
    const Case cases[] = {
        {"", ReceiptErrc::empty},
        {std::string(" \0\r\n", 4), ReceiptErrc::empty},
        {"Hello, how are you?", ReceiptErrc::not_a_receipt},
        {"valid:no", ReceiptErrc::not_a_receipt},
        {"sub:001 dlvrd:001 stat:DELIVRD", ReceiptErrc::missing_id},
        {"id: stat:DELIVRD", ReceiptErrc::missing_id},
        {"id:12 sub:001 dlvrd:001 err:000", ReceiptErrc::missing_state},
        {"id:12 stat:", ReceiptErrc::missing_state},
        {"xid:12 stat:DELIVRD", ReceiptErrc::missing_id},  // label must start a token
    };
    for (const auto& c : cases) {
        const auto r = parse_receipt(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().code, c.code) << c.text << " got " << to_string(r.error().code);
    }
}

TEST(ReceiptParse, TlvsArePreferredOverTheText) {
    ReceiptTlvs tlvs;
    tlvs.receipted_message_id = "0A1B2C";
    tlvs.message_state = 5;
    tlvs.network_error_code = NetworkErrorCode{3, 0x0022};
    const auto r = parse_receipt("id:666699 sub:001 dlvrd:001 stat:DELIVRD err:000 text:hi", tlvs);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, "0A1B2C");
    EXPECT_TRUE(r->id_from_tlv);
    EXPECT_EQ(r->state, MessageState::undeliverable);
    EXPECT_TRUE(r->state_from_tlv);
    EXPECT_EQ(r->stat, "DELIVRD");  // what the text said is kept for logs
    ASSERT_TRUE(r->network_error);
    EXPECT_EQ(r->error_code(), 0x22U);
    EXPECT_EQ(r->text, "hi");
    // Rebuilt text follows the TLV state.
    EXPECT_NE(build_receipt(*r).find("stat:UNDELIV"), std::string::npos);
}

TEST(ReceiptParse, TlvsAloneAreEnoughAndBadTlvStateFallsBack) {
    ReceiptTlvs tlvs;
    tlvs.receipted_message_id = "X1";
    tlvs.message_state = 2;
    const auto only = parse_receipt("", tlvs);
    ASSERT_TRUE(only);
    EXPECT_EQ(only->id, "X1");
    EXPECT_EQ(only->state, MessageState::delivered);
    ReceiptTlvs bad;
    bad.message_state = 42;         // not a message_state
    bad.receipted_message_id = "";  // empty: ignored
    const auto r = parse_receipt("id:7 stat:EXPIRED", bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, "7");
    EXPECT_EQ(r->state, MessageState::expired);
    EXPECT_FALSE(r->state_from_tlv);
    EXPECT_FALSE(parse_receipt("id:7", bad));
}

TEST(ReceiptBuild, WritesAppendixBAndRoundTrips) {
    Receipt r;
    r.id = "1234567890";
    r.sub = 1;
    r.dlvrd = 1;
    r.submit_date = date(2024, 1, 15, 12, 30);
    r.done_date = date(2024, 1, 15, 12, 31, 5);
    r.state = MessageState::delivered;
    r.err = "000";
    r.text = "Hello: world";
    const std::string s = build_receipt(r);
    EXPECT_EQ(s,
              "id:1234567890 sub:001 dlvrd:001 submit date:2401151230 done date:240115123105 "
              "stat:DELIVRD "
              "err:000 text:Hello: world");
    const auto back = parse_receipt(s);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, [&] {
        Receipt e = r;
        e.stat = "DELIVRD";
        return e;
    }());
    for (std::uint8_t v = 0; v <= 9; ++v) {
        Receipt x;
        x.id = "9";
        x.state = static_cast<MessageState>(v);
        const auto p = parse_receipt(build_receipt(x));
        ASSERT_TRUE(p);
        EXPECT_EQ(p->state, x.state) << build_receipt(x);
    }
    Receipt old;
    old.id = "1";
    old.state = MessageState::expired;
    old.submit_date = date(1999, 12, 31, 23, 59, 58);
    const auto p = parse_receipt(build_receipt(old));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->submit_date, old.submit_date);
}

// Appendix B's text is the first 20 characters: cut between UTF-8 code points, never inside one.
TEST(ReceiptText, KeepsTheFirstTwentyCharactersNotOctets) {
    const std::string ascii19 = "abcdefghijklmnopqrs";
    // The 20th character (2 octets, then 3) straddles octet 20: kept whole.
    EXPECT_EQ(receipt_text_of(ascii19 + "\xC3\xA9xyz"), ascii19 + "\xC3\xA9");
    EXPECT_EQ(receipt_text_of(ascii19 + "\xE2\x82\xAC tail"), ascii19 + "\xE2\x82\xAC");
    // Twenty 2-octet characters: 40 octets.
    std::string cyrillic;
    for (int i = 0; i < 25; ++i) cyrillic += "\xD0\x96";
    EXPECT_EQ(receipt_text_of(cyrillic).size(), 40U);
    // A 4-octet character (emoji) counts once.
    EXPECT_EQ(receipt_text_of("\xF0\x9F\x98\x80" + ascii19 + "!"), "\xF0\x9F\x98\x80" + ascii19);
    EXPECT_EQ(receipt_text_of("short"), "short");
    EXPECT_EQ(receipt_text_of(""), "");
    EXPECT_EQ(receipt_text_of("abc", 2), "ab");
    // Octets that are not UTF-8 count one each; a truncated sequence at the end is not read past.
    EXPECT_EQ(receipt_text_of(std::string(25, '\xFF')).size(), 20U);
    EXPECT_EQ(receipt_text_of(ascii19 + "\xE2\x82"), ascii19 + "\xE2");
}

TEST(ReceiptDates, FromAPointInTimeInUtcToTheMinute) {
    using namespace std::chrono;
    const auto t = sys_days{year{2026} / 11 / 23} + hours{17} + minutes{5} + seconds{59};
    const auto d = receipt_date(t);
    EXPECT_EQ(d, date(2026, 11, 23, 17, 5));
    EXPECT_EQ(format_receipt_date(d), "2611231705");
    EXPECT_EQ(format_receipt_date(receipt_date(system_clock::time_point{})), "19700101000000");
}

TEST(ReceiptDates, ParseAndFormat) {
    EXPECT_EQ(parse_receipt_date("2402291200"), date(2024, 2, 29, 12, 0));
    EXPECT_EQ(parse_receipt_date("240229120059"), date(2024, 2, 29, 12, 0, 59));
    EXPECT_FALSE(parse_receipt_date("2400291200"));   // month 0
    EXPECT_FALSE(parse_receipt_date("2402292400"));   // hour 24
    EXPECT_FALSE(parse_receipt_date("2402291260"));   // minute 60
    EXPECT_FALSE(parse_receipt_date("24022912"));     // too short
    EXPECT_FALSE(parse_receipt_date("24022912000"));  // 11 digits
    EXPECT_FALSE(parse_receipt_date("24O2291200"));   // letter O
    EXPECT_EQ(format_receipt_date(date(2024, 2, 29, 12, 0)), "2402291200");
    EXPECT_EQ(format_receipt_date(date(2024, 2, 29, 12, 0, 7)), "240229120007");
    EXPECT_EQ(format_receipt_date(date(1999, 2, 3, 4, 5, 6)), "19990203040506");
}

TEST(ReceiptStat, EveryStateWord) {
    struct Case {
        const char* word;
        MessageState state;
    };
    const Case cases[] = {
        {"DELIVRD", MessageState::delivered},   {"EXPIRED", MessageState::expired},
        {"DELETED", MessageState::deleted},     {"UNDELIV", MessageState::undeliverable},
        {"ACCEPTD", MessageState::accepted},    {"UNKNOWN", MessageState::unknown},
        {"REJECTD", MessageState::rejected},    {"ENROUTE", MessageState::enroute},
        {"delivered", MessageState::delivered}, {"Undeliverable", MessageState::undeliverable},
        {"ACCEPTED", MessageState::accepted},   {"REJECTED", MessageState::rejected}};
    for (const auto& c : cases) { EXPECT_EQ(parse_stat(c.word), c.state) << c.word; }
    EXPECT_FALSE(parse_stat("DELIVRDX"));
    EXPECT_FALSE(parse_stat(""));
    EXPECT_TRUE(is_final(MessageState::delivered));
    EXPECT_FALSE(is_final(MessageState::enroute));
    EXPECT_EQ(stat_text(MessageState::undeliverable), "UNDELIV");
}

TEST(ReceiptErr, NumericErrorCode) {
    Receipt r;
    r.err = "034";
    EXPECT_EQ(r.error_code(), 34U);
    r.err = "0x1A";
    EXPECT_EQ(r.error_code(), 26U);
    r.err = "00B";
    EXPECT_EQ(r.error_code(), 11U);
    r.err = "n/a";
    EXPECT_FALSE(r.error_code());
    r.network_error = NetworkErrorCode{3, 7};
    EXPECT_EQ(r.error_code(), 7U);
}

TEST(MessageId, NormalisesAndMatchesAcrossHexAndDecimal) {
    const auto f = normalize_message_id("0000A1B2");
    EXPECT_EQ(f.as_is, "0000A1B2");
    EXPECT_EQ(f.normalized, "a1b2");
    EXPECT_EQ(f.hex_as_decimal, "41394");
    EXPECT_FALSE(f.decimal_as_hex);
    const auto d = normalize_message_id("41394");
    EXPECT_EQ(d.decimal_as_hex, "a1b2");
    EXPECT_EQ(normalize_message_id("000").normalized, "0");
    EXPECT_FALSE(normalize_message_id("id-1").hex_as_decimal);
    EXPECT_FALSE(normalize_message_id("99999999999999999999999").decimal_as_hex);  // > 64 bits

    EXPECT_TRUE(message_ids_match("A1B2", "41394"));
    EXPECT_TRUE(message_ids_match("41394", "0a1b2"));
    EXPECT_TRUE(message_ids_match("00123", "123"));
    EXPECT_TRUE(message_ids_match("AbC", "abc"));
    EXPECT_FALSE(message_ids_match("A1B2", "41395"));
    EXPECT_FALSE(message_ids_match("", ""));
    EXPECT_FALSE(message_ids_match("x-1", "x-2"));
}

}  // namespace
}  // namespace bindery::smpp
