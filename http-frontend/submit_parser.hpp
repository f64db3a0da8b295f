#pragma once
// POST /v1/messages body -> router::SubmitRequests, or the first field error. A pure function
// (no I/O, no clock: `now` is passed in) so the fuzzer and the tests drive it directly.
//
// Body: {"to": "+98912..." | ["+98912...", ...], "from"?: "...", "text": "...",
//        "priority"?: "express"|"alert"|"normal"|"bulk", "validity"?: 3600 | "1h",
//        "scheduled_at"?: RFC 3339, "client_ref"?: "...", "callback_url"?: "https://...",
//        "encoding"?: "auto"|"gsm7"|"ucs2"}
// Errors: 400 for malformed JSON and wrong JSON types, 422 for well-typed but invalid values;
// unknown members are refused (422 unknown_field) so a typo never silently drops an option.
// "from" absent, null or "" takes `default_sender` (the client's default_sender); with none it is
// 422 missing_field (absent, null) or invalid_sender ("") naming "from", as before.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http-frontend/api_error.hpp"
#include "router/api/gateway_api.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::http {

struct SubmitLimits {
    std::size_t max_recipients = 100;     // entries in "to"
    std::size_t max_text_chars = 1530;    // Unicode code points (10 GSM 7-bit segments)
    std::size_t max_client_ref = 64;      // bytes
    std::size_t max_callback_url = 2048;  // bytes
    std::size_t max_json_depth = 16;
    std::chrono::seconds max_validity{7 * 86400};
    std::chrono::seconds max_schedule_ahead{30 * 86400};
};

// One request per recipient, in the order of "to"; all share the other fields.
struct ParsedSubmit {
    std::vector<router::SubmitRequest> requests;
    bool to_is_list = false;  // "to" was an array: per-recipient fields read "to[i]"
};

Expected<ParsedSubmit, ApiError> parse_submit(std::string_view body, std::string_view client,
                                              const SubmitLimits& limits, router::SystemTime now,
                                              std::string_view default_sender = {});

// Syntax checks shared with the handler (exposed for tests).
bool is_plausible_msisdn(std::string_view s) noexcept;  // "+"? then 6..15 digits, or "00" prefix
bool is_valid_sender(std::string_view s) noexcept;      // numeric (<= 16) or alphanumeric (<= 11)

}  // namespace bindery::http
