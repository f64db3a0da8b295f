// encode(): field limits, errors leave the buffer untouched, TLV checks, builders and dump.

#include <gtest/gtest.h>

#include <string>

#include "smpp/codec/codec.hpp"
#include "tests/smpp/codec/hex_file.hpp"

namespace bindery::smpp {
namespace {

Pdu submit(SubmitSm b) {
    return Pdu{Header{0, CommandId::submit_sm, CommandStatus::ESME_ROK, 9}, b};
}

TEST(Encode, BuildsTheReferenceSubmitSmOctetForOctet) {
    const std::string text = "Hi";
    SubmitSm b;
    b.source_addr_ton = 1;
    b.source_addr_npi = 1;
    b.source_addr = "447700900123";
    b.dest_addr_ton = 1;
    b.dest_addr_npi = 1;
    b.destination_addr = "989121234567";
    b.registered_delivery = 1;
    b.short_message = as_bytes(text);
    Pdu p = submit(b);
    p.header.sequence_number = 2;
    std::vector<std::uint8_t> out;
    ASSERT_FALSE(encode(p, out));
    EXPECT_EQ(out, test::read_golden("good", "submit_sm").bytes);
}

TEST(Encode, RejectsFieldsLongerThanTheSpecAndLeavesTheBufferAsItWas) {
    struct Case {
        const char* what;
        SubmitSm body;
        EncodeErrc expected;
    };
    const std::string addr21(21, '1');
    const std::string addr20(20, '1');
    const std::vector<std::uint8_t> sm255(255, 'x');
    const std::string with_nul("ab\0c", 4);
    SubmitSm ok;
    ok.source_addr = addr20;
    std::vector<Case> cases;
    SubmitSm b = ok;
    b.source_addr = addr21;
    cases.push_back({"source_addr 21", b, EncodeErrc::field_too_long});
    b = ok;
    b.service_type = "CMTCMT";
    cases.push_back({"service_type 6", b, EncodeErrc::field_too_long});
    b = ok;
    b.destination_addr = with_nul;
    cases.push_back({"embedded NUL", b, EncodeErrc::embedded_nul});
    b = ok;
    b.validity_period = "12345";
    cases.push_back({"validity 5", b, EncodeErrc::invalid_time});
    b = ok;
    b.short_message = ByteView(sm255);
    cases.push_back({"sm 255", b, EncodeErrc::short_message_too_long});
    TlvBuilder payload;
    payload.octets(tlv_tag::message_payload, as_bytes("x"));
    b = ok;
    b.short_message = as_bytes("y");
    b.tlvs = payload.range();
    cases.push_back({"payload conflict", b, EncodeErrc::payload_conflict});
    const std::uint8_t broken_tlv[] = {0x02, 0x04, 0x00, 0x05, 0x00};
    b = ok;
    b.tlvs = TlvRange(ByteView(broken_tlv));
    cases.push_back({"tlv overrun", b, EncodeErrc::invalid_tlvs});
    TlvBuilder wrong_len;
    wrong_len.u8(tlv_tag::sar_msg_ref_num, 1);
    b = ok;
    b.tlvs = wrong_len.range();
    cases.push_back({"sar ref 1 octet", b, EncodeErrc::invalid_tlvs});

    for (const auto& c : cases) {
        std::vector<std::uint8_t> out = {1, 2, 3};
        EXPECT_EQ(encode(submit(c.body), out), make_error_code(c.expected)) << c.what;
        EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3})) << c.what;
        EXPECT_FALSE(encoded_size(submit(c.body))) << c.what;
    }
    std::vector<std::uint8_t> out;
    EXPECT_FALSE(encode(submit(ok), out));
}

