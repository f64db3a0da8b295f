#include "http-frontend/http_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>

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
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One request: resolve, connect, (handshake,) write, read, close. Runs on its own strand.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(net::io_context& io, std::shared_ptr<net::ssl::context> tls, const HttpClientConfig& config,
             ParsedUrl url, OutboundRequest request, std::function<void(OutboundResult)> done)
        : strand_(net::make_strand(io)),
          resolver_(strand_),
          tls_ctx_(std::move(tls)),
          config_(config),
          url_(std::move(url)),
          request_(std::move(request)),
          done_(std::move(done)),
          started_(SteadyClock::now()),
          deadline_(started_ + request_.timeout) {
        if (url_.tls) {
            tls_stream_.emplace(strand_, *tls_ctx_);
        } else {
            plain_stream_.emplace(strand_);
        }
    }

    void start() {
        net::dispatch(strand_, [self = shared_from_this()] { self->do_resolve(); });
    }

private:
    beast::tcp_stream& lowest() {
        return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
    }
    SteadyClock::duration remaining() const {
        return std::max(SteadyClock::duration(std::chrono::milliseconds(1)), deadline_ - SteadyClock::now());
    }

    void do_resolve() {
        // The resolver has no deadline of its own: a timer cancels it.
        resolve_timer_.emplace(strand_);
        resolve_timer_->expires_after(remaining());
        resolve_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) {
                self->resolve_timed_out_ = true;
                self->resolver_.cancel();
            }
        });
        resolver_.async_resolve(url_.host, url_.port,
                                beast::bind_front_handler(&Exchange::on_resolve, shared_from_this()));
    }

    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        resolve_timer_->cancel();
        if (resolve_timed_out_) return fail(OutboundFailure::timeout, "resolve: timed out");
        if (ec) return fail(OutboundFailure::network, "resolve: " + ec.message());
        lowest().expires_after(remaining());
        lowest().async_connect(results, beast::bind_front_handler(&Exchange::on_connect, shared_from_this()));
    }

    void on_connect(beast::error_code ec, const tcp::endpoint&) {
        if (ec) return fail_ec(ec, "connect");
        if (!tls_stream_) return do_write();
        // SNI and host name verification.
        if (SSL_set_tlsext_host_name(tls_stream_->native_handle(), url_.host.c_str()) != 1) {
            return fail(OutboundFailure::network, "tls: cannot set SNI host name");
        }
        if (config_.verify_peer) {
            tls_stream_->set_verify_mode(net::ssl::verify_peer);
            tls_stream_->set_verify_callback(net::ssl::host_name_verification(url_.host));
        } else {
            tls_stream_->set_verify_mode(net::ssl::verify_none);
        }
        lowest().expires_after(remaining());
        tls_stream_->async_handshake(net::ssl::stream_base::client,
                                     beast::bind_front_handler(&Exchange::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return fail_ec(ec, "tls handshake");
        do_write();
    }

    void do_write() {
        req_.method_string(request_.method);
        req_.target(url_.target);
        req_.version(11);
        const bool default_port = url_.port == (url_.tls ? "443" : "80");
        req_.set(bhttp::field::host, (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                                         (default_port ? "" : ":" + url_.port));
        req_.set(bhttp::field::user_agent, config_.user_agent);
        req_.set(bhttp::field::connection, "close");
        for (const auto& [name, value] : request_.headers) req_.set(name, value);
        req_.body() = std::move(request_.body);
        req_.prepare_payload();
        lowest().expires_after(remaining());
        if (tls_stream_) {
            bhttp::async_write(*tls_stream_, req_, beast::bind_front_handler(&Exchange::on_write, shared_from_this()));
        } else {
            bhttp::async_write(*plain_stream_, req_, beast::bind_front_handler(&Exchange::on_write, shared_from_this()));
        }
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return fail_ec(ec, "write");
        parser_.body_limit(config_.max_response_body);
        parser_.header_limit(16 * 1024);
        lowest().expires_after(remaining());
        if (tls_stream_) {
            bhttp::async_read(*tls_stream_, buffer_, parser_, beast::bind_front_handler(&Exchange::on_read, shared_from_this()));
        } else {
            bhttp::async_read(*plain_stream_, buffer_, parser_, beast::bind_front_handler(&Exchange::on_read, shared_from_this()));
        }
    }

    void on_read(beast::error_code ec, std::size_t) {
        // A body over the cap still leaves a valid status: keep it, drop the rest.
        if (ec && !(ec == bhttp::error::body_limit && parser_.is_header_done())) return fail_ec(ec, "read");
        OutboundResult r;
        r.status = parser_.get().result_int();
        r.body = std::move(parser_.get().body());
        finish(std::move(r));
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    void fail_ec(beast::error_code ec, const char* what) {
        if (ec == beast::error::timeout) return fail(OutboundFailure::timeout, std::string(what) + ": timed out");
        fail(OutboundFailure::network, std::string(what) + ": " + ec.message());
    }

    void fail(OutboundFailure f, std::string what) {
        OutboundResult r;
        r.failure = f;
        r.error = std::move(what);
        finish(std::move(r));
        lowest().close();
    }

    void finish(OutboundResult r) {
        if (!done_) return;
        r.seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
        auto done = std::move(done_);
        done_ = nullptr;
        done(std::move(r));
    }

    net::strand<net::io_context::executor_type> strand_;
    tcp::resolver resolver_;
    std::optional<net::steady_timer> resolve_timer_;
    bool resolve_timed_out_ = false;
    std::shared_ptr<net::ssl::context> tls_ctx_;
    std::optional<beast::tcp_stream> plain_stream_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
    HttpClientConfig config_;
    ParsedUrl url_;
    OutboundRequest request_;
    std::function<void(OutboundResult)> done_;
    SteadyClock::time_point started_;
    SteadyClock::time_point deadline_;
    bhttp::request<bhttp::string_body> req_;
    beast::flat_buffer buffer_;
    bhttp::response_parser<bhttp::string_body> parser_;
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
        if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\' || c == 0x7F) return std::nullopt;
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
    : io_(io), config_(std::move(config)), tls_(std::make_shared<net::ssl::context>(net::ssl::context::tls_client)) {
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1);
    if (config_.ca_file.empty()) {
        tls_->set_default_verify_paths();
    } else {
        tls_->load_verify_file(config_.ca_file);
    }
}

HttpClient::~HttpClient() = default;

void HttpClient::async_request(OutboundRequest request, std::function<void(OutboundResult)> done) {
    auto url = parse_url(request.url);
    if (!url) {
        OutboundResult r;
        r.failure = OutboundFailure::bad_url;
        r.error = "not an http(s) URL: " + request.url;
        net::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        return;
    }
    std::make_shared<Exchange>(io_, tls_, config_, std::move(*url), std::move(request), std::move(done))
        ->start();
}

}  // namespace bindery::http
