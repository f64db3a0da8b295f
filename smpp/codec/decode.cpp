#include "smpp/codec/decode.hpp"

#include "smpp/codec/tlv_check.hpp"
#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

namespace {

// Reads mandatory fields left to right; the first failure is recorded and every later read fails.
class Reader {
public:
    Reader(std::span<const std::uint8_t> frame, const Header& header) noexcept
        : frame_(frame), header_(header) {}

    bool u8(std::uint8_t& v, std::string_view field) noexcept {
        if (!need(1, field)) return false;
        v = frame_[pos_++];
        return true;
    }

    bool u32(std::uint32_t& v, std::string_view field) noexcept {
        if (!need(4, field)) return false;
        v = wire::load_u32(frame_.data() + pos_);
        pos_ += 4;
        return true;
    }

    bool c_string(std::string_view& out, std::size_t max, std::string_view field) noexcept {
        if (failed()) return false;
        std::size_t consumed = 0;
        switch (wire::scan_cstring(frame_.subspan(pos_), max, out, consumed)) {
            case wire::CStringResult::ok: pos_ += consumed; return true;
            case wire::CStringResult::missing_nul: return fail(DecodeErrc::missing_nul, field);
            case wire::CStringResult::too_long: return fail(DecodeErrc::string_too_long, field);
        }
        return false;
    }

    // "" or exactly 16 characters (12 also accepted for SMSC-reported final_date).
    bool time(std::string_view& out, std::string_view field, bool allow_12 = false) noexcept {
        const std::size_t at = pos_;
        if (!c_string(out, field_max::time, field)) return false;
        if (out.empty() || out.size() == 16 || (allow_12 && out.size() == 12)) return true;
        pos_ = at;
        return fail(DecodeErrc::invalid_time, field);
    }

    bool short_message(ByteView& out) noexcept {
        std::uint8_t len = 0;
        const std::size_t at = pos_;
        if (!u8(len, "sm_length")) return false;
        if (len > field_max::short_message || len > frame_.size() - pos_) {
            pos_ = at;
            return fail(DecodeErrc::invalid_sm_length, "sm_length");
        }
        out = ByteView(frame_.subspan(pos_, len));
        pos_ += len;
        return true;
    }

    // The rest of the PDU as TLVs, checked.
    bool tlvs(TlvRange& out) noexcept {
        if (failed()) return false;
        const ByteView rest(frame_.subspan(pos_));
        if (const auto problem = check_tlvs(rest)) {
            pos_ += problem->offset;
            const auto name = tlv_name(problem->tag);
            return fail(problem->code, name.empty() ? std::string_view("tlv") : name);
        }
        out = TlvRange(rest);
        pos_ = frame_.size();
        return true;
    }

    bool end() noexcept {
        if (failed()) return false;
        if (pos_ != frame_.size()) return fail(DecodeErrc::trailing_octets, "");
        return true;
    }

    bool fail(DecodeErrc code, std::string_view field) noexcept {
        if (!failed()) error_ = DecodeError{header_, code, field, pos_};
        return false;
    }

    bool fail_at(std::size_t at, DecodeErrc code, std::string_view field) noexcept {
        if (!failed()) pos_ = at;
        return fail(code, field);
    }

