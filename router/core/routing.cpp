#include "router/core/routing.hpp"

#include <algorithm>

namespace bindery::router {
namespace {

template <class T, class V>
bool any_of_equal(const std::vector<T>& values, const V& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

bool rule_matches(const RouteRule& rule, const Message& message) noexcept {
    if (!rule.prefixes.empty() &&
        std::none_of(rule.prefixes.begin(), rule.prefixes.end(), [&](const std::string& p) {
            return std::string_view(message.destination).starts_with(p);
        })) {
        return false;
    }
    if (!rule.regions.empty() && !any_of_equal(rule.regions, message.region)) return false;
    if (!rule.senders.empty() && !any_of_equal(rule.senders, message.sender)) return false;
    if (!rule.clients.empty() && !any_of_equal(rule.clients, message.client)) return false;
    if (!rule.priorities.empty() && !any_of_equal(rule.priorities, message.priority)) return false;
    for (const auto& tag : rule.tags) {
        if (!any_of_equal(message.tags, tag)) return false;
    }
    return true;
}

SmoothWeightedRoundRobin::SmoothWeightedRoundRobin(const std::vector<std::uint32_t>& weights)
    : current_(weights.size(), 0) {
    weights_.reserve(weights.size());
    for (auto w : weights) weights_.push_back(static_cast<std::int64_t>(w));
}

std::optional<std::size_t> SmoothWeightedRoundRobin::pick(
    const std::function<bool(std::size_t)>& available) {
    std::optional<std::size_t> best;
    std::int64_t total = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        if (weights_[i] <= 0 || !available(i)) continue;
        current_[i] += weights_[i];
        total += weights_[i];
        if (!best || current_[i] > current_[*best]) best = i;
    }
    if (best) current_[*best] -= total;
    return best;
}

RoutingTable::RoutingTable(RoutingConfig config) : config_(std::move(config)) {
    rotations_.reserve(config_.routes.size());
    for (const auto& route : config_.routes) {
        std::vector<std::uint32_t> weights;
        weights.reserve(route.members.size());
        for (const auto& m : route.members) weights.push_back(m.weight);
        rotations_.emplace_back(std::move(weights));
    }
}

const Route* RoutingTable::find_route(std::string_view name) const noexcept {
    for (const auto& route : config_.routes) {
        if (route.name == name) return &route;
    }
    return nullptr;
}

const Route* RoutingTable::match(const Message& message) const noexcept {
    for (const auto& rule : config_.rules) {
        if (rule_matches(rule, message)) return find_route(rule.route);
    }
    return config_.default_route.empty() ? nullptr : find_route(config_.default_route);
}

std::optional<std::string> RoutingTable::pick(
    const Route& route, const std::function<bool(std::string_view)>& available) {
    const auto index = static_cast<std::size_t>(&route - config_.routes.data());
    if (index < rotations_.size()) {
        const auto chosen = rotations_[index].pick(
            [&](std::size_t i) { return available(route.members[i].provider); });
        if (chosen) return route.members[*chosen].provider;
    }
    for (const auto& name : route.failover) {
        if (available(name)) return name;
    }
    return std::nullopt;
}

std::vector<std::string> RoutingTable::providers() const {
    std::vector<std::string> out;
    for (const auto& route : config_.routes) {
        for (const auto& m : route.members) {
            if (!any_of_equal(out, m.provider)) out.push_back(m.provider);
        }
        for (const auto& f : route.failover) {
            if (!any_of_equal(out, f)) out.push_back(f);
        }
    }
    return out;
}

}  // namespace bindery::router
