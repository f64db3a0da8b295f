#include "smpp/codec/text/udh.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Udh, ParsesEightBitConcatenation) {
    const Bytes sm{0x05, 0x00, 0x03, 0x2A, 0x03, 0x02, 'h', 'i'};
    const auto u = parse_udh(sm);
    ASSERT_TRUE(u);
    ASSERT_TRUE(u->concat);
    EXPECT_EQ(*u->concat, (ConcatInfo{0x2A, 3, 2, false}));
    EXPECT_EQ(u->header.size(), 6U);
    EXPECT_EQ(Bytes(u->payload.begin(), u->payload.end()), (Bytes{'h', 'i'}));
    EXPECT_EQ(u->fill_bits(), 1U);
}

TEST(Udh, ParsesSixteenBitConcatenationAmongOtherElements) {
    // port addressing 16-bit (IE 0x05), unknown IE 0x70 with 0 octets, concat 16-bit.
    const Bytes sm{0x0E, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x70,
                   0x00, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 0xAA};
    const auto u = parse_udh(sm);
    ASSERT_TRUE(u);
    ASSERT_EQ(u->elements.size(), 3U);
    EXPECT_EQ(u->elements[0].iei, iei::port_16bit);
    EXPECT_EQ(u->elements[0].data.size(), 4U);
    EXPECT_EQ(u->elements[1].iei, 0x70);
    EXPECT_TRUE(u->elements[1].data.empty());
    ASSERT_TRUE(u->concat);
    EXPECT_EQ(*u->concat, (ConcatInfo{0x1234, 2, 1, true}));
    EXPECT_EQ(u->payload.size(), 1U);
}

TEST(Udh, HeaderOnlyMessageHasEmptyPayload) {
    const Bytes sm{0x00};
    const auto u = parse_udh(sm);
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->elements.empty());
    EXPECT_TRUE(u->payload.empty());
    EXPECT_FALSE(u->concat);
}

TEST(Udh, IgnoresConcatenationWithImpossibleValues) {
    for (const Bytes& sm :
         {Bytes{0x05, 0x00, 0x03, 0x01, 0x00, 0x01}, Bytes{0x05, 0x00, 0x03, 0x01, 0x02, 0x00},
          Bytes{0x05, 0x00, 0x03, 0x01, 0x02, 0x03}}) {
        const auto u = parse_udh(sm);
        ASSERT_TRUE(u);
        EXPECT_FALSE(u->concat);
        EXPECT_EQ(u->elements.size(), 1U);
    }
}

TEST(Udh, RejectsMalformedLengths) {
    struct Case {
        Bytes sm;
        UdhError error;
    };
    const Case cases[] = {
        {{}, {UdhErrc::empty, 0}},
        {{0x05, 0x00, 0x03, 0x01}, {UdhErrc::length_exceeds_data, 0}},
        {{0x01, 0x00}, {UdhErrc::ie_truncated, 1}},
        {{0x03, 0x00, 0x03, 0x01}, {UdhErrc::ie_truncated, 1}},
        {{0x05, 0x24, 0x01, 0x01, 0x00, 0x05, 'x'}, {UdhErrc::ie_truncated, 4}},
        {{0x04, 0x00, 0x02, 0x01, 0x02}, {UdhErrc::bad_concat_length, 1}},
        {{0x06, 0x08, 0x03, 0x01, 0x02, 0x01, 0x00}, {UdhErrc::bad_concat_length, 1}},
        {{0x05, 0x00, 0x04, 0x01, 0x02, 0x01}, {UdhErrc::ie_truncated, 1}},
    };
    for (const auto& c : cases) {
        const auto u = parse_udh(c.sm);
        ASSERT_FALSE(u) << testing::PrintToString(c.sm);
        EXPECT_EQ(u.error(), c.error)
            << testing::PrintToString(c.sm) << " got " << to_string(u.error().code);
    }
}

TEST(Udh, BuildsConcatenationHeaders) {
    const auto h8 = concat_udh8(0x2A, 3, 1);
    EXPECT_EQ(Bytes(h8.begin(), h8.end()), (Bytes{0x05, 0x00, 0x03, 0x2A, 0x03, 0x01}));
    const auto h16 = concat_udh16(0xBEEF, 2, 2);
    EXPECT_EQ(Bytes(h16.begin(), h16.end()), (Bytes{0x06, 0x08, 0x04, 0xBE, 0xEF, 0x02, 0x02}));
    const auto parsed = parse_udh(h16);
    ASSERT_TRUE(parsed && parsed->concat);
    EXPECT_EQ(*parsed->concat, (ConcatInfo{0xBEEF, 2, 2, true}));
}

}  // namespace
}  // namespace bindery::smpp
