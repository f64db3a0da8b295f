#include "http-frontend/callbacks.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <spdlog/spdlog.h>

#include "http-frontend/time_format.hpp"
#include "smpp/base/log_field.hpp"
#include "smpp/base/thread_name.hpp"

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

// Every attempt that may run at once keeps its connection when it ends: with fewer idle places
// than max_in_flight, the surplus would be closed and opened again at every round.
HttpClientConfig with_pool_room(const CallbackConfig& c) {
    HttpClientConfig http = c.http;
    if (http.max_idle_per_origin > 0 && http.max_idle_total > 0) {
        http.max_idle_per_origin = std::max(http.max_idle_per_origin, c.max_in_flight);
        http.max_idle_total = std::max(http.max_idle_total, c.max_in_flight);
    }
    return http;
}

// ---- callback_body --------------------------------------------------------------------------

// Bytes copied as they are inside a JSON string: printable ASCII and DEL, but '"' and '\'.
constexpr std::array<bool, 256> kPlainJsonByte = [] {
    std::array<bool, 256> t{};
    for (std::size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
    return t;
}();

// The length of the well-formed UTF-8 sequence (Unicode table 3-7: no overlong forms, no
// surrogates, nothing past U+10FFFF) starting with the non-ASCII byte p[0], or, when it is
// ill-formed, minus the length of its maximal subpart (the lead byte and the continuation bytes
// that fit, at least 1).
int utf8_sequence(const unsigned char* p, std::size_t n) noexcept {
    const unsigned char b = p[0];
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        return -1;  // a continuation byte, C0, C1, F5..FF
    }
    for (int i = 1; i < len; ++i) {
        if (static_cast<std::size_t>(i) >= n) return -i;
        const unsigned char c = p[i];
        if (c < lo || c > hi) return -i;
        lo = 0x80;
        hi = 0xBF;
    }
    return len;
}

// `s` as a JSON string, exactly as nlohmann::json::dump(-1, ' ', false,
// error_handler_t::replace) writes it: '"', '\' and \b \t \n \f \r escaped by name, the other
// control characters as \u00xx (lower-case hex), DEL and well-formed UTF-8 copied. Ill-formed
// UTF-8 never fails (the replace handler): each maximal subpart of an ill-formed sequence, or a
// byte that cannot start one, becomes one U+FFFD, and the byte that broke a sequence is read
// again.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    out.push_back('"');
    std::size_t i = 0;
    while (i < n) {
        std::size_t run = i;
        while (run < n && kPlainJsonByte[p[run]]) ++run;
        out.append(s.data() + i, run - i);
        i = run;
        if (i == n) break;
        const unsigned char c = p[i];
        if (c < 0x80) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\b': out.append("\\b"); break;
                case '\t': out.append("\\t"); break;
                case '\n': out.append("\\n"); break;
                case '\f': out.append("\\f"); break;
                case '\r': out.append("\\r"); break;
                default: {
                    const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4U], kHex[c & 0xFU]};
                    out.append(u, sizeof u);
                }
            }
            ++i;
            continue;
        }
        const int len = utf8_sequence(p + i, n - i);
        if (len > 0) {
            out.append(s.data() + i, static_cast<std::size_t>(len));
            i += static_cast<std::size_t>(len);
        } else {
            out.append("\xEF\xBF\xBD");  // U+FFFD
            i += static_cast<std::size_t>(-len);
        }
    }
    out.push_back('"');
}

void append_json_string_or_null(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.append("null");
    } else {
        append_json_string(out, s);
    }
}

void append_decimal(std::string& out, std::uint32_t v) {
    char buf[10];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;  // 10 digits hold any uint32
    out.append(buf, static_cast<std::size_t>(end - buf));
}

// MessageId::to_string() without the temporary.
void append_message_id(std::string& out, const router::MessageId& id) {
    static constexpr char kHex[] = "0123456789abcdef";
    char text[36];
    std::size_t k = 0;
    const auto& bytes = id.bytes();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[k++] = '-';
        text[k++] = kHex[bytes[i] >> 4U];
        text[k++] = kHex[bytes[i] & 0xFU];
    }
    out.append(text, k);
}

// ---- callback_signature ---------------------------------------------------------------------

