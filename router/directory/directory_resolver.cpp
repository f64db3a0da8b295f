#include "router/directory/directory_resolver.hpp"

namespace bindery::router {

DirectoryResolver::DirectoryResolver(std::vector<ResolverEntry> entries, DirectoryCache& cache,
                                     std::function<SystemTime()> wall_now)
    : entries_(std::move(entries)), cache_(cache), wall_now_(std::move(wall_now)) {}

Resolution DirectoryResolver::resolve(std::string_view group) {
    Resolution out;
    const ResolverEntry* entry = nullptr;
    for (const auto& e : entries_) {
        if (e.directory != nullptr && e.directory->covers(group)) {
            entry = &e;
            break;
        }
    }
    if (entry == nullptr) {
        out.error = DirectoryError{DirectoryErrc::unknown_group,
                                   "no directory has a group \"" + std::string(group) + "\""};
        return out;
    }
    Directory& dir = *entry->directory;
    out.directory = std::string(dir.name());

    if (!dir.remote()) {
        auto m = dir.members(group);
        if (m)
            out.members = std::move(*m);
        else
            out.error = std::move(m).error();
        return out;
    }

    const SystemTime now = wall_now_();
    std::optional<CachedMembers> cached;
    if (auto loaded = cache_.load_members(dir.name(), group); loaded) cached = std::move(*loaded);
    if (cached && entry->ttl.count() > 0 && now >= cached->fetched_at &&
        now - cached->fetched_at < entry->ttl) {
        out.members.recipients = std::move(cached->recipients);
        out.source = MembersSource::cache;
        out.fetched_at = cached->fetched_at;
        return out;
    }

    auto fetched = dir.members(group);
    if (fetched) {
        out.members = std::move(*fetched);
        out.source = MembersSource::live;
        out.fetched_at = now;
        // A failed save costs a refetch next time, nothing more.
        (void)cache_.save_members(dir.name(), group, CachedMembers{out.members.recipients, now});
        return out;
    }
    out.error = std::move(fetched).error();
    // Stale-if-error: only for failures of the directory itself, not for its answer that the
    // group does not exist.
    const bool transient = out.error->code != DirectoryErrc::unknown_group;
    if (cached && transient) {
        out.members.recipients = std::move(cached->recipients);
        out.source = MembersSource::stale;
        out.fetched_at = cached->fetched_at;
    }
    return out;
}

Expected<std::optional<CachedMembers>, std::string> InMemoryDirectoryCache::load_members(
    std::string_view directory, std::string_view group) {
    const std::lock_guard lock(mutex_);
    if (failing_) return Unexpected(std::string("cache storage failing"));
    std::string key(directory);
    key.push_back('\0');
    key.append(group);
    for (const auto& [k, v] : entries_) {
        if (k == key) return std::optional<CachedMembers>(v);
    }
    return std::optional<CachedMembers>();
}

Expected<void, std::string> InMemoryDirectoryCache::save_members(std::string_view directory,
                                                                 std::string_view group,
                                                                 const CachedMembers& members) {
    const std::lock_guard lock(mutex_);
    if (failing_) return Unexpected(std::string("cache storage failing"));
    std::string key(directory);
    key.push_back('\0');
    key.append(group);
    for (auto& [k, v] : entries_) {
        if (k == key) {
            v = members;
            return {};
        }
    }
    entries_.emplace_back(std::move(key), members);
    return {};
}

void InMemoryDirectoryCache::set_failing(bool failing) {
    const std::lock_guard lock(mutex_);
    failing_ = failing;
}

}  // namespace bindery::router
