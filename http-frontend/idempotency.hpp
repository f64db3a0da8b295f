#pragma once
// Idempotency-Key support: the first request with a (client, key) pair reserves it; its final
// response is stored and replayed (same status, same body) to every retry within the retention
// (24 h). A retry whose request fingerprint differs is refused (422 idempotency_mismatch); one
// that arrives while the first is still being processed gets 409 idempotency_in_progress.
// The store is an interface: InMemoryIdempotencyStore now, a SQLite-backed one (surviving
// restarts) with the router store later.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "router/api/types.hpp"

namespace bindery::http {

struct StoredResponse {
    unsigned status = 200;
    std::string content_type;
    std::string body;
};

enum class IdempotencyState : std::uint8_t {
    reserved,      // new key: the caller processes the request, then complete() or release()
    replay,        // finished before: answer with `response`
    mismatch,      // same key, different request
    in_progress,   // same key and request, first attempt not finished
};

struct IdempotencyLookup {
    IdempotencyState state = IdempotencyState::reserved;
    StoredResponse response;   // for replay
};

class IdempotencyStore {
public:
    virtual ~IdempotencyStore() = default;
    // `fingerprint` identifies the request (method, path and body digest).
    virtual IdempotencyLookup begin(const std::string& client, const std::string& key,
                                    const std::string& fingerprint, router::SystemTime now) = 0;
    virtual void complete(const std::string& client, const std::string& key,
                          StoredResponse response, router::SystemTime now) = 0;
    // The request ended without a result worth replaying (e.g. 429/503): forget the reservation.
    virtual void release(const std::string& client, const std::string& key) = 0;
};

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
    void expire(router::SystemTime now);   // mutex_ held

    std::chrono::seconds retention_;
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, Entry> entries_;
    std::multimap<router::SystemTime, std::pair<std::string, std::string>> by_time_;
};

}  // namespace bindery::http
