#pragma once
// Recipient directories: a group name resolves to the people in it and their phone numbers.
// Two mechanisms implement Directory (StaticDirectory from configuration, KeycloakDirectory over
// Keycloak's admin REST API); DirectoryResolver puts a store-backed cache with a TTL and
// stale-if-error in front of them. No I/O in this header; no third-party headers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct Recipient {
    std::string name;   // display name (logs, alert records)
    std::string phone;  // E.164, "+" and digits
    friend bool operator==(const Recipient&, const Recipient&) = default;
};

// A number or a person the directory could not use: logged and counted by the caller, never
// fatal for the group.
struct SkippedMember {
    std::string who;     // user name or id
    std::string reason;  // "no phone attribute", "invalid number \"12\": too short", "disabled"
};

struct Members {
    std::vector<Recipient> recipients;  // de-duplicated by phone, in directory order
    std::vector<SkippedMember> skipped;
};

enum class DirectoryErrc : std::uint8_t {
    unknown_group,    // the directory answered: no such group
    ambiguous_group,  // several groups share the name (use a path)
    unauthorized,     // credentials refused (token endpoint 401/400, admin 401 after a refresh)
    forbidden,        // authenticated but missing roles (403)
    unavailable,      // transport failure, timeout, 5xx
    bad_response,     // the server answered something this code cannot read
};
std::string_view to_string(DirectoryErrc e) noexcept;

struct DirectoryError {
    DirectoryErrc code = DirectoryErrc::unavailable;
    std::string detail;
};

// One directory. Implementations are thread-safe.
class Directory {
public:
    virtual ~Directory() = default;
    virtual std::string_view name() const = 0;
    // Whether this directory can answer for `group` without asking anyone: a static directory
    // knows its groups; a remote one claims every group.
    virtual bool covers(std::string_view group) const = 0;
    // True for directories whose answers are worth caching (remote ones).
    virtual bool remote() const = 0;
    virtual Expected<Members, DirectoryError> members(std::string_view group) = 0;
};

// Where a resolution came from.
enum class MembersSource : std::uint8_t {
    live,   // asked the directory now (cache missing or expired, or not cached)
    cache,  // a fresh cached answer
    stale,  // the directory failed; the last known answer was used
};
std::string_view to_string(MembersSource s) noexcept;

struct Resolution {
    std::string directory;  // name of the directory that answered ("" when none covers the group)
    Members members;
    MembersSource source = MembersSource::live;
    std::optional<DirectoryError> error;   // set for stale answers (why) and for failures
    std::optional<SystemTime> fetched_at;  // when the answer was obtained from the directory
};

// What the Alertmanager receiver sees: group -> recipients, errors as values.
class GroupResolver {
public:
    virtual ~GroupResolver() = default;
    // Never throws. `resolution.error` set and no members: the group could not be resolved.
    virtual Resolution resolve(std::string_view group) = 0;
};

// The cache's storage (SqliteAlerts in router/store; InMemoryDirectoryCache for tests).
struct CachedMembers {
    std::vector<Recipient> recipients;
    SystemTime fetched_at{};
};

class DirectoryCache {
public:
    virtual ~DirectoryCache() = default;
    // nullopt when absent; an error when the storage failed (treated as a miss by the caller).
    virtual Expected<std::optional<CachedMembers>, std::string> load_members(
        std::string_view directory, std::string_view group) = 0;
    virtual Expected<void, std::string> save_members(std::string_view directory,
                                                     std::string_view group,
                                                     const CachedMembers& members) = 0;
};

}  // namespace bindery::router
