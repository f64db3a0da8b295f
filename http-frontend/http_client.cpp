#include "http-frontend/http_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <deque>
#include <list>
#include <mutex>
#include <unordered_map>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace bindery::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string origin_key(const ParsedUrl& url) {
    std::string key = url.tls ? "https://" : "http://";
    for (const char c : url.host)
        key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    key += ':';
    key += url.port;
    return key;
}

}  // namespace

// One TCP (or TLS) connection with its own strand: every operation on it, by whichever request
// holds it or by the idle watch, runs there.
struct PooledConnection {
    PooledConnection(net::io_context& io, std::shared_ptr<net::ssl::context> ctx, bool use_tls,
                     std::string key)
        : strand(net::make_strand(io)), tls_ctx(std::move(ctx)), origin(std::move(key)) {
        if (use_tls) {
            tls.emplace(strand, *tls_ctx);
        } else {
            plain.emplace(strand);
        }
    }

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
    void close() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    using Claimer = std::function<void(std::shared_ptr<PooledConnection>, bool alive)>;

    net::strand<net::io_context::executor_type> strand;
    std::shared_ptr<net::ssl::context> tls_ctx;  // outlives the stream
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    const std::string origin;
    SteadyClock::time_point idle_since;  // under the pool's mutex
    char probe = 0;                      // the idle watch reads into it

    // The idle watch's hand-over, under `mutex`.
    std::mutex mutex;
    bool watching = false;  // a watch read is pending and its handler has not taken `claimer`
    Claimer claimer;        // set when a request took the connection from the pool
};

