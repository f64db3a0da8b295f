#include "router/providers/kavenegar_provider.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "router/providers/kavenegar_api.hpp"
#include "smpp/base/log_field.hpp"
#include "router/providers/send_queue.hpp"

namespace bindery::router {

namespace asio = boost::asio;

namespace {

std::size_t utf8_chars(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// Kavenegar's localid: the examples are numeric and its type is not documented beyond "string",
// so the 128-bit message id is folded to 63 bits, in decimal (stable across retries).
std::string localid_of(const MessageId& id) {
    std::uint64_t hi = 0, lo = 0;
    const auto& b = id.bytes();
    for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8U) | b[i];
    for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8U) | b[i];
    return std::to_string((hi ^ lo) & 0x7FFF'FFFF'FFFF'FFFFULL);
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

SendError transport_error(const HttpError& e) {
    SendError out;
    switch (e.kind) {
        case HttpErrorKind::timeout: out.kind = SendErrorKind::timeout; break;
        case HttpErrorKind::queue_full:
        case HttpErrorKind::stopped:
            out.kind = e.sent ? SendErrorKind::connection : SendErrorKind::not_sent;
            break;
        default: out.kind = SendErrorKind::connection; break;
    }
    out.text = std::string(to_string(e.kind)) + ": " + e.text;
    return out;
}

}  // namespace

struct KavenegarProvider::State : std::enable_shared_from_this<KavenegarProvider::State> {
    State(KavenegarConfig c, const asio::any_io_executor& ex, ReceiptSink& s)
        : config(std::move(c)),
          strand(asio::make_strand(ex)),
          sink(s),
          pump_timer(strand),
          poll_timer(strand),
          bucket(config.rate, config.burst, Clock::now()) {}

    using Queued = QueuedSend;
    struct Tracked {
        std::string id;
        TimePoint sent_at;
        TimePoint due;
        Duration backoff;
    };

    KavenegarConfig config;
    asio::strand<asio::any_io_executor> strand;
    ReceiptSink& sink;
    std::unique_ptr<HttpClient> client;
    std::string prefix;  // base URL path without the trailing '/'
    asio::steady_timer pump_timer;
    asio::steady_timer poll_timer;
    std::function<void(std::int64_t, std::string_view)> account_hook;
    // Strand only.
    std::deque<Queued> queue;
    std::size_t calls_in_flight = 0;
    std::size_t messages_in_flight = 0;
    bool status_in_flight = false;
    TimePoint next_status_at{};  // status pacing: no status call before this
    bool pump_armed = false;
    RateBucket bucket;  // sends and status polls
    std::size_t batch_cap = 1;
    std::unordered_map<std::int64_t, Tracked> tracked;
    std::set<std::pair<TimePoint, std::int64_t>> due;
    bool started = false;
    bool stopping = false;
    std::function<void()> stop_done;
    TimePoint last_account_log{};
    std::int64_t last_account_code = 0;
    bool status_failing = false;
    // Any thread.
    std::atomic<bool> detached{false};
    std::atomic<bool> accepting{false};
    std::atomic<bool> connected{false};
    std::atomic<std::size_t> queued_count{0};
    std::atomic<std::size_t> inflight_count{0};
    mutable std::mutex mu;
    KavenegarStats stats;

    template <class F>
    void count(F&& f) {
        std::lock_guard lock(mu);
        f(stats);
    }

    std::string path(std::string_view method) const {
        return prefix + "/v1/" + percent_encode(config.api_key) + "/" + std::string(method);
    }

    std::string clean(std::string text) const { return redact(std::move(text), config.api_key); }

    void publish() {
        queued_count.store(queue.size(), std::memory_order_relaxed);
        inflight_count.store(queue.size() + messages_in_flight, std::memory_order_relaxed);
        accepting.store(started && !stopping && queue.size() < config.max_queue,
                        std::memory_order_relaxed);
    }

