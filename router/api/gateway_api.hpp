#pragma once
// The one interface the front ends (HTTP API, Alertmanager receiver, SMPP server side) see.
// They build SubmitRequests from their own wire formats and map the typed results back:
//   SubmitErrc::backlog_full        -> HTTP 429 (Retry-After) / ESME_RMSGQFUL
//   SubmitErrc::invalid_destination -> HTTP 422 / ESME_RINVDSTADR
//   SubmitErrc::invalid_sender      -> HTTP 422 / ESME_RINVSRCADR
//   SubmitErrc::invalid_text        -> HTTP 422 / ESME_RINVMSGLEN
//   SubmitErrc::invalid_request     -> HTTP 400 / ESME_RINVPARLEN (or the closest field error)
//   SubmitErrc::unavailable         -> HTTP 503 / ESME_RSYSERR
//   SubmitErrc::insufficient_credit -> HTTP 402 / ESME_RSUBMITFAIL (nothing of the batch stored)

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct SubmitRequest {
    std::string client;       // authenticated client (account) name
    std::string sender;       // alphanumeric or numeric source address, as given
    std::string destination;  // as given; normalized to E.164 at acceptance
    std::string text;         // UTF-8; the provider chooses encoding and segmentation
    Priority priority = Priority::normal;
    std::optional<std::chrono::seconds> validity;  // default from config when absent
    std::optional<SystemTime> schedule_at;         // not before this time
    std::string client_ref;         // the client's own reference, echoed in status and callbacks
    std::string callback_url;       // delivery callbacks (empty: none)
    std::vector<std::string> tags;  // free-form labels routing rules may match
    // Force an encoding (the client asked for gsm7 or ucs2); absent: the provider chooses.
    std::optional<TextEncoding> encoding;
};

enum class SubmitErrc : std::uint8_t {
    invalid_destination,
    invalid_sender,
    invalid_text,
    invalid_request,
    backlog_full,
    unavailable,
    insufficient_credit,  // the client's prepaid balance cannot cover the batch
};
std::string_view to_string(SubmitErrc e) noexcept;

struct SubmitError {
    SubmitErrc code = SubmitErrc::invalid_request;
    std::string reason;  // human readable, safe to return to the client
    // For backlog_full: a hint for Retry-After.
    std::optional<std::chrono::seconds> retry_after;
};

struct SubmitAccepted {
    MessageId id;
    std::string destination;                     // E.164, "+" and digits
    TextEncoding encoding = TextEncoding::gsm7;  // estimate made at acceptance
    std::uint32_t segments = 1;                  // estimate made at acceptance
    // Credit cost in minor units (segments x price), held from a metered client's balance;
    // computed (and reported) for unlimited clients too.
    std::int64_t cost = 0;
};

using SubmitOutcome = Expected<SubmitAccepted, SubmitError>;

struct StatusEvent {
    MessageState from = MessageState::accepted;
    MessageState to = MessageState::accepted;
    SystemTime at{};
    std::string provider;
    std::string detail;
};

struct MessageStatus {
    MessageId id;
    MessageState state = MessageState::accepted;
    std::string client;
    std::string sender;
    std::string destination;
    std::string client_ref;
    Priority priority = Priority::normal;
    std::uint32_t segments = 1;
    std::uint32_t attempts = 0;
    std::string provider;
    std::string last_error;
    // The carrier's error code of the first failed segment (a receipt's "err:" or
    // network_error_code), "" when none.
    std::string carrier_error;
    SystemTime accepted_at{};
    SystemTime updated_at{};
    std::vector<StatusEvent> history;  // filled by status(), left empty by list()
};

enum class QueryErrc : std::uint8_t { not_found, invalid_query, unavailable };
struct QueryError {
    QueryErrc code = QueryErrc::not_found;
    std::string reason;
};

struct MessageQuery {
    std::optional<std::string> client;
    std::optional<MessageState> state;
    std::optional<std::string> destination;  // E.164
    std::optional<std::string> client_ref;
    std::optional<SystemTime> accepted_from;  // inclusive
    std::optional<SystemTime> accepted_to;    // exclusive
    std::optional<MessageId> after;           // cursor: the last id of the previous page
    std::uint32_t limit = 100;
};

