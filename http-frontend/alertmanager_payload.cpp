#include "http-frontend/alertmanager_payload.hpp"

#include <nlohmann/json.hpp>

#include "http-frontend/time_format.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;

// Reads an object of string -> string. Absent or null: empty. Non-string values are an error
// (Alertmanager only sends strings).
bool label_set(const json& parent, const char* key, LabelSet& out, const std::string& where,
               std::string& error) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return true;
    if (!it->is_object()) {
        error = where + key + ": expected an object of strings";
        return false;
    }
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) {
            error = where + key + "." + k + ": expected a string";
            return false;
        }
        out.emplace(k, v.get<std::string>());
    }
    return true;
}

bool string_field(const json& parent, const char* key, std::string& out, bool required,
                  const std::string& where, std::string& error) {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) {
        if (required) error = where + key + ": missing";
        return !required;
    }
    if (!it->is_string()) {
        error = where + key + ": expected a string";
        return false;
    }
    out = it->get<std::string>();
    return true;
}

bool is_status(std::string_view s) { return s == "firing" || s == "resolved"; }

// FNV-1a over the sorted label pairs: a stable stand-in when a sender omits the fingerprint.
std::string label_fingerprint(const LabelSet& labels) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::string_view s) {
        for (const char c : s) {
            h ^= static_cast<unsigned char>(c);
            h *= 0x100000001b3ULL;
        }
        h ^= 0xff;
        h *= 0x100000001b3ULL;
    };
    for (const auto& [k, v] : labels) {
        mix(k);
        mix(v);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = kHex[h & 0xFU];
        h >>= 4U;
    }
    return out;
}

}  // namespace

std::string unquote_meta(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char n = s[i + 1];
            if (std::string_view(R"(\.+*?()|[]{}^$)").find(n) != std::string_view::npos) {
                out.push_back(n);
                ++i;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

Expected<AlertmanagerPayload, std::string> parse_alertmanager_payload(std::string_view body,
                                                                      const PayloadLimits& limits) {
    const json j = json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) return Unexpected(std::string("body is not valid JSON"));
    if (!j.is_object()) return Unexpected(std::string("body: expected a JSON object"));

    AlertmanagerPayload p;
    std::string error;
    const std::string top;
    if (!string_field(j, "version", p.version, true, top, error)) return Unexpected(error);
    if (p.version != "4") return Unexpected("version: expected \"4\", got \"" + p.version + "\"");
    if (!string_field(j, "groupKey", p.group_key, true, top, error)) return Unexpected(error);
    std::string receiver;
    if (!string_field(j, "receiver", receiver, true, top, error)) return Unexpected(error);
    p.receiver = unquote_meta(receiver);
    if (p.receiver.empty()) return Unexpected(std::string("receiver: empty"));
    if (!string_field(j, "status", p.status, true, top, error)) return Unexpected(error);
    if (!is_status(p.status))
        return Unexpected(std::string("status: expected \"firing\" or \"resolved\""));
    if (!string_field(j, "externalURL", p.external_url, false, top, error))
        return Unexpected(error);
    if (const auto t = j.find("truncatedAlerts"); t != j.end() && !t->is_null()) {
        if (!t->is_number_unsigned() || t->get<std::uint64_t>() > 0xFFFFFFFFULL) {
            return Unexpected(std::string("truncatedAlerts: expected a non-negative integer"));
        }
        p.truncated_alerts = static_cast<std::uint32_t>(t->get<std::uint64_t>());
    }
    if (!label_set(j, "groupLabels", p.group_labels, top, error) ||
        !label_set(j, "commonLabels", p.common_labels, top, error) ||
        !label_set(j, "commonAnnotations", p.common_annotations, top, error)) {
        return Unexpected(error);
    }
    const auto alerts = j.find("alerts");
    if (alerts == j.end() || !alerts->is_array())
        return Unexpected(std::string("alerts: expected an array"));
    if (alerts->empty()) return Unexpected(std::string("alerts: empty"));
    if (alerts->size() > limits.max_alerts) {
        return Unexpected("alerts: more than " + std::to_string(limits.max_alerts) + " alerts");
    }
    p.alerts.reserve(alerts->size());
    std::size_t index = 0;
    for (const auto& a : *alerts) {
        const std::string where = "alerts[" + std::to_string(index++) + "].";
        if (!a.is_object())
            return Unexpected(where.substr(0, where.size() - 1) + ": expected an object");
        AlertmanagerAlert alert;
        if (!string_field(a, "status", alert.status, true, where, error)) return Unexpected(error);
        if (!is_status(alert.status))
            return Unexpected(where + "status: expected \"firing\" or \"resolved\"");
        if (!label_set(a, "labels", alert.labels, where, error) ||
            !label_set(a, "annotations", alert.annotations, where, error)) {
            return Unexpected(error);
        }
        if (alert.labels.empty()) return Unexpected(where + "labels: empty");
        if (!string_field(a, "startsAt", alert.starts_at_text, true, where, error))
            return Unexpected(error);
        const auto starts = parse_rfc3339(alert.starts_at_text);
        if (!starts) return Unexpected(where + "startsAt: not an RFC 3339 time");
        alert.starts_at = *starts;
        std::string ends;
        if (!string_field(a, "endsAt", ends, false, where, error)) return Unexpected(error);
        // Go's zero time (0001-01-01T00:00:00Z) means "not ended"; parse_rfc3339 refuses years
        // before 1970, which is what we want here.
        if (!ends.empty() && ends.rfind("0001-", 0) != 0) {
            const auto e = parse_rfc3339(ends);
            if (!e) return Unexpected(where + "endsAt: not an RFC 3339 time");
            alert.ends_at = *e;
        }
        if (!string_field(a, "generatorURL", alert.generator_url, false, where, error))
            return Unexpected(error);
        if (!string_field(a, "fingerprint", alert.fingerprint, false, where, error))
            return Unexpected(error);
        if (alert.fingerprint.empty()) alert.fingerprint = label_fingerprint(alert.labels);
        p.alerts.push_back(std::move(alert));
    }
    return p;
}

}  // namespace bindery::http