    // Takes one rate token, or arms the pump timer for when the next one is due.
    bool take_token(TimePoint now) {
        if (bucket.try_take(now)) return true;
        if (!pump_armed) {
            pump_armed = true;
            pump_timer.expires_after(bucket.wait());
            pump_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
                self->pump_armed = false;
                if (ec || self->stopping) return;
                self->pump();
                self->maybe_poll();
            });
        }
        return false;
    }

    // ---- send ----------------------------------------------------------------------------------
    void enqueue(Queued q) {
        auto fail = [&](SendErrorKind kind, std::string text) {
            count([](KavenegarStats& s) { ++s.messages_failed; });
            SendResult r;
            r.error = SendError{kind, 0, std::move(text)};
            q.done(std::move(r));
        };
        if (!started || stopping || detached)
            return fail(SendErrorKind::not_sent, "provider stopped");
        if (q.message.text.empty()) return fail(SendErrorKind::rejected_local, "empty text");
        if (utf8_chars(q.message.text) > kKavenegarMaxTextChars) {
            return fail(SendErrorKind::rejected_local, "text longer than Kavenegar's " +
                                                           std::to_string(kKavenegarMaxTextChars) +
                                                           " characters");
        }
        if (queue.size() >= config.max_queue) return fail(SendErrorKind::not_sent, "queue full");
        queue.push_back(std::move(q));
        pump();
        publish();
    }

    KavenegarOutgoing outgoing(const OutboundMessage& m) const {
        KavenegarOutgoing o;
        o.receptor = kavenegar_receptor(m.destination);
        o.message = m.text;
        o.localid = localid_of(m.id);
        // The message's own sender when it is a number and the config prefers it or names none;
        // else the configured one (none: Kavenegar's default line).
        if (all_digits(m.sender) && (config.use_message_sender || config.sender.empty())) {
            o.sender = m.sender;
        } else {
            o.sender = config.sender;
        }
        return o;
    }

