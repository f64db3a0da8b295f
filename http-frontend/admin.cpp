#include "http-frontend/admin.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <deque>

#include <nlohmann/json.hpp>

#include "http-frontend/alertmanager_receiver.hpp"
#include "http-frontend/admin_credits.hpp"
#include "http-frontend/query_string.hpp"
#include "http-frontend/time_format.hpp"
#include "http-frontend/ui.hpp"

namespace bindery::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

constexpr std::uint32_t kDefaultLimit = 50;
constexpr std::uint32_t kMaxLimit = 1000;
constexpr std::size_t kMaxRetryBatch = 1000;
constexpr std::uint32_t kDefaultAlerts = 20;
constexpr std::uint32_t kMaxAlerts = 200;
// `recent`: pages read forward from `since` to find the newest messages; bounded.
constexpr std::uint32_t kRecentPage = 1000;
constexpr int kRecentMaxPages = 50;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Response error(unsigned status, std::string code, std::string message, const Request& req,
               std::string field = {}) {
    return ApiHandler::error_response(
        {status, std::move(code), std::move(message), std::move(field), {}}, req.version(),
        req.keep_alive());
}

Response ok(const json& body, const Request& req) {
    return ApiHandler::json_response(200, dump(body), req.version(), req.keep_alive());
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json carrier_json(const AdminCarrier& c) {
    return {{"name", c.name},
            {"kind", c.kind},
            {"ready", c.ready},
            {"paused", c.paused},
            {"breaker", c.breaker},
            {"binds_configured", c.binds_configured},
            {"binds_up", c.binds_up},
            {"state", c.paused                                    ? "paused"
                      : c.binds_up == 0 && c.binds_configured > 0 ? "down"
                      : c.binds_up < c.binds_configured           ? "degraded"
                                                                  : "bound"},
            {"in_flight", c.in_flight},
            {"window", c.window},
            {"queued", c.queued},
            {"sends_ok", c.sends_ok},
            {"sends_failed", c.sends_failed},
            {"throttled", c.throttled},
            {"receipts", c.receipts},
            {"mo_messages", c.mo_messages},
            {"send_rate", opt(c.send_rate)},
            {"receipt_rate", opt(c.receipt_rate)}};
}

json message_json(const router::MessageStatus& s, bool with_history) {
    json j = {{"id", s.id.to_string()},
              {"state", router::to_string(s.state)},
              {"client", s.client},
              {"to", s.destination},
              {"from", s.sender},
              {"priority", router::to_string(s.priority)},
              {"segments", s.segments},
              {"attempts", s.attempts},
              {"accepted_at", format_rfc3339(s.accepted_at)},
              {"updated_at", format_rfc3339(s.updated_at)}};
    j["client_ref"] = s.client_ref.empty() ? json(nullptr) : json(s.client_ref);
    j["provider"] = s.provider.empty() ? json(nullptr) : json(s.provider);
    j["last_error"] = s.last_error.empty() ? json(nullptr) : json(s.last_error);
    if (with_history) {
        json history = json::array();
        for (const auto& ev : s.history) {
            json h = {{"from", router::to_string(ev.from)},
                      {"to", router::to_string(ev.to)},
                      {"at", format_rfc3339(ev.at)}};
            if (!ev.provider.empty()) h["provider"] = ev.provider;
            if (!ev.detail.empty()) h["detail"] = ev.detail;
            history.push_back(std::move(h));
        }
        j["history"] = std::move(history);
    }
    return j;
}

Response query_failed(const router::QueryError& e, const Request& req) {
    switch (e.code) {
        case router::QueryErrc::not_found: return error(404, "not_found", "no such message", req);
        case router::QueryErrc::invalid_query: return error(400, "invalid_query", e.reason, req);
        case router::QueryErrc::unavailable: break;
    }
    return error(503, "unavailable", e.reason.empty() ? "store unavailable" : e.reason, req);
}

std::optional<std::uint32_t> parse_count(std::string_view text, std::uint32_t max) {
    if (text.empty() || text.size() > 7) return std::nullopt;
    std::uint32_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (n == 0 || n > max) return std::nullopt;
    return n;
}

// "90s", "15m", "2h", "1d" -> seconds.
std::optional<std::chrono::seconds> parse_since(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    const char unit = text.back();
    const auto n = parse_count(text.substr(0, text.size() - 1), 1'000'000);
    if (!n) return std::nullopt;
    const std::int64_t v = *n;
    switch (unit) {
        case 's': return std::chrono::seconds(v);
        case 'm': return std::chrono::seconds(v * 60);
        case 'h': return std::chrono::seconds(v * 3600);
        case 'd': return std::chrono::seconds(v * 86400);
        default: return std::nullopt;
    }
}

}  // namespace

