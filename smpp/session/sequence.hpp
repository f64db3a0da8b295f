#pragma once
// Per-session sequence numbers (SMPP 3.4 §10): each side numbers the requests it sends from
// 0x00000001 to 0x7FFFFFFF and wraps back to 1; 0 is never issued. One counter per Session, never
// a global one.

#include <cstdint>

namespace bindery::smpp {

class SequenceNumbers {
public:
    static constexpr std::uint32_t kFirst = 0x00000001U;
    static constexpr std::uint32_t kLast = 0x7FFFFFFFU;

    constexpr SequenceNumbers() noexcept = default;
    // Starts at `first` (values outside 1..0x7FFFFFFF start at 1): lets tests begin near the wrap.
    explicit constexpr SequenceNumbers(std::uint32_t first) noexcept
        : next_(valid(first) ? first : kFirst) {}

    // The number to use for the next request; advances the counter.
    [[nodiscard]] constexpr std::uint32_t next() noexcept {
        const std::uint32_t n = next_;
        next_ = (n >= kLast) ? kFirst : n + 1;
        return n;
    }
    // The number next() would return, without advancing.
    [[nodiscard]] constexpr std::uint32_t peek() const noexcept { return next_; }

    [[nodiscard]] static constexpr bool valid(std::uint32_t n) noexcept {
        return n >= kFirst && n <= kLast;
    }

private:
    std::uint32_t next_ = kFirst;
};

}  // namespace bindery::smpp
