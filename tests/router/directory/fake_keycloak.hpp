#pragma once
// A fake Keycloak speaking the admin REST API wire format (shared/reference/keycloak-admin.md):
//   POST /realms/{realm}/protocol/openid-connect/token      client_credentials (form body or Basic)
//   GET  /admin/realms/{realm}/groups?search=&exact=&first=&max=   top-level groups, matches nested
//                                                            inside their ancestors
//                                                            (populateHierarchy)
//   GET  /admin/realms/{realm}/group-by-path/{a}/{b}
//   GET  /admin/realms/{realm}/groups/{id}/members?first=&max=&briefRepresentation=
// Tokens expire after `expires_in` seconds of the fake's own clock (advance()) or when revoked;
// admin calls without a valid token get 401. Used directly as an HttpTransport by the directory
// tests and behind a real HTTP listener by tests/http-frontend/alertmanager_keycloak_test.cpp.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/directory/http_transport.hpp"

namespace bindery::testing {

struct FakeUser {
    std::string id;
    std::string username;
    bool enabled = true;
    std::map<std::string, std::vector<std::string>> attributes;
};

struct FakeGroup {
    std::string id;
    std::string name;
    std::vector<FakeGroup> children;
    std::vector<FakeUser> members;
};

class FakeKeycloak {
public:
    std::string realm = "corp";
    std::string client_id = "bindery";
    std::string client_secret = "s3cret";
    std::int64_t expires_in = 300;
    bool legacy_auth = false;       // serve under /auth
    bool honour_exact = true;       // old servers ignore exact=true (substring matches)
    std::vector<FakeGroup> groups;  // top level

    // Counters.
    std::atomic<int> token_requests{0};
    std::atomic<int> member_requests{0};
    std::atomic<int> search_requests{0};
    std::atomic<int> unauthorized{0};
    std::atomic<bool> down{false};  // answer 503 to everything

    void advance(std::int64_t seconds) {
        const std::lock_guard lock(mutex_);
        now_ += seconds;
    }
    void revoke_tokens() {
        const std::lock_guard lock(mutex_);
        tokens_.clear();
    }

    router::HttpReply handle(const router::HttpExchange& req) {
        if (down) return {503, R"({"error":"unavailable"})"};
        std::string target = req.url;
        if (const auto p = target.find("://"); p != std::string::npos) {
            const auto slash = target.find('/', p + 3);
            target = slash == std::string::npos ? "/" : target.substr(slash);
        }
        std::string path = target.substr(0, target.find('?'));
        const std::map<std::string, std::string> q = query(target);
        const std::string prefix = legacy_auth ? "/auth" : "";
        if (path.rfind(prefix, 0) != 0) return not_found();
        path = path.substr(prefix.size());

        if (req.method == "POST" && path == "/realms/" + realm + "/protocol/openid-connect/token")
            return token(req);
        const std::string admin = "/admin/realms/" + realm;
        if (req.method != "GET" || path.rfind(admin, 0) != 0) return not_found();
        if (!authorized(req)) {
            ++unauthorized;
            return {401, R"({"error":"HTTP 401 Unauthorized"})"};
        }
        path = path.substr(admin.size());
        if (path == "/groups") {
            ++search_requests;
            return search(q);
        }
        if (path.rfind("/group-by-path/", 0) == 0) {
            const std::string want = "/" + decode(path.substr(15));
            for (const auto& g : groups) {
                if (const auto* f = by_path(g, "", want))
                    return {200, brief(*f, path_of(f->id)).dump()};
            }
            return {404, R"({"error":"Group path does not exist"})"};
        }
        if (path.rfind("/groups/", 0) == 0 && path.size() > 16 &&
            path.substr(path.size() - 8) == "/members") {
            ++member_requests;
            const std::string id = path.substr(8, path.size() - 16);
            const FakeGroup* g = find_id(id);
            if (g == nullptr) return {404, R"({"error":"Could not find group by id"})"};
            const std::size_t first = q.count("first") ? std::stoul(q.at("first")) : 0;
            const std::size_t max = q.count("max") ? std::stoul(q.at("max")) : 100;
            const bool brief_rep =
                q.count("briefRepresentation") && q.at("briefRepresentation") == "true";
            nlohmann::json out = nlohmann::json::array();
            for (std::size_t i = first; i < g->members.size() && i < first + max; ++i) {
                const auto& u = g->members[i];
                nlohmann::json j = {{"id", u.id},
                                    {"username", u.username},
                                    {"enabled", u.enabled},
                                    {"emailVerified", false},
                                    {"createdTimestamp", 1700000000000LL}};
                if (!brief_rep && !u.attributes.empty()) j["attributes"] = u.attributes;
                out.push_back(std::move(j));
            }
            return {200, out.dump()};
        }
        return not_found();
    }

private:
    static router::HttpReply not_found() {
        return {404, R"({"error":"RESTEASY003210: Could not find resource"})"};
    }