// Idle keep-alive connections by origin. The pool holds them by weak_ptr: an idle connection is
// owned by its pending watch read (a one-byte read on the TCP socket with idle_timeout as its
// deadline), so it lives only as long as its io_context and the pool never touches a socket
// itself: it hands a connection over, or closes it, by cancelling that read on its strand.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
    explicit ConnectionPool(const HttpClientConfig& c)
        : per_origin_(c.max_idle_per_origin),
          total_(c.max_idle_total),
          origins_(c.max_origins),
          idle_timeout_(c.idle_timeout),
          enabled_(per_origin_ > 0 && total_ > 0 && origins_ > 0 && idle_timeout_.count() > 0) {}

    ~ConnectionPool() {
        try {
            for (auto& o : lru_) {
                for (auto& w : o.idle) cancel(w.lock());
            }
        } catch (...) {
            // Out of memory posting a cancel: those connections close when the io_context ends.
        }
    }
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    bool enabled() const noexcept { return enabled_; }

    // Takes the most recently used idle connection of `origin`. true: `claimer` will run on the
    // connection's strand, with alive = false when the connection closed as it was taken.
    // false: none idle (the caller opens one). Any thread.
    bool claim(const std::string& origin, PooledConnection::Claimer& claimer) {
        if (!enabled_) return false;
        std::vector<std::shared_ptr<PooledConnection>> expired;
        std::shared_ptr<PooledConnection> taken;
        {
            std::lock_guard lock(mutex_);
            const auto it = index_.find(origin);
            if (it == index_.end()) return false;
            auto& idle = it->second->idle;
            const auto now = SteadyClock::now();
            while (!idle.empty()) {
                auto c = idle.back().lock();
                idle.pop_back();
                --idle_count_;
                if (!c) continue;
                if (now - c->idle_since >= idle_timeout_) {
                    expired.push_back(std::move(c));
                    continue;
                }
                std::lock_guard conn_lock(c->mutex);
                if (!c->watching) continue;  // its watch ended: it is closing
                c->claimer = std::move(claimer);
                taken = c;
                break;
            }
            if (idle.empty()) {
                lru_.erase(it->second);
                index_.erase(it);
            } else {
                lru_.splice(lru_.begin(), lru_, it->second);
            }
        }
        for (auto& c : expired) cancel(std::move(c));
        if (!taken) return false;
        cancel(std::move(taken));  // the watch completes with operation_aborted: the hand-over
        return true;
    }

    // A connection after a response that allows reuse. On the connection's strand.
    void give_back(const std::shared_ptr<PooledConnection>& c) {
        {
            std::lock_guard conn_lock(c->mutex);
            c->watching = true;
            c->claimer = nullptr;
        }
        start_watch(c);
        std::vector<std::weak_ptr<PooledConnection>> victims;
        {
            std::lock_guard lock(mutex_);
            c->idle_since = SteadyClock::now();
            auto it = index_.find(c->origin);
            if (it == index_.end()) {
                lru_.push_front(Origin{c->origin, {}});
                it = index_.emplace(c->origin, lru_.begin()).first;
                while (index_.size() > origins_) evict_lru_origin(victims);
            } else {
                lru_.splice(lru_.begin(), lru_, it->second);
            }
            auto& idle = it->second->idle;
            idle.push_back(c);
            ++idle_count_;
            while (idle.size() > per_origin_) {
                victims.push_back(std::move(idle.front()));
                idle.pop_front();
                --idle_count_;
            }
            while (idle_count_ > total_) {
                auto& oldest = lru_.back();
                victims.push_back(std::move(oldest.idle.front()));
                oldest.idle.pop_front();
                --idle_count_;
                if (oldest.idle.empty()) {
                    index_.erase(oldest.key);
                    lru_.pop_back();
                }
            }
        }
        for (auto& w : victims) cancel(w.lock());
    }

    void count_opened() { opened_.fetch_add(1, std::memory_order_relaxed); }
    void count_reused() { reused_.fetch_add(1, std::memory_order_relaxed); }
    void count_stale_retry() { stale_retries_.fetch_add(1, std::memory_order_relaxed); }

    HttpClientStats stats() const {
        HttpClientStats s;
        s.connections_opened = opened_.load(std::memory_order_relaxed);
        s.requests_reused = reused_.load(std::memory_order_relaxed);
        s.stale_retries = stale_retries_.load(std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        s.idle_connections = idle_count_;
        return s;
    }

private:
    struct Origin {
        std::string key;
        std::deque<std::weak_ptr<PooledConnection>> idle;  // back: most recently used
    };

    static void cancel(std::shared_ptr<PooledConnection> c) {
        if (!c) return;
        auto& strand = c->strand;
        net::post(strand, [c = std::move(c)] { c->lowest().cancel(); });
    }

    // Under mutex_: the least recently used origin's connections are to be closed.
    void evict_lru_origin(std::vector<std::weak_ptr<PooledConnection>>& victims) {
        auto& o = lru_.back();
        for (auto& w : o.idle) victims.push_back(std::move(w));
        idle_count_ -= o.idle.size();
        index_.erase(o.key);
        lru_.pop_back();
    }

    // The watch's handler owns the connection while it is idle. It ends on: the server closing
    // (EOF, reset) or sending anything (nothing is expected on an idle HTTP/1.1 connection; for TLS
    // an alert), idle_timeout (beast's timeout), or a cancel from claim() or an eviction.
    void start_watch(const std::shared_ptr<PooledConnection>& c) {
        c->lowest().expires_after(idle_timeout_);
        c->lowest().async_read_some(
            net::buffer(&c->probe, 1),
            [c, pool = weak_from_this()](beast::error_code ec, std::size_t) {
                PooledConnection::Claimer claimer;
                {
                    std::lock_guard conn_lock(c->mutex);
                    c->watching = false;
                    claimer = std::move(c->claimer);
                    c->claimer = nullptr;
                }
                if (auto p = pool.lock()) p->forget(*c);
                c->lowest().expires_never();
                const bool alive = claimer && ec == net::error::operation_aborted;
                if (!alive) c->close();
                if (claimer) claimer(c, alive);
            });
    }

    // The watch ended: drop `c` from its origin's list if it is still there.
    void forget(const PooledConnection& c) {
        std::lock_guard lock(mutex_);
        const auto it = index_.find(c.origin);
        if (it == index_.end()) return;
        auto& idle = it->second->idle;
        const auto before = idle.size();
        idle.erase(std::remove_if(idle.begin(), idle.end(),
                                  [&](const std::weak_ptr<PooledConnection>& w) {
                                      const auto p = w.lock();
                                      return !p || p.get() == &c;
                                  }),
                   idle.end());
        idle_count_ -= before - idle.size();
        if (idle.empty()) {
            lru_.erase(it->second);
            index_.erase(it);
        }
    }

    const std::size_t per_origin_;
    const std::size_t total_;
    const std::size_t origins_;
    const std::chrono::milliseconds idle_timeout_;
    const bool enabled_;
    mutable std::mutex mutex_;
    std::list<Origin> lru_;  // front: most recently used
    std::unordered_map<std::string, std::list<Origin>::iterator> index_;
    std::uint64_t idle_count_ = 0;
    std::atomic<std::uint64_t> opened_{0};
    std::atomic<std::uint64_t> reused_{0};
    std::atomic<std::uint64_t> stale_retries_{0};
};

