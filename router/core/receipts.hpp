#pragma once
// Delivery-report correlation helpers: provider id normalization (SMPP ids differ in form between
// submit_sm_resp and the receipt: hex in one, decimal in the other, leading zeros, case) and a
// bounded holding area for receipts that arrive before their submit response.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "router/core/provider.hpp"
#include "smpp/base/clock.hpp"

namespace bindery::router {

// Lookup keys for a provider id, most specific first: the id itself (trimmed, lower-case, leading
// zeros stripped: provider_id_key), then its reading as hex converted to decimal, then its reading
// as decimal converted to hex, when those readings exist and fit 64 bits. Stores index a stored id
// under its provider_id_key only; a receipt is looked up key by key of its own id, first hit wins:
// an id sent as hex and receipted in decimal (or the other way) is found by the receipt's second or
// third key, as each reading is the other's inverse. A provider that knows its carrier's id form
// converts the receipt's id itself and marks it ReceiptIdMatch::exact: only the first key is tried.
std::vector<std::string> provider_id_keys(std::string_view provider_id);
// The key a store indexes `provider_id` under: the first of provider_id_keys ("" for a blank id).
std::string provider_id_key(std::string_view provider_id);
// The keys a receipt's id is looked up by: provider_id_keys for ReceiptIdMatch::any_reading, only
// provider_id_key for exact (none for a blank id).
std::vector<std::string> receipt_id_keys(std::string_view provider_id, ReceiptIdMatch match);
// `provider_id` (its provider_id_key) read as a number in base `from` and written in base `to`
// (10 or 16, lower-case, no leading zeros): ("0255", 10, 16) -> "ff". nullopt when it is not a
// number in base `from` or does not fit 64 bits.
std::optional<std::string> rebase_provider_id(std::string_view provider_id, unsigned from,
                                              unsigned to);

struct PendingReceiptConfig {
    std::size_t capacity = 10'000;
    Duration hold_for = std::chrono::minutes(10);
};

class PendingReceipts {
public:
    explicit PendingReceipts(PendingReceiptConfig config = {}) : config_(config) {}

    // Holds a receipt; when full the oldest one is evicted and returned (to be counted unknown).
    std::optional<Receipt> hold(Receipt receipt, TimePoint now);
    // Receipts of `provider` whose id matches `provider_id` (a send result's id), removed from the
    // hold: an any_reading receipt when one of its keys is one of provider_id_keys(provider_id), an
    // exact one only when its key is provider_id_key(provider_id).
    std::vector<Receipt> take_matching(std::string_view provider, std::string_view provider_id);
    // Receipts held longer than hold_for, removed.
    std::vector<Receipt> take_expired(TimePoint now);
    std::size_t size() const noexcept { return held_.size(); }

private:
    struct Held {
        Receipt receipt;
        std::vector<std::string> index_keys;  // provider + '\n' + key, as in by_key_
        TimePoint since;
    };
    void erase(std::map<std::uint64_t, Held>::iterator it);

    PendingReceiptConfig config_;
    std::map<std::uint64_t, Held> held_;  // arrival order
    std::unordered_multimap<std::string, std::uint64_t> by_key_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace bindery::router
