#pragma once
// Alertmanager's webhook payload, version "4" (shared/reference/alertmanager-webhook.md §1), parsed
// from the request body with a real JSON parser (Go escapes <, >, & as \u003c...). Pure; never
// throws; a payload that cannot be used is an error string for the 400 answer.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::http {

using LabelSet = std::map<std::string, std::string, std::less<>>;

struct AlertmanagerAlert {
    std::string status;  // "firing" / "resolved"
    LabelSet labels;
    LabelSet annotations;
    router::SystemTime starts_at{};
    std::string starts_at_text;                 // as sent
    std::optional<router::SystemTime> ends_at;  // absent while firing (Go zero time)
    std::string generator_url;
    std::string fingerprint;  // 16 hex; when absent, derived from the labels
    bool firing() const noexcept { return status == "firing"; }
};

struct AlertmanagerPayload {
    std::string version;  // "4"
    std::string group_key;
    std::uint32_t truncated_alerts = 0;
    std::string status;    // "firing" if any alert fires, else "resolved"
    std::string receiver;  // QuoteMeta undone: "sms\\.gateway" -> "sms.gateway"
    LabelSet group_labels;
    LabelSet common_labels;
    LabelSet common_annotations;
    std::string external_url;
    std::vector<AlertmanagerAlert> alerts;
};

struct PayloadLimits {
    std::size_t max_alerts = 1000;
};

// Errors name the field: "alerts[2].status: expected \"firing\" or \"resolved\"".
[[nodiscard]] Expected<AlertmanagerPayload, std::string> parse_alertmanager_payload(
    std::string_view body, const PayloadLimits& limits = {});

// Undoes Go's regexp.QuoteMeta (a backslash before any of \.+*?()|[]{}^$).
[[nodiscard]] std::string unquote_meta(std::string_view s);

}  // namespace bindery::http
