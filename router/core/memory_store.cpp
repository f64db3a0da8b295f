#include <limits>
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
        case StoreErrc::insufficient_credit: return "insufficient_credit";
    }
    return "unavailable";
}

std::vector<Expected<void, StoreError>> MessageStore::transition_batch(
    std::span<const TransitionWrite> writes) {
    std::vector<Expected<void, StoreError>> out;
    out.reserve(writes.size());
    for (const auto& w : writes) {
        if (!w.earlier) {
            out.push_back(transition(w.next, w.from, w.event));
            continue;
        }
        // Two compare-and-sets: to the earlier change's state, then on to next's.
        Message between = w.next;
        between.state = w.earlier->to;
        auto first = transition(between, w.from, w.earlier);
        out.push_back(first ? transition(w.next, w.earlier->to, w.event) : std::move(first));
    }
    return out;
}

namespace {
class ReadyBatch final : public MessageStore::PendingBatch {
public:
    explicit ReadyBatch(std::vector<Expected<void, StoreError>> results)
        : results_(std::move(results)) {}
    bool ready() const override { return true; }
    std::vector<Expected<void, StoreError>> wait() override { return std::move(results_); }

private:
    std::vector<Expected<void, StoreError>> results_;
};
}  // namespace

// `done` by value as declared: an override keeps it until its write commits.
std::unique_ptr<MessageStore::PendingBatch> MessageStore::start_transition_batch(
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    std::span<const TransitionWrite> writes, std::function<void()> done) {
    auto results = transition_batch(writes);
    if (done) done();
    return std::make_unique<ReadyBatch>(std::move(results));
}