TEST(Encode, SubmitMultiNeedsOneTo254DestinationsAndValidFlags) {
    SubmitMulti m;
    std::vector<std::uint8_t> out;
    Pdu p{Header{}, m};
    EXPECT_EQ(encode(p, out), make_error_code(EncodeErrc::invalid_number_of_dests));
    std::vector<DestAddress> many(255, DestAddress{DestFlag::sme_address, 1, 1, "1", ""});
    m.dest_addresses = DestAddressList(many);
    p.body = m;
    EXPECT_EQ(encode(p, out), make_error_code(EncodeErrc::invalid_number_of_dests));
    many.resize(254);
    many[3].dest_flag = static_cast<DestFlag>(7);
    m.dest_addresses = DestAddressList(many);
    p.body = m;
    EXPECT_EQ(encode(p, out), make_error_code(EncodeErrc::invalid_dest_flag));
    many[3] = DestAddress{DestFlag::distribution_list, 0, 0, "", "list"};
    m.dest_addresses = DestAddressList(many);
    p.body = m;
    EXPECT_FALSE(encode(p, out));
    const auto back = decode(out);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->get_if<SubmitMulti>()->dest_addresses.size(), 254U);
    EXPECT_EQ(back->body, p.body);
}

TEST(Encode, SpanVariantReportsASmallBufferAndTheMaxSizeIsEnforced) {
    Pdu p = make_enquire_link(3);
    std::uint8_t small[15];
    const auto r = encode(p, std::span<std::uint8_t>(small));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(EncodeErrc::buffer_too_small));
    std::uint8_t exact[16];
    const auto ok = encode(p, std::span<std::uint8_t>(exact));
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 16U);

    std::vector<std::uint8_t> big(2000, 'a');
    TlvBuilder t;
    t.octets(tlv_tag::message_payload, ByteView(big));
    SubmitSm s;
    s.tlvs = t.range();
    std::vector<std::uint8_t> out;
    EXPECT_EQ(encode(submit(s), out, 1024), make_error_code(EncodeErrc::pdu_too_large));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(encode(submit(s), out));
    EXPECT_STREQ(encode_category().name(), "smpp.encode");
    EXPECT_FALSE(make_error_code(EncodeErrc::pdu_too_large).message().empty());
}

TEST(Encode, CommandIdComesFromTheBodyAndHeaderFieldsAreKept) {
    Pdu p{Header{999, CommandId::submit_sm, CommandStatus::ESME_RSYSERR, 0x7FFFFFFF}, UnbindResp{}};
    std::vector<std::uint8_t> out;
    ASSERT_FALSE(encode(p, out));
    EXPECT_EQ(out, (std::vector<std::uint8_t>{0, 0, 0, 16, 0x80, 0, 0, 6, 0, 0, 0, 8, 0x7F, 0xFF,
                                              0xFF, 0xFF}));
}

TEST(Tlv, TypedAccessorsReadStandardTagsAndLastDuplicateWins) {
    TlvBuilder t;
    t.u16(tlv_tag::sar_msg_ref_num, 0x1234)
        .u8(tlv_tag::sar_total_segments, 3)
        .u8(tlv_tag::sar_segment_seqnum, 2)
        .c_string(tlv_tag::receipted_message_id, "abc")
        .u8(tlv_tag::message_state, 5)
        .network_error_code({3, 0x0102})
        .u16(tlv_tag::user_message_reference, 7)
        .u16(tlv_tag::source_port, 1)
        .u16(tlv_tag::destination_port, 2)
        .u8(tlv_tag::more_messages_to_send, 1)
        .u8(tlv_tag::payload_type, 1)
        .u8(tlv_tag::ms_availability_status, 2)
        .u32(tlv_tag::qos_time_to_live, 3600)
        .u8(tlv_tag::message_state, 2);
    const auto r = t.range();
    EXPECT_EQ(r.sar_msg_ref_num(), 0x1234);
    EXPECT_EQ(r.sar_total_segments(), 3);
    EXPECT_EQ(r.sar_segment_seqnum(), 2);
    EXPECT_EQ(r.receipted_message_id(), "abc");
    EXPECT_EQ(r.message_state(), 2);  // last wins
    EXPECT_EQ(r.network_error_code(), (NetworkErrorCode{3, 0x0102}));
    EXPECT_EQ(r.user_message_reference(), 7);
    EXPECT_EQ(r.source_port(), 1);
    EXPECT_EQ(r.dest_port(), 2);
    EXPECT_EQ(r.more_messages_to_send(), 1);
    EXPECT_EQ(r.payload_type(), 1);
    EXPECT_EQ(r.ms_availability_status(), 2);
    EXPECT_EQ(r.qos_time_to_live(), 3600U);
    EXPECT_FALSE(r.message_payload());
    EXPECT_FALSE(r.sc_interface_version());
    EXPECT_EQ(r.count(), 14U);
    EXPECT_EQ(tlv_name(tlv_tag::receipted_message_id), "receipted_message_id");
    ASSERT_TRUE(tlv_length_rule(tlv_tag::network_error_code));
    EXPECT_EQ(tlv_length_rule(tlv_tag::network_error_code)->min, 3);
    EXPECT_FALSE(tlv_length_rule(0x1401));
}

