// Golden vectors: every good vector is decoded and checked field by field, then re-encoded to the
// identical octets; every bad vector is rejected with the status and field its "# expect:" states.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <map>
#include <string>

#include "smpp/codec/codec.hpp"
#include "tests/smpp/codec/hex_file.hpp"

namespace bindery::smpp {
namespace {

using test::golden_names;
using test::read_golden;

std::string str(ByteView b) { return std::string(b.as_chars()); }

void expect_header(const Pdu& p, CommandId id, std::uint32_t seq,
                   CommandStatus status = CommandStatus::ESME_ROK) {
    EXPECT_EQ(p.header.command_id, id);
    EXPECT_EQ(p.command_id(), id);
    EXPECT_EQ(p.header.sequence_number, seq);
    EXPECT_EQ(p.header.command_status, status);
}

template <class B>
const B& body(const Pdu& p) {
    const B* b = p.get_if<B>();
    EXPECT_NE(b, nullptr) << dump(p);
    static const B empty{};
    return b != nullptr ? *b : empty;
}

template <class B>
void expect_bind(const Pdu& p, std::string_view id, std::string_view pw, std::string_view type,
                 std::uint8_t ton, std::uint8_t npi, std::string_view range) {
    const auto& b = body<B>(p);
    EXPECT_EQ(b.system_id, id);
    EXPECT_EQ(b.password, pw);
    EXPECT_EQ(b.system_type, type);
    EXPECT_EQ(b.interface_version, 0x34);
    EXPECT_EQ(b.addr_ton, ton);
    EXPECT_EQ(b.addr_npi, npi);
    EXPECT_EQ(b.address_range, range);
}

using Check = std::function<void(const Pdu&)>;

// A header-only PDU: the header, and a body of type B.
template <class B>
Check header_only(std::uint32_t seq) {
    return [seq](const Pdu& p) {
        expect_header(p, B::command_id, seq);
        (void)body<B>(p);
    };
}

// A bind response that carries sc_interface_version 0x34 and no other TLV.
template <class B>
void expect_bind_resp_with_version(const Pdu& p, std::string_view system_id) {
    const auto& b = body<B>(p);
    EXPECT_EQ(b.system_id, system_id);
    EXPECT_EQ(b.tlvs.sc_interface_version(), 0x34);
    EXPECT_EQ(b.tlvs.count(), 1U);
}

const std::map<std::string, Check>& checks() {
    static const std::map<std::string, Check> table = {
        {"generic_nack",
         [](const Pdu& p) {
             expect_header(p, CommandId::generic_nack, 7, CommandStatus::ESME_RINVCMDID);
             EXPECT_EQ(p.header.command_length, 16U);
             (void)body<GenericNack>(p);
         }},
        {"bind_transmitter",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_transmitter, 1);
             expect_bind<BindTransmitter>(p, "test", "pw", "", 0, 0, "");
         }},
        {"bind_receiver",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_receiver, 2);
             expect_bind<BindReceiver>(p, "esme01", "secret", "SMPP", 1, 1, "^98912");
         }},
        {"bind_transceiver",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_transceiver, 1);
             EXPECT_EQ(p.header.command_length, 0x1DU);
             expect_bind<BindTransceiver>(p, "test", "pw", "", 0, 0, "");
         }},
        {"bind_transmitter_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_transmitter_resp, 1);
             expect_bind_resp_with_version<BindTransmitterResp>(p, "SMSC");
         }},
        {"bind_receiver_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_receiver_resp, 2, CommandStatus::ESME_RBINDFAIL);
             EXPECT_EQ(p.header.command_length, 16U);
             EXPECT_EQ(body<BindReceiverResp>(p).system_id, "");
         }},
        {"bind_receiver_resp_sc_interface_version",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_receiver_resp, 3);
             EXPECT_EQ(p.header.command_length, 29U);
             expect_bind_resp_with_version<BindReceiverResp>(p, "SMSC-RX");
         }},
        {"bind_transceiver_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::bind_transceiver_resp, 1);
             EXPECT_EQ(p.header.command_length, 0x15U);
             const auto& b = body<BindTransceiverResp>(p);
             EXPECT_EQ(b.system_id, "SMSC");
             EXPECT_TRUE(b.tlvs.empty());
             EXPECT_FALSE(b.tlvs.sc_interface_version().has_value());
         }},
        {"outbind",
         [](const Pdu& p) {
             expect_header(p, CommandId::outbind, 9);
             EXPECT_EQ(body<Outbind>(p).system_id, "smsc1");
             EXPECT_EQ(body<Outbind>(p).password, "pass");
         }},
        {"unbind", header_only<Unbind>(5)},
        {"unbind_resp", header_only<UnbindResp>(5)},
        {"enquire_link", header_only<EnquireLink>(1)},
        {"enquire_link_resp", header_only<EnquireLinkResp>(1)},
        {"submit_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_sm, 2);
             EXPECT_EQ(p.header.command_length, 59U);
             const auto& b = body<SubmitSm>(p);
             EXPECT_EQ(b.service_type, "");
             EXPECT_EQ(b.source_addr_ton, 1);
             EXPECT_EQ(b.source_addr_npi, 1);
             EXPECT_EQ(b.source_addr, "447700900123");
             EXPECT_EQ(b.dest_addr_ton, 1);
             EXPECT_EQ(b.dest_addr_npi, 1);
             EXPECT_EQ(b.destination_addr, "989121234567");
             EXPECT_EQ(b.esm_class, 0);
             EXPECT_EQ(b.protocol_id, 0);
             EXPECT_EQ(b.priority_flag, 0);
             EXPECT_EQ(b.schedule_delivery_time, "");
             EXPECT_EQ(b.validity_period, "");
             EXPECT_EQ(b.registered_delivery, 1);
             EXPECT_EQ(b.replace_if_present_flag, 0);
             EXPECT_EQ(b.data_coding, 0);
             EXPECT_EQ(b.sm_default_msg_id, 0);
             EXPECT_EQ(str(b.short_message), "Hi");
             EXPECT_TRUE(b.tlvs.empty());
         }},
        {"submit_sm_sar_vendor_tlv",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_sm, 3);
             const auto& b = body<SubmitSm>(p);
             EXPECT_EQ(b.service_type, "CMT");
             EXPECT_EQ(b.source_addr_ton, 5);
             EXPECT_EQ(b.source_addr_npi, 0);
             EXPECT_EQ(b.source_addr, "Bindery");
             EXPECT_EQ(b.destination_addr, "989121234567");
             EXPECT_EQ(b.priority_flag, 1);
             EXPECT_EQ(b.schedule_delivery_time, "251231235959000+");
             EXPECT_EQ(b.validity_period, "000000020000000R");
             EXPECT_EQ(b.data_coding, 8);
             const std::uint8_t ucs2[] = {0x06, 0x33, 0x06, 0x44, 0x06, 0x27, 0x06, 0x45};
             EXPECT_EQ(b.short_message, ByteView(ucs2));
             EXPECT_EQ(b.tlvs.sar_msg_ref_num(), 0x1234);
             EXPECT_EQ(b.tlvs.sar_total_segments(), 3);
             EXPECT_EQ(b.tlvs.sar_segment_seqnum(), 1);
             EXPECT_EQ(b.tlvs.user_message_reference(), 42);
             ASSERT_EQ(b.tlvs.count(), 5U);
             // Wire order kept, vendor TLV kept byte for byte.
             std::vector<std::uint16_t> tags;
             for (const auto& t : b.tlvs) tags.push_back(t.tag);
             EXPECT_EQ(tags, (std::vector<std::uint16_t>{0x020C, 0x020E, 0x020F, 0x1400, 0x0204}));
             const auto vendor = b.tlvs.find(0x1400);
             ASSERT_TRUE(vendor);
             EXPECT_EQ(str(vendor->value), "1201159178");
             EXPECT_EQ(tlv_name(0x1400), "");
         }},
        {"submit_sm_message_payload",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_sm, 4);
             const auto& b = body<SubmitSm>(p);
             EXPECT_TRUE(b.short_message.empty());
             ASSERT_TRUE(b.tlvs.message_payload());
             EXPECT_EQ(str(*b.tlvs.message_payload()), "A long text in the payload");
             EXPECT_EQ(b.tlvs.more_messages_to_send(), 0);
         }},
        {"submit_sm_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_sm_resp, 2);
             EXPECT_EQ(p.header.command_length, 0x17U);
             EXPECT_EQ(body<SubmitSmResp>(p).message_id, "5F3A2B");
         }},
        {"submit_sm_resp_throttled",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_sm_resp, 8, CommandStatus::ESME_RTHROTTLED);
             EXPECT_EQ(p.header.command_length, 16U);
             EXPECT_EQ(body<SubmitSmResp>(p).message_id, "");
         }},
        {"deliver_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::deliver_sm, 77);
             const auto& b = body<DeliverSm>(p);
             EXPECT_EQ(b.source_addr, "989121234567");
             EXPECT_EQ(b.dest_addr_ton, 5);
             EXPECT_EQ(b.destination_addr, "Bindery");
             EXPECT_EQ(b.esm_class, 0x04);
             EXPECT_EQ(b.registered_delivery, 0);
             EXPECT_EQ(str(b.short_message),
                       "id:0123456789 sub:001 dlvrd:001 submit date:2511231200 done "
                       "date:2511231201 stat:DELIVRD err:000 text:Hello");
             EXPECT_EQ(b.tlvs.receipted_message_id(), "0123456789");
             EXPECT_EQ(b.tlvs.message_state(), 2);
             EXPECT_EQ(b.tlvs.network_error_code(), (NetworkErrorCode{3, 0}));
         }},
        {"deliver_sm_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::deliver_sm_resp, 77);
             EXPECT_EQ(p.header.command_length, 17U);
             EXPECT_EQ(body<DeliverSmResp>(p).message_id, "");
         }},
        {"submit_multi",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_multi, 10);
             const auto& b = body<SubmitMulti>(p);
             EXPECT_EQ(b.source_addr, "447700900123");
             ASSERT_EQ(b.dest_addresses.size(), 3U);
             std::vector<DestAddress> d(b.dest_addresses.begin(), b.dest_addresses.end());
             ASSERT_EQ(d.size(), 3U);
             EXPECT_EQ(d[0], (DestAddress{DestFlag::sme_address, 1, 1, "989121234567", ""}));
             EXPECT_EQ(d[1], (DestAddress{DestFlag::sme_address, 2, 8, "09121234567", ""}));
             EXPECT_EQ(d[2], (DestAddress{DestFlag::distribution_list, 0, 0, "", "friends"}));
             EXPECT_EQ(str(b.short_message), "Hello all");
         }},
        {"submit_multi_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::submit_multi_resp, 10);
             const auto& b = body<SubmitMultiResp>(p);
             EXPECT_EQ(b.message_id, "M-1");
             ASSERT_EQ(b.unsuccess_smes.size(), 1U);
             EXPECT_EQ(*b.unsuccess_smes.begin(),
                       (UnsuccessSme{2, 8, "09121234567", CommandStatus::ESME_RINVDSTADR}));
         }},
        {"data_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::data_sm, 11);
             const auto& b = body<DataSm>(p);
             EXPECT_EQ(b.service_type, "WAP");
             EXPECT_EQ(b.source_addr, "447700900123");
             EXPECT_EQ(b.destination_addr, "989121234567");
             EXPECT_EQ(b.registered_delivery, 1);
             EXPECT_EQ(b.data_coding, 4);
             EXPECT_EQ(b.tlvs.source_port(), 9200);
             EXPECT_EQ(b.tlvs.dest_port(), 2948);
             ASSERT_TRUE(b.tlvs.message_payload());
             EXPECT_EQ(b.tlvs.message_payload()->size(), 5U);
         }},
        {"data_sm_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::data_sm_resp, 11, CommandStatus::ESME_RDELIVERYFAILURE);
             const auto& b = body<DataSmResp>(p);
             EXPECT_EQ(b.message_id, "D-9");
             EXPECT_EQ(b.tlvs.delivery_failure_reason(), 0);
             EXPECT_EQ(b.tlvs.additional_status_info_text(), "absent subscriber");
         }},
        {"query_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::query_sm, 12);
             const auto& b = body<QuerySm>(p);
             EXPECT_EQ(b.message_id, "5F3A2B");
             EXPECT_EQ(b.source_addr_ton, 1);
             EXPECT_EQ(b.source_addr_npi, 1);
             EXPECT_EQ(b.source_addr, "447700900123");
         }},
        {"query_sm_resp",
         [](const Pdu& p) {
             expect_header(p, CommandId::query_sm_resp, 12);
             const auto& b = body<QuerySmResp>(p);
             EXPECT_EQ(b.message_id, "5F3A2B");
             EXPECT_EQ(b.final_date, "251123120100004+");
             EXPECT_EQ(b.message_state, 2);
             EXPECT_EQ(b.error_code, 0);
         }},
        {"cancel_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::cancel_sm, 13);
             const auto& b = body<CancelSm>(p);
             EXPECT_EQ(b.service_type, "");
             EXPECT_EQ(b.message_id, "5F3A2B");
             EXPECT_EQ(b.source_addr, "447700900123");
             EXPECT_EQ(b.dest_addr_ton, 1);
             EXPECT_EQ(b.destination_addr, "989121234567");
         }},
        {"cancel_sm_resp", header_only<CancelSmResp>(13)},
        {"replace_sm",
         [](const Pdu& p) {
             expect_header(p, CommandId::replace_sm, 14);
             const auto& b = body<ReplaceSm>(p);
             EXPECT_EQ(b.message_id, "5F3A2B");
             EXPECT_EQ(b.source_addr, "447700900123");
             EXPECT_EQ(b.schedule_delivery_time, "");
             EXPECT_EQ(b.validity_period, "000001000000000R");
             EXPECT_EQ(b.registered_delivery, 1);
             EXPECT_EQ(str(b.short_message), "New");
         }},
        {"replace_sm_resp", header_only<ReplaceSmResp>(14)},
        {"alert_notification",
         [](const Pdu& p) {
             expect_header(p, CommandId::alert_notification, 15);
             const auto& b = body<AlertNotification>(p);
             EXPECT_EQ(b.source_addr, "989121234567");
             EXPECT_EQ(b.esme_addr, "esme01");
             EXPECT_EQ(b.tlvs.ms_availability_status(), 0);
         }},
    };
    return table;
}