    static std::string decode(std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '%' && i + 2 < s.size()) {
                out.push_back(
                    static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
                i += 2;
            } else if (s[i] == '+') {
                out.push_back(' ');
            } else {
                out.push_back(s[i]);
            }
        }
        return out;
    }

    static std::map<std::string, std::string> query(const std::string& target) {
        std::map<std::string, std::string> out;
        const auto qm = target.find('?');
        if (qm == std::string::npos) return out;
        std::string_view rest = std::string_view(target).substr(qm + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto kv = rest.substr(0, amp);
            const auto eq = kv.find('=');
            out[decode(kv.substr(0, eq))] =
                eq == std::string_view::npos ? "" : decode(kv.substr(eq + 1));
            if (amp == std::string_view::npos) break;
            rest.remove_prefix(amp + 1);
        }
        return out;
    }

    router::HttpReply token(const router::HttpExchange& req) {
        ++token_requests;
        const auto form = query("?" + req.body);
        if (!form.count("grant_type") || form.at("grant_type") != "client_credentials") {
            return {
                400,
                R"({"error":"unsupported_grant_type","error_description":"Unsupported grant_type"})"};
        }
        if (!form.count("client_id") || form.at("client_id") != client_id ||
            !form.count("client_secret") || form.at("client_secret") != client_secret) {
            return {
                401,
                R"({"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"})"};
        }
        const std::lock_guard lock(mutex_);
        const std::string tok = "eyJhbGciOiJSUzI1NiJ9.tok" + std::to_string(++issued_);
        tokens_[tok] = now_ + expires_in;
        nlohmann::json j = {{"access_token", tok},     {"expires_in", expires_in},
                            {"refresh_expires_in", 0}, {"token_type", "Bearer"},
                            {"not-before-policy", 0},  {"scope", "profile email"}};
        return {200, j.dump()};
    }

    bool authorized(const router::HttpExchange& req) {
        for (const auto& [k, v] : req.headers) {
            if (k == "Authorization" && v.rfind("Bearer ", 0) == 0) {
                const std::lock_guard lock(mutex_);
                const auto it = tokens_.find(v.substr(7));
                return it != tokens_.end() && now_ < it->second;
            }
        }
        return false;
    }

    static bool name_matches(const std::string& name, const std::string& search, bool exact) {
        if (exact) return name == search;
        std::string a = name, b = search;
        for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return a.find(b) != std::string::npos;
    }

    // The group with only the branches that lead to matches (nullopt when none).
    std::optional<nlohmann::json> pruned(const FakeGroup& g, const std::string& parent,
                                         const std::string& search, bool exact) const {
        const std::string path = parent + "/" + g.name;
        nlohmann::json subs = nlohmann::json::array();
        for (const auto& c : g.children) {
            if (auto p = pruned(c, path, search, exact)) subs.push_back(std::move(*p));
        }
        if (!name_matches(g.name, search, exact) && subs.empty()) return std::nullopt;
        nlohmann::json j = brief(g, path);
        j["subGroupCount"] = g.children.size();
        j["subGroups"] = std::move(subs);
        return j;
    }