std::vector<ReceiptLookup> MessageStore::find_receipt_targets(
    std::span<const ReceiptQuery> queries) {
    std::vector<ReceiptLookup> out;
    out.reserve(queries.size());
    for (const auto& q : queries) {
        out.push_back(first_receipt_target(
            q.keys, [&](const std::string& key) { return find_receipt_target(q.provider, key); }));
    }
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

namespace {
Unexpected<StoreError> no_credits() {
    return Unexpected(StoreError{StoreErrc::unavailable, "this store keeps no credit accounts"});
}
}  // namespace

Expected<CreditAccount, StoreError> MessageStore::credit_open(std::string_view, CreditAmount,
                                                              CaptureOn, SystemTime) {
    return no_credits();
}
// The note by value as declared: a store that keeps credit accounts moves it into its ledger.
Expected<CreditAccount, StoreError> MessageStore::credit_add(
    std::string_view, CreditAmount, CaptureOn,
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    std::string, SystemTime) {
    return no_credits();
}
Expected<std::optional<CreditAccount>, StoreError> MessageStore::credit_account(std::string_view) {
    return no_credits();
}
Expected<std::vector<CreditEntry>, StoreError> MessageStore::credit_ledger(std::string_view,
                                                                           std::uint64_t,
                                                                           std::uint32_t) {
    return no_credits();
}

struct InMemoryStore::Impl {
    std::mutex mutex;
    bool unavailable = false;
    std::map<MessageId, Message> messages;
    std::map<MessageId, std::vector<MessageEvent>> events;
    // provider + '\n' + key -> segment
    std::map<std::string, SegmentRef, std::less<>> provider_ids;
    // Credits: accounts, the ledger, and each message's open hold.
    struct Hold {
        std::string client;
        CreditAmount amount = 0;
        CaptureOn capture = CaptureOn::delivered;
    };
    std::map<std::string, CreditAccount, std::less<>> accounts;
    std::vector<CreditEntry> ledger;
    std::map<MessageId, Hold> holds;

    void enter(std::string client, std::optional<MessageId> message, CreditKind kind,
               CreditAmount amount, SystemTime at, std::string note = {}) {
        CreditEntry e;
        e.seq = ledger.size() + 1;
        e.client = std::move(client);
        e.message = message;
        e.kind = kind;
        e.amount = amount;
        e.at = at;
        e.note = std::move(note);
        ledger.push_back(std::move(e));
    }

    // The hold of `id` closed by a transition into `to`, if any (same rules as the SQLite store).
    void settle_hold(const MessageId& id, MessageState to, SystemTime at) {
        const auto it = holds.find(id);
        if (it == holds.end()) return;
        const auto action = credit_action(to, it->second.capture);
        if (action == CreditAction::none) return;
        auto& account = accounts[it->second.client];
        account.held -= it->second.amount;
        if (action == CreditAction::release) account.balance += it->second.amount;
        account.updated_at = at;
        enter(it->second.client, id,
              action == CreditAction::capture ? CreditKind::capture : CreditKind::release,
              it->second.amount, at);
        holds.erase(it);
    }

    static std::string index_key(std::string_view provider, std::string_view key) {
        std::string k(provider);
        k.push_back('\n');
        k.append(key);
        return k;
    }

    void unindex(const Message& m) {
        for (const auto& seg : m.segments) {
            const auto key = provider_id_key(seg.provider_id);
            if (key.empty()) continue;
            const auto it = provider_ids.find(index_key(m.provider, key));
            if (it != provider_ids.end() && it->second.id == m.id) provider_ids.erase(it);
        }
    }
    void index(const Message& m) {
        for (std::size_t i = 0; i < m.segments.size(); ++i) {
            const auto key = provider_id_key(m.segments[i].provider_id);
            if (key.empty()) continue;
            provider_ids.insert_or_assign(index_key(m.provider, key),
                                          SegmentRef{m.id, static_cast<std::uint32_t>(i)});
        }
    }
};

namespace {
Unexpected<StoreError> down() {
    return Unexpected(StoreError{StoreErrc::unavailable, "store offline"});
}
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
    std::map<std::string, CreditAmount, std::less<>> needed;  // metered client -> charges
    for (const auto& m : messages) {
        if (impl_->messages.contains(m.id)) {
            return Unexpected(StoreError{StoreErrc::duplicate, m.id.to_string()});
        }
        if (m.charge > 0 && impl_->accounts.contains(m.client)) {
            auto& sum = needed[m.client];
            sum = sum > std::numeric_limits<CreditAmount>::max() - m.charge
                      ? std::numeric_limits<CreditAmount>::max()
                      : sum + m.charge;
        }
    }
    for (const auto& [client, amount] : needed) {
        const auto& account = impl_->accounts.find(client)->second;
        if (account.balance < amount) {
            return Unexpected(StoreError{StoreErrc::insufficient_credit,
                                         "client " + client + ": balance " +
                                             std::to_string(account.balance) + ", needs " +
                                             std::to_string(amount)});
        }
    }
    for (const auto& m : messages) {
        impl_->messages.emplace(m.id, m);
        impl_->index(m);
        if (m.charge > 0 && needed.contains(m.client)) {
            auto& account = impl_->accounts.find(m.client)->second;
            account.balance -= m.charge;
            account.held += m.charge;
            account.updated_at = m.accepted_at;
            impl_->holds.insert_or_assign(m.id, Impl::Hold{m.client, m.charge, account.capture});
            impl_->enter(m.client, m.id, CreditKind::hold, m.charge, m.accepted_at);
        }
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
        return Unexpected(
            StoreError{StoreErrc::conflict,
                       std::string("stored state is ") + std::string(to_string(it->second.state))});
    }
    impl_->unindex(it->second);
    it->second = next;
    impl_->index(it->second);
    if (from != next.state) impl_->settle_hold(next.id, next.state, next.updated_at);
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

Expected<CreditAccount, StoreError> InMemoryStore::credit_open(std::string_view client,
                                                               CreditAmount initial,
                                                               CaptureOn capture, SystemTime at) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    if (initial < 0)
        return Unexpected(StoreError{StoreErrc::insufficient_credit, "negative initial balance"});
    const auto it = impl_->accounts.find(client);
    if (it != impl_->accounts.end()) {
        it->second.capture = capture;
        return it->second;
    }
    CreditAccount account{std::string(client), initial, 0, capture, at};
    impl_->accounts.emplace(std::string(client), account);
    impl_->enter(std::string(client), std::nullopt, CreditKind::topup, initial, at,
                 "initial balance");
    return account;
}

Expected<CreditAccount, StoreError> InMemoryStore::credit_add(std::string_view client,
                                                              CreditAmount amount,
                                                              CaptureOn capture_if_new,
                                                              std::string note, SystemTime at) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    auto it = impl_->accounts.find(client);
    const CreditAmount balance = it == impl_->accounts.end() ? 0 : it->second.balance;
    if (amount < 0 && balance < -amount) {
        return Unexpected(StoreError{StoreErrc::insufficient_credit,
                                     "client " + std::string(client) + ": balance " +
                                         std::to_string(balance) + ", cannot take " +
                                         std::to_string(-amount)});
    }
    if (it == impl_->accounts.end()) {
        it = impl_->accounts
                 .emplace(std::string(client),
                          CreditAccount{std::string(client), 0, 0, capture_if_new, at})
                 .first;
    }
    it->second.balance += amount;
    it->second.updated_at = at;
    impl_->enter(std::string(client), std::nullopt, CreditKind::topup, amount, at, std::move(note));
    return it->second;
}

Expected<std::optional<CreditAccount>, StoreError> InMemoryStore::credit_account(
    std::string_view client) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const auto it = impl_->accounts.find(client);
    if (it == impl_->accounts.end()) return std::optional<CreditAccount>();
    return std::optional<CreditAccount>(it->second);
}

Expected<std::vector<CreditEntry>, StoreError> InMemoryStore::credit_ledger(std::string_view client,
                                                                            std::uint64_t after_seq,
                                                                            std::uint32_t limit) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->unavailable) return down();
    const std::size_t cap = limit == 0 ? 100 : limit;
    std::vector<CreditEntry> out;
    for (const auto& e : impl_->ledger) {
        if (e.seq <= after_seq || e.client != client) continue;
        if (out.size() == cap) break;
        out.push_back(e);
    }
    return out;
}

}  // namespace bindery::router
