#pragma once
// The operator's endpoint, /admin/v1/..., used by `bindery status|bind|dlq|message` and the web
// status page (/ui/). Authenticated by the admin key (http.admin_key), never by a client's API key:
// an operator sees every client's messages and can pause carriers.
//
//   GET  /admin/v1/status                       carriers (binds, window, queue, rates), router
//                                               backlog, messages by state
//   POST /admin/v1/binds/{carrier}/pause        stop dispatching to the carrier (binds stay up:
//   POST /admin/v1/binds/{carrier}/resume       receipts and in-flight responses still arrive)
//   GET  /admin/v1/messages                     recent messages of every client
//   (?state=&limit=&after=) GET  /admin/v1/messages/{id}                one message with its
//   history, any client GET  /admin/v1/dlq                          dead letters (?limit=&after=)
//   POST /admin/v1/dlq/retry                    {"ids": [...]} or {"all": true, "limit": N}: each
//                                               dead letter is sent again as a new message
//   GET  /admin/v1/alerts                       Alertmanager notifications received, newest first,
//                                               every client's (?limit=&cursor=)
//   GET  /admin/v1/alerts/{id}                  one notification with its messages, each with the
//                                               message's current state
//
// The handler knows nothing of the router's internals: the composition root implements
// AdminBackend over the router, the providers and the store.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http-frontend/api_handler.hpp"
#include "http-frontend/auth.hpp"
#include "router/api/gateway_api.hpp"
#include "router/directory/alert_ledger.hpp"

namespace bindery::http {

struct AdminCarrier {
    std::string name;
    std::string kind;     // "smpp", "kavenegar", "http"
    bool ready = false;   // can take a send now
    bool paused = false;  // dispatch paused by an operator
    std::string breaker;  // "closed", "half_open", "open"
    unsigned binds_configured = 0;
    unsigned binds_up = 0;
    std::uint64_t in_flight = 0;  // window occupancy
    std::uint64_t window = 0;
    std::uint64_t queued = 0;    // waiting in the pool for window room
    std::uint64_t sends_ok = 0;  // cumulative since start
    std::uint64_t sends_failed = 0;
    std::uint64_t throttled = 0;
    std::uint64_t receipts = 0;
    std::uint64_t mo_messages = 0;
    // Per second over the last minute (absent until two samples exist).
    std::optional<double> send_rate;
    std::optional<double> receipt_rate;
};

// ESME sessions bound to the SMPP server side now, for one account and bind type.
struct AdminEsmeSessions {
    std::string account;    // the ESME's system_id
    std::string bind_type;  // "trx", "tx", "rx"
    unsigned bound = 0;
};

struct AdminStatus {
    std::string version;
    std::string node;
    double uptime_seconds = 0;
    router::Backpressure backpressure;
    std::map<std::string, std::uint64_t> lanes;              // priority lane -> queued messages
    bool lanes_complete = true;                              // false: counting stopped early
    std::map<std::string, std::uint64_t> messages_by_state;  // state name -> messages in store
    std::optional<double> accept_rate;                       // per second over the last minute
    std::vector<AdminCarrier> carriers;
    // Every configured account's bind types (0 when none is bound); empty without an SMPP server
    // side.
    std::vector<AdminEsmeSessions> esme_sessions;
};

struct RetryOutcome {
    router::MessageId id;  // the dead letter
    std::optional<router::MessageId> new_id;
    std::string error;  // when not retried
};

enum class AdminErrc : std::uint8_t { not_found, invalid, unavailable };
// unavailable: the store refused; the reason says what took effect anyway (a pause applies at
// once even when it could not be saved).
struct AdminError {
    AdminErrc code = AdminErrc::not_found;
    std::string reason;
};

class AdminBackend {
public:
    virtual ~AdminBackend() = default;
    virtual AdminStatus status() = 0;
    // Pauses (true) or resumes (false) dispatch to a carrier; the carrier as it is now.
    virtual Expected<AdminCarrier, AdminError> set_paused(std::string_view carrier,
                                                          bool paused) = 0;
    // Re-sends one dead letter as a new message (same client, sender, destination, text,
    // priority, client_ref, callback). Idempotent: a dead letter retried before answers with the
    // same new id.
    virtual RetryOutcome retry_dead_letter(const router::MessageId& id) = 0;
};

struct AdminDeps {
    router::GatewayApi& gateway;  // messages (any client), listing
    AdminBackend& backend;
    std::optional<KeyDigest> admin_key;  // absent: the admin endpoint and the page answer 403
    // The Alertmanager receiver's records; null: alerting is disabled (the list says so).
    router::AlertLedger* alerts = nullptr;
};

class AdminHandler {
public:
    explicit AdminHandler(AdminDeps deps) : deps_(deps) {}

    // `match.route` must be an admin or UI route. Never throws on client input.
    HandlerResult handle(const Request& req, const RouteMatch& match);

private:
    Response status(const Request& req);
    Response set_paused(const Request& req, std::string_view carrier, bool paused);
    Response list(const Request& req, std::optional<router::MessageState> forced_state);
    Response message(const Request& req, std::string_view id);
    Response retry(const Request& req);
    Response alerts(const Request& req);
    Response alert(const Request& req, std::string_view id);

    AdminDeps deps_;
};

// True for a key that matches the configured admin key (constant time).
bool admin_key_matches(const std::optional<KeyDigest>& expected, std::string_view presented);

}  // namespace bindery::http