    void pump() {
        const auto now = Clock::now();
        while (!stopping && !queue.empty() && calls_in_flight < config.concurrency &&
               take_token(now)) {
            const std::size_t n = std::min({queue.size(), batch_cap, kKavenegarMaxReceptors});
            std::vector<Queued> batch;
            batch.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue.front()));
                queue.pop_front();
            }
            send_batch(std::move(batch));
        }
        publish();
    }

    void send_batch(std::vector<Queued> batch) {
        std::vector<KavenegarOutgoing> out;
        out.reserve(batch.size());
        for (const auto& q : batch) out.push_back(outgoing(q.message));
        HttpRequest req;
        req.method = "POST";
        req.headers.emplace_back("Accept", "application/json");
        req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
        // sendarray even for one message when batching is on but the queue held one: send.json is
        // the documented single-message call, so use it.
        if (batch.size() == 1) {
            req.target = path("sms/send.json");
            req.body = kavenegar_send_body(out.front());
        } else {
            req.target = path("sms/sendarray.json");
            req.body = kavenegar_sendarray_body(out);
        }
        ++calls_in_flight;
        messages_in_flight += batch.size();
        const bool batched = batch.size() > 1;
        count([&](KavenegarStats& s) {
            ++s.calls;
            if (batched) ++s.batched_calls;
        });
        auto shared = std::make_shared<std::vector<Queued>>(std::move(batch));
        client->request(std::move(req), [self = shared_from_this(), shared](HttpResult r) mutable {
            asio::post(self->strand, [self, shared, r = std::move(r)]() mutable {
                self->on_send_reply(std::move(*shared), std::move(r));
            });
        });
    }

    void complete(std::vector<Queued>& batch, const std::optional<SendError>& error) {
        for (auto& q : batch) {
            SendResult r;
            r.error = error;
            if (error) count([](KavenegarStats& s) { ++s.messages_failed; });
            q.done(std::move(r));
        }
    }

    void note_account_error(const KavenegarReturnCode& rc, const std::string& message) {
        count([](KavenegarStats& s) { ++s.account_errors; });
        if (account_hook) account_hook(rc.code, rc.meaning);
        const auto now = Clock::now();
        if (rc.code != last_account_code || now - last_account_log >= std::chrono::seconds(60)) {
            last_account_code = rc.code;
            last_account_log = now;
            spdlog::error(
                "Kavenegar account problem, operator action needed carrier={} status={} meaning={} "
                "error={}",
                config.name, rc.code, log_value(rc.meaning), log_value(message));
        }
    }

    void on_send_reply(std::vector<Queued> batch, HttpResult result) {
        --calls_in_flight;
        messages_in_flight -= batch.size();
        finish_send(batch, std::move(result));
        pump();
        maybe_poll();
        check_stopped();
    }

    void finish_send(std::vector<Queued>& batch, HttpResult result) {
        if (!result) {
            connected.store(false, std::memory_order_relaxed);
            auto e = transport_error(result.error());
            e.text = clean(std::move(e.text));
            return complete(batch, e);
        }
        connected.store(true, std::memory_order_relaxed);
        const auto& res = *result;
        auto reply = parse_kavenegar_reply(res.body);
        if (!reply) {
            // Not Kavenegar talking (a proxy's error page): the HTTP status decides, and an
            // unreadable 2xx is an unknown outcome (retried; localid prevents a double send).
            SendError e{SendErrorKind::status, static_cast<std::int64_t>(res.status),
                        "HTTP " + std::to_string(res.status) + " without a Kavenegar reply (" +
                            reply.error() + ")"};
            if (res.status < 300) e.kind = SendErrorKind::connection;
            if (res.status == 429) e.kind = SendErrorKind::throttled;
            return complete(batch, e);
        }
        const auto rc = classify_kavenegar_return(reply->return_status);
        if (rc.action != KavenegarAction::ok || res.status != 200) {
            if (rc.account_problem) note_account_error(rc, reply->message);
            if (rc.split_batch && batch.size() > 1) {
                batch_cap = std::max<std::size_t>(1, batch.size() / 2);
                spdlog::warn(
                    "Kavenegar refused a call as too large, splitting carrier={} messages={} "
                    "status={} batch={}",
                    config.name, batch.size(), rc.code, batch_cap);
                return complete(
                    batch, SendError{SendErrorKind::not_sent, rc.code, "batch too large, split"});
            }
            SendError e;
            e.kind = rc.action == KavenegarAction::throttled ? SendErrorKind::throttled
                                                             : SendErrorKind::status;
            e.code =
                rc.action == KavenegarAction::ok ? static_cast<std::int64_t>(res.status) : rc.code;
            e.text = "kavenegar " + std::to_string(e.code) + " " + std::string(rc.meaning);
            if (!reply->message.empty()) e.text += ": " + reply->message;
            return complete(batch, e);
        }
        const auto now = Clock::now();
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto& q = batch[i];
            SendResult r;
            if (i < reply->entries.size() && reply->entries[i].messageid > 0) {
                const auto id = reply->entries[i].messageid;
                r.segment_ids.push_back(std::to_string(id));
                count([](KavenegarStats& s) { ++s.messages_sent; });
                if (config.poll_status && q.message.want_receipt) track(id, now);
            } else {
                r.error =
                    SendError{SendErrorKind::connection, 0,
                              "Kavenegar accepted the call but returned no message id for entry " +
                                  std::to_string(i)};
                count([](KavenegarStats& s) { ++s.messages_failed; });
            }
            q.done(std::move(r));
        }
        // A successful big call lets batches grow back after a 414 split.
        if (batch_cap < config.max_batch && batch.size() == batch_cap)
            batch_cap = std::min(config.max_batch, batch_cap * 2);
    }

    // ---- delivery status -----------------------------------------------------------------------
    void track(std::int64_t id, TimePoint now) {
        const auto at = now + config.status_interval;
        auto [it, inserted] =
            tracked.try_emplace(id, Tracked{std::to_string(id), now, at, config.status_interval});
        if (!inserted) return;
        due.emplace(at, id);
        count([&](KavenegarStats& s) { s.polling = tracked.size(); });
    }

    // A message sent before a restart: polled at once, the give-up age counted from `sent_at`.
    void resume(std::int64_t id, TimePoint sent_at, TimePoint now) {
        if (now - sent_at >= config.status_give_up) return;
        auto [it, inserted] = tracked.try_emplace(
            id, Tracked{std::to_string(id), sent_at, now, config.status_interval});
        if (!inserted) return;
        due.emplace(now, id);
    }

    void reschedule(std::int64_t id, TimePoint now) {
        auto it = tracked.find(id);
        if (it == tracked.end()) return;
        auto& t = it->second;
        t.backoff = std::min(config.status_max_interval, t.backoff * 2);
        t.due = now + t.backoff;
        due.emplace(t.due, id);
    }

    Duration poll_tick() const {
        const auto quarter = config.status_interval / 4;
        return std::clamp<Duration>(quarter, std::chrono::milliseconds(10),
                                    std::chrono::seconds(1));
    }

    // The least time between two status calls: 1 / (rate * status_share); zero when unlimited.
    Duration status_gap() const {
        if (config.rate <= 0) return Duration::zero();
        const double share = std::clamp(config.status_share, 0.001, 1.0);
        return std::chrono::duration_cast<Duration>(
            std::chrono::duration<double>(1.0 / (config.rate * share)));
    }

    void arm_poll() {
        if (!config.poll_status || stopping) return;
        poll_timer.expires_after(poll_tick());
        wait_poll();
    }

    // The pacing held a due poll back: wake when it may go rather than at the next tick.
    void arm_poll_at(TimePoint at) {
        if (!config.poll_status || !started || stopping || poll_timer.expiry() <= at) return;
        poll_timer.expires_at(at);  // the pending wait ends with operation_aborted
        wait_poll();
    }

    void wait_poll() {
        poll_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopping) return;
            self->maybe_poll();
            self->arm_poll();
        });
    }

    void maybe_poll() {
        if (!config.poll_status || stopping || status_in_flight || due.empty()) return;
        const auto now = Clock::now();
        if (due.begin()->first > now) return;
        if (now < next_status_at) {
            count([](KavenegarStats& s) { ++s.status_paced; });
            arm_poll_at(next_status_at);
            return;
        }
        if (calls_in_flight >= config.concurrency) return;
        // Sends first: a poll takes a token only when no message waits.
        if (!queue.empty()) return;
        if (!bucket.ready(now)) return;
        std::vector<std::int64_t> ids;
        const auto limit = std::min(config.status_batch, kKavenegarMaxStatusIds);
        while (!due.empty() && due.begin()->first <= now && ids.size() < limit) {
            const auto [at, id] = *due.begin();
            due.erase(due.begin());
            auto it = tracked.find(id);
            if (it == tracked.end() || it->second.due != at) continue;  // superseded entry
            if (now - it->second.sent_at >= config.status_give_up) {
                tracked.erase(it);
                count([](KavenegarStats& s) { ++s.polls_abandoned; });
                continue;
            }
            ids.push_back(id);
        }
        count([&](KavenegarStats& s) { s.polling = tracked.size(); });
        if (ids.empty()) return;
        bucket.take();
        next_status_at = now + status_gap();
        status_in_flight = true;
        ++calls_in_flight;
        count([](KavenegarStats& s) { ++s.status_calls; });
        HttpRequest req;
        req.method = "POST";
        req.target = path("sms/status.json");
        req.headers.emplace_back("Accept", "application/json");
        req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
        req.body = kavenegar_status_body(ids);
        client->request(std::move(req), [self = shared_from_this(),
                                         ids = std::move(ids)](HttpResult r) mutable {
            asio::post(self->strand, [self, ids = std::move(ids), r = std::move(r)]() mutable {
                self->on_status_reply(ids, std::move(r));
            });
        });
    }

    void status_failed(const std::vector<std::int64_t>& ids, const std::string& why) {
        count([](KavenegarStats& s) { ++s.status_errors; });
        if (!status_failing) {
            status_failing = true;
            spdlog::warn("Kavenegar status poll failed, retrying with backoff carrier={} error={}",
                         config.name, log_value(clean(why)));
        }
        const auto now = Clock::now();
        for (const auto id : ids) reschedule(id, now);
    }

    void on_status_reply(const std::vector<std::int64_t>& ids, HttpResult result) {
        status_in_flight = false;
        --calls_in_flight;
        handle_status(ids, std::move(result));
        count([&](KavenegarStats& s) { s.polling = tracked.size(); });
        pump();
        check_stopped();
    }

    void handle_status(const std::vector<std::int64_t>& ids, HttpResult result) {
        if (!result) {
            connected.store(false, std::memory_order_relaxed);
            return status_failed(
                ids, std::string(to_string(result.error().kind)) + ": " + result.error().text);
        }
        connected.store(true, std::memory_order_relaxed);
        auto reply = parse_kavenegar_reply(result->body);
        if (!reply)
            return status_failed(ids,
                                 "HTTP " + std::to_string(result->status) + ": " + reply.error());
        if (reply->return_status != 200) {
            const auto rc = classify_kavenegar_return(reply->return_status);
            if (rc.account_problem) note_account_error(rc, reply->message);
            return status_failed(
                ids, "return.status " + std::to_string(rc.code) + " " + std::string(rc.meaning));
        }
        if (status_failing) {
            status_failing = false;
            spdlog::info("Kavenegar status polls answered again carrier={}", config.name);
        }
        const auto now = Clock::now();
        std::set<std::int64_t> answered;
        for (const auto& e : reply->entries) {
            auto it = tracked.find(e.messageid);
            if (it == tracked.end() || !answered.insert(e.messageid).second) continue;
            const auto state = kavenegar_message_state(e.status);
            if (!state || !state->final) continue;  // rescheduled below
            Receipt r;
            r.provider = config.name;
            r.provider_id = it->second.id;
            r.status = state->status;
            if (state->status != ReceiptStatus::delivered) r.error = std::to_string(e.status);
            r.done_at = SystemClock::now();
            tracked.erase(it);
            count([](KavenegarStats& s) { ++s.receipts; });
            if (!detached) sink.on_receipt(std::move(r));
        }
        for (const auto id : ids) {
            if (tracked.count(id) != 0) reschedule(id, now);
        }
    }

    // ---- stop ----------------------------------------------------------------------------------
    void begin_stop(Duration drain, std::function<void()> done) {
        stopping = true;
        stop_done = std::move(done);
        pump_timer.cancel();
        poll_timer.cancel();
        fail_queued(queue, "provider stopping");
        publish();
        if (calls_in_flight == 0) return check_stopped();
        pump_timer.expires_after(drain);
        pump_timer.async_wait([self = shared_from_this()](const boost::system::error_code&) {
            if (self->calls_in_flight > 0)
                self->client->stop();  // in-flight calls end as `stopped`
        });
    }

    void check_stopped() {
        if (!stopping || calls_in_flight > 0) return;
        pump_timer.cancel();
        client->stop();
        if (auto done = std::exchange(stop_done, {})) done();
    }
};

