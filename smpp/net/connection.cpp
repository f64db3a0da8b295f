#include "smpp/net/connection.hpp"

#include <algorithm>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "smpp/codec/build.hpp"
#include "smpp/base/log_field.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/net/net_error.hpp"

namespace bindery::smpp {

namespace asio = boost::asio;
using boost::system::error_code;

Connection::Connection(tcp::socket socket, ConnectionConfig config)
    : config_(std::move(config)), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

Connection::Connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, TlsRole role,
                       const std::string& server_name, ConnectionConfig config)
    : config_(std::move(config)),
      socket_(socket.get_executor()),
      tls_context_(std::move(tls)),
      tls_role_(role),
      timer_(socket.get_executor()) {
    tls_ = std::make_unique<TlsStream>(std::move(socket), *tls_context_);
    if (role == TlsRole::client && !server_name.empty()) {
        // SNI, and the name the certificate must carry (when the context verifies peers).
        SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
        tls_->set_verify_callback(asio::ssl::host_name_verification(server_name));
    }
}

Connection::~Connection() {
    error_code ignored;
    lowest_layer().close(ignored);
}

Connection::tcp::socket& Connection::lowest_layer() noexcept {
    return tls_ ? tls_->next_layer() : socket_;
}

asio::any_io_executor Connection::get_executor() noexcept { return lowest_layer().get_executor(); }

std::string Connection::peer() const {
    error_code ec;
    const auto& sock = tls_ ? tls_->next_layer() : socket_;
    auto ep = sock.remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

void Connection::start(ConnectionHandler& handler) {
    if (state_ != State::idle) return;
    handler_ = &handler;
    error_code ignored;
    lowest_layer().set_option(tcp::no_delay(true), ignored);
    rx_.resize(config_.read_chunk);
    if (!tls_) {
        state_ = State::open;
        auto self = shared_from_this();
        asio::post(get_executor(), [self] {
            if (self->state_ != State::open) return;
            if (self->handler_) self->handler_->on_connection_ready(Clock::now());
            if (self->state_ == State::open && !self->reading_) self->do_read();
        });
        return;
    }
    state_ = State::handshaking;
    timer_.expires_after(config_.handshake_timeout);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
        if (!ec && self->state_ == State::handshaking) self->finish(NetErrc::connect_timeout);
    });
    tls_->async_handshake(
        tls_role_ == TlsRole::client ? asio::ssl::stream_base::client
                                     : asio::ssl::stream_base::server,
        [self = shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
}

void Connection::on_handshake(const error_code& ec) {
    if (state_ != State::handshaking) return;
    timer_.cancel();
    if (ec) {
        spdlog::warn("smpp.net tls handshake failed bind={} peer={} error={}", config_.name, peer(),
                     log_value(ec.message()));
        return finish(ec);
    }
    state_ = State::open;
    if (handler_) handler_->on_connection_ready(Clock::now());
    if (state_ == State::open) do_read();
    maybe_write();
}

void Connection::do_read() {
    if (reading_ || state_ != State::open) return;
    // Keep the unparsed tail at the front, then make room for one more chunk (or the rest of a
    // frame larger than a chunk).
    if (rx_begin_ > 0) {
        if (rx_end_ > rx_begin_) {
            std::copy(rx_.begin() + static_cast<std::ptrdiff_t>(rx_begin_),
                      rx_.begin() + static_cast<std::ptrdiff_t>(rx_end_), rx_.begin());
        }
        rx_end_ -= rx_begin_;
        rx_begin_ = 0;
    }
    if (rx_.size() - rx_end_ < config_.read_chunk / 2) rx_.resize(rx_end_ + config_.read_chunk);
    reading_ = true;
    auto buffer = asio::buffer(rx_.data() + rx_end_, rx_.size() - rx_end_);
    auto on_done = [self = shared_from_this()](const error_code& ec, std::size_t n) {
        self->on_read(ec, n);
    };
    if (tls_) {
        tls_->async_read_some(buffer, std::move(on_done));
    } else {
        socket_.async_read_some(buffer, std::move(on_done));
    }
}

// The only place bytes meet a socket: frame, decode, hand to the handler, flush, read again.
void Connection::on_read(const error_code& ec, std::size_t n) {
    reading_ = false;
    if (state_ != State::open) {
        if (state_ == State::closing && ec) finish(close_reason_);  // peer gone while flushing
        return;
    }
    if (ec) {
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            spdlog::info("smpp.net peer closed the connection bind={} peer={}", config_.name,
                         peer());
            return finish(asio::error::eof);
        }
        spdlog::warn("smpp.net read failed bind={} peer={} error={}", config_.name, peer(),
                     log_value(ec.message()));
        return finish(ec);
    }
    rx_end_ += n;
    stats_.rx_bytes += n;
    const auto now = Clock::now();
    in_batch_ = true;
    while (state_ == State::open) {
        const std::span<const std::uint8_t> buffered(rx_.data() + rx_begin_, rx_end_ - rx_begin_);
        const auto scan = scan_frame(buffered, config_.limits);
        if (scan.status == FrameStatus::need_more) {
            // A frame larger than the buffer: grow once so the next read can complete it.
            if (scan.frame_size > rx_.size() - rx_begin_) rx_.resize(rx_begin_ + scan.frame_size);
            break;
        }
        if (scan.status == FrameStatus::malformed) {
            in_batch_ = false;
            spdlog::warn("smpp.net framing lost, closing bind={} peer={} command_length={}",
                         config_.name, peer(), scan.command_length);
            // The reference's answer to an impossible length: generic_nack, flushed, then the
            // close.
            const FrameError& error = *scan.error;
            (void)send(make_generic_nack(error.sequence_number.value_or(0), error.command_status));
            return close(NetErrc::framing_lost);
        }
        const auto frame = buffered.first(scan.frame_size);
        auto pdu = decode(frame);
        ++stats_.rx_pdus;
        if (handler_ != nullptr) {
            if (pdu) {
                handler_->on_pdu(*pdu, now);
            } else {
                ++stats_.decode_errors;
                handler_->on_decode_error(pdu.error(), now);
            }
        }
        rx_begin_ += scan.frame_size;
    }
    in_batch_ = false;
    if (rx_begin_ == rx_end_) rx_begin_ = rx_end_ = 0;
    maybe_write();
    if (state_ != State::open) return;
    if (tx_over_cap()) {  // back-pressure: read less while the peer reads our replies slowly
        if (!read_paused_) {
            read_paused_ = true;
            ++stats_.read_pauses;
            spdlog::debug("smpp.net write queue over cap, pausing reads bind={} queued_octets={}",
                          config_.name, tx_queued());
        }
        return;
    }
    do_read();
}

