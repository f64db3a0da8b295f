#pragma once
// SMPP 3.4 PDUs: a header plus one body struct per PDU, with the specification's field names.
//
// One struct family serves both directions. After decode() every string_view / ByteView /
// TlvRange / list borrows from the frame (no allocation); to send, fill the same structs with views
// of storage the caller keeps alive until encode() returns. C-octet strings are held WITHOUT their
// NUL; sm_length, number_of_dests and no_unsuccess are derived, never stored.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "smpp/codec/bytes.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/tlv.hpp"

namespace bindery::smpp {

inline constexpr std::size_t kHeaderSize = 16;

struct Header {
    std::uint32_t command_length = 0;                // set by decode/encode; ignored on encode
    CommandId command_id = CommandId::generic_nack;  // encode takes the id from the body
    CommandStatus command_status = CommandStatus::ESME_ROK;
    std::uint32_t sequence_number = 0;
    friend bool operator==(const Header&, const Header&) = default;
};

// Maximum sizes in octets INCLUDING the NUL, as in the specification (so at most N-1 characters).
namespace field_max {
inline constexpr std::size_t system_id = 16;
inline constexpr std::size_t password = 9;
inline constexpr std::size_t system_type = 13;
inline constexpr std::size_t address_range = 41;
inline constexpr std::size_t service_type = 6;
inline constexpr std::size_t address = 21;          // source_addr / destination_addr / dl_name
inline constexpr std::size_t data_sm_address = 65;  // data_sm and alert_notification addresses
inline constexpr std::size_t message_id = 65;
inline constexpr std::size_t time = 17;  // schedule_delivery_time, validity_period, final_date
inline constexpr std::size_t short_message = 254;  // octets, no NUL
inline constexpr std::size_t number_of_dests = 254;
}  // namespace field_max

// ---- header-only PDUs ------------------------------------------------------------------------
template <CommandId Id>
struct EmptyBody {
    static constexpr CommandId command_id = Id;
    friend bool operator==(const EmptyBody&, const EmptyBody&) = default;
};
using GenericNack = EmptyBody<CommandId::generic_nack>;
using Unbind = EmptyBody<CommandId::unbind>;
using UnbindResp = EmptyBody<CommandId::unbind_resp>;
using EnquireLink = EmptyBody<CommandId::enquire_link>;
using EnquireLinkResp = EmptyBody<CommandId::enquire_link_resp>;
using CancelSmResp = EmptyBody<CommandId::cancel_sm_resp>;
using ReplaceSmResp = EmptyBody<CommandId::replace_sm_resp>;

// ---- bind ------------------------------------------------------------------------------------
template <CommandId Id>
struct BindRequest {
    static constexpr CommandId command_id = Id;
    std::string_view system_id{};
    std::string_view password{};
    std::string_view system_type{};
    std::uint8_t interface_version = 0x34;
    std::uint8_t addr_ton = 0;
    std::uint8_t addr_npi = 0;
    std::string_view address_range{};
    friend bool operator==(const BindRequest&, const BindRequest&) = default;
};
using BindTransmitter = BindRequest<CommandId::bind_transmitter>;
using BindReceiver = BindRequest<CommandId::bind_receiver>;
using BindTransceiver = BindRequest<CommandId::bind_transceiver>;

template <CommandId Id>
struct BindResponse {
    static constexpr CommandId command_id = Id;
    std::string_view system_id{};
    TlvRange tlvs{};  // sc_interface_version
    friend bool operator==(const BindResponse&, const BindResponse&) = default;
};
using BindTransmitterResp = BindResponse<CommandId::bind_transmitter_resp>;
using BindReceiverResp = BindResponse<CommandId::bind_receiver_resp>;
using BindTransceiverResp = BindResponse<CommandId::bind_transceiver_resp>;

struct Outbind {
    static constexpr CommandId command_id = CommandId::outbind;
    std::string_view system_id{};
    std::string_view password{};
    friend bool operator==(const Outbind&, const Outbind&) = default;
};

// ---- submit_sm / deliver_sm (identical layout) -------------------------------------------------
template <CommandId Id>
struct ShortMessage {
    static constexpr CommandId command_id = Id;
    std::string_view service_type{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};
    std::uint8_t dest_addr_ton = 0;
    std::uint8_t dest_addr_npi = 0;
    std::string_view destination_addr{};
    std::uint8_t esm_class = 0;
    std::uint8_t protocol_id = 0;
    std::uint8_t priority_flag = 0;
    std::string_view schedule_delivery_time{};  // "" or 16 characters
    std::string_view validity_period{};         // "" or 16 characters
    std::uint8_t registered_delivery = 0;
    std::uint8_t replace_if_present_flag = 0;
    std::uint8_t data_coding = 0;
    std::uint8_t sm_default_msg_id = 0;
    ByteView short_message{};  // sm_length = short_message.size() (0..254)
    TlvRange tlvs{};
    friend bool operator==(const ShortMessage&, const ShortMessage&) = default;
};
using SubmitSm = ShortMessage<CommandId::submit_sm>;
using DeliverSm = ShortMessage<CommandId::deliver_sm>;

// submit_sm_resp, deliver_sm_resp, data_sm_resp: message_id (+ TLVs; deliver_sm_resp's id is "").
// A response with a non-zero command_status may arrive header-only: it decodes with empty fields.
template <CommandId Id>
struct MessageIdResponse {
    static constexpr CommandId command_id = Id;
    std::string_view message_id{};
    TlvRange tlvs{};
    friend bool operator==(const MessageIdResponse&, const MessageIdResponse&) = default;
};
using SubmitSmResp = MessageIdResponse<CommandId::submit_sm_resp>;
using DeliverSmResp = MessageIdResponse<CommandId::deliver_sm_resp>;
using DataSmResp = MessageIdResponse<CommandId::data_sm_resp>;

// ---- submit_multi ----------------------------------------------------------------------------
enum class DestFlag : std::uint8_t { sme_address = 1, distribution_list = 2 };

struct DestAddress {
    DestFlag dest_flag = DestFlag::sme_address;
    std::uint8_t dest_addr_ton = 0;       // sme_address only
    std::uint8_t dest_addr_npi = 0;       // sme_address only
    std::string_view destination_addr{};  // sme_address only
    std::string_view dl_name{};           // distribution_list only
    friend bool operator==(const DestAddress&, const DestAddress&) = default;
};

struct UnsuccessSme {
    std::uint8_t dest_addr_ton = 0;
    std::uint8_t dest_addr_npi = 0;
    std::string_view destination_addr{};
    CommandStatus error_status_code = CommandStatus::ESME_ROK;
    friend bool operator==(const UnsuccessSme&, const UnsuccessSme&) = default;
};

// A list that is either borrowed wire octets (after decode; parsed lazily, no allocation) or a
// caller's array of entries (to encode). Iterates entries in order either way.
template <class Entry>
class WireList {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using reference = const Entry&;
        using pointer = const Entry*;
        iterator() noexcept = default;
        iterator(const WireList* list, std::size_t index, std::size_t offset) noexcept
            : list_(list), index_(index), offset_(offset) {
            load();
        }
        const Entry& operator*() const noexcept { return current_; }
        const Entry* operator->() const noexcept { return &current_; }
        iterator& operator++() noexcept {
            ++index_;
            offset_ += consumed_;
            load();
            return *this;
        }
        iterator operator++(int) noexcept {
            auto copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.index_ == b.index_;
        }

