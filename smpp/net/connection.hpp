#pragma once
// Connection: the only place SMPP bytes meet a socket. A TCP (or TLS over TCP) stream with
//  - a read loop that frames with scan_frame(), decodes into views of one reused buffer and hands
//    each PDU (or decode error) to a ConnectionHandler;
//  - a write queue: PDUs are encoded straight into a pending buffer, and everything queued while a
//    write is in flight goes out together in the next single write (one write in flight);
//  - back-pressure: while more than `tx_high_water` octets wait to be written the connection stops
//    reading, so a peer that does not read our responses stops being able to send requests;
//  - a clean close: close() flushes what is queued (bounded by close_timeout), shuts down TLS and
//    TCP, and reports on_closed() exactly once;
//  - lost framing (command_length < 16 or over the limit): a generic_nack ESME_RINVCMDLEN with the
//    peer's sequence_number (when its 16-octet header was buffered, else 0) is flushed, then the
//    connection closes with NetErrc::framing_lost.
//
// Threading: every call must be made on the connection's executor (the io_context thread, or the
// strand the socket was created on); handler callbacks arrive there too. The handler must outlive
// the connection or call detach() first.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "smpp/base/clock.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/frame.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/net/tls.hpp"

namespace bindery::smpp {

// What a Connection hands up. Decoded PDUs borrow the read buffer: copy what must outlive the call.
class ConnectionHandler {
public:
    virtual ~ConnectionHandler() = default;
    // The stream is usable (TCP connected, TLS handshake done): a client sends its bind now.
    virtual void on_connection_ready(TimePoint /*now*/) {}
    virtual void on_pdu(const Pdu& pdu, TimePoint now) = 0;
    virtual void on_decode_error(const DecodeError& error, TimePoint now) = 0;
    // The write queue dropped back under the low-water mark after having been over the cap.
    virtual void on_writable() {}
    // Exactly once, after the socket is closed: asio::error::eof when the peer closed,
    // NetErrc::closed after close()/abort() without a reason, else the failure.
    virtual void on_closed(const boost::system::error_code& ec) = 0;
};

struct ConnectionConfig {
    CodecLimits limits{};
    std::size_t read_chunk = std::size_t{16} * 1024;  // octets asked of each read
    // Stop reading while more than this is queued to write.
    std::size_t tx_high_water = std::size_t{1024} * 1024;
    Duration handshake_timeout = std::chrono::seconds(10);  // TLS handshake
    Duration close_timeout = std::chrono::seconds(2);       // flush + TLS shutdown on close()
    std::string name;                                       // for log lines, e.g. "carrier-a#2"
};

struct ConnectionStats {
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_pdus = 0;
    std::uint64_t tx_pdus = 0;
    std::uint64_t decode_errors = 0;
    std::uint64_t read_pauses = 0;  // times back-pressure stopped the read loop
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using tcp = boost::asio::ip::tcp;
    using TlsStream = boost::asio::ssl::stream<tcp::socket>;

    // Plain TCP over a connected socket.
    Connection(tcp::socket socket, ConnectionConfig config);
    // TLS over a connected socket; `server_name` (client role) is sent as SNI and checked against
    // the certificate when the context verifies peers.
    Connection(tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls, TlsRole role,
               const std::string& server_name, ConnectionConfig config);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Starts the TLS handshake (if any) and then the read loop.
    void start(ConnectionHandler& handler);
    // No more callbacks to the handler (call before the handler is destroyed).
    void detach() noexcept { handler_ = nullptr; }

    // Encodes `pdu` onto the write queue. Errors: NetErrc::closed when not open, or the encode
    // error (nothing queued).
    boost::system::error_code send(const Pdu& pdu);
    // Queues raw octets (tests, relays).
    void send_raw(std::span<const std::uint8_t> bytes);

    // Graceful: stop reading, flush the write queue, shut down, then on_closed(reason, or
    // NetErrc::closed without one).
    void close(boost::system::error_code reason = {});
    // Immediate: cancel everything, on_closed(reason or NetErrc::closed).
    void abort(boost::system::error_code reason = {});

    [[nodiscard]] bool is_open() const noexcept {
        return state_ == State::open || state_ == State::handshaking;
    }
    [[nodiscard]] bool is_tls() const noexcept { return tls_ != nullptr; }
    [[nodiscard]] std::size_t tx_queued() const noexcept {
        return pending_.size() + in_flight_.size();
    }
    [[nodiscard]] bool tx_over_cap() const noexcept { return tx_queued() > config_.tx_high_water; }
    [[nodiscard]] const ConnectionStats& stats() const noexcept { return stats_; }
    [[nodiscard]] const std::string& name() const noexcept { return config_.name; }
    [[nodiscard]] std::string peer() const;
    [[nodiscard]] boost::asio::any_io_executor get_executor() noexcept;

private:
    enum class State : std::uint8_t { idle, handshaking, open, closing, closed };

    tcp::socket& lowest_layer() noexcept;
    void on_handshake(const boost::system::error_code& ec);
    void do_read();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    void maybe_write();
    void on_write(const boost::system::error_code& ec, std::size_t n);
    void do_shutdown();
    void finish(boost::system::error_code ec);

    ConnectionConfig config_;
    tcp::socket socket_;  // plain TCP (moved into tls_ when TLS is used)
    std::unique_ptr<TlsStream> tls_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    TlsRole tls_role_ = TlsRole::client;
    boost::asio::steady_timer timer_;  // handshake / close deadline
    ConnectionHandler* handler_ = nullptr;
    State state_ = State::idle;

    std::vector<std::uint8_t> rx_;  // [rx_begin_, rx_end_) holds unparsed octets
    std::size_t rx_begin_ = 0;
    std::size_t rx_end_ = 0;
    bool reading_ = false;
    bool read_paused_ = false;
    bool in_batch_ = false;  // inside on_read's loop: defer the write to its end

    std::vector<std::uint8_t> pending_;    // queued, not yet handed to the socket
    std::vector<std::uint8_t> in_flight_;  // the one write in flight
    bool writing_ = false;
    bool shutting_down_ = false;
    boost::system::error_code close_reason_;  // what on_closed() reports after a close()

    ConnectionStats stats_;
};

}  // namespace bindery::smpp
