#pragma once
// TLS settings for SMPP over TLS (Asio SSL). Certificate verification is on by default; a client
// checks the server's name (SNI + hostname verification) against `server_name` (or the host).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "smpp/base/expected.hpp"

namespace bindery::smpp {

enum class TlsRole { client, server };

struct TlsOptions {
    bool enabled = false;
    bool verify_peer =
        true;               // client: verify the server chain + name; server: require a client cert
    std::string ca_file;    // PEM bundle of trusted CAs; empty = the system's default paths
    std::string cert_file;  // PEM certificate chain (server: required; client: for mutual TLS)
    std::string key_file;   // PEM private key matching cert_file
    std::string server_name;  // client: expected name (SNI, hostname check); empty = the host
};

// Builds a context for `role` from `options` (TLS 1.2+). Never throws: the error names the file
// that could not be loaded ("tls: cannot load ca_file /x.pem: No such file or directory"). For
// code that runs after startup (a carrier bind connecting or reconnecting on an io thread).
[[nodiscard]] Expected<std::shared_ptr<boost::asio::ssl::context>, std::string> load_tls_context(
    const TlsOptions& options, TlsRole role);

// The same for startup/config code: throws std::runtime_error with that message.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                                          TlsRole role);

}  // namespace bindery::smpp
