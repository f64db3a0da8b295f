#include "router/providers/kavenegar_api.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "router/providers/http_client.hpp"

namespace bindery::router {

std::string_view to_string(KavenegarAction a) noexcept {
    switch (a) {
        case KavenegarAction::ok: return "ok";
        case KavenegarAction::temporary: return "temporary";
        case KavenegarAction::throttled: return "throttled";
        case KavenegarAction::permanent: return "permanent";
    }
    return "permanent";
}

namespace {

using A = KavenegarAction;
// kavenegar-api.md §5. Account/config faults are temporary: the message waits (and the breaker
// fails the route over to another carrier) while operators fix the key, line, IP or balance.
constexpr std::array<KavenegarReturnCode, 32> kReturnCodes{{
    {200, A::ok, false, false, "request accepted"},
    {400, A::permanent, false, false, "parameters incomplete"},
    {401, A::temporary, true, false, "account is deactivated"},
    {402, A::temporary, false, false, "operation failed"},
    {403, A::temporary, true, false, "API key not valid"},
    {404, A::permanent, false, false, "unknown method"},
    {405, A::permanent, false, false, "wrong HTTP method"},
    {406, A::permanent, false, false, "required parameters sent empty"},
    {407, A::temporary, true, false, "no access to this data (IP whitelist / permission)"},
    {409, A::temporary, false, false, "server cannot answer now, try later"},
    {411, A::permanent, false, false, "receptor invalid"},
    {412, A::temporary, true, false, "sender invalid (line not yours or inactive)"},
    {413, A::permanent, false, false, "message empty or too long"},
    {414, A::permanent, false, true, "request too large"},
    {415, A::permanent, false, false, "start index larger than total"},
    {416, A::temporary, true, false, "caller IP does not match account settings"},
    {417, A::permanent, false, false, "send date invalid"},
    {418, A::temporary, true, false, "insufficient credit"},
    {419, A::permanent, false, false, "receptor/sender/message arrays differ in length"},
    {420, A::permanent, false, false, "links in message text are restricted for this account"},
    {422, A::permanent, false, false, "data contains invalid characters"},
    {424, A::permanent, false, false, "template not found"},
    {426, A::permanent, true, false, "method needs the advanced service"},
    {427, A::permanent, true, false, "this line needs an access level to be set"},
    {428, A::permanent, false, false, "sending the code by voice call is not possible"},
    {429, A::temporary, true, false, "IP is restricted"},
    {431, A::permanent, false, false, "code structure invalid"},
    {432, A::permanent, false, false, "code parameter not found in message text"},
    {451, A::throttled, false, false, "too many calls in a time window (IP rate-limited)"},
    {501, A::temporary, true, false, "test mode: can only send to the account owner's number"},
    {604, A::permanent, false, true, "too many numbers submitted"},
    {607, A::permanent, false, false, "tag name invalid"},
}};

}  // namespace

std::span<const KavenegarReturnCode> kavenegar_return_codes() noexcept { return kReturnCodes; }

KavenegarReturnCode classify_kavenegar_return(std::int64_t code) noexcept {
    const auto it = std::find_if(kReturnCodes.begin(), kReturnCodes.end(),
                                 [code](const KavenegarReturnCode& c) { return c.code == code; });
    if (it != kReturnCodes.end()) return *it;
    if (code >= 500 && code <= 599)
        return {code, A::temporary, false, false, "undocumented server error"};
    return {code, A::permanent, false, false, "undocumented status"};
}

std::optional<KavenegarMessageState> kavenegar_message_state(std::int64_t status) noexcept {
    using R = ReceiptStatus;
    switch (status) {
        case 1: return KavenegarMessageState{R::enroute, false};   // in send queue
        case 2: return KavenegarMessageState{R::accepted, false};  // scheduled
        case 4:
        case 5: return KavenegarMessageState{R::enroute, false};  // sent to the operator
        case 6: return KavenegarMessageState{R::undeliverable, true};
        case 10: return KavenegarMessageState{R::delivered, true};
        case 11: return KavenegarMessageState{R::undeliverable, true};
        case 13: return KavenegarMessageState{R::deleted, true};   // cancelled, refunded
        case 14: return KavenegarMessageState{R::rejected, true};  // blocked ads line, refunded
        case 100: return KavenegarMessageState{R::unknown, true};  // id unknown to Kavenegar
        default: return std::nullopt;
    }
}

namespace {

std::optional<std::int64_t> as_int(const nlohmann::json& j) {
    if (j.is_number_integer()) return j.get<std::int64_t>();
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (j.is_string()) {  // tolerate "123"
        const auto& s = j.get_ref<const std::string&>();
        if (s.empty() || s.size() > 18 ||
            !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        return std::stoll(s);
    }
    return std::nullopt;
}

}  // namespace

Expected<KavenegarReply, std::string> parse_kavenegar_reply(std::string_view body) {
    auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Unexpected(std::string("not a JSON object"));
    const auto ret = j.find("return");
    if (ret == j.end() || !ret->is_object()) return Unexpected(std::string("no \"return\" object"));
    const auto status = ret->find("status");
    if (status == ret->end()) return Unexpected(std::string("no return.status"));
    const auto code = as_int(*status);
    if (!code) return Unexpected(std::string("return.status is not an integer"));
    KavenegarReply out;
    out.return_status = *code;
    if (const auto m = ret->find("message"); m != ret->end() && m->is_string())
        out.message = m->get<std::string>();
    const auto entries = j.find("entries");
    if (entries != j.end() && entries->is_array()) {
        for (const auto& e : *entries) {
            if (!e.is_object()) return Unexpected(std::string("an entry is not an object"));
            KavenegarEntry entry;
            if (const auto id = e.find("messageid"); id != e.end()) {
                const auto v = as_int(*id);
                if (!v) return Unexpected(std::string("entries[].messageid is not an integer"));
                entry.messageid = *v;
            }
            if (const auto s = e.find("status"); s != e.end())
                entry.status = as_int(*s).value_or(0);
            if (const auto r = e.find("receptor"); r != e.end() && r->is_string())
                entry.receptor = r->get<std::string>();
            out.entries.push_back(std::move(entry));
        }
    }
    return out;
}

std::string kavenegar_receptor(std::string_view e164) {
    std::string digits;
    for (const char c : e164) {
        if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (e164.empty() || e164.front() != '+') return std::string(e164);  // already national/other
    if (digits.rfind("98", 0) == 0) return "0" + digits.substr(2);
    return "00" + digits;
}

std::string json_string_array(std::span<const std::string> items) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : items) a.push_back(s);
    // Invalid UTF-8 is replaced, never thrown: the router already validated the text.
    return a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string kavenegar_send_body(const KavenegarOutgoing& m) {
    std::vector<std::pair<std::string, std::string>> f{{"receptor", m.receptor},
                                                       {"message", m.message}};
    if (!m.sender.empty()) f.emplace_back("sender", m.sender);
    if (!m.localid.empty()) f.emplace_back("localid", m.localid);
    return form_encode(f);
}

std::string kavenegar_sendarray_body(std::span<const KavenegarOutgoing> batch) {
    std::vector<std::string> receptors, senders, messages, localids;
    for (const auto& m : batch) {
        receptors.push_back(m.receptor);
        senders.push_back(m.sender);
        messages.push_back(m.message);
        localids.push_back(m.localid);
    }
    // The PHP SDK names the ids `localmessageid`, a third-party extract `localmessageids`: both are
    // sent (unknown parameters are ignored).
    const auto ids = json_string_array(localids);
    return form_encode({{"receptor", json_string_array(receptors)},
                        {"sender", json_string_array(senders)},
                        {"message", json_string_array(messages)},
                        {"localmessageid", ids},
                        {"localmessageids", ids}});
}

std::string kavenegar_status_body(std::span<const std::int64_t> messageids) {
    std::string ids;
    for (const auto id : messageids) {
        if (!ids.empty()) ids.push_back(',');
        ids += std::to_string(id);
    }
    return form_encode({{"messageid", ids}});
}

}  // namespace bindery::router
