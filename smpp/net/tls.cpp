#include "smpp/net/tls.hpp"

#include <stdexcept>

#include <boost/system/error_code.hpp>

namespace bindery::smpp {

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options, TlsRole role) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(role == TlsRole::client ? ssl::context::tls_client
                                                                      : ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
        if (ctx->load_verify_file(options.ca_file, ec); ec) {
            throw std::runtime_error("tls: cannot load ca_file " + options.ca_file + ": " + ec.message());
        }
    } else if (ctx->set_default_verify_paths(ec); ec) {
        throw std::runtime_error("tls: cannot load the system CA paths: " + ec.message());
    }
    if (!options.cert_file.empty()) {
        if (ctx->use_certificate_chain_file(options.cert_file, ec); ec) {
            throw std::runtime_error("tls: cannot load cert_file " + options.cert_file + ": " + ec.message());
        }
        const auto& key = options.key_file.empty() ? options.cert_file : options.key_file;
        if (ctx->use_private_key_file(key, ssl::context::pem, ec); ec) {
            throw std::runtime_error("tls: cannot load key_file " + key + ": " + ec.message());
        }
    } else if (role == TlsRole::server) {
        throw std::runtime_error("tls: a server needs cert_file and key_file");
    }
    if (options.verify_peer) {
        auto mode = ssl::verify_peer;
        if (role == TlsRole::server) mode |= ssl::verify_fail_if_no_peer_cert;
        ctx->set_verify_mode(mode);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    return ctx;
}

}  // namespace bindery::smpp
