// bindery-kavenegar-mock: a Kavenegar REST API stand-in for tests, benchmarks and manual trials.
// See usage() below and docs/providers.md ("Trying it with the mock").
#include <csignal>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/kavenegar-mock/mock.hpp"

namespace {

const char* const kUsage = R"(usage: bindery-kavenegar-mock [options]
  --listen HOST:PORT        address to serve on (127.0.0.1:0 = a free port)
  --port-file FILE          write the bound port to FILE once listening
  --tls                     serve HTTPS with a fresh self-signed certificate...
  --cert-out FILE           ...written to FILE (point the carrier's tls.ca_file at it)
  --cert FILE --key FILE    serve HTTPS with this certificate and key (PEM)
  --api-key KEY             accept only this key (others get 403); default: any
  --latency-ms N            delay every answer by N ms
  --fail-status CODE        answer send/sendarray calls with this return.status (e.g. 418, 409)
  --fail-rate R             ...for this fraction of calls (0..1, default 1)
  --fail-receptor NUM=CODE  answer calls for this receptor (national form 0912...) with CODE
  --final-status CODE       status reported by status.json once delivered (default 10)
  --undelivered-rate R      fraction of messages ending in status 11
  --final-for NUM=CODE      final status for this receptor
  --delivery-delay-ms N     status.json reports 4 (sent to operator) until N ms after sending
  --threads N               server threads (default 1)
  --stats-interval S        print counters as JSON every S seconds (0 = never)
)";

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::pair<std::string, std::int64_t> num_code(const std::string& v) {
    const auto eq = v.find('=');
    if (eq == std::string::npos) throw std::runtime_error("expected NUMBER=CODE, got " + v);
    return {v.substr(0, eq), std::stoll(v.substr(eq + 1))};
}

volatile std::sig_atomic_t g_stop = 0;

}  // namespace

int main(int argc, char** argv) {
    using namespace bindery::mock;
    KavenegarMockConfig config;
    std::string port_file, cert_out;
    bool self_signed = false;
    unsigned stats_interval = 0;
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        for (std::size_t i = 0; i < args.size(); ++i) {
            const auto& a = args[i];
            auto value = [&]() -> const std::string& {
                if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
                return args[++i];
            };
            if (a == "--help" || a == "-h") {
                std::cout << kUsage;
                return 0;
            } else if (a == "--listen") {
                const auto& v = value();
                const auto colon = v.rfind(':');
                if (colon == std::string::npos) throw std::runtime_error("--listen HOST:PORT");
                config.host = v.substr(0, colon);
                config.port = static_cast<std::uint16_t>(std::stoul(v.substr(colon + 1)));
            } else if (a == "--port-file") {
                port_file = value();
            } else if (a == "--tls") {
                self_signed = true;
            } else if (a == "--cert-out") {
                cert_out = value();
            } else if (a == "--cert") {
                config.cert_pem = read_file(value());
            } else if (a == "--key") {
                config.key_pem = read_file(value());
            } else if (a == "--api-key") {
                config.api_key = value();
            } else if (a == "--latency-ms") {
                config.latency = std::chrono::milliseconds(std::stoll(value()));
            } else if (a == "--fail-status") {
                config.fail_status = std::stoll(value());
            } else if (a == "--fail-rate") {
                config.fail_rate = std::stod(value());
            } else if (a == "--fail-receptor") {
                config.receptor_fail.insert(num_code(value()));
            } else if (a == "--final-status") {
                config.final_status = std::stoll(value());
            } else if (a == "--undelivered-rate") {
                config.undelivered_rate = std::stod(value());
            } else if (a == "--final-for") {
                config.receptor_final.insert(num_code(value()));
            } else if (a == "--delivery-delay-ms") {
                config.delivery_delay = std::chrono::milliseconds(std::stoll(value()));
            } else if (a == "--threads") {
                config.threads = static_cast<unsigned>(std::stoul(value()));
            } else if (a == "--stats-interval") {
                stats_interval = static_cast<unsigned>(std::stoul(value()));
            } else {
                throw std::runtime_error("unknown option " + a);
            }
        }
        if (self_signed) {
            auto pem = make_self_signed("localhost", {config.host});
            config.cert_pem = pem.cert_pem;
            config.key_pem = pem.key_pem;
            if (!cert_out.empty()) {
                std::ofstream f(cert_out);
                f << pem.cert_pem;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "bindery-kavenegar-mock: " << e.what() << "\n" << kUsage;
        return 2;
    }

    KavenegarMock mock(config);
    try {
        mock.start();
    } catch (const std::exception& e) {
        std::cerr << "bindery-kavenegar-mock: cannot start: " << e.what() << "\n";
        return 1;
    }
    if (!port_file.empty()) {
        const auto tmp = port_file + ".tmp";
        {
            std::ofstream f(tmp);
            f << mock.port() << "\n";
        }
        std::rename(tmp.c_str(), port_file.c_str());
    }
    std::fprintf(stderr, "bindery-kavenegar-mock listening on %s://%s:%u\n",
                 mock.tls() ? "https" : "http", config.host.c_str(), mock.port());

    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    unsigned ticks = 0;
    while (g_stop == 0) {
        struct timespec ts {
            0, 100'000'000
        };
        nanosleep(&ts, nullptr);
        if (stats_interval > 0 && ++ticks % (stats_interval * 10) == 0) {
            const auto s = mock.stats();
            std::printf(
                "{\"requests\":%llu,\"send_calls\":%llu,\"sendarray_calls\":%llu,"
                "\"status_calls\":%llu,\"messages\":%llu,\"duplicate_localids\":%llu,"
                "\"failed_calls\":%llu,\"connections\":%llu}\n",
                static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.send_calls),
                static_cast<unsigned long long>(s.sendarray_calls),
                static_cast<unsigned long long>(s.status_calls),
                static_cast<unsigned long long>(s.messages),
                static_cast<unsigned long long>(s.duplicate_localids),
                static_cast<unsigned long long>(s.failed_calls),
                static_cast<unsigned long long>(s.connections));
            std::fflush(stdout);
        }
    }
    mock.stop();
    return 0;
}