KavenegarProvider::KavenegarProvider(KavenegarConfig config, const asio::any_io_executor& executor,
                                     ReceiptSink& sink)
    : name_(config.name), state_(std::make_shared<State>(std::move(config), executor, sink)) {
    auto& s = *state_;
    auto base = parse_url(s.config.base_url);
    if (!base) throw std::invalid_argument(s.config.name + ": base_url: " + base.error());
    s.prefix = base->target;
    while (!s.prefix.empty() && s.prefix.back() == '/') s.prefix.pop_back();
    s.config.concurrency = std::max(1U, s.config.concurrency);
    s.config.max_batch = std::clamp<std::size_t>(s.config.max_batch, 1, kKavenegarMaxReceptors);
    s.config.status_batch =
        std::clamp<std::size_t>(s.config.status_batch, 1, kKavenegarMaxStatusIds);
    if (s.config.status_interval <= Duration::zero())
        s.config.status_interval = std::chrono::seconds(30);
    s.config.status_max_interval = std::max(s.config.status_max_interval, s.config.status_interval);
    s.batch_cap = s.config.max_batch;
    HttpClientConfig hc;
    hc.origin = *base;
    hc.tls = s.config.tls;
    hc.max_connections = s.config.concurrency;
    hc.connect_timeout = s.config.timeout;
    hc.request_timeout = s.config.timeout;
    hc.user_agent = "bindery-kavenegar";
    auto client = HttpClient::create(executor, std::move(hc));
    if (!client) throw std::invalid_argument(s.config.name + ": " + client.error());
    s.client = std::move(*client);
}

