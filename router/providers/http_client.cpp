#include "router/providers/http_client.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace bindery::router {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// ---- URL and encoding helpers
// ---------------------------------------------------------------------

Expected<Url, std::string> parse_url(std::string_view url) {
    Url out;
    std::string_view rest;
    if (url.rfind("https://", 0) == 0) {
        out.tls = true;
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        return Unexpected(std::string("URL must start with http:// or https://"));
    }
    const auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        out.target = std::string(rest.substr(slash));
        if (out.target.front() == '?') out.target.insert(0, "/");
    }
    if (authority.find('@') != std::string_view::npos)
        return Unexpected(std::string("user info in URL"));
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return Unexpected(std::string("unterminated IPv6 host"));
        out.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return Unexpected(std::string("junk after IPv6 host"));
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return Unexpected(std::string("no host in URL"));
    out.port = out.tls ? 443 : 80;
    if (!port.empty()) {
        unsigned value = 0;
        const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
            return Unexpected("invalid port \"" + std::string(port) + "\"");
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4U]);
            out.push_back(kHex[c & 0x0FU]);
        }
    }
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) out.push_back('&');
        out += percent_encode(key);
        out.push_back('=');
        out += percent_encode(value);
    }
    return out;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
        text.replace(pos, secret.size(), "***");
    }
    return text;
}

std::string_view to_string(HttpErrorKind k) noexcept {
    switch (k) {
        case HttpErrorKind::resolve: return "resolve";
        case HttpErrorKind::connect: return "connect";
        case HttpErrorKind::tls: return "tls";
        case HttpErrorKind::timeout: return "timeout";
        case HttpErrorKind::io: return "io";
        case HttpErrorKind::queue_full: return "queue_full";
        case HttpErrorKind::stopped: return "stopped";
    }
    return "io";
}

// ---- client
// ---------------------------------------------------------------------------------------

namespace {

struct Conn {
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool connected = false;
    TimePoint idle_since{};

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
    template <class F>
    void with_stream(F&& f) {
        if (tls) {
            f(*tls);
        } else {
            f(*plain);
        }
    }
    void close() {
        connected = false;
        if (!tls && !plain) return;
        boost::system::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().socket().close(ignored);
    }
};

struct Pending {
    HttpRequest request;
    std::function<void(HttpResult)> done;
    bool retried = false;
};

bool stale_connection_error(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
    Impl(const asio::any_io_executor& ex, HttpClientConfig c)
        : config(std::move(c)), strand(asio::make_strand(ex)), ctx(ssl::context::tls_client) {}

    struct Exchange {
        std::shared_ptr<Conn> conn;
        Pending pending;
        bool reused = false;
        bool written = false;
        bhttp::request<bhttp::string_body> request;
        std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    };

    HttpClientConfig config;
    asio::strand<asio::any_io_executor> strand;
    ssl::context ctx;
    std::string host_header;
    std::string verify_name;
    // Strand only.
    std::deque<Pending> queue;
    std::vector<std::shared_ptr<Conn>> idle;
    std::vector<std::shared_ptr<Conn>> busy;
    bool stopped = false;
    // Any thread.
    std::atomic<std::size_t> in_flight_count{0};
    std::atomic<std::size_t> queued_count{0};
    mutable std::mutex mu;
    HttpClientStats stats;

    template <class F>
    void count(F&& f) {
        std::lock_guard lock(mu);
        f(stats);
    }

    Expected<void, std::string> setup_tls() {
        if (!config.origin.tls) return {};
        boost::system::error_code ec;
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1,
                        ec);
        if (config.tls.verify) {
            ctx.set_verify_mode(ssl::verify_peer, ec);
            if (!config.tls.ca_file.empty()) {
                ctx.load_verify_file(config.tls.ca_file, ec);
                if (ec)
                    return Unexpected("tls ca_file " + config.tls.ca_file + ": " + ec.message());
            }
            if (!config.tls.ca_pem.empty()) {
                ctx.add_certificate_authority(asio::buffer(config.tls.ca_pem), ec);
                if (ec) return Unexpected("tls ca_pem: " + ec.message());
            }
            if (config.tls.ca_file.empty() && config.tls.ca_pem.empty()) {
                ctx.set_default_verify_paths(ec);
                if (ec) return Unexpected("tls system trust store: " + ec.message());
            }
        } else {
            ctx.set_verify_mode(ssl::verify_none, ec);
        }
        return {};
    }

    void fail(Pending& p, HttpErrorKind kind, std::string text, bool sent) {
        count([](HttpClientStats& s) { ++s.errors; });
        if (stopped) kind = HttpErrorKind::stopped;
        p.done(Unexpected(HttpError{kind, std::move(text), sent}));
    }

    void enqueue(Pending p) {
        if (stopped) return fail(p, HttpErrorKind::stopped, "client stopped", false);
        if (queue.size() >= config.max_queue) {
            return fail(p, HttpErrorKind::queue_full,
                        "more than " + std::to_string(config.max_queue) + " requests waiting",
                        false);
        }
        count([](HttpClientStats& s) { ++s.requests; });
        queue.push_back(std::move(p));
        queued_count.store(queue.size(), std::memory_order_relaxed);
        pump();
    }

