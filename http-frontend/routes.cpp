#include "http-frontend/routes.hpp"

#include <array>

namespace bindery::http {
namespace {

constexpr std::array kRoutes = {
    RouteSpec{RouteId::healthz, "GET", "/healthz", false, false},
    RouteSpec{RouteId::readyz, "GET", "/readyz", false, true},
    RouteSpec{RouteId::metrics, "GET", "/metrics", false, false},
    RouteSpec{RouteId::openapi, "GET", "/openapi.yaml", false, false},
    RouteSpec{RouteId::send_messages, "POST", "/v1/messages", true, true},
    RouteSpec{RouteId::list_messages, "GET", "/v1/messages", true, true},
    RouteSpec{RouteId::send_bulk, "POST", "/v1/messages/bulk", true, true},
    RouteSpec{RouteId::get_message, "GET", "/v1/messages/{id}", true, true},
    RouteSpec{RouteId::cancel_message, "DELETE", "/v1/messages/{id}", true, true},
    RouteSpec{RouteId::get_balance, "GET", "/v1/balance", true, true},
    // The Alertmanager receiver checks its own credentials (alertmanager_endpoint.hpp).
    RouteSpec{RouteId::alertmanager_webhook, "POST", "/v1/alertmanager", false, true},
    RouteSpec{RouteId::list_alerts, "GET", "/v1/alerts", false, true},
    RouteSpec{RouteId::get_alert, "GET", "/v1/alerts/{id}", false, true},
    // Operator endpoint and status page: AdminHandler checks the admin key.
    RouteSpec{RouteId::admin_status, "GET", "/admin/v1/status", false, true},
    RouteSpec{RouteId::admin_pause, "POST", "/admin/v1/binds/{carrier}/pause", false, true},
    RouteSpec{RouteId::admin_resume, "POST", "/admin/v1/binds/{carrier}/resume", false, true},
    RouteSpec{RouteId::admin_messages, "GET", "/admin/v1/messages", false, true},
    RouteSpec{RouteId::admin_message, "GET", "/admin/v1/messages/{id}", false, true},
    RouteSpec{RouteId::admin_dlq, "GET", "/admin/v1/dlq", false, true},
    RouteSpec{RouteId::admin_dlq_retry, "POST", "/admin/v1/dlq/retry", false, true},
    RouteSpec{RouteId::admin_credit, "GET", "/admin/v1/credits/{client}", false, true},
    RouteSpec{RouteId::admin_credit_add, "POST", "/admin/v1/credits/{client}", false, true},
    RouteSpec{RouteId::admin_alerts, "GET", "/admin/v1/alerts", false, true},
    RouteSpec{RouteId::admin_alert, "GET", "/admin/v1/alerts/{id}", false, true},
    RouteSpec{RouteId::ui_root, "GET", "/ui", false, false},
    RouteSpec{RouteId::ui_root, "GET", "/ui/", false, false},
    RouteSpec{RouteId::ui_page, "GET", "/ui/{file}", false, false},
};

// Template segments in braces match one non-empty segment.
bool path_matches(std::string_view tmpl, std::string_view path, std::string& param) {
    while (!tmpl.empty() && !path.empty()) {
        const auto brace = tmpl.find('{');
        if (brace == std::string_view::npos) return tmpl == path;
        if (path.substr(0, brace) != tmpl.substr(0, brace)) return false;
        tmpl.remove_prefix(brace);
        path.remove_prefix(brace);
        const auto close = tmpl.find('}');
        tmpl.remove_prefix(close + 1);
        const auto slash = path.find('/');
        const auto seg = path.substr(0, slash);
        if (seg.empty()) return false;
        param = std::string(seg);
        path.remove_prefix(seg.size());
    }
    return tmpl.empty() && path.empty();
}

}  // namespace

std::span<const RouteSpec> route_table() noexcept { return kRoutes; }

RouteMatch match_route(std::string_view method, std::string_view path) {
    RouteMatch m;
    for (const auto& r : kRoutes) {
        std::string param;
        if (!path_matches(r.path, path, param)) continue;
        m.path_exists = true;
        if (m.path_template.empty()) m.path_template = r.path;
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += r.method;
        if (r.method == method && m.route == nullptr) {
            m.route = &r;
            m.path_param = std::move(param);
        }
    }
    return m;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) noexcept {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

}  // namespace bindery::http