TEST(Tlv, AccessorsRefuseWrongLengthsAndIterationStopsAtATruncatedTlv) {
    const std::uint8_t wire[] = {0x04, 0x27, 0x00, 0x02, 0x00, 0x02,  // message_state, 2 octets
                                 0x02, 0x0C, 0x00, 0x09, 0x00};       // truncated
    const TlvRange r{ByteView(wire)};
    EXPECT_FALSE(r.message_state());
    EXPECT_EQ(r.count(), 1U);
    TlvBuilder copy;
    copy.append(r);
    EXPECT_EQ(copy.bytes().size(), 6U);
}

TEST(Build, ResponsesEchoTheSequenceAndPickTheRightBody) {
    const Header req{0, CommandId::submit_sm, CommandStatus::ESME_ROK, 42};
    const Pdu r = make_response(req, CommandStatus::ESME_RTHROTTLED);
    EXPECT_EQ(r.command_id(), CommandId::submit_sm_resp);
    EXPECT_EQ(r.header.sequence_number, 42U);
    EXPECT_EQ(r.header.command_status, CommandStatus::ESME_RTHROTTLED);
    EXPECT_NE(r.get_if<SubmitSmResp>(), nullptr);
    for (const auto id : {CommandId::outbind, CommandId::alert_notification,
                          CommandId::submit_sm_resp, static_cast<CommandId>(0x99)}) {
        EXPECT_EQ(make_response(Header{0, id, {}, 1}, CommandStatus::ESME_RINVCMDID).command_id(),
                  CommandId::generic_nack);
    }
    EXPECT_EQ(response_id_for(CommandId::enquire_link), CommandId::enquire_link_resp);
    EXPECT_EQ(response_id_for(CommandId::data_sm), CommandId::data_sm_resp);
    EXPECT_TRUE(is_response(CommandId::generic_nack));
    EXPECT_FALSE(has_response(CommandId::generic_nack));
    EXPECT_EQ(make_generic_nack(5, CommandStatus::ESME_RINVCMDLEN).header.sequence_number, 5U);
    EXPECT_EQ(make_unbind(3).command_id(), CommandId::unbind);
    EXPECT_FALSE(make_body(static_cast<CommandId>(0x12345)));
    EXPECT_EQ(make_body(CommandId::query_sm)->index(), Body(QuerySm{}).index());
}

TEST(Build, ReceiptTlvsCarryTheIdTheStateAndTheNetworkErrorWhenSet) {
    Receipt r;
    r.id = "abc123";
    r.state = MessageState::undeliverable;
    auto bytes = make_receipt_tlvs(r);
    TlvRange tlvs{ByteView(bytes)};
    EXPECT_EQ(tlvs.receipted_message_id(), std::optional<std::string_view>("abc123"));
    EXPECT_EQ(tlvs.message_state(), std::optional<std::uint8_t>(5));
    EXPECT_FALSE(tlvs.network_error_code());
    r.network_error = NetworkErrorCode{3, 1};
    bytes = make_receipt_tlvs(r);
    tlvs = TlvRange{ByteView(bytes)};
    ASSERT_TRUE(tlvs.network_error_code());
    EXPECT_EQ(tlvs.network_error_code()->network_type, 3);
    EXPECT_EQ(tlvs.network_error_code()->error_code, 1);
    // The text and the TLVs parse back to the same receipt.
    r.text = "hi";
    const auto parsed = parse_receipt(
        build_receipt(r),
        ReceiptTlvs{tlvs.receipted_message_id(), tlvs.message_state(), tlvs.network_error_code()});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->id, "abc123");
    EXPECT_EQ(parsed->state, MessageState::undeliverable);
    EXPECT_EQ(parsed->network_error, r.network_error);
}