    [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
    [[nodiscard]] bool at_end() const noexcept { return pos_ == frame_.size(); }
    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
    [[nodiscard]] std::span<const std::uint8_t> frame() const noexcept { return frame_; }
    [[nodiscard]] const DecodeError& error() const noexcept { return *error_; }

private:
    bool need(std::size_t n, std::string_view field) noexcept {
        if (failed()) return false;
        if (frame_.size() - pos_ < n) return fail(DecodeErrc::truncated, field);
        return true;
    }

    std::span<const std::uint8_t> frame_;
    Header header_;
    std::size_t pos_ = kHeaderSize;
    std::optional<DecodeError> error_;
};

template <CommandId Id>
bool read(Reader&, EmptyBody<Id>&) noexcept {
    return true;
}

template <CommandId Id>
bool read(Reader& r, BindRequest<Id>& b) noexcept {
    return r.c_string(b.system_id, field_max::system_id, "system_id") &&
           r.c_string(b.password, field_max::password, "password") &&
           r.c_string(b.system_type, field_max::system_type, "system_type") &&
           r.u8(b.interface_version, "interface_version") && r.u8(b.addr_ton, "addr_ton") &&
           r.u8(b.addr_npi, "addr_npi") &&
           r.c_string(b.address_range, field_max::address_range, "address_range");
}

template <CommandId Id>
bool read(Reader& r, BindResponse<Id>& b) noexcept {
    return r.c_string(b.system_id, field_max::system_id, "system_id") && r.tlvs(b.tlvs);
}

bool read(Reader& r, Outbind& b) noexcept {
    return r.c_string(b.system_id, field_max::system_id, "system_id") &&
           r.c_string(b.password, field_max::password, "password");
}

bool check_payload(Reader& r, const ByteView& short_message, const TlvRange& tlvs) noexcept {
    if (!short_message.empty() && tlvs.contains(tlv_tag::message_payload)) {
        return r.fail(DecodeErrc::payload_conflict, "message_payload");
    }
    return true;
}

template <class B>
bool read_sm_tail(Reader& r, B& b) noexcept {
    return r.u8(b.esm_class, "esm_class") && r.u8(b.protocol_id, "protocol_id") &&
           r.u8(b.priority_flag, "priority_flag") &&
           r.time(b.schedule_delivery_time, "schedule_delivery_time") &&
           r.time(b.validity_period, "validity_period") &&
           r.u8(b.registered_delivery, "registered_delivery") &&
           r.u8(b.replace_if_present_flag, "replace_if_present_flag") &&
           r.u8(b.data_coding, "data_coding") && r.u8(b.sm_default_msg_id, "sm_default_msg_id") &&
           r.short_message(b.short_message) && r.tlvs(b.tlvs) &&
           check_payload(r, b.short_message, b.tlvs);
}

template <CommandId Id>
bool read(Reader& r, ShortMessage<Id>& b) noexcept {
    return r.c_string(b.service_type, field_max::service_type, "service_type") &&
           r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::address, "source_addr") &&
           r.u8(b.dest_addr_ton, "dest_addr_ton") && r.u8(b.dest_addr_npi, "dest_addr_npi") &&
           r.c_string(b.destination_addr, field_max::address, "destination_addr") &&
           read_sm_tail(r, b);
}

template <CommandId Id>
bool read(Reader& r, MessageIdResponse<Id>& b) noexcept {
    return r.c_string(b.message_id, field_max::message_id, "message_id") && r.tlvs(b.tlvs);
}

bool read(Reader& r, SubmitMulti& b) noexcept {
    if (!(r.c_string(b.service_type, field_max::service_type, "service_type") &&
          r.u8(b.source_addr_ton, "source_addr_ton") &&
          r.u8(b.source_addr_npi, "source_addr_npi") &&
          r.c_string(b.source_addr, field_max::address, "source_addr"))) {
        return false;
    }
    std::uint8_t count = 0;
    const std::size_t count_at = r.pos();
    if (!r.u8(count, "number_of_dests")) return false;
    if (count == 0 || count > field_max::number_of_dests) {
        return r.fail_at(count_at, DecodeErrc::invalid_number_of_dests, "number_of_dests");
    }
    const std::size_t list_at = r.pos();
    for (unsigned i = 0; i < count; ++i) {
        std::uint8_t flag = 0;
        const std::size_t entry_at = r.pos();
        if (!r.u8(flag, "dest_flag")) return false;
        std::string_view s;
        if (flag == static_cast<std::uint8_t>(DestFlag::sme_address)) {
            std::uint8_t ton = 0;
            std::uint8_t npi = 0;
            if (!(r.u8(ton, "dest_addr_ton") && r.u8(npi, "dest_addr_npi") &&
                  r.c_string(s, field_max::address, "destination_addr"))) {
                return false;
            }
        } else if (flag == static_cast<std::uint8_t>(DestFlag::distribution_list)) {
            if (!r.c_string(s, field_max::address, "dl_name")) return false;
        } else {
            return r.fail_at(entry_at, DecodeErrc::invalid_dest_flag, "dest_flag");
        }
    }
    b.dest_addresses =
        DestAddressList::from_wire(ByteView(r.frame().subspan(list_at, r.pos() - list_at)), count);
    return read_sm_tail(r, b);
}

bool read(Reader& r, SubmitMultiResp& b) noexcept {
    std::uint8_t count = 0;
    if (!(r.c_string(b.message_id, field_max::message_id, "message_id") &&
          r.u8(count, "no_unsuccess"))) {
        return false;
    }
    const std::size_t list_at = r.pos();
    for (unsigned i = 0; i < count; ++i) {
        std::uint8_t ton = 0;
        std::uint8_t npi = 0;
        std::string_view s;
        std::uint32_t status = 0;
        if (!(r.u8(ton, "dest_addr_ton") && r.u8(npi, "dest_addr_npi") &&
              r.c_string(s, field_max::address, "destination_addr") &&
              r.u32(status, "error_status_code"))) {
            return false;
        }
    }
    b.unsuccess_smes =
        UnsuccessSmeList::from_wire(ByteView(r.frame().subspan(list_at, r.pos() - list_at)), count);
    return r.tlvs(b.tlvs);
}

bool read(Reader& r, DataSm& b) noexcept {
    return r.c_string(b.service_type, field_max::service_type, "service_type") &&
           r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::data_sm_address, "source_addr") &&
           r.u8(b.dest_addr_ton, "dest_addr_ton") && r.u8(b.dest_addr_npi, "dest_addr_npi") &&
           r.c_string(b.destination_addr, field_max::data_sm_address, "destination_addr") &&
           r.u8(b.esm_class, "esm_class") && r.u8(b.registered_delivery, "registered_delivery") &&
           r.u8(b.data_coding, "data_coding") && r.tlvs(b.tlvs);
}

