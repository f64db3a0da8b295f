#include "http-frontend/submit_parser.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "http-frontend/time_format.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;
using Result = Expected<ParsedSubmit, ApiError>;

// Nesting depth outside strings; nlohmann's DOM is built iteratively but a bound keeps memory
// and the error message sane for hostile input.
std::size_t max_depth(std::string_view body) noexcept {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[')
            deepest = std::max(deepest, ++depth);
        else if ((c == '}' || c == ']') && depth > 0)
            --depth;
    }
    return deepest;
}

std::size_t code_points(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (const char c : utf8) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
    }
    return n;
}

bool all_digits(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string type_name(const json& v) { return v.type_name(); }

ApiError wrong_type(std::string_view field, std::string_view expected, const json& got) {
    return bad_request(
        "invalid_type",
        std::string(field) + " must be " + std::string(expected) + ", got " + type_name(got),
        std::string(field));
}

}  // namespace

bool is_plausible_msisdn(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    else if (s.size() > 2 && s.substr(0, 2) == "00")
        s.remove_prefix(2);
    return s.size() >= 6 && s.size() <= 15 && all_digits(s) && s.front() != '0';
}

bool is_valid_sender(std::string_view s) noexcept {
    if (s.empty()) return false;
    std::string_view digits = s;
    if (digits.front() == '+') digits.remove_prefix(1);
    if (all_digits(digits)) return digits.size() <= 16;
    if (s.size() > 11) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == ' ' || c == '.' || c == '-' || c == '_' || c == '&';
    });
}

