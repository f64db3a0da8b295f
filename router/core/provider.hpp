#pragma once
// The one interface the SMPP bind pool and the HTTP providers (Kavenegar, generic HTTP) implement.
// The router never sees a PDU or an HTTP request: it hands over UTF-8 text and gets back outcomes
// and receipts in its own vocabulary.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/api/types.hpp"

namespace bindery::router {

struct OutboundMessage {
    MessageId id;
    std::string client;
    std::string sender;
    std::string destination;  // E.164 ("+" and digits); the provider applies its TON/NPI rules
    std::string text;         // UTF-8; the provider picks encoding and segmentation...
    std::optional<TextEncoding> encoding;  // ...unless the client forced one
    Priority priority = Priority::normal;
    SystemTime expires_at{};  // validity end, for validity_period / TTL fields
    bool want_receipt = true;
    std::uint32_t attempt = 1;  // 1-based
};

// Why a send failed, in the provider's terms. The router classifies it with the StatusMap of the
// provider's kind (see error_class.hpp).
enum class SendErrorKind : std::uint8_t {
    timeout,         // no response within the provider's deadline
    connection,      // link lost / not bound before a response
    throttled,       // the provider asked us to slow down (ESME_RTHROTTLED, HTTP 429)
    status,          // the provider answered with a status code: see `code`
    rejected_local,  // the provider refused before sending (e.g. text cannot be encoded)
    not_sent,        // handed back untried (bind closed before the PDU was written): requeued,
                     // not counted as an attempt
};

struct SendError {
    SendErrorKind kind = SendErrorKind::status;
    std::int64_t code = 0;  // command_status, HTTP status or Kavenegar return.status
    std::string text;
};

struct SendResult {
    // One provider id per segment on success (a provider without per-segment ids returns one).
    std::vector<std::string> segment_ids;
    std::optional<SendError> error;  // absent: accepted by the provider
    bool ok() const noexcept { return !error.has_value(); }
};

// Carrier verdict carried by a receipt, already mapped from stat:/message_state/Kavenegar status.
enum class ReceiptStatus : std::uint8_t {
    enroute,
    accepted,
    delivered,
    expired,
    deleted,
    undeliverable,
    unknown,
    rejected,
};
std::string_view to_string(ReceiptStatus s) noexcept;

// How a receipt's provider_id is matched against the ids the provider reported for segments.
enum class ReceiptIdMatch : std::uint8_t {
    // The id, then its hex->decimal and decimal->hex readings (provider_id_keys): for providers
    // that do not know how their receipt ids relate to their send ids. Ambiguous: "10" also finds
    // a segment sent as "16" or "a" when none was sent as "10".
    any_reading,
    // The id as written, up to blanks, letter case and leading zeros (provider_id_key): the
    // provider has already put it in the form its send result reported.
    exact,
};

struct Receipt {
    std::string provider;     // the provider's name()
    std::string provider_id;  // the id the receipt refers to (one segment)
    ReceiptStatus status = ReceiptStatus::unknown;
    std::string error;  // carrier error code, "" when none
    std::optional<SystemTime> done_at;
    // Optional: called exactly once (from the sink's thread, e.g. the router's poll) when the
    // sink is done with the receipt: `recorded` true once the state change it caused is durable,
    // false when it changed nothing (intermediate, duplicate, unknown id after the hold). Not
    // called while the store cannot take it (the sink retries). A provider answers the carrier
    // (deliver_sm_resp) from here, so an acknowledged receipt is never lost to a crash.
    std::function<void(bool recorded)> settled;
    ReceiptIdMatch id_match = ReceiptIdMatch::any_reading;  // how provider_id is matched
};

struct ProviderHealth {
    bool connected = false;  // at least one bind/connection usable
    std::uint32_t inflight = 0;
    std::uint32_t capacity = 0;  // free send slots right now (window room, TPS budget)
};

// Where providers deliver receipts. Callable from any thread. The sink calls Receipt::settled, if
// set, exactly once (see Receipt).
class ReceiptSink {
public:
    virtual ~ReceiptSink() = default;
    virtual void on_receipt(Receipt receipt) = 0;
};

class Provider {
public:
    virtual ~Provider() = default;
    // Stable, unique among providers; used in routes, stored with messages and receipts.
    virtual std::string_view name() const = 0;
    // The StatusMap kind its error codes belong to: "smpp", "kavenegar", "http".
    virtual std::string_view kind() const = 0;
    // Can take a send now (bound, window/TPS room). Cheap; called per dispatch.
    virtual bool ready() const = 0;
    virtual ProviderHealth health() const = 0;
    // Calls `done` exactly once, possibly before returning, possibly from another thread.
    virtual void send(OutboundMessage message, std::function<void(SendResult)> done) = 0;
};

}  // namespace bindery::router