bool read(Reader& r, QuerySm& b) noexcept {
    return r.c_string(b.message_id, field_max::message_id, "message_id") &&
           r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::address, "source_addr");
}

bool read(Reader& r, QuerySmResp& b) noexcept {
    return r.c_string(b.message_id, field_max::message_id, "message_id") &&
           r.time(b.final_date, "final_date", true) && r.u8(b.message_state, "message_state") &&
           r.u8(b.error_code, "error_code");
}

bool read(Reader& r, CancelSm& b) noexcept {
    return r.c_string(b.service_type, field_max::service_type, "service_type") &&
           r.c_string(b.message_id, field_max::message_id, "message_id") &&
           r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::address, "source_addr") &&
           r.u8(b.dest_addr_ton, "dest_addr_ton") && r.u8(b.dest_addr_npi, "dest_addr_npi") &&
           r.c_string(b.destination_addr, field_max::address, "destination_addr");
}

bool read(Reader& r, ReplaceSm& b) noexcept {
    return r.c_string(b.message_id, field_max::message_id, "message_id") &&
           r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::address, "source_addr") &&
           r.time(b.schedule_delivery_time, "schedule_delivery_time") &&
           r.time(b.validity_period, "validity_period") &&
           r.u8(b.registered_delivery, "registered_delivery") &&
           r.u8(b.sm_default_msg_id, "sm_default_msg_id") && r.short_message(b.short_message);
}

bool read(Reader& r, AlertNotification& b) noexcept {
    return r.u8(b.source_addr_ton, "source_addr_ton") &&
           r.u8(b.source_addr_npi, "source_addr_npi") &&
           r.c_string(b.source_addr, field_max::data_sm_address, "source_addr") &&
           r.u8(b.esme_addr_ton, "esme_addr_ton") && r.u8(b.esme_addr_npi, "esme_addr_npi") &&
           r.c_string(b.esme_addr, field_max::data_sm_address, "esme_addr") && r.tlvs(b.tlvs);
}

template <class B>
Expected<Pdu, DecodeError> decode_body(Reader& r, const Header& h) noexcept {
    B body{};
    // Responses with an error status (and, tolerantly, any response) may be header-only.
    if (is_response(B::command_id) && r.at_end()) return Pdu{h, body};
    if (!read(r, body) || !r.end()) return Unexpected(r.error());
    return Pdu{h, body};
}

}  // namespace

