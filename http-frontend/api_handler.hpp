#pragma once
// Request handling behind the server: authentication, rate limiting, idempotency and the
// endpoints themselves. Everything here may block (GatewayApi::submit waits for the durable
// commit), so the server calls it from its worker pool, never from an I/O thread.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http-frontend/auth.hpp"
#include "http-frontend/bulk_csv.hpp"
#include "http-frontend/idempotency.hpp"
#include "http-frontend/metrics.hpp"
#include "http-frontend/rate_limiter.hpp"
#include "http-frontend/readiness.hpp"
#include "http-frontend/routes.hpp"
#include "router/api/submit_batcher.hpp"
#include "http-frontend/submit_parser.hpp"
#include "router/api/gateway_api.hpp"

namespace bindery::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
// Beast 1.74 speaks boost::string_view.
inline std::string_view sv(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ApiConfig {
    SubmitLimits submit;
    RateLimit default_rate{50.0, 100.0};  // per client, when ClientInfo has none
    std::chrono::seconds backlog_retry_after{5};
    std::uint32_t default_page_limit = 100;
    std::uint32_t max_page_limit = 1000;
    std::size_t max_idempotency_key = 255;
    BulkLimits bulk;  // POST /v1/messages/bulk
};

class AlertmanagerEndpoint;

struct ApiDeps {
    router::GatewayApi& gateway;
    ClientRegistry& clients;
    IdempotencyStore& idempotency;
    Metrics& metrics;
    ReadinessRegistry& readiness;
    // POST /v1/alertmanager, GET /v1/alerts[/{id}]; null: alerting is off (404).
    AlertmanagerEndpoint* alerts = nullptr;
};

// Its implicit move assignment is noexcept; clang-tidy 14 follows Beast's fields move assignment
// into realloc_string(..., {}), which allocates only for a non-empty string.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct HandlerResult {
    Response response;
    std::string client;  // authenticated client, for the access log ("-" when none)
    // Messages this request created, for the access log: it ties request_id to message_id.
    std::vector<router::MessageId> accepted{};
};

class AdminHandler;

class ApiHandler {
public:
    ApiHandler(ApiConfig config, ApiDeps deps);

    // Admin routes go to `admin` (set before the server starts); without one they answer 404.
    void set_admin(std::shared_ptr<AdminHandler> admin) noexcept { admin_ = std::move(admin); }

    // `match.route` must be set. Never throws on client input.
    HandlerResult handle(const Request& req, const RouteMatch& match);

    // POST /v1/messages without an Idempotency-Key, when a batcher is set: parses and checks the
    // request on the calling (I/O) thread, queues its messages on the batcher and returns true;
    // `done` is then called exactly once, from a batcher thread or before returning. False: the
    // request is not taken (call handle() on a worker).
    using AsyncDone = std::function<void(HandlerResult)>;
    bool handle_async(const Request& req, const RouteMatch& match, AsyncDone done);
    // Set before the server starts; null (the default): every send goes through handle().
    void set_batcher(router::SubmitBatcher* batcher) noexcept { batcher_ = batcher; }

    // Building blocks, also used by the server for its own errors.
    static Response json_response(unsigned status, std::string body, unsigned version,
                                  bool keep_alive);
    static Response error_response(const ApiError& e, unsigned version, bool keep_alive);

private:
    // Authenticates and rate-limits; nullopt with `out.response` set when refused.
    std::optional<ClientInfo> admit(const Request& req, HandlerResult& out);
    // Content type, body and sender checks of a send; the error response when refused.
    Expected<ParsedSubmit, Response> check_send(const Request& req, const ClientInfo& client);
    std::optional<Response> refuse_on_backlog(unsigned version, bool keep_alive,
                                              std::size_t messages);
    Response submit_response(unsigned version, bool keep_alive,
                             std::span<const router::SubmitRequest> requests, bool to_is_list,
                             std::span<const router::SubmitOutcome> outcomes,
                             std::vector<router::MessageId>* accepted = nullptr);
    Response send_messages(const Request& req, const ClientInfo& client,
                           std::vector<router::MessageId>& accepted);
    // Idempotency-Key handling around a POST that sends: replays, refuses mismatches, stores
    // definitive answers.
    Response idempotent_post(const Request& req, const ClientInfo& client,
                             const std::function<Response()>& process);
    Response submit_parsed(const Request& req, const ClientInfo& client, ParsedSubmit parsed,
                           std::vector<router::MessageId>& accepted);
    Response get_message(const Request& req, const ClientInfo& client, std::string_view id);
    // DELETE /v1/messages/{id}: GatewayApi::cancel; 200 with the status, 404, 409 not_cancellable.
    Response cancel_message(const Request& req, const ClientInfo& client, std::string_view id);
    Response list_messages(const Request& req, const ClientInfo& client);
    Response get_balance(const Request& req, const ClientInfo& client);
    Response readyz(const Request& req);

    ApiConfig config_;
    ApiDeps deps_;
    RateLimiter limiter_;
    std::shared_ptr<AdminHandler> admin_;
    router::SubmitBatcher* batcher_ = nullptr;
};

}  // namespace bindery::http