TEST(GoldenVectors, EveryGoodVectorHasAFieldCheckAndEveryCheckAVector) {
    const auto names = golden_names("good");
    ASSERT_GE(names.size(), 30U);
    for (const auto& n : names) EXPECT_TRUE(checks().count(n)) << "no field check for good/" << n;
    for (const auto& [n, check] : checks()) {
        EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << "missing good/" << n;
    }
}

TEST(GoldenVectors, EveryPduTypeHasAGoodVector) {
    std::set<CommandId> seen;
    for (const auto& n : golden_names("good")) {
        const auto f = read_golden("good", n);
        if (auto p = decode(f.bytes)) seen.insert(p->command_id());
    }
    EXPECT_EQ(seen.size(), std::variant_size_v<Body>);
}

TEST(GoldenVectors, GoodVectorsDecodeFieldByFieldAndReencodeIdentically) {
    for (const auto& [name, check] : checks()) {
        SCOPED_TRACE(name);
        const auto file = read_golden("good", name);
        ASSERT_GE(file.bytes.size(), 16U);
        const auto scan = scan_frame(file.bytes);
        EXPECT_EQ(scan.status, FrameStatus::complete);
        EXPECT_EQ(scan.frame_size, file.bytes.size());
        const auto pdu = decode(file.bytes);
        ASSERT_TRUE(pdu) << dump(pdu.error());
        check(*pdu);
        std::vector<std::uint8_t> out;
        ASSERT_FALSE(encode(*pdu, out));
        if (pdu->header.command_length == 16 && is_response(pdu->command_id()) &&
            file.bytes.size() == 16 && out.size() > 16) {
            // A header-only error response re-encodes with its (empty) body fields.
            const auto again = decode(out);
            ASSERT_TRUE(again);
            EXPECT_EQ(again->body, pdu->body);
            continue;
        }
        EXPECT_EQ(out, file.bytes);
        EXPECT_FALSE(dump(*pdu).empty());
    }
}

