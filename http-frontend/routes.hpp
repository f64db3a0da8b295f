#pragma once
// The route table: every (method, path template) the server answers. openapi.yaml describes the
// same set; a test compares the two.

#include <span>
#include <string>
#include <string_view>

namespace bindery::http {

enum class RouteId : std::uint8_t {
    healthz,
    readyz,
    metrics,
    openapi,
    send_messages,
    send_bulk,
    get_message,
    cancel_message,  // DELETE /v1/messages/{id}
    list_messages,
    get_balance,
    alertmanager_webhook,  // authenticated by AlertmanagerEndpoint (webhook credentials)
    get_alert,
    list_alerts,
    // Operator endpoint and status page (admin.hpp, ui.hpp): the admin key, not API keys.
    admin_status,
    admin_pause,
    admin_resume,
    admin_messages,
    admin_message,
    admin_dlq,
    admin_dlq_retry,
    admin_credit,      // GET: balance and ledger of a client
    admin_credit_add,  // POST: top up
    admin_alerts,      // Alertmanager notifications received
    admin_alert,
    ui_root,
    ui_page,
};

// Routes answered by the AdminHandler (admin key, or the status page's public assets).
constexpr bool is_admin_route(RouteId id) noexcept {
    return id >= RouteId::admin_status && id <= RouteId::ui_page;
}
struct RouteSpec {
    RouteId id;
    std::string_view method;  // upper case
    std::string_view path;    // OpenAPI template: "/v1/messages/{id}"
    bool authenticated;       // API key required
    bool blocking;            // may block (gateway, stores): runs on the worker pool
};

std::span<const RouteSpec> route_table() noexcept;

struct RouteMatch {
    const RouteSpec* route = nullptr;  // null: no route for this method and path
    bool path_exists = false;          // true with a null route: 405
    std::string allow;                 // methods the path answers, for Allow ("GET, POST")
    std::string_view path_template;    // the matching template when path_exists (metric label)
    std::string path_param;            // the {id} segment, percent-decoding not applied
};

// `path` without the query string.
RouteMatch match_route(std::string_view method, std::string_view path);

// The target split at '?'.
std::pair<std::string_view, std::string_view> split_target(std::string_view target) noexcept;

}  // namespace bindery::http
