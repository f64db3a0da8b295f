#pragma once
// What bindery-loadgen reads from the gateway for delivery callbacks (docs/http-api.md): the
// message ids of a 202 answer, the message id and state of a callback body, and the
// X-Bindery-Signature check. Every parser here takes outside bytes and never throws; the JSON is
// read with nlohmann's SAX interface (no document tree, no copies of the strings it skips).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::loadgen {

// A message id (UUID, 128 bits) as two words: cheap to hash and compare, no string per message.
struct MessageKey {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    friend bool operator==(const MessageKey&, const MessageKey&) = default;
};

struct MessageKeyHash {
    std::size_t operator()(const MessageKey& k) const noexcept {
        return static_cast<std::size_t>(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ULL));
    }
};

// The canonical 8-4-4-4-12 form, either case; nullopt on anything else.
[[nodiscard]] std::optional<MessageKey> parse_message_key(std::string_view text) noexcept;
[[nodiscard]] std::string to_string(const MessageKey& k);

// The states a callback can report: the final ones, SENT (`on_sent: true`), anything else.
enum class CallbackState : std::uint8_t {
    delivered,
    undeliverable,
    expired,
    rejected,
    failed_perm,
    dead_letter,
    cancelled,
    sent,
    other,
};
inline constexpr std::size_t kCallbackStateCount = 9;
// Upper case as in the body's "state" ("DELIVERED"); lower case as in X-Bindery-Event-Id.
[[nodiscard]] std::string_view to_string(CallbackState s) noexcept;
[[nodiscard]] CallbackState parse_callback_state(std::string_view text) noexcept;  // either case
[[nodiscard]] bool is_final(CallbackState s) noexcept;

// The message id and state of a callback body; nullopt when the body is not a JSON object with a
// string `message_id` in UUID form (a missing or unknown `state` reads as `other`).
struct CallbackFields {
    MessageKey id;
    CallbackState state = CallbackState::other;
};
[[nodiscard]] std::optional<CallbackFields> parse_callback_body(std::string_view body) noexcept;

// X-Bindery-Event-Id: "<message id>.<lower-case state>"; nullopt when malformed.
[[nodiscard]] std::optional<CallbackFields> parse_event_id(std::string_view header) noexcept;

// Appends the `id` of every entry of the 202 answer's `messages` list (recipients the gateway
// refused are in `rejected`, not there). False, and `out` as it was, when the body is not such a
// JSON object or an id is not a UUID.
bool parse_accepted_ids(std::string_view body, std::vector<MessageKey>& out) noexcept;

// X-Bindery-Signature "t=<unix seconds>,v1=<hex>" checked against the raw body: the HMAC over
// "<t>.<body>" compared in constant time, and t within `tolerance_s` of `now_unix` (replays).
// `scratch` is reused between calls (no allocation once it has grown).
enum class SignatureCheck : std::uint8_t { good, missing, malformed, mismatch, stale };
[[nodiscard]] SignatureCheck verify_signature(std::string_view secret, std::string_view header,
                                              std::string_view body, std::int64_t now_unix,
                                              std::string& scratch,
                                              std::int64_t tolerance_s = 300) noexcept;

}  // namespace bindery::loadgen