TEST(Build, StatusNamesFollowTheSpecSpelling) {
    EXPECT_EQ(to_string(CommandStatus::ESME_RTHROTTLED), "ESME_RTHROTTLED");
    EXPECT_EQ(to_string(CommandStatus::ESME_RINVMSGLEN), "ESME_RINVMSGLEN");
    EXPECT_EQ(to_string(CommandStatus::ESME_RX_T_APPN), "ESME_RX_T_APPN");
    EXPECT_EQ(to_string(static_cast<CommandStatus>(0x401)), "vendor-specific");
    EXPECT_EQ(to_string(static_cast<CommandStatus>(0x09)), "reserved");
    EXPECT_EQ(to_string(CommandId::submit_multi_resp), "submit_multi_resp");
    EXPECT_EQ(to_string(static_cast<CommandId>(0x111)), "unknown");
}

TEST(Dump, IsOneLineRedactsPasswordsAndShowsFields) {
    // The decoded PDUs borrow from these buffers: keep them alive.
    const auto bind_bytes = test::read_golden("good", "bind_receiver").bytes;
    const auto dlr_bytes = test::read_golden("good", "deliver_sm").bytes;
    const auto bad_bytes = test::read_golden("bad", "submit_sm_source_addr_too_long").bytes;
    const auto bind = decode(bind_bytes);
    ASSERT_TRUE(bind);
    const auto text = dump(*bind);
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_EQ(text.find("secret"), std::string::npos);
    EXPECT_NE(text.find("password=\"***\""), std::string::npos) << text;
    EXPECT_EQ(text.rfind("bind_receiver seq=2 status=ESME_ROK", 0), 0U) << text;

    const auto dlr = decode(dlr_bytes);
    ASSERT_TRUE(dlr);
    const auto d = dump(*dlr);
    EXPECT_NE(d.find("source_addr=1/1:\"989121234567\""), std::string::npos) << d;
    EXPECT_NE(d.find(R"x(receipted_message_id=(11)"0123456789\x00")x"), std::string::npos) << d;
    EXPECT_NE(d.find("esm_class=0x04"), std::string::npos) << d;

    const auto err = decode(bad_bytes);
    ASSERT_FALSE(err);
    const auto e = dump(err.error());
    EXPECT_NE(e.find("ESME_RINVSRCADR"), std::string::npos) << e;
    EXPECT_NE(e.find("source_addr"), std::string::npos) << e;
}

TEST(Dump, HexDumpMasksBindPasswordsOnly) {
    const auto bind = test::read_golden("good", "bind_receiver").bytes;  // password "secret"
    const auto hex = dump_hex(bind);
    EXPECT_EQ(hex.find("73 65 63 72 65 74"), std::string::npos) << hex;
    EXPECT_NE(hex.find("2A 2A 2A 2A 2A 2A 00"), std::string::npos) << hex;
    EXPECT_EQ(hex.rfind("00 00 00 ", 0), 0U);
    const auto enquire = test::read_golden("good", "enquire_link").bytes;
    EXPECT_EQ(dump_hex(enquire), "00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 01");
    EXPECT_EQ(dump_hex(enquire, 4), "00 00 00 10 ...");
    const std::uint8_t garbage[] = {0xDE, 0xAD};
    EXPECT_EQ(dump_hex(garbage), "DE AD");
}

}  // namespace
}  // namespace bindery::smpp
