#pragma once
// Idempotency-Key support as the front ends see it: the first request with a (client, key) pair
// reserves it; its final response is stored and replayed (same status, same body) to every retry
// within the retention (24 h). A retry whose request fingerprint differs is a mismatch; one that
// arrives while the first is still being processed is in_progress. Implementations:
// http::InMemoryIdempotencyStore (tests, no persistence) and router::SqliteIdempotencyStore
// (router/store/sqlite_idempotency.hpp: completed responses survive a restart).

#include <cstdint>
#include <string>

#include "router/api/types.hpp"

namespace bindery::router {

struct StoredResponse {
    unsigned status = 200;
    std::string content_type;
    std::string body;
};

enum class IdempotencyState : std::uint8_t {
    reserved,     // new key: the caller processes the request, then complete() or release()
    replay,       // finished before: answer with `response`
    mismatch,     // same key, different request
    in_progress,  // same key and request, first attempt not finished
};

struct IdempotencyLookup {
    IdempotencyState state = IdempotencyState::reserved;
    StoredResponse response;  // for replay
};

// Thread-safe; never throws. A store that cannot reach its storage answers begin() with
// `reserved` (the request is processed, not replayed) and logs: availability over replay.
class IdempotencyStore {
public:
    virtual ~IdempotencyStore() = default;
    // `fingerprint` identifies the request (method, path and body digest).
    virtual IdempotencyLookup begin(const std::string& client, const std::string& key,
                                    const std::string& fingerprint, SystemTime now) = 0;
    virtual void complete(const std::string& client, const std::string& key,
                          StoredResponse response, SystemTime now) = 0;
    // The request ended without a result worth replaying (e.g. 429/503): forget the reservation.
    virtual void release(const std::string& client, const std::string& key) = 0;
};

}  // namespace bindery::router
