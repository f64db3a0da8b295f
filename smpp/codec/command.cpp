#include "smpp/codec/command.hpp"

namespace bindery::smpp {

std::string_view to_string(CommandId id) noexcept {
    switch (id) {
        case CommandId::generic_nack: return "generic_nack";
        case CommandId::bind_receiver: return "bind_receiver";
        case CommandId::bind_receiver_resp: return "bind_receiver_resp";
        case CommandId::bind_transmitter: return "bind_transmitter";
        case CommandId::bind_transmitter_resp: return "bind_transmitter_resp";
        case CommandId::query_sm: return "query_sm";
        case CommandId::query_sm_resp: return "query_sm_resp";
        case CommandId::submit_sm: return "submit_sm";
        case CommandId::submit_sm_resp: return "submit_sm_resp";
        case CommandId::deliver_sm: return "deliver_sm";
        case CommandId::deliver_sm_resp: return "deliver_sm_resp";
        case CommandId::unbind: return "unbind";
        case CommandId::unbind_resp: return "unbind_resp";
        case CommandId::replace_sm: return "replace_sm";
        case CommandId::replace_sm_resp: return "replace_sm_resp";
        case CommandId::cancel_sm: return "cancel_sm";
        case CommandId::cancel_sm_resp: return "cancel_sm_resp";
        case CommandId::bind_transceiver: return "bind_transceiver";
        case CommandId::bind_transceiver_resp: return "bind_transceiver_resp";
        case CommandId::outbind: return "outbind";
        case CommandId::enquire_link: return "enquire_link";
        case CommandId::enquire_link_resp: return "enquire_link_resp";
        case CommandId::submit_multi: return "submit_multi";
        case CommandId::submit_multi_resp: return "submit_multi_resp";
        case CommandId::alert_notification: return "alert_notification";
        case CommandId::data_sm: return "data_sm";
        case CommandId::data_sm_resp: return "data_sm_resp";
    }
    return "unknown";
}

bool is_known(CommandId id) noexcept { return to_string(id) != "unknown"; }

bool has_response(CommandId request) noexcept {
    if (!is_known(request) || is_response(request)) return false;
    return request != CommandId::outbind && request != CommandId::alert_notification;
}

CommandId response_id_for(CommandId request) noexcept {
    if (!has_response(request)) return CommandId::generic_nack;
    return static_cast<CommandId>(static_cast<std::uint32_t>(request) | kResponseBit);
}

std::string_view to_string(CommandStatus status) noexcept {
    switch (status) {
#define BINDERY_STATUS(name) \
    case CommandStatus::name: return #name;
        BINDERY_STATUS(ESME_ROK)
        BINDERY_STATUS(ESME_RINVMSGLEN)
        BINDERY_STATUS(ESME_RINVCMDLEN)
        BINDERY_STATUS(ESME_RINVCMDID)
        BINDERY_STATUS(ESME_RINVBNDSTS)
        BINDERY_STATUS(ESME_RALYBND)
        BINDERY_STATUS(ESME_RINVPRTFLG)
        BINDERY_STATUS(ESME_RINVREGDLVFLG)
        BINDERY_STATUS(ESME_RSYSERR)
        BINDERY_STATUS(ESME_RINVSRCADR)
        BINDERY_STATUS(ESME_RINVDSTADR)
        BINDERY_STATUS(ESME_RINVMSGID)
        BINDERY_STATUS(ESME_RBINDFAIL)
        BINDERY_STATUS(ESME_RINVPASWD)
        BINDERY_STATUS(ESME_RINVSYSID)
        BINDERY_STATUS(ESME_RCANCELFAIL)
        BINDERY_STATUS(ESME_RREPLACEFAIL)
        BINDERY_STATUS(ESME_RMSGQFUL)
        BINDERY_STATUS(ESME_RINVSERTYP)
        BINDERY_STATUS(ESME_RINVNUMDESTS)
        BINDERY_STATUS(ESME_RINVDLNAME)
        BINDERY_STATUS(ESME_RINVDESTFLAG)
        BINDERY_STATUS(ESME_RINVSUBREP)
        BINDERY_STATUS(ESME_RINVESMCLASS)
        BINDERY_STATUS(ESME_RCNTSUBDL)
        BINDERY_STATUS(ESME_RSUBMITFAIL)
        BINDERY_STATUS(ESME_RINVSRCTON)
        BINDERY_STATUS(ESME_RINVSRCNPI)
        BINDERY_STATUS(ESME_RINVDSTTON)
        BINDERY_STATUS(ESME_RINVDSTNPI)
        BINDERY_STATUS(ESME_RINVSYSTYP)
        BINDERY_STATUS(ESME_RINVREPFLAG)
        BINDERY_STATUS(ESME_RINVNUMMSGS)
        BINDERY_STATUS(ESME_RTHROTTLED)
        BINDERY_STATUS(ESME_RINVSCHED)
        BINDERY_STATUS(ESME_RINVEXPIRY)
        BINDERY_STATUS(ESME_RINVDFTMSGID)
        BINDERY_STATUS(ESME_RX_T_APPN)
        BINDERY_STATUS(ESME_RX_P_APPN)
        BINDERY_STATUS(ESME_RX_R_APPN)
        BINDERY_STATUS(ESME_RQUERYFAIL)
        BINDERY_STATUS(ESME_RINVOPTPARSTREAM)
        BINDERY_STATUS(ESME_ROPTPARNOTALLWD)
        BINDERY_STATUS(ESME_RINVPARLEN)
        BINDERY_STATUS(ESME_RMISSINGOPTPARAM)
        BINDERY_STATUS(ESME_RINVOPTPARAMVAL)
        BINDERY_STATUS(ESME_RDELIVERYFAILURE)
        BINDERY_STATUS(ESME_RUNKNOWNERR)
        BINDERY_STATUS(ESME_RSERTYPUNAUTH)
        BINDERY_STATUS(ESME_RPROHIBITED)
        BINDERY_STATUS(ESME_RSERTYPUNAVAIL)
        BINDERY_STATUS(ESME_RSERTYPDENIED)
        BINDERY_STATUS(ESME_RINVDCS)
        BINDERY_STATUS(ESME_RINVSRCADDRSUBUNIT)
        BINDERY_STATUS(ESME_RINVDSTADDRSUBUNIT)
        BINDERY_STATUS(ESME_RINVBCASTFREQINT)
        BINDERY_STATUS(ESME_RINVBCASTALIAS_NAME)
        BINDERY_STATUS(ESME_RINVBCASTAREAFMT)
        BINDERY_STATUS(ESME_RINVNUMBCAST_AREAS)
        BINDERY_STATUS(ESME_RINVBCASTCNTTYPE)
        BINDERY_STATUS(ESME_RINVBCASTMSGCLASS)
#undef BINDERY_STATUS
    }
    const auto v = static_cast<std::uint32_t>(status);
    if (v >= 0x400 && v <= 0x4FF) return "vendor-specific";
    return "reserved";
}

}  // namespace bindery::smpp
