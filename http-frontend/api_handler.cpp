#include "http-frontend/api_handler.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "http-frontend/alertmanager_endpoint.hpp"
#include "http-frontend/admin.hpp"
#include "http-frontend/admin_credits.hpp"
#include "http-frontend/bulk_handler.hpp"
#include "http-frontend/openapi.hpp"
#include "http-frontend/query_string.hpp"
#include "http-frontend/time_format.hpp"

namespace bindery::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

ApiError gateway_error(const router::SubmitError& e, std::string field,
                       std::chrono::seconds default_retry) {
    ApiError out;
    out.code = std::string(router::to_string(e.code));
    out.message = e.reason.empty() ? out.code : e.reason;
    switch (e.code) {
        case router::SubmitErrc::invalid_destination:
            out.status = 422;
            out.field = std::move(field);
            break;
        case router::SubmitErrc::invalid_sender:
            out.status = 422;
            out.field = "from";
            break;
        case router::SubmitErrc::invalid_text:
            out.status = 422;
            out.field = "text";
            break;
        case router::SubmitErrc::invalid_request: out.status = 400; break;
        case router::SubmitErrc::backlog_full:
            out.status = 429;
            out.retry_after = e.retry_after.value_or(default_retry);
            break;
        case router::SubmitErrc::unavailable:
            out.status = 503;
            out.retry_after = e.retry_after.value_or(default_retry);
            break;
        case router::SubmitErrc::insufficient_credit: out.status = 402; break;
    }
    return out;
}

