#pragma once
// Idempotency-Key support: the first request with a (client, key) pair reserves it; its final
// response is stored and replayed (same status, same body) to every retry within the retention
// (24 h). A retry whose request fingerprint differs is refused (422 idempotency_mismatch); one
// that arrives while the first is still being processed gets 409 idempotency_in_progress.
// The interface is router::IdempotencyStore (router/api/idempotency_store.hpp); this is the
// in-memory implementation (tests, running without persistence). The gateway uses
// router::SqliteIdempotencyStore, whose completed responses survive a restart.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "router/api/idempotency_store.hpp"

namespace bindery::http {

using router::IdempotencyLookup;
using router::IdempotencyState;
using router::IdempotencyStore;
using router::StoredResponse;

class InMemoryIdempotencyStore final : public IdempotencyStore {
public:
    explicit InMemoryIdempotencyStore(std::chrono::seconds retention = std::chrono::hours(24),
                                      std::size_t max_entries = 1'000'000)
        : retention_(retention), max_entries_(max_entries) {}

    // IdempotencyStore
    IdempotencyLookup begin(const std::string& client, const std::string& key,
                            const std::string& fingerprint, router::SystemTime now) override;
    void complete(const std::string& client, const std::string& key, StoredResponse response,
                  router::SystemTime now) override;
    void release(const std::string& client, const std::string& key) override;

    std::size_t size() const;

private:
    struct Entry {
        std::string fingerprint;
        bool done = false;
        StoredResponse response;
        router::SystemTime created{};
    };
    void expire(router::SystemTime now);  // mutex_ held

    std::chrono::seconds retention_;
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, Entry> entries_;
    std::multimap<router::SystemTime, std::pair<std::string, std::string>> by_time_;
};

}  // namespace bindery::http
