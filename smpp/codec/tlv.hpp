#pragma once
// Optional parameters (TLVs). A TlvRange is a borrowed run of wire-format TLV octets: it iterates
// lazily in wire order, never allocates, and keeps unknown (vendor) tags byte for byte, so a PDU
// re-encodes exactly as received. Build one for sending with TlvBuilder.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "smpp/codec/bytes.hpp"
#include "smpp/codec/network_error_code.hpp"

namespace bindery::smpp {

// SMPP 3.4 §5.3.2 tags (plus congestion_state from 5.0).
namespace tlv_tag {
inline constexpr std::uint16_t dest_addr_subunit = 0x0005;
inline constexpr std::uint16_t dest_network_type = 0x0006;
inline constexpr std::uint16_t dest_bearer_type = 0x0007;
inline constexpr std::uint16_t dest_telematics_id = 0x0008;
inline constexpr std::uint16_t source_addr_subunit = 0x000D;
inline constexpr std::uint16_t source_network_type = 0x000E;
inline constexpr std::uint16_t source_bearer_type = 0x000F;
inline constexpr std::uint16_t source_telematics_id = 0x0010;
inline constexpr std::uint16_t qos_time_to_live = 0x0017;
inline constexpr std::uint16_t payload_type = 0x0019;
inline constexpr std::uint16_t additional_status_info_text = 0x001D;
inline constexpr std::uint16_t receipted_message_id = 0x001E;
inline constexpr std::uint16_t ms_msg_wait_facilities = 0x0030;
inline constexpr std::uint16_t privacy_indicator = 0x0201;
inline constexpr std::uint16_t source_subaddress = 0x0202;
inline constexpr std::uint16_t dest_subaddress = 0x0203;
inline constexpr std::uint16_t user_message_reference = 0x0204;
inline constexpr std::uint16_t user_response_code = 0x0205;
inline constexpr std::uint16_t source_port = 0x020A;
inline constexpr std::uint16_t destination_port = 0x020B;
inline constexpr std::uint16_t sar_msg_ref_num = 0x020C;
inline constexpr std::uint16_t language_indicator = 0x020D;
inline constexpr std::uint16_t sar_total_segments = 0x020E;
inline constexpr std::uint16_t sar_segment_seqnum = 0x020F;
inline constexpr std::uint16_t sc_interface_version = 0x0210;
inline constexpr std::uint16_t callback_num_pres_ind = 0x0302;
inline constexpr std::uint16_t callback_num_atag = 0x0303;
inline constexpr std::uint16_t number_of_messages = 0x0304;
inline constexpr std::uint16_t callback_num = 0x0381;
inline constexpr std::uint16_t dpf_result = 0x0420;
inline constexpr std::uint16_t set_dpf = 0x0421;
inline constexpr std::uint16_t ms_availability_status = 0x0422;
inline constexpr std::uint16_t network_error_code = 0x0423;
inline constexpr std::uint16_t message_payload = 0x0424;
inline constexpr std::uint16_t delivery_failure_reason = 0x0425;
inline constexpr std::uint16_t more_messages_to_send = 0x0426;
inline constexpr std::uint16_t message_state = 0x0427;
inline constexpr std::uint16_t congestion_state = 0x0428;
inline constexpr std::uint16_t ussd_service_op = 0x0501;
inline constexpr std::uint16_t display_time = 0x1201;
inline constexpr std::uint16_t sms_signal = 0x1203;
inline constexpr std::uint16_t ms_validity = 0x1204;
inline constexpr std::uint16_t alert_on_message_delivery = 0x130C;
inline constexpr std::uint16_t its_reply_type = 0x1380;
inline constexpr std::uint16_t its_session_info = 0x1383;
}  // namespace tlv_tag

// The spec name of a standard tag, or "" for unknown/vendor tags.
[[nodiscard]] std::string_view tlv_name(std::uint16_t tag) noexcept;

// Value-length rule of a standard tag, checked by decode (and by encode for built TLVs).
struct TlvLengthRule {
    std::uint16_t min = 0;
    std::uint16_t max = 0xFFFF;
    bool c_string = false;  // value is a NUL-terminated C-octet string of at most `max` octets
};
// nullopt for unknown tags (any length accepted, kept as is).
[[nodiscard]] std::optional<TlvLengthRule> tlv_length_rule(std::uint16_t tag) noexcept;

struct Tlv {
    std::uint16_t tag = 0;
    ByteView value{};
    friend bool operator==(const Tlv&, const Tlv&) = default;
};

class TlvRange {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Tlv;
        using difference_type = std::ptrdiff_t;
        using reference = const Tlv&;
        using pointer = const Tlv*;
        iterator() noexcept = default;
        iterator(ByteView rest) noexcept : rest_(rest) { load(); }
        const Tlv& operator*() const noexcept { return current_; }
        const Tlv* operator->() const noexcept { return &current_; }
        iterator& operator++() noexcept {
            rest_ = ByteView(rest_.subspan(4 + current_.value.size()));
            load();
            return *this;
        }
        iterator operator++(int) noexcept {
            auto copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.rest_.size() == b.rest_.size();
        }

