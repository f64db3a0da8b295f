#pragma once
// Prepaid credit: what a message costs, and which lifecycle transitions move a client's money.
// Amounts are integer minor units (no floating point money). A client with a credit account is
// metered: acceptance holds the message's charge (refused when the balance is short), the hold is
// captured when the message reaches SENT or DELIVERED (per account), and released when it ends in
// a permanent failure. Clients without an account are unlimited (their charge is still computed
// and reported). Every move happens in the store, in the transaction of the state change it
// belongs to (MessageStore; docs/credits.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/api/types.hpp"

namespace bindery::router {

using CreditAmount = std::int64_t;  // minor units

// When a hold becomes spent money.
enum class CaptureOn : std::uint8_t {
    sent,       // the carrier accepted the submit (SENDING -> SENT)
    delivered,  // the receipt said DELIVERED; SENT then UNDELIVERABLE/EXPIRED/REJECTED releases
};
std::string_view to_string(CaptureOn c) noexcept;
std::optional<CaptureOn> parse_capture_on(std::string_view text) noexcept;

// A ledger entry's kind: money added by an operator (or the configured initial balance), held at
// acceptance, captured (spent), or released (given back).
enum class CreditKind : std::uint8_t { topup, hold, capture, release };
std::string_view to_string(CreditKind k) noexcept;
std::optional<CreditKind> parse_credit_kind(std::string_view text) noexcept;

enum class CreditAction : std::uint8_t { none, capture, release };

// What a transition into `to` does to a message's open hold under `capture`. Only the state
// reached matters: a hold is closed at most once (the store clears it), so later transitions of
// the same message find nothing to move.
//   SENT: capture when capture == sent; DELIVERED: capture; UNDELIVERABLE, EXPIRED, REJECTED,
//   FAILED_PERM, DEAD_LETTER, CANCELLED: release; everything else: none.
CreditAction credit_action(MessageState to, CaptureOn capture) noexcept;

struct CreditAccount {
    std::string client;
    CreditAmount balance = 0;  // available for new holds
    CreditAmount held = 0;     // sum of open holds
    CaptureOn capture = CaptureOn::delivered;
    SystemTime updated_at{};
};

struct CreditEntry {
    std::uint64_t seq = 0;  // ledger order
    std::string client;
    std::optional<MessageId> message;  // absent for top-ups
    CreditKind kind = CreditKind::hold;
    CreditAmount amount = 0;  // positive; a top-up may be negative (a correction)
    SystemTime at{};
    std::string note;
};

// Prices per segment: the longest matching destination prefix wins, then the route's price, then
// the default.
struct PriceRule {
    std::string prefix;  // E.164 with '+' ("+98912"); empty in a route rule
    std::string route;   // route name; empty in a prefix rule
    CreditAmount price = 0;
};

struct CreditConfig {
    CreditAmount default_price = 1;  // per segment
    std::vector<PriceRule> prices;
    std::string currency;  // label reported with balances ("IRR"); "" when unnamed
    CaptureOn capture = CaptureOn::delivered;  // for accounts created without their own
};

class PriceTable {
public:
    PriceTable() = default;
    explicit PriceTable(CreditConfig config);

    // Price of one segment to `destination` (E.164) over `route` ("" when none).
    CreditAmount price(std::string_view destination, std::string_view route) const noexcept;
    // segments x price, saturating instead of overflowing.
    CreditAmount charge(std::string_view destination, std::string_view route,
                        std::uint32_t segments) const noexcept;
    const std::string& currency() const noexcept { return config_.currency; }

private:
    CreditConfig config_;  // prefix rules sorted longest first
};

}  // namespace bindery::router
