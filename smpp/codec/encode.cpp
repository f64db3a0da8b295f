#include "smpp/codec/encode.hpp"

#include <cstring>
#include <string>

#include "smpp/codec/tlv_check.hpp"
#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

namespace {

// Writes one body through a sink, checking each field against the specification. The first
// problem is kept; the counting pass reports it before anything is written.
template <class Sink>
class Writer {
public:
    explicit Writer(Sink& sink) noexcept : sink_(sink) {}

    void u8(std::uint8_t v) noexcept { sink_.u8(v); }
    void u32(std::uint32_t v) noexcept { sink_.u32(v); }

    void c_string(std::string_view s, std::size_t max) noexcept {
        if (s.size() + 1 > max) return fail(EncodeErrc::field_too_long);
        if (!s.empty() && std::memchr(s.data(), 0, s.size()) != nullptr) {
            return fail(EncodeErrc::embedded_nul);
        }
        sink_.chars(s);
        sink_.u8(0);
    }

    void time(std::string_view s) noexcept {
        if (!s.empty() && s.size() != 16) return fail(EncodeErrc::invalid_time);
        c_string(s, field_max::time);
    }

    void final_date(std::string_view s) noexcept {
        if (!s.empty() && s.size() != 16 && s.size() != 12) return fail(EncodeErrc::invalid_time);
        c_string(s, field_max::time);
    }

    void short_message(ByteView m) noexcept {
        if (m.size() > field_max::short_message) return fail(EncodeErrc::short_message_too_long);
        sink_.u8(static_cast<std::uint8_t>(m.size()));
        sink_.bytes(m);
    }

    void tlvs(const TlvRange& t) noexcept {
        if (check_tlvs(t.wire())) return fail(EncodeErrc::invalid_tlvs);
        sink_.bytes(t.wire());
    }

    void no_payload_conflict(ByteView m, const TlvRange& t) noexcept {
        if (!m.empty() && t.contains(tlv_tag::message_payload)) fail(EncodeErrc::payload_conflict);
    }

    void fail(EncodeErrc e) noexcept {
        if (error_ == EncodeErrc{}) error_ = e;
    }
    [[nodiscard]] EncodeErrc error() const noexcept { return error_; }

private:
    Sink& sink_;
    EncodeErrc error_{};
};

template <class W, CommandId Id>
void write(W&, const EmptyBody<Id>&) noexcept {}

template <class W, CommandId Id>
void write(W& w, const BindRequest<Id>& b) noexcept {
    w.c_string(b.system_id, field_max::system_id);
    w.c_string(b.password, field_max::password);
    w.c_string(b.system_type, field_max::system_type);
    w.u8(b.interface_version);
    w.u8(b.addr_ton);
    w.u8(b.addr_npi);
    w.c_string(b.address_range, field_max::address_range);
}

template <class W, CommandId Id>
void write(W& w, const BindResponse<Id>& b) noexcept {
    w.c_string(b.system_id, field_max::system_id);
    w.tlvs(b.tlvs);
}

template <class W>
void write(W& w, const Outbind& b) noexcept {
    w.c_string(b.system_id, field_max::system_id);
    w.c_string(b.password, field_max::password);
}

template <class W, class B>
void write_sm_tail(W& w, const B& b) noexcept {
    w.u8(b.esm_class);
    w.u8(b.protocol_id);
    w.u8(b.priority_flag);
    w.time(b.schedule_delivery_time);
    w.time(b.validity_period);
    w.u8(b.registered_delivery);
    w.u8(b.replace_if_present_flag);
    w.u8(b.data_coding);
    w.u8(b.sm_default_msg_id);
    w.short_message(b.short_message);
    w.tlvs(b.tlvs);
    w.no_payload_conflict(b.short_message, b.tlvs);
}

template <class W, CommandId Id>
void write(W& w, const ShortMessage<Id>& b) noexcept {
    w.c_string(b.service_type, field_max::service_type);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::address);
    w.u8(b.dest_addr_ton);
    w.u8(b.dest_addr_npi);
    w.c_string(b.destination_addr, field_max::address);
    write_sm_tail(w, b);
}