namespace {

// One request: take an idle connection of the origin or open one (resolve, connect, handshake),
// write, read; then give the connection back to the pool or close it. Runs on the strand of the
// connection it holds; a stale retry moves it to the fresh connection's strand.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(net::io_context& io, std::shared_ptr<net::ssl::context> tls,
             const std::shared_ptr<ConnectionPool>& pool, const HttpClientConfig& config,
             ParsedUrl url, OutboundRequest request, std::function<void(OutboundResult)> done)
        : io_(io),
          tls_ctx_(std::move(tls)),
          pool_(pool),
          keep_alive_(pool->enabled()),
          config_(config),
          url_(std::move(url)),
          origin_(origin_key(url_)),
          request_(std::move(request)),
          done_(std::move(done)),
          started_(SteadyClock::now()),
          deadline_(started_ + request_.timeout) {
        build_request();
    }

    void start(ConnectionPool& pool) {
        if (!keep_alive_) return open_fresh();
        PooledConnection::Claimer claimer = [self = shared_from_this()](
                                                std::shared_ptr<PooledConnection> c, bool alive) {
            self->on_claimed(std::move(c), alive);
        };
        if (!pool.claim(origin_, claimer)) open_fresh();
    }

private:
    SteadyClock::duration remaining() const {
        return std::max(SteadyClock::duration(std::chrono::milliseconds(1)),
                        deadline_ - SteadyClock::now());
    }
    beast::tcp_stream& lowest() { return conn_->lowest(); }

    void build_request() {
        req_.method_string(request_.method);
        req_.target(url_.target);
        req_.version(11);
        const bool default_port = url_.port == (url_.tls ? "443" : "80");
        req_.set(bhttp::field::host,
                 (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                     (default_port ? "" : ":" + url_.port));
        req_.set(bhttp::field::user_agent, config_.user_agent);
        req_.keep_alive(keep_alive_);  // HTTP/1.1: no Connection header, or "close"
        for (const auto& [name, value] : request_.headers) req_.set(name, value);
        req_.body() = std::move(request_.body);
        req_.prepare_payload();
    }

    // A new connection with its own strand; the exchange continues there.
    void open_fresh() {
        reused_ = false;
        conn_ = std::make_shared<PooledConnection>(io_, tls_ctx_, url_.tls, origin_);
        net::post(conn_->strand, [self = shared_from_this()] { self->do_resolve(); });
    }

    // From the pool's idle watch, on the connection's strand.
    void on_claimed(std::shared_ptr<PooledConnection> c, bool alive) {
        // Closed as it was taken: nothing was sent on it, so this is no retry.
        if (!alive) return open_fresh();
        conn_ = std::move(c);
        reused_ = true;
        if (auto pool = pool_.lock()) pool->count_reused();
        do_write();
    }

    void do_resolve() {
        // An address literal (a callback receiver on 127.0.0.1, say) needs no resolver, whose
        // asynchronous form runs on a thread of its own.
        beast::error_code literal;
        const auto address = net::ip::make_address(url_.host, literal);
        if (!literal) {
            std::uint16_t port = 0;
            const auto* end = url_.port.data() + url_.port.size();
            if (auto [p, e] = std::from_chars(url_.port.data(), end, port);
                e == std::errc{} && p == end) {
                lowest().expires_after(remaining());
                lowest().async_connect(tcp::endpoint(address, port),
                                       [self = shared_from_this()](beast::error_code ec) {
                                           self->on_connect(ec, {});
                                       });
                return;
            }
        }
        // The resolver has no deadline of its own: a timer cancels it.
        resolver_.emplace(conn_->strand);
        resolve_timer_.emplace(conn_->strand);
        resolve_timer_->expires_after(remaining());
        resolve_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) {
                self->resolve_timed_out_ = true;
                self->resolver_->cancel();
            }
        });
        resolver_->async_resolve(
            url_.host, url_.port,
            beast::bind_front_handler(&Exchange::on_resolve, shared_from_this()));
    }

    void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
        resolve_timer_->cancel();
        if (resolve_timed_out_) return fail(OutboundFailure::timeout, "resolve: timed out");
        if (ec) return fail(OutboundFailure::network, "resolve: " + ec.message());
        lowest().expires_after(remaining());
        lowest().async_connect(
            results, beast::bind_front_handler(&Exchange::on_connect, shared_from_this()));
    }

    void on_connect(beast::error_code ec, const tcp::endpoint&) {
        if (ec) return fail_ec(ec, "connect");
        if (auto pool = pool_.lock()) pool->count_opened();
        auto& tls = conn_->tls;
        if (!tls) return do_write();
        // SNI and host name verification.
        if (SSL_set_tlsext_host_name(tls->native_handle(), url_.host.c_str()) != 1) {
            return fail(OutboundFailure::network, "tls: cannot set SNI host name");
        }
        if (config_.verify_peer) {
            tls->set_verify_mode(net::ssl::verify_peer);
            tls->set_verify_callback(net::ssl::host_name_verification(url_.host));
        } else {
            tls->set_verify_mode(net::ssl::verify_none);
        }
        lowest().expires_after(remaining());
        tls->async_handshake(
            net::ssl::stream_base::client,
            beast::bind_front_handler(&Exchange::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return fail_ec(ec, "tls handshake");
        do_write();
    }

    void do_write() {
        lowest().expires_after(remaining());
        if (conn_->tls) {
            bhttp::async_write(*conn_->tls, req_,
                               beast::bind_front_handler(&Exchange::on_write, shared_from_this()));
        } else {
            bhttp::async_write(*conn_->plain, req_,
                               beast::bind_front_handler(&Exchange::on_write, shared_from_this()));
        }
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) {
            if (reused_ && ec != beast::error::timeout) return retry_fresh();
            return fail_ec(ec, "write");
        }
        buffer_.clear();
        parser_.emplace();
        parser_->body_limit(config_.max_response_body);
        parser_->header_limit(16 * 1024);
        if (req_.method() == bhttp::verb::head) parser_->skip(true);  // a HEAD answer has no body
        lowest().expires_after(remaining());
        // The header alone first: Beast 1.74 drops a Content-Length over body_limit when the body
        // arrives in the same read as the header and it parses eagerly (it would read the whole
        // body); reading the header without eagerness reports it.
        if (conn_->tls) {
            bhttp::async_read_header(
                *conn_->tls, buffer_, *parser_,
                beast::bind_front_handler(&Exchange::on_read_header, shared_from_this()));
        } else {
            bhttp::async_read_header(
                *conn_->plain, buffer_, *parser_,
                beast::bind_front_handler(&Exchange::on_read_header, shared_from_this()));
        }
    }

    void on_read_header(beast::error_code ec, std::size_t n) {
        if (ec || parser_->is_done()) return on_read(ec, n);
        lowest().expires_after(remaining());
        if (conn_->tls) {
            bhttp::async_read(*conn_->tls, buffer_, *parser_,
                              beast::bind_front_handler(&Exchange::on_read, shared_from_this()));
        } else {
            bhttp::async_read(*conn_->plain, buffer_, *parser_,
                              beast::bind_front_handler(&Exchange::on_read, shared_from_this()));
        }
    }

    void on_read(beast::error_code ec, std::size_t) {
        // A body over the cap still leaves a valid status: keep it, drop the rest (and the
        // connection: the rest of the body is still on it).
        const bool truncated = ec == bhttp::error::body_limit && parser_->is_header_done();
        if (ec && !truncated) {
            // A reused connection the server had closed: nothing of an answer arrived.
            if (reused_ && ec != beast::error::timeout && !parser_->got_some() &&
                buffer_.size() == 0) {
                return retry_fresh();
            }
            return fail_ec(ec, "read");
        }
        auto& res = parser_->get();
        const bool reusable = !truncated && keep_alive_ && req_.keep_alive() &&
                              res.version() == 11 && res.keep_alive() && !parser_->need_eof() &&
                              buffer_.size() == 0;
        OutboundResult r;
        r.status = res.result_int();
        r.body = std::move(res.body());
        release(reusable);
        finish(std::move(r));
    }

    // The server closed the reused connection before answering: once, on a fresh connection,
    // within the same deadline.
    void retry_fresh() {
        if (auto pool = pool_.lock()) pool->count_stale_retry();
        conn_->close();
        open_fresh();
    }

    // Back to the pool, or closed.
    void release(bool reusable) {
        auto c = std::move(conn_);
        if (!c) return;
        if (reusable) {
            if (auto pool = pool_.lock()) return pool->give_back(c);
        }
        c->close();
    }

    void fail_ec(beast::error_code ec, const char* what) {
        if (ec == beast::error::timeout)
            return fail(OutboundFailure::timeout, std::string(what) + ": timed out");
        fail(OutboundFailure::network, std::string(what) + ": " + ec.message());
    }

    void fail(OutboundFailure f, std::string what) {
        OutboundResult r;
        r.failure = f;
        r.error = std::move(what);
        release(false);
        finish(std::move(r));
    }

    void finish(OutboundResult r) {
        if (!done_) return;
        r.seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
        auto done = std::move(done_);
        done_ = nullptr;
        done(std::move(r));
    }

    net::io_context& io_;
    std::shared_ptr<net::ssl::context> tls_ctx_;
    std::weak_ptr<ConnectionPool> pool_;
    const bool keep_alive_;
    HttpClientConfig config_;
    ParsedUrl url_;
    std::string origin_;
    OutboundRequest request_;
    std::function<void(OutboundResult)> done_;
    SteadyClock::time_point started_;
    SteadyClock::time_point deadline_;
    std::shared_ptr<PooledConnection> conn_;  // the connection in use
    bool reused_ = false;                     // conn_ came from the pool
    std::optional<tcp::resolver> resolver_;
    std::optional<net::steady_timer> resolve_timer_;
    bool resolve_timed_out_ = false;
    bhttp::request<bhttp::string_body> req_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
};

}  // namespace