KavenegarProvider::~KavenegarProvider() {
    state_->detached = true;
    post_shutdown(state_);
}

void KavenegarProvider::start() {
    asio::post(state_->strand, [s = state_] {
        if (s->started) return;
        s->started = true;
        s->publish();
        s->arm_poll();
    });
}

void KavenegarProvider::stop(Duration drain, std::function<void()> done) {
    post_stop(state_, drain, std::move(done));
}

void KavenegarProvider::on_account_error(std::function<void(std::int64_t, std::string_view)> hook) {
    asio::post(state_->strand, [s = state_, hook = std::move(hook)]() mutable {
        s->account_hook = std::move(hook);
    });
}

void KavenegarProvider::resume_polling(const std::vector<PendingStatus>& pending) {
    if (!state_->config.poll_status || pending.empty()) return;
    // Wall-clock send times become steady ones by their age now.
    const auto wall = SystemClock::now();
    const auto now = Clock::now();
    std::vector<std::pair<std::int64_t, TimePoint>> ids;
    ids.reserve(pending.size());
    for (const auto& p : pending) {
        if (!all_digits(p.provider_id) || p.provider_id.size() > 18) continue;
        const auto age = std::max(SystemClock::duration::zero(), wall - p.sent_at);
        ids.emplace_back(std::stoll(p.provider_id),
                         now - std::chrono::duration_cast<Duration>(age));
    }
    asio::post(state_->strand, [s = state_, ids = std::move(ids)] {
        if (s->stopping) return;
        const auto at = Clock::now();
        for (const auto& [id, sent_at] : ids) s->resume(id, sent_at, at);
        s->count([&](KavenegarStats& st) { st.polling = s->tracked.size(); });
        s->maybe_poll();
    });
}