json error_json(const ApiError& e) {
    json j = {{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) j["field"] = e.field;
    return j;
}

json status_json(const router::MessageStatus& s, bool with_history) {
    json j = {
        {"id", s.id.to_string()},
        {"state", router::to_string(s.state)},
        {"to", s.destination},
        {"from", s.sender},
        {"priority", router::to_string(s.priority)},
        {"segments", s.segments},
        {"attempts", s.attempts},
        {"accepted_at", format_rfc3339(s.accepted_at)},
        {"updated_at", format_rfc3339(s.updated_at)},
    };
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

bool json_content_type(std::string_view ct) {
    const auto semi = ct.find(';');
    std::string base(ct.substr(0, semi));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    std::transform(base.begin(), base.end(), base.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return base == "application/json";
}

bool sane_idempotency_key(std::string_view k, std::size_t max) {
    return !k.empty() && k.size() <= max &&
           std::all_of(k.begin(), k.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

Response query_error(const router::QueryError& e, unsigned version, bool keep_alive) {
    switch (e.code) {
        case router::QueryErrc::not_found:
            return ApiHandler::error_response({404, "not_found", "no such message", "", {}},
                                              version, keep_alive);
        case router::QueryErrc::invalid_query:
            return ApiHandler::error_response(bad_request("invalid_query", e.reason), version,
                                              keep_alive);
        case router::QueryErrc::unavailable: break;
    }
    return ApiHandler::error_response(
        {503, "unavailable", e.reason.empty() ? "store unavailable" : e.reason, "",
         std::chrono::seconds(5)},
        version, keep_alive);
}

}  // namespace

ApiHandler::ApiHandler(ApiConfig config, ApiDeps deps)
    : config_(config), deps_(deps), limiter_(config_.default_rate) {}

Response ApiHandler::json_response(unsigned status, std::string body, unsigned version,
                                   bool keep_alive) {
    Response res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response ApiHandler::error_response(const ApiError& e, unsigned version, bool keep_alive) {
    Response res = json_response(e.status, to_json_body(e), version, keep_alive);
    if (e.retry_after) res.set(bhttp::field::retry_after, std::to_string(e.retry_after->count()));
    return res;
}

HandlerResult ApiHandler::handle(const Request& req, const RouteMatch& match) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    HandlerResult out{Response{}, "-"};
    const RouteSpec& route = *match.route;

    if (is_admin_route(route.id)) {
        if (admin_) return admin_->handle(req, match);
        out.response = error_response({404, "not_found", "no such resource", "", {}}, v, ka);
        return out;
    }
    if (!route.authenticated) {
        switch (route.id) {
            case RouteId::healthz:
                out.response = json_response(200, R"({"status":"ok"})", v, ka);
                break;
            case RouteId::readyz: out.response = readyz(req); break;
            case RouteId::metrics: {
                Response res{bhttp::status::ok, v};
                res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
                res.keep_alive(ka);
                res.body() = deps_.metrics.serialize();
                res.prepare_payload();
                out.response = std::move(res);
                break;
            }
            case RouteId::openapi: {
                Response res{bhttp::status::ok, v};
                res.set(bhttp::field::content_type, "application/yaml");
                res.keep_alive(ka);
                res.body() = std::string(openapi_document());
                res.prepare_payload();
                out.response = std::move(res);
                break;
            }
            case RouteId::alertmanager_webhook:
            case RouteId::get_alert:
            case RouteId::list_alerts:
                if (deps_.alerts == nullptr) {
                    out.response = error_response(
                        {404, "not_found", "alerting is not enabled", "", {}}, v, ka);
                } else if (route.id == RouteId::alertmanager_webhook) {
                    out = deps_.alerts->webhook(req);
                } else if (route.id == RouteId::get_alert) {
                    out = deps_.alerts->get_alert(req, match.path_param);
                } else {
                    out = deps_.alerts->list_alerts(req);
                }
                break;
            default: break;
        }
        return out;
    }

    const auto client = admit(req, out);
    if (!client) return out;

    switch (route.id) {
        case RouteId::send_messages:
            out.response = send_messages(req, *client, out.accepted);
            break;
        case RouteId::send_bulk:
            out.response = idempotent_post(req, *client, [&] {
                return send_bulk(req, *client, config_, config_.bulk, deps_, &out.accepted);
            });
            break;
        case RouteId::get_message:
            out.response = get_message(req, *client, match.path_param);
            break;
        case RouteId::cancel_message:
            out.response = cancel_message(req, *client, match.path_param);
            break;
        case RouteId::list_messages: out.response = list_messages(req, *client); break;
        case RouteId::get_balance: out.response = get_balance(req, *client); break;
        default: break;
    }
    return out;
}

std::optional<ClientInfo> ApiHandler::admit(const Request& req, HandlerResult& out) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    // Authentication.
    const std::string_view key =
        presented_api_key(sv(req[bhttp::field::authorization]), sv(req["X-API-Key"]));
    std::optional<ClientInfo> client;
    if (!key.empty()) client = deps_.clients.find_by_key_digest(sha256(key));
    if (!client) {
        out.response = error_response({401,
                                       "unauthorized",
                                       key.empty() ? "an API key is required" : "invalid API key",
                                       "",
                                       {}},
                                      v, ka);
        out.response.set(bhttp::field::www_authenticate,
                         key.empty() ? R"(Bearer realm="bindery")"
                                     : R"(Bearer realm="bindery", error="invalid_token")");
        return std::nullopt;
    }
    out.client = client->name;

    const auto decision = limiter_.acquire(client->name, client->rate, Clock::now());
    if (!decision.allowed) {
        ApiError e{429, "rate_limited", "too many requests for this client", "",
                   decision.retry_after};
        out.response = error_response(e, v, ka);
        return std::nullopt;
    }
    return client;
}

bool ApiHandler::handle_async(const Request& req, const RouteMatch& match, AsyncDone done) {
    if (batcher_ == nullptr || match.route == nullptr ||
        match.route->id != RouteId::send_messages) {
        return false;
    }
    // An Idempotency-Key reserves and completes its record in the store (blocking): worker path.
    if (!req["Idempotency-Key"].empty()) return false;
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    HandlerResult out{Response{}, "-"};
    const auto client = admit(req, out);
    if (!client) {
        done(std::move(out));
        return true;
    }
    auto parsed = check_send(req, *client);
    if (!parsed) {
        out.response = std::move(parsed).error();
        done(std::move(out));
        return true;
    }
    if (auto refused = refuse_on_backlog(v, ka, parsed->requests.size())) {
        out.response = std::move(*refused);
        done(std::move(out));
        return true;
    }
    const bool to_is_list = parsed->to_is_list;
    const std::size_t n = parsed->requests.size();
    auto shared_done = std::make_shared<AsyncDone>(std::move(done));
    const bool queued = batcher_->submit(
        std::move(parsed->requests), [this, v, ka, to_is_list, client_name = out.client,
                                      shared_done](std::vector<router::SubmitRequest> requests,
                                                   std::vector<router::SubmitOutcome> outcomes) {
            HandlerResult r{Response{}, client_name, {}};
            r.response = submit_response(v, ka, requests, to_is_list, outcomes, &r.accepted);
            (*shared_done)(std::move(r));
        });
    if (!queued) {
        deps_.metrics.message_rejected("backlog_full", static_cast<double>(n));
        out.response =
            error_response({429, "backlog_full", "the gateway's submit queue is full; retry later",
                            "", config_.backlog_retry_after},
                           v, ka);
        (*shared_done)(std::move(out));
    }
    return true;
}

Response ApiHandler::readyz(const Request& req) {
    const auto report = deps_.readiness.check();
    json components = json::object();
    for (const auto& [name, r] : report.components) {
        components[name] = {{"ready", r.ready}, {"detail", r.detail}};
    }
    const json body = {{"status", report.ready ? "ready" : "not_ready"},
                       {"components", std::move(components)}};
    return json_response(report.ready ? 200 : 503, dump(body), req.version(), req.keep_alive());
}

Expected<ParsedSubmit, Response> ApiHandler::check_send(const Request& req,
                                                        const ClientInfo& client) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    const auto ct = sv(req[bhttp::field::content_type]);
    if (!ct.empty() && !json_content_type(ct)) {
        return Unexpected(error_response(
            {415, "unsupported_media_type", "Content-Type must be application/json", "", {}}, v,
            ka));
    }
    auto parsed = parse_submit(req.body(), client.name, config_.submit, router::SystemClock::now(),
                               client.default_sender);
    if (!parsed) {
        deps_.metrics.message_rejected(parsed.error().code);
        return Unexpected(error_response(parsed.error(), v, ka));
    }
    if (!client.sender_allowed(parsed->requests.front().sender)) {
        deps_.metrics.message_rejected("sender_not_allowed",
                                       static_cast<double>(parsed->requests.size()));
        return Unexpected(error_response(
            {403,
             "sender_not_allowed",
             "this client may not send from '" + parsed->requests.front().sender + "'",
             "from",
             {}},
            v, ka));
    }
    return std::move(*parsed);
}

Response ApiHandler::send_messages(const Request& req, const ClientInfo& client,
                                   std::vector<router::MessageId>& accepted) {
    return idempotent_post(req, client, [&]() -> Response {
        auto parsed = check_send(req, client);
        if (!parsed) return std::move(parsed).error();
        return submit_parsed(req, client, std::move(*parsed), accepted);
    });
}

Response ApiHandler::idempotent_post(const Request& req, const ClientInfo& client,
                                     const std::function<Response()>& process) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    const auto idem_key = sv(req["Idempotency-Key"]);
    const bool idempotent = !idem_key.empty();
    std::string key(idem_key);
    if (idempotent && !sane_idempotency_key(idem_key, config_.max_idempotency_key)) {
        return error_response(
            bad_request("invalid_idempotency_key", "Idempotency-Key must be 1 to " +
                                                       std::to_string(config_.max_idempotency_key) +
                                                       " printable ASCII characters"),
            v, ka);
    }
    if (idempotent) {
        const std::string fingerprint =
            to_hex(sha256(std::string(req.method_string()) + ' ' + std::string(req.target()) +
                          '\n' + req.body()));
        auto lookup =
            deps_.idempotency.begin(client.name, key, fingerprint, router::SystemClock::now());
        switch (lookup.state) {
            case IdempotencyState::replay: {
                Response res{static_cast<bhttp::status>(lookup.response.status), v};
                res.set(bhttp::field::content_type, lookup.response.content_type);
                res.set(bhttp::field::cache_control, "no-store");
                res.set("Idempotent-Replayed", "true");
                res.keep_alive(ka);
                res.body() = std::move(lookup.response.body);
                res.prepare_payload();
                return res;
            }
            case IdempotencyState::mismatch:
                return error_response(
                    unprocessable("idempotency_mismatch",
                                  "this Idempotency-Key was used with a different request"),
                    v, ka);
            case IdempotencyState::in_progress:
                return error_response(
                    {409, "idempotency_in_progress",
                     "a request with this Idempotency-Key is still being processed", "",
                     std::chrono::seconds(1)},
                    v, ka);
            case IdempotencyState::reserved: break;
        }
    }

    Response res = process();
    if (idempotent) {
        // Definitive answers are replayed; transient ones (403 may change with configuration,
        // 429/5xx are worth retrying) release the key.
        const unsigned s = res.result_int();
        if (s == 202 || s == 400 || s == 422) {
            deps_.idempotency.complete(
                client.name, key, {s, std::string(res[bhttp::field::content_type]), res.body()},
                router::SystemClock::now());
        } else {
            deps_.idempotency.release(client.name, key);
        }
    }
    return res;
}

std::optional<Response> ApiHandler::refuse_on_backlog(unsigned v, bool ka, std::size_t messages) {
    const auto bp = deps_.gateway.backpressure();
    if (bp.accepting) return std::nullopt;
    deps_.metrics.message_rejected("backlog_full", static_cast<double>(messages));
    return error_response({429, "backlog_full", "the gateway's backlog is full; retry later", "",
                           config_.backlog_retry_after},
                          v, ka);
}

Response ApiHandler::submit_parsed(const Request& req, const ClientInfo& /*client*/,
                                   ParsedSubmit parsed, std::vector<router::MessageId>& accepted) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    if (auto refused = refuse_on_backlog(v, ka, parsed.requests.size())) return std::move(*refused);
    const auto outcomes = deps_.gateway.submit(parsed.requests);
    return submit_response(v, ka, parsed.requests, parsed.to_is_list, outcomes, &accepted);
}

