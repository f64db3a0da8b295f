#pragma once
// Kavenegar REST API, as data: request bodies for sms/send, sms/sendarray and sms/status, the
// response envelope parser, and the two code tables (return.status -> outcome, message status ->
// receipt status). No I/O; ../shared/reference/kavenegar-api.md is the source of every fact here.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "router/core/provider.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

// What the gateway does with a return.status. Must agree with StatusMap's built-in "kavenegar"
// table (router/core/error_class.cpp): a test checks every documented code against it.
enum class KavenegarAction : std::uint8_t {
    ok,         // 200
    temporary,  // retry with backoff; counts against the breaker
    throttled,  // retry with backoff; the provider is alive (451)
    permanent,  // no retry
};
std::string_view to_string(KavenegarAction a) noexcept;

struct KavenegarReturnCode {
    std::int64_t code = 0;
    KavenegarAction action = KavenegarAction::permanent;
    // Credit or account setup (key, line, IP, balance): no message can succeed until a human acts.
    bool account_problem = false;
    bool split_batch = false;  // request too large: send fewer per call
    std::string_view meaning;  // English translation of the documented Persian text
};

// Every documented return.status (§5), in code order.
std::span<const KavenegarReturnCode> kavenegar_return_codes() noexcept;
// The table entry for `code`; undocumented codes: 5xx temporary, anything else permanent.
KavenegarReturnCode classify_kavenegar_return(std::int64_t code) noexcept;

// entries[].status (§6).
struct KavenegarMessageState {
    ReceiptStatus status = ReceiptStatus::unknown;
    bool final = false;
};
// nullopt for codes the table does not know (treated as still pending by the poller).
std::optional<KavenegarMessageState> kavenegar_message_state(std::int64_t status) noexcept;

struct KavenegarEntry {
    std::int64_t messageid = 0;
    std::int64_t status = 0;
    std::string receptor;
};

struct KavenegarReply {
    std::int64_t return_status = 0;
    std::string message;                  // return.message (Persian)
    std::vector<KavenegarEntry> entries;  // empty when `entries` is null or an object
};

// Parses the JSON envelope; an error string when the body is not a Kavenegar reply.
Expected<KavenegarReply, std::string> parse_kavenegar_reply(std::string_view body);

// E.164 ("+989121234567") -> the national form Kavenegar's examples use ("09121234567");
// other countries "00" + digits.
std::string kavenegar_receptor(std::string_view e164);

struct KavenegarOutgoing {
    std::string receptor;  // already in Kavenegar's form
    std::string sender;
    std::string message;  // UTF-8
    std::string localid;
};

// Bodies (application/x-www-form-urlencoded) for POST /v1/{key}/sms/send.json (one message),
// sms/sendarray.json (one or more; arrays as JSON array strings) and sms/status.json.
std::string kavenegar_send_body(const KavenegarOutgoing& m);
std::string kavenegar_sendarray_body(std::span<const KavenegarOutgoing> batch);
std::string kavenegar_status_body(std::span<const std::int64_t> messageids);

// A JSON array of strings: ["a","b"].
std::string json_string_array(std::span<const std::string> items);

inline constexpr std::size_t kKavenegarMaxReceptors = 200;  // send / sendarray per call (414)
inline constexpr std::size_t kKavenegarMaxStatusIds = 500;  // status per call (414)
inline constexpr std::size_t kKavenegarMaxTextChars = 900;  // message (413)

}  // namespace bindery::router