    private:
        void load() noexcept;
        const WireList* list_ = nullptr;
        std::size_t index_ = 0;
        std::size_t offset_ = 0;
        std::size_t consumed_ = 0;
        Entry current_{};
    };

    WireList() noexcept = default;
    WireList(std::span<const Entry> entries) noexcept  // NOLINT: implicit by design
        : entries_(entries), count_(entries.size()) {}
    // `wire` must hold exactly `count` valid entries (decode checks this before building one).
    static WireList from_wire(ByteView wire, std::size_t count) noexcept {
        WireList l;
        l.wire_ = wire;
        l.count_ = count;
        l.from_wire_ = true;
        return l;
    }

    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0, 0); }
    [[nodiscard]] iterator end() const noexcept { return iterator(this, count_, 0); }

    friend bool operator==(const WireList& a, const WireList& b) noexcept {
        if (a.size() != b.size()) return false;
        auto ia = a.begin();
        auto ib = b.begin();
        for (; ia != a.end(); ++ia, ++ib) {
            if (!(*ia == *ib)) return false;
        }
        return true;
    }

private:
    std::span<const Entry> entries_;
    ByteView wire_{};
    std::size_t count_ = 0;
    bool from_wire_ = false;
};

// Parses one entry at the start of `wire`; returns octets consumed, 0 if malformed/truncated.
std::size_t parse_entry(ByteView wire, DestAddress& out) noexcept;
std::size_t parse_entry(ByteView wire, UnsuccessSme& out) noexcept;

template <class Entry>
void WireList<Entry>::iterator::load() noexcept {
    consumed_ = 0;
    if (list_ == nullptr || index_ >= list_->count_) return;
    if (!list_->from_wire_) {
        current_ = list_->entries_[index_];
        return;
    }
    if (offset_ > list_->wire_.size()) return;
    consumed_ = parse_entry(ByteView(list_->wire_.subspan(offset_)), current_);
}

using DestAddressList = WireList<DestAddress>;
using UnsuccessSmeList = WireList<UnsuccessSme>;

struct SubmitMulti {
    static constexpr CommandId command_id = CommandId::submit_multi;
    std::string_view service_type{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};
    DestAddressList dest_addresses{};  // number_of_dests = dest_addresses.size() (1..254)
    std::uint8_t esm_class = 0;
    std::uint8_t protocol_id = 0;
    std::uint8_t priority_flag = 0;
    std::string_view schedule_delivery_time{};
    std::string_view validity_period{};
    std::uint8_t registered_delivery = 0;
    std::uint8_t replace_if_present_flag = 0;
    std::uint8_t data_coding = 0;
    std::uint8_t sm_default_msg_id = 0;
    ByteView short_message{};
    TlvRange tlvs{};
    friend bool operator==(const SubmitMulti&, const SubmitMulti&) = default;
};

