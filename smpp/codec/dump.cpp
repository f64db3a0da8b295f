#include "smpp/codec/dump.hpp"

#include <algorithm>
#include <cstdio>

namespace bindery::smpp {

namespace {

constexpr std::size_t kMaxShown = 64;  // octets of a payload shown before "..."

class Line {
public:
    void word(std::string_view w) {
        if (!s_.empty()) s_ += ' ';
        s_ += w;
    }
    void value(std::string_view v) { s_ += v; }
    void key(std::string_view k) {
        word(k);
        s_ += '=';
    }
    void quoted(std::string_view v) {
        s_ += '"';
        for (const char c : v.substr(0, std::min(v.size(), kMaxShown))) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                s_ += '\\';
                s_ += c;
            } else if (u >= 0x20 && u < 0x7F) {
                s_ += c;
            } else {
                hex_escape(u);
            }
        }
        s_ += '"';
        if (v.size() > kMaxShown) s_ += "...";
    }
    void text(std::string_view k, std::string_view v) {
        key(k);
        quoted(v);
    }
    void num(std::string_view k, unsigned v) {
        key(k);
        s_ += std::to_string(v);
    }
    void hex8(std::string_view k, std::uint8_t v) {
        key(k);
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", v);
        s_ += buf;
    }
    void addr(std::string_view k, std::uint8_t ton, std::uint8_t npi, std::string_view a) {
        key(k);
        s_ += std::to_string(ton) + "/" + std::to_string(npi) + ":";
        quoted(a);
    }
    void octets(std::string_view k, ByteView b) {
        key(k);
        s_ += '(' + std::to_string(b.size()) + ')';
        bool printable = true;
        for (std::size_t i = 0; i < b.size(); ++i) {
            const bool trailing_nul = i + 1 == b.size() && b[i] == 0 && i > 0;
            printable = printable && ((b[i] >= 0x20 && b[i] < 0x7F) || trailing_nul);
        }
        if (printable) {
            quoted(b.as_chars());
            return;
        }
        static constexpr char kHex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < b.size() && i < kMaxShown; ++i) {
            s_ += kHex[b[i] >> 4];
            s_ += kHex[b[i] & 0xF];
        }
        if (b.size() > kMaxShown) s_ += "...";
    }
    void tlvs(const TlvRange& r) {
        if (r.empty()) return;
        key("tlvs");
        s_ += '[';
        bool first = true;
        for (const auto& t : r) {
            if (!first) s_ += ' ';
            first = false;
            const auto name = tlv_name(t.tag);
            char buf[12];
            std::snprintf(buf, sizeof buf, "0x%04x", t.tag);
            Line inner;
            inner.octets(name.empty() ? std::string_view(buf) : name, t.value);
            s_ += inner.str();
        }
        s_ += ']';
    }
    [[nodiscard]] const std::string& str() const { return s_; }

private:
    void hex_escape(unsigned char u) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        s_ += buf;
    }
    std::string s_;
};

template <CommandId Id>
void fields(Line&, const EmptyBody<Id>&) {}

template <CommandId Id>
void fields(Line& l, const BindRequest<Id>& b) {
    l.text("system_id", b.system_id);
    l.text("password", b.password.empty() ? "" : "***");
    l.text("system_type", b.system_type);
    l.hex8("interface_version", b.interface_version);
    l.addr("address_range", b.addr_ton, b.addr_npi, b.address_range);
}

template <CommandId Id>
void fields(Line& l, const BindResponse<Id>& b) {
    l.text("system_id", b.system_id);
    l.tlvs(b.tlvs);
}

void fields(Line& l, const Outbind& b) {
    l.text("system_id", b.system_id);
    l.text("password", b.password.empty() ? "" : "***");
}

template <class B>
void sm_tail(Line& l, const B& b) {
    l.hex8("esm_class", b.esm_class);
    l.num("protocol_id", b.protocol_id);
    l.num("priority_flag", b.priority_flag);
    l.text("schedule_delivery_time", b.schedule_delivery_time);
    l.text("validity_period", b.validity_period);
    l.hex8("registered_delivery", b.registered_delivery);
    l.num("replace_if_present_flag", b.replace_if_present_flag);
    l.hex8("data_coding", b.data_coding);
    l.num("sm_default_msg_id", b.sm_default_msg_id);
    l.octets("short_message", b.short_message);
    l.tlvs(b.tlvs);
}

template <CommandId Id>
void fields(Line& l, const ShortMessage<Id>& b) {
    l.text("service_type", b.service_type);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.addr("destination_addr", b.dest_addr_ton, b.dest_addr_npi, b.destination_addr);
    sm_tail(l, b);
}

