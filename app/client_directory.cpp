#include "app/client_directory.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "app/logging.hpp"

namespace bindery::app {

http::ClientInfo to_client_info(const router::StoredClient& c) {
    http::ClientInfo info;
    info.name = c.name;
    info.allowed_senders = c.allowed_senders;
    if (info.allowed_senders.empty()) info.allowed_senders.emplace_back("*");
    if (c.rate > 0) {
        const double burst = c.burst > 0 ? c.burst : std::max(1.0, c.rate);
        info.rate = http::RateLimit{c.rate, burst};
    }
    return info;
}

ClientDirectory::ClientDirectory(const http::ClientRegistry& config_clients,
                                 std::set<std::string> config_names,
                                 router::SqliteClientStore* store,
                                 std::chrono::milliseconds refresh)
    : config_clients_(config_clients),
      config_names_(std::move(config_names)),
      store_(store),
      refresh_(refresh),
      snapshot_(std::make_shared<const Snapshot>()) {}

bool ClientDirectory::reload() const {
    if (store_ == nullptr) return true;
    const std::lock_guard reloading(reload_mutex_);
    return reload_locked();
}

bool ClientDirectory::reload_locked() const {
    auto clients = store_->list();
    const auto now = std::chrono::steady_clock::now();
    if (!clients) {
        if (!failing_) {
            spdlog::warn(with_fields("api clients: cannot read the store, keeping the last copy",
                                     {{"error", clients.error().detail}}));
        }
        failing_ = true;
        const std::lock_guard lock(mutex_);
        loaded_at_ = now;  // try again after `refresh`
        return false;
    }
    if (failing_) spdlog::info(with_fields("api clients: store readable again", {}));
    failing_ = false;
    auto next = std::make_shared<Snapshot>();
    for (const auto& c : *clients) {
        if (!c.active() || config_names_.count(c.name) != 0) continue;
        next->keys.add(c.key_sha256, to_client_info(c));
        next->callbacks[c.name] = http::CallbackClient{c.callback_url, c.callback_secret};
        ++next->count;
    }
    const std::lock_guard lock(mutex_);
    snapshot_ = std::move(next);
    loaded_at_ = now;
    return true;
}

std::shared_ptr<const ClientDirectory::Snapshot> ClientDirectory::current() const {
    {
        const std::lock_guard lock(mutex_);
        if (store_ == nullptr || std::chrono::steady_clock::now() - loaded_at_ < refresh_) {
            return snapshot_;
        }
    }
    // Stale: one caller reloads; the others go on with the copy they have.
    if (std::unique_lock reloading(reload_mutex_, std::try_to_lock); reloading.owns_lock()) {
        reload_locked();
    }
    const std::lock_guard lock(mutex_);
    return snapshot_;
}

std::optional<http::ClientInfo> ClientDirectory::find_by_key_digest(
    const http::KeyDigest& digest) const {
    if (auto c = config_clients_.find_by_key_digest(digest)) return c;
    return current()->keys.find_by_key_digest(digest);
}

std::optional<http::CallbackClient> ClientDirectory::callback_client(std::string_view name) const {
    std::shared_ptr<const Snapshot> snap;
    {
        const std::lock_guard lock(mutex_);
        snap = snapshot_;
    }
    const auto it = snap->callbacks.find(name);
    if (it == snap->callbacks.end()) return std::nullopt;
    return it->second;
}

std::size_t ClientDirectory::store_clients() const {
    const std::lock_guard lock(mutex_);
    return snapshot_->count;
}

}  // namespace bindery::app
