#pragma once
// TLS settings for SMPP over TLS (Asio SSL). Certificate verification is on by default; a client
// checks the server's name (SNI + hostname verification) against `server_name` (or the host).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace bindery::smpp {

enum class TlsRole { client, server };

struct TlsOptions {
    bool enabled = false;
    bool verify_peer = true;   // client: verify the server chain + name; server: require a client cert
    std::string ca_file;       // PEM bundle of trusted CAs; empty = the system's default paths
    std::string cert_file;     // PEM certificate chain (server: required; client: for mutual TLS)
    std::string key_file;      // PEM private key matching cert_file
    std::string server_name;   // client: expected name (SNI, hostname check); empty = the host
};

// Builds a context for `role` from `options` (TLS 1.2+). Startup/config code: throws
// std::runtime_error naming the file that could not be loaded.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                                         TlsRole role);

}  // namespace bindery::smpp
