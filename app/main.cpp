// bindery: the gateway's command line. `serve` runs the gateway, `check-config` validates a
// configuration file and prints every problem, `version` prints the version.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/cli_commands.hpp"
#include "app/client_commands.hpp"
#include "app/config_dump.hpp"
#include "app/config_loader.hpp"
#include "app/default_config.hpp"
#include "app/gateway.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"
#include "app/version.hpp"

namespace {

using namespace bindery::app;

constexpr int kExitUsage = 2;

// A text table, one source line per line of output.
// clang-format off
void usage(std::ostream& out) {
    out << "usage: bindery <command> [options]\n"
           "\n"
           "commands:\n"
           "  serve [--config FILE]               run the gateway (without --config: the embedded\n"
           "                                      default, conf/bindery.yaml as built)\n"
           "  check-config [--no-secrets] [--print] FILE\n"
           "                                      validate FILE, print every error, exit 1 on any\n"
           "                                      --no-secrets: check secret references, don't read them\n"
           "                                      --print: print the effective configuration (defaults\n"
           "                                      filled in, secrets redacted)\n"
           "  default-config                      print the embedded default configuration\n"
           "  version                             print the version\n"
           "  help, --help, -h                    this text\n"
           "\n"
           "signals (serve): SIGTERM/SIGINT drain and exit, a second one forces the exit; SIGHUP reopens logs\n"
           "\n"
        << cli_usage() << "\n"
        << client_usage();
}
// clang-format on

int check_config(const std::vector<std::string_view>& args) {
    LoadOptions options;
    std::string file;
    bool print = false;
    for (const auto arg : args) {
        if (arg == "--no-secrets") {
            options.resolve_secrets = false;
        } else if (arg == "--print") {
            print = true;
        } else if (!arg.empty() && arg.front() == '-') {
            std::cerr << "bindery check-config: unknown option " << arg << "\n";
            usage(std::cerr);
            return kExitUsage;
        } else if (file.empty()) {
            file = arg;
        } else {
            std::cerr << "bindery check-config: one file at a time\n";
            return kExitUsage;
        }
    }
    if (file.empty()) {
        std::cerr << "bindery check-config: missing FILE\n";
        usage(std::cerr);
        return kExitUsage;
    }
    const auto result = load_config_file(file, options);
    if (!result.ok()) {
        std::cerr << format_errors(result.errors);
        std::cerr << file << ": " << result.errors.size()
                  << (result.errors.size() == 1 ? " error\n" : " errors\n");
        return 1;
    }
    if (print) {
        std::cout << dump_config(result.config);
    } else {
        std::cout << file << ": ok\n";
    }
    return 0;
}

int serve(const std::vector<std::string_view>& args) {
    std::string file;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            file = args[++i];
        } else if (args[i].substr(0, 9) == "--config=") {
            file = args[i].substr(9);
        } else {
            std::cerr << "bindery serve: unexpected argument " << args[i] << "\n";
            usage(std::cerr);
            return kExitUsage;
        }
    }
    const auto loaded =
        file.empty() ? load_config_text(default_config_text(), std::string(kDefaultConfigName))
                     : load_config_file(file);
    if (file.empty()) file = kDefaultConfigName;
    if (!loaded.ok()) {
        std::cerr << format_errors(loaded.errors);
        return 1;
    }
    const Config& config = loaded.config;
    std::unique_ptr<Logging> logging;
    try {
        logging = std::make_unique<Logging>(config.logging);
    } catch (const std::exception& e) {
        std::cerr << "bindery: " << e.what() << "\n";
        return 1;
    }
    // Peers that close mid-write must not kill the process; Asio reports EPIPE as an error code.
    std::signal(SIGPIPE, SIG_IGN);
    spdlog::info(with_fields(
        "bindery starting",
        {{"version", std::string(version())}, {"config", file}, {"node", config.process.node_id}}));
    spdlog::info(with_fields("configuration loaded",
                             {{"carriers", std::to_string(config.carriers.size())},
                              {"routes", std::to_string(config.routes.size())},
                              {"clients", std::to_string(config.clients.size())},
                              {"smpp_accounts", std::to_string(config.smpp_server.accounts.size())},
                              {"alert_receivers", std::to_string(config.alerting.receivers.size())},
                              {"directories", std::to_string(config.directories.size())}}));

    Server server(ServerOptions{config.process.io_threads, config.process.drain_timeout,
                                config.process.ready_file});
    server.on_reload([&logging] { logging->reopen(); });
    // Components register in Gateway (store, router, providers and bind pools, then the front
    // ends), so the drain stops the front ends first and the store last.
    std::unique_ptr<Gateway> gateway;
    try {
        gateway = std::make_unique<Gateway>(config, server);
    } catch (const std::exception& e) {
        spdlog::critical(with_fields("start-up failed", {{"error", e.what()}}));
        logging->flush();
        return 1;
    }

    const int status = server.run();
    if (status != Server::kExitForced) gateway.reset();  // closes the store after the drain
    spdlog::info(with_fields("bindery stopped", {{"status", std::to_string(status)}}));
    logging->flush();
    if (status == Server::kExitForced) std::_Exit(status);  // don't wait for stuck components
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        usage(std::cerr);
        return kExitUsage;
    }
    const auto command = args.front();
    args.erase(args.begin());
    try {
        if (command == "serve") return serve(args);
        if (command == "check-config") return check_config(args);
        if (is_cli_command(command)) return run_cli(command, args);
        if (command == "client") return run_client_command(args);
        if (command == "default-config" && args.empty()) {
            std::cout << default_config_text();
            return 0;
        }
        if (command == "version" || command == "--version") {
            std::cout << "bindery " << version() << "\n";
            return 0;
        }
        if (command == "help" || command == "--help" || command == "-h") {
            usage(std::cout);
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "bindery: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "bindery: unknown command " << command << "\n";
    usage(std::cerr);
    return kExitUsage;
}
