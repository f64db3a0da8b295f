#include <map>
#include <mutex>

#include "router/core/message_store.hpp"
#include "router/core/receipts.hpp"

namespace bindery::router {

std::string_view to_string(StoreErrc e) noexcept {
    switch (e) {
        case StoreErrc::unavailable: return "unavailable";
        case StoreErrc::conflict: return "conflict";
        case StoreErrc::not_found: return "not_found";
        case StoreErrc::duplicate: return "duplicate";
        case StoreErrc::corrupt: return "corrupt";
    }
    return "unavailable";
}

std::vector<Expected<void, StoreError>> MessageStore::transition_batch(
    std::span<const TransitionWrite> writes) {
    std::vector<Expected<void, StoreError>> out;
    out.reserve(writes.size());
    for (const auto& w : writes) out.push_back(transition(w.next, w.from, w.event));
    return out;
}

Expected<StoredPage, StoreError> MessageStore::load_active_page(std::optional<MessageId> after,
                                                                std::uint32_t limit) {
    auto all = load_active();
    if (!all) return Unexpected(std::move(all).error());
    StoredPage page;
    const std::size_t cap = limit == 0 ? 100 : limit;
    for (auto& m : *all) {
        if (after && !(*after < m.id)) continue;
        if (page.messages.size() == cap) {
            page.next = page.messages.back().id;
            break;
        }
        page.messages.push_back(std::move(m));
    }
    return page;
}

struct InMemoryStore::Impl {
    std::mutex mutex;
    bool unavailable = false;
    std::map<MessageId, Message> messages;
    std::map<MessageId, std::vector<MessageEvent>> events;
    // provider + '\n' + key -> segment
    std::map<std::string, SegmentRef, std::less<>> provider_ids;

    static std::string index_key(std::string_view provider, std::string_view key) {
        std::string k(provider);
        k.push_back('\n');
        k.append(key);
        return k;
    }

    void unindex(const Message& m) {
        for (const auto& seg : m.segments) {
            for (const auto& key : provider_id_keys(seg.provider_id)) {
                const auto it = provider_ids.find(index_key(m.provider, key));
                if (it != provider_ids.end() && it->second.id == m.id) provider_ids.erase(it);
            }
        }
    }
    void index(const Message& m) {
        for (std::size_t i = 0; i < m.segments.size(); ++i) {
            for (const auto& key : provider_id_keys(m.segments[i].provider_id)) {
                provider_ids.insert_or_assign(index_key(m.provider, key),
                                              SegmentRef{m.id, static_cast<std::uint32_t>(i)});
            }
        }
    }
};

namespace {
Unexpected<StoreError> down() { return Unexpected(StoreError{StoreErrc::unavailable, "store offline"}); }
}  // namespace

InMemoryStore::InMemoryStore() : impl_(std::make_unique<Impl>()) {}
InMemoryStore::~InMemoryStore() = default;

void InMemoryStore::set_unavailable(bool unavailable) {
    std::lock_guard lock(impl_->mutex);
    impl_->unavailable = unavailable;
}

Expected<void, StoreError> InMemoryStore::insert_batch(std::span<const Message> messages,
                                                       std::span<const MessageEvent> events) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    for (const auto& m : messages) {
        if (impl_->messages.contains(m.id)) {
            return Unexpected(StoreError{StoreErrc::duplicate, m.id.to_string()});
        }
    }
    for (const auto& m : messages) {
        impl_->messages.emplace(m.id, m);
        impl_->index(m);
    }
    for (const auto& e : events) impl_->events[e.id].push_back(e);
    return {};
}

Expected<std::vector<Message>, StoreError> InMemoryStore::load_active() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    std::vector<Message> out;
    for (const auto& [id, m] : impl_->messages) {
        if (!is_final(m.state) && m.state != MessageState::sent) out.push_back(m);
    }
    return out;
}

Expected<void, StoreError> InMemoryStore::transition(const Message& next, MessageState from,
                                                     std::optional<MessageEvent> event) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const auto it = impl_->messages.find(next.id);
    if (it == impl_->messages.end()) {
        return Unexpected(StoreError{StoreErrc::not_found, next.id.to_string()});
    }
    if (it->second.state != from) {
        return Unexpected(StoreError{StoreErrc::conflict,
                                     std::string("stored state is ") +
                                         std::string(to_string(it->second.state))});
    }
    impl_->unindex(it->second);
    it->second = next;
    impl_->index(it->second);
    if (event) impl_->events[next.id].push_back(std::move(*event));
    return {};
}

Expected<std::optional<Message>, StoreError> InMemoryStore::get(const MessageId& id) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const auto it = impl_->messages.find(id);
    if (it == impl_->messages.end()) return std::optional<Message>();
    return std::optional<Message>(it->second);
}

Expected<std::vector<MessageEvent>, StoreError> InMemoryStore::events(const MessageId& id) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const auto it = impl_->events.find(id);
    if (it == impl_->events.end()) return std::vector<MessageEvent>();
    return it->second;
}

Expected<std::optional<SegmentRef>, StoreError> InMemoryStore::find_by_provider_id(
    std::string_view provider, std::string_view key) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const auto it = impl_->provider_ids.find(Impl::index_key(provider, key));
    if (it == impl_->provider_ids.end()) return std::optional<SegmentRef>();
    return std::optional<SegmentRef>(it->second);
}

Expected<StoredPage, StoreError> InMemoryStore::list(const MessageQuery& query) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    StoredPage page;
    const std::size_t limit = query.limit == 0 ? 100 : query.limit;
    auto it = query.after ? impl_->messages.upper_bound(*query.after) : impl_->messages.begin();
    for (; it != impl_->messages.end(); ++it) {
        const auto& m = it->second;
        if (query.client && m.client != *query.client) continue;
        if (query.state && m.state != *query.state) continue;
        if (query.destination && m.destination != *query.destination) continue;
        if (query.client_ref && m.client_ref != *query.client_ref) continue;
        if (query.accepted_from && m.accepted_at < *query.accepted_from) continue;
        if (query.accepted_to && m.accepted_at >= *query.accepted_to) continue;
        if (page.messages.size() == limit) {
            page.next = page.messages.back().id;
            break;
        }
        page.messages.push_back(m);
    }
    return page;
}

Expected<std::uint64_t, StoreError> InMemoryStore::count(MessageState state) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    std::uint64_t n = 0;
    for (const auto& [id, m] : impl_->messages) {
        if (m.state == state) ++n;
    }
    return n;
}

Expected<std::uint64_t, StoreError> InMemoryStore::purge(SystemTime before) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    std::uint64_t n = 0;
    for (auto it = impl_->messages.begin(); it != impl_->messages.end();) {
        if (is_final(it->second.state) && it->second.updated_at < before) {
            impl_->unindex(it->second);
            impl_->events.erase(it->first);
            it = impl_->messages.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

}  // namespace bindery::router
