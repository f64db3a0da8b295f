#include "app/config_values.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

namespace bindery::app {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    if (text == "0") return Millis{0};
    if (text.empty()) return std::nullopt;
    std::uint64_t total = 0;
    constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
    std::size_t i = 0;
    while (i < text.size()) {
        std::uint64_t value = 0;
        const auto* begin = text.data() + i;
        const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
        if (ec != std::errc{} || end == begin) return std::nullopt;
        i = static_cast<std::size_t>(end - text.data());
        std::size_t unit_end = i;
        while (unit_end < text.size() && !is_digit(text[unit_end])) ++unit_end;
        const auto unit = text.substr(i, unit_end - i);
        std::uint64_t scale = 0;
        if (unit == "ms")
            scale = 1;
        else if (unit == "s")
            scale = 1000;
        else if (unit == "m")
            scale = 60'000;
        else if (unit == "h")
            scale = 3'600'000;
        else if (unit == "d")
            scale = 86'400'000;
        else
            return std::nullopt;
        if (value > kMax / scale) return std::nullopt;
        total += value * scale;
        if (total > kMax) return std::nullopt;
        i = unit_end;
    }
    return Millis{static_cast<Millis::rep>(total)};
}

std::string format_duration(Millis d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::optional<Address> parse_address(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (host.empty()) return std::nullopt;
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.empty() || host.find(':') != std::string_view::npos) return std::nullopt;
        for (char c : host) {
            if (c == ' ' || c == '/' || c == '\t') return std::nullopt;
        }
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return std::nullopt;
    return Address{std::string(host), static_cast<std::uint16_t>(value)};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    const auto unit = text.substr(static_cast<std::size_t>(end - text.data()));
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B")
        scale = 1;
    else if (unit == "kB" || unit == "KB")
        scale = 1000;
    else if (unit == "KiB")
        scale = 1024;
    else if (unit == "MB")
        scale = 1000ULL * 1000;
    else if (unit == "MiB")
        scale = 1024ULL * 1024;
    else if (unit == "GB")
        scale = 1000ULL * 1000 * 1000;
    else if (unit == "GiB")
        scale = 1024ULL * 1024 * 1024;
    else
        return std::nullopt;
    if (value > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
    return value * scale;
}

bool is_e164(std::string_view text) noexcept {
    if (text.size() < 9 || text.size() > 16 || text.front() != '+' || text[1] == '0') return false;
    return std::all_of(text.begin() + 1, text.end(), is_digit);
}

bool is_sha256_hash(std::string_view text) noexcept {
    constexpr std::string_view kPrefix = "sha256:";
    if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix)
        return false;
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), text.end(),
                       is_hex);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
    // ("levle" -> "level") each cost one.
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * w + j]; };
    for (std::size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
    for (std::size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return at(a.size(), b.size());
}

std::string Address::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace bindery::app
