#include "http-frontend/callbacks.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http-frontend/time_format.hpp"

namespace bindery::http {
namespace {

using router::CallbackAttempt;
using router::CallbackJob;
using router::CallbackVerdict;
using router::SystemClock;
using router::SystemTime;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool reportable(const CallbackConfig& c, router::MessageState s) {
    return router::is_final(s) || (c.on_sent && s == router::MessageState::sent);
}

std::string_view result_kind(const OutboundResult& r) {
    if (r.status >= 200 && r.status < 300) return "success";
    if (r.status != 0) return "http_error";
    if (r.failure == OutboundFailure::timeout) return "timeout";
    return "network_error";
}

}  // namespace

std::string callback_body(const CallbackEvent& e) {
    nlohmann::ordered_json j;
    j["event"] = "message." + lower(router::to_string(e.to));
    j["message_id"] = e.id.to_string();
    j["state"] = router::to_string(e.to);
    j["previous_state"] = router::to_string(e.from);
    j["at"] = format_rfc3339(e.at);
    j["to"] = e.destination;
    j["from"] = e.sender;
    j["client_ref"] = e.client_ref.empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(e.client_ref);
    j["segments"] = e.segments;
    j["attempts"] = e.attempts;
    j["provider"] = e.provider.empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(e.provider);
    j["detail"] = e.detail.empty() ? nlohmann::ordered_json(nullptr)
                                   : nlohmann::ordered_json(e.detail);
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string callback_signature(std::string_view secret, std::int64_t unix_seconds,
                               std::string_view body) {
    const std::string t = std::to_string(unix_seconds);
    std::string signed_payload;
    signed_payload.reserve(t.size() + 1 + body.size());
    signed_payload.append(t).append(".").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(signed_payload.data()), signed_payload.size(),
             mac, &len) == nullptr) {
        len = 0;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "t=" + t + ",v1=";
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[mac[i] >> 4U]);
        out.push_back(kHex[mac[i] & 0xFU]);
    }
    return out;
}

std::chrono::milliseconds callback_backoff(const CallbackConfig& c, std::uint32_t next_attempt) {
    auto d = c.initial_backoff;
    for (std::uint32_t i = 2; i < next_attempt && d < c.max_backoff; ++i) d *= 2;
    return std::min(d, c.max_backoff);
}

CallbackDispatcher::CallbackDispatcher(boost::asio::io_context& io, CallbackConfig config,
                                       router::CallbackOutbox& outbox, ClientLookup clients,
                                       CallbackObserver observer)
    : config_(std::move(config)),
      outbox_(outbox),
      clients_(std::move(clients)),
      observer_(std::move(observer)),
      client_(io, config_.http),
      shared_(std::make_shared<Shared>()) {}

CallbackDispatcher::~CallbackDispatcher() { stop(); }

void CallbackDispatcher::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { run(); });
}

void CallbackDispatcher::stop(std::chrono::milliseconds grace) {
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->stopping && !thread_.joinable()) return;
        shared_->stopping = true;
        grace_ = grace;
    }
    shared_->cv.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    } else {
        // Never started: still keep what was queued.
        std::vector<CallbackJob> jobs;
        {
            std::lock_guard lock(shared_->mutex);
            jobs.swap(shared_->intake);
        }
        write_jobs(std::move(jobs));
    }
}

void CallbackDispatcher::wake() {
    {
        std::lock_guard lock(shared_->mutex);
        shared_->woken = true;
    }
    shared_->cv.notify_all();
}

CallbackStats CallbackDispatcher::stats() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->stats;
}

void CallbackDispatcher::notify(const CallbackEvent& event) {
    if (!reportable(config_, event.to)) return;
    std::string url = event.callback_url;
    if (url.empty() && clients_) {
        if (auto c = clients_(event.client)) url = c->default_url;
    }
    if (url.empty()) {
        std::lock_guard lock(shared_->mutex);
        ++shared_->stats.skipped;
        return;
    }
    CallbackJob job;
    job.message_id = event.id;
    job.client = event.client;
    job.state = event.to;
    job.url = std::move(url);
    job.body = callback_body(event);
    job.created_at = event.at;
    job.next_attempt_at = event.at;
    {
        std::lock_guard lock(shared_->mutex);
        shared_->intake.push_back(std::move(job));
    }
    shared_->cv.notify_all();
}

