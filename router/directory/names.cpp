#include "router/directory/alert_ledger.hpp"
#include "router/directory/directory.hpp"

#include <utility>

namespace bindery::router {

std::string_view to_string(DirectoryErrc e) noexcept {
    switch (e) {
        case DirectoryErrc::unknown_group: return "unknown_group";
        case DirectoryErrc::ambiguous_group: return "ambiguous_group";
        case DirectoryErrc::unauthorized: return "unauthorized";
        case DirectoryErrc::forbidden: return "forbidden";
        case DirectoryErrc::unavailable: return "unavailable";
        case DirectoryErrc::bad_response: return "bad_response";
    }
    return "unavailable";
}

std::string_view to_string(MembersSource s) noexcept {
    switch (s) {
        case MembersSource::live: return "live";
        case MembersSource::cache: return "cache";
        case MembersSource::stale: return "stale";
    }
    return "live";
}

namespace {
constexpr std::pair<AlertOutcome, std::string_view> kOutcomes[] = {
    {AlertOutcome::sent, "sent"},
    {AlertOutcome::duplicate, "duplicate"},
    {AlertOutcome::filtered, "filtered"},
    {AlertOutcome::not_wanted, "not_wanted"},
    {AlertOutcome::no_recipients, "no_recipients"},
    {AlertOutcome::unknown_receiver, "unknown_receiver"},
};
}  // namespace

std::string_view to_string(AlertOutcome o) noexcept {
    for (const auto& [v, s] : kOutcomes) {
        if (v == o) return s;
    }
    return "sent";
}

std::optional<AlertOutcome> parse_alert_outcome(std::string_view s) noexcept {
    for (const auto& [v, n] : kOutcomes) {
        if (n == s) return v;
    }
    return std::nullopt;
}

}  // namespace bindery::router
