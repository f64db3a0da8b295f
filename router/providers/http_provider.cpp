#include "router/providers/http_provider.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "router/providers/send_queue.hpp"

namespace bindery::router {

namespace asio = boost::asio;

namespace {

std::string json_escape(std::string_view s) {
    const auto quoted = nlohmann::json(std::string(s))
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return quoted.substr(1, quoted.size() - 2);
}

std::string escape(std::string_view v, TemplateContext c) {
    switch (c) {
        case TemplateContext::url:
        case TemplateContext::form: return percent_encode(v);
        case TemplateContext::json: return json_escape(v);
        case TemplateContext::raw: break;
    }
    std::string out(v);
    out.erase(
        std::remove_if(out.begin(), out.end(), [](char ch) { return ch == '\r' || ch == '\n'; }),
        out.end());
    return out;
}

TemplateContext body_context(std::string_view content_type) {
    if (content_type.find("json") != std::string_view::npos) return TemplateContext::json;
    if (content_type.find("x-www-form-urlencoded") != std::string_view::npos)
        return TemplateContext::form;
    return TemplateContext::raw;
}

}  // namespace

std::string expand_template(std::string_view tmpl, const TemplateValues& v,
                            TemplateContext context) {
    const std::array<std::pair<std::string_view, std::string_view>, 7> names{
        {{"{to}", v.to},
         {"{to_digits}", v.to_digits},
         {"{from}", v.from},
         {"{text}", v.text},
         {"{id}", v.id},
         {"{client}", v.client},
         {"{secret}", v.secret}}};
    std::string out;
    out.reserve(tmpl.size() + v.text.size());
    std::size_t i = 0;
    while (i < tmpl.size()) {
        bool replaced = false;
        if (tmpl[i] == '{') {
            for (const auto& [name, value] : names) {
                if (tmpl.substr(i, name.size()) == name) {
                    out += escape(value, context);
                    i += name.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out.push_back(tmpl[i++]);
    }
    return out;
}

std::optional<std::string> json_pointer_text(std::string_view body, const std::string& pointer) {
    const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    try {
        const nlohmann::json::json_pointer p(pointer);
        if (!j.contains(p)) return std::nullopt;
        const auto& v = j.at(p);
        if (v.is_string()) return v.get<std::string>();
        if (v.is_null()) return std::nullopt;
        return v.dump();
    } catch (const nlohmann::json::exception&) {  // malformed pointer (config checked at startup)
        return std::nullopt;
    }
}

struct HttpProvider::State : std::enable_shared_from_this<HttpProvider::State> {
    State(HttpProviderConfig c, const asio::any_io_executor& ex)
        : config(std::move(c)),
          strand(asio::make_strand(ex)),
          pump_timer(strand),
          bucket(config.rate, config.burst, Clock::now()) {}

    using Queued = QueuedSend;

    HttpProviderConfig config;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer pump_timer;
    std::unique_ptr<HttpClient> client;
    std::string url_target;  // the URL template's path and query
    // Strand only.
    std::deque<Queued> queue;
    std::size_t in_flight = 0;
    RateBucket bucket;
    bool pump_armed = false;
    bool started = false;
    bool stopping = false;
    std::function<void()> stop_done;
    // Any thread.
    std::atomic<bool> accepting{false};
    std::atomic<bool> connected{false};
    std::atomic<std::size_t> queued_count{0};
    std::atomic<std::size_t> busy_count{0};
    mutable std::mutex mu;
    HttpProviderStats stats;

    template <class F>
    void count(F&& f) {
        std::lock_guard lock(mu);
        f(stats);
    }
    // Error texts never carry the credentials, raw or as the URL carries them.
    std::string clean(std::string s) const {
        s = redact(std::move(s), config.auth_value);
        if (config.secret.empty()) return s;
        s = redact(std::move(s), config.secret);
        return redact(std::move(s), escape(config.secret, TemplateContext::url));
    }

    void publish() {
        queued_count.store(queue.size(), std::memory_order_relaxed);
        busy_count.store(queue.size() + in_flight, std::memory_order_relaxed);
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
                if (!ec && !self->stopping) self->pump();
            });
        }
        return false;
    }

    void enqueue(Queued q) {
        if (!started || stopping || queue.size() >= config.max_queue) {
            SendResult r;
            r.error = SendError{SendErrorKind::not_sent, 0,
                                stopping || !started ? "provider stopped" : "queue full"};
            count([](HttpProviderStats& s) { ++s.failed; });
            return q.done(std::move(r));
        }
        queue.push_back(std::move(q));
        pump();
    }

    void pump() {
        const auto now = Clock::now();
        while (!stopping && !queue.empty() && in_flight < config.concurrency && take_token(now)) {
            auto q = std::move(queue.front());
            queue.pop_front();
            send_one(std::move(q));
        }
        publish();
    }

    void send_one(Queued q) {
        const auto& m = q.message;
        TemplateValues v;
        v.to = m.destination;
        v.to_digits = m.destination;
        v.to_digits.erase(std::remove(v.to_digits.begin(), v.to_digits.end(), '+'),
                          v.to_digits.end());
        v.from = m.sender;
        v.text = m.text;
        v.id = m.id.to_string();
        v.client = m.client;
        v.secret = config.secret;
        HttpRequest req;
        req.method = config.method;
        req.target = expand_template(url_target, v, TemplateContext::url);
        if (!config.body.empty()) {
            req.content_type = config.content_type;
            req.body = expand_template(config.body, v, body_context(config.content_type));
        }
        req.headers.emplace_back("Accept", "application/json");
        for (const auto& [k, val] : config.headers)
            req.headers.emplace_back(k, expand_template(val, v, TemplateContext::raw));
        if (!config.auth_value.empty())
            req.headers.emplace_back(config.auth_header, config.auth_value);
        ++in_flight;
        count([](HttpProviderStats& s) { ++s.requests; });
        auto shared = std::make_shared<Queued>(std::move(q));
        client->request(std::move(req), [self = shared_from_this(), shared](HttpResult r) mutable {
            asio::post(self->strand, [self, shared, r = std::move(r)]() mutable {
                --self->in_flight;
                auto result = self->outcome(shared->message, std::move(r));
                self->count([&](HttpProviderStats& s) { ++(result.ok() ? s.sent : s.failed); });
                shared->done(std::move(result));
                self->pump();
                self->check_stopped();
            });
        });
    }

    SendResult outcome(const OutboundMessage& m, HttpResult r) {
        SendResult out;
        if (!r) {
            connected.store(false, std::memory_order_relaxed);
            const auto& e = r.error();
            SendError se;
            se.kind = e.kind == HttpErrorKind::timeout ? SendErrorKind::timeout
                      : (e.kind == HttpErrorKind::stopped || e.kind == HttpErrorKind::queue_full) &&
                              !e.sent
                          ? SendErrorKind::not_sent
                          : SendErrorKind::connection;
            se.text = clean(std::string(to_string(e.kind)) + ": " + e.text);
            out.error = std::move(se);
            return out;
        }
        connected.store(true, std::memory_order_relaxed);
        const auto& res = *r;
        auto excerpt = [&] {
            if (!config.error_text_pointer.empty()) {
                if (auto t = json_pointer_text(res.body, config.error_text_pointer)) return *t;
            }
            return res.body.substr(0, 200);
        };
        const bool http_ok = std::find(config.success_status.begin(), config.success_status.end(),
                                       res.status) != config.success_status.end();
        if (!http_ok) {
            SendError e;
            e.kind = res.status == 429 ? SendErrorKind::throttled : SendErrorKind::status;
            e.code = res.status;
            e.text = clean("HTTP " + std::to_string(res.status) + ": " + excerpt());
            out.error = std::move(e);
            return out;
        }
        if (!config.success_pointer.empty()) {
            const auto flag = json_pointer_text(res.body, config.success_pointer);
            if (!flag || std::find(config.success_values.begin(), config.success_values.end(),
                                   *flag) == config.success_values.end()) {
                SendError e;
                e.kind = SendErrorKind::status;
                e.code = res.status;
                if (!config.error_code_pointer.empty()) {
                    if (auto c = json_pointer_text(res.body, config.error_code_pointer)) {
                        try {
                            e.code = std::stoll(*c);
                        } catch (const std::exception&) {}
                    }
                }
                e.text = clean("provider refused (" + config.success_pointer + " = " +
                               flag.value_or("absent") + "): " + excerpt());
                out.error = std::move(e);
                return out;
            }
        }
        if (config.id_pointer.empty()) {
            out.segment_ids.push_back(m.id.to_string());
            return out;
        }
        auto id = json_pointer_text(res.body, config.id_pointer);
        if (!id || id->empty()) {
            // Accepted (the status says so) but unreadable: not retried blindly as a failure would
            // send it twice; the Bindery id stands in (no receipt can match it).
            out.segment_ids.push_back(m.id.to_string());
            return out;
        }
        out.segment_ids.push_back(std::move(*id));
        return out;
    }

    void check_stopped() {
        if (!stopping || in_flight > 0) return;
        pump_timer.cancel();
        client->stop();
        if (auto d = std::exchange(stop_done, {})) d();
    }

    void begin_stop(Duration drain, std::function<void()> done) {
        stopping = true;
        stop_done = std::move(done);
        pump_timer.cancel();
        fail_queued(queue, "provider stopping");
        publish();
        if (in_flight == 0) return check_stopped();
        pump_timer.expires_after(drain);
        pump_timer.async_wait([self = shared_from_this()](const boost::system::error_code&) {
            if (self->in_flight > 0) self->client->stop();
        });
    }
};

HttpProvider::HttpProvider(HttpProviderConfig config, const asio::any_io_executor& executor)
    : name_(config.name),
      kind_(config.kind),
      state_(std::make_shared<State>(std::move(config), executor)) {
    auto& s = *state_;
    const auto brace = s.config.url.find('{');
    auto origin = parse_url(s.config.url);
    if (!origin) throw std::invalid_argument(s.config.name + ": url: " + origin.error());
    const auto authority_end = s.config.url.find('/', s.config.url.find("://") + 3);
    if (brace != std::string::npos &&
        (authority_end == std::string::npos || brace < authority_end)) {
        throw std::invalid_argument(s.config.name +
                                    ": url: placeholders are allowed only after the host");
    }
    s.url_target = origin->target;
    for (const auto* p : {&s.config.id_pointer, &s.config.success_pointer,
                          &s.config.error_code_pointer, &s.config.error_text_pointer}) {
        if (!p->empty() && p->front() != '/')
            throw std::invalid_argument(s.config.name + ": JSON pointer " + *p);
    }
    s.config.concurrency = std::max(1U, s.config.concurrency);
    HttpClientConfig hc;
    hc.origin = *origin;
    hc.tls = s.config.tls;
    hc.max_connections = s.config.concurrency;
    hc.connect_timeout = s.config.timeout;
    hc.request_timeout = s.config.timeout;
    auto client = HttpClient::create(executor, std::move(hc));
    if (!client) throw std::invalid_argument(s.config.name + ": " + client.error());
    s.client = std::move(*client);
}

HttpProvider::~HttpProvider() { post_shutdown(state_); }

void HttpProvider::start() {
    asio::post(state_->strand, [s = state_] {
        s->started = true;
        s->publish();
    });
}

void HttpProvider::stop(Duration drain, std::function<void()> done) {
    post_stop(state_, drain, std::move(done));
}

HttpProviderStats HttpProvider::stats() const {
    std::lock_guard lock(state_->mu);
    return state_->stats;
}

HttpClientStats HttpProvider::http_stats() const { return state_->client->stats(); }

bool HttpProvider::ready() const { return state_->accepting.load(std::memory_order_relaxed); }

ProviderHealth HttpProvider::health() const {
    return queue_health(state_->connected.load(std::memory_order_relaxed),
                        state_->queued_count.load(std::memory_order_relaxed),
                        state_->busy_count.load(std::memory_order_relaxed),
                        state_->config.max_queue);
}

void HttpProvider::send(OutboundMessage message, std::function<void(SendResult)> done) {
    post_send(state_, std::move(message), std::move(done));
}

}  // namespace bindery::router
