#pragma once
// The `kind: keycloak` directory over Keycloak's admin REST API
// (shared/reference/keycloak-admin.md):
//   token    POST {base}[/auth]/realms/{realm}/protocol/openid-connect/token (client_credentials),
//            cached until expires_in - 30 s; an admin call answered 401 refreshes it once and
//            retries once.
//   group    a name starting with '/' is a path: GET {admin}/group-by-path/{segments}; otherwise
//            GET {admin}/groups?search=NAME&exact=true (paged with first/max), walking subGroups
//            for exact name matches: none -> unknown_group, several -> ambiguous_group.
//   members  GET {admin}/groups/{id}/members?first=N&max=PAGE&briefRepresentation=false until a
//            short page; disabled users skipped; the phone taken from the first non-empty
//            attribute of `phone_attributes` (every value of it), normalized to E.164.
// Serialised by one mutex (one token refresh in flight, requests in order).

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router/core/phone_number.hpp"
#include "router/directory/directory.hpp"
#include "router/directory/http_transport.hpp"
#include "smpp/base/clock.hpp"

namespace bindery::router {

struct KeycloakConfig {
    std::string name = "keycloak";
    std::string base_url;           // "https://sso.example.com" (no trailing slash needed)
    bool legacy_auth_path = false;  // prefix /auth (WildFly-era servers)
    std::string realm;
    std::string client_id;
    std::string client_secret;
    std::vector<std::string> phone_attributes{"phoneNumber"};
    std::uint32_t page_size = 100;   // `max` of group searches and member pages
    std::uint32_t max_pages = 1000;  // bound on pages per listing (100k members at 100)
    std::chrono::seconds token_skew{30};
};

class KeycloakDirectory final : public Directory {
public:
    KeycloakDirectory(KeycloakConfig config, HttpTransport& transport,
                      const PhoneNumberNormalizer& normalizer,
                      std::function<TimePoint()> steady_now);

    // router::Directory
    std::string_view name() const override { return config_.name; }
    bool covers(std::string_view) const override { return true; }
    bool remote() const override { return true; }
    Expected<Members, DirectoryError> members(std::string_view group) override;

    // Observability for tests: token requests made so far.
    std::uint64_t token_requests() const;

private:
    Expected<std::string, DirectoryError> token(bool force);
    // GET with the bearer token; 401 -> refresh once and retry once.
    Expected<HttpReply, DirectoryError> admin_get(const std::string& path_and_query);
    Expected<std::string, DirectoryError> group_id(std::string_view group);
    std::string realm_root() const;  // {base}[/auth]/realms/{realm}
    std::string admin_root() const;  // {base}[/auth]/admin/realms/{realm}

    KeycloakConfig config_;
    HttpTransport& transport_;
    const PhoneNumberNormalizer& normalizer_;
    std::function<TimePoint()> steady_now_;

    mutable std::mutex mutex_;
    std::optional<std::string> token_;
    TimePoint token_valid_until_{};
    std::uint64_t token_requests_ = 0;
};

// RFC 3986 percent-encoding of everything but unreserved characters (query values, path segments).
std::string url_encode(std::string_view s);

}  // namespace bindery::router
