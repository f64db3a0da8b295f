#pragma once
// Message ids as the soak keeps them: UUIDs as 16 octets (an hour at 500/s is 1.8 M of them).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bindery::soak {

using Id = std::array<std::uint8_t, 16>;

// "0f1e2d3c-..." (lower-case hex, dashes anywhere) -> 16 octets; anything else: nullopt.
inline std::optional<Id> parse_id(std::string_view s) {
    Id id{};
    std::size_t n = 0;
    for (const char c : s) {
        if (c == '-') continue;
        int v = -1;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        if (v < 0 || n >= 32) return std::nullopt;
        id[n / 2] = static_cast<std::uint8_t>(id[n / 2] | (n % 2 == 0 ? v << 4 : v));
        ++n;
    }
    if (n != 32) return std::nullopt;
    return id;
}

}  // namespace bindery::soak