std::optional<ParsedUrl> parse_url(std::string_view url) {
    ParsedUrl out;
    const auto lower_prefix = [&](std::string_view p) {
        if (url.size() < p.size()) return false;
        for (std::size_t i = 0; i < p.size(); ++i) {
            if (std::tolower(static_cast<unsigned char>(url[i])) != p[i]) return false;
        }
        return true;
    };
    if (lower_prefix("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (lower_prefix("http://")) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    if (url.find('#') != std::string_view::npos) return std::nullopt;
    const auto slash = url.find_first_of("/?");
    std::string_view authority = url.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (!out.target.empty() && out.target.front() == '?') out.target.insert(0, "/");
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string_view port;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        const auto colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;
        }
    }
    if (out.host.empty()) return std::nullopt;
    for (const char c : out.host) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\' || c == 0x7F)
            return std::nullopt;
    }
    if (!port.empty()) {
        if (!all_digits(port) || port.size() > 5) return std::nullopt;
        const auto p = std::stoul(std::string(port));
        if (p == 0 || p > 65535) return std::nullopt;
        out.port = std::string(port);
    } else {
        out.port = out.tls ? "443" : "80";
    }
    for (const char c : out.target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return std::nullopt;
    }
    return out;
}

HttpClient::HttpClient(net::io_context& io, HttpClientConfig config)
    : io_(io),
      config_(std::move(config)),
      tls_(std::make_shared<net::ssl::context>(net::ssl::context::tls_client)),
      pool_(std::make_shared<ConnectionPool>(config_)) {
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1);
    if (config_.ca_file.empty()) {
        tls_->set_default_verify_paths();
    } else {
        tls_->load_verify_file(config_.ca_file);
    }
}

// The pool's destructor closes the idle connections (on their strands); requests in flight finish
// and close theirs.
HttpClient::~HttpClient() = default;

void HttpClient::async_request(OutboundRequest request, std::function<void(OutboundResult)> done) {
    auto url = parse_url(request.url);
    if (!url) {
        OutboundResult r;
        r.failure = OutboundFailure::bad_url;
        r.error = "not an http(s) URL: " + request.url;
        net::post(io_,
                  [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        return;
    }
    std::make_shared<Exchange>(io_, tls_, pool_, config_, std::move(*url), std::move(request),
                               std::move(done))
        ->start(*pool_);
}

HttpClientStats HttpClient::stats() const { return pool_->stats(); }

}  // namespace bindery::http
