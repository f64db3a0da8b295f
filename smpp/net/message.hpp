#pragma once
// ShortMessageData: an owned submit_sm / deliver_sm (same layout), for messages that must outlive
// the call that produced them (queued submits, deliveries waiting for a bind). view<Body>() gives
// the borrowing codec struct to hand to Session::submit().

#include <cstdint>
#include <string>
#include <vector>

#include "smpp/codec/pdu.hpp"

namespace bindery::smpp {

struct ShortMessageData {
    std::string service_type;
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string source_addr;
    std::uint8_t dest_addr_ton = 0;
    std::uint8_t dest_addr_npi = 0;
    std::string destination_addr;
    std::uint8_t esm_class = 0;
    std::uint8_t protocol_id = 0;
    std::uint8_t priority_flag = 0;
    std::string schedule_delivery_time;
    std::string validity_period;
    std::uint8_t registered_delivery = 0;
    std::uint8_t replace_if_present_flag = 0;
    std::uint8_t data_coding = 0;
    std::uint8_t sm_default_msg_id = 0;
    std::vector<std::uint8_t> short_message;
    std::vector<std::uint8_t> tlvs;  // wire-format TLVs, e.g. TlvBuilder::bytes()

    template <class Body>  // SubmitSm or DeliverSm
    [[nodiscard]] Body view() const {
        Body b;
        b.service_type = service_type;
        b.source_addr_ton = source_addr_ton;
        b.source_addr_npi = source_addr_npi;
        b.source_addr = source_addr;
        b.dest_addr_ton = dest_addr_ton;
        b.dest_addr_npi = dest_addr_npi;
        b.destination_addr = destination_addr;
        b.esm_class = esm_class;
        b.protocol_id = protocol_id;
        b.priority_flag = priority_flag;
        b.schedule_delivery_time = schedule_delivery_time;
        b.validity_period = validity_period;
        b.registered_delivery = registered_delivery;
        b.replace_if_present_flag = replace_if_present_flag;
        b.data_coding = data_coding;
        b.sm_default_msg_id = sm_default_msg_id;
        b.short_message = ByteView(short_message);
        b.tlvs = TlvRange(ByteView(tlvs));
        return b;
    }

    template <class Body>
    [[nodiscard]] static ShortMessageData copy_of(const Body& b) {
        ShortMessageData d;
        d.service_type = b.service_type;
        d.source_addr_ton = b.source_addr_ton;
        d.source_addr_npi = b.source_addr_npi;
        d.source_addr = b.source_addr;
        d.dest_addr_ton = b.dest_addr_ton;
        d.dest_addr_npi = b.dest_addr_npi;
        d.destination_addr = b.destination_addr;
        d.esm_class = b.esm_class;
        d.protocol_id = b.protocol_id;
        d.priority_flag = b.priority_flag;
        d.schedule_delivery_time = b.schedule_delivery_time;
        d.validity_period = b.validity_period;
        d.registered_delivery = b.registered_delivery;
        d.replace_if_present_flag = b.replace_if_present_flag;
        d.data_coding = b.data_coding;
        d.sm_default_msg_id = b.sm_default_msg_id;
        d.short_message.assign(b.short_message.begin(), b.short_message.end());
        d.tlvs.assign(b.tlvs.wire().begin(), b.tlvs.wire().end());
        return d;
    }
};

}  // namespace bindery::smpp
