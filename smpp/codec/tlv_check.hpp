#pragma once
// Internal to the codec: structural and length checks of a TLV run, shared by decode and encode.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "smpp/codec/bytes.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/tlv.hpp"

namespace bindery::smpp {

struct TlvProblem {
    DecodeErrc code = DecodeErrc::tlv_truncated;
    std::size_t offset = 0;  // from the start of the TLV run
    std::uint16_t tag = 0;
};

// nullopt when `wire` is a well-formed run of TLVs whose standard tags have legal lengths and
// whose SAR set is complete.
[[nodiscard]] std::optional<TlvProblem> check_tlvs(ByteView wire) noexcept;

}  // namespace bindery::smpp
