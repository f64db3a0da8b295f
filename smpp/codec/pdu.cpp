#include "smpp/codec/pdu.hpp"

#include "smpp/codec/wire.hpp"

namespace bindery::smpp {

std::size_t parse_entry(ByteView wire, DestAddress& out) noexcept {
    if (wire.empty()) return 0;
    out = DestAddress{};
    std::size_t consumed = 0;
    if (wire[0] == static_cast<std::uint8_t>(DestFlag::sme_address)) {
        if (wire.size() < 3) return 0;
        out.dest_flag = DestFlag::sme_address;
        out.dest_addr_ton = wire[1];
        out.dest_addr_npi = wire[2];
        if (wire::scan_cstring(wire.subspan(3), field_max::address, out.destination_addr,
                               consumed) != wire::CStringResult::ok) {
            return 0;
        }
        return 3 + consumed;
    }
    if (wire[0] == static_cast<std::uint8_t>(DestFlag::distribution_list)) {
        out.dest_flag = DestFlag::distribution_list;
        if (wire::scan_cstring(wire.subspan(1), field_max::address, out.dl_name, consumed) !=
            wire::CStringResult::ok) {
            return 0;
        }
        return 1 + consumed;
    }
    return 0;
}

std::size_t parse_entry(ByteView wire, UnsuccessSme& out) noexcept {
    if (wire.size() < 2) return 0;
    out = UnsuccessSme{};
    out.dest_addr_ton = wire[0];
    out.dest_addr_npi = wire[1];
    std::size_t consumed = 0;
    if (wire::scan_cstring(wire.subspan(2), field_max::address, out.destination_addr, consumed) !=
        wire::CStringResult::ok) {
        return 0;
    }
    if (wire.size() < 2 + consumed + 4) return 0;
    out.error_status_code = static_cast<CommandStatus>(wire::load_u32(wire.data() + 2 + consumed));
    return 2 + consumed + 4;
}

}  // namespace bindery::smpp