Response ApiHandler::submit_response(unsigned v, bool ka,
                                     std::span<const router::SubmitRequest> requests,
                                     bool to_is_list,
                                     std::span<const router::SubmitOutcome> outcomes,
                                     std::vector<router::MessageId>* accepted) {
    json messages = json::array();
    json rejected = json::array();
    std::optional<ApiError> first_error;
    unsigned worst = 0;  // 503 > 429 > others
    std::chrono::seconds retry_after{0};
    std::int64_t cost = 0;
    std::optional<ApiError> credit_error;  // the balance refused the batch (nothing stored)
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        if (i >= outcomes.size()) {
            // A gateway that answers short is a bug there; never report such entries as accepted.
            ApiError e{503, "unavailable", "no outcome from the gateway", "",
                       config_.backlog_retry_after};
            rejected.push_back({{"index", i}, {"to", r.destination}, {"error", error_json(e)}});
            if (!first_error) first_error = e;
            worst = 503;
            continue;
        }
        const auto& o = outcomes[i];
        if (o) {
            json m = {{"id", o->id.to_string()}, {"to", o->destination},
                      {"segments", o->segments}, {"encoding", router::to_string(o->encoding)},
                      {"cost", o->cost},         {"state", "ACCEPTED"}};
            cost += o->cost;
            if (!r.client_ref.empty()) m["client_ref"] = r.client_ref;
            messages.push_back(std::move(m));
            if (accepted != nullptr) accepted->push_back(o->id);
            deps_.metrics.message_accepted(router::to_string(r.priority));
        } else {
            const std::string field = to_is_list ? "to[" + std::to_string(i) + "]" : "to";
            ApiError e = gateway_error(o.error(), field, config_.backlog_retry_after);
            deps_.metrics.message_rejected(e.code);
            if (e.status == 503 || (e.status == 429 && worst != 503)) worst = e.status;
            if (e.retry_after) retry_after = std::max(retry_after, *e.retry_after);
            if (e.status == 402 && !credit_error) credit_error = e;
            rejected.push_back({{"index", i}, {"to", r.destination}, {"error", error_json(e)}});
            if (!first_error) first_error = std::move(e);
        }
    }

    if (messages.empty()) {
        // Nothing accepted: the request failed as a whole. Out of credit outranks the validation
        // errors of other recipients: topping up is what the client must do first.
        ApiError e = credit_error ? *credit_error : *first_error;
        if (worst != 0) e.status = worst;
        if (retry_after.count() > 0) e.retry_after = retry_after;
        json body = {{"error", error_json(e)}, {"rejected", std::move(rejected)}};
        Response res = json_response(e.status, dump(body), v, ka);
        if (e.retry_after)
            res.set(bhttp::field::retry_after, std::to_string(e.retry_after->count()));
        return res;
    }
    json body = {{"messages", std::move(messages)}, {"cost", cost}};
    if (!rejected.empty()) body["rejected"] = std::move(rejected);
    return json_response(202, dump(body), v, ka);
}