    private:
        void load() noexcept;  // stops (becomes end) on a truncated TLV
        ByteView rest_;
        Tlv current_;
    };

    TlvRange() noexcept = default;
    // `wire` holds zero or more TLVs exactly as on the wire.
    explicit TlvRange(ByteView wire) noexcept : wire_(wire) {}

    [[nodiscard]] iterator begin() const noexcept { return iterator(wire_); }
    [[nodiscard]] iterator end() const noexcept { return iterator(); }
    [[nodiscard]] bool empty() const noexcept { return wire_.empty(); }
    [[nodiscard]] ByteView wire() const noexcept { return wire_; }
    [[nodiscard]] std::size_t count() const noexcept;

    // The last TLV with `tag` (duplicates: last one wins).
    [[nodiscard]] std::optional<Tlv> find(std::uint16_t tag) const noexcept;
    [[nodiscard]] bool contains(std::uint16_t tag) const noexcept { return find(tag).has_value(); }
    // Typed reads; nullopt when absent or of the wrong length.
    [[nodiscard]] std::optional<std::uint8_t> u8(std::uint16_t tag) const noexcept;
    [[nodiscard]] std::optional<std::uint16_t> u16(std::uint16_t tag) const noexcept;
    [[nodiscard]] std::optional<std::uint32_t> u32(std::uint16_t tag) const noexcept;
    // A C-octet string value without its NUL (a value lacking the NUL is returned whole).
    [[nodiscard]] std::optional<std::string_view> c_string(std::uint16_t tag) const noexcept;
    [[nodiscard]] std::optional<ByteView> octets(std::uint16_t tag) const noexcept;