// The HMAC-SHA256 of "<stamp>.<body>" with the one-shot HMAC(): the fallback when a kept
// context cannot be had. Returns the MAC's length (0 on failure).
std::size_t one_shot_hmac(std::string_view secret, std::string_view stamp_dot,
                          std::string_view body, unsigned char* mac) {
    std::string payload;
    payload.reserve(stamp_dot.size() + body.size());
    payload.append(stamp_dot).append(body);
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac,
             &len) == nullptr) {
        return 0;
    }
    return len;
}

// HMAC-SHA256 contexts keyed with the secrets this thread signed with lately: a signature then
// costs an EVP_MAC_init() that restores the keyed state, two updates and a final, instead of
// fetching the algorithm, allocating a context and hashing the key each time (HMAC() does all
// that per call). In the gateway one thread signs (the callback dispatcher's).
class HmacContexts {
public:
    HmacContexts() = default;
    HmacContexts(const HmacContexts&) = delete;
    HmacContexts& operator=(const HmacContexts&) = delete;
    ~HmacContexts() {
        for (auto& e : entries_) drop(e);
    }

    // A context keyed with `secret`, ready for EVP_MAC_init(ctx, nullptr, 0, nullptr); nullptr
    // when OpenSSL cannot make one.
    EVP_MAC_CTX* keyed(std::string_view secret) {
        for (auto& e : entries_) {
            if (e.ctx != nullptr && e.secret == secret) return e.ctx;
        }
        static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // kept to exit
        if (hmac == nullptr) return nullptr;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
        if (ctx == nullptr) return nullptr;
        char digest[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end()};
        // A key pointer that is never null, also for an empty secret.
        static constexpr unsigned char kNoKey[1] = {0};
        const auto* key =
            secret.empty() ? kNoKey : reinterpret_cast<const unsigned char*>(secret.data());
        if (EVP_MAC_init(ctx, key, secret.size(), params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        Entry& e = entries_[next_victim_];
        next_victim_ = (next_victim_ + 1) % entries_.size();
        drop(e);
        e.secret.assign(secret);
        e.ctx = ctx;
        return ctx;
    }

private:
    struct Entry {
        std::string secret;
        EVP_MAC_CTX* ctx = nullptr;
    };
    static void drop(Entry& e) {
        EVP_MAC_CTX_free(e.ctx);  // clears the key it holds
        e.ctx = nullptr;
        if (!e.secret.empty()) OPENSSL_cleanse(e.secret.data(), e.secret.size());
        e.secret.clear();
    }

    std::array<Entry, 16> entries_{};
    std::size_t next_victim_ = 0;
};

HmacContexts& thread_hmac_contexts() {
    thread_local HmacContexts contexts;
    return contexts;
}

}  // namespace

std::string callback_body(const CallbackEvent& e) {
    // Written straight into one string; byte for byte what nlohmann::ordered_json built before
    // (the members in this order, compact, strings as append_json_string writes them, an empty
    // optional member as null): tests/http-frontend/callbacks_differential_test.cpp holds that
    // construction and compares the two.
    std::string out;
    out.reserve(320 + e.destination.size() + e.sender.size() + e.client_ref.size() +
                e.provider.size() + e.detail.size());
    // State names are fixed upper-case ASCII ("FAILED_TEMP"): nothing to escape.
    const std::string_view to = router::to_string(e.to);
    out.append(R"({"event":"message.)");
    for (const char c : to)
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    out.append(R"(","message_id":")");
    append_message_id(out, e.id);
    out.append(R"(","state":")").append(to);
    out.append(R"(","previous_state":")").append(router::to_string(e.from));
    out.append(R"(","at":")");
    append_rfc3339(out, e.at);
    out.append(R"(","to":)");
    append_json_string(out, e.destination);
    out.append(R"(,"from":)");
    append_json_string(out, e.sender);
    out.append(R"(,"client_ref":)");
    append_json_string_or_null(out, e.client_ref);
    out.append(R"(,"segments":)");
    append_decimal(out, e.segments);
    out.append(R"(,"attempts":)");
    append_decimal(out, e.attempts);
    out.append(R"(,"provider":)");
    append_json_string_or_null(out, e.provider);
    out.append(R"(,"detail":)");
    append_json_string_or_null(out, e.detail);
    out.push_back('}');
    return out;
}

std::string callback_signature(std::string_view secret, std::int64_t unix_seconds,
                               std::string_view body) {
    char t[24];
    const auto [t_end, t_ec] = std::to_chars(t, t + sizeof t - 1, unix_seconds);
    (void)t_ec;  // 20 characters hold any int64
    *t_end = '.';
    const std::string_view stamp(t, static_cast<std::size_t>(t_end - t));
    const std::string_view stamp_dot(t, stamp.size() + 1);

    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    EVP_MAC_CTX* ctx = thread_hmac_contexts().keyed(secret);
    if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(stamp_dot.data()),
                       stamp_dot.size()) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) !=
            1 ||
        EVP_MAC_final(ctx, mac, &len, sizeof mac) != 1) {
        len = one_shot_hmac(secret, stamp_dot, body, mac);
    }
    std::string out;
    out.reserve(2 + stamp.size() + 4 + 2 * len);
    out.append("t=").append(stamp).append(",v1=");
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < len; ++i) {
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
      client_(io, with_pool_room(config_)),
      shared_(std::make_shared<Shared>()) {}

CallbackDispatcher::~CallbackDispatcher() { stop(); }

void CallbackDispatcher::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        name_this_thread("callbacks");
        run();
    });
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
        std::vector<CallbackEvent> events;
        {
            std::lock_guard lock(shared_->mutex);
            events.swap(shared_->intake);
        }
        admit(std::move(events));
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
    CallbackStats out = shared_->stats;
    out.skipped += shared_->skipped_early.load(std::memory_order_relaxed);
    return out;
}

