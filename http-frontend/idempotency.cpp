#include "http-frontend/idempotency.hpp"

namespace bindery::http {

void InMemoryIdempotencyStore::expire(router::SystemTime now) {
    while (!by_time_.empty()) {
        auto oldest = by_time_.begin();
        const bool too_old = oldest->first + retention_ <= now;
        if (!too_old && entries_.size() <= max_entries_) break;
        auto it = entries_.find(oldest->second);
        if (it != entries_.end() && it->second.created == oldest->first) entries_.erase(it);
        by_time_.erase(oldest);
    }
}

IdempotencyLookup InMemoryIdempotencyStore::begin(const std::string& client, const std::string& key,
                                                  const std::string& fingerprint,
                                                  router::SystemTime now) {
    std::lock_guard lock(mutex_);
    expire(now);
    auto k = std::make_pair(client, key);
    const auto it = entries_.find(k);
    if (it == entries_.end()) {
        entries_.emplace(k, Entry{fingerprint, false, {}, now});
        by_time_.emplace(now, std::move(k));
        return {IdempotencyState::reserved, {}};
    }
    if (it->second.fingerprint != fingerprint) return {IdempotencyState::mismatch, {}};
    if (!it->second.done) return {IdempotencyState::in_progress, {}};
    return {IdempotencyState::replay, it->second.response};
}

void InMemoryIdempotencyStore::complete(const std::string& client, const std::string& key,
                                        StoredResponse response, router::SystemTime /*now*/) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::make_pair(client, key));
    if (it == entries_.end()) return;
    it->second.done = true;
    it->second.response = std::move(response);
}

void InMemoryIdempotencyStore::release(const std::string& client, const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::make_pair(client, key));
    if (it != entries_.end() && !it->second.done) entries_.erase(it);
}

std::size_t InMemoryIdempotencyStore::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace bindery::http
