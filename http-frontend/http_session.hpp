#pragma once
// Internal to the server: one HTTP/1.1 connection, over plain TCP or TLS (CRTP, after Beast's
// "flex" server). The loop is: wait for a first byte (idle timeout), read the header (header
// timeout), check limits, read the body (body timeout), answer, repeat. Requests on a connection
// are handled one at a time, so pipelined requests are answered in order; bytes of the next
// request stay in the buffer meanwhile.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http-frontend/server_core.hpp"
#include "smpp/base/log_field.hpp"

namespace bindery::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

template <class Derived>
class HttpSession : public ConnectionHandle {
public:
    HttpSession(std::shared_ptr<ServerCore> core, std::string peer)
        : core_(std::move(core)), peer_(std::move(peer)) {}
    ~HttpSession() override { core_->release(); }

protected:
    Derived& derived() { return static_cast<Derived&>(*this); }
    auto& lowest() { return beast::get_lowest_layer(derived().stream()); }

    void do_read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(core_->config.max_header_bytes));
        parser_->body_limit(core_->config.max_body_bytes);
        if (buffer_.size() > 0) return do_read_header();  // pipelined bytes already here
        lowest().expires_after(core_->config.idle_timeout);
        derived().stream().async_read_some(
            buffer_.prepare(4096),
            beast::bind_front_handler(&HttpSession::on_first_bytes, derived().shared_from_this()));
    }

    void on_first_bytes(beast::error_code ec, std::size_t n) {
        if (ec) return derived().do_close();  // idle timeout, EOF, reset
        buffer_.commit(n);
        do_read_header();
    }

    void do_read_header() {
        lowest().expires_after(core_->config.header_timeout);
        bhttp::async_read_header(
            derived().stream(), buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_header, derived().shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return on_read_error(ec, "header");
        const auto& req = parser_->get();
        if (const auto len = parser_->content_length();
            len && *len > core_->config.max_body_bytes) {
            return send_error_and_close(
                413, "payload_too_large",
                "body larger than " + std::to_string(core_->config.max_body_bytes) + " bytes");
        }
        if (beast::iequals(req[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
            continue_.emplace(bhttp::status::continue_, req.version());
            lowest().expires_after(core_->config.write_timeout);
            return bhttp::async_write(
                derived().stream(), *continue_,
                beast::bind_front_handler(&HttpSession::on_continue, derived().shared_from_this()));
        }
        do_read_body();
    }

    void on_continue(beast::error_code ec, std::size_t) {
        continue_.reset();
        if (ec) return derived().do_close();
        do_read_body();
    }

    void do_read_body() {
        lowest().expires_after(core_->config.body_timeout);
        bhttp::async_read(
            derived().stream(), buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_read, derived().shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return on_read_error(ec, "body");
        if (core_->stopping) return derived().do_close();  // the worker pool may be joined
        lowest().expires_never();
        started_ = std::chrono::steady_clock::now();
        Request req = parser_->release();
        parser_.reset();
        request_id_ = request_id_for(sv(req["X-Request-Id"]));
        const auto [path, query] = split_target(sv(req.target()));
        method_ = std::string(req.method_string());
        path_ = std::string(path);
        const RouteMatch match = match_route(method_, path);
        if (match.route == nullptr) {
            route_label_ = match.path_exists ? std::string(match.path_template) : "unmatched";
            ApiError e =
                match.path_exists
                    ? ApiError{405, "method_not_allowed", method_ + " is not allowed here", "", {}}
                    : ApiError{404, "not_found", "no such endpoint", "", {}};
            Response res = ApiHandler::error_response(e, req.version(), req.keep_alive());
            if (match.path_exists) res.set(bhttp::field::allow, match.allow);
            return finish(std::move(res), "-");
        }
        route_label_ = std::string(match.route->path);
        if (!match.route->blocking) {
            HandlerResult r = core_->handler.handle(req, match);
            return finish(std::move(r.response), std::move(r.client), std::move(r.accepted));
        }
        // The send endpoint may answer asynchronously (its messages wait in the SubmitBatcher);
        // the answer comes back to this strand.
        if (core_->handler.handle_async(
                req, match, [self = derived().shared_from_this()](HandlerResult r) {
                    auto ex = self->derived().stream().get_executor();
                    boost::asio::post(ex, [self, r = std::move(r)]() mutable {
                        self->finish(std::move(r.response), std::move(r.client),
                                     std::move(r.accepted));
                    });
                })) {
            return;
        }
        // Blocking handlers run on the worker pool; the answer comes back to this strand.
        boost::asio::post(core_->workers, [self = derived().shared_from_this(),
                                           req = std::move(req), match]() mutable {
            HandlerResult r = self->core_->handler.handle(req, match);
            auto ex = self->derived().stream().get_executor();
            boost::asio::post(ex, [self, r = std::move(r)]() mutable {
                self->finish(std::move(r.response), std::move(r.client), std::move(r.accepted));
            });
        });
    }

    void on_read_error(beast::error_code ec, const char* phase) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == boost::asio::error::eof || ec == boost::asio::error::operation_aborted ||
            ec == boost::asio::error::connection_reset || core_->stopping) {
            if (ec == beast::error::timeout) {
                core_->log->debug("http {} timeout, closing peer={}", phase, peer_);
            }
            return derived().do_close();
        }
        started_ = std::chrono::steady_clock::now();
        method_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string())
                                                       : "-";
        if (ec == bhttp::error::body_limit) {
            return send_error_and_close(
                413, "payload_too_large",
                "body larger than " + std::to_string(core_->config.max_body_bytes) + " bytes");
        }
        if (ec == bhttp::error::header_limit) {
            return send_error_and_close(431, "header_too_large", "request header too large");
        }
        return send_error_and_close(400, "bad_request", "malformed HTTP request: " + ec.message());
    }

    void send_error_and_close(unsigned status, std::string code, std::string message) {
        if (started_ == std::chrono::steady_clock::time_point{})
            started_ = std::chrono::steady_clock::now();
        request_id_ =
            request_id_for(parser_ && parser_->is_header_done() ? sv(parser_->get()["X-Request-Id"])
                                                                : std::string_view{});
        if (path_.empty() && parser_ && parser_->is_header_done()) {
            path_ = std::string(split_target(sv(parser_->get().target())).first);
        }
        if (method_.empty()) method_ = "-";
        route_label_ = "-";
        Response res = ApiHandler::error_response(
            {status, std::move(code), std::move(message), "", {}}, 11, false);
        finish(std::move(res), "-");
    }

    // One access line per request: "POST /v1/messages status=202 ... request_id=... client=...",
    // with message_id= when the request created one message; when it created several, one debug
    // line per message ("message accepted request_id=... message_id=...").
    void finish(Response res, std::string client, std::vector<router::MessageId> accepted = {}) {
        res.set("X-Request-Id", request_id_);
        if (core_->stopping) res.keep_alive(false);
        const auto elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const unsigned code = res.result_int();
        auto& log = *core_->access_log;
        if (log.should_log(spdlog::level::info)) {
            std::string created;
            if (accepted.size() == 1) created = " message_id=" + accepted.front().to_string();
            if (accepted.size() > 1) created = " messages=" + std::to_string(accepted.size());
            log.info(
                "{} {} status={} bytes={} proto={} duration_ms={:.3f} request_id={} client={} "
                "peer={}{}",
                method_, path_.empty() ? "-" : path_, code, res.body().size(),
                res.version() == 10 ? "HTTP/1.0" : "HTTP/1.1", elapsed * 1000.0, request_id_,
                client, peer_, created);
        }
        if (accepted.size() > 1 && log.should_log(spdlog::level::debug)) {
            for (const auto& id : accepted) {
                log.debug("message accepted request_id={} message_id={} client={}", request_id_,
                          id.to_string(), client);
            }
        }
        core_->deps.metrics.observe_request(route_label_, method_, code, elapsed);
        response_.emplace(std::move(res));
        lowest().expires_after(core_->config.write_timeout);
        bhttp::async_write(
            derived().stream(), *response_,
            beast::bind_front_handler(&HttpSession::on_write, derived().shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        const bool close = !response_->keep_alive();
        response_.reset();
        method_.clear();
        path_.clear();
        started_ = {};
        if (ec || close || core_->stopping) return derived().do_close();
        do_read();
    }

public:
    // ConnectionHandle
    void close_from_server() override {
        boost::asio::dispatch(
            derived().stream().get_executor(), [self = derived().shared_from_this()] {
                beast::error_code ignored;
                beast::get_lowest_layer(self->derived().stream()).socket().close(ignored);
            });
    }

protected:
    std::shared_ptr<ServerCore> core_;
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<bhttp::response<bhttp::empty_body>> continue_;
    std::optional<Response> response_;
    std::chrono::steady_clock::time_point started_{};
    std::string request_id_, method_, path_, route_label_;
};

class PlainSession final : public HttpSession<PlainSession>,
                           public std::enable_shared_from_this<PlainSession> {
public:
    PlainSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerCore> core,
                 std::string peer)
        : HttpSession(std::move(core), std::move(peer)), stream_(std::move(socket)) {}

    beast::tcp_stream& stream() { return stream_; }
    void run() {
        boost::asio::dispatch(stream_.get_executor(),
                              [self = shared_from_this()] { self->do_read(); });
    }
    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

private:
    beast::tcp_stream stream_;
};

class TlsSession final : public HttpSession<TlsSession>,
                         public std::enable_shared_from_this<TlsSession> {
public:
    TlsSession(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context& ctx,
               std::shared_ptr<ServerCore> core, std::string peer)
        : HttpSession(std::move(core), std::move(peer)), stream_(std::move(socket), ctx) {}

    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    void run() {
        boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->stream_)
                .expires_after(self->core_->config.tls_handshake_timeout);
            self->stream_.async_handshake(
                boost::asio::ssl::stream_base::server,
                beast::bind_front_handler(&TlsSession::on_handshake, self));
        });
    }
    void do_close() {
        if (closing_) return;
        closing_ = true;
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ec;
            beast::get_lowest_layer(self->stream_).socket().close(ec);
        });
    }

private:
    void on_handshake(beast::error_code ec) {
        if (ec) {
            core_->log->debug("http TLS handshake failed peer={} error={}", peer_,
                              log_value(ec.message()));
            beast::error_code ignored;
            beast::get_lowest_layer(stream_).socket().close(ignored);
            return;
        }
        do_read();
    }

    beast::ssl_stream<beast::tcp_stream> stream_;
    bool closing_ = false;
};

}  // namespace bindery::http
