// Alertmanager webhook bodies: parse_alertmanager_payload never crashes and never accepts a
// payload that breaks its contract; what parses renders through the default template and is
// trimmed to the segment limit without breaking UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http-frontend/alertmanager_payload.hpp"
#include "http-frontend/alertmanager_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bindery::http;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    PayloadLimits limits;
    limits.max_alerts = 50;
    auto parsed = parse_alertmanager_payload(text, limits);
    if (!parsed) {
        if (parsed.error().empty()) std::abort();
        return 0;
    }
    const auto& p = *parsed;
    if (p.version != "4" || p.receiver.empty() || p.alerts.empty() ||
        p.alerts.size() > limits.max_alerts || (p.status != "firing" && p.status != "resolved")) {
        std::abort();
    }
    AlertContext c;
    c.payload = &p;
    for (const auto& a : p.alerts) {
        if (a.labels.empty() || a.fingerprint.empty() ||
            (a.status != "firing" && a.status != "resolved"))
            std::abort();
        (a.firing() ? c.firing : c.resolved_count) += 1;
        c.alerts.push_back(&a);
    }
    c.resolved = c.firing == 0;
    static const auto tmpl = AlertTemplate::compile(kDefaultAlertTemplate);
    const std::string rendered = tmpl->render(c);
    const std::string trimmed = trim_to_segments(rendered, 2);
    // The codec refuses invalid UTF-8 (0 segments); JSON strings are valid UTF-8, so never 0 here.
    const auto n = sms_segments(trimmed);
    if (n == 0 || n > 2) std::abort();
    return 0;
}
