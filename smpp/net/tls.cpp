#include "smpp/net/tls.hpp"

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/system/error_code.hpp>

namespace bindery::smpp {

Expected<std::shared_ptr<boost::asio::ssl::context>, std::string> load_tls_context(
    const TlsOptions& options, TlsRole role) {
    namespace ssl = boost::asio::ssl;
    using Error = Unexpected<std::string>;
    boost::system::error_code ec;
    std::shared_ptr<ssl::context> ctx;
    try {  // the context constructor throws when OpenSSL cannot allocate one
        ctx = std::make_shared<ssl::context>(role == TlsRole::client ? ssl::context::tls_client
                                                                     : ssl::context::tls_server);
    } catch (const std::exception& e) {
        return Error("tls: cannot create a context: " + std::string(e.what()));
    }
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    if (!options.ca_file.empty()) {
        if (ctx->load_verify_file(options.ca_file, ec); ec) {
            return Error("tls: cannot load ca_file " + options.ca_file + ": " + ec.message());
        }
    } else if (ctx->set_default_verify_paths(ec); ec) {
        return Error("tls: cannot load the system CA paths: " + ec.message());
    }
    if (!options.cert_file.empty()) {
        if (ctx->use_certificate_chain_file(options.cert_file, ec); ec) {
            return Error("tls: cannot load cert_file " + options.cert_file + ": " + ec.message());
        }
        const auto& key = options.key_file.empty() ? options.cert_file : options.key_file;
        if (ctx->use_private_key_file(key, ssl::context::pem, ec); ec) {
            return Error("tls: cannot load key_file " + key + ": " + ec.message());
        }
    } else if (role == TlsRole::server) {
        return Error("tls: a server needs cert_file and key_file");
    }
    ctx->set_verify_mode(
        options.verify_peer
            ? (role == TlsRole::server ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                       : ssl::verify_peer)
            : ssl::verify_none,
        ec);
    return ctx;
}

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                            TlsRole role) {
    auto ctx = load_tls_context(options, role);
    if (!ctx) throw std::runtime_error(ctx.error());
    return std::move(*ctx);
}

}  // namespace bindery::smpp