Expected<std::size_t, StoreError> KavenegarProvider::resume_polling(MessageStore& store,
                                                                    SystemTime wall,
                                                                    std::uint32_t page) {
    if (!state_->config.poll_status) return std::size_t{0};
    std::vector<PendingStatus> pending;
    MessageQuery query;
    query.state = MessageState::sent;
    query.limit = std::max<std::uint32_t>(1, page);
    for (;;) {
        auto listed = store.list(query);
        if (!listed) return Unexpected(listed.error());
        for (const auto& m : listed->messages) {
            if (m.provider != name_) continue;
            if (wall - m.updated_at >= state_->config.status_give_up) continue;
            for (const auto& segment : m.segments) {
                if (segment.state != SegmentState::pending || segment.provider_id.empty()) continue;
                pending.push_back(PendingStatus{segment.provider_id, m.updated_at});
            }
        }
        if (!listed->next) break;
        query.after = listed->next;
    }
    const auto n = pending.size();
    resume_polling(pending);
    return n;
}

KavenegarStats KavenegarProvider::stats() const {
    std::lock_guard lock(state_->mu);
    return state_->stats;
}

HttpClientStats KavenegarProvider::http_stats() const { return state_->client->stats(); }

bool KavenegarProvider::ready() const { return state_->accepting.load(std::memory_order_relaxed); }

ProviderHealth KavenegarProvider::health() const {
    return queue_health(state_->connected.load(std::memory_order_relaxed),
                        state_->queued_count.load(std::memory_order_relaxed),
                        state_->inflight_count.load(std::memory_order_relaxed),
                        state_->config.max_queue);
}

void KavenegarProvider::send(OutboundMessage message, std::function<void(SendResult)> done) {
    post_send(state_, std::move(message), std::move(done));
}

}  // namespace bindery::router
