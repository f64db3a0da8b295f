#include "smpp/net/listener.hpp"

#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "smpp/base/log_field.hpp"

namespace bindery::smpp {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

Listener::Listener(asio::any_io_executor executor, ListenerConfig config, AcceptHandler on_accept)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      on_accept_(std::move(on_accept)),
      acceptor_(executor_),
      retry_timer_(executor_) {}

void Listener::start() {
    if (config_.tls.enabled) tls_ = make_tls_context(config_.tls, TlsRole::server);
    const tcp::endpoint endpoint(asio::ip::make_address(config_.host), config_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(config_.backlog);
    port_ = acceptor_.local_endpoint().port();
    spdlog::info("smpp.net listening address={}:{} tls={}", config_.host, port_,
                 tls_ ? "true" : "false");
    do_accept();
}

void Listener::stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ignored;
    retry_timer_.cancel();
    acceptor_.close(ignored);
    spdlog::info("smpp.net listener stopped port={}", port_);
}

void Listener::do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(asio::make_strand(executor_),
                           [self = shared_from_this()](const error_code& ec, tcp::socket socket) {
                               self->on_accept(ec, std::move(socket));
                           });
}

void Listener::on_accept(const error_code& ec, tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
        if (ec == asio::error::operation_aborted) return;
        // Out of descriptors and the like: pause instead of spinning on the error.
        spdlog::warn("smpp.net accept failed port={} error={}", port_, log_value(ec.message()));
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([self = shared_from_this()](const error_code& e) {
            if (!e) self->do_accept();
        });
        return;
    }
    ++accepted_;
    auto cfg = config_.connection;
    error_code peer_ec;
    auto peer = socket.remote_endpoint(peer_ec);
    cfg.name =
        (cfg.name.empty() ? std::string("smpp-in") : cfg.name) + "#" + std::to_string(accepted_);
    if (!peer_ec) {
        spdlog::info("smpp.net connection accepted bind={} peer={}:{}", cfg.name,
                     peer.address().to_string(), peer.port());
    }
    std::shared_ptr<Connection> conn =
        tls_ ? std::make_shared<Connection>(std::move(socket), tls_, TlsRole::server, std::string{},
                                            std::move(cfg))
             : std::make_shared<Connection>(std::move(socket), std::move(cfg));
    if (on_accept_) on_accept_(std::move(conn));
    do_accept();
}

}  // namespace bindery::smpp
