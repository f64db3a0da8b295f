#include "http-frontend/alertmanager_http_client.hpp"

#include <optional>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace bindery::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::optional<HttpUrl> parse_http_url(std::string_view url) {
    HttpUrl out;
    if (url.rfind("https://", 0) == 0) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.rfind("http://", 0) == 0) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
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
        }
    } else {
        const auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return std::nullopt;
    if (port.empty()) {
        out.port = out.tls ? "443" : "80";
    } else {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        out.port = std::string(port);
    }
    return out;
}

struct BlockingHttpClient::State {
    asio::io_context io;
    asio::ssl::context ssl{asio::ssl::context::tls_client};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    std::string key;  // "scheme://host:port" of the open connection, "" when none
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void close() {
        beast::error_code ignored;
        if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
        if (plain) plain->socket().close(ignored);
        secure.reset();
        plain.reset();
        key.clear();
        buffer.clear();
    }
};

BlockingHttpClient::BlockingHttpClient(BlockingHttpConfig config)
    : config_(std::move(config)), state_(std::make_unique<State>()) {
    auto& ssl = state_->ssl;
    ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (config_.ca_file.empty())
        ssl.set_default_verify_paths(ec);
    else
        ssl.load_verify_file(config_.ca_file, ec);
    ssl.set_verify_mode(config_.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
}

BlockingHttpClient::~BlockingHttpClient() {
    if (state_) state_->close();
}

namespace {

// Runs the io_context until `done` or the deadline; on the deadline the stream is closed, so the
// pending operation completes with an error.
template <class Done>
void run_until(asio::io_context& io, Done&& done) {
    io.restart();
    while (!done()) {
        if (io.run_one() == 0) break;
    }
}

}  // namespace

Expected<router::HttpReply, std::string> BlockingHttpClient::perform(
    const router::HttpExchange& request) {
    const auto url = parse_http_url(request.url);
    if (!url) return Unexpected("not an http(s) URL: " + request.url);
    const std::lock_guard lock(mutex_);
    State& st = *state_;
    const std::string key = (url->tls ? "https://" : "http://") + url->host + ":" + url->port;
    const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
    auto left = [&] {
        const auto l = deadline - std::chrono::steady_clock::now();
        return std::max(std::chrono::steady_clock::duration(std::chrono::milliseconds(1)), l);
    };

    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), url->target, 11};
    if (req.method() == bhttp::verb::unknown)
        return Unexpected("unknown HTTP method " + request.method);
    const bool default_port = url->port == (url->tls ? "443" : "80");
    const bool v6 = url->host.find(':') != std::string::npos;
    req.set(bhttp::field::host,
            (v6 ? "[" + url->host + "]" : url->host) + (default_port ? "" : ":" + url->port));
    req.set(bhttp::field::user_agent, config_.user_agent);
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.keep_alive(true);
    if (!request.body.empty() || req.method() == bhttp::verb::post ||
        req.method() == bhttp::verb::put) {
        req.body() = request.body;
        req.prepare_payload();
    }

    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = st.key == key;
        beast::error_code ec;
        if (!reused) {
            st.close();
            // Resolve + connect.
            tcp::resolver resolver(st.io);
            bool done = false;
            tcp::resolver::results_type endpoints;
            resolver.async_resolve(url->host, url->port,
                                   [&](beast::error_code e, tcp::resolver::results_type r) {
                                       ec = e;
                                       endpoints = std::move(r);
                                       done = true;
                                   });
            asio::steady_timer timer(st.io);
            timer.expires_after(left());
            timer.async_wait([&](beast::error_code e) {
                if (!e) resolver.cancel();
            });
            run_until(st.io, [&] { return done; });
            timer.cancel();
            run_until(st.io, [] { return false; });  // drain the cancelled timer
            if (!done || ec)
                return Unexpected("resolve " + url->host + ": " + (ec ? ec.message() : "timeout"));

            if (url->tls)
                st.secure.emplace(st.io, st.ssl);
            else
                st.plain.emplace(st.io);
            auto& low = st.lowest();
            low.expires_after(left());
            done = false;
            low.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
                ec = e;
                done = true;
            });
            run_until(st.io, [&] { return done; });
            if (ec) {
                st.close();
                return Unexpected("connect " + key + ": " + ec.message());
            }
            if (url->tls) {
                const std::string& name =
                    config_.server_name.empty() ? url->host : config_.server_name;
                if (!SSL_set_tlsext_host_name(st.secure->native_handle(), name.c_str())) {
                    st.close();
                    return Unexpected("TLS: cannot set SNI " + name);
                }
                if (config_.verify_peer)
                    st.secure->set_verify_callback(asio::ssl::host_name_verification(name));
                low.expires_after(left());
                done = false;
                st.secure->async_handshake(asio::ssl::stream_base::client,
                                           [&](beast::error_code e) {
                                               ec = e;
                                               done = true;
                                           });
                run_until(st.io, [&] { return done; });
                if (ec) {
                    st.close();
                    return Unexpected("TLS handshake with " + key + ": " + ec.message());
                }
            }
            st.key = key;
        }

        // Write, then read the answer.
        auto& low = st.lowest();
        low.expires_after(left());
        bool done = false;
        auto on_write = [&](beast::error_code e, std::size_t) {
            ec = e;
            done = true;
        };
        if (st.secure)
            bhttp::async_write(*st.secure, req, on_write);
        else
            bhttp::async_write(*st.plain, req, on_write);
        run_until(st.io, [&] { return done; });
        if (ec) {
            st.close();
            if (reused && attempt == 0) continue;  // the server closed the idle connection
            return Unexpected("write to " + key + ": " + ec.message());
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(config_.max_body);
        done = false;
        auto on_read = [&](beast::error_code e, std::size_t) {
            ec = e;
            done = true;
        };
        if (st.secure)
            bhttp::async_read(*st.secure, st.buffer, parser, on_read);
        else
            bhttp::async_read(*st.plain, st.buffer, parser, on_read);
        run_until(st.io, [&] { return done; });
        if (ec) {
            const bool nothing = !parser.is_header_done();
            st.close();
            if (reused && attempt == 0 && nothing && ec != beast::error::timeout) continue;
            return Unexpected(
                "read from " + key + ": " +
                (ec == beast::error::timeout ? std::string("timeout") : ec.message()));
        }
        low.expires_never();
        auto res = parser.release();
        if (!res.keep_alive()) st.close();
        return router::HttpReply{res.result_int(), std::move(res.body())};
    }
    return Unexpected("request to " + key + " failed");
}

}  // namespace bindery::http