std::optional<Header> decode_header(std::span<const std::uint8_t> frame) noexcept {
    if (frame.size() < kHeaderSize) return std::nullopt;
    Header h;
    h.command_length = wire::load_u32(frame.data());
    h.command_id = static_cast<CommandId>(wire::load_u32(frame.data() + 4));
    h.command_status = static_cast<CommandStatus>(wire::load_u32(frame.data() + 8));
    h.sequence_number = wire::load_u32(frame.data() + 12);
    return h;
}

Expected<Pdu, DecodeError> decode(std::span<const std::uint8_t> frame) noexcept {
    const auto header = decode_header(frame);
    if (!header)
        return Unexpected(
            DecodeError{std::nullopt, DecodeErrc::frame_too_short, "command_length", 0});
    const Header& h = *header;
    if (h.command_length != frame.size()) {
        return Unexpected(DecodeError{h, DecodeErrc::length_mismatch, "command_length", 0});
    }
    Reader r(frame, h);
    switch (h.command_id) {
        case CommandId::generic_nack: return decode_body<GenericNack>(r, h);
        case CommandId::bind_receiver: return decode_body<BindReceiver>(r, h);
        case CommandId::bind_receiver_resp: return decode_body<BindReceiverResp>(r, h);
        case CommandId::bind_transmitter: return decode_body<BindTransmitter>(r, h);
        case CommandId::bind_transmitter_resp: return decode_body<BindTransmitterResp>(r, h);
        case CommandId::query_sm: return decode_body<QuerySm>(r, h);
        case CommandId::query_sm_resp: return decode_body<QuerySmResp>(r, h);
        case CommandId::submit_sm: return decode_body<SubmitSm>(r, h);
        case CommandId::submit_sm_resp: return decode_body<SubmitSmResp>(r, h);
        case CommandId::deliver_sm: return decode_body<DeliverSm>(r, h);
        case CommandId::deliver_sm_resp: return decode_body<DeliverSmResp>(r, h);
        case CommandId::unbind: return decode_body<Unbind>(r, h);
        case CommandId::unbind_resp: return decode_body<UnbindResp>(r, h);
        case CommandId::replace_sm: return decode_body<ReplaceSm>(r, h);
        case CommandId::replace_sm_resp: return decode_body<ReplaceSmResp>(r, h);
        case CommandId::cancel_sm: return decode_body<CancelSm>(r, h);
        case CommandId::cancel_sm_resp: return decode_body<CancelSmResp>(r, h);
        case CommandId::bind_transceiver: return decode_body<BindTransceiver>(r, h);
        case CommandId::bind_transceiver_resp: return decode_body<BindTransceiverResp>(r, h);
        case CommandId::outbind: return decode_body<Outbind>(r, h);
        case CommandId::enquire_link: return decode_body<EnquireLink>(r, h);
        case CommandId::enquire_link_resp: return decode_body<EnquireLinkResp>(r, h);
        case CommandId::submit_multi: return decode_body<SubmitMulti>(r, h);
        case CommandId::submit_multi_resp: return decode_body<SubmitMultiResp>(r, h);
        case CommandId::alert_notification: return decode_body<AlertNotification>(r, h);
        case CommandId::data_sm: return decode_body<DataSm>(r, h);
        case CommandId::data_sm_resp: return decode_body<DataSmResp>(r, h);
    }
    return Unexpected(DecodeError{h, DecodeErrc::unknown_command_id, "command_id", 4});
}