template <class W, CommandId Id>
void write(W& w, const MessageIdResponse<Id>& b) noexcept {
    w.c_string(b.message_id, field_max::message_id);
    w.tlvs(b.tlvs);
}

template <class W>
void write(W& w, const SubmitMulti& b) noexcept {
    w.c_string(b.service_type, field_max::service_type);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::address);
    const std::size_t n = b.dest_addresses.size();
    if (n == 0 || n > field_max::number_of_dests)
        return w.fail(EncodeErrc::invalid_number_of_dests);
    w.u8(static_cast<std::uint8_t>(n));
    for (const auto& d : b.dest_addresses) {
        if (d.dest_flag == DestFlag::sme_address) {
            w.u8(1);
            w.u8(d.dest_addr_ton);
            w.u8(d.dest_addr_npi);
            w.c_string(d.destination_addr, field_max::address);
        } else if (d.dest_flag == DestFlag::distribution_list) {
            w.u8(2);
            w.c_string(d.dl_name, field_max::address);
        } else {
            return w.fail(EncodeErrc::invalid_dest_flag);
        }
    }
    write_sm_tail(w, b);
}

template <class W>
void write(W& w, const SubmitMultiResp& b) noexcept {
    w.c_string(b.message_id, field_max::message_id);
    if (b.unsuccess_smes.size() > 255) return w.fail(EncodeErrc::too_many_unsuccess);
    w.u8(static_cast<std::uint8_t>(b.unsuccess_smes.size()));
    for (const auto& u : b.unsuccess_smes) {
        w.u8(u.dest_addr_ton);
        w.u8(u.dest_addr_npi);
        w.c_string(u.destination_addr, field_max::address);
        w.u32(static_cast<std::uint32_t>(u.error_status_code));
    }
    w.tlvs(b.tlvs);
}

template <class W>
void write(W& w, const DataSm& b) noexcept {
    w.c_string(b.service_type, field_max::service_type);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::data_sm_address);
    w.u8(b.dest_addr_ton);
    w.u8(b.dest_addr_npi);
    w.c_string(b.destination_addr, field_max::data_sm_address);
    w.u8(b.esm_class);
    w.u8(b.registered_delivery);
    w.u8(b.data_coding);
    w.tlvs(b.tlvs);
}

template <class W>
void write(W& w, const QuerySm& b) noexcept {
    w.c_string(b.message_id, field_max::message_id);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::address);
}

template <class W>
void write(W& w, const QuerySmResp& b) noexcept {
    w.c_string(b.message_id, field_max::message_id);
    w.final_date(b.final_date);
    w.u8(b.message_state);
    w.u8(b.error_code);
}

template <class W>
void write(W& w, const CancelSm& b) noexcept {
    w.c_string(b.service_type, field_max::service_type);
    w.c_string(b.message_id, field_max::message_id);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::address);
    w.u8(b.dest_addr_ton);
    w.u8(b.dest_addr_npi);
    w.c_string(b.destination_addr, field_max::address);
}

template <class W>
void write(W& w, const ReplaceSm& b) noexcept {
    w.c_string(b.message_id, field_max::message_id);
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::address);
    w.time(b.schedule_delivery_time);
    w.time(b.validity_period);
    w.u8(b.registered_delivery);
    w.u8(b.sm_default_msg_id);
    w.short_message(b.short_message);
}

template <class W>
void write(W& w, const AlertNotification& b) noexcept {
    w.u8(b.source_addr_ton);
    w.u8(b.source_addr_npi);
    w.c_string(b.source_addr, field_max::data_sm_address);
    w.u8(b.esme_addr_ton);
    w.u8(b.esme_addr_npi);
    w.c_string(b.esme_addr, field_max::data_sm_address);
    w.tlvs(b.tlvs);
}