struct SubmitMultiResp {
    static constexpr CommandId command_id = CommandId::submit_multi_resp;
    std::string_view message_id{};
    UnsuccessSmeList unsuccess_smes{};  // no_unsuccess = unsuccess_smes.size()
    TlvRange tlvs{};
    friend bool operator==(const SubmitMultiResp&, const SubmitMultiResp&) = default;
};

// ---- data_sm ---------------------------------------------------------------------------------
struct DataSm {
    static constexpr CommandId command_id = CommandId::data_sm;
    std::string_view service_type{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};  // max 65
    std::uint8_t dest_addr_ton = 0;
    std::uint8_t dest_addr_npi = 0;
    std::string_view destination_addr{};  // max 65
    std::uint8_t esm_class = 0;
    std::uint8_t registered_delivery = 0;
    std::uint8_t data_coding = 0;
    TlvRange tlvs{};  // payload in message_payload
    friend bool operator==(const DataSm&, const DataSm&) = default;
};

// ---- query / cancel / replace ------------------------------------------------------------------
struct QuerySm {
    static constexpr CommandId command_id = CommandId::query_sm;
    std::string_view message_id{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};
    friend bool operator==(const QuerySm&, const QuerySm&) = default;
};

struct QuerySmResp {
    static constexpr CommandId command_id = CommandId::query_sm_resp;
    std::string_view message_id{};
    std::string_view final_date{};  // "" or 16 characters (12 accepted on decode)
    std::uint8_t message_state = 0;
    std::uint8_t error_code = 0;
    friend bool operator==(const QuerySmResp&, const QuerySmResp&) = default;
};

struct CancelSm {
    static constexpr CommandId command_id = CommandId::cancel_sm;
    std::string_view service_type{};
    std::string_view message_id{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};
    std::uint8_t dest_addr_ton = 0;
    std::uint8_t dest_addr_npi = 0;
    std::string_view destination_addr{};
    friend bool operator==(const CancelSm&, const CancelSm&) = default;
};

struct ReplaceSm {
    static constexpr CommandId command_id = CommandId::replace_sm;
    std::string_view message_id{};
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};
    std::string_view schedule_delivery_time{};
    std::string_view validity_period{};
    std::uint8_t registered_delivery = 0;
    std::uint8_t sm_default_msg_id = 0;
    ByteView short_message{};
    friend bool operator==(const ReplaceSm&, const ReplaceSm&) = default;
};

// ---- alert_notification (no response)
// ------------------------------------------------------------
struct AlertNotification {
    static constexpr CommandId command_id = CommandId::alert_notification;
    std::uint8_t source_addr_ton = 0;
    std::uint8_t source_addr_npi = 0;
    std::string_view source_addr{};  // max 65
    std::uint8_t esme_addr_ton = 0;
    std::uint8_t esme_addr_npi = 0;
    std::string_view esme_addr{};  // max 65
    TlvRange tlvs{};               // ms_availability_status
    friend bool operator==(const AlertNotification&, const AlertNotification&) = default;
};

using Body =
    std::variant<GenericNack, BindReceiver, BindReceiverResp, BindTransmitter, BindTransmitterResp,
                 QuerySm, QuerySmResp, SubmitSm, SubmitSmResp, DeliverSm, DeliverSmResp, Unbind,
                 UnbindResp, ReplaceSm, ReplaceSmResp, CancelSm, CancelSmResp, BindTransceiver,
                 BindTransceiverResp, Outbind, EnquireLink, EnquireLinkResp, SubmitMulti,
                 SubmitMultiResp, AlertNotification, DataSm, DataSmResp>;

namespace detail {
template <class B, class F, std::size_t... I>
void visit_body(B& body, F& f,
                std::index_sequence<I...>) noexcept((noexcept(f(*std::get_if<I>(&body))) && ...)) {
    (void)((body.index() == I ? (f(*std::get_if<I>(&body)), true) : false) || ...);
}
}  // namespace detail

// std::visit over a Body without the valueless_by_exception path (so it can be noexcept; a Body
// of trivially copyable views is never valueless).
template <class F>
void visit_body(const Body& body, F&& f) noexcept(
    noexcept(detail::visit_body(body, f, std::make_index_sequence<std::variant_size_v<Body>>{}))) {
    detail::visit_body(body, f, std::make_index_sequence<std::variant_size_v<Body>>{});
}

struct Pdu {
    Header header;
    Body body;

    // The body's command id (what encode() writes).
    [[nodiscard]] CommandId command_id() const noexcept {
        CommandId id = CommandId::generic_nack;
        visit_body(body,
                   [&id](const auto& b) noexcept { id = std::decay_t<decltype(b)>::command_id; });
        return id;
    }
    template <class B>
    [[nodiscard]] const B* get_if() const noexcept {
        return std::get_if<B>(&body);
    }
    template <class B>
    [[nodiscard]] B* get_if() noexcept {
        return std::get_if<B>(&body);
    }

    friend bool operator==(const Pdu&, const Pdu&) = default;
};

}  // namespace bindery::smpp
