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

std::optional<Receipt> PendingReceipts::hold(Receipt receipt, TimePoint now) {
    std::optional<Receipt> evicted;
    if (config_.capacity == 0) return receipt;
    if (held_.size() >= config_.capacity) {
        evicted = std::move(held_.front().receipt);
        held_.pop_front();
    }
    auto keys = provider_id_keys(receipt.provider_id);
    held_.push_back(Held{std::move(receipt), std::move(keys), now});
    return evicted;
}

std::vector<Receipt> PendingReceipts::take_matching(std::string_view provider,
                                                    std::string_view provider_id) {
    std::vector<Receipt> out;
    if (held_.empty()) return out;
    const auto keys = provider_id_keys(provider_id);
    for (auto it = held_.begin(); it != held_.end();) {
        const bool match =
            it->receipt.provider == provider &&
            std::any_of(it->keys.begin(), it->keys.end(), [&](const std::string& k) {
                return std::find(keys.begin(), keys.end(), k) != keys.end();
            });
        if (match) {
            out.push_back(std::move(it->receipt));
            it = held_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<Receipt> PendingReceipts::take_expired(TimePoint now) {
    std::vector<Receipt> out;
    while (!held_.empty() && now - held_.front().since >= config_.hold_for) {
        out.push_back(std::move(held_.front().receipt));
        held_.pop_front();
    }
    return out;
}

}  // namespace bindery::router
