#pragma once
// Operator commands against a running instance (its admin endpoint, /admin/v1, and for `send`
// the public API):
//
//   bindery status                          carriers and binds, queues by lane, rates
//   bindery send --to NUMBER --text TEXT    a trial message (API key), --wait for its final state
//   bindery message show ID                 one message with its history
//   bindery bind pause|resume CARRIER       stop / restart dispatching to a carrier
//   bindery dlq list                        dead letters
//   bindery dlq retry ID... | --all         send dead letters again as new messages
//   bindery credit show CLIENT              a client's balance, held credit and latest ledger
//   bindery credit add CLIENT AMOUNT        top up a client's prepaid credit (minor units)
//
// Common options: --url URL (BINDERY_URL, default http://127.0.0.1:8080), --admin-key KEY
// (BINDERY_ADMIN_KEY; --admin-key-file FILE), --api-key KEY (BINDERY_API_KEY, for send),
// --ca FILE, --insecure, --timeout SECONDS, --json (the endpoint's JSON, for scripts).
//
// Exit codes (kCli*): 0 done; 1 the instance refused or the operation failed (unknown carrier or
// message, a retry that failed, a message that ended undelivered); 2 usage; 3 the instance could
// not be reached or answered 5xx; 4 authentication failed (401/403).

#include <string_view>
#include <vector>

namespace bindery::app {

inline constexpr int kCliOk = 0;
inline constexpr int kCliFailed = 1;
inline constexpr int kCliUsage = 2;
inline constexpr int kCliUnavailable = 3;
inline constexpr int kCliAuth = 4;

bool is_cli_command(std::string_view command) noexcept;
// `command` is one is_cli_command() accepts; `args` follow it.
int run_cli(std::string_view command, const std::vector<std::string_view>& args);
// The usage text of the operator commands (part of `bindery help`).
const char* cli_usage() noexcept;

}  // namespace bindery::app
