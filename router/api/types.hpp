#pragma once
// Vocabulary shared by the front ends and the router core: message ids, priorities, states,
// encodings. No I/O, no third-party headers.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bindery::router {

// Stored timestamps are wall-clock; protocol timers use bindery::Clock (steady).
using SystemClock = std::chrono::system_clock;
using SystemTime = SystemClock::time_point;

// A 128-bit, time-ordered id (RFC 9562 UUIDv7): 48-bit Unix milliseconds, version 7, 12 bits of
// sub-millisecond sequence, variant 10, 62 random bits. Byte order equals time order, so ids sort
// by acceptance time in any store.
class MessageId {
public:
    using Bytes = std::array<std::uint8_t, 16>;

    constexpr MessageId() noexcept = default;
    constexpr explicit MessageId(const Bytes& bytes) noexcept : bytes_(bytes) {}

    constexpr const Bytes& bytes() const noexcept { return bytes_; }
    constexpr bool is_nil() const noexcept {
        for (auto b : bytes_) {
            if (b != 0) return false;
        }
        return true;
    }
    // Milliseconds since the Unix epoch encoded in a UUIDv7.
    std::uint64_t unix_millis() const noexcept;

    // Canonical lower-case 8-4-4-4-12 form.
    std::string to_string() const;
    // Accepts the canonical form (either case); nullopt on anything else.
    static std::optional<MessageId> parse(std::string_view text) noexcept;

    friend constexpr auto operator<=>(const MessageId&, const MessageId&) noexcept = default;

private:
    Bytes bytes_{};
};

struct MessageIdHash {
    std::size_t operator()(const MessageId& id) const noexcept;
};

// Lanes: express (alerts) before normal before bulk.
enum class Priority : std::uint8_t { express = 0, normal = 1, bulk = 2 };
inline constexpr std::size_t kPriorityCount = 3;

std::string_view to_string(Priority p) noexcept;
// "express", "alert" (alias of express), "normal", "bulk"; case-sensitive.
std::optional<Priority> parse_priority(std::string_view text) noexcept;

// Lifecycle (docs/router.md has the diagram):
//   ACCEPTED -> QUEUED -> SENDING -> SENT -> DELIVERED | UNDELIVERABLE | EXPIRED | REJECTED
//   SENDING -> FAILED_TEMP -> QUEUED (retry) | DEAD_LETTER;  SENDING -> FAILED_PERM
//   ACCEPTED | QUEUED | FAILED_TEMP -> CANCELLED (the client cancelled it before any carrier had
//   it)
// DELIVERED, UNDELIVERABLE, EXPIRED, REJECTED come from the carrier (receipts); FAILED_PERM and
// DEAD_LETTER are the router's own verdicts; CANCELLED is the client's (GatewayApi::cancel).
// New states go at the end: the numbering is stable.
enum class MessageState : std::uint8_t {
    accepted,
    queued,
    sending,
    sent,
    delivered,
    undeliverable,
    expired,
    rejected,
    failed_temp,
    failed_perm,
    dead_letter,
    cancelled,
};
inline constexpr std::size_t kMessageStateCount = 12;

// Upper-case names ("QUEUED", "FAILED_TEMP", ...), stable: stored and shown to clients.
std::string_view to_string(MessageState s) noexcept;
std::optional<MessageState> parse_message_state(std::string_view text) noexcept;
// No transition leaves a final state.
bool is_final(MessageState s) noexcept;

// ia5 (data_coding 1) and binary (data_coding 4, the UTF-8 octets) are chosen by a carrier's
// settings (allow_ia5, default_alphabet, force_alphabet); a client forces gsm7 or ucs2 only.
enum class TextEncoding : std::uint8_t { gsm7, ucs2, latin1, ia5, binary };
std::string_view to_string(TextEncoding e) noexcept;
// "gsm7", "ucs2", "latin1", "ia5", "binary".
std::optional<TextEncoding> parse_text_encoding(std::string_view text) noexcept;

}  // namespace bindery::router
