#pragma once
// SMPP delivery receipts (3.4 Appendix B text and what carriers actually send): parse to a typed
// Receipt, build the canonical text (SMPP server side, simulator), match message ids across
// hex/decimal forms. Never throws on input: parse returns Expected<Receipt, ReceiptError>.
//
//   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD
//   err:EEE text:...
//
// Accepted variations: labels in any case and order, `submit_date` / `done_date`, extra spaces
// (also around ':'), missing fields, 10/12/14-digit dates, full-word states (DELIVERED, FAILED...),
// trailing NULs/whitespace. `text:` runs to the end of the input (it may contain colons and even
// other labels). TLVs (receipted_message_id, message_state, network_error_code) win over the text.

#include "smpp/base/expected.hpp"
#include "smpp/codec/network_error_code.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bindery::smpp {

// SMPP message_state (TLV 0x0427) values.
enum class MessageState : std::uint8_t {
    scheduled = 0,  // 5.0
    enroute = 1,
    delivered = 2,
    expired = 3,
    deleted = 4,
    undeliverable = 5,
    accepted = 6,
    unknown = 7,
    rejected = 8,
    skipped = 9,  // 5.0
};

[[nodiscard]] std::string_view to_string(MessageState s) noexcept;  // "DELIVERED", ...
// The 7-letter receipt `stat:` word: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN,
// REJECTD, ENROUTE, SCHEDUL(5.0), SKIPPED(5.0).
[[nodiscard]] std::string_view stat_text(MessageState s) noexcept;
// A `stat:` word (any case, abbreviated or full, a few carrier synonyms, or a digit) -> state.
[[nodiscard]] std::optional<MessageState> parse_stat(std::string_view word) noexcept;
[[nodiscard]] constexpr bool is_final(MessageState s) noexcept {
    return s != MessageState::scheduled && s != MessageState::enroute;
}

// A receipt date: SMSC local time without zone; two-digit years are 20YY.
struct ReceiptDate {
    std::uint16_t year = 2000;
    std::uint8_t month = 1, day = 1, hour = 0, minute = 0;
    std::optional<std::uint8_t> second;  // absent in the 10-digit form
    friend bool operator==(const ReceiptDate&, const ReceiptDate&) = default;
};
// YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss; fields range-checked.
[[nodiscard]] std::optional<ReceiptDate> parse_receipt_date(std::string_view digits) noexcept;
// 10 or 12 digits (14 when the year is outside 2000-2099).
[[nodiscard]] std::string format_receipt_date(const ReceiptDate& d);
// `t` in UTC to the minute (the 10-digit YYMMDDhhmm form an SMSC writes).
[[nodiscard]] ReceiptDate receipt_date(std::chrono::system_clock::time_point t) noexcept;

// The receipt-related TLVs of the deliver_sm / data_sm, as plain values.
struct ReceiptTlvs {
    std::optional<std::string_view> receipted_message_id;
    std::optional<std::uint8_t> message_state;
    std::optional<NetworkErrorCode> network_error_code;
};

struct Receipt {
    std::string id;                      // as sent (text or receipted_message_id TLV)
    std::optional<std::uint32_t> sub;    // messages submitted
    std::optional<std::uint32_t> dlvrd;  // messages delivered
    std::optional<ReceiptDate> submit_date;
    std::optional<ReceiptDate> done_date;
    MessageState state = MessageState::unknown;
    std::string stat;  // the stat word as sent ("" when from the TLV only)
    std::string err;   // err value as sent ("000", "0x1A", ...), "" if absent
    std::optional<NetworkErrorCode> network_error;  // from the TLV
    std::string text;                               // "" if absent
    bool id_from_tlv = false;
    bool state_from_tlv = false;
    friend bool operator==(const Receipt&, const Receipt&) = default;

    // The error as a number: the TLV's code when present, else err read as decimal (or hex with a
    // 0x prefix or hex letters).
    [[nodiscard]] std::optional<std::uint32_t> error_code() const noexcept;
};

enum class ReceiptErrc : std::uint8_t {
    empty = 1,      // nothing but whitespace/NULs
    not_a_receipt,  // no receipt label at all, and no TLV id/state
    missing_id,     // no usable id (text or TLV)
    missing_state,  // no recognisable stat and no usable message_state TLV
};

[[nodiscard]] std::string_view to_string(ReceiptErrc e) noexcept;

struct ReceiptError {
    ReceiptErrc code = ReceiptErrc::empty;
    friend bool operator==(const ReceiptError&, const ReceiptError&) = default;
};

[[nodiscard]] Expected<Receipt, ReceiptError> parse_receipt(std::string_view text,
                                                            const ReceiptTlvs& tlvs = {});

// Canonical Appendix B text: every present field in spec order, text last ("text:" always).
// stat is `Receipt::stat` when it maps to `state`, else stat_text(state); sub/dlvrd 3 digits.
// `text` goes out as given: an SMSC sets it to receipt_text_of(the message's text). The TLVs
// that go with it: make_receipt_tlvs (smpp/codec/build.hpp).
[[nodiscard]] std::string build_receipt(const Receipt& r);

// Appendix B's `text:` is the first 20 characters of the message.
inline constexpr std::size_t kReceiptTextCharacters = 20;
// The first `characters` characters (code points) of UTF-8 `text`: never cut inside a multi-byte
// sequence, as a cut at 20 octets would. An octet that does not begin a well-formed sequence
// counts as one character.
[[nodiscard]] std::string_view receipt_text_of(
    std::string_view text, std::size_t characters = kReceiptTextCharacters) noexcept;

// Message ids across forms: submit_sm_resp and receipt may disagree (hex vs decimal, leading
// zeros, letter case).
struct MessageIdForms {
    std::string as_is;
    std::string normalized;  // lower case, leading zeros stripped ("0" if all zeros)
    std::optional<std::string> hex_as_decimal;  // id read as hex, printed in decimal
    std::optional<std::string> decimal_as_hex;  // id read as decimal, printed in lower-case hex
};
[[nodiscard]] MessageIdForms normalize_message_id(std::string_view id);
// True when the ids are equal after normalisation or one's hex reading equals the other's decimal.
[[nodiscard]] bool message_ids_match(std::string_view a, std::string_view b);

}  // namespace bindery::smpp