bool admin_key_matches(const std::optional<KeyDigest>& expected, std::string_view presented) {
    if (!expected || presented.empty()) return false;
    const KeyDigest got = sha256(presented);
    return CRYPTO_memcmp(got.data(), expected->data(), got.size()) == 0;
}

HandlerResult AdminHandler::handle(const Request& req, const RouteMatch& match) {
    HandlerResult out{Response{}, "-"};
    const RouteId id = match.route->id;
    if (id == RouteId::ui_page || id == RouteId::ui_root) {
        out.response = ui_response(req, id == RouteId::ui_root ? "" : match.path_param);
        return out;
    }
    if (!deps_.admin_key) {
        out.response = error(403, "admin_disabled",
                             "the admin endpoint is disabled (set http.admin_key)", req);
        return out;
    }
    const auto key = presented_api_key(sv(req[bhttp::field::authorization]), sv(req["X-API-Key"]));
    if (!admin_key_matches(deps_.admin_key, key)) {
        out.response = error(401, "unauthorized",
                             key.empty() ? "the admin key is required" : "invalid admin key", req);
        out.response.set(bhttp::field::www_authenticate,
                         key.empty() ? R"(Bearer realm="bindery-admin")"
                                     : R"(Bearer realm="bindery-admin", error="invalid_token")");
        return out;
    }
    out.client = "admin";
    switch (id) {
        case RouteId::admin_status: out.response = status(req); break;
        case RouteId::admin_pause: out.response = set_paused(req, match.path_param, true); break;
        case RouteId::admin_resume: out.response = set_paused(req, match.path_param, false); break;
        case RouteId::admin_messages: out.response = list(req, std::nullopt); break;
        case RouteId::admin_message: out.response = message(req, match.path_param); break;
        case RouteId::admin_dlq: out.response = list(req, router::MessageState::dead_letter); break;
        case RouteId::admin_dlq_retry: out.response = retry(req); break;
        case RouteId::admin_alerts: out.response = alerts(req); break;
        case RouteId::admin_alert: out.response = alert(req, match.path_param); break;
        case RouteId::admin_credit:
            out.response = admin_credit_show(req, deps_.gateway, match.path_param);
            break;
        case RouteId::admin_credit_add:
            out.response = admin_credit_add(req, deps_.gateway, match.path_param);
            break;
        default: out.response = error(404, "not_found", "no such resource", req); break;
    }
    return out;
}

Response AdminHandler::status(const Request& req) {
    const AdminStatus s = deps_.backend.status();
    json carriers = json::array();
    for (const auto& c : s.carriers) carriers.push_back(carrier_json(c));
    json lanes = json::object();
    for (const auto& [lane, n] : s.lanes) lanes[lane] = n;
    json states = json::object();
    for (const auto& [state, n] : s.messages_by_state) states[state] = n;
    json esme = json::array();
    for (const auto& e : s.esme_sessions) {
        esme.push_back({{"account", e.account}, {"bind_type", e.bind_type}, {"bound", e.bound}});
    }
    const json body = {{"version", s.version},
                       {"node", s.node},
                       {"uptime_seconds", s.uptime_seconds},
                       {"accepting", s.backpressure.accepting},
                       {"backlog", s.backpressure.backlog},
                       {"backlog_limit", s.backpressure.limit},
                       {"accept_rate", opt(s.accept_rate)},
                       {"lanes", std::move(lanes)},
                       {"lanes_complete", s.lanes_complete},
                       {"messages_by_state", std::move(states)},
                       {"carriers", std::move(carriers)},
                       {"esme_sessions", std::move(esme)}};
    return ok(body, req);
}

