#include "app/admin_backend.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "app/logging.hpp"
#include "app/version.hpp"
#include "smpp/base/thread_name.hpp"

namespace bindery::app {

namespace {

constexpr auto kRateWindow = std::chrono::seconds(60);
constexpr auto kMinRateSpan = std::chrono::seconds(1);
constexpr std::size_t kMaxSamples = 64;

// States a message can still leave (counted from the store; final states are left out: their
// count grows with retention and costs a scan), plus dead letters (what `dlq list` shows).
constexpr std::array kCountedStates = {
    router::MessageState::accepted,    router::MessageState::queued,
    router::MessageState::sending,     router::MessageState::sent,
    router::MessageState::failed_temp, router::MessageState::dead_letter,
};

std::string breaker_name(router::BreakerState s) {
    switch (s) {
        case router::BreakerState::closed: return "closed";
        case router::BreakerState::open: return "open";
        case router::BreakerState::half_open: return "half_open";
    }
    return "closed";
}

std::optional<double> per_second(std::uint64_t now, std::uint64_t then,
                                 std::chrono::steady_clock::duration span) {
    if (span < kMinRateSpan || now < then) return std::nullopt;
    return static_cast<double>(now - then) / std::chrono::duration<double>(span).count();
}

// The variable's value, or null when it is unset or empty.
const char* env_value(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
}

}  // namespace

std::optional<http::KeyDigest> admin_key_from_environment() {
    std::string key;
    if (const char* v = env_value("BINDERY_ADMIN_KEY")) {
        key = v;
    } else if (const char* f = env_value("BINDERY_ADMIN_KEY_FILE")) {
        std::ifstream in(f);
        if (!in || !std::getline(in, key))
            throw std::runtime_error(std::string("BINDERY_ADMIN_KEY_FILE: cannot read ") + f);
        while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    } else {
        return std::nullopt;
    }
    if (key.size() < 16) throw std::runtime_error("the admin key must be at least 16 characters");
    return http::sha256(key);
}

AdminKey resolve_admin_key(const Secret& configured) {
    if (configured.is_set())
        return {http::sha256(configured.reveal()),
                "config http.admin_key " + configured.describe()};
    auto digest = admin_key_from_environment();
    if (!digest)
        return {std::nullopt,
                "none (set http.admin_key, BINDERY_ADMIN_KEY or BINDERY_ADMIN_KEY_FILE)"};
    return {digest, env_value("BINDERY_ADMIN_KEY") != nullptr ? "env BINDERY_ADMIN_KEY"
                                                              : "env BINDERY_ADMIN_KEY_FILE"};
}

router::ProviderHealth PausableProvider::health() const {
    auto h = inner_.health();
    if (paused_.load()) h.capacity = 0;
    return h;
}

http::ComponentReadiness carriers_readiness(const std::vector<const PausableProvider*>& carriers) {
    std::size_t ready = 0;
    std::string paused;
    std::string down;
    auto append = [](std::string& list, std::string_view name) {
        if (!list.empty()) list += ", ";
        list += name;
    };
    for (const auto* p : carriers) {
        if (p->paused())
            append(paused, p->name());  // intentional, whatever its binds do
        else if (p->ready())
            ++ready;
        else
            append(down, p->name());
    }
    std::string detail = std::to_string(ready) + "/" + std::to_string(carriers.size()) + " ready";
    if (!paused.empty()) detail += "; paused by operator: " + paused;
    if (!down.empty()) detail += "; not ready: " + down;
    const bool ok = ready > 0 || (!carriers.empty() && down.empty());
    return http::ComponentReadiness{ok, std::move(detail)};
}

std::size_t restore_paused_carriers(router::OperatorState& state,
                                    const std::vector<PausableProvider*>& carriers) {
    auto paused = state.paused_carriers();
    if (!paused)
        throw std::runtime_error("cannot read the paused carriers: " + paused.error().detail);
    std::size_t n = 0;
    for (const auto& name : *paused) {
        const auto it = std::find_if(carriers.begin(), carriers.end(),
                                     [&](const PausableProvider* p) { return p->name() == name; });
        if (it == carriers.end()) {
            spdlog::warn(with_fields("a paused carrier is not configured (pause kept in the store)",
                                     {{"carrier", name}}));
            continue;
        }
        (*it)->set_paused(true);
        ++n;
        spdlog::warn(with_fields("carrier paused by operator (restored)", {{"carrier", name}}));
    }
    return n;
}

GatewayAdmin::GatewayAdmin(std::string node, router::Router& router, router::MessageStore& store,
                           router::GatewayApi& gateway, std::vector<AdminCarrierParts> carriers,
                           router::OperatorState* state)
    : node_(std::move(node)),
      router_(router),
      store_(store),
      gateway_(gateway),
      carriers_(std::move(carriers)),
      state_(state),
      started_(std::chrono::steady_clock::now()) {}

GatewayAdmin::~GatewayAdmin() { stop_sampling(); }

void GatewayAdmin::start_sampling(std::chrono::milliseconds every) {
    stop_sampling();
    {
        const std::lock_guard lock(sampler_mutex_);
        sampler_stop_ = false;
    }
    sampler_ = std::thread([this, every] {
        name_this_thread("sampler");
        std::unique_lock lock(sampler_mutex_);
        while (!sampler_stop_) {
            lock.unlock();
            sample();
            lock.lock();
            sampler_cv_.wait_for(lock, every, [this] { return sampler_stop_; });
        }
    });
}

void GatewayAdmin::stop_sampling() {
    {
        const std::lock_guard lock(sampler_mutex_);
        sampler_stop_ = true;
    }
    sampler_cv_.notify_all();
    if (sampler_.joinable()) sampler_.join();
}

GatewayAdmin::Sample GatewayAdmin::take_sample() const {
    Sample s;
    s.at = std::chrono::steady_clock::now();
    s.accepted = router_.stats().accepted;
    for (const auto& c : carriers_) {
        if (c.smpp == nullptr) continue;
        const auto st = c.smpp->stats();
        s.carriers.emplace(std::string(c.provider->name()),
                           std::make_pair(st.sends_ok, st.receipts));
    }
    return s;
}

void GatewayAdmin::sample() {
    Sample s = take_sample();
    const std::lock_guard lock(mutex_);
    samples_.push_back(std::move(s));
    while (samples_.size() > kMaxSamples ||
           (samples_.size() > 2 && samples_.back().at - samples_[1].at >= kRateWindow)) {
        samples_.pop_front();
    }
}

http::AdminCarrier GatewayAdmin::carrier(const AdminCarrierParts& parts) const {
    http::AdminCarrier c;
    c.name = std::string(parts.provider->name());
    c.kind = std::string(parts.provider->kind());
    c.paused = parts.provider->paused();
    c.ready = parts.provider->ready();
    c.breaker = breaker_name(router_.breaker_state(c.name, bindery::Clock::now()));
    if (parts.smpp != nullptr) {
        const auto pool = parts.smpp->pool_stats();
        const auto st = parts.smpp->stats();
        c.binds_configured = pool.binds;
        c.binds_up = pool.binds_up;
        c.in_flight = pool.in_flight;
        c.window = pool.window;
        c.queued = pool.queued;
        c.sends_ok = st.sends_ok;
        c.sends_failed = st.sends_failed;
        c.throttled = pool.throttled;
        c.receipts = st.receipts;
        c.mo_messages = st.mo_messages;
    } else {
        const auto h = parts.provider->health();
        c.binds_configured = 1;
        c.binds_up = h.connected ? 1 : 0;
        c.in_flight = h.inflight;
    }
    return c;
}

void GatewayAdmin::set_esme_sessions(EsmeSessionsSource source) {
    const std::lock_guard lock(mutex_);
    esme_sessions_ = std::move(source);
}

http::AdminStatus GatewayAdmin::status() {
    sample();
    http::AdminStatus s;
    s.version = std::string(version());
    s.node = node_;
    s.uptime_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    s.backpressure = router_.backpressure();
    // Messages waiting for dispatch by lane, as the router holds them (the same figures as
    // bindery_queue_depth{lane}); QUEUED messages kept in the store only past the memory bound
    // have no lane in memory: lanes_complete is false while there are some.
    const auto stats = router_.stats();
    for (std::size_t lane = 0; lane < router::kPriorityCount; ++lane)
        s.lanes.emplace(std::string(router::to_string(static_cast<router::Priority>(lane))),
                        stats.queued_by_lane[lane]);
    s.lanes_complete = stats.queued_in_store_only == 0;
    for (const auto state : kCountedStates) {
        if (auto n = store_.count(state))
            s.messages_by_state.emplace(std::string(router::to_string(state)), *n);
    }
    for (const auto& parts : carriers_) s.carriers.push_back(carrier(parts));
    EsmeSessionsSource esme;
    {
        const std::lock_guard lock(mutex_);
        esme = esme_sessions_;
    }
    if (esme) s.esme_sessions = esme();

    const std::lock_guard lock(mutex_);
    if (samples_.size() >= 2) {
        const Sample& first = samples_.front();
        const Sample& last = samples_.back();
        const auto span = last.at - first.at;
        s.accept_rate = per_second(last.accepted, first.accepted, span);
        for (auto& c : s.carriers) {
            const auto a = first.carriers.find(c.name);
            const auto b = last.carriers.find(c.name);
            if (a == first.carriers.end() || b == last.carriers.end()) continue;
            c.send_rate = per_second(b->second.first, a->second.first, span);
            c.receipt_rate = per_second(b->second.second, a->second.second, span);
        }
    }
    return s;
}

Expected<http::AdminCarrier, http::AdminError> GatewayAdmin::set_paused(std::string_view name,
                                                                        bool paused) {
    for (const auto& parts : carriers_) {
        if (parts.provider->name() != name) continue;
        // Takes effect at once, saved or not: stopping traffic is what the operator needs now.
        const std::lock_guard lock(pause_mutex_);
        const bool was = parts.provider->paused();
        parts.provider->set_paused(paused);
        if (was != paused) {
            spdlog::warn(
                with_fields(paused ? "carrier paused by operator" : "carrier resumed by operator",
                            {{"carrier", std::string(name)}}));
        }
        if (state_ != nullptr) {
            if (auto saved = state_->set_paused(name, paused, router::SystemClock::now()); !saved) {
                spdlog::error(with_fields(
                    "cannot save the carrier's pause state",
                    {{"carrier", std::string(name)}, {"detail", saved.error().detail}}));
                return Unexpected(http::AdminError{
                    http::AdminErrc::unavailable,
                    std::string(paused ? "paused now, but" : "resumed now, but") +
                        " the store could not save it (a restart would " +
                        (paused ? "resume" : "pause") + " it again): " + saved.error().detail});
            }
        }
        return carrier(parts);
    }
    return Unexpected(http::AdminError{http::AdminErrc::not_found, "no such carrier"});
}

http::RetryOutcome GatewayAdmin::retry_dead_letter(const router::MessageId& id) {
    http::RetryOutcome out;
    out.id = id;
    const std::lock_guard lock(mutex_);
    if (const auto it = retried_.find(id); it != retried_.end()) {
        out.new_id = it->second;
        return out;
    }
    if (state_ != nullptr) {
        auto before = state_->retry_of(id);
        if (!before) {
            out.error = "store: " + before.error().detail;  // unknown: do not risk a second copy
            return out;
        }
        if (*before) {
            out.new_id = **before;
            retried_.emplace(id, **before);
            return out;
        }
    }
    auto found = store_.get(id);
    if (!found) {
        out.error = "store: " + found.error().detail;
        return out;
    }
    if (!*found) {
        out.error = "no such message";
        return out;
    }
    const router::Message& m = **found;
    if (m.state != router::MessageState::dead_letter) {
        out.error = "not a dead letter (" + std::string(router::to_string(m.state)) + ")";
        return out;
    }
    router::SubmitRequest r;
    r.client = m.client;
    r.sender = m.sender;
    r.destination = m.destination;
    r.text = m.text;
    r.priority = m.priority;
    r.client_ref = m.client_ref;
    r.callback_url = m.callback_url;
    r.tags = m.tags;
    r.encoding = m.forced_encoding;
    auto outcome = gateway_.submit(std::span<const router::SubmitRequest>(&r, 1));
    if (outcome.empty() || !outcome.front()) {
        out.error = outcome.empty() ? "no outcome" : outcome.front().error().reason;
        if (out.error.empty() && !outcome.empty())
            out.error = std::string(router::to_string(outcome.front().error().code));
        return out;
    }
    out.new_id = outcome.front()->id;
    retried_.emplace(id, *out.new_id);
    if (state_ != nullptr) {
        if (auto saved = state_->record_retry(id, *out.new_id, router::SystemClock::now());
            !saved) {
            // The copy is sent; this process still answers its id, a restart would not know it.
            spdlog::error(with_fields("cannot save the dead-letter retry",
                                      {{"id", id.to_string()},
                                       {"new_id", out.new_id->to_string()},
                                       {"detail", saved.error().detail}}));
        }
    }
    spdlog::info(with_fields(
        "dead letter retried",
        {{"id", id.to_string()}, {"new_id", out.new_id->to_string()}, {"client", m.client}}));
    return out;
}

}  // namespace bindery::app
