#include "app/cli_http.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace bindery::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::optional<CliEndpoint> parse_endpoint(const std::string& url, std::string& error) {
    CliEndpoint e;
    std::string rest;
    if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
        e.tls = true;
        e.port = "443";
    } else {
        error = "the URL must start with http:// or https://";
        return std::nullopt;
    }
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty() || rest.find('/') != std::string::npos) {
        error = "the URL is scheme://host[:port], without a path";
        return std::nullopt;
    }
    std::string host = rest;
    if (host.front() == '[') {  // [v6]:port
        const auto close = host.find(']');
        if (close == std::string::npos) {
            error = "unbalanced [ in the URL";
            return std::nullopt;
        }
        e.host = host.substr(1, close - 1);
        if (close + 1 < host.size()) {
            if (host[close + 1] != ':') {
                error = "bad port in the URL";
                return std::nullopt;
            }
            e.port = host.substr(close + 2);
        }
    } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
        e.host = host.substr(0, colon);
        e.port = host.substr(colon + 1);
    } else {
        e.host = host;
    }
    if (e.host.empty() || e.port.empty() ||
        e.port.find_first_not_of("0123456789") != std::string::npos || e.port.size() > 5) {
        error = "bad host or port in the URL";
        return std::nullopt;
    }
    return e;
}

namespace {

template <class Stream>
CliReply exchange(Stream& stream, beast::tcp_stream& tcp_layer, const CliEndpoint& endpoint,
                  const std::string& method, const std::string& target, const std::string& bearer,
                  const std::string& body, std::chrono::milliseconds timeout) {
    CliReply reply;
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, endpoint.host + ":" + endpoint.port);
    req.set(bhttp::field::user_agent, "bindery-cli");
    req.set(bhttp::field::accept, "application/json");
    if (!bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer);
    if (!body.empty() || method == "POST") {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
    }
    req.keep_alive(false);
    req.prepare_payload();
    beast::error_code ec;
    tcp_layer.expires_after(timeout);
    bhttp::write(stream, req, ec);
    if (ec) {
        reply.error = "write: " + ec.message();
        return reply;
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    bhttp::read(stream, buffer, parser, ec);
    if (ec) {
        reply.error = "read: " + ec.message();
        return reply;
    }
    reply.status = parser.get().result_int();
    reply.body = std::move(parser.get().body());
    return reply;
}

}  // namespace

CliReply cli_request(const CliEndpoint& endpoint, const std::string& method,
                     const std::string& target, const std::string& bearer, const std::string& body,
                     std::chrono::milliseconds timeout) {
    CliReply reply;
    asio::io_context io;
    beast::error_code ec;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec) {
        reply.error = "resolve " + endpoint.host + ": " + ec.message();
        return reply;
    }
    if (!endpoint.tls) {
        beast::tcp_stream stream(io);
        stream.expires_after(timeout);
        stream.connect(addresses, ec);
        if (ec) {
            reply.error = "connect " + endpoint.host + ":" + endpoint.port + ": " + ec.message();
            return reply;
        }
        return exchange(stream, stream, endpoint, method, target, bearer, body, timeout);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1,
                    ec);
    if (endpoint.insecure) {
        ctx.set_verify_mode(asio::ssl::verify_none);
    } else {
        ctx.set_verify_mode(asio::ssl::verify_peer);
        if (endpoint.ca_file.empty()) {
            ctx.set_default_verify_paths(ec);
        } else {
            ctx.load_verify_file(endpoint.ca_file, ec);
        }
        if (ec) {
            reply.error = "TLS trust store: " + ec.message();
            return reply;
        }
        ctx.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
        reply.error = "TLS: cannot set SNI";
        return reply;
    }
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(addresses, ec);
    if (ec) {
        reply.error = "connect " + endpoint.host + ":" + endpoint.port + ": " + ec.message();
        return reply;
    }
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) {
        reply.error = "TLS handshake: " + ec.message();
        return reply;
    }
    return exchange(stream, beast::get_lowest_layer(stream), endpoint, method, target, bearer, body,
                    timeout);
}

}  // namespace bindery::app
