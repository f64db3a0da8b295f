#pragma once
// Deliveries to the accounts of Bindery's SMPP server side (delivery receipts of messages ESMEs
// submitted, and mobile-originated messages routed to an account), as the front end's dispatcher
// (app/smpp_deliveries) sees them. The SQLite implementation (router/store/sqlite_smpp_outbox.hpp)
// keeps them in the messages database, so a delivery waiting for an ESME's receiver bind survives
// a restart or a kill -9. Receipts leave a trace in their message's history: queued, every failed
// attempt, delivered or given up.
//
// The deliver_sm itself is opaque here (`pdu`: its body as the front end encoded it): the router
// side knows nothing of the SMPP wire format. Errors are strings (the dispatcher logs them and
// tries again later); implementations are thread-safe and never throw.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

enum class SmppDeliveryKind : std::uint8_t { receipt, mo };
inline std::string_view to_string(SmppDeliveryKind k) noexcept {
    return k == SmppDeliveryKind::receipt ? "receipt" : "mo";
}

struct SmppDelivery {
    std::int64_t seq = 0;  // assigned by the outbox on enqueue (enqueue order)
    std::string account;   // the SMPP server account (system_id) it goes to
    SmppDeliveryKind kind = SmppDeliveryKind::receipt;
    std::optional<MessageId> message_id;           // receipt: the message it reports
    MessageState state = MessageState::delivered;  // receipt: the final state it reports
    std::string receipt_id;   // receipt: the id it reports (the message's, or a part id)
    std::string source_addr;  // as in the deliver_sm (for operators and logs)
    std::string destination_addr;
    std::string pdu;             // the deliver_sm body, opaque here
    std::uint32_t attempts = 0;  // deliver_sm sent so far and not acknowledged
    SystemTime created_at{};
    SystemTime next_attempt_at{};
    SystemTime expires_at{};  // given up when still here at that time
    std::string last_error;
};

enum class SmppDeliveryVerdict : std::uint8_t {
    delivered,  // the ESME answered ESME_ROK: removed
    retry,      // failed; next attempt at `next_attempt_at`
    gave_up,    // the ESME refused it for good: removed
};

struct SmppDeliveryAttempt {
    std::int64_t seq = 0;
    std::uint32_t attempts = 0;  // the entry's attempts after this one
    SystemTime at{};
    SmppDeliveryVerdict verdict = SmppDeliveryVerdict::retry;
    std::string detail;            // "ESME_ROK", "ESME_RX_T_APPN", "no response", ...
    SystemTime next_attempt_at{};  // retry only
};

// A message in a final state that asked for an SMPP receipt and has none queued (the scan that
// closes the window between a final state's commit and its receipt's enqueue).
struct ReceiptCandidate {
    MessageId id;
    SystemTime updated_at{};
};

class SmppOutbox {
public:
    virtual ~SmppOutbox() = default;

    // Stores the deliveries in one transaction; returns their seqs (0 for a receipt skipped
    // because one is already queued or was sent for that message, state and receipt_id:
    // enqueueing a receipt is idempotent). Each stored receipt appends "queued" to its message's
    // history. The receipts of one transition belong in one call (all or none stored).
    virtual Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const SmppDelivery> items) = 0;
    // Up to `limit` deliveries of `account` due at `now`, in enqueue order, skipping `skip` (in
    // flight).
    virtual Expected<std::vector<SmppDelivery>, std::string> due(
        std::string_view account, SystemTime now, std::size_t limit,
        std::span<const std::int64_t> skip) = 0;
    // Records attempts (one transaction): delivered/gave_up remove the entry, retry reschedules
    // it; receipts get a history event each. Unknown seqs (already removed) are skipped.
    virtual Expected<void, std::string> record(std::span<const SmppDeliveryAttempt> attempts) = 0;
    // Removes up to `limit` deliveries whose expires_at <= now, skipping `skip` (in flight), and
    // returns them; receipts get a "given up" history event. One transaction.
    virtual Expected<std::vector<SmppDelivery>, std::string> expire(
        SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) = 0;
    // The earliest expires_at, if any.
    virtual Expected<std::optional<SystemTime>, std::string> next_expiry() = 0;
    // Deliveries waiting, by account and kind.
    virtual Expected<std::map<std::pair<std::string, SmppDeliveryKind>, std::uint64_t>, std::string>
    pending() = 0;

    // Final-state messages updated at or after `since` (and after `after` in (updated_at, id)
    // order) whose tags contain `tag_prefix` and whose history has no receipt entry for their
    // state; at most `limit`, in (updated_at, id) order.
    virtual Expected<std::vector<ReceiptCandidate>, std::string> unreceipted(
        SystemTime since, std::optional<ReceiptCandidate> after, std::string_view tag_prefix,
        std::size_t limit) = 0;
    // The scan watermark: every final transition older than it has its receipt queued.
    virtual Expected<std::optional<SystemTime>, std::string> receipts_scanned_to() = 0;
    virtual Expected<void, std::string> set_receipts_scanned_to(SystemTime t) = 0;
};

}  // namespace bindery::router