error_code Connection::send(const Pdu& pdu) {
    if (state_ != State::open && state_ != State::handshaking) return NetErrc::closed;
    if (auto ec = encode(pdu, pending_, config_.limits.max_pdu_size)) {
        spdlog::error("smpp.net cannot encode bind={} command_id={} error={}", config_.name,
                      to_string(pdu.command_id()), log_value(ec.message()));
        return NetErrc::encode_failed;
    }
    ++stats_.tx_pdus;
    maybe_write();
    return {};
}

void Connection::send_raw(std::span<const std::uint8_t> bytes) {
    if (state_ != State::open && state_ != State::handshaking) return;
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    maybe_write();
}

void Connection::maybe_write() {
    if (writing_ || in_batch_ || pending_.empty()) return;
    if (state_ != State::open && state_ != State::closing) return;
    std::swap(pending_, in_flight_);
    pending_.clear();
    writing_ = true;
    auto on_done = [self = shared_from_this()](const error_code& ec, std::size_t n) {
        self->on_write(ec, n);
    };
    if (tls_) {
        asio::async_write(*tls_, asio::buffer(in_flight_), std::move(on_done));
    } else {
        asio::async_write(socket_, asio::buffer(in_flight_), std::move(on_done));
    }
}

void Connection::on_write(const error_code& ec, std::size_t n) {
    writing_ = false;
    if (state_ == State::closed) return;
    if (ec) {
        spdlog::warn("smpp.net write failed bind={} peer={} error={}", config_.name, peer(),
                     log_value(ec.message()));
        return finish(ec);
    }
    stats_.tx_bytes += n;
    in_flight_.clear();
    maybe_write();
    if (state_ == State::closing) {
        if (!writing_) do_shutdown();
        return;
    }
    if (read_paused_ && tx_queued() <= config_.tx_high_water / 2) {
        read_paused_ = false;
        if (handler_) handler_->on_writable();
        if (state_ == State::open) do_read();
    }
}

void Connection::close(error_code reason) {
    if (state_ == State::closing || state_ == State::closed) return;
    close_reason_ = reason ? reason : error_code(NetErrc::closed);
    if (state_ == State::idle || state_ == State::handshaking) return finish(close_reason_);
    state_ = State::closing;
    in_batch_ = false;  // closing from inside a read batch: what is queued must still go out
    timer_.expires_after(config_.close_timeout);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
        if (!ec && self->state_ == State::closing) self->finish(self->close_reason_);
    });
    if (!writing_) {
        maybe_write();
        if (!writing_) do_shutdown();
    }
}

void Connection::do_shutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    if (!tls_) {
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        return finish(close_reason_);
    }
    tls_->async_shutdown(
        [self = shared_from_this()](const error_code&) { self->finish(self->close_reason_); });
}

void Connection::abort(error_code reason) {
    if (state_ == State::closed) return;
    finish(reason ? reason : error_code(NetErrc::closed));
}

void Connection::finish(error_code ec) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    error_code ignored;
    timer_.cancel();
    lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    lowest_layer().close(ignored);
    pending_.clear();
    // Report from a fresh handler so an owner calling close()/abort() is never re-entered.
    asio::post(timer_.get_executor(), [self = shared_from_this(), ec] {
        if (auto* h = std::exchange(self->handler_, nullptr)) h->on_closed(ec);
    });
}

}  // namespace bindery::smpp