bool CallbackDispatcher::reports(router::MessageState to) const noexcept {
    return reportable(config_, to);
}

bool CallbackDispatcher::wants(router::MessageState to, std::string_view callback_url,
                               std::string_view client) const {
    if (!reportable(config_, to)) return false;
    if (!callback_url.empty()) return true;
    if (clients_) {
        if (const auto c = clients_(client); c && !c->default_url.empty()) return true;
    }
    shared_->skipped_early.fetch_add(1, std::memory_order_relaxed);
    return false;
}

void CallbackDispatcher::notify(CallbackEvent event) {
    if (!reportable(config_, event.to)) return;
    bool first = false;
    {
        std::lock_guard lock(shared_->mutex);
        first = shared_->intake.empty();
        shared_->intake.push_back(std::move(event));
    }
    // A non-empty intake has already woken the dispatcher, which has not taken it yet.
    if (first) shared_->cv.notify_all();
}

void CallbackDispatcher::admit(std::vector<CallbackEvent> events) {
    if (events.empty()) return;
    std::vector<CallbackJob> jobs;
    jobs.reserve(events.size());
    std::uint64_t skipped = 0;
    for (auto& event : events) {
        std::string url = std::move(event.callback_url);
        if (url.empty() && clients_) {
            if (auto c = clients_(event.client)) url = std::move(c->default_url);
        }
        if (url.empty()) {
            ++skipped;
            continue;
        }
        CallbackJob job;
        job.message_id = event.id;
        job.client = std::move(event.client);
        job.state = event.to;
        job.url = std::move(url);
        job.body = callback_body(event);
        job.created_at = event.at;
        job.next_attempt_at = event.at;
        jobs.push_back(std::move(job));
    }
    if (skipped > 0) {
        std::lock_guard lock(shared_->mutex);
        shared_->stats.skipped += skipped;
    }
    const auto seqs = write_jobs(jobs);
    if (seqs.size() != jobs.size()) return;  // lost (logged)
    pending_ += static_cast<std::int64_t>(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (backlog_ || ready_.size() >= config_.max_ready) {
            // Waits in the outbox; read back in due order once memory has room.
            backlog_ = true;
            continue;
        }
        jobs[i].seq = seqs[i];
        ready_.push_back(std::move(jobs[i]));
    }
}

