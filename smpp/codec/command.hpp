#pragma once
// SMPP 3.4 command ids and command_status codes, spelled as in the specification.

#include <cstdint>
#include <string_view>

namespace bindery::smpp {

enum class CommandId : std::uint32_t {
    generic_nack = 0x80000000,
    bind_receiver = 0x00000001,
    bind_receiver_resp = 0x80000001,
    bind_transmitter = 0x00000002,
    bind_transmitter_resp = 0x80000002,
    query_sm = 0x00000003,
    query_sm_resp = 0x80000003,
    submit_sm = 0x00000004,
    submit_sm_resp = 0x80000004,
    deliver_sm = 0x00000005,
    deliver_sm_resp = 0x80000005,
    unbind = 0x00000006,
    unbind_resp = 0x80000006,
    replace_sm = 0x00000007,
    replace_sm_resp = 0x80000007,
    cancel_sm = 0x00000008,
    cancel_sm_resp = 0x80000008,
    bind_transceiver = 0x00000009,
    bind_transceiver_resp = 0x80000009,
    outbind = 0x0000000B,
    enquire_link = 0x00000015,
    enquire_link_resp = 0x80000015,
    submit_multi = 0x00000021,
    submit_multi_resp = 0x80000021,
    alert_notification = 0x00000102,
    data_sm = 0x00000103,
    data_sm_resp = 0x80000103,
};

inline constexpr std::uint32_t kResponseBit = 0x80000000U;

[[nodiscard]] constexpr bool is_response(CommandId id) noexcept {
    return (static_cast<std::uint32_t>(id) & kResponseBit) != 0;
}

// True for every command id this codec knows (the SMPP 3.4 set above).
[[nodiscard]] bool is_known(CommandId id) noexcept;

// The response a peer must send for a request, or false when the request has none (outbind,
// alert_notification), the id is a response itself, or unknown.
[[nodiscard]] bool has_response(CommandId request) noexcept;

// request id | 0x80000000. For ids without a response (see has_response) this returns
// generic_nack, which is what a peer answers when it must reject such a PDU.
[[nodiscard]] CommandId response_id_for(CommandId request) noexcept;

// "submit_sm", "deliver_sm_resp", ...; "unknown" for ids outside the table.
[[nodiscard]] std::string_view to_string(CommandId id) noexcept;

enum class CommandStatus : std::uint32_t {
    ESME_ROK = 0x00000000,
    ESME_RINVMSGLEN = 0x00000001,
    ESME_RINVCMDLEN = 0x00000002,
    ESME_RINVCMDID = 0x00000003,
    ESME_RINVBNDSTS = 0x00000004,
    ESME_RALYBND = 0x00000005,
    ESME_RINVPRTFLG = 0x00000006,
    ESME_RINVREGDLVFLG = 0x00000007,
    ESME_RSYSERR = 0x00000008,
    ESME_RINVSRCADR = 0x0000000A,
    ESME_RINVDSTADR = 0x0000000B,
    ESME_RINVMSGID = 0x0000000C,
    ESME_RBINDFAIL = 0x0000000D,
    ESME_RINVPASWD = 0x0000000E,
    ESME_RINVSYSID = 0x0000000F,
    ESME_RCANCELFAIL = 0x00000011,
    ESME_RREPLACEFAIL = 0x00000013,
    ESME_RMSGQFUL = 0x00000014,
    ESME_RINVSERTYP = 0x00000015,
    ESME_RINVNUMDESTS = 0x00000033,
    ESME_RINVDLNAME = 0x00000034,
    ESME_RINVDESTFLAG = 0x00000040,
    ESME_RINVSUBREP = 0x00000042,
    ESME_RINVESMCLASS = 0x00000043,
    ESME_RCNTSUBDL = 0x00000044,
    ESME_RSUBMITFAIL = 0x00000045,
    ESME_RINVSRCTON = 0x00000048,
    ESME_RINVSRCNPI = 0x00000049,
    ESME_RINVDSTTON = 0x00000050,
    ESME_RINVDSTNPI = 0x00000051,
    ESME_RINVSYSTYP = 0x00000053,
    ESME_RINVREPFLAG = 0x00000054,
    ESME_RINVNUMMSGS = 0x00000055,
    ESME_RTHROTTLED = 0x00000058,
    ESME_RINVSCHED = 0x00000061,
    ESME_RINVEXPIRY = 0x00000062,
    ESME_RINVDFTMSGID = 0x00000063,
    ESME_RX_T_APPN = 0x00000064,
    ESME_RX_P_APPN = 0x00000065,
    ESME_RX_R_APPN = 0x00000066,
    ESME_RQUERYFAIL = 0x00000067,
    ESME_RINVOPTPARSTREAM = 0x000000C0,
    ESME_ROPTPARNOTALLWD = 0x000000C1,
    ESME_RINVPARLEN = 0x000000C2,
    ESME_RMISSINGOPTPARAM = 0x000000C3,
    ESME_RINVOPTPARAMVAL = 0x000000C4,
    ESME_RDELIVERYFAILURE = 0x000000FE,
    ESME_RUNKNOWNERR = 0x000000FF,
    // SMPP 5.0 additions, seen from some SMSCs on 3.4 binds.
    ESME_RSERTYPUNAUTH = 0x00000100,
    ESME_RPROHIBITED = 0x00000101,
    ESME_RSERTYPUNAVAIL = 0x00000102,
    ESME_RSERTYPDENIED = 0x00000103,
    ESME_RINVDCS = 0x00000104,
    ESME_RINVSRCADDRSUBUNIT = 0x00000105,
    ESME_RINVDSTADDRSUBUNIT = 0x00000106,
    ESME_RINVBCASTFREQINT = 0x00000107,
    ESME_RINVBCASTALIAS_NAME = 0x00000108,
    ESME_RINVBCASTAREAFMT = 0x00000109,
    ESME_RINVNUMBCAST_AREAS = 0x0000010A,
    ESME_RINVBCASTCNTTYPE = 0x0000010B,
    ESME_RINVBCASTMSGCLASS = 0x0000010C,
};

// The spec name ("ESME_RTHROTTLED"); "vendor-specific" for 0x400-0x4FF, "reserved" otherwise.
[[nodiscard]] std::string_view to_string(CommandStatus status) noexcept;

}  // namespace bindery::smpp
