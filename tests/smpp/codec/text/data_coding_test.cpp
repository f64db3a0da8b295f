#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/gsm7.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(DataCoding, ClassifiesSmppAndGsmDcsValues) {
    struct Case {
        std::uint8_t dc;
        DataCodingInfo info;
    };
    const Case cases[] = {
        {0x00, {Alphabet::gsm7, std::nullopt, false}},
        {0x01, {Alphabet::ia5, std::nullopt, false}},
        {0x02, {Alphabet::binary, std::nullopt, false}},
        {0x03, {Alphabet::latin1, std::nullopt, false}},
        {0x04, {Alphabet::binary, std::nullopt, false}},
        {0x05, {Alphabet::unsupported, std::nullopt, false}},
        {0x06, {Alphabet::cyrillic, std::nullopt, false}},
        {0x07, {Alphabet::hebrew, std::nullopt, false}},
        {0x08, {Alphabet::ucs2, std::nullopt, false}},
        {0x09, {Alphabet::unsupported, std::nullopt, false}},
        {0x0E, {Alphabet::unsupported, std::nullopt, false}},
        {0x10, {Alphabet::gsm7, 0, false}},  // flash GSM 7-bit
        {0x11, {Alphabet::gsm7, 1, false}},
        {0x14, {Alphabet::binary, 0, false}},
        {0x18, {Alphabet::ucs2, 0, false}},                   // flash UCS-2
        {0x1C, {Alphabet::unsupported, 0, false}},            // reserved alphabet
        {0x24, {Alphabet::unsupported, std::nullopt, true}},  // compressed
        {0x48, {Alphabet::ucs2, std::nullopt, false}},        // auto-deletion group
        {0x80, {Alphabet::unsupported, std::nullopt, false}},
        {0xC0, {Alphabet::gsm7, std::nullopt, false}},
        {0xD8, {Alphabet::gsm7, std::nullopt, false}},
        {0xE0, {Alphabet::ucs2, std::nullopt, false}},
        {0xF0, {Alphabet::gsm7, 0, false}},
        {0xF1, {Alphabet::gsm7, 1, false}},
        {0xF5, {Alphabet::binary, 1, false}},
        {0xF6, {Alphabet::binary, 2, false}},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(classify_data_coding(c.dc), c.info) << "dc 0x" << std::hex << unsigned{c.dc};
    }
    EXPECT_EQ(classify_data_coding(0x00, SmscDefaultAlphabet::latin1).alphabet, Alphabet::latin1);
    EXPECT_EQ(classify_data_coding(0x00, SmscDefaultAlphabet::ia5).alphabet, Alphabet::ia5);
}

TEST(DataCoding, DataCodingForEachAlphabet) {
    EXPECT_EQ(data_coding_for(Alphabet::gsm7), 0x00);
    EXPECT_EQ(data_coding_for(Alphabet::ia5), 0x01);
    EXPECT_EQ(data_coding_for(Alphabet::latin1), 0x03);
    EXPECT_EQ(data_coding_for(Alphabet::binary), 0x04);
    EXPECT_EQ(data_coding_for(Alphabet::ucs2), 0x08);
    EXPECT_EQ(data_coding_for(Alphabet::latin1, SmscDefaultAlphabet::latin1), 0x00);
}

TEST(DecodeText, EveryAlphabet) {
    EXPECT_EQ(decode_text(0x00, Bytes{0x48, 0x69, 0x00, 0x02}).utf8, "Hi@$");
    EXPECT_EQ(decode_text(0x01, Bytes{'H', 'i', '@'}).utf8, "Hi@");
    EXPECT_EQ(decode_text(0x03, Bytes{'c', 'a', 'f', 0xE9}).utf8, "caf\xC3\xA9");
    EXPECT_EQ(decode_text(0x08, Bytes{0x06, 0x33, 0xD8, 0x3D, 0xDE, 0x00}).utf8,
              "\xD8\xB3\xF0\x9F\x98\x80");
    EXPECT_EQ(decode_text(0x18, Bytes{0x00, 0x41}).utf8, "A");
    EXPECT_EQ(decode_text(0x04, Bytes{'o', 'k'}).alphabet, Alphabet::binary);
    EXPECT_EQ(
        decode_text(0x00, Bytes{0x48, 0x69}, {SmscDefaultAlphabet::latin1, Gsm7Packing::unpacked})
            .utf8,
        "Hi");
    const auto packed =
        decode_text(0x00, Bytes{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37},
                    {SmscDefaultAlphabet::gsm7, Gsm7Packing::packed});
    EXPECT_EQ(packed.utf8, "hellohello");
    EXPECT_FALSE(packed.lossy);
}

TEST(DecodeText, MarksLossyDecodes) {
    const auto r = decode_text(0x08, Bytes{0xD8, 0x00, 0x00});
    EXPECT_TRUE(r.lossy);
    EXPECT_EQ(r.utf8, "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_TRUE(decode_text(0x00, Bytes{0xC8}).lossy);
    EXPECT_TRUE(decode_text(0x05, Bytes{0xFF}).lossy);  // unsupported JIS, read as UTF-8
    EXPECT_FALSE(decode_text(0x03, Bytes{0xFF}).lossy);
}

TEST(DecodeUserData, StripsUdhAndHonoursFillBitsWhenPacked) {
    const Bytes sm{0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0xD0, 0x65, 0x36, 0xFB, 0x0D};
    const auto r =
        decode_user_data(0x00, sm, true, {SmscDefaultAlphabet::gsm7, Gsm7Packing::packed});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->text.utf8, "hello");
    ASSERT_TRUE(r->udh && r->udh->concat);
    EXPECT_EQ(r->udh->concat->seqnum, 1);
    const Bytes unpacked{0x05, 0x00, 0x03, 0x2A, 0x02, 0x02, 'h', 'i'};
    const auto u = decode_user_data(0x00, unpacked, true);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->text.utf8, "hi");
}

TEST(DecodeUserData, ReportsMalformedUdh) {
    const Bytes sm{0x09, 0x00, 0x03};
    const auto r = decode_user_data(0x08, sm, true);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, UdhErrc::length_exceeds_data);
    const auto plain = decode_user_data(0x00, sm, false);  // same octets as text: fine
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->udh);
}

}  // namespace
}  // namespace bindery::smpp