    // Standard TLVs by name (§6 of the reference).
    [[nodiscard]] std::optional<std::uint8_t> dest_addr_subunit() const noexcept {
        return u8(tlv_tag::dest_addr_subunit);
    }
    [[nodiscard]] std::optional<std::uint8_t> source_addr_subunit() const noexcept {
        return u8(tlv_tag::source_addr_subunit);
    }
    [[nodiscard]] std::optional<std::uint8_t> dest_network_type() const noexcept {
        return u8(tlv_tag::dest_network_type);
    }
    [[nodiscard]] std::optional<std::uint8_t> source_network_type() const noexcept {
        return u8(tlv_tag::source_network_type);
    }
    [[nodiscard]] std::optional<std::uint8_t> dest_bearer_type() const noexcept {
        return u8(tlv_tag::dest_bearer_type);
    }
    [[nodiscard]] std::optional<std::uint8_t> source_bearer_type() const noexcept {
        return u8(tlv_tag::source_bearer_type);
    }
    // GSM telematic interworking (TS 23.040 TP-PID): 2 octets for the destination, 1 for the
    // source.
    [[nodiscard]] std::optional<std::uint16_t> dest_telematics_id() const noexcept {
        return u16(tlv_tag::dest_telematics_id);
    }
    [[nodiscard]] std::optional<std::uint8_t> source_telematics_id() const noexcept {
        return u8(tlv_tag::source_telematics_id);
    }
    [[nodiscard]] std::optional<std::uint32_t> qos_time_to_live() const noexcept {
        return u32(tlv_tag::qos_time_to_live);
    }
    [[nodiscard]] std::optional<std::uint8_t> payload_type() const noexcept {
        return u8(tlv_tag::payload_type);
    }
    [[nodiscard]] std::optional<std::string_view> additional_status_info_text() const noexcept {
        return c_string(tlv_tag::additional_status_info_text);
    }
    [[nodiscard]] std::optional<std::string_view> receipted_message_id() const noexcept {
        return c_string(tlv_tag::receipted_message_id);
    }
    [[nodiscard]] std::optional<std::uint8_t> ms_msg_wait_facilities() const noexcept {
        return u8(tlv_tag::ms_msg_wait_facilities);
    }
    [[nodiscard]] std::optional<std::uint8_t> privacy_indicator() const noexcept {
        return u8(tlv_tag::privacy_indicator);
    }
    [[nodiscard]] std::optional<ByteView> source_subaddress() const noexcept {
        return octets(tlv_tag::source_subaddress);
    }
    [[nodiscard]] std::optional<ByteView> dest_subaddress() const noexcept {
        return octets(tlv_tag::dest_subaddress);
    }
    [[nodiscard]] std::optional<std::uint16_t> user_message_reference() const noexcept {
        return u16(tlv_tag::user_message_reference);
    }
    [[nodiscard]] std::optional<std::uint8_t> user_response_code() const noexcept {
        return u8(tlv_tag::user_response_code);
    }
    [[nodiscard]] std::optional<std::uint16_t> source_port() const noexcept {
        return u16(tlv_tag::source_port);
    }
    [[nodiscard]] std::optional<std::uint16_t> destination_port() const noexcept {
        return u16(tlv_tag::destination_port);
    }
    [[nodiscard]] std::optional<std::uint16_t> dest_port() const noexcept {
        return destination_port();
    }
    [[nodiscard]] std::optional<std::uint16_t> sar_msg_ref_num() const noexcept {
        return u16(tlv_tag::sar_msg_ref_num);
    }
    [[nodiscard]] std::optional<std::uint8_t> language_indicator() const noexcept {
        return u8(tlv_tag::language_indicator);
    }
    [[nodiscard]] std::optional<std::uint8_t> sar_total_segments() const noexcept {
        return u8(tlv_tag::sar_total_segments);
    }
    [[nodiscard]] std::optional<std::uint8_t> sar_segment_seqnum() const noexcept {
        return u8(tlv_tag::sar_segment_seqnum);
    }
    [[nodiscard]] std::optional<std::uint8_t> sc_interface_version() const noexcept {
        return u8(tlv_tag::sc_interface_version);
    }
    [[nodiscard]] std::optional<std::uint8_t> callback_num_pres_ind() const noexcept {
        return u8(tlv_tag::callback_num_pres_ind);
    }
    [[nodiscard]] std::optional<ByteView> callback_num_atag() const noexcept {
        return octets(tlv_tag::callback_num_atag);
    }
    [[nodiscard]] std::optional<std::uint8_t> number_of_messages() const noexcept {
        return u8(tlv_tag::number_of_messages);
    }
    [[nodiscard]] std::optional<ByteView> callback_num() const noexcept {
        return octets(tlv_tag::callback_num);
    }
    [[nodiscard]] std::optional<std::uint8_t> dpf_result() const noexcept {
        return u8(tlv_tag::dpf_result);
    }
    [[nodiscard]] std::optional<std::uint8_t> set_dpf() const noexcept {
        return u8(tlv_tag::set_dpf);
    }
    [[nodiscard]] std::optional<std::uint8_t> ms_availability_status() const noexcept {
        return u8(tlv_tag::ms_availability_status);
    }
    [[nodiscard]] std::optional<NetworkErrorCode> network_error_code() const noexcept;
    [[nodiscard]] std::optional<ByteView> message_payload() const noexcept {
        return octets(tlv_tag::message_payload);
    }
    [[nodiscard]] std::optional<std::uint8_t> delivery_failure_reason() const noexcept {
        return u8(tlv_tag::delivery_failure_reason);
    }
    [[nodiscard]] std::optional<std::uint8_t> more_messages_to_send() const noexcept {
        return u8(tlv_tag::more_messages_to_send);
    }
    [[nodiscard]] std::optional<std::uint8_t> message_state() const noexcept {
        return u8(tlv_tag::message_state);
    }
    [[nodiscard]] std::optional<std::uint8_t> congestion_state() const noexcept {
        return u8(tlv_tag::congestion_state);
    }
    [[nodiscard]] std::optional<std::uint8_t> ussd_service_op() const noexcept {
        return u8(tlv_tag::ussd_service_op);
    }
    [[nodiscard]] std::optional<std::uint8_t> display_time() const noexcept {
        return u8(tlv_tag::display_time);
    }
    [[nodiscard]] std::optional<std::uint16_t> sms_signal() const noexcept {
        return u16(tlv_tag::sms_signal);
    }
    [[nodiscard]] std::optional<std::uint8_t> ms_validity() const noexcept {
        return u8(tlv_tag::ms_validity);
    }
    [[nodiscard]] bool alert_on_message_delivery() const noexcept {
        return contains(tlv_tag::alert_on_message_delivery);
    }
    [[nodiscard]] std::optional<std::uint8_t> its_reply_type() const noexcept {
        return u8(tlv_tag::its_reply_type);
    }
    [[nodiscard]] std::optional<std::uint16_t> its_session_info() const noexcept {
        return u16(tlv_tag::its_session_info);
    }

    // Same octets (same TLVs in the same order).
    friend bool operator==(const TlvRange& a, const TlvRange& b) noexcept {
        return a.wire_ == b.wire_;
    }

private:
    ByteView wire_;
};

// Builds TLV octets for an outgoing PDU. The builder owns the bytes; the TlvRange from range()
// borrows them, so keep the builder alive until the PDU is encoded. Values longer than 65535
// octets are refused (returns false, nothing appended).
class TlvBuilder {
public:
    TlvBuilder& u8(std::uint16_t tag, std::uint8_t v);
    TlvBuilder& u16(std::uint16_t tag, std::uint16_t v);
    TlvBuilder& u32(std::uint16_t tag, std::uint32_t v);
    TlvBuilder& c_string(std::uint16_t tag, std::string_view s);  // appends the NUL
    bool octets(std::uint16_t tag, ByteView value);
    TlvBuilder& network_error_code(NetworkErrorCode v);
    TlvBuilder& append(const Tlv& tlv) {
        octets(tlv.tag, tlv.value);
        return *this;
    }
    // Copies every TLV of `range` (e.g. to forward unknown vendor TLVs).
    TlvBuilder& append(const TlvRange& range);
    void clear() noexcept { bytes_.clear(); }

    [[nodiscard]] TlvRange range() const noexcept { return TlvRange(ByteView(bytes_)); }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

}  // namespace bindery::smpp