void CallbackDispatcher::write_jobs(std::vector<CallbackJob> jobs) {
    if (jobs.empty()) return;
    // A store outage must not lose events: try a few times, then log what is dropped.
    for (int attempt = 1;; ++attempt) {
        auto r = outbox_.enqueue(jobs);
        if (r) {
            std::lock_guard lock(shared_->mutex);
            shared_->stats.queued += jobs.size();
            return;
        }
        {
            std::lock_guard lock(shared_->mutex);
            ++shared_->stats.store_errors;
        }
        if (attempt == 3) {
            spdlog::error("callbacks: {} event(s) lost, cannot store them: {}", jobs.size(), r.error());
            return;
        }
        spdlog::warn("callbacks: cannot store {} event(s), retrying: {}", jobs.size(), r.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
}

void CallbackDispatcher::run() {
    auto& sh = *shared_;
    std::optional<std::chrono::steady_clock::time_point> stop_deadline;
    SystemTime next_look = SystemClock::now();
    for (;;) {
        std::vector<CallbackJob> intake;
        std::deque<Completion> completions;
        bool stopping = false;
        {
            std::unique_lock lock(sh.mutex);
            const auto ready = [&] {
                return sh.woken || !sh.intake.empty() || !sh.completions.empty() ||
                       (sh.stopping && !stop_deadline);
            };
            if (!ready()) {
                auto until = next_look;
                if (sh.stopping) until = SystemClock::now() + std::chrono::milliseconds(50);
                sh.cv.wait_until(lock, until, ready);
            }
            sh.woken = false;
            intake.swap(sh.intake);
            completions.swap(sh.completions);
            stopping = sh.stopping;
        }
        write_jobs(std::move(intake));
        for (auto& c : completions) handle_completion(std::move(c));
        if (stopping) {
            if (!stop_deadline) stop_deadline = std::chrono::steady_clock::now() + grace_;
            if (in_flight_.empty() || std::chrono::steady_clock::now() >= *stop_deadline) break;
            continue;
        }
        const auto now = SystemClock::now();
        next_look = start_due(now);
    }
    // Events that arrived during the last round.
    std::vector<CallbackJob> intake;
    {
        std::lock_guard lock(sh.mutex);
        intake.swap(sh.intake);
    }
    write_jobs(std::move(intake));
    if (!in_flight_.empty()) {
        spdlog::info("callbacks: {} attempt(s) still running at shutdown; retried after restart",
                     in_flight_.size());
    }
}

SystemTime CallbackDispatcher::start_due(SystemTime now) {
    SystemTime next = now + config_.poll_interval;
    const std::size_t room =
        config_.max_in_flight > in_flight_.size() ? config_.max_in_flight - in_flight_.size() : 0;
    if (room > 0) {
        auto due = outbox_.due(now, room, in_flight_);
        if (!due) {
            {
                std::lock_guard lock(shared_->mutex);
                ++shared_->stats.store_errors;
            }
            spdlog::warn("callbacks: cannot read due callbacks: {}", due.error());
            return next;
        }
        for (auto& job : *due) {
            in_flight_.push_back(job.seq);
            OutboundRequest req;
            req.method = "POST";
            req.url = job.url;
            req.timeout = config_.timeout;
            req.body = job.body;
            req.headers.emplace_back("Content-Type", "application/json");
            req.headers.emplace_back("X-Bindery-Attempt", std::to_string(job.attempts + 1));
            req.headers.emplace_back("X-Bindery-Event-Id",
                                     job.message_id.to_string() + "." +
                                         lower(router::to_string(job.state)));
            std::optional<CallbackClient> client;
            if (clients_) client = clients_(job.client);
            if (client && !client->secret.empty()) {
                const auto t = std::chrono::duration_cast<std::chrono::seconds>(
                                   SystemClock::now().time_since_epoch())
                                   .count();
                req.headers.emplace_back("X-Bindery-Signature",
                                         callback_signature(client->secret, t, job.body));
            }
            client_.async_request(std::move(req),
                                  [shared = shared_, job](OutboundResult r) mutable {
                                      {
                                          std::lock_guard lock(shared->mutex);
                                          shared->completions.push_back(
                                              Completion{std::move(job), std::move(r)});
                                      }
                                      shared->cv.notify_all();
                                  });
        }
        if (due->size() == room) return now;   // maybe more due: look again when one ends
    }
    // Jobs in flight are still due in the outbox: with any in flight, their completion wakes
    // the loop and the poll interval bounds the wait.
    if (in_flight_.empty()) {
        auto next_due = outbox_.next_due();
        if (next_due && *next_due) next = std::min(next, std::max(now, **next_due));
    }
    publish_pending();
    return next;
}

void CallbackDispatcher::handle_completion(Completion c) {
    const auto& job = c.job;
    const auto& r = c.result;
    std::erase(in_flight_, job.seq);
    const auto now = SystemClock::now();
    CallbackAttempt a;
    a.seq = job.seq;
    a.attempt = job.attempts + 1;
    a.at = now;
    a.detail = r.status != 0 ? "HTTP " + std::to_string(r.status) : r.error;
    const auto kind = result_kind(r);
    if (kind == "success") {
        a.verdict = CallbackVerdict::delivered;
    } else if (r.status == 410 || r.failure == OutboundFailure::bad_url) {
        a.verdict = CallbackVerdict::gave_up;
    } else {
        auto delay = callback_backoff(config_, a.attempt + 1);
        // +-20% jitter, so callbacks failing together do not retry together.
        std::uniform_real_distribution<double> jitter(0.8, 1.2);
        delay = std::chrono::milliseconds(
            static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter(rng_)));
        a.next_attempt_at = now + delay;
        const bool too_old = a.next_attempt_at > job.created_at + config_.max_age;
        a.verdict = a.attempt >= config_.max_attempts || too_old ? CallbackVerdict::gave_up
                                                                 : CallbackVerdict::retry;
    }
    if (observer_.attempt) observer_.attempt(kind, r.seconds);
    {
        std::lock_guard lock(shared_->mutex);
        auto& s = shared_->stats;
        ++s.attempts;
        if (a.verdict == CallbackVerdict::delivered) ++s.delivered;
        if (a.verdict == CallbackVerdict::retry) ++s.retries;
        if (a.verdict == CallbackVerdict::gave_up) ++s.gave_up;
    }
    if (a.verdict != CallbackVerdict::delivered) {
        spdlog::log(a.verdict == CallbackVerdict::gave_up ? spdlog::level::warn : spdlog::level::info,
                    "callback {} {} attempt {}: {} ({})", job.message_id.to_string(), job.url,
                    a.attempt, a.detail, router::to_string(a.verdict));
    }
    if (auto rec = outbox_.record(a); !rec) {
        // The job stays due as it was: it is attempted again (at-least-once delivery).
        std::lock_guard lock(shared_->mutex);
        ++shared_->stats.store_errors;
        spdlog::warn("callbacks: cannot record attempt of {}: {}", job.message_id.to_string(),
                     rec.error());
        return;
    }
    if (a.verdict != CallbackVerdict::retry && observer_.completed) {
        observer_.completed(a.verdict == CallbackVerdict::delivered);
    }
}

void CallbackDispatcher::publish_pending() {
    if (!observer_.pending) return;
    if (auto n = outbox_.pending(); n) observer_.pending(*n);
}

// ---- InMemoryCallbackOutbox ----------------------------------------------------------------

Expected<void, std::string> InMemoryCallbackOutbox::enqueue(std::span<const CallbackJob> jobs) {
    std::lock_guard lock(mutex_);
    for (auto j : jobs) {
        j.seq = next_seq_++;
        jobs_.emplace(j.seq, std::move(j));
    }
    return {};
}

Expected<std::vector<CallbackJob>, std::string> InMemoryCallbackOutbox::due(
    SystemTime now, std::size_t limit, std::span<const std::int64_t> skip) {
    std::lock_guard lock(mutex_);
    std::vector<CallbackJob> out;
    for (const auto& [seq, j] : jobs_) {
        if (j.next_attempt_at > now) continue;
        if (std::find(skip.begin(), skip.end(), seq) != skip.end()) continue;
        out.push_back(j);
    }
    std::stable_sort(out.begin(), out.end(), [](const CallbackJob& a, const CallbackJob& b) {
        return a.next_attempt_at < b.next_attempt_at;
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

Expected<void, std::string> InMemoryCallbackOutbox::record(const CallbackAttempt& a) {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(a.seq);
    if (it == jobs_.end()) return {};
    attempts_.push_back(a);
    if (a.verdict == CallbackVerdict::retry) {
        it->second.attempts = a.attempt;
        it->second.next_attempt_at = a.next_attempt_at;
        it->second.last_error = a.detail;
    } else {
        jobs_.erase(it);
    }
    return {};
}

Expected<std::optional<SystemTime>, std::string> InMemoryCallbackOutbox::next_due() {
    std::lock_guard lock(mutex_);
    std::optional<SystemTime> out;
    for (const auto& [seq, j] : jobs_) {
        if (!out || j.next_attempt_at < *out) out = j.next_attempt_at;
    }
    return out;
}

Expected<std::uint64_t, std::string> InMemoryCallbackOutbox::pending() {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint64_t>(jobs_.size());
}

std::vector<CallbackAttempt> InMemoryCallbackOutbox::attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
}

}  // namespace bindery::http
