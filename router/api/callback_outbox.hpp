#pragma once
// Delivery callbacks waiting to be delivered, as the front end's dispatcher sees them. The SQLite
// implementation (router/store/sqlite_callbacks.hpp) keeps them in the messages database, so
// pending callbacks survive a restart, and records every attempt in the message's history.
// Errors are strings (the dispatcher logs them and tries again later); implementations are
// thread-safe and never throw.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct CallbackJob {
    std::int64_t seq = 0;  // assigned by the outbox on enqueue
    MessageId message_id;
    std::string client;
    MessageState state = MessageState::accepted;  // the state the event reports
    std::string url;                              // http:// or https://
    std::string body;                             // the JSON event, exactly as it is POSTed
    std::uint32_t attempts = 0;                   // attempts made so far
    SystemTime created_at{};
    SystemTime next_attempt_at{};
    std::string last_error;
};

enum class CallbackVerdict : std::uint8_t {
    delivered,  // 2xx: the job is done
    retry,      // failed; next attempt at `next_attempt_at`
    gave_up,    // failed and out of attempts or time: the job is done
};
inline std::string_view to_string(CallbackVerdict v) noexcept {
    switch (v) {
        case CallbackVerdict::delivered: return "delivered";
        case CallbackVerdict::retry: return "retry";
        case CallbackVerdict::gave_up: return "gave_up";
    }
    return "retry";
}

struct CallbackAttempt {
    std::int64_t seq = 0;
    std::uint32_t attempt = 0;  // 1 for the first attempt
    SystemTime at{};            // when the attempt ended
    CallbackVerdict verdict = CallbackVerdict::retry;
    std::string detail;            // "HTTP 200", "HTTP 500", "timeout", "connect: ..."
    SystemTime next_attempt_at{};  // for retry
};

class CallbackOutbox {
public:
    virtual ~CallbackOutbox() = default;
    // Stores the jobs (one transaction) and answers the `seq` the outbox gave each, in order.
    virtual Expected<std::vector<std::int64_t>, std::string> enqueue(
        std::span<const CallbackJob> jobs) = 0;
    // Up to `limit` jobs due at `now` (next_attempt_at <= now), oldest due first, skipping the
    // seqs in `skip` (attempts in flight).
    virtual Expected<std::vector<CallbackJob>, std::string> due(
        SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) = 0;
    // Records attempts (one transaction): delivered/gave_up remove the job, retry reschedules it;
    // for each an event is appended to the message's history (when the message still exists).
    // An attempt of a job no longer stored changes nothing.
    virtual Expected<void, std::string> record_all(std::span<const CallbackAttempt> attempts) = 0;
    Expected<void, std::string> record(const CallbackAttempt& attempt) {
        return record_all(std::span<const CallbackAttempt>(&attempt, 1));
    }
    // The earliest next_attempt_at among the stored jobs, if any.
    virtual Expected<std::optional<SystemTime>, std::string> next_due() = 0;
    virtual Expected<std::uint64_t, std::string> pending() = 0;
};

}  // namespace bindery::router
