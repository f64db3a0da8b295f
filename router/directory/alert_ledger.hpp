#pragma once
// What the Alertmanager receiver records about every webhook it answers: the notification, the
// messages it produced (or why none), and the dedup key that makes Alertmanager's retries and
// repeats page once. Implemented by SqliteAlerts (router/store) and InMemoryAlertLedger.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct AlertMessage {
    std::string recipient;    // person's name from the directory ("" for configured numbers)
    std::string destination;  // E.164
    std::string message_id;   // router message id; "" when the gateway refused it
    std::string error;        // the refusal reason when message_id is empty
};

enum class AlertOutcome : std::uint8_t {
    sent,           // messages submitted (some may have been refused, see messages[].error)
    duplicate,      // same dedup key within the window: nothing sent, see duplicate_of
    filtered,       // no alert matched the receiver's label filter
    not_wanted,     // resolved notification and the receiver does not want those
    no_recipients,  // the groups resolved to nobody
    unknown_receiver,
};
std::string_view to_string(AlertOutcome o) noexcept;
std::optional<AlertOutcome> parse_alert_outcome(std::string_view s) noexcept;

struct AlertRecord {
    MessageId id;
    SystemTime received_at{};
    std::string receiver;
    std::string status;  // "firing" / "resolved" (the payload's)
    std::string group_key;
    std::string
        dedup_key;       // hex SHA-256 of group key, status and the alerts' fingerprints and states
    std::string client;  // the messages' client
    std::uint32_t firing = 0;
    std::uint32_t resolved = 0;
    std::uint32_t truncated = 0;
    AlertOutcome outcome = AlertOutcome::sent;
    std::optional<MessageId> duplicate_of;
    std::string text;                // the rendered message text
    std::vector<std::string> notes;  // directory errors, stale answers, skipped members
    std::vector<AlertMessage> messages;
};

class AlertLedger {
public:
    virtual ~AlertLedger() = default;
    // The newest record with this dedup key and outcome `sent` received at or after `since`.
    virtual Expected<std::optional<MessageId>, std::string> find_sent(std::string_view dedup_key,
                                                                      SystemTime since) = 0;
    // Durable when it returns.
    virtual Expected<void, std::string> record(const AlertRecord& record) = 0;
    virtual Expected<std::optional<AlertRecord>, std::string> get(const MessageId& id) = 0;
    // Newest first; `before`: records received before that one (paging).
    virtual Expected<std::vector<AlertRecord>, std::string> recent(std::optional<MessageId> before,
                                                                   std::uint32_t limit) = 0;
};

class InMemoryAlertLedger final : public AlertLedger {
public:
    // router::AlertLedger
    Expected<std::optional<MessageId>, std::string> find_sent(std::string_view dedup_key,
                                                              SystemTime since) override {
        const std::lock_guard lock(mutex_);
        for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
            if (it->dedup_key == dedup_key && it->outcome == AlertOutcome::sent &&
                it->received_at >= since) {
                return std::optional<MessageId>(it->id);
            }
        }
        return std::optional<MessageId>();
    }
    Expected<void, std::string> record(const AlertRecord& r) override {
        const std::lock_guard lock(mutex_);
        records_.push_back(r);
        return {};
    }
    Expected<std::optional<AlertRecord>, std::string> get(const MessageId& id) override {
        const std::lock_guard lock(mutex_);
        for (const auto& r : records_) {
            if (r.id == id) return std::optional<AlertRecord>(r);
        }
        return std::optional<AlertRecord>();
    }
    Expected<std::vector<AlertRecord>, std::string> recent(std::optional<MessageId> before,
                                                           std::uint32_t limit) override {
        const std::lock_guard lock(mutex_);
        std::vector<AlertRecord> out;
        for (auto it = records_.rbegin(); it != records_.rend() && out.size() < limit; ++it) {
            if (before && !(it->id < *before)) continue;
            out.push_back(*it);
        }
        return out;
    }

private:
    std::mutex mutex_;
    std::vector<AlertRecord> records_;
};

}  // namespace bindery::router
