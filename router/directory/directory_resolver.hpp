#pragma once
// DirectoryResolver: group -> recipients across the configured directories, in configuration
// order (the first directory that covers the group answers). Remote directories go through a
// DirectoryCache with a TTL: a fresh entry is used as is (cache hit); an expired or missing one
// is refreshed from the directory; when the directory fails, the last known entry of any age is
// used (stale-if-error) and the error is reported with it, so a page never fails because the
// directory is down.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "router/directory/directory.hpp"

namespace bindery::router {

struct ResolverEntry {
    Directory* directory = nullptr;  // not owned
    std::chrono::milliseconds ttl{
        std::chrono::minutes(5)};  // 0: always ask (still kept for stale-if-error)
};

class DirectoryResolver final : public GroupResolver {
public:
    DirectoryResolver(std::vector<ResolverEntry> entries, DirectoryCache& cache,
                      std::function<SystemTime()> wall_now);

    // router::GroupResolver
    Resolution resolve(std::string_view group) override;

private:
    std::vector<ResolverEntry> entries_;
    DirectoryCache& cache_;
    std::function<SystemTime()> wall_now_;
};

// A DirectoryCache in memory (tests, and a store-less setup).
class InMemoryDirectoryCache final : public DirectoryCache {
public:
    // router::DirectoryCache
    Expected<std::optional<CachedMembers>, std::string> load_members(
        std::string_view directory, std::string_view group) override;
    Expected<void, std::string> save_members(std::string_view directory, std::string_view group,
                                             const CachedMembers& members) override;

    // Tests: make the storage fail.
    void set_failing(bool failing);

private:
    std::mutex mutex_;
    bool failing_ = false;
    std::vector<std::pair<std::string, CachedMembers>> entries_;  // key "directory\0group"
};

}  // namespace bindery::router