Response AdminHandler::set_paused(const Request& req, std::string_view carrier, bool paused) {
    auto decoded = percent_decode(carrier, false);
    if (!decoded) return error(404, "not_found", "no such carrier", req);
    auto result = deps_.backend.set_paused(*decoded, paused);
    if (!result) {
        if (result.error().code == AdminErrc::not_found)
            return error(404, "not_found", "no such carrier: " + *decoded, req);
        if (result.error().code == AdminErrc::unavailable)
            return error(503, "unavailable", result.error().reason, req);
        return error(409, "conflict", result.error().reason, req);
    }
    return ok(carrier_json(*result), req);
}

Response AdminHandler::list(const Request& req, std::optional<router::MessageState> forced_state) {
    const auto [path, query_text] = split_target(sv(req.target()));
    auto params = parse_query(query_text);
    if (!params) return ApiHandler::error_response(params.error(), req.version(), req.keep_alive());
    router::MessageQuery q;
    q.limit = kDefaultLimit;
    q.state = forced_state;
    std::optional<std::uint32_t> recent;
    std::chrono::seconds since{15 * 60};
    for (const auto& [name, value] : *params) {
        if (name == "limit") {
            const auto n = parse_count(value, kMaxLimit);
            if (!n) return error(400, "invalid_parameter", "limit: 1 to 1000", req, "limit");
            q.limit = *n;
        } else if (name == "after") {
            q.after = router::MessageId::parse(value);
            if (!q.after)
                return error(400, "invalid_parameter", "after: a message id", req, "after");
        } else if (name == "state" && !forced_state) {
            std::string upper = value;
            std::transform(upper.begin(), upper.end(), upper.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            q.state = router::parse_message_state(upper);
            if (!q.state)
                return error(400, "invalid_parameter", "unknown state '" + value + "'", req,
                             "state");
        } else if (name == "client") {
            q.client = value;
        } else if (name == "recent") {
            recent = parse_count(value, kMaxLimit);
            if (!recent) return error(400, "invalid_parameter", "recent: 1 to 1000", req, "recent");
        } else if (name == "since") {
            const auto s = parse_since(value);
            if (!s)
                return error(400, "invalid_parameter", "since: a duration (90s, 15m, 2h, 1d)", req,
                             "since");
            since = *s;
        } else {
            return error(400, "unknown_parameter", "unknown parameter '" + name + "'", req, name);
        }
    }

    json messages = json::array();
    json body = json::object();
    if (recent) {
        // The newest `recent` messages accepted within `since`: pages are ascending, so read
        // forward and keep the tail.
        q.accepted_from = std::chrono::time_point_cast<router::SystemTime::duration>(
            std::chrono::system_clock::now() - since);
        q.after.reset();
        q.limit = kRecentPage;
        std::deque<router::MessageStatus> tail;
        bool truncated = true;
        for (int page = 0; page < kRecentMaxPages; ++page) {
            auto got = deps_.gateway.list(q);
            if (!got) return query_failed(got.error(), req);
            for (auto& m : got->messages) {
                tail.push_back(std::move(m));
                if (tail.size() > *recent) tail.pop_front();
            }
            if (!got->next) {
                truncated = false;
                break;
            }
            q.after = got->next;
        }
        for (auto it = tail.rbegin(); it != tail.rend(); ++it)
            messages.push_back(message_json(*it, false));
        body["messages"] = std::move(messages);
        body["truncated"] = truncated;  // more than kRecentMaxPages pages in the window
        return ok(body, req);
    }
    auto page = deps_.gateway.list(q);
    if (!page) return query_failed(page.error(), req);
    for (const auto& m : page->messages) messages.push_back(message_json(m, false));
    body["messages"] = std::move(messages);
    body["next"] = page->next ? json(page->next->to_string()) : json(nullptr);
    return ok(body, req);
}

Response AdminHandler::message(const Request& req, std::string_view id_text) {
    const auto id = router::MessageId::parse(id_text);
    if (!id) return error(404, "not_found", "no such message", req);
    auto s = deps_.gateway.status(*id, std::nullopt);
    if (!s) return query_failed(s.error(), req);
    return ok(message_json(*s, true), req);
}

Response AdminHandler::retry(const Request& req) {
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return error(400, "malformed_json", "the body must be a JSON object", req);
    std::vector<router::MessageId> ids;
    if (body.contains("ids")) {
        if (!body["ids"].is_array() || body["ids"].empty() || body["ids"].size() > kMaxRetryBatch)
            return error(422, "invalid_type", "ids: an array of 1 to 1000 message ids", req, "ids");
        for (std::size_t i = 0; i < body["ids"].size(); ++i) {
            const auto& v = body["ids"][i];
            const auto id =
                v.is_string() ? router::MessageId::parse(v.get<std::string>()) : std::nullopt;
            if (!id)
                return error(422, "invalid_parameter", "not a message id", req,
                             "ids[" + std::to_string(i) + "]");
            ids.push_back(*id);
        }
    } else if (body.value("all", false)) {
        std::uint32_t limit = kDefaultLimit;
        if (body.contains("limit")) {
            if (!body["limit"].is_number_unsigned() || body["limit"].get<std::uint64_t>() == 0 ||
                body["limit"].get<std::uint64_t>() > kMaxRetryBatch)
                return error(422, "invalid_type", "limit: 1 to 1000", req, "limit");
            limit = body["limit"].get<std::uint32_t>();
        }
        router::MessageQuery q;
        q.state = router::MessageState::dead_letter;
        q.limit = limit;
        auto page = deps_.gateway.list(q);
        if (!page) return query_failed(page.error(), req);
        for (const auto& m : page->messages) ids.push_back(m.id);
    } else {
        return error(422, "missing_field", "give ids, or all: true", req, "ids");
    }

    json retried = json::array();
    json failed = json::array();
    for (const auto& id : ids) {
        const RetryOutcome r = deps_.backend.retry_dead_letter(id);
        if (r.new_id) {
            retried.push_back({{"id", id.to_string()}, {"new_id", r.new_id->to_string()}});
        } else {
            failed.push_back({{"id", id.to_string()}, {"error", r.error}});
        }
    }
    return ok({{"retried", std::move(retried)}, {"failed", std::move(failed)}}, req);
}

Response AdminHandler::alerts(const Request& req) {
    const auto [path, query_text] = split_target(sv(req.target()));
    auto params = parse_query(query_text);
    if (!params) return ApiHandler::error_response(params.error(), req.version(), req.keep_alive());
    std::uint32_t limit = kDefaultAlerts;
    std::optional<router::MessageId> before;
    for (const auto& [name, value] : *params) {
        if (name == "limit") {
            const auto n = parse_count(value, kMaxAlerts);
            if (!n) return error(400, "invalid_parameter", "limit: 1 to 200", req, "limit");
            limit = *n;
        } else if (name == "cursor") {
            before = router::MessageId::parse(value);
            if (!before)
                return error(400, "invalid_parameter", "cursor: a notification id", req, "cursor");
        } else {
            return error(400, "unknown_parameter", "unknown parameter '" + name + "'", req, name);
        }
    }
    if (deps_.alerts == nullptr)
        return ok({{"enabled", false}, {"alerts", json::array()}, {"next_cursor", nullptr}}, req);
    auto records = deps_.alerts->recent(before, limit);
    if (!records)
        return error(503, "unavailable", "alert store unavailable: " + records.error(), req);
    json items = json::array();
    for (const auto& r : *records) items.push_back(json::parse(alert_record_json(r)));
    json body = {{"enabled", true}};
    body["next_cursor"] = records->size() == limit && !records->empty()
                              ? json(records->back().id.to_string())
                              : json(nullptr);
    body["alerts"] = std::move(items);
    return ok(body, req);
}

Response AdminHandler::alert(const Request& req, std::string_view id_text) {
    const auto id = router::MessageId::parse(id_text);
    if (!id || deps_.alerts == nullptr)
        return error(404, "not_found", "no such alert notification", req);
    auto record = deps_.alerts->get(*id);
    if (!record)
        return error(503, "unavailable", "alert store unavailable: " + record.error(), req);
    if (!*record) return error(404, "not_found", "no such alert notification", req);
    json body = json::parse(alert_record_json(**record));
    // Each message's state now (the record keeps only the ids it produced).
    for (auto& m : body["messages"]) {
        m["state"] = nullptr;
        if (!m["message_id"].is_string()) continue;
        const auto message_id = router::MessageId::parse(m["message_id"].get<std::string>());
        if (!message_id) continue;
        if (auto s = deps_.gateway.status(*message_id, std::nullopt)) {
            m["state"] = router::to_string(s->state);
            m["provider"] = s->provider.empty() ? json(nullptr) : json(s->provider);
        }
    }
    return ok(body, req);
}

}  // namespace bindery::http