template <class Sink>
EncodeErrc write_pdu(Sink& sink, const Pdu& pdu, std::uint32_t command_length) noexcept {
    sink.u32(command_length);
    sink.u32(static_cast<std::uint32_t>(pdu.command_id()));
    sink.u32(static_cast<std::uint32_t>(pdu.header.command_status));
    sink.u32(pdu.header.sequence_number);
    Writer<Sink> w(sink);
    visit_body(pdu.body, [&w](const auto& b) noexcept { write(w, b); });
    return w.error();
}

// The counting pass: every check, no octet written.
EncodeErrc measure(const Pdu& pdu, std::uint32_t max_pdu_size, std::size_t& size) noexcept {
    wire::CountingSink counter;
    if (const auto e = write_pdu(counter, pdu, 0); e != EncodeErrc{}) return e;
    if (counter.size > max_pdu_size) return EncodeErrc::pdu_too_large;
    size = counter.size;
    return EncodeErrc{};
}

class EncodeCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "smpp.encode"; }
    std::string message(int v) const override {
        switch (static_cast<EncodeErrc>(v)) {
            case EncodeErrc::field_too_long: return "C-octet string longer than its maximum";
            case EncodeErrc::embedded_nul: return "C-octet string contains a NUL octet";
            case EncodeErrc::invalid_time: return "time field neither empty nor 16 characters";
            case EncodeErrc::short_message_too_long: return "short_message longer than 254 octets";
            case EncodeErrc::payload_conflict: return "short_message and message_payload both set";
            case EncodeErrc::invalid_number_of_dests: return "number_of_dests not in 1..254";
            case EncodeErrc::invalid_dest_flag: return "dest_flag neither 1 nor 2";
            case EncodeErrc::too_many_unsuccess: return "more than 255 unsuccess_sme entries";
            case EncodeErrc::invalid_tlvs: return "malformed TLV octets";
            case EncodeErrc::pdu_too_large: return "PDU larger than the configured maximum";
            case EncodeErrc::buffer_too_small: return "output buffer too small";
        }
        return "unknown encode error";
    }
};

}  // namespace

const std::error_category& encode_category() noexcept {
    static const EncodeCategory category;
    return category;
}

std::error_code make_error_code(EncodeErrc e) noexcept {
    return {static_cast<int>(e), encode_category()};
}

Expected<std::size_t, std::error_code> encoded_size(const Pdu& pdu) noexcept {
    std::size_t size = 0;
    if (const auto e = measure(pdu, 0xFFFFFFFFU, size); e != EncodeErrc{}) {
        return Unexpected(make_error_code(e));
    }
    return size;
}

Expected<std::size_t, std::error_code> encode(const Pdu& pdu, std::span<std::uint8_t> out,
                                              std::uint32_t max_pdu_size) noexcept {
    std::size_t size = 0;
    if (const auto e = measure(pdu, max_pdu_size, size); e != EncodeErrc{}) {
        return Unexpected(make_error_code(e));
    }
    if (size > out.size()) return Unexpected(make_error_code(EncodeErrc::buffer_too_small));
    wire::SpanSink sink{out.data()};
    (void)write_pdu(sink, pdu, static_cast<std::uint32_t>(size));
    return size;
}

std::error_code encode(const Pdu& pdu, std::vector<std::uint8_t>& out, std::uint32_t max_pdu_size) {
    std::size_t size = 0;
    if (const auto e = measure(pdu, max_pdu_size, size); e != EncodeErrc{})
        return make_error_code(e);
    const std::size_t old = out.size();
    out.resize(old + size);
    wire::SpanSink sink{out.data() + old};
    (void)write_pdu(sink, pdu, static_cast<std::uint32_t>(size));
    return {};
}

}  // namespace bindery::smpp