std::vector<std::int64_t> CallbackDispatcher::write_jobs(const std::vector<CallbackJob>& jobs) {
    if (jobs.empty()) return {};
    // A store outage must not lose events: try a few times, then log what is dropped.
    for (int attempt = 1;; ++attempt) {
        auto r = outbox_.enqueue(jobs);
        if (r && r->size() == jobs.size()) {
            std::lock_guard lock(shared_->mutex);
            shared_->stats.queued += jobs.size();
            return std::move(*r);
        }
        const std::string error = r ? "the outbox gave too few seqs" : r.error();
        {
            std::lock_guard lock(shared_->mutex);
            ++shared_->stats.store_errors;
        }
        if (attempt == 3) {
            spdlog::error("callbacks lost, cannot store them events={} error={}", jobs.size(),
                          log_value(error));
            return {};
        }
        spdlog::warn("callbacks cannot be stored, retrying events={} error={}", jobs.size(),
                     log_value(error));
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
}

void CallbackDispatcher::run() {
    auto& sh = *shared_;
    std::optional<std::chrono::steady_clock::time_point> stop_deadline;
    SystemTime next_look = SystemClock::now();
    store_look_at_ = next_look;  // jobs left by a previous run
    for (;;) {
        std::vector<CallbackEvent> intake;
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
            if (sh.woken) store_look_at_ = SystemTime{};  // look in the outbox now
            sh.woken = false;
            intake.swap(sh.intake);
            completions.swap(sh.completions);
            stopping = sh.stopping;
        }
        // Completions first, then the slots they freed refilled from memory, and only then the
        // new events stored: each outbox write waits for a store commit, and attempts started
        // before admit's write run during it instead of after it.
        handle_completions(completions);
        if (!stopping) start_ready();
        admit(std::move(intake));
        if (stopping) {
            if (!stop_deadline) stop_deadline = std::chrono::steady_clock::now() + grace_;
            if (in_flight_.empty() || std::chrono::steady_clock::now() >= *stop_deadline) break;
            continue;
        }
        const auto now = SystemClock::now();
        next_look = start_due(now);
    }
    // Events that arrived during the last round.
    std::vector<CallbackEvent> intake;
    {
        std::lock_guard lock(sh.mutex);
        intake.swap(sh.intake);
    }
    admit(std::move(intake));
    if (!in_flight_.empty()) {
        spdlog::info(
            "callback attempts still running at shutdown, retried after restart attempts={}",
            in_flight_.size());
    }
}

SystemTime CallbackDispatcher::start_due(SystemTime now) {
    const auto room = [&] {
        return config_.max_in_flight > in_flight_.size() ? config_.max_in_flight - in_flight_.size()
                                                         : std::size_t{0};
    };
    while (room() > 0) {
        if (ready_.empty()) {
            // The outbox holds due jobs that are not in memory: a backlog, a retry come due, or
            // jobs left by a previous run or by a failed record.
            if (!backlog_ && now < store_look_at_) break;
            const std::size_t limit = std::max<std::size_t>(room(), 256);
            auto due = outbox_.due(now, limit, in_flight_);
            if (!due) {
                {
                    std::lock_guard lock(shared_->mutex);
                    ++shared_->stats.store_errors;
                }
                spdlog::warn("callbacks due cannot be read error={}", log_value(due.error()));
                backlog_ = false;  // looked for again after poll_interval
                store_look_at_ = now + config_.poll_interval;
                break;
            }
            // Fewer than asked: every due job is now in memory or in flight.
            backlog_ = due->size() == limit;
            if (!backlog_) store_look_at_ = now + config_.poll_interval;
            if (due->empty()) break;
            for (auto& job : *due) ready_.push_back(std::move(job));
        }
        start_attempt(std::move(ready_.front()));
        ready_.pop_front();
    }
    publish_pending(now);
    return std::max(now, std::min(store_look_at_, now + config_.poll_interval));
}

void CallbackDispatcher::start_ready() {
    while (!ready_.empty() && in_flight_.size() < config_.max_in_flight) {
        start_attempt(std::move(ready_.front()));
        ready_.pop_front();
    }
}

void CallbackDispatcher::start_attempt(CallbackJob job) {
    in_flight_.push_back(job.seq);
    OutboundRequest req;
    req.method = "POST";
    req.url = job.url;
    req.timeout = config_.timeout;
    req.body = job.body;
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("X-Bindery-Attempt", std::to_string(job.attempts + 1));
    req.headers.emplace_back("X-Bindery-Event-Id", job.message_id.to_string() + "." +
                                                       lower(router::to_string(job.state)));
    std::optional<CallbackClient> client;
    if (clients_) client = clients_(job.client);
    if (client && !client->secret.empty()) {
        const auto t =
            std::chrono::duration_cast<std::chrono::seconds>(SystemClock::now().time_since_epoch())
                .count();
        req.headers.emplace_back("X-Bindery-Signature",
                                 callback_signature(client->secret, t, job.body));
    }
    client_.async_request(
        std::move(req), [shared = shared_, job = std::move(job)](OutboundResult r) mutable {
            bool first = false;
            {
                std::lock_guard lock(shared->mutex);
                first = shared->completions.empty();
                shared->completions.push_back(Completion{std::move(job), std::move(r)});
            }
            if (first) shared->cv.notify_all();
        });
}

