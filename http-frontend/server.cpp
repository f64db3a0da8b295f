#include "http-frontend/server.hpp"

#include <random>
#include <stdexcept>

#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "http-frontend/admin.hpp"
#include "http-frontend/http_session.hpp"
#include "smpp/base/log_field.hpp"

namespace bindery::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A logger writing where the default logger writes, at its level, flushed as often (a file sink
// would otherwise hold access lines until the next flush: SIGHUP, or the buffer filling up).
std::shared_ptr<spdlog::logger> logger_named(const std::string& name) {
    if (auto l = spdlog::get(name)) return l;
    auto def = spdlog::default_logger();
    auto l = std::make_shared<spdlog::logger>(name, def->sinks().begin(), def->sinks().end());
    l->set_level(def->level());
    l->flush_on(def->flush_level());
    try {
        spdlog::register_logger(l);
    } catch (const spdlog::spdlog_ex&) {
        if (auto existing = spdlog::get(name)) return existing;  // lost a registration race
    }
    return l;
}

}  // namespace

std::string request_id_for(std::string_view from_client) {
    const bool sane = !from_client.empty() && from_client.size() <= 128 &&
                      std::all_of(from_client.begin(), from_client.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                 c == ':';
                      });
    if (sane) return std::string(from_client);
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (std::size_t i = 0; i < id.size(); i += 16) {
        std::uint64_t r = rng();
        for (std::size_t j = 0; j < 16; ++j, r >>= 4U) id[i + j] = kHex[r & 0xFU];
    }
    return id;
}

ServerCore::ServerCore(net::io_context& io_context, ServerConfig cfg, ApiDeps d)
    : io(io_context),
      config(std::move(cfg)),
      deps(d),
      handler(config.api, deps),
      workers(std::max<std::size_t>(1, config.worker_threads)),
      access_log(logger_named(config.access_logger)),
      log(logger_named("http")) {
    if (config.async_submit) {
        auto batcher_config = config.submit_batcher;
        if (!batcher_config.on_exception) {
            batcher_config.on_exception = [logger = log](const std::exception& e) {
                logger->error("http submit failed error={}", log_value(e.what()));
            };
        }
        batcher = std::make_unique<router::SubmitBatcher>(deps.gateway, std::move(batcher_config));
        handler.set_batcher(batcher.get());
    }
    if (config.tls) {
        tls.emplace(net::ssl::context::tls_server);
        tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
        tls->use_certificate_chain_file(config.tls->cert_file);
        tls->use_private_key_file(config.tls->key_file, net::ssl::context::pem);
    }
}

bool ServerCore::try_admit() {
    auto n = active.load();
    do {
        if (n >= config.max_connections) return false;
    } while (!active.compare_exchange_weak(n, n + 1));
    deps.metrics.connections_active().Increment();
    return true;
}

void ServerCore::track(const std::shared_ptr<ConnectionHandle>& c) {
    std::lock_guard lock(connections_mutex);
    connections.remove_if([](const auto& w) { return w.expired(); });
    connections.push_back(c);
}

void ServerCore::release() {
    active.fetch_sub(1);
    if (!detached) deps.metrics.connections_active().Decrement();
}

// Accepts on its own strand; each connection gets a strand of the same io_context.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(std::shared_ptr<ServerCore> core)
        : core_(std::move(core)), acceptor_(net::make_strand(core_->io)) {}

    void open() {
        const auto address = net::ip::make_address(core_->config.listen_address);
        const tcp::endpoint ep(address, core_->config.port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(net::socket_base::max_listen_connections);
        port_ = acceptor_.local_endpoint().port();
    }
    std::uint16_t port() const noexcept { return port_; }

    void do_accept() {
        acceptor_.async_accept(net::make_strand(core_->io),
                               beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void close() {
        net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
            beast::error_code ec;
            self->acceptor_.close(ec);
        });
    }

private:
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open() || core_->stopping) return;
        if (ec) {
            core_->log->warn("http accept failed error={}", log_value(ec.message()));
            return do_accept();  // EMFILE and friends: keep serving the others
        }
        beast::error_code ep_ec;
        const auto remote = socket.remote_endpoint(ep_ec);
        std::string peer =
            ep_ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
        if (!core_->try_admit()) {
            core_->deps.metrics.connections_refused().Increment();
            core_->log->warn("http connection limit reached, closing peer={} limit={}", peer,
                             core_->config.max_connections);
            socket.close(ep_ec);
            return do_accept();
        }
        if (core_->tls) {
            auto s = std::make_shared<TlsSession>(std::move(socket), *core_->tls, core_,
                                                  std::move(peer));
            core_->track(s);
            s->run();
        } else {
            auto s = std::make_shared<PlainSession>(std::move(socket), core_, std::move(peer));
            core_->track(s);
            s->run();
        }
        do_accept();
    }

    std::shared_ptr<ServerCore> core_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
};

HttpServer::HttpServer(net::io_context& io, ServerConfig config, ApiDeps deps)
    : core_(std::make_shared<ServerCore>(io, std::move(config), deps)) {}

HttpServer::~HttpServer() {
    stop();
    core_->detached = true;  // the connections still queued outlive us and our deps
}

void HttpServer::set_admin(std::shared_ptr<AdminHandler> admin) {
    core_->handler.set_admin(std::move(admin));
}

void HttpServer::start() {
    auto l = std::make_shared<Listener>(core_);
    l->open();
    port_ = l->port();
    listener_ = l;
    l->do_accept();
    core_->log->info("http: listening on {}:{}{}", core_->config.listen_address, port_,
                     core_->tls ? " (TLS)" : "");
}

void HttpServer::stop() {
    if (core_->stopping.exchange(true)) return;
    if (listener_) listener_->close();
    std::vector<std::shared_ptr<ConnectionHandle>> live;
    {
        std::lock_guard lock(core_->connections_mutex);
        for (auto& w : core_->connections) {
            if (auto c = w.lock()) live.push_back(std::move(c));
        }
        core_->connections.clear();
    }
    for (auto& c : live) c->close_from_server();
    core_->workers.join();
    if (core_->batcher) core_->batcher->stop();  // answers what is queued, then joins
}

std::uint16_t HttpServer::port() const noexcept { return port_; }
std::size_t HttpServer::active_connections() const noexcept { return core_->active.load(); }

}  // namespace bindery::http
