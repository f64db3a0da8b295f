#include "router/directory/keycloak_directory.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "router/directory/phone_list.hpp"

namespace bindery::router {
namespace {

using nlohmann::json;

std::string trim_slash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// A short description of a non-2xx admin reply: Keycloak's {"error": ...} when present.
std::string reply_detail(const HttpReply& r) {
    std::string detail = "HTTP " + std::to_string(r.status);
    const json j = json::parse(r.body, nullptr, false);
    if (j.is_object()) {
        for (const char* key : {"error", "errorMessage", "error_description"}) {
            const auto it = j.find(key);
            if (it != j.end() && it->is_string()) detail += ": " + it->get<std::string>();
        }
    }
    return detail;
}

DirectoryError status_error(const HttpReply& r, std::string_view what) {
    DirectoryErrc code = DirectoryErrc::bad_response;
    if (r.status == 401)
        code = DirectoryErrc::unauthorized;
    else if (r.status == 403)
        code = DirectoryErrc::forbidden;
    else if (r.status == 404)
        code = DirectoryErrc::unknown_group;
    else if (r.status >= 500 || r.status == 429 || r.status == 408)
        code = DirectoryErrc::unavailable;
    return {code, std::string(what) + ": " + reply_detail(r)};
}

void collect_by_name(const json& groups, std::string_view name,
                     std::vector<std::pair<std::string, std::string>>& out, int depth) {
    if (!groups.is_array() || depth > 64) return;
    for (const auto& g : groups) {
        if (!g.is_object()) continue;
        const auto n = g.find("name");
        const auto id = g.find("id");
        if (n != g.end() && n->is_string() && *n == name && id != g.end() && id->is_string()) {
            const auto p = g.find("path");
            const std::string path =
                p != g.end() && p->is_string() ? p->get<std::string>() : n->get<std::string>();
            bool seen = false;
            for (const auto& [i, unused] : out) seen = seen || i == id->get<std::string>();
            if (!seen) out.emplace_back(id->get<std::string>(), path);
        }
        if (const auto sub = g.find("subGroups"); sub != g.end())
            collect_by_name(*sub, name, out, depth + 1);
    }
}

// A string member, or "" when absent or of another type (never throws on server input).
std::string string_of(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string url_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4U]);
            out.push_back(kHex[c & 0x0FU]);
        }
    }
    return out;
}

KeycloakDirectory::KeycloakDirectory(KeycloakConfig config, HttpTransport& transport,
                                     const PhoneNumberNormalizer& normalizer,
                                     std::function<TimePoint()> steady_now)
    : config_(std::move(config)),
      transport_(transport),
      normalizer_(normalizer),
      steady_now_(std::move(steady_now)) {
    config_.base_url = trim_slash(config_.base_url);
    if (config_.page_size == 0) config_.page_size = 100;
    if (config_.max_pages == 0) config_.max_pages = 1;
}

std::string KeycloakDirectory::realm_root() const {
    return config_.base_url + (config_.legacy_auth_path ? "/auth" : "") + "/realms/" +
           url_encode(config_.realm);
}

std::string KeycloakDirectory::admin_root() const {
    return config_.base_url + (config_.legacy_auth_path ? "/auth" : "") + "/admin/realms/" +
           url_encode(config_.realm);
}

std::uint64_t KeycloakDirectory::token_requests() const {
    const std::lock_guard lock(mutex_);
    return token_requests_;
}