TEST(GoldenVectors, BadVectorsAreRejectedWithTheExpectedStatus) {
    const auto names = golden_names("bad");
    ASSERT_GE(names.size(), 30U);
    for (const auto& name : names) {
        SCOPED_TRACE(name);
        const auto file = read_golden("bad", name);
        ASSERT_TRUE(file.expect.count("status")) << "bad/" << name << " lacks '# expect: status='";
        const auto pdu = decode(file.bytes);
        ASSERT_FALSE(pdu) << dump(*pdu);
        const auto& err = pdu.error();
        EXPECT_EQ(to_string(err.command_status()), file.expect.at("status")) << dump(err);
        EXPECT_EQ(err.field, file.expect.at("field")) << dump(err);
        EXPECT_LE(err.offset, file.bytes.size());
        EXPECT_EQ(err.should_reply(), !(err.header && is_response(err.header->command_id)));
        const Pdu reply = make_error_response(err);
        EXPECT_EQ(to_string(reply.command_id()), file.expect.at("reply")) << dump(err);
        EXPECT_EQ(reply.header.command_status, err.command_status());
        if (file.bytes.size() >= 16) {
            ASSERT_TRUE(err.header);
            EXPECT_EQ(reply.header.sequence_number, err.header->sequence_number);
        }
        std::vector<std::uint8_t> out;
        EXPECT_FALSE(encode(reply, out));
    }
}

TEST(GoldenVectors, DecodeErrorCarriesOffsetOfTheOffendingField) {
    const auto file = read_golden("bad", "submit_sm_source_addr_too_long");
    const auto pdu = decode(file.bytes);
    ASSERT_FALSE(pdu);
    EXPECT_EQ(pdu.error().code, DecodeErrc::string_too_long);
    EXPECT_EQ(pdu.error().offset, 16U + 1 + 2);  // after header, service_type, ton, npi
}

}  // namespace
}  // namespace bindery::smpp
