#pragma once
// The router's message model: what is stored, recovered and moved through the lifecycle.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/api/types.hpp"

namespace bindery::router {

// What a segment's carrier verdict is; receipts update it.
enum class SegmentState : std::uint8_t { pending, delivered, expired, undeliverable, rejected };
std::string_view to_string(SegmentState s) noexcept;

struct Segment {
    std::string provider_id;  // as the provider reported it (submit_sm_resp id, Kavenegar id)
    SegmentState state = SegmentState::pending;
    std::string error;  // carrier error code from the receipt ("err:" / network_error_code)
};

struct Message {
    MessageId id;
    std::string client;
    std::string sender;
    std::string destination;  // E.164
    std::string region;       // ISO 3166 region of the destination ("IR"), "" if unknown
    std::string text;         // UTF-8
    TextEncoding encoding = TextEncoding::gsm7;  // acceptance estimate
    std::uint32_t segments_estimate = 1;         // acceptance estimate
    // Credit cost in minor units (segments x price, router/core/credits.hpp), fixed at acceptance;
    // held from a metered client's balance by the store.
    std::int64_t charge = 0;
    std::optional<TextEncoding> forced_encoding;  // the client's choice, passed to the provider
    Priority priority = Priority::normal;
    std::vector<std::string> tags;
    std::string client_ref;
    std::string callback_url;

    MessageState state = MessageState::accepted;
    std::uint32_t attempts = 0;     // submissions handed to a provider
    std::string provider;           // provider of the last attempt
    std::vector<Segment> segments;  // per-segment provider ids, from the last successful attempt
    std::string last_error;

    SystemTime accepted_at{};
    SystemTime updated_at{};
    SystemTime expires_at{};                    // validity end
    std::optional<SystemTime> schedule_at;      // not before
    std::optional<SystemTime> next_attempt_at;  // retry time while FAILED_TEMP

    std::uint32_t cost() const noexcept { return segments_estimate == 0 ? 1 : segments_estimate; }
};

// One recorded transition; the store keeps them as the message's history.
struct MessageEvent {
    MessageId id;
    MessageState from = MessageState::accepted;
    MessageState to = MessageState::accepted;
    SystemTime at{};
    std::uint32_t attempt = 0;
    std::string provider;
    std::string detail;  // error text, receipt summary, reason
};

}  // namespace bindery::router
