#pragma once
// `bindery client add|list|revoke|rotate-key`: API clients kept in the store (the SQLite file of
// the configuration's store.path), beside the clients of the configuration file. They work on the
// file directly, with or without a running `bindery serve` (which picks changes up within a
// second, docs/operations.md).
//
//   bindery client add NAME [--sender S]... [--rate N] [--burst N] [--callback-url URL]
//                           [--callback-secret-env VAR | --callback-secret-file FILE]
//   bindery client list
//   bindery client revoke NAME
//   bindery client rotate-key NAME
//
// Options: --config FILE (BINDERY_CONFIG; default: the embedded default configuration, as
// `bindery serve` without --config), --json. add and rotate-key print the new key once; only its
// SHA-256 is stored.
//
// Exit codes: 0 done; 1 refused (name taken, unknown or revoked client, a client of the
// configuration file, an invalid configuration); 2 usage; 3 the store cannot be opened or written.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::app {

int run_client_command(const std::vector<std::string_view>& args);
const char* client_usage() noexcept;

// A new API key: "bnd_" and 64 hex digits of 32 random bytes (OpenSSL RAND_bytes). Throws when
// the random generator fails.
std::string generate_api_key();

}  // namespace bindery::app
