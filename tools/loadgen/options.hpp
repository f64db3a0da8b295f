#pragma once
// bindery-loadgen command line. Throws std::invalid_argument with a message naming the option.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bindery::loadgen {

enum class Mode { http, smpp };

struct Options {
    Mode mode = Mode::http;
    std::string host = "127.0.0.1";  // loopback by default
    std::uint16_t port = 0;          // default 8080 (http) / 2775 (smpp)
    // Bounds: the run ends at whichever comes first (at least one must be given).
    std::uint64_t count = 0;  // messages
    std::chrono::milliseconds duration{0};
    double rate = 0;           // messages/s; 0 = closed loop (send as fast as answered)
    unsigned connections = 1;  // HTTP connections / SMPP sessions
    unsigned threads = 1;      // worker threads (each its own io_context)
    // HTTP
    std::string path = "/v1/messages";
    std::string api_key;
    unsigned batch = 1;             // recipients per request ("to": [...] when > 1)
    bool idempotency_keys = false;  // --idempotency-keys: a key per request, unique in the run
    // Delivery callbacks (--callbacks): a receiver in this process, its URL in every request.
    bool callbacks = false;
    std::string callback_host = "127.0.0.1";          // --callback-listen; loopback unless given
    std::uint16_t callback_port = 0;                  // 0: an ephemeral port
    std::string callback_url;                         // as sent; default http://HOST:PORT/callback
    std::string callback_secret;                      // verify X-Bindery-Signature when set
    std::chrono::milliseconds callback_wait{30'000};  // after the load, for missing callbacks
    // SMPP
    std::string system_id = "loadgen";
    std::string password = "loadgen";
    std::uint64_t window = 10;
    bool receipts = false;  // registered_delivery=1 and count deliver_sm receipts
    std::chrono::milliseconds receipt_wait{10000};  // after the last response
    // Message content
    std::string from = "Bindery";
    std::string to_prefix = "+98912";  // + a 7-digit sequence number
    std::string text = "Bindery load test message";
    // Output
    bool table = true;
    bool json = true;
    std::chrono::milliseconds drain{10000};  // wait for outstanding answers at the end
};

[[nodiscard]] Options parse_options(const std::vector<std::string>& args);
[[nodiscard]] std::string usage();

}  // namespace bindery::loadgen
