#pragma once
// The HTTP side of the Alertmanager receiver:
//   POST /v1/alertmanager      the webhook; `Authorization: Bearer <token>` or HTTP basic auth as
//                              configured (401 otherwise); JSON only (415); 2xx once durable
//   GET  /v1/alerts/{id}       one recorded notification with its messages
//   GET  /v1/alerts            recorded notifications, newest first (?limit=, ?cursor=)
// The GETs accept the webhook credentials (every record) or an API key (that client's records).

#include <optional>
#include <string>
#include <string_view>

#include "http-frontend/alertmanager_receiver.hpp"
#include "http-frontend/api_handler.hpp"
#include "http-frontend/auth.hpp"

namespace bindery::http {

struct AlertmanagerAuth {
    std::string bearer_token;  // empty: no bearer token accepted
    std::string username;      // empty: no basic auth accepted
    std::string password;
    bool configured() const noexcept { return !bearer_token.empty() || !username.empty(); }
};

class AlertmanagerEndpoint {
public:
    AlertmanagerEndpoint(AlertmanagerReceiver& receiver, AlertmanagerAuth auth,
                         ClientRegistry* clients);

    HandlerResult webhook(const Request& req);
    HandlerResult get_alert(const Request& req, std::string_view id);
    HandlerResult list_alerts(const Request& req);

    // Whether `authorization` carries the configured webhook credentials (true when none are
    // configured). Constant time in the secret's content.
    bool webhook_authorized(std::string_view authorization) const;

private:
    // nullopt: refused. Otherwise the client filter (empty optional inside = every record).
    std::optional<std::optional<std::string>> reader(const Request& req) const;

    AlertmanagerReceiver& receiver_;
    AlertmanagerAuth auth_;
    KeyDigest bearer_digest_{};
    KeyDigest basic_digest_{};
    ClientRegistry* clients_;
};

// RFC 4648 base64 (padding required); nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace bindery::http
