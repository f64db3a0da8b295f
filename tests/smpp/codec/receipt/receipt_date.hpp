#pragma once
// Test support: a ReceiptDate from its fields (seconds only when given).

#include "smpp/codec/receipt/receipt.hpp"

#include <cstdint>
#include <optional>

namespace bindery::smpp::test {

inline ReceiptDate date(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                        std::optional<unsigned> s = std::nullopt) {
    ReceiptDate r;
    r.year = static_cast<std::uint16_t>(y);
    r.month = static_cast<std::uint8_t>(mo);
    r.day = static_cast<std::uint8_t>(d);
    r.hour = static_cast<std::uint8_t>(h);
    r.minute = static_cast<std::uint8_t>(mi);
    if (s) r.second = static_cast<std::uint8_t>(*s);
    return r;
}

}  // namespace bindery::smpp::test
