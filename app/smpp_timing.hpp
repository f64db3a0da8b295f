#pragma once
// When a message from an ESME may go and how long it may wait: schedule_delivery_time and
// validity_period of submit_sm / submit_multi (SMPP 3.4 7.1.1, parsed by smpp::parse_time_field),
// qos_time_to_live of data_sm (which has neither field), mapped to the router's SubmitRequest
// schedule_at / validity:
//
//   schedule_delivery_time  malformed, or more than max_schedule_ahead from now -> ESME_RINVSCHED
//                           at or before now -> deliver now (no schedule)
//   validity_period         malformed -> ESME_RINVEXPIRY; "" or all-zero relative -> the router's
//                           default. Otherwise an expiry instant: absolute as given, relative
//                           counted from now (the spec's "SMSC current time", not from the
//                           schedule). The router counts validity from when the message is due
//                           (max(now, schedule)), so validity = expiry - due, rounded up to a
//                           second; an expiry at or before that -> ESME_RINVEXPIRY (it would
//                           expire before it could be sent); longer than max_validity -> capped
//                           at max_validity (as SMSCs cap validity at their maximum).
//   qos_time_to_live        seconds from now (= from due: data_sm has no schedule); 0 -> default;
//                           capped at max_validity.

#include <chrono>
#include <optional>
#include <string_view>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"
#include "smpp/codec/command.hpp"

namespace bindery::app {

struct SubmitTimingLimits {
    // The router's own limits (router::AcceptanceConfig): past them it would refuse the request.
    std::chrono::seconds max_validity{std::chrono::hours(72)};
    std::chrono::seconds max_schedule_ahead{std::chrono::hours(24 * 30)};
};

struct SubmitTiming {
    std::optional<router::SystemTime> schedule_at;  // absent: now
    std::optional<std::chrono::seconds> validity;   // absent: the router's default
};

// submit_sm / submit_multi (also the first part of a concatenated submit).
[[nodiscard]] Expected<SubmitTiming, smpp::CommandStatus> submit_timing(
    std::string_view schedule_delivery_time, std::string_view validity_period,
    router::SystemTime now, const SubmitTimingLimits& limits);
// data_sm: its qos_time_to_live TLV (seconds), if present.
[[nodiscard]] SubmitTiming data_sm_timing(std::optional<std::uint32_t> qos_time_to_live,
                                          const SubmitTimingLimits& limits);

}  // namespace bindery::app
