#include "smpp/codec/tlv.hpp"

#include <cstring>

#include "smpp/codec/tlv_check.hpp"
#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

namespace {

struct TagInfo {
    std::string_view name;
    std::uint16_t tag;
    TlvLengthRule rule;
};

constexpr TlvLengthRule fixed(std::uint16_t n) { return {n, n, false}; }
constexpr TlvLengthRule range(std::uint16_t lo, std::uint16_t hi) { return {lo, hi, false}; }
constexpr TlvLengthRule c_str(std::uint16_t max) { return {1, max, true}; }

// SMPP 3.4 §5.3.2 (+ congestion_state from 5.0). alert_on_message_delivery is 0 octets in 3.4;
// 5.0 gives it one octet, so both are accepted.
constexpr TagInfo kTags[] = {
    {"dest_addr_subunit", tlv_tag::dest_addr_subunit, fixed(1)},
    {"dest_network_type", tlv_tag::dest_network_type, fixed(1)},
    {"dest_bearer_type", tlv_tag::dest_bearer_type, fixed(1)},
    {"dest_telematics_id", tlv_tag::dest_telematics_id, fixed(2)},
    {"source_addr_subunit", tlv_tag::source_addr_subunit, fixed(1)},
    {"source_network_type", tlv_tag::source_network_type, fixed(1)},
    {"source_bearer_type", tlv_tag::source_bearer_type, fixed(1)},
    {"source_telematics_id", tlv_tag::source_telematics_id, fixed(1)},
    {"qos_time_to_live", tlv_tag::qos_time_to_live, fixed(4)},
    {"payload_type", tlv_tag::payload_type, fixed(1)},
    {"additional_status_info_text", tlv_tag::additional_status_info_text, c_str(256)},
    {"receipted_message_id", tlv_tag::receipted_message_id, c_str(65)},
    {"ms_msg_wait_facilities", tlv_tag::ms_msg_wait_facilities, fixed(1)},
    {"privacy_indicator", tlv_tag::privacy_indicator, fixed(1)},
    {"source_subaddress", tlv_tag::source_subaddress, range(2, 23)},
    {"dest_subaddress", tlv_tag::dest_subaddress, range(2, 23)},
    {"user_message_reference", tlv_tag::user_message_reference, fixed(2)},
    {"user_response_code", tlv_tag::user_response_code, fixed(1)},
    {"source_port", tlv_tag::source_port, fixed(2)},
    {"destination_port", tlv_tag::destination_port, fixed(2)},
    {"sar_msg_ref_num", tlv_tag::sar_msg_ref_num, fixed(2)},
    {"language_indicator", tlv_tag::language_indicator, fixed(1)},
    {"sar_total_segments", tlv_tag::sar_total_segments, fixed(1)},
    {"sar_segment_seqnum", tlv_tag::sar_segment_seqnum, fixed(1)},
    {"sc_interface_version", tlv_tag::sc_interface_version, fixed(1)},
    {"callback_num_pres_ind", tlv_tag::callback_num_pres_ind, fixed(1)},
    {"callback_num_atag", tlv_tag::callback_num_atag, range(0, 65)},
    {"number_of_messages", tlv_tag::number_of_messages, fixed(1)},
    {"callback_num", tlv_tag::callback_num, range(4, 19)},
    {"dpf_result", tlv_tag::dpf_result, fixed(1)},
    {"set_dpf", tlv_tag::set_dpf, fixed(1)},
    {"ms_availability_status", tlv_tag::ms_availability_status, fixed(1)},
    {"network_error_code", tlv_tag::network_error_code, fixed(3)},
    {"message_payload", tlv_tag::message_payload, range(0, 0xFFFF)},
    {"delivery_failure_reason", tlv_tag::delivery_failure_reason, fixed(1)},
    {"more_messages_to_send", tlv_tag::more_messages_to_send, fixed(1)},
    {"message_state", tlv_tag::message_state, fixed(1)},
    {"congestion_state", tlv_tag::congestion_state, fixed(1)},
    {"ussd_service_op", tlv_tag::ussd_service_op, fixed(1)},
    {"display_time", tlv_tag::display_time, fixed(1)},
    {"sms_signal", tlv_tag::sms_signal, fixed(2)},
    {"ms_validity", tlv_tag::ms_validity, fixed(1)},
    {"alert_on_message_delivery", tlv_tag::alert_on_message_delivery, range(0, 1)},
    {"its_reply_type", tlv_tag::its_reply_type, fixed(1)},
    {"its_session_info", tlv_tag::its_session_info, fixed(2)},
};

const TagInfo* lookup(std::uint16_t tag) noexcept {
    for (const auto& t : kTags) {
        if (t.tag == tag) return &t;
    }
    return nullptr;
}

}  // namespace

std::string_view tlv_name(std::uint16_t tag) noexcept {
    const auto* t = lookup(tag);
    return t != nullptr ? t->name : std::string_view{};
}

std::optional<TlvLengthRule> tlv_length_rule(std::uint16_t tag) noexcept {
    const auto* t = lookup(tag);
    if (t == nullptr) return std::nullopt;
    return t->rule;
}

