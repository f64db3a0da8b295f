#pragma once
// Routing: ordered rules pick a route; a route spreads sends over providers by smooth weighted
// round-robin (nginx) and falls back to a failover list when no weighted member is available.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/core/message.hpp"

namespace bindery::router {

// Every non-empty criterion must match (AND); within a criterion any listed value matches (OR).
struct RouteRule {
    std::string name;
    std::vector<std::string> prefixes;  // E.164 prefixes with "+", e.g. "+98912"
    std::vector<std::string> regions;   // ISO regions from libphonenumber, e.g. "IR"
    std::vector<std::string> senders;
    std::vector<std::string> clients;
    std::vector<Priority> priorities;
    std::vector<std::string> tags;  // the message must carry all of these
    std::string route;              // name of the Route to use
};

struct RouteMember {
    std::string provider;
    std::uint32_t weight = 1;
};

struct Route {
    std::string name;
    std::vector<RouteMember> members;   // weighted rotation
    std::vector<std::string> failover;  // tried in order when no member is available
};

struct RoutingConfig {
    std::vector<RouteRule> rules;  // first match wins
    std::vector<Route> routes;
    std::string default_route;  // when no rule matches ("" : no route -> message waits)
};

bool rule_matches(const RouteRule& rule, const Message& message) noexcept;

// Smooth weighted round-robin over a fixed member list: every pick adds each available member's
// weight to its current value, takes the largest, and subtracts the sum of available weights from
// it. Over any window of sum(weights) picks each member gets exactly its share, interleaved.
class SmoothWeightedRoundRobin {
public:
    explicit SmoothWeightedRoundRobin(const std::vector<std::uint32_t>& weights);
    // Index of the chosen member among those `available` accepts; nullopt when none is.
    std::optional<std::size_t> pick(const std::function<bool(std::size_t)>& available);
    std::size_t size() const noexcept { return weights_.size(); }

private:
    std::vector<std::int64_t> weights_;
    std::vector<std::int64_t> current_;
};

// A compiled RoutingConfig.
class RoutingTable {
public:
    explicit RoutingTable(RoutingConfig config);

    // The route for a message; nullptr when no rule matches and there is no default.
    const Route* match(const Message& message) const noexcept;
    const Route* find_route(std::string_view name) const noexcept;

    // Choose a provider of `route` for which `available(provider)` holds: weighted members first,
    // then the failover list in order. nullopt when every provider of the route is unavailable.
    std::optional<std::string> pick(const Route& route,
                                    const std::function<bool(std::string_view)>& available);

    // Every provider name any route mentions (for config validation in the composition root).
    std::vector<std::string> providers() const;

private:
    RoutingConfig config_;
    std::vector<SmoothWeightedRoundRobin> rotations_;  // parallel to config_.routes
};

}  // namespace bindery::router