struct MessagePage {
    std::vector<MessageStatus> messages;  // ascending by id (acceptance time)
    std::optional<MessageId> next;        // absent on the last page
};

// Why a message could not be cancelled (or replaced).
//   ChangeErrc::not_found    -> HTTP 404 / ESME_RINVMSGID (unknown id, or another client's)
//   ChangeErrc::with_carrier -> HTTP 409 / ESME_RCANCELFAIL, ESME_RREPLACEFAIL (SENDING or SENT:
//                               a carrier has it; nothing can take it back)
//   ChangeErrc::final        -> HTTP 409 / the same (already in a final state)
//   ChangeErrc::unavailable  -> HTTP 503 / ESME_RSYSERR
enum class ChangeErrc : std::uint8_t { not_found, with_carrier, final, unavailable };
std::string_view to_string(ChangeErrc e) noexcept;

struct ChangeError {
    ChangeErrc code = ChangeErrc::not_found;
    std::string reason;                 // human readable, safe to return to the client
    std::optional<MessageState> state;  // the message's state when it was refused (if known)
};

// A client's prepaid credit (router/core/credits.hpp). Amounts in minor units.
struct CreditBalance {
    std::string client;
    bool metered = false;      // false: unlimited (no account); balance and held are 0
    std::int64_t balance = 0;  // available for new messages
    std::int64_t held = 0;     // held by messages not yet captured or released
    std::string capture;       // "sent" or "delivered" (metered clients)
    std::string currency;      // label from the configuration, "" when unnamed
};

// One ledger entry of a client's credit, oldest first (kind: topup, hold, capture, release).
struct CreditLedgerEntry {
    std::uint64_t seq = 0;
    std::string kind;
    std::int64_t amount = 0;
    std::optional<MessageId> message;  // absent for top-ups
    SystemTime at{};
    std::string note;
};

struct Backpressure {
    bool accepting = true;
    std::uint64_t backlog = 0;  // messages waiting to be sent
    std::uint64_t limit = 0;
};

class GatewayApi {
public:
    virtual ~GatewayApi() = default;

    // One outcome per request, in order. A batch is stored in one group commit; a request that
    // fails validation does not fail the others.
    virtual std::vector<SubmitOutcome> submit(std::span<const SubmitRequest> batch) = 0;
    // `client` set: only that client's messages are visible (others read as not_found).
    virtual Expected<MessageStatus, QueryError> status(const MessageId& id,
                                                       std::optional<std::string_view> client) = 0;
    virtual Expected<MessagePage, QueryError> list(const MessageQuery& query) = 0;
    // Cancels a message no carrier has been handed yet (ACCEPTED, QUEUED, scheduled, or
    // FAILED_TEMP waiting for a retry): it becomes CANCELLED, final, in one store transaction
    // that also releases its credit hold; returns its status then. `client` set: only that
    // client's messages (others read as not_found). Race rule with the dispatcher: both decide
    // under the router's lock and the first one wins; a message dispatch picked is SENDING
    // (with_carrier) and is never sent after a successful cancel. Default: unavailable.
    virtual Expected<MessageStatus, ChangeError> cancel(const MessageId& id,
                                                        std::optional<std::string_view> client);
    // Cheap; front ends may call it per request to refuse early.
    virtual Backpressure backpressure() const = 0;
    // The client's credit. Default: unavailable (a gateway without credit support).
    virtual Expected<CreditBalance, QueryError> balance(std::string_view client);
    // Operator calls (the admin endpoint), defaults unavailable: a top-up (negative amount: a
    // correction; invalid_query when the balance would fall below zero), creating the client's
    // account when it had none; and the ledger after `after_seq`, at most `limit` entries.
    virtual Expected<CreditBalance, QueryError> add_credit(std::string_view client,
                                                           std::int64_t amount, std::string note);
    virtual Expected<std::vector<CreditLedgerEntry>, QueryError> credit_ledger(
        std::string_view client, std::uint64_t after_seq, std::uint32_t limit);
};

}  // namespace bindery::router
