#include "router/core/receipts.hpp"

#include <algorithm>
#include <limits>

namespace bindery::router {
namespace {

std::string canonical(std::string_view id) {
    while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
    while (!id.empty() && (id.back() == ' ' || id.back() == '\t' || id.back() == '\0')) {
        id.remove_suffix(1);
    }
    std::string out(id);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    const auto first = out.find_first_not_of('0');
    if (first == std::string::npos) return out.empty() ? out : std::string("0");
    return out.substr(first);
}

std::optional<std::uint64_t> parse_base(std::string_view digits, unsigned base) {
    if (digits.empty() || digits.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : digits) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = static_cast<unsigned>(c - 'a' + 10);
        } else {
            return std::nullopt;
        }
        if (d >= base) return std::nullopt;
        if (value > (std::numeric_limits<std::uint64_t>::max() - d) / base) return std::nullopt;
        value = value * base + d;
    }
    return value;
}

std::string to_base(std::uint64_t value, unsigned base) {
    static constexpr char kDigits[] = "0123456789abcdef";
    if (value == 0) return "0";
    std::string out;
    while (value > 0) {
        out.push_back(kDigits[value % base]);
        value /= base;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace

std::string provider_id_key(std::string_view provider_id) { return canonical(provider_id); }

std::optional<std::string> rebase_provider_id(std::string_view provider_id, unsigned from,
                                              unsigned to) {
    const auto value = parse_base(canonical(provider_id), from);
    if (!value) return std::nullopt;
    return to_base(*value, to);
}

std::vector<std::string> receipt_id_keys(std::string_view provider_id, ReceiptIdMatch match) {
    if (match == ReceiptIdMatch::any_reading) return provider_id_keys(provider_id);
    std::vector<std::string> keys;
    if (auto key = canonical(provider_id); !key.empty()) keys.push_back(std::move(key));
    return keys;
}

std::vector<std::string> provider_id_keys(std::string_view provider_id) {
    std::vector<std::string> keys;
    const std::string id = canonical(provider_id);
    if (id.empty()) return keys;
    keys.push_back(id);
    auto add = [&keys](std::string key) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    };
    if (const auto hex = parse_base(id, 16)) add(to_base(*hex, 10));
    if (const auto dec = parse_base(id, 10)) add(to_base(*dec, 16));
    return keys;
}

namespace {
std::string index_key(std::string_view provider, std::string_view key) {
    std::string k(provider);
    k.push_back('\n');
    k.append(key);
    return k;
}
}  // namespace

void PendingReceipts::erase(std::map<std::uint64_t, Held>::iterator it) {
    for (const auto& k : it->second.index_keys) {
        auto [first, last] = by_key_.equal_range(k);
        for (auto e = first; e != last; ++e) {
            if (e->second == it->first) {
                by_key_.erase(e);
                break;
            }
        }
    }
    held_.erase(it);
}

std::optional<Receipt> PendingReceipts::hold(Receipt receipt, TimePoint now) {
    if (config_.capacity == 0) return receipt;
    std::optional<Receipt> evicted;
    if (held_.size() >= config_.capacity) {
        evicted = std::move(held_.begin()->second.receipt);
        erase(held_.begin());
    }
    const std::uint64_t seq = next_seq_++;
    Held held{std::move(receipt), {}, now};
    for (const auto& key : receipt_id_keys(held.receipt.provider_id, held.receipt.id_match)) {
        held.index_keys.push_back(index_key(held.receipt.provider, key));
        by_key_.emplace(held.index_keys.back(), seq);
    }
    held_.emplace(seq, std::move(held));
    return evicted;
}

std::vector<Receipt> PendingReceipts::take_matching(std::string_view provider,
                                                    std::string_view provider_id) {
    std::vector<Receipt> out;
    if (held_.empty()) return out;
    std::vector<std::uint64_t> seqs;
    const auto keys = provider_id_keys(provider_id);
    for (std::size_t k = 0; k < keys.size(); ++k) {
        auto [first, last] = by_key_.equal_range(index_key(provider, keys[k]));
        for (auto e = first; e != last; ++e) {
            // keys[0] is the id itself; the others are readings, which exact receipts refuse.
            if (k > 0 && held_.at(e->second).receipt.id_match == ReceiptIdMatch::exact) continue;
            if (std::find(seqs.begin(), seqs.end(), e->second) == seqs.end())
                seqs.push_back(e->second);
        }
    }
    std::sort(seqs.begin(), seqs.end());  // arrival order
    for (auto seq : seqs) {
        const auto it = held_.find(seq);
        if (it == held_.end()) continue;
        out.push_back(std::move(it->second.receipt));
        erase(it);
    }
    return out;
}

std::vector<Receipt> PendingReceipts::take_expired(TimePoint now) {
    std::vector<Receipt> out;
    while (!held_.empty() && now - held_.begin()->second.since >= config_.hold_for) {
        out.push_back(std::move(held_.begin()->second.receipt));
        erase(held_.begin());
    }
    return out;
}

}  // namespace bindery::router