template <CommandId Id>
void fields(Line& l, const MessageIdResponse<Id>& b) {
    l.text("message_id", b.message_id);
    l.tlvs(b.tlvs);
}

void fields(Line& l, const SubmitMulti& b) {
    l.text("service_type", b.service_type);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.num("number_of_dests", static_cast<unsigned>(b.dest_addresses.size()));
    for (const auto& d : b.dest_addresses) {
        if (d.dest_flag == DestFlag::sme_address) {
            l.addr("dest", d.dest_addr_ton, d.dest_addr_npi, d.destination_addr);
        } else {
            l.text("dl_name", d.dl_name);
        }
    }
    sm_tail(l, b);
}

void fields(Line& l, const SubmitMultiResp& b) {
    l.text("message_id", b.message_id);
    l.num("no_unsuccess", static_cast<unsigned>(b.unsuccess_smes.size()));
    for (const auto& u : b.unsuccess_smes) {
        l.addr("unsuccess", u.dest_addr_ton, u.dest_addr_npi, u.destination_addr);
        l.word(to_string(u.error_status_code));
    }
    l.tlvs(b.tlvs);
}

void fields(Line& l, const DataSm& b) {
    l.text("service_type", b.service_type);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.addr("destination_addr", b.dest_addr_ton, b.dest_addr_npi, b.destination_addr);
    l.hex8("esm_class", b.esm_class);
    l.hex8("registered_delivery", b.registered_delivery);
    l.hex8("data_coding", b.data_coding);
    l.tlvs(b.tlvs);
}

void fields(Line& l, const QuerySm& b) {
    l.text("message_id", b.message_id);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
}

void fields(Line& l, const QuerySmResp& b) {
    l.text("message_id", b.message_id);
    l.text("final_date", b.final_date);
    l.num("message_state", b.message_state);
    l.num("error_code", b.error_code);
}

void fields(Line& l, const CancelSm& b) {
    l.text("service_type", b.service_type);
    l.text("message_id", b.message_id);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.addr("destination_addr", b.dest_addr_ton, b.dest_addr_npi, b.destination_addr);
}

void fields(Line& l, const ReplaceSm& b) {
    l.text("message_id", b.message_id);
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.text("schedule_delivery_time", b.schedule_delivery_time);
    l.text("validity_period", b.validity_period);
    l.hex8("registered_delivery", b.registered_delivery);
    l.num("sm_default_msg_id", b.sm_default_msg_id);
    l.octets("short_message", b.short_message);
}

void fields(Line& l, const AlertNotification& b) {
    l.addr("source_addr", b.source_addr_ton, b.source_addr_npi, b.source_addr);
    l.addr("esme_addr", b.esme_addr_ton, b.esme_addr_npi, b.esme_addr);
    l.tlvs(b.tlvs);
}

void header(Line& l, CommandId id, const Header& h) {
    l.word(to_string(id));
    l.num("seq", h.sequence_number);
    l.key("status");
    l.value(to_string(h.command_status));
}

}  // namespace

std::string dump(const Pdu& pdu) {
    Line l;
    header(l, pdu.command_id(), pdu.header);
    std::visit([&l](const auto& b) { fields(l, b); }, pdu.body);
    return l.str();
}

std::string dump(const DecodeError& e) {
    Line l;
    l.word("decode error:");
    l.word(to_string(e.code));
    if (!e.field.empty()) l.text("field", e.field);
    l.num("offset", static_cast<unsigned>(e.offset));
    l.key("reply");
    l.value(to_string(e.command_status()));
    if (e.header) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(e.header->command_id));
        l.key("command_id");
        l.value(buf);
        l.num("seq", e.header->sequence_number);
        l.num("command_length", e.header->command_length);
    }
    return l.str();
}

std::string dump_hex(std::span<const std::uint8_t> frame, std::size_t max_octets) {
    // Where the password sits, if this is a bind or an outbind (views point into `frame`).
    std::size_t pw_begin = 0;
    std::size_t pw_end = 0;
    if (const auto pdu = decode(frame)) {
        std::string_view pw;
        std::visit(
            [&pw](const auto& b) {
                if constexpr (requires { b.password; }) pw = b.password;
            },
            pdu->body);
        if (!pw.empty()) {
            pw_begin = static_cast<std::size_t>(reinterpret_cast<const std::uint8_t*>(pw.data()) -
                                                frame.data());
            pw_end = pw_begin + pw.size();
        }
    }
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    const std::size_t n = std::min(frame.size(), max_octets);
    out.reserve(n * 3 + 3);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t b = (i >= pw_begin && i < pw_end) ? std::uint8_t{0x2A} : frame[i];
        if (i != 0) out += ' ';
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    if (frame.size() > n) out += " ...";
    return out;
}

}  // namespace bindery::smpp
