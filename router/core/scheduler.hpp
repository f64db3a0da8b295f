#pragma once
// Dispatch order: strict priority between lanes (express > normal > bulk), deficit round robin
// between clients inside a lane, so one client's bulk campaign cannot starve another's. Cost is
// counted in segments. Bounded: push() refuses when full and the caller keeps the message in the
// store only (it is fed back when room frees up).

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "router/api/types.hpp"

namespace bindery::router {

struct SchedulerConfig {
    std::size_t capacity = 100'000;  // entries held in memory across all lanes
    std::uint32_t quantum = 1;       // DRR credit per client turn, in segments
};

struct ScheduledItem {
    MessageId id;
    std::string client;
    Priority priority = Priority::normal;
    std::uint32_t cost = 1;
};

class FairScheduler {
public:
    explicit FairScheduler(SchedulerConfig config = {}) : config_(config) {}

    bool full() const noexcept { return size_ >= config_.capacity; }
    std::size_t size() const noexcept { return size_; }
    std::size_t size(Priority lane) const noexcept;
    std::size_t capacity() const noexcept { return config_.capacity; }

    // False when full (nothing is queued then).
    bool push(ScheduledItem item);
    // Next item to dispatch, or nullopt when empty.
    std::optional<ScheduledItem> pop();

private:
    struct ClientQueue {
        std::deque<ScheduledItem> items;
        std::uint64_t deficit = 0;
        bool credited = false;  // has received its quantum for the current turn
    };
    struct Lane {
        std::unordered_map<std::string, ClientQueue> clients;
        std::deque<std::string> active;  // round-robin order of clients with items
        std::size_t size = 0;
    };

    SchedulerConfig config_;
    std::array<Lane, kPriorityCount> lanes_;
    std::size_t size_ = 0;
};

}  // namespace bindery::router
