// What a submit_sm / data_sm says about concatenation (smpp/codec/concat_part.hpp): 8- and
// 16-bit UDH references, SAR TLVs, both agreeing, and every malformed or inconsistent numbering
// with the command_status it is answered with.

#include "smpp/codec/concat_part.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bindery::smpp {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

Expected<std::optional<SubmitPart>, CommandStatus> parse(const std::vector<std::uint8_t>& sm,
                                                         std::uint8_t esm_class,
                                                         const TlvBuilder& tlvs = {}) {
    return concat_part(8, esm_class, ByteView(sm), TlvRange(ByteView(tlvs.bytes())));
}

TEST(ConcatPart, ReadsAnEightBitReferenceAndStripsTheHeader) {
    auto p = parse(bytes({0x05, 0x00, 0x03, 0x2A, 0x03, 0x02, 0x00, 0x41}), 0x40);
    ASSERT_TRUE(p.has_value());
    ASSERT_TRUE(p->has_value());
    const auto& part = **p;
    EXPECT_EQ(part.ref.kind, ConcatRefKind::udh8);
    EXPECT_EQ(part.ref.reference, 0x2A);
    EXPECT_EQ(part.ref.total, 3);
    EXPECT_EQ(part.ref.seqnum, 2);
    EXPECT_EQ(part.data_coding, 8);
    EXPECT_EQ(part.user_data, bytes({0x00, 0x41}));
}

TEST(ConcatPart, ReadsASixteenBitReferenceAmongOtherElements) {
    // A port-addressing IE (0x05, 4 octets) before the 16-bit concatenation IE.
    auto p = parse(
        bytes({0x0C, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 'h'}),
        0x40);
    ASSERT_TRUE(p.has_value() && p->has_value());
    EXPECT_EQ((*p)->ref.kind, ConcatRefKind::udh16);
    EXPECT_EQ((*p)->ref.reference, 0x1234);
    EXPECT_EQ((*p)->ref.total, 2);
    EXPECT_EQ((*p)->ref.seqnum, 1);
    EXPECT_EQ((*p)->user_data, bytes({'h'}));
}

TEST(ConcatPart, ReadsSarTlvsAndTheMessagePayload) {
    TlvBuilder t;
    t.u16(tlv_tag::sar_msg_ref_num, 0x0102)
        .u8(tlv_tag::sar_total_segments, 4)
        .u8(tlv_tag::sar_segment_seqnum, 4);
    const auto payload = bytes({0x00, 0x42});
    (void)t.octets(tlv_tag::message_payload, ByteView(payload));
    auto p = parse({}, 0, t);
    ASSERT_TRUE(p.has_value() && p->has_value());
    EXPECT_EQ((*p)->ref.kind, ConcatRefKind::sar);
    EXPECT_EQ((*p)->ref.reference, 0x0102);
    EXPECT_EQ((*p)->ref.total, 4);
    EXPECT_EQ((*p)->ref.seqnum, 4);
    EXPECT_EQ((*p)->user_data, payload);
}

TEST(ConcatPart, AnswersEachMalformedOrInconsistentNumberingWithItsStatus) {
    struct Case {
        const char* name;
        std::vector<std::uint8_t> sm;
        std::uint8_t esm_class;
        TlvBuilder tlvs;
        CommandStatus status;
    };
    std::vector<Case> cases;
    cases.push_back({"total 0",
                     bytes({0x05, 0x00, 0x03, 0x01, 0x00, 0x01, 'x'}),
                     0x40,
                     {},
                     CommandStatus::ESME_RINVESMCLASS});
    cases.push_back({"seqnum 0",
                     bytes({0x05, 0x00, 0x03, 0x01, 0x02, 0x00, 'x'}),
                     0x40,
                     {},
                     CommandStatus::ESME_RINVESMCLASS});
    cases.push_back({"seqnum > total",
                     bytes({0x05, 0x00, 0x03, 0x01, 0x02, 0x03, 'x'}),
                     0x40,
                     {},
                     CommandStatus::ESME_RINVESMCLASS});
    cases.push_back({"UDHL past the end",
                     bytes({0x09, 0x00, 0x03, 0x01}),
                     0x40,
                     {},
                     CommandStatus::ESME_RINVESMCLASS});
    {
        TlvBuilder t;
        t.u16(tlv_tag::sar_msg_ref_num, 1).u8(tlv_tag::sar_total_segments, 2);
        cases.push_back(
            {"SAR without seqnum", bytes({'x'}), 0, t, CommandStatus::ESME_RMISSINGOPTPARAM});
    }
    {
        TlvBuilder t;
        t.u16(tlv_tag::sar_msg_ref_num, 1)
            .u8(tlv_tag::sar_total_segments, 2)
            .u8(tlv_tag::sar_segment_seqnum, 3);
        cases.push_back(
            {"SAR seqnum > total", bytes({'x'}), 0, t, CommandStatus::ESME_RINVOPTPARAMVAL});
    }
    {
        TlvBuilder t;
        t.u8(tlv_tag::sar_msg_ref_num, 1)
            .u8(tlv_tag::sar_total_segments, 2)
            .u8(tlv_tag::sar_segment_seqnum, 1);
        cases.push_back(
            {"SAR ref of one octet", bytes({'x'}), 0, t, CommandStatus::ESME_RINVOPTPARAMVAL});
    }
    {
        TlvBuilder t;
        t.u16(tlv_tag::sar_msg_ref_num, 1)
            .u8(tlv_tag::sar_total_segments, 2)
            .u8(tlv_tag::sar_segment_seqnum, 2);
        cases.push_back({"UDH and SAR disagree", bytes({0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 'x'}),
                         0x40, t, CommandStatus::ESME_RINVOPTPARAMVAL});
    }
    {
        TlvBuilder t;
        const auto payload = bytes({'y'});
        (void)t.octets(tlv_tag::message_payload, ByteView(payload));
        cases.push_back({"short_message and message_payload", bytes({'x'}), 0, t,
                         CommandStatus::ESME_RINVPARLEN});
    }
    for (const auto& c : cases) {
        auto p = parse(c.sm, c.esm_class, c.tlvs);
        ASSERT_FALSE(p.has_value()) << c.name;
        EXPECT_EQ(p.error(), c.status) << c.name;
    }
}

TEST(ConcatPart, UdhAndSarThatAgreeAreOnePartAndNoNumberingIsNoPart) {
    TlvBuilder t;
    t.u16(tlv_tag::sar_msg_ref_num, 7)
        .u8(tlv_tag::sar_total_segments, 2)
        .u8(tlv_tag::sar_segment_seqnum, 1);
    auto both = parse(bytes({0x05, 0x00, 0x03, 0x07, 0x02, 0x01, 'x'}), 0x40, t);
    ASSERT_TRUE(both.has_value() && both->has_value());
    EXPECT_EQ((*both)->ref.kind, ConcatRefKind::udh8);

    auto plain = parse(bytes({'h', 'i'}), 0);
    ASSERT_TRUE(plain.has_value());
    EXPECT_FALSE(plain->has_value());
    // A UDH without a concatenation IE (port addressing only) is no part either.
    auto ported = parse(bytes({0x04, 0x04, 0x02, 0x10, 0x20, 'x'}), 0x40);
    ASSERT_TRUE(ported.has_value());
    EXPECT_FALSE(ported->has_value());
}

}  // namespace
}  // namespace bindery::smpp
