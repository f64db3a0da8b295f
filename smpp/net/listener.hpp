#pragma once
// Listener: accepts TCP connections on an endpoint and hands each one up as a Connection (plain,
// or TLS in the server role when a TLS context is given). The TLS handshake runs in
// Connection::start(). Threading: one executor; stop() from it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "smpp/net/connection.hpp"

namespace bindery::smpp {

struct ListenerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0 = any free port (see Listener::port())
    int backlog = 128;
    TlsOptions tls;               // enabled: every accepted connection speaks TLS
    ConnectionConfig connection;  // template for accepted connections (name gets a suffix)
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Called with each accepted connection, not yet started.
    using AcceptHandler = std::function<void(std::shared_ptr<Connection>)>;

    Listener(boost::asio::any_io_executor executor, ListenerConfig config, AcceptHandler on_accept);

    // Binds and listens (throws boost::system::system_error when the address is unusable: a
    // startup error), then accepts until stop().
    void start();
    void stop();
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::uint64_t accepted() const noexcept { return accepted_; }

private:
    void do_accept();
    void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

    boost::asio::any_io_executor executor_;
    ListenerConfig config_;
    AcceptHandler on_accept_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_timer_;  // accept errors (EMFILE) pause briefly
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::uint16_t port_ = 0;
    std::uint64_t accepted_ = 0;
    bool stopped_ = false;
};

}  // namespace bindery::smpp
