#include "router/core/credits.hpp"

#include <algorithm>
#include <limits>

namespace bindery::router {

std::string_view to_string(CaptureOn c) noexcept {
    switch (c) {
        case CaptureOn::sent: return "sent";
        case CaptureOn::delivered: return "delivered";
    }
    return "delivered";
}

std::optional<CaptureOn> parse_capture_on(std::string_view text) noexcept {
    if (text == "sent") return CaptureOn::sent;
    if (text == "delivered") return CaptureOn::delivered;
    return std::nullopt;
}

std::string_view to_string(CreditKind k) noexcept {
    switch (k) {
        case CreditKind::topup: return "topup";
        case CreditKind::hold: return "hold";
        case CreditKind::capture: return "capture";
        case CreditKind::release: return "release";
    }
    return "hold";
}

std::optional<CreditKind> parse_credit_kind(std::string_view text) noexcept {
    if (text == "topup") return CreditKind::topup;
    if (text == "hold") return CreditKind::hold;
    if (text == "capture") return CreditKind::capture;
    if (text == "release") return CreditKind::release;
    return std::nullopt;
}

CreditAction credit_action(MessageState to, CaptureOn capture) noexcept {
    switch (to) {
        case MessageState::sent:
            return capture == CaptureOn::sent ? CreditAction::capture : CreditAction::none;
        case MessageState::delivered: return CreditAction::capture;
        case MessageState::undeliverable:
        case MessageState::expired:
        case MessageState::rejected:
        case MessageState::failed_perm:
        case MessageState::dead_letter:
        case MessageState::cancelled: return CreditAction::release;
        case MessageState::accepted:
        case MessageState::queued:
        case MessageState::sending:
        case MessageState::failed_temp: return CreditAction::none;
    }
    return CreditAction::none;
}

PriceTable::PriceTable(CreditConfig config) : config_(std::move(config)) {
    std::stable_sort(
        config_.prices.begin(), config_.prices.end(),
        [](const PriceRule& a, const PriceRule& b) { return a.prefix.size() > b.prefix.size(); });
}

CreditAmount PriceTable::price(std::string_view destination,
                               std::string_view route) const noexcept {
    for (const auto& rule : config_.prices) {
        if (rule.prefix.empty()) break;  // sorted: the route rules follow
        if (destination.starts_with(rule.prefix)) return rule.price;
    }
    if (!route.empty()) {
        for (const auto& rule : config_.prices) {
            if (rule.prefix.empty() && rule.route == route) return rule.price;
        }
    }
    return config_.default_price;
}

CreditAmount PriceTable::charge(std::string_view destination, std::string_view route,
                                std::uint32_t segments) const noexcept {
    const CreditAmount each = std::max<CreditAmount>(price(destination, route), 0);
    const CreditAmount n = segments == 0 ? 1 : static_cast<CreditAmount>(segments);
    if (each > std::numeric_limits<CreditAmount>::max() / n) {
        return std::numeric_limits<CreditAmount>::max();
    }
    return each * n;
}

}  // namespace bindery::router
