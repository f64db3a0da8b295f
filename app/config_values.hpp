#pragma once

// Parsers for the scalar shapes the configuration uses. Each returns std::nullopt on bad input;
// the loader turns that into a located message that says what shape was expected.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.hpp"

namespace bindery::app {

// "250ms", "10s", "5m", "2h", "30d", and sums such as "1h30m". A bare "0" is zero.
[[nodiscard]] std::optional<Millis> parse_duration(std::string_view text);

// The largest whole unit: 90000ms -> "90s", 5400000ms -> "90m", 0 -> "0ms". parse_duration() reads
// it back.
[[nodiscard]] std::string format_duration(Millis d);

// "host:port" or "[v6]:port"; port 0..65535 (0 = pick a free port, used by tests).
[[nodiscard]] std::optional<Address> parse_address(std::string_view text);

// "1048576", "512KiB", "1MiB", "64kB", "1MB": bytes.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);

// "+989121234567": '+' and 8..15 digits, no leading zero after the '+'.
[[nodiscard]] bool is_e164(std::string_view text) noexcept;

// "sha256:" followed by 64 lower- or upper-case hex digits.
[[nodiscard]] bool is_sha256_hash(std::string_view text) noexcept;

// Edit distance counting adjacent transpositions as one edit, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace bindery::app