    void pump() {
        while (!stopped && !queue.empty() &&
               busy.size() < std::max<std::size_t>(1, config.max_connections)) {
            auto ex = std::make_shared<Exchange>();
            ex->pending = std::move(queue.front());
            queue.pop_front();
            const auto now = Clock::now();
            while (!idle.empty()) {
                auto c = std::move(idle.back());
                idle.pop_back();
                if (c->connected && now - c->idle_since < config.idle_timeout) {
                    ex->conn = std::move(c);
                    ex->reused = true;
                    break;
                }
                c->close();
            }
            if (!ex->conn) ex->conn = std::make_shared<Conn>();
            busy.push_back(ex->conn);
            if (ex->reused) count([](HttpClientStats& s) { ++s.connections_reused; });
            start(ex);
        }
        queued_count.store(queue.size(), std::memory_order_relaxed);
        in_flight_count.store(busy.size(), std::memory_order_relaxed);
    }

    void release(const std::shared_ptr<Conn>& c, bool keep) {
        busy.erase(std::remove(busy.begin(), busy.end(), c), busy.end());
        if (keep && !stopped && c->connected) {
            c->idle_since = Clock::now();
            idle.push_back(c);
        } else {
            c->close();
        }
        in_flight_count.store(busy.size(), std::memory_order_relaxed);
    }

    void start(const std::shared_ptr<Exchange>& ex) {
        if (ex->conn->connected) return write(ex);
        auto resolver = std::make_shared<tcp::resolver>(strand);
        resolver->async_resolve(
            config.origin.host, std::to_string(config.origin.port),
            [self = shared_from_this(), ex, resolver](const boost::system::error_code& ec,
                                                      const tcp::resolver::results_type& results) {
                self->on_resolve(ex, ec, results);
            });
    }

    void finish_error(const std::shared_ptr<Exchange>& ex, HttpErrorKind kind, std::string text) {
        release(ex->conn, false);
        fail(ex->pending, kind, std::move(text), ex->written);
        pump();
    }

    void on_resolve(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec,
                    const tcp::resolver::results_type& results) {
        if (ec)
            return finish_error(ex, HttpErrorKind::resolve,
                                "resolve " + config.origin.host + ": " + ec.message());
        auto& c = *ex->conn;
        if (config.origin.tls) {
            c.tls.emplace(strand, ctx);
        } else {
            c.plain.emplace(strand);
        }
        count([](HttpClientStats& s) { ++s.connections_opened; });
        c.lowest().expires_after(config.connect_timeout);
        c.lowest().async_connect(results, [self = shared_from_this(), ex](
                                              const boost::system::error_code& e,
                                              const tcp::endpoint&) { self->on_connect(ex, e); });
    }

    void on_connect(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (ec) {
            return finish_error(
                ex, ec == beast::error::timeout ? HttpErrorKind::timeout : HttpErrorKind::connect,
                "connect " + config.origin.host + ":" + std::to_string(config.origin.port) + ": " +
                    ec.message());
        }
        auto& c = *ex->conn;
        if (!c.tls) {
            c.connected = true;
            return write(ex);
        }
        boost::system::error_code setup;
        if (config.tls.verify) {
            c.tls->set_verify_mode(ssl::verify_peer, setup);
            c.tls->set_verify_callback(ssl::host_name_verification(verify_name), setup);
        }
        // SNI (host names only, not IP literals).
        if (verify_name.find_first_not_of("0123456789.:") != std::string::npos) {
            SSL_set_tlsext_host_name(c.tls->native_handle(), verify_name.c_str());
        }
        c.tls->async_handshake(ssl::stream_base::client,
                               [self = shared_from_this(), ex](const boost::system::error_code& e) {
                                   self->on_handshake(ex, e);
                               });
    }

    void on_handshake(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (ec) {
            std::string why = ec.message();
            if (ec.category() == asio::error::get_ssl_category()) {
                const auto verify = SSL_get_verify_result(ex->conn->tls->native_handle());
                if (verify != X509_V_OK)
                    why += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
            }
            return finish_error(
                ex, ec == beast::error::timeout ? HttpErrorKind::timeout : HttpErrorKind::tls,
                "TLS handshake with " + config.origin.host + ": " + why);
        }
        ex->conn->connected = true;
        write(ex);
    }

    void write(const std::shared_ptr<Exchange>& ex) {
        const auto& p = ex->pending.request;
        auto& req = ex->request;
        req = {};
        req.version(11);
        const auto verb = bhttp::string_to_verb(p.method);
        req.method(verb == bhttp::verb::unknown ? bhttp::verb::post : verb);
        req.target(p.target);
        req.set(bhttp::field::host, host_header);
        req.set(bhttp::field::user_agent, config.user_agent);
        for (const auto& [k, v] : p.headers) req.set(k, v);
        if (!p.content_type.empty()) req.set(bhttp::field::content_type, p.content_type);
        req.keep_alive(true);
        req.body() = p.body;
        req.prepare_payload();
        ex->parser.emplace();
        ex->parser->body_limit(config.max_response_bytes);
        ex->conn->buffer.clear();
        ex->conn->lowest().expires_after(config.request_timeout);
        ex->conn->with_stream([&](auto& stream) {
            bhttp::async_write(
                stream, ex->request,
                [self = shared_from_this(), ex](const boost::system::error_code& ec, std::size_t) {
                    self->on_write(ex, ec);
                });
        });
    }

