#include "router/api/types.hpp"

#include <cstring>

#include "router/api/gateway_api.hpp"

namespace bindery::router {
namespace {

constexpr std::string_view kStateNames[kMessageStateCount] = {
    "ACCEPTED", "QUEUED",   "SENDING",     "SENT",        "DELIVERED",   "UNDELIVERABLE",
    "EXPIRED",  "REJECTED", "FAILED_TEMP", "FAILED_PERM", "DEAD_LETTER", "CANCELLED",
};

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::uint64_t MessageId::unix_millis() const noexcept {
    std::uint64_t ms = 0;
    for (std::size_t i = 0; i < 6; ++i) ms = (ms << 8) | bytes_[i];
    return ms;
}

std::string MessageId::to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[bytes_[i] >> 4]);
        out.push_back(kHex[bytes_[i] & 0x0F]);
    }
    return out;
}

std::optional<MessageId> MessageId::parse(std::string_view text) noexcept {
    if (text.size() != 36) return std::nullopt;
    Bytes bytes{};
    std::size_t b = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            ++i;
            continue;
        }
        const int hi = hex_value(text[i]);
        const int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes[b++] = static_cast<std::uint8_t>((hi << 4) | lo);
        i += 2;
    }
    return MessageId(bytes);
}

std::size_t MessageIdHash::operator()(const MessageId& id) const noexcept {
    // Both halves mixed (the tail is random in a UUIDv7, the head the time), two multiplies
    // instead of FNV-1a's sixteen dependent ones: the router hashes ids several times per message.
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    std::memcpy(&head, id.bytes().data(), 8);
    std::memcpy(&tail, id.bytes().data() + 8, 8);
    std::uint64_t h = (head * 0x9E3779B97F4A7C15ULL) ^ tail;
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return static_cast<std::size_t>(h);
}

std::string_view to_string(Priority p) noexcept {
    switch (p) {
        case Priority::express: return "express";
        case Priority::normal: return "normal";
        case Priority::bulk: return "bulk";
    }
    return "normal";
}

std::optional<Priority> parse_priority(std::string_view text) noexcept {
    if (text == "express" || text == "alert") return Priority::express;
    if (text == "normal") return Priority::normal;
    if (text == "bulk") return Priority::bulk;
    return std::nullopt;
}

std::string_view to_string(MessageState s) noexcept {
    const auto i = static_cast<std::size_t>(s);
    return i < kMessageStateCount ? kStateNames[i] : std::string_view("UNKNOWN");
}

std::optional<MessageState> parse_message_state(std::string_view text) noexcept {
    for (std::size_t i = 0; i < kMessageStateCount; ++i) {
        if (kStateNames[i] == text) return static_cast<MessageState>(i);
    }
    return std::nullopt;
}

bool is_final(MessageState s) noexcept {
    switch (s) {
        case MessageState::delivered:
        case MessageState::undeliverable:
        case MessageState::expired:
        case MessageState::rejected:
        case MessageState::failed_perm:
        case MessageState::dead_letter:
        case MessageState::cancelled: return true;
        case MessageState::accepted:
        case MessageState::queued:
        case MessageState::sending:
        case MessageState::sent:
        case MessageState::failed_temp: return false;
    }
    return false;
}

std::string_view to_string(TextEncoding e) noexcept {
    switch (e) {
        case TextEncoding::gsm7: return "gsm7";
        case TextEncoding::ucs2: return "ucs2";
        case TextEncoding::latin1: return "latin1";
        case TextEncoding::ia5: return "ia5";
        case TextEncoding::binary: return "binary";
    }
    return "gsm7";
}

std::optional<TextEncoding> parse_text_encoding(std::string_view text) noexcept {
    for (auto e : {TextEncoding::gsm7, TextEncoding::ucs2, TextEncoding::latin1, TextEncoding::ia5,
                   TextEncoding::binary}) {
        if (to_string(e) == text) return e;
    }
    return std::nullopt;
}

std::string_view to_string(SubmitErrc e) noexcept {
    switch (e) {
        case SubmitErrc::invalid_destination: return "invalid_destination";
        case SubmitErrc::invalid_sender: return "invalid_sender";
        case SubmitErrc::invalid_text: return "invalid_text";
        case SubmitErrc::invalid_request: return "invalid_request";
        case SubmitErrc::backlog_full: return "backlog_full";
        case SubmitErrc::unavailable: return "unavailable";
        case SubmitErrc::insufficient_credit: return "insufficient_credit";
    }
    return "invalid_request";
}

std::string_view to_string(ChangeErrc e) noexcept {
    switch (e) {
        case ChangeErrc::not_found: return "not_found";
        case ChangeErrc::with_carrier: return "with_carrier";
        case ChangeErrc::final: return "final";
        case ChangeErrc::unavailable: return "unavailable";
    }
    return "unavailable";
}

Expected<MessageStatus, ChangeError> GatewayApi::cancel(
    const MessageId& /*id*/, std::optional<std::string_view> /*client*/) {
    return Unexpected(ChangeError{ChangeErrc::unavailable, "cancelling is not supported here", {}});
}

Expected<CreditBalance, QueryError> GatewayApi::balance(std::string_view /*client*/) {
    return Unexpected(QueryError{QueryErrc::unavailable, "credits are not supported here"});
}

Expected<CreditBalance, QueryError> GatewayApi::add_credit(std::string_view, std::int64_t,
                                                           std::string) {
    return Unexpected(QueryError{QueryErrc::unavailable, "credits are not supported here"});
}

Expected<std::vector<CreditLedgerEntry>, QueryError> GatewayApi::credit_ledger(std::string_view,
                                                                               std::uint64_t,
                                                                               std::uint32_t) {
    return Unexpected(QueryError{QueryErrc::unavailable, "credits are not supported here"});
}

}  // namespace bindery::router
