#include "http-frontend/admin_credits.hpp"

#include <limits>

#include <nlohmann/json.hpp>

#include "http-frontend/query_string.hpp"
#include "http-frontend/time_format.hpp"

namespace bindery::http {
namespace {

using nlohmann::json;

constexpr std::uint32_t kDefaultLedger = 50;
constexpr std::uint32_t kMaxLedger = 1000;
constexpr std::size_t kMaxNote = 200;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Response error(unsigned status, std::string code, std::string message, const Request& req,
               std::string field = {}) {
    return ApiHandler::error_response(
        {status, std::move(code), std::move(message), std::move(field), {}}, req.version(),
        req.keep_alive());
}

json to_json(const router::CreditBalance& b) {
    json body = {{"client", b.client}, {"unlimited", !b.metered}};
    body["balance"] = b.metered ? json(b.balance) : json(nullptr);
    body["held"] = b.metered ? json(b.held) : json(nullptr);
    body["capture"] = b.metered ? json(b.capture) : json(nullptr);
    body["currency"] = b.currency.empty() ? json(nullptr) : json(b.currency);
    return body;
}

Response query_failed(const router::QueryError& e, const Request& req) {
    switch (e.code) {
        case router::QueryErrc::invalid_query:
            return error(422, "insufficient_credit", e.reason, req, "amount");
        case router::QueryErrc::not_found: return error(404, "not_found", e.reason, req);
        case router::QueryErrc::unavailable: break;
    }
    return error(503, "unavailable", e.reason.empty() ? "credit store unavailable" : e.reason, req);
}

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
    if (text.empty() || text.size() > 19) return std::nullopt;
    std::uint64_t n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > max) return std::nullopt;
    return n;
}

}  // namespace

std::string balance_json(const router::CreditBalance& b) { return dump(to_json(b)); }

Response admin_credit_show(const Request& req, router::GatewayApi& gateway,
                           std::string_view client_text) {
    auto client = percent_decode(client_text, false);
    if (!client || client->empty()) return error(404, "not_found", "no such client", req);
    const auto [path, query_text] = split_target(sv(req.target()));
    auto params = parse_query(query_text);
    if (!params) return ApiHandler::error_response(params.error(), req.version(), req.keep_alive());
    std::uint64_t after = 0;
    std::uint32_t limit = kDefaultLedger;
    for (const auto& [name, value] : *params) {
        if (name == "after") {
            const auto n = parse_decimal(
                value, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
            if (!n) return error(400, "invalid_parameter", "after: a ledger seq", req, "after");
            after = *n;
        } else if (name == "limit") {
            const auto n = parse_decimal(value, kMaxLedger);
            if (!n || *n == 0)
                return error(400, "invalid_parameter", "limit: 1 to 1000", req, "limit");
            limit = static_cast<std::uint32_t>(*n);
        } else {
            return error(400, "unknown_parameter", "unknown parameter '" + name + "'", req, name);
        }
    }
    auto balance = gateway.balance(*client);
    if (!balance) return query_failed(balance.error(), req);
    auto entries = gateway.credit_ledger(*client, after, limit);
    if (!entries) return query_failed(entries.error(), req);
    json body = to_json(*balance);
    json ledger = json::array();
    for (const auto& e : *entries) {
        ledger.push_back({{"seq", e.seq},
                          {"kind", e.kind},
                          {"amount", e.amount},
                          {"message_id", e.message ? json(e.message->to_string()) : json(nullptr)},
                          {"at", format_rfc3339(e.at)},
                          {"note", e.note}});
    }
    body["next_after"] =
        entries->size() == limit && !entries->empty() ? json(entries->back().seq) : json(nullptr);
    body["ledger"] = std::move(ledger);
    return ApiHandler::json_response(200, dump(body), req.version(), req.keep_alive());
}

Response admin_credit_add(const Request& req, router::GatewayApi& gateway,
                          std::string_view client_text) {
    auto client = percent_decode(client_text, false);
    if (!client || client->empty()) return error(404, "not_found", "no such client", req);
    const json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return error(400, "invalid_json", "the body must be a JSON object", req);
    }
    for (const auto& [key, value] : body.items()) {
        if (key != "amount" && key != "note")
            return error(400, "unknown_field", "unknown field '" + key + "'", req, key);
    }
    if (!body.contains("amount") || !body["amount"].is_number_integer()) {
        return error(400, "invalid_field", "amount: an integer of minor units", req, "amount");
    }
    const auto amount = body["amount"].get<std::int64_t>();
    if (amount == 0 || (body["amount"].is_number_unsigned() &&
                        body["amount"].get<std::uint64_t>() >
                            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
        return error(400, "invalid_field", "amount: a non-zero integer of minor units", req,
                     "amount");
    }
    std::string note;
    if (body.contains("note")) {
        if (!body["note"].is_string())
            return error(400, "invalid_field", "note: a string", req, "note");
        note = body["note"].get<std::string>();
        if (note.size() > kMaxNote)
            return error(400, "invalid_field", "note: at most 200 bytes", req, "note");
    }
    auto balance = gateway.add_credit(*client, amount, std::move(note));
    if (!balance) return query_failed(balance.error(), req);
    return ApiHandler::json_response(200, dump(to_json(*balance)), req.version(), req.keep_alive());
}

}  // namespace bindery::http