std::string_view to_string(DecodeErrc e) noexcept {
    switch (e) {
        case DecodeErrc::frame_too_short: return "frame shorter than the 16-octet header";
        case DecodeErrc::length_mismatch: return "command_length differs from the frame size";
        case DecodeErrc::unknown_command_id: return "unknown command_id";
        case DecodeErrc::truncated: return "field runs past the end of the PDU";
        case DecodeErrc::trailing_octets: return "octets after the end of the body";
        case DecodeErrc::missing_nul: return "C-octet string without NUL";
        case DecodeErrc::string_too_long: return "C-octet string longer than its maximum";
        case DecodeErrc::invalid_time: return "time field neither empty nor 16 characters";
        case DecodeErrc::invalid_sm_length: return "sm_length over 254 or past the end of the PDU";
        case DecodeErrc::payload_conflict: return "short_message and message_payload both present";
        case DecodeErrc::invalid_number_of_dests: return "number_of_dests not in 1..254";
        case DecodeErrc::invalid_dest_flag: return "dest_flag neither 1 nor 2";
        case DecodeErrc::tlv_truncated: return "truncated TLV header";
        case DecodeErrc::tlv_length_overrun: return "TLV length runs past the end of the PDU";
        case DecodeErrc::tlv_invalid_length: return "TLV length not allowed for its tag";
        case DecodeErrc::tlv_invalid_value: return "TLV C-octet string value not NUL-terminated";
        case DecodeErrc::tlv_missing: return "incomplete sar_* TLV set";
    }
    return "unknown decode error";
}

namespace {

CommandStatus status_for_field(std::string_view field) noexcept {
    struct Entry {
        std::string_view field;
        CommandStatus status;
    };
    static constexpr Entry kTable[] = {
        {"service_type", CommandStatus::ESME_RINVSERTYP},
        {"source_addr", CommandStatus::ESME_RINVSRCADR},
        {"destination_addr", CommandStatus::ESME_RINVDSTADR},
        {"esme_addr", CommandStatus::ESME_RINVDSTADR},
        {"dl_name", CommandStatus::ESME_RINVDLNAME},
        {"system_id", CommandStatus::ESME_RINVSYSID},
        {"password", CommandStatus::ESME_RINVPASWD},
        {"system_type", CommandStatus::ESME_RINVSYSTYP},
        {"address_range", CommandStatus::ESME_RINVSRCADR},
        {"message_id", CommandStatus::ESME_RINVMSGID},
        {"schedule_delivery_time", CommandStatus::ESME_RINVSCHED},
        {"validity_period", CommandStatus::ESME_RINVEXPIRY},
    };
    for (const auto& e : kTable) {
        if (e.field == field) return e.status;
    }
    return CommandStatus::ESME_RINVMSGLEN;
}

}  // namespace

CommandStatus DecodeError::command_status() const noexcept {
    switch (code) {
        case DecodeErrc::frame_too_short:
        case DecodeErrc::length_mismatch:
        case DecodeErrc::truncated:
        case DecodeErrc::trailing_octets: return CommandStatus::ESME_RINVCMDLEN;
        case DecodeErrc::unknown_command_id: return CommandStatus::ESME_RINVCMDID;
        case DecodeErrc::missing_nul:
        case DecodeErrc::string_too_long:
        case DecodeErrc::invalid_time: return status_for_field(field);
        case DecodeErrc::invalid_sm_length:
        case DecodeErrc::payload_conflict: return CommandStatus::ESME_RINVMSGLEN;
        case DecodeErrc::invalid_number_of_dests: return CommandStatus::ESME_RINVNUMDESTS;
        case DecodeErrc::invalid_dest_flag: return CommandStatus::ESME_RINVDESTFLAG;
        case DecodeErrc::tlv_truncated: return CommandStatus::ESME_RINVOPTPARSTREAM;
        case DecodeErrc::tlv_length_overrun:
        case DecodeErrc::tlv_invalid_length: return CommandStatus::ESME_RINVPARLEN;
        case DecodeErrc::tlv_invalid_value: return CommandStatus::ESME_RINVOPTPARAMVAL;
        case DecodeErrc::tlv_missing: return CommandStatus::ESME_RMISSINGOPTPARAM;
    }
    return CommandStatus::ESME_RUNKNOWNERR;
}

bool DecodeError::needs_generic_nack() const noexcept {
    if (!header) return true;
    switch (code) {
        case DecodeErrc::frame_too_short:
        case DecodeErrc::length_mismatch:
        case DecodeErrc::unknown_command_id: return true;
        default: break;
    }
    return !has_response(header->command_id);
}

}  // namespace bindery::smpp
