#pragma once
// ByteView: a borrowed run of octets (std::span) that also compares by content, so PDU bodies can
// default their operator==.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace bindery::smpp {

class ByteView : public std::span<const std::uint8_t> {
public:
    using std::span<const std::uint8_t>::span;
    constexpr ByteView() noexcept = default;
    constexpr ByteView(std::span<const std::uint8_t> s) noexcept  // NOLINT: implicit by design
        : std::span<const std::uint8_t>(s) {}

    // The same octets seen as characters (for text payloads and logs).
    [[nodiscard]] std::string_view as_chars() const noexcept {
        return empty() ? std::string_view{}
                       : std::string_view(reinterpret_cast<const char*>(data()), size());
    }

    friend bool operator==(const ByteView& a, const ByteView& b) noexcept {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
};

// Octets of a string (no NUL): handy for building short_message / TLV values from text.
[[nodiscard]] inline ByteView as_bytes(std::string_view s) noexcept {
    return s.empty() ? ByteView{}
                     : ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace bindery::smpp