    bool retry_stale(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (!ex->reused || ex->pending.retried || stopped || !stale_connection_error(ec))
            return false;
        if (ex->parser && ex->parser->got_some()) return false;
        count([](HttpClientStats& s) { ++s.retried_stale; });
        release(ex->conn, false);
        ex->pending.retried = true;
        queue.push_front(std::move(ex->pending));
        pump();
        return true;
    }

    void on_write(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (ec) {
            if (retry_stale(ex, ec)) return;
            return finish_error(
                ex, ec == beast::error::timeout ? HttpErrorKind::timeout : HttpErrorKind::io,
                "write: " + ec.message());
        }
        ex->written = true;
        // The header alone first: Beast 1.74 does not apply body_limit to a Content-Length when
        // the body arrives in the same read as the header (the eager parse reads it all); reading
        // the header without eagerness reports it.
        ex->conn->with_stream([&](auto& stream) {
            bhttp::async_read_header(
                stream, ex->conn->buffer, *ex->parser,
                [self = shared_from_this(), ex](const boost::system::error_code& e, std::size_t) {
                    self->on_read_header(ex, e);
                });
        });
    }

    void on_read_header(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (ec || ex->parser->is_done()) return on_read(ex, ec);
        ex->conn->with_stream([&](auto& stream) {
            bhttp::async_read(
                stream, ex->conn->buffer, *ex->parser,
                [self = shared_from_this(), ex](const boost::system::error_code& e, std::size_t) {
                    self->on_read(ex, e);
                });
        });
    }

    void on_read(const std::shared_ptr<Exchange>& ex, const boost::system::error_code& ec) {
        if (ec) {
            if (retry_stale(ex, ec)) return;
            return finish_error(
                ex, ec == beast::error::timeout ? HttpErrorKind::timeout : HttpErrorKind::io,
                "read: " + ec.message());
        }
        auto res = ex->parser->release();
        HttpResponse out;
        out.status = res.result_int();
        out.content_type = std::string(res[bhttp::field::content_type]);
        out.body = std::move(res.body());
        const bool keep = res.keep_alive();
        release(ex->conn, keep);
        count([](HttpClientStats& s) { ++s.responses; });
        ex->pending.done(std::move(out));
        pump();
    }

    void stop_all() {
        stopped = true;
        auto waiting = std::move(queue);
        queue.clear();
        queued_count.store(0, std::memory_order_relaxed);
        for (auto& p : waiting) fail(p, HttpErrorKind::stopped, "client stopped", false);
        for (auto& c : idle) c->close();
        idle.clear();
        // In-flight exchanges complete with operation_aborted -> `stopped`.
        for (auto& c : busy) {
            if (c->tls || c->plain) {
                boost::system::error_code ignored;
                c->lowest().socket().cancel(ignored);
                c->lowest().socket().close(ignored);
            }
        }
    }
};

Expected<std::unique_ptr<HttpClient>, std::string> HttpClient::create(
    const asio::any_io_executor& executor, HttpClientConfig config) {
    auto impl = std::make_shared<Impl>(executor, std::move(config));
    if (auto ok = impl->setup_tls(); !ok) return Unexpected(ok.error());
    const auto& o = impl->config.origin;
    const bool default_port = o.port == (o.tls ? 443 : 80);
    const bool v6 = o.host.find(':') != std::string::npos;
    impl->host_header =
        (v6 ? "[" + o.host + "]" : o.host) + (default_port ? "" : ":" + std::to_string(o.port));
    impl->verify_name =
        impl->config.tls.server_name.empty() ? o.host : impl->config.tls.server_name;
    return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() { stop(); }

void HttpClient::request(HttpRequest request, std::function<void(HttpResult)> done) {
    asio::post(impl_->strand,
               [impl = impl_, p = Pending{std::move(request), std::move(done), false}]() mutable {
                   impl->enqueue(std::move(p));
               });
}

void HttpClient::stop() {
    asio::post(impl_->strand, [impl = impl_] { impl->stop_all(); });
}

HttpClientStats HttpClient::stats() const {
    std::lock_guard lock(impl_->mu);
    return impl_->stats;
}

std::size_t HttpClient::in_flight() const {
    return impl_->in_flight_count.load(std::memory_order_relaxed);
}
std::size_t HttpClient::queued() const {
    return impl_->queued_count.load(std::memory_order_relaxed);
}
const HttpClientConfig& HttpClient::config() const noexcept { return impl_->config; }

}  // namespace bindery::router