Response ApiHandler::get_balance(const Request& req, const ClientInfo& client) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    if (!split_target(sv(req.target())).second.empty()) {
        return error_response(
            bad_request("unknown_parameter", "/v1/balance takes no query parameters"), v, ka);
    }
    auto b = deps_.gateway.balance(client.name);
    if (!b) return query_error(b.error(), v, ka);
    return json_response(200, balance_json(*b), v, ka);
}

Response ApiHandler::get_message(const Request& req, const ClientInfo& client,
                                 std::string_view id_text) {
    const auto id = router::MessageId::parse(id_text);
    if (!id) {
        return error_response({404, "not_found", "no such message", "", {}}, req.version(),
                              req.keep_alive());
    }
    auto status = deps_.gateway.status(*id, std::string_view(client.name));
    if (!status) return query_error(status.error(), req.version(), req.keep_alive());
    // Defence in depth: the gateway filters by client already.
    if (status->client != client.name) {
        return error_response({404, "not_found", "no such message", "", {}}, req.version(),
                              req.keep_alive());
    }
    return json_response(200, dump(status_json(*status, true)), req.version(), req.keep_alive());
}

Response ApiHandler::cancel_message(const Request& req, const ClientInfo& client,
                                    std::string_view id_text) {
    const auto v = req.version();
    const bool ka = req.keep_alive();
    const auto id = router::MessageId::parse(id_text);
    if (!id) return error_response({404, "not_found", "no such message", "", {}}, v, ka);
    auto cancelled = deps_.gateway.cancel(*id, std::string_view(client.name));
    if (!cancelled) {
        const auto& e = cancelled.error();
        switch (e.code) {
            case router::ChangeErrc::not_found:
                return error_response({404, "not_found", "no such message", "", {}}, v, ka);
            case router::ChangeErrc::with_carrier:
            case router::ChangeErrc::final:
                return error_response(
                    {409, "not_cancellable", "cannot be cancelled: " + e.reason, "", {}}, v, ka);
            case router::ChangeErrc::unavailable: break;
        }
        return error_response(
            {503, "unavailable", e.reason.empty() ? "store unavailable" : e.reason, "",
             config_.backlog_retry_after},
            v, ka);
    }
    // With its history, as GET answers (the status read may lag only if the store is in trouble).
    auto full = deps_.gateway.status(*id, std::string_view(client.name));
    return json_response(200, dump(status_json(full ? *full : *cancelled, full.has_value())), v,
                         ka);
}