std::optional<TlvProblem> check_tlvs(ByteView wire) noexcept {
    std::size_t off = 0;
    unsigned sar_seen = 0;
    while (off < wire.size()) {
        const std::size_t left = wire.size() - off;
        if (left < 4) return TlvProblem{DecodeErrc::tlv_truncated, off, 0};
        const std::uint16_t tag = wire::load_u16(wire.data() + off);
        const std::uint16_t len = wire::load_u16(wire.data() + off + 2);
        if (len > left - 4) return TlvProblem{DecodeErrc::tlv_length_overrun, off, tag};
        if (const auto* info = lookup(tag)) {
            if (len < info->rule.min || len > info->rule.max) {
                return TlvProblem{DecodeErrc::tlv_invalid_length, off, tag};
            }
            if (info->rule.c_string && wire[off + 4 + len - 1] != 0) {
                return TlvProblem{DecodeErrc::tlv_invalid_value, off, tag};
            }
            if (info->rule.c_string && std::memchr(wire.data() + off + 4, 0, len - 1U) != nullptr) {
                return TlvProblem{DecodeErrc::tlv_invalid_value, off, tag};
            }
            if (tag == tlv_tag::sar_msg_ref_num) sar_seen |= 1U;
            if (tag == tlv_tag::sar_total_segments) sar_seen |= 2U;
            if (tag == tlv_tag::sar_segment_seqnum) sar_seen |= 4U;
        }
        off += 4U + len;
    }
    if (sar_seen != 0 && sar_seen != 7U) {
        const std::uint16_t missing = (sar_seen & 1U) == 0   ? tlv_tag::sar_msg_ref_num
                                      : (sar_seen & 2U) == 0 ? tlv_tag::sar_total_segments
                                                             : tlv_tag::sar_segment_seqnum;
        return TlvProblem{DecodeErrc::tlv_missing, wire.size(), missing};
    }
    return std::nullopt;
}

void TlvRange::iterator::load() noexcept {
    if (rest_.size() < 4) {
        rest_ = ByteView{};
        return;
    }
    const std::uint16_t len = wire::load_u16(rest_.data() + 2);
    if (len > rest_.size() - 4) {
        rest_ = ByteView{};
        return;
    }
    current_.tag = wire::load_u16(rest_.data());
    current_.value = ByteView(rest_.subspan(4, len));
}

std::size_t TlvRange::count() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
}

std::optional<Tlv> TlvRange::find(std::uint16_t tag) const noexcept {
    std::optional<Tlv> found;
    for (const auto& t : *this) {
        if (t.tag == tag) found = t;
    }
    return found;
}

std::optional<std::uint8_t> TlvRange::u8(std::uint16_t tag) const noexcept {
    const auto t = find(tag);
    if (!t || t->value.size() != 1) return std::nullopt;
    return t->value[0];
}

std::optional<std::uint16_t> TlvRange::u16(std::uint16_t tag) const noexcept {
    const auto t = find(tag);
    if (!t || t->value.size() != 2) return std::nullopt;
    return wire::load_u16(t->value.data());
}

std::optional<std::uint32_t> TlvRange::u32(std::uint16_t tag) const noexcept {
    const auto t = find(tag);
    if (!t || t->value.size() != 4) return std::nullopt;
    return wire::load_u32(t->value.data());
}

std::optional<std::string_view> TlvRange::c_string(std::uint16_t tag) const noexcept {
    const auto t = find(tag);
    if (!t) return std::nullopt;
    auto s = t->value.as_chars();
    if (const auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
    return s;
}

std::optional<ByteView> TlvRange::octets(std::uint16_t tag) const noexcept {
    const auto t = find(tag);
    if (!t) return std::nullopt;
    return t->value;
}

std::optional<NetworkErrorCode> TlvRange::network_error_code() const noexcept {
    const auto t = find(tlv_tag::network_error_code);
    if (!t || t->value.size() != 3) return std::nullopt;
    return NetworkErrorCode{t->value[0], wire::load_u16(t->value.data() + 1)};
}

// ---- TlvBuilder ----

bool TlvBuilder::octets(std::uint16_t tag, ByteView value) {
    if (value.size() > 0xFFFF) return false;
    const auto len = static_cast<std::uint16_t>(value.size());
    const std::uint8_t head[4] = {
        static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag),
        static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    bytes_.insert(bytes_.end(), head, head + 4);
    bytes_.insert(bytes_.end(), value.begin(), value.end());
    return true;
}

TlvBuilder& TlvBuilder::u8(std::uint16_t tag, std::uint8_t v) {
    const std::uint8_t b[1] = {v};
    octets(tag, ByteView(b));
    return *this;
}

TlvBuilder& TlvBuilder::u16(std::uint16_t tag, std::uint16_t v) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    octets(tag, ByteView(b));
    return *this;
}

TlvBuilder& TlvBuilder::u32(std::uint16_t tag, std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24),
                               static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    octets(tag, ByteView(b));
    return *this;
}

TlvBuilder& TlvBuilder::c_string(std::uint16_t tag, std::string_view s) {
    if (s.size() >= 0xFFFF) return *this;
    const auto len = static_cast<std::uint16_t>(s.size() + 1);
    const std::uint8_t head[4] = {
        static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag),
        static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    bytes_.insert(bytes_.end(), head, head + 4);
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back(0);
    return *this;
}

TlvBuilder& TlvBuilder::network_error_code(NetworkErrorCode v) {
    const std::uint8_t b[3] = {v.network_type, static_cast<std::uint8_t>(v.error_code >> 8),
                               static_cast<std::uint8_t>(v.error_code)};
    octets(tlv_tag::network_error_code, ByteView(b));
    return *this;
}

TlvBuilder& TlvBuilder::append(const TlvRange& r) {
    for (const auto& t : r) octets(t.tag, t.value);
    return *this;
}

}  // namespace bindery::smpp