    router::HttpReply search(const std::map<std::string, std::string>& q) const {
        const std::string s = q.count("search") ? q.at("search") : "";
        const bool exact = honour_exact && q.count("exact") && q.at("exact") == "true";
        const std::size_t first = q.count("first") ? std::stoul(q.at("first")) : 0;
        const std::size_t max = q.count("max") ? std::stoul(q.at("max")) : 1000000;
        std::vector<nlohmann::json> tops;
        for (const auto& g : groups) {
            if (auto p = pruned(g, "", s, exact)) tops.push_back(std::move(*p));
        }
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = first; i < tops.size() && i < first + max; ++i) out.push_back(tops[i]);
        return {200, out.dump()};
    }

    static nlohmann::json brief(const FakeGroup& g, const std::string& path) {
        return {{"id", g.id},
                {"name", g.name},
                {"path", path},
                {"subGroupCount", g.children.size()},
                {"subGroups", nlohmann::json::array()},
                {"access", {{"view", true}, {"viewMembers", true}}}};
    }

    static const FakeGroup* by_path(const FakeGroup& g, const std::string& parent,
                                    const std::string& want) {
        const std::string path = parent + "/" + g.name;
        if (path == want) return &g;
        for (const auto& c : g.children) {
            if (const auto* f = by_path(c, path, want)) return f;
        }
        return nullptr;
    }

    static const FakeGroup* by_id(const FakeGroup& g, const std::string& id) {
        if (g.id == id) return &g;
        for (const auto& c : g.children) {
            if (const auto* f = by_id(c, id)) return f;
        }
        return nullptr;
    }

    const FakeGroup* find_id(const std::string& id) const {
        for (const auto& g : groups) {
            if (const auto* f = by_id(g, id)) return f;
        }
        return nullptr;
    }

    std::string path_of(const std::string& id) const {
        std::string out;
        for (const auto& g : groups) {
            if (walk_path(g, "", id, out)) return out;
        }
        return out;
    }
    static bool walk_path(const FakeGroup& g, const std::string& parent, const std::string& id,
                          std::string& out) {
        const std::string path = parent + "/" + g.name;
        if (g.id == id) {
            out = path;
            return true;
        }
        for (const auto& c : g.children) {
            if (walk_path(c, path, id, out)) return true;
        }
        return false;
    }

    std::mutex mutex_;
    std::int64_t now_ = 0;
    int issued_ = 0;
    std::map<std::string, std::int64_t> tokens_;  // token -> expiry (fake seconds)
};

// The fake as a transport (no sockets), optionally failing like a network outage.
class FakeKeycloakTransport final : public router::HttpTransport {
public:
    explicit FakeKeycloakTransport(FakeKeycloak& kc) : kc_(kc) {}
    std::atomic<bool> unreachable{false};
    std::vector<std::string> urls;  // every URL asked, in order

    // router::HttpTransport
    Expected<router::HttpReply, std::string> perform(const router::HttpExchange& request) override {
        urls.push_back(request.method + " " + request.url);
        if (unreachable) return Unexpected(std::string("connect: Connection refused"));
        return kc_.handle(request);
    }

private:
    FakeKeycloak& kc_;
};

// A group of `n` enabled users with phoneNumber +98912000NNNN.
inline FakeGroup group_with_members(std::string id, std::string name, int n) {
    FakeGroup g{std::move(id), std::move(name), {}, {}};
    for (int i = 0; i < n; ++i) {
        char phone[32];
        std::snprintf(phone, sizeof phone, "+98912000%04d", i);
        g.members.push_back({"u" + std::to_string(i),
                             "user" + std::to_string(i),
                             true,
                             {{"phoneNumber", {phone}}}});
    }
    return g;
}

}  // namespace bindery::testing
