#pragma once
// Internal to the codec: big-endian reads over a borrowed span and writes through a sink.
// Not part of the public API.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "smpp/codec/bytes.hpp"

namespace bindery::smpp::wire {

[[nodiscard]] inline std::uint16_t load_u16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
[[nodiscard]] inline std::uint32_t load_u32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

enum class CStringResult : std::uint8_t { ok, missing_nul, too_long };

// Finds the C-octet string at the start of `in` (max includes the NUL). On ok, `out` is the text
// without its NUL and `consumed` counts the NUL too.
[[nodiscard]] inline CStringResult scan_cstring(std::span<const std::uint8_t> in, std::size_t max,
                                                std::string_view& out,
                                                std::size_t& consumed) noexcept {
    const std::size_t window = in.size() < max ? in.size() : max;
    const void* nul = window == 0 ? nullptr : std::memchr(in.data(), 0, window);
    if (nul == nullptr) {
        return in.size() >= max ? CStringResult::too_long : CStringResult::missing_nul;
    }
    const auto len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - in.data());
    out = std::string_view(reinterpret_cast<const char*>(in.data()), len);
    consumed = len + 1;
    return CStringResult::ok;
}

// Sinks for the two encode passes: one counts, one writes (the size was checked beforehand).
struct CountingSink {
    std::size_t size = 0;
    void u8(std::uint8_t) noexcept { ++size; }
    void u16(std::uint16_t) noexcept { size += 2; }
    void u32(std::uint32_t) noexcept { size += 4; }
    void bytes(std::span<const std::uint8_t> b) noexcept { size += b.size(); }
    void chars(std::string_view s) noexcept { size += s.size(); }
};

struct SpanSink {
    std::uint8_t* p = nullptr;
    void u8(std::uint8_t v) noexcept { *p++ = v; }
    void u16(std::uint16_t v) noexcept {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
        p += 2;
    }
    void u32(std::uint32_t v) noexcept {
        p[0] = static_cast<std::uint8_t>(v >> 24);
        p[1] = static_cast<std::uint8_t>(v >> 16);
        p[2] = static_cast<std::uint8_t>(v >> 8);
        p[3] = static_cast<std::uint8_t>(v);
        p += 4;
    }
    void bytes(std::span<const std::uint8_t> b) noexcept {
        if (!b.empty()) std::memcpy(p, b.data(), b.size());
        p += b.size();
    }
    void chars(std::string_view s) noexcept {
        if (!s.empty()) std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
};

}  // namespace bindery::smpp::wire
