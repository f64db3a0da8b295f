#pragma once
// What an operator decided that must outlive the process: the carriers paused with
// `bindery bind pause` (a restart must not resume them), and which dead letter was retried as which
// new message (so `bindery dlq retry` run twice, also across a restart, sends one copy).
// SqliteOperatorState (router/store) keeps it in the messages database; InMemoryOperatorState is
// for tests and store-less runs.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "router/api/types.hpp"
#include "router/core/message_store.hpp"

namespace bindery::router {

class OperatorState {
public:
    virtual ~OperatorState() = default;
    // The carriers paused now, by name.
    virtual Expected<std::vector<std::string>, StoreError> paused_carriers() = 0;
    // Durable when it returns. Pausing a paused carrier (or resuming a running one) is a no-op.
    virtual Expected<void, StoreError> set_paused(std::string_view carrier, bool paused,
                                                  SystemTime at) = 0;
    // The new message a dead letter was retried as, if it was.
    virtual Expected<std::optional<MessageId>, StoreError> retry_of(
        const MessageId& dead_letter) = 0;
    // Durable when it returns. A dead letter keeps its first retry: a second record is ignored.
    virtual Expected<void, StoreError> record_retry(const MessageId& dead_letter,
                                                    const MessageId& new_id, SystemTime at) = 0;
};

class InMemoryOperatorState final : public OperatorState {
public:
    // router::OperatorState
    Expected<std::vector<std::string>, StoreError> paused_carriers() override {
        const std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& [name, at] : paused_) out.push_back(name);
        return out;
    }
    Expected<void, StoreError> set_paused(std::string_view carrier, bool paused,
                                          SystemTime at) override {
        const std::lock_guard lock(mutex_);
        if (paused)
            paused_.emplace(std::string(carrier), at);
        else
            paused_.erase(std::string(carrier));
        return {};
    }
    Expected<std::optional<MessageId>, StoreError> retry_of(const MessageId& dead_letter) override {
        const std::lock_guard lock(mutex_);
        const auto it = retries_.find(dead_letter);
        return it == retries_.end() ? std::optional<MessageId>()
                                    : std::optional<MessageId>(it->second);
    }
    Expected<void, StoreError> record_retry(const MessageId& dead_letter, const MessageId& new_id,
                                            SystemTime) override {
        const std::lock_guard lock(mutex_);
        retries_.emplace(dead_letter, new_id);
        return {};
    }

private:
    std::mutex mutex_;
    std::map<std::string, SystemTime, std::less<>> paused_;
    std::unordered_map<MessageId, MessageId, MessageIdHash> retries_;
};

}  // namespace bindery::router
