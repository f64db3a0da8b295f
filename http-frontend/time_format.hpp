#pragma once
// Wall-clock text formats of the HTTP API: RFC 3339 timestamps and "90s"/"1h30m" durations.
// Pure functions; never throw.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "router/api/types.hpp"

namespace bindery::http {

// "2026-11-23T17:05:00Z", "2026-11-23T17:05:00.250+03:30" (fraction up to nanoseconds, 'T'/'t'
// or ' ' separator, 'Z'/'z' or a numeric offset). nullopt on anything else, including
// out-of-range fields (month 13, Feb 30, hour 24) and years outside 1970-2200.
std::optional<router::SystemTime> parse_rfc3339(std::string_view text) noexcept;
// UTC with milliseconds: "2026-11-23T17:05:00.250Z".
std::string format_rfc3339(router::SystemTime t);
// The same text appended to `out` (no allocation of its own: hot paths building a larger text).
void append_rfc3339(std::string& out, router::SystemTime t);

// A positive duration: "3600" (seconds), or unit groups "90s", "15m", "1h", "2d", "1h30m".
// nullopt on a malformed text, zero, or more than ten years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text) noexcept;

}  // namespace bindery::http
