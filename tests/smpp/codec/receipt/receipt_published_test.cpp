// Delivery receipts as real SMSCs and gateways sent them, taken verbatim (the receipt text only)
// from public test suites, each named by repository and path. receipt_test.cpp covers the rules
// with made-up receipts; these are the carriers' own quirks: 12- and 14-digit dates, a year-first
// 12-digit date, ids as UUIDs and hex, single-digit dlvrd/err, a missing text or sub/dlvrd, text
// padded with spaces, fields out of order with `text:` in the middle, vendor fields after err, and
// receipts that live in TLVs with a short_message that is no receipt text at all.

#include "smpp/codec/receipt/receipt.hpp"
#include "tests/smpp/codec/receipt/receipt_date.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace bindery::smpp {
namespace {

using test::date;
using test::expect_fields;
using test::ReceiptFields;

struct Published {
    const char* source;  // repository and path (and test) it was published in
    std::string text;
    ReceiptTlvs tlvs;
    ReceiptFields want;  // what we must read
    std::optional<std::uint32_t> error_code;
};

const Published kPublished[] = {
    // ---- jookies/jasmin, jasmin/protocols/smpp/test/test_operations.py (DeliveryParsingTest) ----
    {"jookies/jasmin test_operations.py test_is_delivery_standard",
     "id:1891273321 sub:001 dlvrd:001 submit date:1305050826 done date:1305050826 stat:DELIVRD "
     "err:000 text:DLVRD TO MOBILE",
     {},
     {"1891273321", MessageState::delivered, 1, 1, date(2013, 5, 5, 8, 26), date(2013, 5, 5, 8, 26),
      "000", "DLVRD TO MOBILE"},
     0},
    {"jookies/jasmin test_operations.py test_is_delivery_empty_text",
     "id:1891273321 sub:001 dlvrd:001 submit date:1305050826 done date:1305050826 stat:DELIVRD "
     "err:000 text:",
     {},
     {"1891273321", MessageState::delivered, 1, 1, date(2013, 5, 5, 8, 26), date(2013, 5, 5, 8, 26),
      "000", ""},
     0},
    // Clickatell (jasmin issue #70): 32 hex digits of id, 12-digit dates with seconds.
    {"jookies/jasmin test_operations.py test_is_delivery_clickatell_70",
     "id:a29f6845555647139e5c8f3b817f2c9a sub:001 dlvrd:001 submit date:141023215253 done "
     "date:141023215259 stat:DELIVRD err:000 text:HOLA",
     {},
     {"a29f6845555647139e5c8f3b817f2c9a", MessageState::delivered, 1, 1,
      date(2014, 10, 23, 21, 52, 53), date(2014, 10, 23, 21, 52, 59), "000", "HOLA"},
     0},
    // Jasmin's own receipts (issue #153): a UUID id.
    {"jookies/jasmin test_operations.py test_is_delivery_jasmin_153",
     "id:4a38dc46-5125-4969-90be-72104c340d5c sub:001 dlvrd:001 submit date:150519232657 done "
     "date:150519232657 stat:DELIVRD err:000 text:-",
     {},
     {"4a38dc46-5125-4969-90be-72104c340d5c", MessageState::delivered, 1, 1,
      date(2015, 5, 19, 23, 26, 57), date(2015, 5, 19, 23, 26, 57), "000", "-"},
     0},
    // Issue #195: no sub, dlvrd or text, and 12-digit dates that are YYYYMMDDhhmm
    // (2015-06-20 16:41), not YYMMDDhhmmss (month 15).
    {"jookies/jasmin test_operations.py test_is_delivery_jasmin_195",
     "id:c87c2273-7edb-4bc7-8d3a-7f57f21b625e submit date:201506201641 done date:201506201641 "
     "stat:DELIVRD err:000",
     {},
     {"c87c2273-7edb-4bc7-8d3a-7f57f21b625e", MessageState::delivered, std::nullopt, std::nullopt,
      date(2015, 6, 20, 16, 41), date(2015, 6, 20, 16, 41), "000", ""},
     0},
    // Sicap MMG (issue #224): the short_message is no receipt text; the TLVs say it all.
    {"jookies/jasmin test_operations.py test_is_delivery_mmg_deliver_sm_224",
     "362d9701 2",
     {"362d9701", 2, std::nullopt},
     {"362d9701", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
      "", ""},
     std::nullopt},
    // Sicap MMG data_sm (issue #92): no short_message at all.
    {"jookies/jasmin test_operations.py test_is_delivery_mmg_data_sm_92",
     "",
     {"362d9701", 2, std::nullopt},
     {"362d9701", MessageState::delivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
      "", ""},
     std::nullopt},
    // Issue #427: the TLVs win over the text, for the id...
    {"jookies/jasmin test_operations.py test_take_msgid_from_tlv_first",
     "id:5000 submit date:201506201641 done date:201506201641 stat:DELIVRD err:000",
     {"6000", 2, std::nullopt},
     {"6000", MessageState::delivered, std::nullopt, std::nullopt, date(2015, 6, 20, 16, 41),
      date(2015, 6, 20, 16, 41), "000", ""},
     0},
    // ...and for the state (ACCEPTED in the TLV, DELIVRD in the text).
    {"jookies/jasmin test_operations.py test_take_message_state_from_tlv_first",
     "id:5000 submit date:201506201641 done date:201506201641 stat:DELIVRD err:000",
     {"5000", 6, std::nullopt},
     {"5000", MessageState::accepted, std::nullopt, std::nullopt, date(2015, 6, 20, 16, 41),
      date(2015, 6, 20, 16, 41), "000", ""},
     0},

    // ---- twitter-archive/cloudhopper-smpp,
    //      src/test/java/com/cloudhopper/smpp/util/DeliveryReceiptTest.java ----
    {"cloudhopper-smpp DeliveryReceiptTest.parseShortMessage",
     "id:0123456789 sub:002 dlvrd:001 submit date:1005232039 done date:1005242339 stat:DELIVRD "
     "err:012 text:This is a sample mes",
     {},
     {"0123456789", MessageState::delivered, 2, 1, date(2010, 5, 23, 20, 39),
      date(2010, 5, 24, 23, 39), "012", "This is a sample mes"},
     12},
    // "example receipt from smsc simulator (checks case sensitivity)": one-digit id, capital Text.
    {"cloudhopper-smpp DeliveryReceiptTest.parseShortMessage (SMSC simulator)",
     "id:4 sub:001 dlvrd:001 submit date:1006020051 done date:1006020051 stat:DELIVRD err:000 "
     "Text:Hello",
     {},
     {"4", MessageState::delivered, 1, 1, date(2010, 6, 2, 0, 51), date(2010, 6, 2, 0, 51), "000",
      "Hello"},
     0},
    // A captured deliver_sm (parseRealWorldReceipt0): decimal id in the text, the same id in hex in
    // receipted_message_id, message_state DELIVERED, a text full of punctuation and a colon.
    {"cloudhopper-smpp DeliveryReceiptTest.parseRealWorldReceipt0",
     "id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731 stat:DELIVRD "
     "err:000 text:@$#!%&/:",
     {"38601fa", 2, std::nullopt},
     {"38601fa", MessageState::delivered, 1, 1, date(2010, 2, 10, 17, 30),
      date(2010, 2, 10, 17, 31), "000", "@$#!%&/:"},
     0},
    {"cloudhopper-smpp DeliveryReceiptTest.parseReceiptWithTimestampIncludingSeconds",
     "id:74e02ee1-4e2f-4a6e-a78b-4b247d756a22 sub:001 dlvrd:001 submit date:110206193041 done "
     "date:110206193110 stat:DELIVRD err:000 text:",
     {},
     {"74e02ee1-4e2f-4a6e-a78b-4b247d756a22", MessageState::delivered, 1, 1,
      date(2011, 2, 6, 19, 30, 41), date(2011, 2, 6, 19, 31, 10), "000", ""},
     0},
    // Fields out of order, `text:` (empty) before `stat:`.
    {"cloudhopper-smpp DeliveryReceiptTest.parseReceiptWithFieldsOutOfOrder",
     "sub:001 id:74e02ee1-4e2f-4a6e-a78b-4b247d756a22 err:000 dlvrd:001 done date:110206193110 "
     "submit date:110206193041 text: stat:DELIVRD",
     {},
     {"74e02ee1-4e2f-4a6e-a78b-4b247d756a22", MessageState::delivered, 1, 1,
      date(2011, 2, 6, 19, 30, 41), date(2011, 2, 6, 19, 31, 10), "000", ""},
     0},
    {"cloudhopper-smpp DeliveryReceiptTest.parseShortMessageWith11DigitLongMessageId",
     "id:98765432101 sub:000 dlvrd:000 submit date:1001010000 done date:1001010000 stat:ENROUTE "
     "err:000 text:",
     {},
     {"98765432101", MessageState::enroute, 0, 0, date(2010, 1, 1, 0, 0), date(2010, 1, 1, 0, 0),
      "000", ""},
     0},
    // No sub/dlvrd, upper-case hex id, 14-digit dates, one-digit err.
    {"cloudhopper-smpp DeliveryReceiptTest.parseReceiptWithMissingSubAndDlvrdFields",
     "id:2E179B310EDE971B2760C72B7F026E1B submit date:20110314181534 done date:20110314181741 "
     "stat:DELIVRD err:0",
     {},
     {"2E179B310EDE971B2760C72B7F026E1B", MessageState::delivered, std::nullopt, std::nullopt,
      date(2011, 3, 14, 18, 15, 34), date(2011, 3, 14, 18, 17, 41), "0", ""},
     0},

    // ---- RestComm/smscgateway, core/smsc-common-library/src/test/java/
    //      org/mobicents/smsc/library/ParseDeliveryReceiptTest.java ----
    {"RestComm/smscgateway ParseDeliveryReceiptTest msg",
     "id:0512249005 sub:001 dlvrd:000 submit date:1609051327 done date:1609051337 stat:ENROUTE "
     "err:054 text:xxssxx",
     {},
     {"0512249005", MessageState::enroute, 1, 0, date(2016, 9, 5, 13, 27), date(2016, 9, 5, 13, 37),
      "054", "xxssxx"},
     54},
    {"RestComm/smscgateway ParseDeliveryReceiptTest msg3",
     "id:1010d937-8f43-4754-9dd8-6e987cda32fa sub:001 dlvrd:000 submit date:161008120127 done "
     "date:1610081500 stat:UNDELIV err:004 text:exampleMessage02",
     {},
     {"1010d937-8f43-4754-9dd8-6e987cda32fa", MessageState::undeliverable, 1, 0,
      date(2016, 10, 8, 12, 1, 27), date(2016, 10, 8, 15, 0), "004", "exampleMessage02"},
     4},

    // ---- opentelecoms-org/jsmpp,
    //      jsmpp/src/test/java/org/jsmpp/util/DeliveryReceiptParserTest.java ----
    {"jsmpp DeliveryReceiptParserTest.parseTextWithLowerCase",
     "id:0123456789 sub:001 dlvrd:001 submit date:0809011130 done date:0809011131 stat:DELIVRD "
     "err:000 text:testing jsmpp bow",
     {},
     {"0123456789", MessageState::delivered, 1, 1, date(2008, 9, 1, 11, 30),
      date(2008, 9, 1, 11, 31), "000", "testing jsmpp bow"},
     0},
    // No `text:` label: what follows err is not a text field.
    {"jsmpp DeliveryReceiptParserTest.parseWithNoTextAttribute",
     "id:0123456789 sub:001 dlvrd:001 submit date:0809011130 done date:0809011131 stat:DELIVRD "
     "err:000 testing jsmpp bow",
     {},
     {"0123456789", MessageState::delivered, 1, 1, date(2008, 9, 1, 11, 30),
      date(2008, 9, 1, 11, 31), "000", ""},
     0},
};

TEST(ReceiptPublished, EveryPublishedReceiptParsesToItsFields) {
    static_assert(std::size(kPublished) >= 15);
    for (const auto& p : kPublished) {
        SCOPED_TRACE(p.source);
        const auto r = parse_receipt(p.text, p.tlvs);
        ASSERT_TRUE(r) << to_string(r.error().code);
        expect_fields(*r, p.want);
        EXPECT_EQ(r->error_code(), p.error_code);
        EXPECT_EQ(r->id_from_tlv, p.tlvs.receipted_message_id.has_value());
        EXPECT_EQ(r->state_from_tlv, p.tlvs.message_state.has_value());
    }
}

// The captured cloudhopper receipt names one message two ways: decimal in the text, hex in the TLV.
TEST(ReceiptPublished, TextAndTlvIdsOfTheCapturedReceiptMatch) {
    EXPECT_TRUE(message_ids_match("0059113978", "38601fa"));
    const auto* captured =
        std::find_if(std::begin(kPublished), std::end(kPublished), [](const Published& p) {
            return std::string_view(p.source) ==
                   "cloudhopper-smpp DeliveryReceiptTest.parseRealWorldReceipt0";
        });
    ASSERT_NE(captured, std::end(kPublished));
    const auto text_only = parse_receipt(captured->text);
    ASSERT_TRUE(text_only);
    EXPECT_EQ(text_only->id, "0059113978");
}

}  // namespace
}  // namespace bindery::smpp
