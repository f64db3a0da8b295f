#include "tools/loadgen/options.hpp"

#include <stdexcept>

namespace bindery::loadgen {

namespace {

std::uint64_t to_u64(const std::string& opt, const std::string& v) {
    std::size_t used = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(v, &used);
    } catch (const std::exception&) { used = 0; }
    if (used != v.size() || v.empty() || v.front() == '-')
        throw std::invalid_argument(opt + ": not a non-negative integer: " + v);
    return n;
}

double to_double(const std::string& opt, const std::string& v) {
    std::size_t used = 0;
    double d = 0;
    try {
        d = std::stod(v, &used);
    } catch (const std::exception&) { used = 0; }
    if (used != v.size() || v.empty() || d < 0)
        throw std::invalid_argument(opt + ": not a non-negative number: " + v);
    return d;
}

// "10s", "500ms", "2m", or plain seconds.
std::chrono::milliseconds to_duration(const std::string& opt, const std::string& v) {
    auto number = [&](std::size_t suffix) {
        return to_double(opt, v.substr(0, v.size() - suffix));
    };
    double ms = 0;
    if (v.size() > 2 && v.ends_with("ms")) {
        ms = number(2);
    } else if (v.size() > 1 && v.back() == 's') {
        ms = number(1) * 1000;
    } else if (v.size() > 1 && v.back() == 'm') {
        ms = number(1) * 60'000;
    } else {
        ms = to_double(opt, v) * 1000;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

unsigned to_positive(const std::string& opt, const std::string& v, std::uint64_t max) {
    const auto n = to_u64(opt, v);
    if (n == 0 || n > max)
        throw std::invalid_argument(opt + ": must be 1.." + std::to_string(max) + ": " + v);
    return static_cast<unsigned>(n);
}

}  // namespace

// A text table, one source line per line of output.
// clang-format off
std::string usage() {
    return "usage: bindery-loadgen http|smpp [options]\n"
           "  --target HOST:PORT    default 127.0.0.1:8080 (http) / 127.0.0.1:2775 (smpp)\n"
           "  --count N             stop after N messages\n"
           "  --duration D          stop sending after D (10s, 500ms, 2m)\n"
           "  --rate R              open loop: R messages/s on a fixed schedule, latency measured\n"
           "                        from the scheduled time; omit for closed loop\n"
           "  --connections N       HTTP keep-alive connections / SMPP sessions (default 1)\n"
           "  --threads N           worker threads (default 1)\n"
           "  --drain D             wait for outstanding answers at the end (default 10s)\n"
           "  --format table|json|both   (default both: the table, then one JSON line)\n"
           " http:\n"
           "  --key KEY             API key (Authorization: Bearer)\n"
           "  --path P              default /v1/messages\n"
           "  --batch N             recipients per request (default 1)\n"
           "  --idempotency-keys    an Idempotency-Key on every request, unique in the run\n"
           "  --callbacks           receive the delivery callbacks: a receiver in this process,\n"
           "                        \"callback_url\" in every request; reports callbacks by state,\n"
           "                        duplicates, missing and submit -> final callback latency\n"
           "  --callback-listen HOST:PORT   receiver address (default 127.0.0.1:0)\n"
           "  --callback-url URL    the URL sent (default http://HOST:PORT/callback; 127.0.0.1\n"
           "                        when listening on 0.0.0.0)\n"
           "  --callback-secret S   verify X-Bindery-Signature with the client's secret\n"
           "  --callback-wait D     after the load, wait for missing callbacks (default 30s)\n"
           " smpp:\n"
           "  --system-id S --password P   bind credentials (default loadgen/loadgen)\n"
           "  --window N            per session (default 10)\n"
           "  --receipts            ask for receipts and count them\n"
           "  --receipt-wait D      after the last response (default 10s)\n"
           " message:\n"
           "  --from S --to-prefix +98912 --text T\n";
}
// clang-format on

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    if (args.empty()) throw std::invalid_argument("mode missing (http or smpp)");
    if (args[0] == "http") {
        o.mode = Mode::http;
    } else if (args[0] == "smpp") {
        o.mode = Mode::smpp;
    } else {
        throw std::invalid_argument("unknown mode " + args[0] + " (http or smpp)");
    }
    bool callback_option = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--receipts") {
            o.receipts = true;
            continue;
        }
        if (a == "--callbacks") {
            o.callbacks = true;
            continue;
        }
        if (a == "--idempotency-keys") {
            o.idempotency_keys = true;
            continue;
        }
        if (i + 1 >= args.size()) throw std::invalid_argument(a + ": value missing");
        const std::string& v = args[++i];
        if (a == "--target") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos || colon == 0)
                throw std::invalid_argument("--target: HOST:PORT expected: " + v);
            o.host = v.substr(0, colon);
            o.port = static_cast<std::uint16_t>(to_positive(a, v.substr(colon + 1), 65535));
        } else if (a == "--count") {
            o.count = to_u64(a, v);
        } else if (a == "--duration") {
            o.duration = to_duration(a, v);
        } else if (a == "--rate") {
            o.rate = to_double(a, v);
        } else if (a == "--connections" || a == "--sessions") {
            o.connections = to_positive(a, v, 100'000);
        } else if (a == "--threads") {
            o.threads = to_positive(a, v, 64);
        } else if (a == "--drain") {
            o.drain = to_duration(a, v);
        } else if (a == "--format") {
            if (v != "table" && v != "json" && v != "both")
                throw std::invalid_argument("--format: table, json or both: " + v);
            o.table = v != "json";
            o.json = v != "table";
        } else if (a == "--key") {
            o.api_key = v;
        } else if (a == "--path") {
            o.path = v;
        } else if (a == "--batch") {
            o.batch = to_positive(a, v, 10'000);
        } else if (a == "--callback-listen") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos || colon == 0)
                throw std::invalid_argument("--callback-listen: HOST:PORT expected: " + v);
            o.callback_host = v.substr(0, colon);
            if (o.callback_host.size() > 2 && o.callback_host.front() == '[' &&
                o.callback_host.back() == ']') {
                o.callback_host = o.callback_host.substr(1, o.callback_host.size() - 2);
            }
            const auto port = to_u64(a, v.substr(colon + 1));
            if (port > 65535)
                throw std::invalid_argument("--callback-listen: port over 65535: " + v);
            o.callback_port = static_cast<std::uint16_t>(port);
            callback_option = true;
        } else if (a == "--callback-url") {
            if (!v.starts_with("http://") && !v.starts_with("https://"))
                throw std::invalid_argument("--callback-url: an http(s):// URL expected: " + v);
            o.callback_url = v;
            callback_option = true;
        } else if (a == "--callback-secret") {
            if (v.empty()) throw std::invalid_argument("--callback-secret: empty");
            o.callback_secret = v;
            callback_option = true;
        } else if (a == "--callback-wait") {
            o.callback_wait = to_duration(a, v);
            callback_option = true;
        } else if (a == "--system-id") {
            o.system_id = v;
        } else if (a == "--password") {
            o.password = v;
        } else if (a == "--window") {
            o.window = to_positive(a, v, 100'000);
        } else if (a == "--receipt-wait") {
            o.receipt_wait = to_duration(a, v);
        } else if (a == "--from") {
            o.from = v;
        } else if (a == "--to-prefix") {
            o.to_prefix = v;
        } else if (a == "--text") {
            o.text = v;
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (o.count == 0 && o.duration.count() == 0)
        throw std::invalid_argument("give --count, --duration or both (every run is bounded)");
    if (o.callbacks && o.mode != Mode::http)
        throw std::invalid_argument("--callbacks: HTTP mode only (SMPP mode has --receipts)");
    if (callback_option && !o.callbacks)
        throw std::invalid_argument("--callback-*: give --callbacks too");
    if (o.port == 0) o.port = o.mode == Mode::http ? 8080 : 2775;
    if (o.threads > o.connections) o.threads = o.connections;
    return o;
}

}  // namespace bindery::loadgen
