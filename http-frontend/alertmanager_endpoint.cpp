#include "http-frontend/alertmanager_endpoint.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/crypto.h>

#include "http-frontend/query_string.hpp"

namespace bindery::http {
namespace {

namespace bhttp = boost::beast::http;

Response to_response(const WebhookResult& r, const Request& req) {
    return ApiHandler::json_response(r.status, r.body, req.version(), req.keep_alive());
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

bool same_digest(const KeyDigest& a, const KeyDigest& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool json_content_type(std::string_view ct) {
    const auto semi = ct.find(';');
    std::string base(trim_spaces(ct.substr(0, semi)));
    std::transform(base.begin(), base.end(), base.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return base == "application/json";
}

HandlerResult unauthorized(const Request& req, std::string_view message) {
    HandlerResult out{
        ApiHandler::error_response({401, "unauthorized", std::string(message), "", {}},
                                   req.version(), req.keep_alive()),
        "-"};
    out.response.set(bhttp::field::www_authenticate,
                     R"(Bearer realm="bindery-alertmanager", Basic realm="bindery-alertmanager")");
    return out;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    if (in.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = in[i + k];
            if (c == '=' && i + 4 == in.size() && k >= 2) {
                v[k] = 0;
                ++pad;
                continue;
            }
            if (pad > 0) return std::nullopt;
            v[k] = value(c);
            if (v[k] < 0) return std::nullopt;
        }
        const auto n = (static_cast<unsigned>(v[0]) << 18U) | (static_cast<unsigned>(v[1]) << 12U) |
                       (static_cast<unsigned>(v[2]) << 6U) | static_cast<unsigned>(v[3]);
        out.push_back(static_cast<char>((n >> 16U) & 0xFFU));
        if (pad < 2) out.push_back(static_cast<char>((n >> 8U) & 0xFFU));
        if (pad < 1) out.push_back(static_cast<char>(n & 0xFFU));
    }
    return out;
}

AlertmanagerEndpoint::AlertmanagerEndpoint(AlertmanagerReceiver& receiver, AlertmanagerAuth auth,
                                           ClientRegistry* clients)
    : receiver_(receiver), auth_(std::move(auth)), clients_(clients) {
    if (!auth_.bearer_token.empty()) bearer_digest_ = sha256(auth_.bearer_token);
    if (!auth_.username.empty()) basic_digest_ = sha256(auth_.username + ":" + auth_.password);
}

bool AlertmanagerEndpoint::webhook_authorized(std::string_view authorization) const {
    if (!auth_.configured()) return true;
    authorization = trim_spaces(authorization);
    if (!auth_.bearer_token.empty() && iequals_prefix(authorization, "bearer ")) {
        return same_digest(sha256(trim_spaces(authorization.substr(7))), bearer_digest_);
    }
    if (!auth_.username.empty() && iequals_prefix(authorization, "basic ")) {
        const auto decoded = base64_decode(trim_spaces(authorization.substr(6)));
        return decoded && same_digest(sha256(*decoded), basic_digest_);
    }
    return false;
}

HandlerResult AlertmanagerEndpoint::webhook(const Request& req) {
    if (!webhook_authorized(sv(req[bhttp::field::authorization]))) {
        return unauthorized(req, req[bhttp::field::authorization].empty()
                                     ? "credentials are required"
                                     : "invalid credentials");
    }
    const auto ct = sv(req[bhttp::field::content_type]);
    if (!ct.empty() && !json_content_type(ct)) {
        return {
            ApiHandler::error_response(
                {415, "unsupported_media_type", "Content-Type must be application/json", "", {}},
                req.version(), req.keep_alive()),
            "alertmanager"};
    }
    return {to_response(receiver_.handle(req.body()), req), "alertmanager"};
}

std::optional<std::optional<std::string>> AlertmanagerEndpoint::reader(const Request& req) const {
    const auto authorization = sv(req[bhttp::field::authorization]);
    if (auth_.configured() && webhook_authorized(authorization))
        return std::optional<std::string>();
    const auto key = presented_api_key(authorization, sv(req["X-API-Key"]));
    if (!key.empty() && clients_ != nullptr) {
        if (auto c = clients_->find_by_key_digest(sha256(key)))
            return std::optional<std::string>(c->name);
    }
    // No webhook credentials configured and no key presented: the records are as open as the
    // webhook itself.
    if (!auth_.configured() && key.empty()) return std::optional<std::string>();
    return std::nullopt;
}

HandlerResult AlertmanagerEndpoint::get_alert(const Request& req, std::string_view id) {
    const auto who = reader(req);
    if (!who) return unauthorized(req, "webhook credentials or an API key are required");
    const std::string* client = *who ? &**who : nullptr;
    return {to_response(receiver_.get(id, client), req),
            client != nullptr ? *client : "alertmanager"};
}

HandlerResult AlertmanagerEndpoint::list_alerts(const Request& req) {
    const auto who = reader(req);
    if (!who) return unauthorized(req, "webhook credentials or an API key are required");
    const std::string* client = *who ? &**who : nullptr;
    const std::string name = client != nullptr ? *client : "alertmanager";
    const auto [path, query] = split_target(sv(req.target()));
    auto params = parse_query(query);
    if (!params)
        return {ApiHandler::error_response(params.error(), req.version(), req.keep_alive()), name};
    std::uint32_t limit = 50;
    std::optional<router::MessageId> before;
    for (const auto& [k, v] : *params) {
        if (k == "limit") {
            std::uint32_t n = 0;
            bool ok = !v.empty() && v.size() <= 4;
            for (const char c : v) {
                ok = ok && c >= '0' && c <= '9';
                if (ok) n = n * 10 + static_cast<std::uint32_t>(c - '0');
            }
            if (!ok || n == 0 || n > 500) {
                return {ApiHandler::error_response(
                            bad_request("invalid_parameter", "limit must be 1 to 500", "limit"),
                            req.version(), req.keep_alive()),
                        name};
            }
            limit = n;
        } else if (k == "cursor") {
            before = router::MessageId::parse(v);
            if (!before) {
                return {ApiHandler::error_response(
                            bad_request("invalid_parameter", "cursor is not one this API returned",
                                        "cursor"),
                            req.version(), req.keep_alive()),
                        name};
            }
        } else {
            return {ApiHandler::error_response(
                        bad_request("unknown_parameter", "unknown query parameter '" + k + "'", k),
                        req.version(), req.keep_alive()),
                    name};
        }
    }
    return {to_response(receiver_.list(before, limit, client), req), name};
}

}  // namespace bindery::http