Expected<std::string, DirectoryError> KeycloakDirectory::token(bool force) {
    const TimePoint now = steady_now_();
    if (!force && token_ && now < token_valid_until_) return *token_;
    token_.reset();
    ++token_requests_;
    HttpExchange req;
    req.method = "POST";
    req.url = realm_root() + "/protocol/openid-connect/token";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Accept", "application/json"}};
    req.body = "grant_type=client_credentials&client_id=" + url_encode(config_.client_id) +
               "&client_secret=" + url_encode(config_.client_secret);
    auto reply = transport_.perform(req);
    if (!reply)
        return Unexpected(
            DirectoryError{DirectoryErrc::unavailable, "token endpoint: " + reply.error()});
    if (reply->status != 200) {
        DirectoryError e = status_error(*reply, "token endpoint");
        // The token endpoint answers bad credentials with 400 or 401: both are credential problems.
        if (reply->status == 400 || reply->status == 401) e.code = DirectoryErrc::unauthorized;
        if (reply->status == 404)
            e.code = DirectoryErrc::bad_response;  // wrong realm or /auth prefix
        return Unexpected(std::move(e));
    }
    const json j = json::parse(reply->body, nullptr, false);
    const auto tok = j.is_object() ? j.find("access_token") : j.end();
    if (!j.is_object() || tok == j.end() || !tok->is_string() || tok->get<std::string>().empty()) {
        return Unexpected(DirectoryError{DirectoryErrc::bad_response,
                                         "token endpoint: no access_token in the reply"});
    }
    std::int64_t expires_in = 60;
    if (const auto e = j.find("expires_in"); e != j.end() && e->is_number_integer())
        expires_in = std::clamp<std::int64_t>(e->get<std::int64_t>(), 0, 86400);
    const auto lifetime = std::chrono::seconds(expires_in) - config_.token_skew;
    // A lifetime shorter than the skew: use the token for this call only.
    token_valid_until_ = lifetime.count() > 0 ? now + lifetime : now;
    token_ = tok->get<std::string>();
    return *token_;
}

Expected<HttpReply, DirectoryError> KeycloakDirectory::admin_get(
    const std::string& path_and_query) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto tok = token(attempt > 0);
        if (!tok) return Unexpected(std::move(tok).error());
        HttpExchange req;
        req.url = admin_root() + path_and_query;
        req.headers = {{"Authorization", "Bearer " + *tok}, {"Accept", "application/json"}};
        auto reply = transport_.perform(req);
        if (!reply)
            return Unexpected(
                DirectoryError{DirectoryErrc::unavailable, "admin API: " + reply.error()});
        if (reply->status == 401 && attempt == 0) {
            token_.reset();  // expired or revoked early: fetch a new one, retry once
            continue;
        }
        return std::move(*reply);
    }
    return Unexpected(
        DirectoryError{DirectoryErrc::unauthorized, "admin API: 401 after a token refresh"});
}

Expected<std::string, DirectoryError> KeycloakDirectory::group_id(std::string_view group) {
    if (!group.empty() && group.front() == '/') {
        std::string path;
        std::string_view rest = group.substr(1);
        while (!rest.empty()) {
            const auto slash = rest.find('/');
            const auto seg = rest.substr(0, slash);
            if (!seg.empty()) path += (path.empty() ? "" : "/") + url_encode(seg);
            if (slash == std::string_view::npos) break;
            rest.remove_prefix(slash + 1);
        }
        auto reply = admin_get("/group-by-path/" + path);
        if (!reply) return Unexpected(std::move(reply).error());
        if (reply->status != 200) {
            DirectoryError e = status_error(*reply, "group-by-path " + std::string(group));
            return Unexpected(std::move(e));
        }
        const json j = json::parse(reply->body, nullptr, false);
        const auto id = j.is_object() ? j.find("id") : j.end();
        if (!j.is_object() || id == j.end() || !id->is_string()) {
            return Unexpected(DirectoryError{DirectoryErrc::bad_response,
                                             "group-by-path: no group id in the reply"});
        }
        return id->get<std::string>();
    }

    std::vector<std::pair<std::string, std::string>> found;  // id, path
    for (std::uint32_t page = 0; page < config_.max_pages; ++page) {
        const std::uint64_t first = std::uint64_t{page} * config_.page_size;
        auto reply =
            admin_get("/groups?search=" + url_encode(group) +
                      "&exact=true&briefRepresentation=true&first=" + std::to_string(first) +
                      "&max=" + std::to_string(config_.page_size));
        if (!reply) return Unexpected(std::move(reply).error());
        if (reply->status != 200) return Unexpected(status_error(*reply, "group search"));
        const json j = json::parse(reply->body, nullptr, false);
        if (!j.is_array())
            return Unexpected(
                DirectoryError{DirectoryErrc::bad_response, "group search: not a JSON array"});
        // Servers without `exact` return substring matches inside their ancestors: re-check names.
        collect_by_name(j, group, found, 0);
        if (j.size() < config_.page_size) break;
    }
    if (found.empty()) {
        return Unexpected(DirectoryError{DirectoryErrc::unknown_group,
                                         "no Keycloak group named \"" + std::string(group) + "\""});
    }
    if (found.size() > 1) {
        std::string paths;
        for (const auto& [id, path] : found) paths += (paths.empty() ? "" : ", ") + path;
        return Unexpected(
            DirectoryError{DirectoryErrc::ambiguous_group, "several Keycloak groups are named \"" +
                                                               std::string(group) + "\" (" + paths +
                                                               "); use a path"});
    }
    return found.front().first;
}

