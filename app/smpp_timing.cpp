#include "app/smpp_timing.hpp"

#include <algorithm>

#include "smpp/codec/time_field.hpp"

namespace bindery::app {

using smpp::CommandStatus;

Expected<SubmitTiming, CommandStatus> submit_timing(std::string_view schedule_delivery_time,
                                                    std::string_view validity_period,
                                                    router::SystemTime now,
                                                    const SubmitTimingLimits& limits) {
    using namespace std::chrono;
    SubmitTiming t;
    auto schedule = smpp::parse_time_field(schedule_delivery_time, now);
    if (!schedule) return Unexpected(CommandStatus::ESME_RINVSCHED);
    if (*schedule) {
        const auto at = (*schedule)->at;
        if (at > now + limits.max_schedule_ahead) return Unexpected(CommandStatus::ESME_RINVSCHED);
        if (at > now) t.schedule_at = at;
    }
    auto validity = smpp::parse_time_field(validity_period, now);
    if (!validity) return Unexpected(CommandStatus::ESME_RINVEXPIRY);
    if (*validity) {
        const auto& v = **validity;
        // "000000000000000R": a zero period, which ESMEs send for "the SMSC's default".
        if (v.kind == smpp::TimeFieldKind::relative && v.at == now) return t;
        const auto due = t.schedule_at.value_or(now);
        if (v.at <= due) return Unexpected(CommandStatus::ESME_RINVEXPIRY);
        t.validity = std::min(ceil<seconds>(v.at - due), limits.max_validity);
    }
    return t;
}

SubmitTiming data_sm_timing(std::optional<std::uint32_t> qos_time_to_live,
                            const SubmitTimingLimits& limits) {
    SubmitTiming t;
    if (qos_time_to_live && *qos_time_to_live > 0) {
        t.validity = std::min(std::chrono::seconds(*qos_time_to_live), limits.max_validity);
    }
    return t;
}

}  // namespace bindery::app
