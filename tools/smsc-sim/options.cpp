#include "tools/smsc-sim/options.hpp"

#include <charconv>
#include <stdexcept>

namespace bindery::sim {
namespace {

using smpp::CommandStatus;

double to_double(const std::string& opt, const std::string& v) {
    try {
        std::size_t used = 0;
        const double d = std::stod(v, &used);
        if (used != v.size() || d < 0) throw std::invalid_argument("");
        return d;
    } catch (const std::exception&) {
        throw std::invalid_argument(opt + ": expected a non-negative number, got '" + v + "'");
    }
}

std::uint64_t to_uint(const std::string& opt, const std::string& v) {
    std::uint64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size()) {
        throw std::invalid_argument(opt + ": expected an unsigned integer, got '" + v + "'");
    }
    return out;
}

Duration millis(const std::string& opt, const std::string& v) {
    return std::chrono::duration_cast<Duration>(
        std::chrono::duration<double, std::milli>(to_double(opt, v)));
}

CommandStatus to_status(const std::string& opt, const std::string& v) {
    for (std::uint32_t s = 0; s <= 0x10C; ++s) {
        if (to_string(static_cast<CommandStatus>(s)) == v) return static_cast<CommandStatus>(s);
    }
    std::uint32_t n = 0;
    const bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    const char* b = v.data() + (hex ? 2 : 0);
    auto [p, ec] = std::from_chars(b, v.data() + v.size(), n, hex ? 16 : 10);
    if (ec != std::errc{} || p != v.data() + v.size() || n == 0) {
        throw std::invalid_argument(
            opt + ": expected a non-zero command_status (name, decimal or 0x hex), got '" + v +
            "'");
    }
    return static_cast<CommandStatus>(n);
}

std::vector<DlrOutcome> to_mix(const std::string& opt, const std::string& v) {
    std::vector<DlrOutcome> out;
    std::size_t pos = 0;
    while (pos <= v.size()) {
        const auto comma = v.find(',', pos);
        const auto item =
            v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw std::invalid_argument(opt + ": expected STAT=WEIGHT[,STAT=WEIGHT...], got '" + v +
                                        "'");
        }
        const auto stat = item.substr(0, eq);
        static const char* kKnown[] = {"DELIVRD", "UNDELIV", "EXPIRED", "REJECTD",
                                       "DELETED", "ACCEPTD", "UNKNOWN"};
        bool known = false;
        for (const char* k : kKnown) known = known || stat == k;
        if (!known) throw std::invalid_argument(opt + ": unknown receipt stat '" + stat + "'");
        out.push_back(DlrOutcome{stat, to_double(opt, item.substr(eq + 1))});
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

}  // namespace

std::string usage() {
    return R"(usage: bindery-smsc-sim --listen HOST:PORT [options]
  --listen HOST:PORT      address to accept binds on (port 0: any free port, see --port-file)
  --port-file PATH        write the bound port to PATH once listening
  --account SYS:PASS      accept only these credentials (repeatable; default: any credentials)
  --system-id ID          system_id in bind responses (default smsc-sim)
  --max-binds N           binds per account (default 64)
  --window N              requests in flight per bind before ESME_RTHROTTLED (default 1000)
  --throttle-tps N        hidden limit per account: ESME_RTHROTTLED past N submits/s (default off)
  --throttle-burst N      bucket size of that limit (default N)
  --error-rate F          fraction of submits answered with --error-status (default 0)
  --error-status S        status name or number (default ESME_RSYSERR)
  --resp-delay MS         delay every submit response
  --slow-rate F           fraction of responses delayed by --slow-delay instead
  --slow-delay MS         (default 2000)
  --dlr-delay MS          delay before a delivery receipt (default 100)
  --dlr-mix MIX           receipt outcomes, e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2
  --drop-after N          close a connection after N submits on it
  --stall-after N         answer no submit after the Nth (in total): responses time out
  --mo-rate F             MO messages per second to each account with a receiver bind
  --enquire-link S        seconds between the simulator's own enquire_links (default 30, 0 off)
  --record PATH           append each accepted submit_sm/data_sm (id, data_coding, esm_class,
                          SAR, user data hex) as a line: what the carrier received, for tests
  --stats-interval S      print counters as JSON every S seconds (always on exit)
                          SIGUSR1 heals: no more injected errors, slow responses, drops or stalls
  --tls-cert PATH --tls-key PATH   speak TLS
  --seed N                random seed (default random)
  --log-level L           trace|debug|info|warn|error|off (default warn)
)";
}

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    bool listen_given = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        }
        if (i + 1 >= args.size())
            throw std::invalid_argument(a + ": missing value (or unknown option)");
        const auto& v = args[++i];
        if (a == "--listen") {
            const auto colon = v.rfind(':');
            if (colon == std::string::npos)
                throw std::invalid_argument("--listen: expected HOST:PORT");
            o.sim.host = v.substr(0, colon);
            const auto port = to_uint(a, v.substr(colon + 1));
            if (port > 65535) throw std::invalid_argument("--listen: port out of range");
            o.sim.port = static_cast<std::uint16_t>(port);
            listen_given = true;
        } else if (a == "--port-file") {
            o.port_file = v;
        } else if (a == "--account") {
            const auto colon = v.find(':');
            if (colon == std::string::npos || colon == 0)
                throw std::invalid_argument("--account: expected SYS:PASS");
            o.sim.accounts.emplace_back(v.substr(0, colon), v.substr(colon + 1));
        } else if (a == "--system-id") {
            o.sim.system_id = v;
        } else if (a == "--max-binds") {
            o.sim.max_binds = static_cast<unsigned>(to_uint(a, v));
        } else if (a == "--window") {
            o.sim.window = static_cast<std::size_t>(to_uint(a, v));
        } else if (a == "--throttle-tps") {
            o.sim.throttle_tps = to_double(a, v);
        } else if (a == "--throttle-burst") {
            o.sim.throttle_burst = to_double(a, v);
        } else if (a == "--error-rate") {
            o.sim.error_rate = to_double(a, v);
            if (o.sim.error_rate > 1) throw std::invalid_argument("--error-rate: expected 0..1");
        } else if (a == "--error-status") {
            o.sim.error_status = to_status(a, v);
        } else if (a == "--resp-delay") {
            o.sim.resp_delay = millis(a, v);
        } else if (a == "--slow-rate") {
            o.sim.slow_rate = to_double(a, v);
        } else if (a == "--slow-delay") {
            o.sim.slow_delay = millis(a, v);
        } else if (a == "--record") {
            o.sim.record_file = v;
        } else if (a == "--dlr-delay") {
            o.sim.dlr_delay = millis(a, v);
        } else if (a == "--dlr-mix") {
            o.sim.dlr_mix = to_mix(a, v);
        } else if (a == "--drop-after") {
            o.sim.drop_after = to_uint(a, v);
        } else if (a == "--stall-after") {
            o.sim.stall_after = to_uint(a, v);
        } else if (a == "--mo-rate") {
            o.sim.mo_rate = to_double(a, v);
        } else if (a == "--enquire-link") {
            o.sim.enquire_link_interval = std::chrono::duration_cast<Duration>(
                std::chrono::duration<double>(to_double(a, v)));
        } else if (a == "--stats-interval") {
            o.stats_interval = static_cast<unsigned>(to_uint(a, v));
        } else if (a == "--tls-cert") {
            o.sim.tls.enabled = true;
            o.sim.tls.verify_peer = false;
            o.sim.tls.cert_file = v;
        } else if (a == "--tls-key") {
            o.sim.tls.key_file = v;
        } else if (a == "--seed") {
            o.sim.seed = to_uint(a, v);
        } else if (a == "--log-level") {
            o.log_level = v;
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (!listen_given) throw std::invalid_argument("--listen HOST:PORT is required");
    return o;
}

}  // namespace bindery::sim
