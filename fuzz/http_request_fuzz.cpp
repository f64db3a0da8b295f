// POST /v1/messages body validation (and the other text parsers of the HTTP API): never crash,
// never accept what the contract refuses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http-frontend/query_string.hpp"
#include "http-frontend/submit_parser.hpp"
#include "http-frontend/time_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bindery::http;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    SubmitLimits limits;
    limits.max_recipients = 5;
    const bindery::router::SystemTime now{std::chrono::seconds(1'800'000'000)};
    auto parsed = parse_submit(text, "fuzz", limits, now);
    if (parsed) {
        if (parsed->requests.empty() || parsed->requests.size() > limits.max_recipients)
            std::abort();
        for (const auto& r : parsed->requests) {
            if (!is_plausible_msisdn(r.destination) || !is_valid_sender(r.sender) ||
                r.text.empty() || r.client != "fuzz" ||
                r.client_ref.size() > limits.max_client_ref ||
                (r.validity && (r.validity->count() <= 0 || *r.validity > limits.max_validity)) ||
                (r.schedule_at && *r.schedule_at > now + limits.max_schedule_ahead)) {
                std::abort();
            }
        }
    } else {
        const auto& e = parsed.error();
        if ((e.status != 400 && e.status != 422) || e.code.empty() || e.message.empty())
            std::abort();
        if (to_json_body(e).empty()) std::abort();
    }
    (void)parse_query(text);
    if (const auto t = parse_rfc3339(text)) {
        // Formatting then parsing is a fixpoint at millisecond precision.
        const auto again = parse_rfc3339(format_rfc3339(*t));
        if (!again || format_rfc3339(*again) != format_rfc3339(*t)) std::abort();
    }
    if (const auto d = parse_duration(text); d && d->count() <= 0) std::abort();
    return 0;
}