Result parse_submit(std::string_view body, std::string_view client, const SubmitLimits& limits,
                    router::SystemTime now, std::string_view default_sender) {
    if (max_depth(body) > limits.max_json_depth) {
        return Unexpected(bad_request("malformed_json", "JSON nested too deeply"));
    }
    json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        return Unexpected(bad_request("malformed_json", "body is not valid JSON (UTF-8)"));
    }
    if (!doc.is_object()) {
        return Unexpected(
            bad_request("invalid_type", "body must be a JSON object, got " + type_name(doc)));
    }
    static const std::set<std::string, std::less<>> kKnown = {
        "to",           "from",       "text",         "priority", "validity",
        "scheduled_at", "client_ref", "callback_url", "encoding"};
    for (const auto& item : doc.items()) {
        if (!kKnown.contains(item.key())) {
            return Unexpected(
                unprocessable("unknown_field", "unknown member '" + item.key() + "'", item.key()));
        }
    }

    router::SubmitRequest proto;
    proto.client = std::string(client);

    // to
    std::vector<std::string> to;
    const auto to_it = doc.find("to");
    if (to_it == doc.end() || to_it->is_null()) {
        return Unexpected(unprocessable("missing_field", "to is required", "to"));
    }
    if (to_it->is_string()) {
        to.push_back(to_it->get<std::string>());
    } else if (to_it->is_array()) {
        if (to_it->empty()) {
            return Unexpected(
                unprocessable("missing_field", "to must list at least one number", "to"));
        }
        if (to_it->size() > limits.max_recipients) {
            return Unexpected(unprocessable(
                "too_many_recipients",
                "at most " + std::to_string(limits.max_recipients) + " recipients per request",
                "to"));
        }
        std::size_t i = 0;
        for (const auto& v : *to_it) {
            const std::string field = "to[" + std::to_string(i++) + "]";
            if (!v.is_string()) return Unexpected(wrong_type(field, "a string", v));
            to.push_back(v.get<std::string>());
        }
    } else {
        return Unexpected(wrong_type("to", "a string or an array of strings", *to_it));
    }
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < to.size(); ++i) {
        const std::string field = to_it->is_array() ? "to[" + std::to_string(i) + "]" : "to";
        if (!is_plausible_msisdn(to[i])) {
            return Unexpected(unprocessable(
                "invalid_destination",
                "not a phone number in international form (+ or 00, then 6 to 15 digits)", field));
        }
        if (!seen.insert(to[i]).second) {
            return Unexpected(
                unprocessable("duplicate_destination", "the same number is listed twice", field));
        }
    }

    // from, text
    const auto required_string = [&](const char* name,
                                     std::string& out) -> std::optional<ApiError> {
        const auto it = doc.find(name);
        if (it == doc.end() || it->is_null()) {
            return unprocessable("missing_field", std::string(name) + " is required", name);
        }
        if (!it->is_string()) return wrong_type(name, "a string", *it);
        out = it->get<std::string>();
        return std::nullopt;
    };
    const auto from = doc.find("from");
    const bool from_given = from != doc.end() && !from->is_null() &&
                            !(from->is_string() && from->get_ref<const std::string&>().empty());
    if (!from_given && !default_sender.empty()) {
        proto.sender = std::string(default_sender);
    } else if (auto e = required_string("from", proto.sender)) {
        return Unexpected(std::move(*e));
    }
    if (!is_valid_sender(proto.sender)) {
        return Unexpected(unprocessable(
            "invalid_sender",
            "from must be a number (up to 16 digits) or up to 11 letters, digits, space . - _ &",
            "from"));
    }
    if (auto e = required_string("text", proto.text)) return Unexpected(std::move(*e));
    if (proto.text.empty()) {
        return Unexpected(unprocessable("invalid_text", "text must not be empty", "text"));
    }
    if (code_points(proto.text) > limits.max_text_chars) {
        return Unexpected(unprocessable(
            "text_too_long",
            "text is longer than " + std::to_string(limits.max_text_chars) + " characters",
            "text"));
    }

    // Optional members.
    const auto optional_member = [&](const char* name) -> const json* {
        const auto it = doc.find(name);
        return it == doc.end() || it->is_null() ? nullptr : &*it;
    };
    if (const json* p = optional_member("priority")) {
        if (!p->is_string()) return Unexpected(wrong_type("priority", "a string", *p));
        const auto prio = router::parse_priority(p->get_ref<const std::string&>());
        if (!prio) {
            return Unexpected(unprocessable(
                "invalid_priority", "priority must be express, alert, normal or bulk", "priority"));
        }
        proto.priority = *prio;
    }
    if (const json* v = optional_member("validity")) {
        std::optional<std::chrono::seconds> validity;
        if (v->is_number_unsigned()) {
            const auto n = v->get<std::uint64_t>();
            if (n > 0 && n <= static_cast<std::uint64_t>(limits.max_validity.count())) {
                validity = std::chrono::seconds(static_cast<std::int64_t>(n));
            }
        } else if (v->is_string()) {
            validity = parse_duration(v->get_ref<const std::string&>());
            if (!validity) {
                return Unexpected(unprocessable(
                    "invalid_validity",
                    "validity must be seconds or a duration like \"90m\", \"1h30m\", \"2d\"",
                    "validity"));
            }
        } else if (v->is_number()) {
            return Unexpected(unprocessable("invalid_validity",
                                            "validity must be a positive whole number of seconds",
                                            "validity"));
        } else {
            return Unexpected(
                wrong_type("validity", "a number of seconds or a duration string", *v));
        }
        if (!validity || *validity > limits.max_validity) {
            return Unexpected(unprocessable("invalid_validity",
                                            "validity must be between 1 second and " +
                                                std::to_string(limits.max_validity.count()) +
                                                " seconds",
                                            "validity"));
        }
        proto.validity = validity;
    }
    if (const json* s = optional_member("scheduled_at")) {
        if (!s->is_string())
            return Unexpected(wrong_type("scheduled_at", "an RFC 3339 string", *s));
        const auto at = parse_rfc3339(s->get_ref<const std::string&>());
        if (!at) {
            return Unexpected(unprocessable(
                "invalid_time", "scheduled_at must be RFC 3339, e.g. 2026-01-31T08:00:00Z",
                "scheduled_at"));
        }
        if (*at > now + limits.max_schedule_ahead) {
            return Unexpected(unprocessable(
                "invalid_time",
                "scheduled_at is more than " +
                    std::to_string(limits.max_schedule_ahead.count() / 86400) + " days ahead",
                "scheduled_at"));
        }
        if (*at > now) proto.schedule_at = *at;  // a past time means "now"
    }
    if (const json* r = optional_member("client_ref")) {
        if (!r->is_string()) return Unexpected(wrong_type("client_ref", "a string", *r));
        proto.client_ref = r->get<std::string>();
        if (proto.client_ref.size() > limits.max_client_ref) {
            return Unexpected(unprocessable(
                "invalid_client_ref",
                "client_ref is longer than " + std::to_string(limits.max_client_ref) + " bytes",
                "client_ref"));
        }
    }
    if (const json* u = optional_member("callback_url")) {
        if (!u->is_string()) return Unexpected(wrong_type("callback_url", "a string", *u));
        proto.callback_url = u->get<std::string>();
        const std::string_view url = proto.callback_url;
        const bool scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        const auto host_start = url.find("://") + 3;
        if (!scheme_ok || url.size() <= host_start || url.size() > limits.max_callback_url ||
            url.find_first_of(" \t\r\n") != std::string_view::npos) {
            return Unexpected(unprocessable("invalid_callback_url",
                                            "callback_url must be an http(s) URL", "callback_url"));
        }
    }
    if (const json* e = optional_member("encoding")) {
        if (!e->is_string()) return Unexpected(wrong_type("encoding", "a string", *e));
        const auto& enc = e->get_ref<const std::string&>();
        if (enc != "auto" && enc != "gsm7" && enc != "ucs2") {
            return Unexpected(unprocessable("invalid_encoding",
                                            "encoding must be auto, gsm7 or ucs2", "encoding"));
        }
        if (enc == "gsm7") proto.encoding = router::TextEncoding::gsm7;
        if (enc == "ucs2") proto.encoding = router::TextEncoding::ucs2;
    }

    ParsedSubmit out;
    out.to_is_list = to_it->is_array();
    out.requests.reserve(to.size());
    for (auto& number : to) {
        router::SubmitRequest r = proto;
        r.destination = std::move(number);
        out.requests.push_back(std::move(r));
    }
    return out;
}

}  // namespace bindery::http
