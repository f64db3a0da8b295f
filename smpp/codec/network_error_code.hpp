#pragma once
// network_error_code TLV (0x0423) value: 1 octet network type + 2 octets error code. A plain
// header-only value shared by the TLV accessors (smpp/codec/tlv.hpp) and the receipt parser
// (smpp/codec/receipt/), which must not depend on each other's libraries.

#include <cstdint>

namespace bindery::smpp {

struct NetworkErrorCode {
    std::uint8_t network_type = 0;  // 1 ANSI-136, 2 IS-95, 3 GSM, ... 7 SMPP, 8 MC-specific
    std::uint16_t error_code = 0;
    friend bool operator==(const NetworkErrorCode&, const NetworkErrorCode&) = default;
};

}  // namespace bindery::smpp
