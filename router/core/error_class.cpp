#include "router/core/error_class.hpp"

namespace bindery::router {

std::string_view to_string(ErrorClass c) noexcept {
    switch (c) {
        case ErrorClass::temporary: return "temporary";
        case ErrorClass::throttled: return "throttled";
        case ErrorClass::permanent: return "permanent";
    }
    return "temporary";
}

std::string_view to_string(ReceiptStatus s) noexcept {
    switch (s) {
        case ReceiptStatus::enroute: return "ENROUTE";
        case ReceiptStatus::accepted: return "ACCEPTD";
        case ReceiptStatus::delivered: return "DELIVRD";
        case ReceiptStatus::expired: return "EXPIRED";
        case ReceiptStatus::deleted: return "DELETED";
        case ReceiptStatus::undeliverable: return "UNDELIV";
        case ReceiptStatus::unknown: return "UNKNOWN";
        case ReceiptStatus::rejected: return "REJECTD";
    }
    return "UNKNOWN";
}

StatusMap::StatusMap(std::vector<StatusMapConfig> kinds) {
    for (auto& k : defaults()) kinds_.insert_or_assign(k.kind, std::move(k));
    for (auto& k : kinds) kinds_.insert_or_assign(k.kind, std::move(k));
}

std::vector<StatusMapConfig> StatusMap::defaults() {
    using E = ErrorClass;
    StatusMapConfig smpp{"smpp", {}, E::temporary};
    // Back-pressure: ESME_RMSGQFUL, ESME_RTHROTTLED.
    smpp.codes.push_back({0x14, 0x14, E::throttled});
    smpp.codes.push_back({0x58, 0x58, E::throttled});
    // Transient: ESME_RINVBNDSTS (rebind), ESME_RSYSERR, ESME_RX_T_APPN, ESME_RUNKNOWNERR.
    smpp.codes.push_back({0x04, 0x04, E::temporary});
    smpp.codes.push_back({0x08, 0x08, E::temporary});
    smpp.codes.push_back({0x64, 0x64, E::temporary});
    smpp.codes.push_back({0xFF, 0xFF, E::temporary});
    // Permanent: message format / address / parameter errors.
    for (const auto& r : std::vector<std::pair<std::int64_t, std::int64_t>>{{0x01, 0x03},
                                                                            {0x0A, 0x0B},
                                                                            {0x43, 0x43},
                                                                            {0x45, 0x45},
                                                                            {0x48, 0x51},
                                                                            {0x61, 0x62},
                                                                            {0x65, 0x66},
                                                                            {0xC0, 0xC4}}) {
        smpp.codes.push_back({r.first, r.second, E::permanent});
    }

    StatusMapConfig http{"http", {}, E::temporary};
    http.codes.push_back({429, 429, E::throttled});
    http.codes.push_back({408, 408, E::temporary});
    http.codes.push_back({400, 499, E::permanent});
    http.codes.push_back({500, 599, E::temporary});

    // Kavenegar return.status (kavenegar-api.md §5): 409 "try later" and 402 "operation failed"
    // temporary, 451 rate limit throttled, 418 credit/config faults temporary (operators top up),
    // receptor/message faults permanent, 5xx temporary.
    StatusMapConfig kavenegar{"kavenegar", {}, E::permanent};
    kavenegar.codes.push_back({402, 402, E::temporary});
    kavenegar.codes.push_back({409, 409, E::temporary});
    kavenegar.codes.push_back({418, 418, E::temporary});
    kavenegar.codes.push_back({451, 451, E::throttled});
    kavenegar.codes.push_back({401, 401, E::temporary});  // account deactivated: alert, keep
    kavenegar.codes.push_back({403, 403, E::temporary});  // key invalid: config fix, keep
    kavenegar.codes.push_back({407, 407, E::temporary});
    kavenegar.codes.push_back({412, 412, E::temporary});
    kavenegar.codes.push_back({416, 416, E::temporary});
    kavenegar.codes.push_back({429, 429, E::temporary});  // IP restricted: config
    kavenegar.codes.push_back({500, 599, E::temporary});
    return {std::move(smpp), std::move(http), std::move(kavenegar)};
}

ErrorClass StatusMap::classify(std::string_view kind, const SendError& error) const noexcept {
    switch (error.kind) {
        case SendErrorKind::timeout:
        case SendErrorKind::connection:
        case SendErrorKind::not_sent: return ErrorClass::temporary;
        case SendErrorKind::throttled: return ErrorClass::throttled;
        case SendErrorKind::rejected_local: return ErrorClass::permanent;
        case SendErrorKind::status: break;
    }
    const auto it = kinds_.find(kind);
    if (it == kinds_.end()) return ErrorClass::temporary;
    for (const auto& r : it->second.codes) {
        if (error.code >= r.first && error.code <= r.last) return r.error_class;
    }
    return it->second.fallback;
}

}  // namespace bindery::router