void CallbackDispatcher::handle_completions(const std::deque<Completion>& completions) {
    if (completions.empty()) return;
    const auto now = SystemClock::now();
    std::vector<CallbackAttempt> attempts;
    attempts.reserve(completions.size());
    CallbackStats delta;
    for (const auto& c : completions) {
        const auto& job = c.job;
        const auto& r = c.result;
        std::erase(in_flight_, job.seq);
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
        ++delta.attempts;
        if (a.verdict == CallbackVerdict::delivered) ++delta.delivered;
        if (a.verdict == CallbackVerdict::retry) {
            ++delta.retries;
            // The retry is read back from the outbox when it comes due.
            store_look_at_ = std::min(store_look_at_, a.next_attempt_at);
        }
        if (a.verdict == CallbackVerdict::gave_up) ++delta.gave_up;
        const auto level = a.verdict == CallbackVerdict::gave_up     ? spdlog::level::warn
                           : a.verdict == CallbackVerdict::delivered ? spdlog::level::debug
                                                                     : spdlog::level::info;
        if (spdlog::should_log(level)) {
            spdlog::log(level,
                        "callback attempt message_id={} client={} state={} url={} attempt={} "
                        "verdict={} detail={}",
                        job.message_id.to_string(), log_value(job.client),
                        router::to_string(job.state), log_value(job.url), a.attempt,
                        router::to_string(a.verdict), log_value(a.detail));
        }
        attempts.push_back(std::move(a));
    }
    const auto rec = outbox_.record_all(attempts);
    {
        std::lock_guard lock(shared_->mutex);
        auto& s = shared_->stats;
        s.attempts += delta.attempts;
        s.delivered += delta.delivered;
        s.retries += delta.retries;
        s.gave_up += delta.gave_up;
        if (!rec) ++s.store_errors;
    }
    if (!rec) {
        // The jobs stay due as they were: they are read back and attempted again (at-least-once
        // delivery).
        spdlog::warn("callback attempts cannot be recorded attempts={} error={}", attempts.size(),
                     log_value(rec.error()));
        store_look_at_ = std::min(store_look_at_, now + config_.poll_interval);
        return;
    }
    for (const auto& a : attempts) {
        if (a.verdict == CallbackVerdict::retry) continue;
        --pending_;
        if (observer_.completed) observer_.completed(a.verdict == CallbackVerdict::delivered);
    }
}

void CallbackDispatcher::publish_pending(SystemTime now) {
    if (!observer_.pending) return;
    // Counted in memory as jobs are stored and finished; the count over the outbox (a scan) only
    // once a minute, to correct any drift.
    if (now >= pending_counted_ + std::chrono::minutes(1)) {
        pending_counted_ = now;
        if (auto n = outbox_.pending(); n) pending_ = static_cast<std::int64_t>(*n);
    }
    observer_.pending(static_cast<std::uint64_t>(std::max<std::int64_t>(pending_, 0)));
}

// ---- InMemoryCallbackOutbox ----------------------------------------------------------------

Expected<std::vector<std::int64_t>, std::string> InMemoryCallbackOutbox::enqueue(
    std::span<const CallbackJob> jobs) {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> seqs;
    for (auto j : jobs) {
        j.seq = next_seq_++;
        seqs.push_back(j.seq);
        jobs_.emplace(j.seq, std::move(j));
    }
    return seqs;
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

Expected<void, std::string> InMemoryCallbackOutbox::record_all(
    std::span<const CallbackAttempt> attempts) {
    std::lock_guard lock(mutex_);
    for (const auto& a : attempts) {
        const auto it = jobs_.find(a.seq);
        if (it == jobs_.end()) continue;
        attempts_.push_back(a);
        if (a.verdict == CallbackVerdict::retry) {
            it->second.attempts = a.attempt;
            it->second.next_attempt_at = a.next_attempt_at;
            it->second.last_error = a.detail;
        } else {
            jobs_.erase(it);
        }
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
