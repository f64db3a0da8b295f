// TlvRange typed accessors that encode_test.cpp's TLV tests do not reach.

#include <gtest/gtest.h>

#include <cstdint>

#include "smpp/codec/codec.hpp"

namespace bindery::smpp {
namespace {

TEST(Tlv, TelematicsIdsReadAtTheirSpecLengths) {
    TlvBuilder t;
    t.u16(tlv_tag::dest_telematics_id, 0x0132).u8(tlv_tag::source_telematics_id, 0x22);
    const auto r = t.range();
    EXPECT_EQ(r.dest_telematics_id(), 0x0132);
    EXPECT_EQ(r.source_telematics_id(), 0x22);
    EXPECT_EQ(tlv_length_rule(tlv_tag::dest_telematics_id)->max, 2);
    EXPECT_EQ(tlv_length_rule(tlv_tag::source_telematics_id)->max, 1);
    EXPECT_EQ(tlv_name(tlv_tag::dest_telematics_id), "dest_telematics_id");
    EXPECT_FALSE(TlvRange{}.dest_telematics_id());
    EXPECT_FALSE(TlvRange{}.source_telematics_id());

    // Wrong lengths (1 octet for the destination, 2 for the source) read as absent.
    const std::uint8_t wire[] = {0x00, 0x08, 0x00, 0x01, 0x07,  // dest_telematics_id, 1 octet
                                 0x00, 0x10, 0x00, 0x02, 0x00,
                                 0x07};  // source_telematics_id, 2 octets
    const TlvRange wrong{ByteView(wire)};
    EXPECT_EQ(wrong.count(), 2U);
    EXPECT_FALSE(wrong.dest_telematics_id());
    EXPECT_FALSE(wrong.source_telematics_id());
}

TEST(Tlv, TelematicsIdsSurviveADataSmRoundTrip) {
    TlvBuilder t;
    t.u16(tlv_tag::dest_telematics_id, 0xBEEF).u8(tlv_tag::source_telematics_id, 0x01);
    DataSm d;
    d.destination_addr = "989121234567";
    d.tlvs = t.range();
    std::vector<std::uint8_t> wire;
    ASSERT_FALSE(encode(Pdu{Header{.sequence_number = 4}, d}, wire));
    const auto back = decode(wire);
    ASSERT_TRUE(back);
    const auto* ds = back->get_if<DataSm>();
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(ds->tlvs.dest_telematics_id(), 0xBEEF);
    EXPECT_EQ(ds->tlvs.source_telematics_id(), 0x01);
}

}  // namespace
}  // namespace bindery::smpp