Response ApiHandler::list_messages(const Request& req, const ClientInfo& client) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    const auto [path, query_text] = split_target(sv(req.target()));
    auto params = parse_query(query_text);
    if (!params) return error_response(params.error(), v, ka);

    router::MessageQuery q;
    q.client = client.name;
    q.limit = config_.default_page_limit;
    for (const auto& [name, value] : *params) {
        if (name == "state") {
            std::string upper = value;
            std::transform(upper.begin(), upper.end(), upper.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            q.state = router::parse_message_state(upper);
            if (!q.state) {
                return error_response(
                    bad_request("invalid_parameter", "unknown state '" + value + "'", "state"), v,
                    ka);
            }
        } else if (name == "since" || name == "until") {
            const auto t = parse_rfc3339(value);
            if (!t) {
                return error_response(
                    bad_request("invalid_parameter", name + " must be RFC 3339", name), v, ka);
            }
            (name == "since" ? q.accepted_from : q.accepted_to) = *t;
        } else if (name == "client_ref") {
            q.client_ref = value;
        } else if (name == "to") {
            q.destination = value;
        } else if (name == "cursor") {
            q.after = router::MessageId::parse(value);
            if (!q.after) {
                return error_response(bad_request("invalid_parameter",
                                                  "cursor is not one this API returned", "cursor"),
                                      v, ka);
            }
        } else if (name == "limit") {
            std::uint64_t n = 0;
            bool ok = !value.empty() && value.size() <= 9;
            for (const char c : value) {
                ok = ok && c >= '0' && c <= '9';
                if (ok) n = n * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (!ok || n == 0 || n > config_.max_page_limit) {
                return error_response(
                    bad_request("invalid_parameter",
                                "limit must be 1 to " + std::to_string(config_.max_page_limit),
                                "limit"),
                    v, ka);
            }
            q.limit = static_cast<std::uint32_t>(n);
        } else {
            return error_response(
                bad_request("unknown_parameter", "unknown query parameter '" + name + "'", name), v,
                ka);
        }
    }
    auto page = deps_.gateway.list(q);
    if (!page) return query_error(page.error(), v, ka);
    json messages = json::array();
    for (const auto& m : page->messages) {
        if (m.client != client.name) continue;  // defence in depth
        messages.push_back(status_json(m, false));
    }
    json body = {{"messages", std::move(messages)}};
    body["next_cursor"] = page->next ? json(page->next->to_string()) : json(nullptr);
    return json_response(200, dump(body), v, ka);
}

}  // namespace bindery::http