Expected<Members, DirectoryError> KeycloakDirectory::members(std::string_view group) {
    const std::lock_guard lock(mutex_);
    auto id = group_id(group);
    if (!id) return Unexpected(std::move(id).error());

    Members out;
    std::vector<std::string> seen_users;
    for (std::uint32_t page = 0; page < config_.max_pages; ++page) {
        const std::uint64_t first = std::uint64_t{page} * config_.page_size;
        auto reply =
            admin_get("/groups/" + url_encode(*id) + "/members?first=" + std::to_string(first) +
                      "&max=" + std::to_string(config_.page_size) + "&briefRepresentation=false");
        if (!reply) return Unexpected(std::move(reply).error());
        if (reply->status != 200) {
            DirectoryError e = status_error(*reply, "group members");
            if (e.code == DirectoryErrc::unknown_group) e.detail += " (group deleted meanwhile?)";
            return Unexpected(std::move(e));
        }
        const json users = json::parse(reply->body, nullptr, false);
        if (!users.is_array()) {
            return Unexpected(
                DirectoryError{DirectoryErrc::bad_response, "group members: not a JSON array"});
        }
        for (const auto& u : users) {
            if (!u.is_object()) continue;
            const std::string uid = string_of(u, "id");
            std::string who = string_of(u, "username");
            if (who.empty()) who = uid;
            if (who.empty()) who = "?";
            if (!uid.empty()) {
                bool dup = false;
                for (const auto& s : seen_users) dup = dup || s == uid;
                if (dup) continue;  // pages shifted by a concurrent change
                seen_users.push_back(uid);
            }
            const auto enabled = u.find("enabled");
            if (enabled != u.end() && enabled->is_boolean() && !enabled->get<bool>()) {
                out.skipped.push_back({who, "disabled"});
                continue;
            }
            bool any = false;
            const auto attrs = u.find("attributes");
            if (attrs != u.end() && attrs->is_object()) {
                for (const auto& name : config_.phone_attributes) {
                    const auto a = attrs->find(name);
                    if (a == attrs->end()) continue;
                    std::vector<std::string> values;
                    if (a->is_array()) {
                        for (const auto& v : *a) {
                            if (v.is_string() && !v.get<std::string>().empty())
                                values.push_back(v.get<std::string>());
                        }
                    } else if (a->is_string() && !a->get<std::string>().empty()) {
                        values.push_back(a->get<std::string>());
                    }
                    if (values.empty()) continue;
                    any = true;
                    for (const auto& v : values) add_member_phone(out, who, v, normalizer_);
                    break;
                }
            }
            if (!any) out.skipped.push_back({who, "no phone attribute"});
        }
        if (users.size() < config_.page_size) break;
    }
    return out;
}

}  // namespace bindery::router
