#include "smpp/codec/build.hpp"

#include <utility>

#include "smpp/codec/tlv.hpp"

namespace bindery::smpp {

namespace {

template <std::size_t I = 0>
bool emplace_body(CommandId id, Body& out) {
    if constexpr (I < std::variant_size_v<Body>) {
        using B = std::variant_alternative_t<I, Body>;
        if (B::command_id == id) {
            out.emplace<I>();
            return true;
        }
        return emplace_body<I + 1>(id, out);
    } else {
        return false;
    }
}

}  // namespace

std::optional<Body> make_body(CommandId id) {
    Body b;
    if (!emplace_body(id, b)) return std::nullopt;
    return b;
}

std::vector<std::uint8_t> make_receipt_tlvs(const Receipt& r) {
    TlvBuilder tlvs;
    tlvs.c_string(tlv_tag::receipted_message_id, r.id);
    tlvs.u8(tlv_tag::message_state, static_cast<std::uint8_t>(r.state));
    if (r.network_error) tlvs.network_error_code(*r.network_error);
    return tlvs.bytes();
}

Pdu make_generic_nack(std::uint32_t sequence_number, CommandStatus status) {
    return Pdu{Header{0, CommandId::generic_nack, status, sequence_number}, GenericNack{}};
}

Pdu make_response(const Header& request, CommandStatus status) {
    if (!has_response(request.command_id))
        return make_generic_nack(request.sequence_number, status);
    const CommandId id = response_id_for(request.command_id);
    Pdu pdu{Header{0, id, status, request.sequence_number}, GenericNack{}};
    (void)emplace_body(id, pdu.body);
    return pdu;
}

Pdu make_error_response(const DecodeError& error) {
    const std::uint32_t seq = error.header ? error.header->sequence_number : 0;
    if (error.needs_generic_nack()) return make_generic_nack(seq, error.command_status());
    return make_response(*error.header, error.command_status());
}

Pdu make_enquire_link(std::uint32_t sequence_number) {
    return Pdu{Header{0, CommandId::enquire_link, CommandStatus::ESME_ROK, sequence_number},
               EnquireLink{}};
}

Pdu make_unbind(std::uint32_t sequence_number) {
    return Pdu{Header{0, CommandId::unbind, CommandStatus::ESME_ROK, sequence_number}, Unbind{}};
}

}  // namespace bindery::smpp
