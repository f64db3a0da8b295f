#include "router/core/scheduler.hpp"

#include <algorithm>

namespace bindery::router {

std::size_t FairScheduler::size(Priority lane) const noexcept {
    return lanes_[static_cast<std::size_t>(lane)].size;
}

bool FairScheduler::push(ScheduledItem item) {
    if (full()) return false;
    auto& lane = lanes_[static_cast<std::size_t>(item.priority)];
    auto& queue = lane.clients[item.client];
    if (queue.items.empty()) lane.active.push_back(item.client);
    queue.items.push_back(std::move(item));
    ++lane.size;
    ++size_;
    return true;
}

std::optional<ScheduledItem> FairScheduler::pop() {
    const std::uint64_t quantum = std::max<std::uint32_t>(1, config_.quantum);
    for (auto& lane : lanes_) {
        while (!lane.active.empty()) {
            const auto it = lane.clients.find(lane.active.front());
            auto& queue = it->second;
            if (!queue.credited) {
                queue.deficit += quantum;
                queue.credited = true;
            }
            const std::uint64_t cost = std::max<std::uint32_t>(1, queue.items.front().cost);
            if (cost > queue.deficit) {
                // Turn over: keep the credit, go to the back of the round.
                queue.credited = false;
                lane.active.push_back(std::move(lane.active.front()));
                lane.active.pop_front();
                continue;
            }
            queue.deficit -= cost;
            ScheduledItem item = std::move(queue.items.front());
            queue.items.pop_front();
            --lane.size;
            --size_;
            if (queue.items.empty()) {
                lane.active.pop_front();
                lane.clients.erase(it);  // an idle client keeps no credit
            } else if (queue.deficit == 0) {
                queue.credited = false;
                lane.active.push_back(std::move(lane.active.front()));
                lane.active.pop_front();
            }
            return item;
        }
    }
    return std::nullopt;
}

}  // namespace bindery::router
