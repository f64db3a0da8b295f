#pragma once
// The text of an alert SMS: a small template over the webhook payload, and trimming to a number
// of SMS segments.
//
// Template syntax (docs/alerting.md): {{name}} inserts a value; {{#name}}...{{/name}} keeps the
// part only when the value is non-empty, {{^name}}...{{/name}} only when it is empty. Names:
//   status        FIRING / RESOLVED          count     alerts of that status in the message
//   firing        firing alerts              resolved  resolved alerts
//   truncated     truncatedAlerts            receiver  Alertmanager receiver name
//   alertname     labels.alertname           summary   annotations.summary, else .description
//   scope         the first of labels.service, .job, .instance
//   starts_at     earliest startsAt, "2026-11-22 11:06 UTC"
//   external_url  Alertmanager's URL
//   labels.X / annotations.X          common value, else the first alert's
//   group_labels.X / common_labels.X / common_annotations.X
// Unknown names and unbalanced sections are refused when the template is compiled (at startup).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http-frontend/alertmanager_payload.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::http {

inline constexpr std::string_view kDefaultAlertTemplate =
    "[{{status}}:{{count}}] {{alertname}}{{#scope}} {{scope}}{{/scope}}{{#summary}} \xE2\x80\x94 "
    "{{summary}}{{/summary}}";

// What a message is about: the payload and the alerts selected for this receiver (label filter
// applied), all of one status.
struct AlertContext {
    const AlertmanagerPayload* payload = nullptr;
    std::vector<const AlertmanagerAlert*> alerts;  // non-empty
    bool resolved = false;                         // status of the message
    std::uint32_t firing = 0;                      // in the selection
    std::uint32_t resolved_count = 0;
};

class AlertTemplate {
public:
    [[nodiscard]] static Expected<AlertTemplate, std::string> compile(std::string_view text);
    [[nodiscard]] std::string render(const AlertContext& context) const;

    struct Node {
        enum class Kind : std::uint8_t { text, value, section, inverted } kind = Kind::text;
        std::string text;            // literal text, or the value name
        std::vector<Node> children;  // sections
    };

private:
    std::vector<Node> nodes_;
};

// The longest prefix of `utf8` (cut at a code point, never inside a GSM escape or a surrogate
// pair) that fits `max_segments` SMS segments together with an ellipsis ("..." when the result
// stays GSM 7-bit, "…" otherwise). The text unchanged when it fits. Segments are counted as
// smpp/codec/text counts them with UDH concatenation.
[[nodiscard]] std::string trim_to_segments(std::string_view utf8, std::size_t max_segments);

// The segments `utf8` needs (0 for text the codec refuses).
[[nodiscard]] std::size_t sms_segments(std::string_view utf8);

}  // namespace bindery::http
